"""Adaptive sampling toward the tipping point: ``refine(DIR, "ARM_exited", runs=N)``.

A fixed design spends most of its runs where the outcome is already certain.  Each round of
``refine``

1. fits a classifier (scikit-learn's ``RandomForestClassifier``) to every run so far: the
   swept values in, the outcome (0/1, or ``value > threshold``) out, so its probability
   estimates P(outcome | parameters) across replicates;
2. draws candidates over the swept ranges (a Latin hypercube, 50 per new point), keeps those
   where P is nearest 0.5 - where the outcome is most uncertain, the boundary - and spreads
   the chosen points along it (no two closer than half the spacing ``n`` points would have
   on a unit (d-1)-dimensional surface);
3. runs them, with the sweep's replicates and seeds (replicate ``k`` keeps seed ``k``: common
   random numbers with the original points), through the sweep runner into
   ``DIR/refine/round-NNN/`` (resumable after a kill like any sweep), then appends their rows
   to ``DIR``'s tables: the rows already there are copied unchanged, new runs and points are
   numbered after them;
4. records the round in ``manifest.json`` (``rounds``: its points, runs, classifier and the
   boundary estimate before and after).

The boundary estimate is summarised over a fixed reference sample of the swept space (4,096
Sobol points): the share where P > 0.5 (the outcome's region), the share where 0.25 < P <
0.75 (the toss-up band: P is the share of replicates with the outcome, so this band narrows
only as far as the model's own randomness allows) and, after a round, the share whose side of
P = 0.5 changed.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from shlex import quote
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.analysis.boundary import (  # noqa: F401 (propose: part of this API)
    BAND,
    CANDIDATES_PER_POINT,
    REFERENCE_POINTS,
    boundary,
    fit,
    probability,
    propose,
    reference,
)
from alliance_sim.analysis.cases import check_case
from alliance_sim.core import quarters
from alliance_sim.errors import AnalysisError, StoreError, UserError
from alliance_sim.limits import MAX_REPLICATES, MAX_RUNS, check_count, check_run_options
from alliance_sim.runs.extend import append_round
from alliance_sim.runs.results import TABLES, Axis, Result
from alliance_sim.runs.store import Store


# --- the swept space ---------------------------------------------------------------------------
def _bounds(axes: list[Axis]) -> list[tuple[float, float, bool]]:
    """(low, high, is_quarter) of each axis as numbers (quarters as ordinals)."""
    out = []
    for a in axes:
        if a.quarter:
            vals = [quarters.parse(v) for v in (a.values or [])] or [a.low, a.high]
            out.append((float(min(vals)), float(max(vals)), True))
        elif a.values is not None:
            vals = [float(v) for v in a.values]
            out.append((min(vals), max(vals), False))
        else:
            out.append((float(a.low), float(a.high), False))
    return out


def _to_unit(x: np.ndarray, bounds: list[tuple[float, float, bool]]) -> np.ndarray:
    lo = np.array([b[0] for b in bounds])
    span = np.array([max(b[1] - b[0], 1e-12) for b in bounds])
    return (x - lo) / span


def _from_unit(u: np.ndarray, bounds: list[tuple[float, float, bool]]) -> np.ndarray:
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    return lo + u * (hi - lo)


def _numeric(runs: pd.DataFrame, axes: list[Axis]) -> np.ndarray:
    cols = []
    for a in axes:
        c = runs[a.name]
        cols.append(c.map(quarters.parse).to_numpy(float) if a.quarter else c.to_numpy(float))
    return np.column_stack(cols)


def cases(values: pd.Series, outcome: str, threshold: float | None, below: bool) -> np.ndarray:
    """The runs' outcome as 0/1 (NaN stays NaN): ``value > threshold`` (``<`` with
    ``below``); a 0/1 outcome without a threshold is read at 0.5, as ``discover`` reads it
    (the column itself, or with ``below`` the runs where it did not happen)."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(float)
    ok = np.isfinite(v)
    if threshold is None:
        if not set(np.unique(v[ok])) <= {0.0, 1.0}:
            raise UserError(
                f"{outcome!r} is not a yes/no outcome; give --threshold T (cases: value > T, or "
                "< T with --below)"
            )
        return np.where(ok, 1.0 - v, np.nan) if below else v
    out = np.where(v < threshold, 1.0, 0.0) if below else np.where(v > threshold, 1.0, 0.0)
    return np.where(ok, out, np.nan)


