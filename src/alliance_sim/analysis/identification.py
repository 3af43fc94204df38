"""How much the record pins down each fitted parameter: contraction from prior to posterior.

contraction = 1 - posterior sd / prior sd (0: the data say nothing; 1: pinned down); a
parameter counts as identified from 0.25.  The prior is the sampler's: where
``[calibrate.parameters]`` is cut to sets that keep the status thresholds in order
(:func:`alliance_sim.scenario.semantics.ordered`), a cut threshold's prior spread and range are
those of the cut prior, measured on seeded draws of it (:func:`cut_prior`) -- against the
whole box the cut alone would read as information from the data.

Two warnings say when a fit's own numbers should not be read at face value: it collapsed onto
a few sets (:func:`collapsed`), or its posterior reproduces the record visibly worse than the
scenario file's values (:func:`worse_than_file`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis.smc import Whole
from alliance_sim.limits import MIN_DISTINCT_SETS  # fewer distinct sets: the fit collapsed
from alliance_sim.scenario.semantics import THRESHOLDS, ordered
from alliance_sim.scenario.spec import SweepAxis

PRIOR_DRAWS = 200_000  # draws of a cut prior to measure its spread (sd to about 0.2%)
IDENTIFIED = 0.25  # contraction from which a parameter counts as identified


def contraction_text(c: float) -> str:
    """A contraction as a report prints it: two places, or as many more as it takes to print
    it on the side of the line at 0.25 it is on (0.249 printed "0.25" beside "not identified";
    0.2499 needs four); never "-0.00"."""
    for places in range(2, 9):
        text = f"{c:.{places}f}"
        if (float(text) >= IDENTIFIED) == (c >= IDENTIFIED) or c != c:  # (NaN: "nan")
            return "0.00" if float(text) == 0 else text
    return f"{c:.8f}"


def cut_prior(
    cal_priors: tuple[SweepAxis, ...], fixed: dict[str, float] | None
) -> pd.DataFrame | None:
    """Draws of the prior the sampler uses when it is cut to ordered thresholds (the box's
    draws that keep the order, ``fixed`` giving the thresholds not fitted), or None when
    nothing is cut.  Seeded: the same draws every time."""
    names = [a.name for a in cal_priors]
    if fixed is None or not THRESHOLDS & set(names):
        return None
    low = np.array([a.low for a in cal_priors])
    whole = Whole(names, np.array([a.high for a in cal_priors]))
    rng = np.random.default_rng(0)
    theta = whole.decode(low + rng.random((PRIOR_DRAWS, len(names))) * (whole.latent_high - low))
    keep = ordered(names, theta, fixed)
    return None if keep.all() else pd.DataFrame(theta[keep], columns=names)


def contraction(
    cal_priors: tuple[SweepAxis, ...],
    posterior: pd.DataFrame,
    fixed: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Per parameter: prior and posterior standard deviation, contraction 1 - sd_post /
    sd_prior (0: the data say nothing; 1: pinned down), the posterior median and 90% range,
    and whether the data identify it (contraction of at least 0.25).  Where the prior is cut
    to ordered thresholds (``fixed``: the scenario's values of the thresholds not fitted),
    sd_prior is the cut prior's, measured on its draws (:func:`cut_prior`), and
    ``allowed_low``/``allowed_high`` give the range it spans: against the whole box, the cut
    alone would read as information from the data."""
    cut = cut_prior(cal_priors, fixed)
    rows = []
    for a in cal_priors:
        x = posterior[a.name]
        n = a.high - a.low + 1  # a whole-number prior is uniform on its n values
        whole = Whole([a.name], np.array([a.high])).mask[0]
        sd_prior = np.sqrt((n * n - 1) / 12) if whole else (a.high - a.low) / np.sqrt(12)
        lo, hi = a.low, a.high
        if cut is not None and a.name in THRESHOLDS:  # the others' marginals are the box's
            sd_prior = float(cut[a.name].std(ddof=0))
            lo, hi = float(cut[a.name].min()), float(cut[a.name].max())
        c = 1 - x.std() / sd_prior
        q = x.quantile([0.05, 0.5, 0.95])
        rows.append(
            dict(
                parameter=a.name,
                prior_low=a.low,
                prior_high=a.high,
                allowed_low=lo,
                allowed_high=hi,
                median=q[0.5],
                p5=q[0.05],
                p95=q[0.95],
                contraction=c,
                identified=bool(c >= IDENTIFIED),
            )
        )
    return pd.DataFrame(rows)


def collapsed(sets: pd.DataFrame, ess: float) -> str | None:
    """A warning when the posterior ``sets`` hold few distinct rows (a small or short fit whose
    weights fell on a handful; ``ess`` the last generation's effective sample size): their
    contractions then measure the collapse, not the data."""
    distinct = len(sets.drop_duplicates())
    if distinct >= MIN_DISTINCT_SETS:
        return None
    return (
        f"only {distinct} distinct parameter set(s) among the {len(sets)} written "
        f"(effective sample size {ess:.0f} in the last generation): every contraction and "
        "'identified' here measures the sampler's collapse, not the data; fit again with more "
        "--draws and --generations"
    )


WORSE_RATE = 0.10  # a reproduction rate (of 1,000 runs: se ~1.5 points) this much lower
WORSE_BRIER = 0.01  # the observables' Brier score this much higher


def worse_than_file(before: dict[str, float], after: dict[str, float]) -> str | None:
    """A warning naming each measure of reproduction (:func:`.calibrate.reproduction`) the
    posterior (``after``) does visibly worse than the scenario file's values (``before``): a
    rate at least 10 points lower, or a Brier score at least 0.01 higher.  The fit weighs the
    patterns and the observables together, so it may trade one for another; a small fit that
    has not converged does worse on several."""
    worse = []
    for k, b in before.items():
        a = after.get(k)
        if a is None or np.isnan(a) or np.isnan(b):
            continue
        if k == "brier" and a >= b + WORSE_BRIER:
            worse.append(f"Brier score {b:.3f} -> {a:.3f}")
        elif k != "brier" and a <= b - WORSE_RATE:
            label = "statuses as recorded at every year end" if k == "statuses_every_year" else k
            worse.append(f"{label} {b:.0%} -> {a:.0%}")
    if not worse:
        return None
    return (
        "the posterior reproduces the record visibly worse than the scenario file's values on "
        + "; ".join(worse)
        + " (the fit trades these for the rest of its distance, or has not converged: "
        "more --draws, --generations or --replicates tell the two apart)"
    )
