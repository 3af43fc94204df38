"""Scenarios compared with a reference at one horizon: the table behind ``alliance-sim compare``.

Every result is read at the same quarter (:mod:`alliance_sim.analysis.horizon`): the last
quarter they all reach, or the one asked for.  Each other result is compared with the first on
each member's exit, suspension and commitment and on cohesion: the two means with their
seed-clustered 95% intervals, the difference (the risk difference, in points, for a 0/1
outcome) with its interval, an effect size, a paired test where the two share seeds (McNemar
for 0/1 outcomes, Wilcoxon signed-rank otherwise) or an unpaired one (Fisher exact,
Mann-Whitney U; the seed bootstrap of the difference where a side's runs share seeds),
Holm-adjusted over all rows, and the independent runs the difference's
interval would need for a target precision.  Focus members come first.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import (
    _clustered,
    clustered_mean,
    clusters,
    compare,
    outcome_bounds,
)
from alliance_sim.analysis.horizon import (
    Horizon,
    display_names,
    every_quarter,
    hedging_at_start,
    outcomes_at,
    shared_horizon,
    shipped_baseline,
    suspended_from_start,
)
from alliance_sim.analysis.newcombe import (  # noqa: F401 (newcombe_at: discover_words')
    NEWCOMBE_TEST,
    newcombe,
    newcombe_at,
    newcombe_p,
)
from alliance_sim.analysis.same_runs import SameRunsNote, same_runs_note  # noqa: F401
from alliance_sim.analysis.stats import (
    NOT_AN_EFFECT,
    UNCLEAR_HOLM,
    Estimate,
    effect_label,
    holm,
    paired_key,
    within_negligible,
)
from alliance_sim.analysis.units import sets_as_units
from alliance_sim.core import members as mb
from alliance_sim.core.outcomes import ALLIES
from alliance_sim.errors import UserError
from alliance_sim.runs.refined import own_design
from alliance_sim.runs.results import Result, as_result

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
        joined = f"{code}_joined"  # a candidate (Iran): whether it is a member by then
        if joined in a and joined in b:
            out.append((joined, True))
        col = f"{code}_commitment"
        if a[col].notna().any() and b[col].notna().any():
            out += [(f"{code}_exited", True), (f"{code}_suspended", True)]
            ever = f"{code}_ever_suspended"  # "does it suspend by then?", not only "at"
            out += [(ever, True)] if ever in a and ever in b else []
            hedging = f"{code}_hedging"  # (a runs table of the Python API's may lack it)
            out += [(hedging, True)] if hedging in a and hedging in b else []
            out.append((col, False))
    return [*out, ("cohesion_final", False), ("cohesion_min", False)]


def with_hedging(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with ``CODE_hedging`` (0/1, NaN where the member is not in the runs table's
    status: never joined) from ``CODE_status``: "does Kazakhstan hedge more?" had no row."""
    extra = {
        f"{c}_hedging": np.where(s.notna(), (s == mb.HEDGING).astype(float), np.nan)
        for c in ALLIES
        if (s := runs.get(f"{c}_status")) is not None
    }
    return runs.assign(**extra) if extra else runs


