"""What a verb says beside its answer: where a scenario's ``[sweep]`` comes from (``validate``)
and whose figures a folder of another result receives (``plot``)."""

from __future__ import annotations

from pathlib import Path

from alliance_sim.errors import AllianceSimError


def inherited_sweep(sc) -> str:
    """ ", inherited from NAME (extends)" when the scenario's ``[sweep]`` is not in its own file
    but comes down its ``extends`` chain (a file of one's own that extends ``baseline`` sweeps
    baseline's levers, which ``run`` ignores and ``sweep`` and ``robustness`` use: a new user
    did not know, helper-61); "" otherwise."""
    from alliance_sim.scenario.files import read_toml

    try:
        own = read_toml(Path(sc.path))
    except (AllianceSimError, OSError):
        return ""
    parent = own.get("extends")
    if "sweep" in own or not parent:
        return ""
    return f", inherited from {parent} (extends; give the file its own [sweep] to change it)"


def another_result(out: Path, res) -> str:
    """What a figure folder says of another result it holds (``plot out/sweep --out out/base``
    put the sweep's status.png beside the baseline's commitment.png without a word, and a
    reader of out/base took it for the baseline's: helper-61); "" for its own or none."""
    from alliance_sim.runs.results import Manifest

    try:
        m = Manifest.read(out)
    except AllianceSimError:
        return ""
    if m is None or out.resolve() == Path(res.directory).resolve():
        return ""
    if m.fingerprint and m.fingerprint == res.manifest.fingerprint:  # the same runs (a copy)
        return ""
    mine, theirs = res.manifest, m
    same = theirs.scenario_name == mine.scenario_name  # then say what differs (helper-63)
    seeds = f", master seed {theirs.plan.master_seed}" if same else ""
    ours = f", master seed {mine.plan.master_seed}" if same else ""
    return (
        f"{out} holds {'another' if same else 'the'} result of {theirs.scenario_name!r} "
        f"({theirs.plan.n_runs:,} runs{seeds}); the figures written there are of "
        f"{mine.scenario_name!r} ({res.directory}: {mine.plan.n_runs:,} runs{ours}), and each "
        "says so in its title and footer"
    )
