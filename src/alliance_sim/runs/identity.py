"""What identifies a run or sweep in its directory: the fingerprint a resume must match, and
in words what a directory holds instead when it does not match (so that ``run --seed 5`` into
a folder of seed 0 says "seed 0, not 5", not just "a different sweep")."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from alliance_sim.runs.results import Manifest
from alliance_sim.scenario.plan import Plan


def fingerprint(plan: Plan, record: str, kind: str) -> str:
    blob = json.dumps(
        [
            plan.scenario.hash,
            plan.points.to_dict("list"),
            plan.replicates,
            plan.seed,
            plan.version,
            plan.model,
            record,
            kind,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def differs(old: Manifest, plan: Plan, record: str, kind: str) -> str:
    """What the directory's ``old`` run or sweep has that ``plan`` does not, in words."""
    sc, was = plan.scenario, old.plan
    rounds = [r for r in old.rounds if "point_start" in r and "run_start" in r]
    # the sweep's own design: refine's rounds come after it and no sweep re-makes them
    own_points = min((int(r["point_start"]) for r in rounds), default=was.n_points)
    own_runs = min((int(r["run_start"]) for r in rounds), default=was.n_runs)
    diffs = []
    if old.kind != kind:
        diffs.append(f"it is a {old.kind}, this is a {kind}")
    if old.scenario_name != sc.name:
        diffs.append(f"scenario {old.scenario_name!r}, not {sc.name!r}")
    elif old.scenario_hash != sc.hash and was.end == sc.end:
        diffs.append(f"the scenario changed since (hash {old.scenario_hash}, now {sc.hash})")
    if was.end != sc.end:
        diffs.append(f"end {was.end}, not {sc.end}")
    if was.master_seed != plan.seed:
        diffs.append(f"seed {was.master_seed}, not {plan.seed}")
    if was.replicates != plan.replicates:
        diffs.append(f"{was.replicates} replicates, not {plan.replicates}")
    if own_points != len(plan.points):
        diffs.append(f"{own_points:,} points, not {len(plan.points):,}")
    if was.record != record:
        diffs.append(f"--record {was.record}, not {record}")
    if old.package_version != plan.version:
        diffs.append(f"alliance-sim {old.package_version}, not {plan.version}")
    if old.model != plan.model:
        diffs.append(
            f"model {old.model}, not {plan.model}"
            if old.model
            else "written before results recorded their model"
        )
        diffs[-1] += ": its runs would not be comparable with new ones"
    what = "; ".join(diffs) or "a different design"
    runs = f"{own_runs:,} runs" + (f" and {was.n_runs - own_runs:,} from refine" if rounds else "")
    return f"{old.kind} of {old.scenario_name!r} ({runs}; {what})"


def scenario_files(m: Manifest, directory: str | os.PathLike) -> list[Path]:
    """Where the scenario file a result was run from may be now, most likely first: the path
    the manifest keeps (absolute since this release; as given before), then -- for a project
    folder moved or copied, or a path given relative to another folder -- the path's trailing
    parts (``scenarios/mine.toml``, ``mine.toml``) under the current folder and under each
    folder above the result directory (as named and as resolved, for a linked folder).  The
    caller takes the first whose hash is the manifest's, so a file of the same name with other
    contents is passed over, never taken for it."""
    path = m.scenario_path
    if not path or path.startswith("<"):
        return []
    p = Path(path.replace("\\", "/"))
    d = Path(directory)
    bases = [Path.cwd(), *Path(os.path.abspath(d)).parents, *d.resolve().parents]
    found: list[Path] = []
    if p.is_absolute():
        found.append(p)
    parts = p.parts[1:] if p.is_absolute() else p.parts
    for k in range(len(parts), 0, -1):
        tail = Path(*parts[-k:])
        found += [b / tail for b in bases]
    seen: set[Path] = set()
    return [f for f in found if not (f in seen or seen.add(f)) and f.is_file()]


def scenario_as_run(m: Manifest, directory: str | os.PathLike):
    """``(scenario, None)``: the scenario as the result ran it -- its file read again and cut
    to the run's ``--end`` -- found where :func:`scenario_files` looks, the first whose hash is
    the manifest's; else ``(None, why)``, why one of "is gone", "cannot be read" and "has
    changed since"."""
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.scenario.load import load_scenario, with_end

    paths = scenario_files(m, directory)
    why = "is gone" if not paths else "has changed since"
    for path in paths:
        try:
            sc = load_scenario(path)
            if sc.end != m.plan.end:
                sc = with_end(sc, m.plan.end, sweep=m.kind != "run", warn=0)
        except (AllianceSimError, OSError, UnicodeError):
            why = "cannot be read"
            continue
        if sc.hash == m.scenario_hash:
            return sc, None
    return None, why


def replacing(before: Manifest, directory: Path, kept: list[str]) -> str:
    """What ``--force`` replaces in ``directory`` (``before``: its manifest) and the files it
    keeps beside the new result (``kept``): it replaced a finished result without a word
    (helper-95)."""
    said = (
        f"replacing the earlier {before.kind} in {directory} ({before.scenario_name}, "
        f"{before.plan.n_runs:,} runs, {before.status})"
    )
    if kept:
        said += (
            f"\nkept beside the new result in {directory}: {', '.join(kept[:5])}"
            f"{' ...' if len(kept) > 5 else ''} (not part of a result; anything there derived "
            "from the result it replaced, such as an export, is now out of date)"
        )
    return said
