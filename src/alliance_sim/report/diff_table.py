"""The differences table of a comparison report, as a reader sees it: probabilities in %,
differences in points, each interval with its effective number of independent runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import FEW
from alliance_sim.analysis.stats import Estimate, percent_digits, percent_interval
from alliance_sim.report.headline import _digits


def _p(v: float) -> str:
    return "–" if not np.isfinite(v) else "<0.001" if v < 0.001 else f"{v:.3f}"


def _outcome(outcome: str, when: str) -> str:
    """A comparison row's outcome with its horizon: ``ARM P(exit by 2028Q4)``."""
    code, _, what = outcome.partition("_")
    if what == "exited":
        return f"{code} P(exit by {when})"
    if what == "suspended":
        return f"{code} P(suspended at {when})"
    if what == "hedging":
        return f"{code} P(hedging at {when})"
    if what == "ever_suspended":  # the start included (a member frozen then counts)
        return f"{code} P(suspended at some point to {when})"
    if what == "joined":
        return f"{code} P(member at {when})"
    if what == "commitment":
        return f"{code} commitment at {when}"
    return {
        "cohesion_final": f"cohesion at {when}",
        "cohesion_min": f"lowest cohesion to {when}",
    }.get(outcome, outcome)


def _interval(d: Estimate, scale: float, digits: int, unit: str = "") -> str:
    """``+v [lo, hi]`` with the decimals that keep an interval clear of zero from reading as
    touching it (a bold row read "[-0.010, -0.000]")."""
    lo, hi = d.lo * scale, d.hi * scale
    while digits < 6 and (lo > 0 or hi < 0) and round(min(abs(lo), abs(hi)), digits) == 0:
        digits += 1
    return f"{d.value * scale:+.{digits}f}{unit} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def _units(need: float, sets: float | None) -> str:
    """Seeds an interval needs -- or sets, beside how many the runs draw, where the units are
    a calibration's parameter sets (rows repeat sets, and replicates past the posterior's rows
    add seeds, not sets: a report advised 610 seeds where 153 sets exist; a bare 131 read as
    replicates where 131 sets take about 300: helper-121, helper-122)."""
    from alliance_sim.analysis.units import in_sets

    return f"{int(need)}" if sets is None or pd.isna(sets) else in_sets(need, sets)


def display_comparison(comp: pd.DataFrame) -> pd.DataFrame:
    """The comparison table as a reader sees it: probabilities in %, differences in points,
    each interval with its effective number of independent runs (⚠: fewer than ``FEW``)."""
    rows = []
    for _, r in comp.iterrows():
        pct = bool(r["binary"])
        d, need, target = r["difference"], r["seeds for ±target"], r["target"]

        both = [x for x in (r["reference"], r["this"]) if np.isfinite(x.value)]
        k = max((percent_digits(x.value, x.lo, x.hi)[1] for x in both), default=0)
        if pct and len(both) == 2:  # as the headline: shares that add up to the difference
            k = max(k, _digits(r["this"], r["reference"], d))

        def f(e: Estimate, has: tuple[int, int] | None, pct: bool = pct, k: int = k) -> str:
            if not np.isfinite(e.value):  # e.g. a joiner in no run of one side
                return "– (no run)"
            # the two shares of a row with the same decimals ("1%" beside "0.5%" read as -0.5)
            text = percent_interval(e.value, e.lo, e.hi, est_digits=k) if pct else e.fmt(digits=3)
            if has is not None and has[0] < has[1]:  # of the runs it was a member in
                text += f" ({has[0]:,} of {has[1]:,} runs)"
            return text

        diff = (
            "–"
            if not np.isfinite(d.value)
            else _interval(d, 100, 1, " pts")
            if pct
            else _interval(d, 1, 3)
        )
        unit = (
            ("pairs" if r["paired"] else "runs")
            if r["n"] != 1
            else ("pair" if r["paired"] else "run")
        )
        ref_has, this_has = r.get("reference has"), r.get("this has")
        some = any(h is not None and h[0] < h[1] for h in (ref_has, this_has))
        rows.append(
            {
                "scenario": r["scenario"],
                "outcome": _outcome(r["outcome"], r["horizon"])
                + (", of runs it was a member in" if some else ""),
                "reference: mean [95% CI]": f(r["reference"], ref_has),
                "this: mean [95% CI]": f(r["this"], this_has),
                "difference of means [95% CI]": diff,
                "A12 [95% CI]": r["A12"].fmt(),
                "effect": r["effect"],
                "test": r["test"],
                "n_eff (independent)": f"{r['n']} {unit}" + (" ⚠" if r["n"] < FEW else ""),
                "p": _p(r["p"]),
                "p (Holm)": _p(r["p (Holm)"]),
                "seeds for target": (  # "no variation" beside two different intervals of
                    "– (too few runs)"  # a joiner in 3 and 2 runs (helper-75)
                    if (need is None or pd.isna(need)) and r["effect"] != "no variation"
                    else "– (no variation)"
                    if need is None or pd.isna(need)
                    else f"{_units(need, r.get('sets drawn'))} for ±{target * 100:g} pts"
                    if pct
                    else f"{_units(need, r.get('sets drawn'))} for ±{target:g}"
                ),
            }
        )
    return pd.DataFrame(rows)
