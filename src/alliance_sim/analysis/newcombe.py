"""Newcombe's score interval of a difference of two proportions, built from the two sides'
clustered Wilson intervals (runs sharing a seed, or a parameter set of the calibration, count
once), and the p its interval inverts: what ``compare`` gives a 0/1 outcome."""

from __future__ import annotations

import numpy as np

from alliance_sim.analysis.design import _design_effect, wilson
from alliance_sim.analysis.stats import Estimate

NEWCOMBE_TEST = "Newcombe score test (clustered)"  # by seed, or by parameter set


def newcombe_p(
    xa: np.ndarray,
    ca: np.ndarray,
    xb: np.ndarray,
    cb: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """Two-sided p of "no difference" that :func:`newcombe`'s interval inverts: the level
    at which the interval built from the two seed-clustered Wilson intervals (on each side's
    effective runs) just reaches 0.  It is below 0.05 exactly when the 95% interval excludes
    0, and the same whichever side is the reference."""
    from scipy.stats import norm

    if np.nanmean(xa) == np.nanmean(xb) or not (np.isfinite(xa).any() and np.isfinite(xb).any()):
        return 1.0

    def excludes(z: float) -> bool:
        d = newcombe_at(xa, ca, xb, cb, z, pairs)
        return bool(d.lo > 0 or d.hi < 0)

    lo, hi = 1e-6, 40.0
    if not excludes(lo):
        return 1.0
    if excludes(hi):
        return float(2 * norm.sf(hi))
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excludes(mid) else (lo, mid)
    return float(2 * norm.sf(lo))


def newcombe_at(
    xa: np.ndarray,
    ca: np.ndarray,
    xb: np.ndarray,
    cb: np.ndarray,
    z: float,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> Estimate:
    """:func:`newcombe`'s interval of ``mean(xb) - mean(xa)`` at the level of normal quantile
    ``z``, from the two 0/1 samples' seed-clustered Wilson intervals at that level."""
    ests = []
    for x, c in ((xa, ca), (xb, cb)):
        p, _, n_eff, _, _ = _design_effect(x, c, True)
        ests.append(Estimate(p, *wilson(p, n_eff, z), round(n_eff)))
    return newcombe(*ests, pairs)


def newcombe(
    ref: Estimate, this: Estimate, pairs: tuple[np.ndarray, np.ndarray] | None = None
) -> Estimate:
    """The difference of two proportions, ``this - ref``, with Newcombe's hybrid score 95%
    interval built from the two Wilson intervals (Newcombe 1998, method 10; for paired runs
    ``pairs``, with the phi correlation of the pairs' 2x2 table, Newcombe 1998b).  The Wilson
    intervals are the seed-clustered ones (on the effective number of runs), so runs that
    share a seed count once here too.  Unlike a bootstrap it does not collapse to a point
    when one side never (or always) shows the outcome: 0 of 5 seeds against 2 of 100 runs is
    -2 points [-6, +41], not [-6, +0]."""
    p1, l1, u1 = this.value, this.lo, this.hi
    p2, l2, u2 = ref.value, ref.lo, ref.hi
    d = p1 - p2
    if not all(np.isfinite(v) for v in (p1, l1, u1, p2, l2, u2)):
        return Estimate(d, np.nan, np.nan, min(this.n, ref.n))
    phi = 0.0
    if pairs is not None:
        a, b = (np.asarray(x, float) for x in pairs)
        ok = np.isfinite(a) & np.isfinite(b)
        a, b = a[ok] > 0.5, b[ok] > 0.5
        both, only_b, only_a = (a & b).sum(), (b & ~a).sum(), (a & ~b).sum()
        neither = (~a & ~b).sum()
        den = float((both + only_b) * (only_a + neither) * (both + only_a) * (only_b + neither))
        phi = float(both * neither - only_b * only_a) / np.sqrt(den) if den > 0 else 0.0
    lo_part = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    hi_part = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    lo = d - np.sqrt(max(lo_part, 0.0))
    hi = d + np.sqrt(max(hi_part, 0.0))
    return Estimate(d, max(-1.0, float(lo)), min(1.0, float(hi)), min(this.n, ref.n))