def asked(outcome: str, threshold: float | None, below: bool) -> str:
    """An outcome as refine's cases read it: ``ARM_exited``, ``ARM_exited < 0.5`` (with
    ``below``: the runs where it did not happen) or ``cohesion_final < 0.45``."""
    if threshold is None:
        return f"{outcome} < 0.5" if below else outcome
    return f"{outcome} {'<' if below else '>'} {threshold:g}"


# --- running a round ---------------------------------------------------------------------------
def _scenario(res: Result):
    from alliance_sim.runs.identity import scenario_as_run

    m = res.manifest
    sc, why = scenario_as_run(m, res.directory)
    if sc is None:
        raise StoreError(
            f"{res.directory}: its scenario file {m.scenario_path!r} {why}; refine needs the "
            "same scenario to run new points"
        )
    return sc


def _model_seed(m) -> int:
    """One forest seed per result directory, so round r's "after" is round r+1's "before"."""
    return int(m.plan.master_seed) * 1000


def refine(
    directory: str | os.PathLike,
    outcome: str,
    runs: int,
    *,
    threshold: float | None = None,
    below: bool = False,
    replicates: int | None = None,
    workers: int = 1,
    quiet: bool | None = None,
) -> dict[str, Any]:
    """Run one round of adaptive sampling into result ``directory`` (see the module
    docstring); return the round's record (also stored in ``manifest.json`` ``rounds``).

    Args:
        directory: a finished sweep's result directory.
        outcome: a 0/1 outcome column (``ARM_exited``), or a numeric one with ``threshold``.
        runs: new runs this round (points x replicates; at least one point).
        threshold, below: cases are ``value > threshold`` (``<`` with ``below``).
        replicates: seeds per new point (default: the sweep's).
        workers: local worker processes.

    A round interrupted by Ctrl-C or a kill resumes where it stopped when ``refine`` is
    called again with the same directory (its points are in the manifest).  The directory is
    locked for the whole round: a second ``refine``, a ``sweep --force`` or a reader of the
    same directory is refused with one line while it runs.
    """
    import importlib.util

    from alliance_sim.progress import default_quiet
    from alliance_sim.runs.store import Store

    quiet = default_quiet(quiet)

    if importlib.util.find_spec("sklearn") is None:
        raise UserError("refine needs the discovery extra: pip install -e '.[discovery]'")
    check_count("runs", runs, 1, MAX_RUNS)
    if replicates is not None:
        check_count("replicates", replicates, 1, MAX_REPLICATES)
    check_run_options(workers=workers)  # before a round is recorded, not after
    Result.open(directory)  # one clear line if it is not a result directory
    with Store(directory).locked():
        return _refine(
            directory, outcome, runs, threshold, below, replicates, workers, quiet
        )  # fmt: skip


