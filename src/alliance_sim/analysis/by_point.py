"""A sweep point by point: ``by_point.csv``, one row per design point.

A sweep's member table and a comparison pool every design point (each run weighted equally);
what a parameter does shows only point by point. Each row holds the point's parameter values
and, for each focus member (every ally, when the scenario names none), the probability of having
left by the horizon (``{CODE}_p_exit``), of being suspended at it (``{CODE}_p_suspended``) and
of hedging at it (``{CODE}_p_hedging``; each among the runs in which it has joined), each with
its Wilson 95% interval (``_lo``/``_hi``) over the point's runs, ``n`` the point's runs that
finished (``failed``, where any failed, those that did not: a point whose runs all failed keeps
its row, its shares empty), ``{CODE}_n`` those in which the member has joined (what its shares
are of) and ``{CODE}_n_eff`` the independent units behind its exit interval. Within a point
every replicate has its own seed, but in a calibrated scenario the runs on one distinct
parameter set of the posterior (its rows repeat the likelier sets; replicates k and k + 400 share
a row, and its starting state) are one unit (:func:`~alliance_sim.analysis.design.clusters`),
and the intervals are clustered so (a plain Wilson interval on 794 such runs was a fifth too
narrow, and disagreed with the response figure's: helper-100). Across points runs are not
independent either: replicate k shares its seed at every point, which is why a difference
between two points is estimated more precisely than the two intervals suggest.
After ``refine``, the points it placed follow the design's, and a column ``round`` says which
are which (0: the sweep's own design; k: placed by refine round k near an outcome's
boundary).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import clustered_mean, clusters
from alliance_sim.core import members as mb
from alliance_sim.core.outcomes import ALLIES, CANDIDATES
from alliance_sim.runs.results import Result, as_result

BY_POINT = "by_point.csv"


def members_of(res: Result) -> list[str]:
    """The members a by-point table reports: the focus members, else every ally present."""
    runs = res.runs
    present = [c for c in ALLIES if runs[f"{c}_commitment"].notna().any()]
    focus = [c for c in res.plan.focus if c in present]
    return focus or present


def by_point(res: Result | str | os.PathLike) -> pd.DataFrame:
    """One row per design point (see the module); points in design order.  ``res``: a
    :class:`Result` or the path of a result folder."""
    res = as_result(res, "by_point")
    runs = res.runs
    ok = runs[runs["error"].isna()]
    swept = [c for c in res.swept if c in runs]
    # every point, its runs failed or not (one whose runs all failed was left out: helper-100)
    every = runs.groupby("point", sort=True)
    table = every[swept].first() if swept else pd.DataFrame(index=sorted(runs["point"].unique()))
    table.insert(0, "n", ok.groupby("point").size().reindex(table.index, fill_value=0))
    failed = runs["error"].notna()
    if failed.any():  # the runs of each point that failed (check DIR names why)
        table.insert(1, "failed", failed.groupby(runs["point"]).sum().reindex(table.index))
    table.insert(0, "horizon", res.plan.end)
    unit = pd.Series(clusters(ok), index=ok.index)  # a seed, or a shared parameter set
    for code in members_of(res):
        status = ok[f"{code}_status"]  # hedging at the horizon, among the runs it has joined
        hedging = (status == mb.HEDGING).astype(float).where(status > mb.CANDIDATE)
        joined = ok[f"{code}_exited"].notna().groupby(ok["point"]).sum()
        table[f"{code}_n"] = joined.reindex(table.index, fill_value=0)
        for what, x in (
            ("exit", ok[f"{code}_exited"]),
            ("suspended", ok[f"{code}_suspended"]),
            ("hedging", hedging),  # the third state a user asked for (helper-71)
        ):
            est = {
                pt: clustered_mean(g.to_numpy(float), unit[g.index].to_numpy(), binary=True)
                for pt, g in x.groupby(ok["point"])
            }
            got = [est.get(pt) for pt in table.index]  # None: no run of the point finished
            table[f"{code}_p_{what}"] = [e.value if e else np.nan for e in got]
            table[f"{code}_p_{what}_lo"] = [e.lo if e else np.nan for e in got]
            table[f"{code}_p_{what}_hi"] = [e.hi if e else np.nan for e in got]
            if what == "exit":
                table[f"{code}_n_eff"] = [e.n if e else 0 for e in got]
    table.index.name = "point"
    if rounds := res.manifest.finished_rounds:
        # 0: the sweep's own design; k: placed by refine round k near an outcome's boundary
        starts = np.array([int(r["point_start"]) for r in rounds])
        table["round"] = np.searchsorted(starts, table.index.to_numpy(), side="right")
    table.attrs["horizon"] = res.plan.end
    return table.reset_index()


def write_by_point(res: Result) -> Path:
    """Write ``by_point.csv`` into the result directory (atomically) and return its path."""
    from alliance_sim.runs.atomic import atomic_write_bytes

    table = by_point(res)
    path = Path(res.directory) / BY_POINT
    atomic_write_bytes(path, table.to_csv(index=False, float_format="%.6g").encode())
    return path


def seeds_the_levers_move(res: Result) -> list[str]:
    """For each member a by-point table reports: in how many seeds the swept values change
    whether it has left by the horizon.  Replicate k runs with the same seed (and parameter
    set) at every point, so a seed whose answer is the same at every point is one the levers
    do not move; a sweep whose pooled table reads 97% may be levers that decide nothing
    (armenia_exits: Armenia's exit by 2034Q4 moves in 2 of 40 seeds).  One line per member;
    none for a single point or a design whose seeds do not repeat across points.  ``res``:
    the sweep's own design (``Result.design()``)."""
    from alliance_sim.core import members as mb

    runs = res.runs[res.runs["error"].isna()]
    if runs["point"].nunique() < 2 or "seed" not in runs:
        return []
    per_seed = runs.groupby("seed")["point"].nunique()
    if (per_seed < 2).all():  # every seed at one point: nothing to compare within a seed
        return []
    names = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))
    n_points = int(runs["point"].nunique())
    lines = []
    for code in members_of(res):
        member = runs[f"{code}_commitment"].notna()  # a joiner is absent where it never joined
        answer = np.where(member, runs[f"{code}_exited"].fillna(0), -1.0)
        per_seed = pd.DataFrame({"seed": runs["seed"], "a": answer}).groupby("seed")["a"]
        spread = per_seed.agg(["min", "max", "size"])
        spread = spread[spread["size"] > 1]
        if spread.empty:
            continue
        moved = int((spread["min"] != spread["max"]).sum())
        k = len(spread)
        same = k - moved
        name = names.get(code, code)
        seeds_ = f"{k} seed{'s' * (k != 1)}"
        others = (
            f"the other {same} give{'s' * (same == 1)} the same answer at all {n_points} points"
        )
        fixed = spread[spread["min"] == spread["max"]]["min"]
        left, stays, never = (int((fixed == v).sum()) for v in (1, 0, -1))
        if moved == left == never == 0 and code not in res.plan.focus:
            continue  # an ally no run sees leave: the table's 0% says it
        if member.all():
            what = f"whether {name} has left by {res.plan.end}"
            counts = f"{name} leaves in {left}, stays in {stays}"
        elif code in CANDIDATES:  # a joiner: never joined, joined and stayed, or joined and left
            what = f"{name}'s answer by {res.plan.end} (never joined, in, or left)"
            counts = f"{name} never joins in {never}, stays in {stays}, leaves in {left}"
        else:  # absent where the calibrated replay it continues had it leave before the start
            what = f"{name}'s answer by {res.plan.end} (out before the start, in, or left)"
            counts = f"{name} is out at the start in {never}, stays in {stays}, leaves in {left}"
        lines.append(
            f"note: the swept values change {what} in {moved} of {seeds_}"
            + (f"; {others} ({counts})" if same else "")
        )
    return lines