def compare_results(
    results: list[Result | str | os.PathLike],
    seed: int = 0,
    at: str | None = None,
    option: str = "at",
) -> pd.DataFrame:
    """Every other result against the first at one horizon, one row per outcome, with
    Holm-adjusted p; ``at`` a quarter (default: the last quarter every result reaches;
    ``option``: how messages name it, ``--at`` from the command line).

    Runs pair up when both results share seeds (and points); runs that share a seed across a
    sweep's points are one independent unit, so intervals and tests then work on seeds
    (:func:`alliance_sim.analysis.design.compare`).  ``reference``/``this`` are the two
    means with their seed-clustered 95% intervals; ``n`` the effective independent pairs (or
    runs); ``reference has``/``this has`` are (runs with a value, runs): a member that never
    joined in a run has none.  ``table.attrs["horizon"]`` is the
    :class:`~alliance_sim.analysis.horizon.Horizon`
    (quarter and why that one); ``table.attrs["pooled"]`` names the results whose design
    points are pooled (a sweep's points averaged, each weighted by its runs; of its own
    design: runs a refine round placed near a boundary are left out).  The interval columns
    hold :class:`~.stats.Estimate` objects; :func:`comparison_numbers` spreads them into
    numeric columns (for ``to_parquet`` or plotting)."""
    if not isinstance(results, list | tuple) or len(results) < 2:  # not letters of a path
        raise TypeError(
            "compare_results: expected a list of two or more results (Result objects or result "
            f"folders), got {results!r}"
        )
    from alliance_sim.limits import MAX_SEED, check_count

    check_count("seed", seed, 0, MAX_SEED)  # the bootstrap's: nan reached numpy's SeedSequence
    results = [own_design(as_result(r, "compare_results"), "compare_results()") for r in results]
    where = [Path(r.directory).resolve() for r in results[1:]]  # (the reference against itself
    if len(set(where)) < len(where):  # is a check of the report) rows twice, Holm doubled
        twice = next(w for w in where if where.count(w) > 1)
        raise UserError(
            f"{twice} is named twice among {len(results)} results: allowed each compared result "
            "once (a repeat adds its rows twice and doubles Holm's correction)"
        )
    same_runs_note(results)
    horizon = shared_horizon(results, at, option)
    frames = [with_hedging(outcomes_at(r, horizon.quarter)) for r in results]
    focus = focus_of(results)
    names = display_names(results)
    # the lowest cohesion up to an earlier quarter is exact only over every quarter
    thinned = [r for r in results if not every_quarter(r) and horizon.quarter != r.plan.end]
    starts = {r.plan.start for r in results}  # "at some point from the start": one window
    ref, ra_all = results[0], frames[0]
    rows, unpaired = [], []
    for other, name, rb_all in zip(results[1:], names[1:], frames[1:], strict=True):
        ra = ra_all[ra_all["error"].isna()]
        rb = rb_all[rb_all["error"].isna()]
        key = paired_key(ra, rb, ref.swept, other.swept)
        if key is not None and (fits := _two_calibrations(ref, other)):
            key = None  # pairs linked through either side's sets fell into one cluster of
            unpaired.append(f"{name} and {names[0]} {fits}")  # 328 of 400 (red team)
        elif key is None and (common := len(set(ra["seed"]) & set(rb["seed"]))):
            unpaired.append(_unpaired(name, names[0], common, len(ra), len(rb)))
        if key is not None:
            merged = ra.merge(rb, on=key, suffixes=("_a", "_b"))
        for outcome, binary in comparison_outcomes(ra_all, rb_all, focus):
            if (outcome == "cohesion_min" or outcome.endswith("_ever_suspended")) and thinned:
                continue
            window = outcome == "cohesion_min" or outcome.endswith("_ever_suspended")
            if window and len(starts) > 1:  # "up to Q" from different starts: not one window
                continue
            rows.append(_row(outcome, binary, ra, rb, merged if key else None, seed))
            rows[-1].update(
                scenario=name,
                horizon=horizon.quarter,
                **{"reference name": names[0]},
            )
    table = pd.DataFrame(rows)
    if len(table):  # the family: the rows a report shows (not those the same in every run)
        compared = (table["effect"] != "no variation").to_numpy()
        adjusted = np.full(len(table), np.nan)
        adjusted[compared] = holm(table.loc[compared, "p"].to_numpy(float))
        table["p (Holm)"] = np.where(compared, adjusted, 1.0)
        # words follow the error control the bold does: a size (a "negligible" one too, unless
        # its whole interval is negligible) only where Holm's correction keeps the difference
        banded = [
            within_negligible(r["difference"], r["A12"], bool(r["binary"]))
            for _, r in table.iterrows()
        ]
        told = ~table["effect"].isin(NOT_AN_EFFECT) | (
            table["effect"].eq("negligible") & ~np.array(banded, bool)
        )
        sized = told & ~(table["p (Holm)"] < 0.05)
        table.loc[sized, "effect"] = UNCLEAR_HOLM
    table.attrs["horizon"] = horizon
    table.attrs["unpaired"] = unpaired
    same_start = len(starts) == 1 and not thinned
    table.attrs["suspended_from_start"] = suspended_from_start(results) if same_start else []
    # each result's own focus, by display name: a headline leads each scenario with its own
    table.attrs["focus"] = {n: list(r.plan.focus) for r, n in zip(results, names, strict=True)}
    table.attrs["hedging_at_start"] = (  # the start is recorded however a result is thinned
        hedging_at_start(results, names) if len(starts) == 1 else {}
    )
    table.attrs["pooled"] = [
        (n, (Path(r.directory) / "by_point.csv").is_file())
        for r, n in zip(results, names, strict=True)
        if r.plan.n_points > 1
    ]
    # a what-if first read "Baseline vs mine: -2 points" with nothing to say which way (a new
    # user): the lead says it where the reference is not the shipped baseline (headline)
    base = [n for r, n in zip(results, names, strict=True) if shipped_baseline(r)]
    table.attrs["baseline"] = (base[0] == names[0], base[:1]) if base else (False, [])
    table.attrs["failed"] = [
        (n, r.n_failed, r.plan.n_runs) for r, n in zip(results, names, strict=True) if r.n_failed
    ]
    why = ([
        "only some quarters recorded in "
        + ", ".join(n for r, n in zip(results, names, strict=True) if r in thinned)
    ] if thinned else []) + (
        [f"the results start at different quarters: {', '.join(sorted(starts))}"]
        if len(starts) > 1 else []
    )  # fmt: skip
    table.attrs["left_out"] = (
        [f"lowest cohesion and suspensions at some point ({'; '.join(why)})"] if why else []
    )
    return table