def _refine(
    directory: str | os.PathLike,
    outcome: str,
    runs: int,
    threshold: float | None,
    below: bool,
    replicates: int | None,
    workers: int,
    quiet: bool,
) -> dict[str, Any]:
    from alliance_sim.runs.runner import execute_plan
    from alliance_sim.scenario.plan import Plan

    res = Result.open(directory)
    m = res.manifest
    if m.plan.sampler in ("saltelli", "morris"):
        raise UserError(
            f"{res.directory} is a {m.plan.sampler} design for sensitivity analysis; new points "
            "would break it. Refine a grid, random, lhs or sobol sweep"
        )
    axes = list(m.plan.axes)
    if not axes:
        raise AnalysisError(f"{res.directory}: no parameter was swept, so there is no boundary")
    sc = _scenario(res)
    from alliance_sim.scenario.stamp import model_stamp

    stamp = model_stamp(sc)
    if m.model != stamp:
        was = f"model {m.model}" if m.model else "a model that was not recorded"
        raise StoreError(
            f"{res.directory} was written by another model ({was}; this one is {stamp}): new "
            "runs would not be comparable with its runs. Run the sweep again into a new --out "
            "and refine that"
        )
    if m.status != "complete":
        raise StoreError(f"{res.directory}: the sweep is not finished; finish it before refining")
    from alliance_sim.runs.integrity import damaged_parts, repair_advice

    bad = [  # every table, before a round starts; an interrupted round's part is finished below
        (p, why) for p, why in damaged_parts(res.directory, m, TABLES)
        if "refine round that was interrupted" not in why
    ]  # fmt: skip
    if bad:
        name, why = bad[0]
        raise StoreError(f"{name} {why}; {repair_advice(res.directory, why, name)}")
    _drop_finished_rounds(res.directory, m)
    where = f"{res.directory}/runs.parquet"
    # what this command asks for is checked first, even where it finishes an earlier round
    # (whose advice "run refine again for ..." must then be a command that works)
    check_case(outcome, threshold, res.runs, [a.name for a in axes], where)
    y_all = cases(res.runs[outcome], outcome, threshold, below)
    ok = np.isfinite(y_all) & res.runs["error"].isna().to_numpy()
    if len(np.unique(y_all[ok])) < 2:
        raise AnalysisError(
            f"{asked(outcome, threshold, below)} in {'none' if y_all[ok].sum() == 0 else 'all'}"
            f" of the {int(ok.sum()):,} runs so far; there is no boundary to refine"
        )
    pending = next((r for r in m.rounds if r.get("status") != "complete"), None)
    if pending is not None:  # finish the interrupted round as it was planned
        was = asked(pending["outcome"], pending["threshold"], pending["below"])
        now = asked(outcome, threshold, below)
        n_was = pending["n_runs"]
        left = f"round {pending['round']} ({was}, {n_was} runs) left by an earlier refine"
        reps = replicates or pending["replicates"]
        if now != was or runs // reps * reps != n_was:  # said even with --quiet
            again = f"alliance-sim refine {quote(str(res.directory))} --outcome {quote(outcome)}"
            again += "" if threshold is None else f" --threshold {threshold:g}"
            again += " --below" if below else ""
            again += f" --runs {runs}" + (f" --replicates {replicates}" if replicates else "")
            print(f"note: finishing {left}; then run `{again}`", flush=True)
        elif not quiet:
            print(f"resuming {left}", flush=True)
        outcome, threshold, below = pending["outcome"], pending["threshold"], pending["below"]
    d = len(axes)
    bounds = _bounds(axes)
    if pending is None:
        reps = replicates or m.plan.replicates
        n_new = runs // reps
        if n_new < 1:
            raise UserError(
                f"--runs {runs} is fewer than one point of {reps} replicates; ask for at "
                f"least {reps} runs (or fewer --replicates)"
            )
        from alliance_sim.core.params import BY_NAME

        if n_new * reps != runs and not quiet:  # after every refusal: a note, then the round
            points_ = f"{n_new} point{'s' * (n_new != 1)}"
            print(f"note: {runs} runs is {points_} of {reps} replicates: {n_new * reps} runs")
        u = _to_unit(_numeric(res.runs[ok], axes), bounds)
        r_no = len(m.rounds) + 1
        seed = int(m.plan.master_seed) * 1000 + r_no
        integer = [bool(getattr(BY_NAME.get(a.name), "integer", False)) for a in axes]
        spans = [b[1] - b[0] for b in bounds]
        leaf = max(5, m.plan.replicates)
        new_u, p_new, model = propose(
            u, y_all[ok], n_new, seed, leaf, integer, spans, model_seed=_model_seed(m)
        )
        values = _from_unit(new_u, bounds)
        points = {}
        for j, a in enumerate(axes):
            col = values[:, j]
            if a.quarter:
                points[a.name] = [quarters.label(round(v)) for v in col]
            elif integer[j]:
                points[a.name] = [float(round(v)) for v in col]
            else:
                points[a.name] = [float(v) for v in col]
        pending = {
            "round": r_no,
            "status": "running",
            "outcome": outcome,
            "threshold": threshold,
            "below": below,
            "classifier": f"RandomForestClassifier(n_estimators=200, min_samples_leaf={leaf})",
            "candidates": max(CANDIDATES_PER_POINT * n_new, 256),
            "seed": seed,
            "replicates": reps,
            "point_start": m.plan.n_points,
            "run_start": m.plan.n_runs,
            "n_points": n_new,
            "n_runs": n_new * reps,
            "points": points,
            "predicted_p": [round(float(v), 4) for v in p_new],
            "boundary_before": boundary(model, d),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        m.rounds.append(pending)
        m.write(res.directory)
    pts = pd.DataFrame(pending["points"])
    pts.index.name = "point"
    plan = Plan(sc, pts, pending["replicates"], m.plan.master_seed, m.package_version, stamp)
    round_dir = res.directory / "refine" / f"round-{pending['round']:03d}"
    kw = dict(kind="refine", workers=workers, engine=m.plan.engine, record=m.plan.record)
    try:
        done = execute_plan(plan, round_dir, quiet=quiet, **kw)
    except StoreError as e:
        if "being written" in str(e):
            raise
        # the round's folder is ours (refine/round-NNN) but holds another plan, or a damaged
        # one: start the round afresh rather than block every later refine
        try:
            done = execute_plan(plan, round_dir, quiet=quiet, force=True, **kw)
        except StoreError as again:  # files there that alliance-sim did not write
            raise StoreError(
                f"{str(again).split('; ')[0]}; move them out of {round_dir} (alliance-sim "
                f"deletes only what it wrote) and run refine again"
            ) from None
    run0, point0 = pending["run_start"], pending["point_start"]
    name = f"part-{round_dir.name}.parquet"
    for t in (*[x for x in TABLES if x != "runs"], "runs"):  # runs last, like a chunk
        recorded = None
        if m.parts is not None:
            recorded = sorted(n for n in m.parts.get(t, {}) if n != name)
        rec = append_round(res.directory, t, round_dir, run0, point0, recorded)
        if rec is not None and m.parts is not None:
            m.parts.setdefault(t, {})[name] = rec
    m.write(res.directory)  # the round's parts recorded: readers accept them from here on
    merged = Result.open(res.directory)
    y_all = cases(merged.runs[outcome], outcome, threshold, below)
    ok = np.isfinite(y_all) & merged.runs["error"].isna().to_numpy()
    u = _to_unit(_numeric(merged.runs[ok], axes), bounds)
    before_model = fit(
        u[merged.runs[ok]["run"].to_numpy() < run0],
        y_all[ok][merged.runs[ok]["run"].to_numpy() < run0],
        _model_seed(m),
        max(5, m.plan.replicates),
    )
    after_model = fit(u, y_all[ok], _model_seed(m), max(5, m.plan.replicates))
    ref = reference(d)
    flipped = (probability(before_model, ref) > 0.5) != (probability(after_model, ref) > 0.5)
    new_points = [
        {"point": point0 + i, **{k: v[i] for k, v in pending["points"].items()}}
        for i in range(pending["n_points"])
    ]
    m2 = merged.manifest
    if len(m2.points) < point0 + pending["n_points"]:
        m2.points = [*m2.points[:point0], *new_points]
    m2.plan = replace(
        m2.plan,
        n_points=point0 + pending["n_points"],
        n_runs=run0 + pending["n_runs"],
    )
    m2.failed = int(merged.runs["error"].notna().sum())
    record = next(r for r in m2.rounds if r["round"] == pending["round"])
    new_y = y_all[merged.runs["run"].to_numpy() >= run0]
    record.update(
        status="complete",
        ended=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        observed_share=float(np.nanmean(new_y)) if len(new_y) else float("nan"),
        boundary_after=boundary(after_model, d),
        changed_side=float(flipped.mean()),
        failed=int(done.n_failed),
    )
    m2.write(res.directory)
    Store(round_dir).remove()  # its rows are in DIR's tables now
    if not any((res.directory / "refine").iterdir()):
        (res.directory / "refine").rmdir()
    return record


def _drop_finished_rounds(directory: Path, m) -> None:
    """Remove ``refine/round-NNN`` folders of rounds the manifest records as complete (their
    rows are in the tables: left by a kill just before their removal)."""
    folder = directory / "refine"
    if not folder.is_dir() or folder.is_symlink():
        return
    for r in m.rounds:
        d = folder / f"round-{int(r.get('round', 0)):03d}"
        if r.get("status") == "complete" and d.is_dir() and not d.is_symlink():
            Store(d).remove()
    if not any(folder.iterdir()):
        folder.rmdir()
