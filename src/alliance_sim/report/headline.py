"""The answer first: the largest differences between scenarios as plain sentences.

A comparison table (from :func:`alliance_sim.report.html.compare_results`) is ranked by effect
size (the distance of the Vargha-Delaney A12 from 0.5, which is comparable across 0/1 and
continuous outcomes); differences whose effect is negligible (|A12 - 0.5| < 0.06) are not
news and are left to the detail table.  Each sentence carries both scenarios' values with
their 95% intervals and the effective number of independent runs behind them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import FEW
from alliance_sim.analysis.stats import NOT_AN_EFFECT, Estimate
from alliance_sim.report.plots import NAMES

MAX_SENTENCES = 5


def _pct(e: Estimate) -> str:
    return f"{e.value:.0%} [{e.lo:.0%}, {e.hi:.0%}]"


def _num(e: Estimate) -> str:
    return f"{e.value:.2f} [{e.lo:.2f}, {e.hi:.2f}]"


def sentence(r: pd.Series) -> str:
    """One row of the comparison as a sentence a reader can quote."""
    outcome, end = r["outcome"], r["horizon"]
    this, ref = r["this"], r["reference"]
    scen, base = r["scenario"], r["reference name"]
    code, _, what = outcome.partition("_")
    name = NAMES.get(code, code)
    if what == "exited":
        text = (
            f"{name} has left the CSTO by {end} in {_pct(this)} of runs of {scen} vs "
            f"{_pct(ref)} in {base}"
        )
    elif what == "suspended":
        text = (
            f"{name} is suspended at {end} in {_pct(this)} of runs of {scen} vs {_pct(ref)} "
            f"in {base}"
        )
    elif what == "commitment":
        text = (
            f"{name}'s mean commitment at {end} is {_num(this)} in {scen} vs {_num(ref)} in {base}"
        )
    elif outcome == "cohesion_final":
        text = f"Mean cohesion at {end} is {_num(this)} in {scen} vs {_num(ref)} in {base}"
    elif outcome == "cohesion_min":
        text = (
            f"The mean of each run's lowest cohesion is {_num(this)} in {scen} vs {_num(ref)} "
            f"in {base}"
        )
    else:
        text = f"{outcome} is {_num(this)} in {scen} vs {_num(ref)} in {base}"
    unit = "paired replicates" if r["paired"] else "independent runs"
    few = f"; fewer than {FEW} independent runs: a rough guide only" if r["n"] < FEW else ""
    return f"{text} (n_eff = {r['n']} {unit}; effect {r['effect']}{few})."


def headline(comp: pd.DataFrame, n: int = MAX_SENTENCES) -> list[str]:
    """Up to ``n`` sentences on the largest non-negligible differences, largest first; one
    sentence saying so when no difference is visible."""
    if not len(comp):
        return ["No outcome could be compared."]
    size = comp["A12"].map(lambda e: abs(e.value - 0.5) if np.isfinite(e.value) else -1.0)
    ranked = comp.assign(_size=size).sort_values("_size", ascending=False, kind="stable")
    visible = ranked[~ranked["effect"].isin(NOT_AN_EFFECT)]
    if not len(visible):
        return [
            "No outcome differs visibly between the scenarios: every effect size is negligible "
            "(|A12 - 0.5| < 0.06); the detail follows."
        ]
    return [sentence(r) for _, r in visible.head(n).iterrows()]
