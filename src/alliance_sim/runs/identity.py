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
    if was.n_points != len(plan.points):
        diffs.append(f"{was.n_points} points, not {len(plan.points)}")
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
    return f"{old.kind} of {old.scenario_name!r} ({was.n_runs} runs; {what})"


def scenario_file(m: Manifest, directory: str | os.PathLike) -> Path | None:
    """The scenario file a result was run from, or None if it cannot be found.  The manifest
    keeps the path as it was given: an absolute one is used as it is; a relative one (``run
    mine.toml``) is looked up from the current folder, then from each folder above the result
    directory -- so ``check`` and ``refine`` find it from another folder, and after the
    project folder was moved or copied.  The caller compares the file's hash with the
    manifest's, so a file of the same name with other contents is never taken for it."""
    path = m.scenario_path
    if not path or path.startswith("<"):
        return None
    p = Path(path)
    if p.is_absolute():
        return p if p.is_file() else None
    for base in (Path.cwd(), *Path(directory).resolve().parents):
        if (base / p).is_file():
            return base / p
    return None


def scenario_as_run(m: Manifest, directory: str | os.PathLike):
    """``(scenario, None)``: the scenario as the result ran it -- its file read again and cut
    to the run's ``--end`` -- when its hash is the manifest's; else ``(None, why)``, why one
    of "is gone", "cannot be read" and "has changed since"."""
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.scenario.load import load_scenario, with_end

    path = scenario_file(m, directory)
    if path is None:
        return None, "is gone"
    try:
        sc = load_scenario(path)
        if sc.end != m.plan.end:
            sc = with_end(sc, m.plan.end, sweep=m.kind != "run")
    except (AllianceSimError, OSError, UnicodeError):
        return None, "cannot be read"
    if sc.hash != m.scenario_hash:
        return None, "has changed since"
    return sc, None
