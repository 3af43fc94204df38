"""``alliance_sim.robustness()``: what a scenario's headlines rest on, from Python.

The analysis ``alliance-sim robustness`` runs (:mod:`alliance_sim.analysis.robustness`) for a
notebook or a script: it returns the analysis as ``robustness.json`` holds it and, given
``out``, writes the command's three files there.  Both the command and this function go
through :func:`analyse_into`, so the same arguments give the same analysis.
:func:`read_analyses` reads analyses a user ran for a comparison report (``compare
--robustness DIR``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from alliance_sim.errors import AllianceSimError, UserError
from alliance_sim.voice import in_python_words


def analyse_into(
    sc: Any,
    out: str | os.PathLike | None,
    *,
    samples: int,
    replicates: int,
    seed: int,
    hold_own: bool,
    force: bool,
    progress: Any = None,
    ref: str | None = None,
    command: str | None = None,
    outcome: str = "exit",
    against: Any = None,
    against_ref: str | None = None,
    options: str = "",
) -> tuple[dict[str, Any], Path | None, str | None]:
    """Run the analysis of scenario ``sc`` and write it into ``out`` (if given): the
    analysis, the folder written and, if an earlier, different analysis there was replaced,
    how it differed.  ``out`` is checked before anything runs.  ``command``: what reruns it,
    where no command line does (a scenario changed in Python).  ``against``: a second
    scenario, whose difference from ``sc`` is analysed (:mod:`~.analysis.robustness_diff`).
    ``options``: what the command that reruns it needs beside the scenario (`` --end Q``)."""
    from alliance_sim.analysis.robustness import analyse
    from alliance_sim.analysis.robustness_diff import analyse_difference, check_pair
    from alliance_sim.report.robustness import differs, holding, write

    if against is not None:
        check_pair(sc, against)  # before the folder is taken

    def run() -> dict[str, Any]:
        kw = dict(samples=samples, replicates=replicates, seed=seed, progress=progress)
        kw |= dict(ref=ref, hold_own=hold_own, outcome=outcome, options=options)
        if against is not None:
            result = analyse_difference(sc, against, base_ref=against_ref, **kw)
        else:
            result = analyse(sc, **kw)
        if command is not None:
            result["command"] = command
        return result

    if out is None:
        return run(), None, None
    same = {"horizon": sc.end, "scenario_hash": sc.hash}  # (--end: another horizon, in words)
    same |= {"samples": samples, "replicates": replicates}
    same |= {"seed": seed, "hold_own": hold_own, "outcome_kind": outcome}
    same |= {"against_hash": against.hash if against is not None else None}
    same |= {"against": against.name if against is not None else None}  # (its name, in words)
    with holding(out, same, force) as d:  # the folder's lock held from before the analysis
        replaced = differs(d, same)
        result = run()
        write(result, d, force=force, held=True)
    return result, d, replaced


def robustness(
    scenario: Any,
    out: str | os.PathLike | None = None,
    *,
    samples: int = 64,
    replicates: int = 32,
    seed: int = 0,
    hold_own: bool = False,
    force: bool = False,
    quiet: bool | None = None,
    outcome: str = "exit",
    against: Any = None,
    end: str | None = None,
) -> dict[str, Any]:
    """What ``scenario``'s headlines rest on: each headline's answer under the fitted
    posterior, its range over every parameter the record does not pin down (their plausible
    ranges), and the parameters that drive it (Sobol indices, SALib), with a statement in
    words per headline (``result["headlines"][i]["statement"]``).  The same analysis as
    ``alliance-sim robustness SCENARIO --out DIR`` with the same arguments; docs/usage.md
    "What a headline rests on" says how to read it.

    ``scenario``: a shipped name, a ``.toml`` path or a loaded scenario, a forecast that
    continues a calibrated posterior.  ``out``: a folder to write ``robustness.json``,
    ``robustness.md`` and ``drivers.png`` into (new, empty, or holding an earlier robustness
    analysis; ``force=True`` replaces a different one); None writes nothing.  ``samples``:
    Saltelli base points, a power of two from 8 (64: indices within about ±0.1; the shipped
    analyses use 256, about a minute for baseline on one core); ``replicates``: posterior sets
    and seeds per design point, shared across points (1 or more).  ``seed``: the master
    seed.  ``hold_own``: keep the values the scenario sets by hand at the scenario's values
    instead of varying them.  ``quiet``: no progress bar (None: a bar in Jupyter only).
    ``outcome``: what each headline asks of a focus member, ``"exit"`` (has it left by the
    horizon), ``"suspended"`` (is it suspended or out at the horizon) or ``"hedging"`` (is it
    hedging, suspended or out at the horizon).
    ``against``: a second scenario (name, path or loaded), a forecast of the same posterior,
    start and horizon: the analysis is then of the difference, ``scenario`` minus
    ``against``, per headline in shares of runs (``alliance-sim robustness SCENARIO
    --against BASE``; :mod:`alliance_sim.analysis.robustness_diff` says how it is designed).
    ``end``: analyse at this quarter (``"2028Q4"``) instead of the scenario's own horizon, as
    ``run_scenario(..., end=)`` runs it (events after it left out, a warning each; with
    ``against``, both scenarios end there), so that it is of the same scenario as such a run
    (``alliance-sim robustness SCENARIO --end Q``).

    Returns the analysis as a dict, as ``robustness.json`` holds it (the lead headline's
    ``outcome``, ``posterior``, ``envelope`` and ``drivers`` at the top, every headline under
    ``headlines``, the varied parameters under ``parameters``).  The analyses shipped with
    the package are read, without running anything, by
    :func:`alliance_sim.analysis.robustness.shipped` (``shipped("baseline")``).
    """
    from alliance_sim.limits import MAX_RUNS, check_count, check_seed
    from alliance_sim.progress import bar
    from alliance_sim.scenario.load import load_scenario
    from alliance_sim.scenario.spec import Scenario

    if not (_whole(samples) and samples >= 8 and not samples & (samples - 1)):
        raise UserError(f"samples = {samples!r}: allowed a power of two, 8 or more (Saltelli)")
    samples = check_count("samples", samples, 8, MAX_RUNS)
    replicates = check_count("replicates", replicates, 1, MAX_RUNS)
    seed = check_seed(seed)
    for name, v in (("hold_own", hold_own), ("force", force)):
        if not isinstance(v, bool):
            raise UserError(f"{name} = {v!r}: allowed True or False")
    if quiet is not None and not isinstance(quiet, bool):
        raise UserError(f"quiet = {quiet!r}: allowed True, False or None")
    from alliance_sim.analysis.uncertain import OUTCOME_KINDS

    if not isinstance(outcome, str) or outcome not in OUTCOME_KINDS:
        raise UserError(f"outcome = {outcome!r:.40}: allowed {', '.join(map(repr, OUTCOME_KINDS))}")
    from alliance_sim.scenario.load import consistent

    if isinstance(scenario, Scenario):
        sc, ref = consistent(scenario), None
    elif isinstance(scenario, (str, os.PathLike)):
        sc, ref = load_scenario(scenario), os.fspath(scenario)
    else:
        raise UserError(
            f"scenario = {scenario!r:.60}: allowed a shipped scenario's name, a .toml path or a "
            "scenario from load_scenario()"
        )
    base, base_ref = None, None
    if isinstance(against, Scenario):
        base = consistent(against)
    elif isinstance(against, (str, os.PathLike)):
        base, base_ref = load_scenario(against), os.fspath(against)
    elif against is not None:
        raise UserError(
            f"against = {against!r:.60}: allowed a shipped scenario's name, a .toml path or a "
            "scenario from load_scenario() (or None: the scenario's own headlines)"
        )
    if end is not None:  # both to the same quarter (warnings name the events left out)
        from alliance_sim.errors import warn_user

        sc, base, notes = end_both(sc, base, end, "end =")
        for note in notes:
            warn_user(note)
    # what reruns it: the command line (with --end Q for a file run to Q), or no command
    own = _rerun(sc)
    theirs = _rerun(base) if base is not None else ""
    command, options = None, own or theirs or ""  # (--end ends both)
    if own is None:  # with_params(): no file reruns it
        command = (
            f"none from a file: a scenario changed in Python (from {Path(sc.path).name}, "
            f"scenario hash {sc.hash}); robustness(that scenario, samples={samples}, "
            f"replicates={replicates}, seed={seed}{', hold_own=True' if hold_own else ''}"
            + (f", outcome={outcome!r}" if outcome != "exit" else "")
            + (f", end={end!r})" if end is not None else ")")
        )
    elif theirs is None:
        command = f"none from a file: the base {Path(base.path).name} changed in Python"
    if command is not None and base is not None and command.endswith(")"):  # it said nothing
        named = (
            repr(base_ref)
            if base_ref
            # of the base: a level analysis (red-team)
            else (f"that base ({Path(base.path).name}, scenario hash {base.hash})")
        )
        command = f"{command[:-1]}, against={named})"
    with bar(None, "design points", unit="point", quiet=quiet) as shown:

        def progress(done: int, total: int) -> None:
            shown.total = total
            shown.update(done - shown.n)

        try:
            result, _, replaced = analyse_into(
                sc,
                out,
                samples=samples,
                replicates=replicates,
                seed=seed,
                hold_own=hold_own,
                force=force,
                progress=progress,
                ref=ref,
                command=command,
                outcome=outcome,
                against=base,
                against_ref=base_ref,
                options=options,
            )
        except AllianceSimError as e:  # the command's words for its options, as arguments
            given = (scenario, out, against)  # left as typed ("my --out dir")
            again = in_python_words(
                e, tuple(os.fspath(v) for v in given if isinstance(v, str | os.PathLike))
            )
            if again is e:
                raise
            raise again from None
    if replaced:  # the command says so too, --quiet or not
        print(f"replaced the earlier analysis {replaced}", file=sys.stderr)
    return result


def _whole(v: object) -> bool:
    import numbers

    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def end_both(sc: Any, base: Any, end: str, where: str) -> tuple[Any, Any, list[str]]:
    """``sc`` and ``base`` (None: none) run to ``end`` as ``run --end`` runs a scenario (the
    same scenario hash), and the notes on what that leaves out, each once (``where``: how the
    option is named, ``--end`` or ``end =``); for the command and the function alike."""
    from alliance_sim.scenario.load import end_notes, with_end

    ended = with_end(sc, end, where=where, sweep=False, warn=0)
    notes = end_notes(sc, ended, where)
    if base is not None:
        b = with_end(base, end, where=where, sweep=False, warn=0)
        notes += [n for n in end_notes(base, b, where) if n not in notes]
        base = b
    return ended, base, notes


def _cut_hashes(results: list[Any], at: str | None) -> dict[str, str]:
    """For each result that runs past ``at``: the hash of its scenario file run to ``at``
    (``robustness FILE --end AT``'s), mapped to the result's own scenario hash; none where
    the file no longer gives the result's scenario (:func:`~alliance_sim.runs.identity.
    scenario_as_run`)."""
    from alliance_sim.runs.identity import scenario_as_run
    from alliance_sim.scenario.load import with_end

    out = {}
    for res in results if at else ():
        m = res.manifest
        if m.plan.end == at or m.scenario_path.startswith("<"):
            continue
        own, _ = scenario_as_run(m, res.directory)
        try:
            if own is not None:
                out[with_end(own, at, sweep=False, warn=0).hash] = m.scenario_hash
        except (AllianceSimError, ValueError):  # a quarter it cannot be run to
            continue
    return out


def _edited(results: list[Any]) -> str:
    """A note naming compared results whose scenario file no longer gives their scenario
    (edited since they ran): an analysis of the file as it was is then of none of them."""
    from alliance_sim.runs.identity import scenario_as_run

    changed = []
    for res in results:
        m = res.manifest
        if not m.scenario_path.startswith("<"):
            sc, why = scenario_as_run(m, res.directory)
            changed += [f"{m.scenario_path} ({why}; run as {res.name})"] if sc is None else []
    return f"; scenario files no longer as run: {', '.join(changed)}" if changed else ""


def _rerun(sc: Any) -> str | None:
    """What the command line needs beside ``sc``'s file to rerun it: "" if ``sc`` is the
    scenario its file gives, " --end Q" if it is that run to Q (``with_end``), None if it was
    changed in Python otherwise."""
    from alliance_sim.scenario.load import load_scenario, with_end

    try:
        own = load_scenario(sc.path)
        if own.hash == sc.hash:
            return ""
        ended = own.end != sc.end and with_end(own, sc.end, sweep=False, warn=0).hash == sc.hash
        return f" --end {sc.end}" if ended else None
    except (AllianceSimError, OSError, ValueError):
        return None


def read_analyses(
    paths: Any, results: list[Any], option: str = "robustness", at: str | None = None
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The robustness analyses in ``paths`` (folders ``alliance-sim robustness`` wrote, or
    their ``robustness.json``) by scenario hash, a list of (path as given, analysis) each --
    several where they ask different things of it (exit, hedging, ``--hold-own``); one line naming
    ``option`` for one that cannot be read or is of none of ``results``' scenarios (a report
    said "no shipped analysis of this scenario" beside one the user had run: helper-67).
    ``at``: the quarter compared; an analysis of a result's scenario run to it (``robustness
    FILE --end AT``) is that result's answer there (the runs to ``at`` are the same), and is
    read as such, marked ``read_for`` (the result's scenario hash)."""
    from alliance_sim.analysis.uncertain import OUTCOME_KINDS

    if paths is None:
        return {}
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not isinstance(paths, list | tuple) or not all(
        isinstance(p, str | os.PathLike) for p in paths
    ):  # [5], b"..": pathlib's TypeError; a dict: its keys read as folders
        raise UserError(
            f"{option} = {paths!r:.80}: allowed a folder alliance-sim robustness wrote (or its "
            "robustness.json), or a list of them"
        )
    hashes = {r.manifest.scenario_hash: r.name for r in results}
    cut = _cut_hashes(results, at)  # scenario run to `at` -> the result's own scenario hash
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for p in paths:
        from alliance_sim.paths import user_path

        f = user_path(p) / "robustness.json" if user_path(p).is_dir() else user_path(p)
        try:  # a FIFO hung the report, /dev/zero filled the memory (red team)
            if not f.is_file() or f.stat().st_size > 64 * 2**20:
                raise ValueError
            r = json.loads(f.read_text("utf-8"))
            h = r["scenario_hash"]
            heads = r["headlines"]  # what a report reads of it (a hand-edited file crashed it)
            if not (isinstance(heads, list) and heads and isinstance(h, str)):
                raise TypeError
            if not isinstance(r["command"], str) or not all(
                isinstance(x, dict) and isinstance(x.get("statement"), str) for x in heads
            ):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            raise UserError(
                f"{option} {p}: no robustness analysis there (allowed: a folder alliance-sim "
                "robustness wrote, or its robustness.json)"
            ) from None
        if r.get("against") is not None:  # its numbers are differences, not shares
            raise UserError(
                f"{option} {p}: the robustness of a difference ({r.get('scenario')!r:.60} against "
                f"{r.get('against')!r:.60}), which a report would show as a scenario's own "
                "answer; allowed an analysis run without --against (the difference's own "
                "robustness.md is its report)"
            )
        if h in cut and r.get("horizon") == at:
            r = {**r, "read_for": cut[h]}
            h = cut[h]
        other = h not in hashes and at and r.get("horizon") not in (None, at)
        if other and (whose := _cut_hashes(results, r.get("horizon")).get(h)) is not None:
            raise UserError(  # it said "of none of the compared results" (red team)
                f"{option} {p}: an analysis of {hashes[whose]} at {r.get('horizon')}, and this "
                f"comparison reads {at}: analyse {at} (robustness FILE --end {at}), or compare "
                f"at {r.get('horizon')}"
            )
        if h not in hashes:
            raise UserError(
                f"{option} {p}: an analysis of {r.get('scenario')!r:.80} (scenario {h:.40}), which "
                f"none of the compared results is (theirs: "
                + ", ".join(f"{n} {k}" for k, n in hashes.items())
                + "; a run with --end Q is analysed by robustness --end Q; other values make "
                f"another scenario){_edited(results)}"
            )
        asks = (r.get("outcome_kind", "exit"), r.get("hold_own", False))
        if asks[0] not in OUTCOME_KINDS or not isinstance(asks[1], bool):  # hand-edited:
            raise UserError(  # ("false" passed as another question, the same one twice)
                f"{option} {p}: its robustness.json gives outcome_kind {asks[0]!r:.40} and "
                f"hold_own {asks[1]!r:.40}; allowed an analysis as alliance-sim robustness "
                "wrote it (outcome_kind exit, suspended or hedging, hold_own true or false)"
            )
        same = [w for w, x in out.get(h, [])
                if (x.get("outcome_kind", "exit"), x.get("hold_own", False)) == asks]  # fmt: skip
        if same:  # the later one won without a word (a red-team)
            raise UserError(
                f"{option} {p}: a second analysis of {hashes[h]} (scenario {h}) asking the same "
                f"(outcome {asks[0]}{', --hold-own' if asks[1] else ''}), beside {same[0]}; "
                "allowed one per question (an exit and a hedging analysis of one scenario may "
                "stand side by side: helper-75)"
            )
        out.setdefault(h, []).append((str(p), r))
    return out