def inert_parameters(res: Result) -> list[str]:
    """A line for each swept parameter that changes no run: at every seed (and every value of
    the other swept parameters) its values give the same commitments, statuses and cohesion,
    to the bit.  A sweep over a member's ``pressure_tolerance`` above the pressure it ever
    meets changed nothing, and only a joint line about seeds hinted at it (a new user's
    trial).  None where no seed meets two of its values at otherwise equal settings (a Latin
    hypercube); ``res``: the sweep's own design (``Result.design()``)."""
    runs = res.runs[res.runs["error"].isna()]
    swept = [p for p in res.swept if p in runs]
    kinds = ("_commitment", "_status", "_min_commitment")
    cols = [c for c in runs if c.endswith(kinds) or c in ("cohesion_final", "cohesion_min")]
    if "seed" not in runs or not cols:
        return []
    lines = []
    for p in swept:
        keys = ["seed", *(q for q in swept if q != p)]
        grouped = runs.groupby(keys, dropna=False)
        met = grouped[p].nunique() >= 2  # groups where one seed meets two of its values
        if not met.any():
            continue
        varies = grouped[cols].nunique(dropna=False)[met]
        if (varies <= 1).all().all():
            vals = sorted(runs[p].dropna().unique().tolist())
            shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in vals[:6])
            more = f" (and {len(vals) - 6} more)" if len(vals) > 6 else ""
            where = " and every value of the other swept parameters" if len(keys) > 1 else ""
            lines.append(
                f"note: {p} changes no run: at every seed{where}, its values {shown}{more} "
                "give the same commitments, statuses and cohesion (within the range swept it "
                "never acts in this scenario)"
            )
    return lines