def _two_calibrations(a: Result, b: Result) -> str | None:
    """Why two results that share seeds are not paired, when they draw from two different
    calibrations: the runs of each side are clustered on its own parameter sets, and pairs
    linked through a set on either side formed one cluster of most pairs, whose variance came
    out narrower than no clustering at all (red team)."""
    fa, fb = (r.manifest.scenario.get("calibration") for r in (a, b))
    fa, fb = (f if isinstance(f, dict) else {} for f in (fa, fb))  # (none, or a hand-edit)
    if not (fa.get("sha256") and fb.get("sha256")) or fa.get("sha256") == fb.get("sha256"):
        return None
    return (
        f"draw from two calibrations ({fb.get('file')} {str(fb.get('sha256'))[:8]} and "
        f"{fa.get('file')} {str(fa.get('sha256'))[:8]}), so they are "
        "compared as independent runs, each clustered on its own parameter sets, which is "
        "conservative"
    )


def _unpaired(name: str, ref: str, common: int, n_ref: int, n: int) -> str:
    """Why two results that share some seeds were compared as independent runs (a new user's
    20 runs shared their seeds with 20 of the reference's 50 and read "n_eff = 20 independent
    runs" where the README promises pairs)."""
    return (
        f"{name} and {ref} share the seeds of {common:,} runs but not all ({n:,} and {n_ref:,} "
        "runs, or other design points), so they are compared as independent runs, which is "
        "conservative; run both with the same --replicates and --seed to pair them"
    )


