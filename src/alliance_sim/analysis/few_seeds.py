"""An unpaired comparison of seed-clustered means when a side has few seeds: a seed bootstrap
of k seeds sees (k - 1) / k of the variance and a normal quantile where a t quantile on k - 1
degrees of freedom is due, so with 2-5 seeds its interval was far too narrow (a joiner's
commitment from the one seed it joined in read p < 0.001).  Below :data:`WELCH_BELOW`
effective seeds a side, :func:`few_seeds` gives Welch's t on the run-weighted cluster variance
instead (interval and p of one distribution), and a side with fewer than :data:`MIN_SEEDS`
effective seeds is not tested (:func:`alliance_sim.analysis.design.compare_clustered`).
Planted nulls (ad hoc, 200-300 each): 3 even seeds against 40 rejected in 7%; 5 against 40
4%; 20 against 20 6% (the bootstrap); seeds of 8, 6, 4, 3, 2 and 1 runs 6%.
"""

from __future__ import annotations

import numpy as np
from scipy.special import stdtr, stdtrit

WELCH_TEST = "Welch's t on clusters (few or uneven seeds or sets)"

#: below this many effective seeds on a side, Welch's t replaces the seed bootstrap (the
#: project's "rough guide" line, ``design.FEW``)
WELCH_BELOW = 10

#: the fewest seeds a side of an unpaired seed-clustered comparison is tested on
MIN_SEEDS = 3


def _cluster_var(sums: np.ndarray, counts: np.ndarray) -> float:
    """The variance of a run-weighted mean of seed clusters (sums and runs per seed), as a
    seed bootstrap estimates it but with k / (k - 1): sum n_j^2 (mean_j - mean)^2 / N^2."""
    k, n = len(sums), counts.sum()
    if k < 2:
        return np.nan  # one seed: no spread between seeds to estimate
    mean = sums.sum() / n
    return float(k / (k - 1) * (((sums - counts * mean) ** 2).sum() / n**2))


def few_seeds(
    centre: float,
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
) -> tuple[float, float, float] | None:
    """Welch's interval and p for an unpaired difference ``centre`` of seed-clustered means
    (``a``, ``b``: each side's sums and runs per seed) where a side has fewer than
    :data:`WELCH_BELOW` effective seeds, else None (the seed bootstrap stands).  Each side's
    variance is its run-weighted cluster variance with k / (k - 1) (resampling k seeds gives
    (k - 1) / k of it; unweighted seed means widened 2.6 times with clusters of 25 and 1 runs), with
    k_eff - 1 degrees of freedom, k_eff = N^2 / sum n_j^2 (Kish's effective number of seeds:
    one seed of 25 runs and two of 1 is about one seed, not three -- with k - 1 such designs
    rejected a true null in 18%).  The interval and p are one distribution's, so p < 0.05
    exactly when the interval excludes 0 (a stretched bootstrap beside Welch's p disagreed in
    3% of planted designs)."""
    if min(effective_seeds(a[1]), effective_seeds(b[1])) >= WELCH_BELOW:
        return None
    va, vb = _cluster_var(*a), _cluster_var(*b)
    v = va + vb
    if not v > 0:
        return None
    dfa, dfb = effective_seeds(a[1]) - 1, effective_seeds(b[1]) - 1
    df = v**2 / (va**2 / dfa + vb**2 / dfb) if dfa > 0 and dfb > 0 else 0.0
    if not df > 0:
        return None  # (no side with two seeds of weight: the caller refuses it)
    half = float(stdtrit(df, 0.975)) * np.sqrt(v)
    return centre - half, centre + half, float(2 * stdtr(df, -abs(centre) / np.sqrt(v)))


def effective_seeds(counts: np.ndarray) -> float:
    """Kish's effective number of clusters of these sizes: N^2 / sum n_j^2."""
    counts = np.asarray(counts, float)
    return float(counts.sum() ** 2 / (counts**2).sum()) if counts.sum() > 0 else 0.0


def too_few_runs(outcome: str, a, b, paired: bool):
    """A "too few runs" comparison of a mean when fewer than :data:`MIN_SEEDS` independent
    runs (pairs, when ``paired``) have a value, else None: as for seeds, a bootstrap of two
    values read -0.298 [-0.375, -0.222] beside that side's own [0.000, 1.000] (a trial)."""
    from alliance_sim.analysis.stats import Comparison, Estimate

    a, b = np.isfinite(np.asarray(a, float)), np.isfinite(np.asarray(b, float))
    n = int((a & b).sum()) if paired else int(min(a.sum(), b.sum()))
    if n >= MIN_SEEDS:
        return None
    nan = Estimate(np.nan, np.nan, np.nan, n)
    return Comparison(outcome, np.nan, np.nan, nan, nan, "too few runs", np.nan, paired, n)
