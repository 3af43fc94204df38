"""Scenarios compared with a reference at one horizon: the table behind ``alliance-sim compare``.

Every result is read at the same quarter (:mod:`alliance_sim.analysis.horizon`): the last
quarter they all reach, or the one asked for.  Each other result is compared with the first on
each member's exit, suspension and commitment and on cohesion: the two means with their
seed-clustered 95% intervals, the difference (the risk difference, in points, for a 0/1
outcome) with its interval, an effect size, a paired test where the two share seeds (McNemar
for 0/1 outcomes, Wilcoxon signed-rank otherwise) or an unpaired one (Fisher exact,
Mann-Whitney U), Holm-adjusted over all rows, and the independent runs the difference's
interval would need for a target precision.  Focus members come first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import clustered_mean, clusters, compare, outcome_bounds
from alliance_sim.analysis.horizon import Horizon, outcomes_at, shared_horizon
from alliance_sim.analysis.stats import effect_label, holm, paired_key
from alliance_sim.core.outcomes import ALLIES
from alliance_sim.runs.results import Result

TARGET = {True: 0.05, False: 0.02}  # half-width wanted: 5 points for P(.), 0.02 otherwise


def focus_of(results: list[Result]) -> list[str]:
    """The focus members of all results, in order of first mention."""
    return list(dict.fromkeys(c for r in results for c in r.plan.focus))


def comparison_outcomes(
    a: pd.DataFrame, b: pd.DataFrame, focus: list[str] | tuple[str, ...] = ()
) -> list[tuple[str, bool]]:
    """(outcome, binary) pairs present in both runs tables, focus members first."""
    out = []
    for code in [*focus, *(c for c in ALLIES if c not in focus)]:
        col = f"{code}_commitment"
        if a[col].notna().any() and b[col].notna().any():
            out += [(f"{code}_exited", True), (f"{code}_suspended", True), (col, False)]
    return [*out, ("cohesion_final", False), ("cohesion_min", False)]


def compare_results(results: list[Result], seed: int = 0, at: str | None = None) -> pd.DataFrame:
    """Every other result against the first at one horizon, one row per outcome, with
    Holm-adjusted p; ``at`` a quarter (default: the last quarter every result reaches).

    Runs pair up when both results share seeds (and points); runs that share a seed across a
    sweep's points are one independent unit, so intervals and tests then work on seeds
    (:func:`alliance_sim.analysis.design.compare`).  ``reference``/``this`` are the two
    means with their seed-clustered 95% intervals; ``n`` the effective independent pairs (or
    runs).  ``table.attrs["horizon"]`` is the :class:`~alliance_sim.analysis.horizon.Horizon`
    (quarter and why that one); ``table.attrs["pooled"]`` names the results whose design
    points are pooled (a sweep's points averaged, each weighted by its runs)."""
    horizon = shared_horizon(results, at)
    frames = [outcomes_at(r, horizon.quarter) for r in results]
    focus = focus_of(results)
    ref, ra_all = results[0], frames[0]
    rows = []
    for other, rb_all in zip(results[1:], frames[1:], strict=True):
        ra = ra_all[ra_all["error"].isna()]
        rb = rb_all[rb_all["error"].isna()]
        key = paired_key(ra, rb, ref.swept, other.swept)
        if key is not None:
            merged = ra.merge(rb, on=key, suffixes=("_a", "_b"))
        for outcome, binary in comparison_outcomes(ra_all, rb_all, focus):
            rows.append(_row(outcome, binary, ra, rb, merged if key else None, seed))
            rows[-1].update(
                scenario=other.name,
                horizon=horizon.quarter,
                **{"reference name": ref.name},
            )
    table = pd.DataFrame(rows)
    if len(table):
        table["p (Holm)"] = holm(table["p"].to_numpy(float))
    table.attrs["horizon"] = horizon
    table.attrs["pooled"] = [r.name for r in results if r.plan.n_points > 1]
    return table


def _row(
    outcome: str,
    binary: bool,
    ra: pd.DataFrame,
    rb: pd.DataFrame,
    merged: pd.DataFrame | None,
    seed: int,
) -> dict:
    if merged is not None:
        xa, xb = merged[f"{outcome}_a"], merged[f"{outcome}_b"]
        ca = cb = merged["seed"].to_numpy()
    else:
        xa, xb = ra[outcome], rb[outcome]
        ca, cb = clusters(ra), clusters(rb)
    xa, xb = xa.to_numpy(float), xb.to_numpy(float)
    c = compare(
        outcome,
        xa,
        xb,
        paired=merged is not None,
        binary=binary,
        seed=seed,
        cluster_a=ca,
        cluster_b=cb,
    )
    half = (c.diff.hi - c.diff.lo) / 2
    # independent runs (pairs) the difference's interval needs for the target
    need = int(np.ceil(c.n * (half / TARGET[binary]) ** 2)) if half > 0 else None
    return {
        "outcome": outcome,
        "reference": clustered_mean(xa, ca, binary, outcome_bounds(outcome)),
        "this": clustered_mean(xb, cb, binary, outcome_bounds(outcome)),
        "difference": c.diff,
        "A12": c.a12,
        "effect": effect_label(c, xa, xb, binary=binary),
        "test": c.test,
        "paired": c.paired,
        "n": c.n,
        "p": c.p,
        "runs for ±target": need,
        "target": TARGET[binary],
        "binary": binary,
    }


def horizon_of(table: pd.DataFrame) -> Horizon | None:
    """The horizon a comparison table was computed at (None for a table from elsewhere)."""
    return table.attrs.get("horizon")