def _row(
    outcome: str,
    binary: bool,
    ra: pd.DataFrame,
    rb: pd.DataFrame,
    merged: pd.DataFrame | None,
    seed: int,
) -> dict:
    if (
        merged is not None
        and (merged[f"{outcome}_a"].isna() != merged[f"{outcome}_b"].isna()).any()
    ):
        # a value only some runs have (a joiner's, in the runs where it joined): pairs would
        # compare the runs where it has one in both, beside means over each scenario's own
        merged = None
    if merged is not None:
        xa, xb = merged[f"{outcome}_a"], merged[f"{outcome}_b"]
        ca = cb = clusters(merged)
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
    ref = clustered_mean(xa, ca, binary, outcome_bounds(outcome))
    this = clustered_mean(xb, cb, binary, outcome_bounds(outcome))
    enough = min(np.isfinite(xa).sum(), np.isfinite(xb).sum()) >= 2  # (a joiner in 1 run)
    if binary and enough:  # a bootstrap of a rare 0/1 outcome collapses at 0: Newcombe's
        pairs = (xa, xb) if merged is not None else None
        c = replace(c, diff=newcombe(ref, this, pairs))
        if _clustered(ca) or (merged is None and _clustered(cb)):
            # the test the interval inverts: p < 0.05 exactly when it excludes no difference
            # (a bootstrap p read 0.052 beside an interval clear of 0, and moved with the order)
            c = replace(c, p=newcombe_p(xa, ca, xb, cb, pairs), test=NEWCOMBE_TEST)
    if (b := outcome_bounds(outcome)) is not None and np.isfinite(c.diff.value):
        span = b[1] - b[0]  # a difference of two shares lies within [-1, 1]: widened with
        d = c.diff  # few seeds, an interval reached -3.1 (red-team)
        c = replace(c, diff=replace(d, lo=max(d.lo, -span), hi=min(d.hi, span)))
    half = (c.diff.hi - c.diff.lo) / 2
    # the seeds (replicates; pairs of them when paired) the difference's interval needs for the
    # target, at this design's design effect: the half-width goes as 1 / sqrt(seeds)
    k = min(len(np.unique(ca)), len(np.unique(cb)))
    tested = c.test != "too few runs" and np.isfinite(half)
    need = int(np.ceil(k * (half / TARGET[binary]) ** 2)) if tested and half > 0 else None
    # the units are parameter sets on either side: the fewer sets drawn (helper-122: decided
    # from the reference alone, the advice changed with the order of the folders)
    sides = [merged] if merged is not None else [ra, rb]
    drawn = [s for s in map(sets_as_units, sides) if s]
    return {
        "outcome": outcome,
        "reference": ref,
        "this": this,
        "difference": c.diff,
        "A12": c.a12,
        "effect": effect_label(c, xa, xb, binary=binary),
        "test": c.test,
        "paired": c.paired,
        "n": c.n,
        "p": c.p,
        "seeds for ±target": need,
        # the units are a calibration's parameter sets: how many the runs draw (more
        # replicates past the posterior's rows add seeds, not sets: helper-121)
        "sets drawn": float(min(drawn)) if drawn else np.nan,
        "target": TARGET[binary],
        "binary": binary,
        # (runs with a value, runs): fewer where a state joins in some runs only
        "reference has": (int(np.isfinite(xa).sum()), len(xa)),
        "this has": (int(np.isfinite(xb).sum()), len(xb)),
    }


def horizon_of(table: pd.DataFrame) -> Horizon | None:
    """The horizon a comparison table was computed at (None for a table from elsewhere)."""
    return table.attrs.get("horizon")


def bold_rows(table: pd.DataFrame) -> pd.Series:
    """The rows a report sets in bold: Holm-adjusted p < 0.05 and an interval that excludes
    no difference (a Wilcoxon p < 0.001 beside a bootstrap interval of the mean difference
    [-0.002, +0.014] was bold: the two measure different things, and bold says both agree)."""
    clear = table["difference"].map(lambda e: bool(e.lo > 0 or e.hi < 0))
    return (table["p (Holm)"] < 0.05) & clear.astype(bool)


def comparison_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (:func:`compare_results`) with each interval column (``reference``, ``this``,
    ``difference``, ``A12``: :class:`~.stats.Estimate` objects, which ``to_parquet`` cannot
    write and ``to_csv`` writes as rounded text) spread into numbers: ``NAME`` (the estimate),
    ``NAME_lo``, ``NAME_hi`` (its 95% interval) and ``NAME_n`` (effective independent runs)."""
    cols = ("reference", "this", "difference", "A12")
    if not isinstance(table, pd.DataFrame) or (len(table) and not all(c in table for c in cols)):
        raise TypeError(  # AttributeError on a list, silence on an empty frame (red-team)
            f"comparison_numbers: expected the table compare_results() returns (columns "
            f"{', '.join(cols)}), got {type(table).__name__}"
        )
    for c in cols if len(table) else ():  # (no outcome could be compared: an empty table)
        if bad := next((v for v in table[c] if not isinstance(v, Estimate)), None):
            raise TypeError(
                f"comparison_numbers: column {c!r} holds {type(bad).__name__}, not the "
                "intervals compare_results() gives (a table read back from a file holds text, "
                "one already spread holds numbers)"
            )
    out = table.copy()
    h = table.attrs.get("horizon")  # a Horizon: as text, so that to_parquet can keep it
    out.attrs = {**table.attrs, "horizon": getattr(h, "quarter", h), "why": getattr(h, "why", "")}
    for col in cols:
        if col in out:
            est = out.pop(col)
            for suffix, field_ in (("", "value"), ("_lo", "lo"), ("_hi", "hi"), ("_n", "n")):
                out[col + suffix] = [float(getattr(e, field_)) for e in est]
    return out
