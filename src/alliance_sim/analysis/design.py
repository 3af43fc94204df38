"""Intervals that respect the design: runs that share a seed are not independent.

In a sweep, replicate *k* uses the same seed (and the same posterior parameter set) at every
design point, and in every scenario run with the same master seed.  Runs of one replicate are
therefore correlated, often strongly: an outcome that does not depend on the swept values is
*identical* at every point of a replicate.  The independent unit is the replicate (the seed),
not the run.

A design-averaged mean or probability is the ratio ``sum(x) / n`` over all runs.  Its variance
is estimated with the cluster-robust (linearisation, "sandwich") estimator over seed clusters,

    var = sum_k (S_k - p n_k)^2 / n^2          (S_k, n_k: sum and size of cluster k)

and the **effective number of independent runs** is Kish's ``n_eff = s^2 / var`` (``s^2``: the
run-level variance, ``p(1 - p)`` for a 0/1 outcome).  ``n_eff`` equals the number of runs when
every run has its own seed, and the number of seeds when the outcome is constant within each
seed (balanced designs: it always lies between the two).

* 0/1 outcomes get the **Wilson score interval computed with n_eff** (the design-effect-adjusted
  Wilson interval used for survey proportions): unlike a cluster bootstrap it does not collapse
  to a point at 0% or 100%, and with one seed per run it is the ordinary Wilson interval.
  3 of 10 seeds exiting at all 40 points gives n_eff = 10 and [11%, 60%], not the [26%, 35%]
  that 400 "independent" runs would claim.
* Other outcomes get ``mean +/- t(K - 1) * sqrt(K / (K - 1) * var)`` (K seeds).
* When an outcome shows no variation the design effect cannot be estimated; ``n_eff`` is then
  the number of seeds (each seed is one independent draw), the conservative choice.  A 0/1
  outcome whose runs share seeds takes a small-sample step on the seeds that show both a
  case and a non-case (:func:`small_sample`): with one such seed, each seed counts once.
* Medians and other statistics get a cluster bootstrap (whole seeds resampled).

``tests/test_analysis.py`` checks coverage on a planted clustered design.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from scipy.special import stdtrit

from alliance_sim.analysis import few_seeds as fs
from alliance_sim.analysis.a12_boot import cluster_bootstrap_a12
from alliance_sim.analysis.few_seeds import MIN_SEEDS, WELCH_TEST, effective_seeds, few_seeds
from alliance_sim.analysis.stats import (
    Z95,
    Comparison,
    Estimate,
    a12,
    compare_samples,
)
from alliance_sim.analysis.units import clusters, distinct_sets

FEW = 10  # intervals resting on fewer independent runs than this are marked in reports
__all__ = ["clusters", "distinct_sets"]  # the runs' independent units (analysis.units)


def _groups(x: np.ndarray, cluster: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Finite values of ``x``, and per cluster their sums and counts."""
    x = np.asarray(x, float)
    cl = np.arange(len(x)) if cluster is None else np.asarray(cluster)
    ok = np.isfinite(x)
    x, cl = x[ok], cl[ok]
    _, idx = np.unique(cl, return_inverse=True)
    sums = np.bincount(idx, weights=x)
    counts = np.bincount(idx).astype(float)
    return x, sums, counts


def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score 95% interval (``z``: another level's normal quantile) of a proportion
    ``p`` observed on ``n`` (possibly effective, non-integer) independent runs."""
    if n <= 0 or not np.isfinite(p):
        return (np.nan, np.nan)
    d = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / d
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n * n)) / d
    # the interval always contains p (rounding can put a bound a hair past it at 0 or 1)
    return (float(min(max(0.0, centre - half), p)), float(max(min(1.0, centre + half), p)))


#: outcomes that are shares or indices from 0 to 1 (their means' intervals stay inside)
_UNIT = re.compile(
    r"(?:^|_)(?:commitment|min_commitment|credibility|cohesion_final|cohesion_min|"
    r"cohesion_mean|capability_cohesion_final|russian_influence|western_influence|"
    r"chinese_influence)$"
)


def outcome_bounds(outcome: str) -> tuple[float, float] | None:
    """The range an outcome's values (and so its mean) cannot leave, or None."""
    return (0.0, 1.0) if _UNIT.search(outcome) else None


def _design_effect(
    x: np.ndarray, cluster: np.ndarray | None, binary: bool | None
) -> tuple[float, float, float, int, bool]:
    """Mean, cluster-robust variance of the mean, effective runs, clusters and whether the
    outcome is 0/1 (k = 0 when there is no finite value)."""
    x, sums, counts = _groups(x, cluster)
    n, k = len(x), len(sums)
    if n == 0:
        return np.nan, np.nan, 0.0, 0, bool(binary)
    if binary is None:
        binary = bool(np.isin(x, (0.0, 1.0)).all())
    m = float(x.mean())
    s2 = m * (1 - m) if binary else float(x.var())
    var = float(((sums - m * counts) ** 2).sum()) / n**2
    n_eff = float(np.clip(s2 / var, 1, n)) if var > 0 and s2 > 0 else float(k)
    if binary and counts.max() > 1:  # runs share seeds: the sandwich rests on the seeds
        n_eff = small_sample(n_eff, k, informative_seeds(sums, counts))
    return m, var, n_eff, k, binary


#: the fewest seeds :func:`seeds_needed` advises: the design effect is read from the seeds
INFORMATIVE = 5


def small_sample(n_eff: float, k: int, m: int) -> float:
    """A seed-clustered 0/1 outcome's effective runs for its Wilson interval, given the
    sandwich estimate ``n_eff``, ``k`` seeds and ``m`` of them informative
    (:func:`informative_seeds`).  The sandwich variance rests on the informative seeds only,
    with about m - 1 degrees of freedom: n_eff is scaled by (z / t(m - 1))^2, the usual
    small-sample step from a normal to a t quantile (9% narrower n_eff at 20 seeds, 62% at 4),
    but never below min(n_eff, k), what the seeds alone give; with fewer than 2 informative
    seeds each seed counts once, as with no case (one exit in 4,000 runs of 20 seeds read
    as 4,000 independent runs, [0.00%, 0.14%], while one other seed of the same sweep had the
    member leave at every point).  A threshold at 5 such seeds, tried first, jumped 55-fold
    between 4 and 5 (red-team, 2026-12-05); two pseudo-seeds cut n_eff tenfold where every
    seed varies."""
    from scipy.special import stdtrit

    floor = min(n_eff, float(k))
    if m < 2:
        return floor
    return max(floor, n_eff * (Z95 / float(stdtrit(m - 1, 0.975))) ** 2)


def informative_seeds(sums: np.ndarray, counts: np.ndarray) -> int:
    """The fewer of the seeds with at least one case and those with at least one non-case:
    the seeds that show nothing say nothing about how the runs of a seed agree."""
    return int(min((sums > 0).sum(), (sums < counts).sum()))


def clustered_mean(
    x: np.ndarray,
    cluster: np.ndarray | None = None,
    binary: bool | None = None,
    bounds: tuple[float, float] | None = None,
) -> Estimate:
    """Mean of ``x`` over all runs with a 95% interval that treats runs of one cluster (seed)
    as one independent unit; ``Estimate.n`` is the effective number of independent runs.

    ``cluster``: one label per run (None: every run independent).  ``binary``: whether ``x``
    is a 0/1 outcome (Wilson interval); None decides from the data.  ``bounds``: the range
    the quantity cannot leave (a share: (0, 1)); the interval is cut to it (with two seeds a
    t interval of a share can otherwise reach past 0 or 1)."""
    m, var, n_eff, k, binary = _design_effect(x, cluster, binary)
    if k == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    if binary:
        lo, hi = wilson(m, n_eff)
        return Estimate(m, lo, hi, round(n_eff))
    if k < 2 or var == 0:
        return Estimate(m, m, m, round(n_eff))
    half = float(stdtrit(k - 1, 0.975)) * np.sqrt(var * k / (k - 1))  # Student's t quantile
    lo, hi = m - half, m + half
    if bounds is not None:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return Estimate(m, lo, hi, round(n_eff))


def seeds_needed(
    x: np.ndarray, cluster: np.ndarray | None, half_width: float, binary: bool | None = None
) -> int | None:
    """Seeds (independent units) a design like this one needs for a 95% interval of the mean
    of ``x`` of +/- ``half_width`` (0.05: five points on a probability).

    The design effect is today's: ``n_eff / K`` effective runs per seed.  A 0/1 outcome needs
    the effective runs at which the Wilson interval around today's estimate is ``2 *
    half_width`` wide (at 0% that is an interval [0, 10%], about 35 runs), a mean the seeds at
    which the normal interval of the seed-clustered variance is.  Runs of one seed are one
    unit: 0 exits in 500 runs of a 20-seed sweep whose outcome is the same at every point is
    20 independent runs, and the answer is about 35 seeds, not the dozen that 500 independent
    runs would suggest.  A mean with no spread returns 2 (any interval is a point); None
    when the runs cannot tell (no finite value, or a mean from one seed)."""
    if not isinstance(half_width, int | float) or not 0 < half_width < np.inf:
        raise ValueError(f"seeds_needed: half_width = {half_width!r}; allowed a number above 0")
    m, var, n_eff, k, binary = _design_effect(x, cluster, binary)
    if k == 0 or (k < 2 and not binary):
        return None
    if not binary:
        if var == 0:
            return 2
        spread = var * k * k / (k - 1)  # the variance of the mean times the seeds
        return int(np.ceil(Z95 * Z95 * spread / half_width**2))

    def wide(n: float) -> bool:
        lo, hi = wilson(m, n)
        return (hi - lo) / 2 > half_width

    lo_n, hi_n = 1.0, 1.0
    while wide(hi_n):
        lo_n, hi_n = hi_n, hi_n * 2
    for _ in range(60):  # bisection on the effective runs
        mid = (lo_n + hi_n) / 2
        lo_n, hi_n = (mid, hi_n) if wide(mid) else (lo_n, mid)
    # at least INFORMATIVE seeds: with fewer, the design effect is not read from the runs
    return max(INFORMATIVE, int(np.ceil(hi_n * k / n_eff - 1e-9)))


def resample_weights(n_clusters: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each cluster is drawn in each bootstrap resample, shape (B, K)."""
    draws = rng.integers(0, n_clusters, (n_resamples, n_clusters))
    return np.apply_along_axis(np.bincount, 1, draws, minlength=n_clusters)


def cluster_bootstrap(
    x: np.ndarray,
    cluster: np.ndarray | None,
    statistic: Callable[[np.ndarray], float] = np.median,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Estimate:
    """Percentile 95% interval of ``statistic`` with whole clusters resampled;
    ``Estimate.n`` is the number of clusters (independent units) the values come from."""
    x = np.asarray(x, float)
    cl = np.arange(len(x)) if cluster is None else np.asarray(cluster)
    ok = np.isfinite(x)
    x, cl = x[ok], cl[ok]
    if len(x) == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    labels, idx = np.unique(cl, return_inverse=True)
    k = len(labels)
    value = float(statistic(x))
    if k == 1 or np.all(x == x[0]):
        return Estimate(value, value, value, k)
    members = [np.flatnonzero(idx == j) for j in range(k)]
    rng = np.random.default_rng(seed)
    boots = np.empty(n_resamples)
    for b in range(n_resamples):
        pick = rng.integers(0, k, k)
        boots[b] = statistic(x[np.concatenate([members[j] for j in pick])])
    lo, hi = np.quantile(boots, [0.025, 0.975])
    return Estimate(value, float(lo), float(hi), k)


def effective_runs(x: np.ndarray, cluster: np.ndarray | None, binary: bool | None = None) -> int:
    """The effective number of independent runs behind the mean of ``x``."""
    return clustered_mean(x, cluster, binary).n


def _cluster_index(cluster: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    _, idx = np.unique(np.asarray(cluster), return_inverse=True)
    return idx, [np.flatnonzero(idx == j) for j in range(idx.max() + 1)]


def _means(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return np.bincount(idx, weights=x) / np.bincount(idx)


def _clustered(cluster: np.ndarray | None) -> bool:
    """Whether some runs share a cluster label (so they are not independent)."""
    return cluster is not None and len(np.unique(cluster)) < len(cluster)


def compare(
    outcome: str,
    a: np.ndarray,
    b: np.ndarray,
    *,
    paired: bool,
    binary: bool,
    seed: int = 0,
    n_resamples: int = 2000,
    cluster_a: np.ndarray | None = None,
    cluster_b: np.ndarray | None = None,
) -> Comparison:
    """B against A: :func:`compare_clustered` where runs share seeds (``cluster_a``/``cluster_b``
    hold each run's seed; for paired samples ``cluster_a`` labels the pairs), otherwise
    :func:`alliance_sim.analysis.stats.compare_samples` (every run independent)."""
    if _clustered(cluster_a) or (not paired and _clustered(cluster_b)):
        return compare_clustered(
            outcome, a, b, cluster_a, cluster_b, paired=paired, seed=seed,
            n_resamples=n_resamples, binary=binary,
        )  # fmt: skip
    if not binary and (few := fs.too_few_runs(outcome, a, b, paired)) is not None:
        return few
    return compare_samples(
        outcome, a, b, paired=paired, binary=binary, seed=seed, n_resamples=n_resamples
    )


def bootstrap_p(diffs: np.ndarray, same: bool = False) -> float:
    """Two-sided p-value of "no difference" from bootstrap replicates ``diffs`` of a
    difference: twice the smaller share of replicates on either side of zero, with the
    usual +1 so that it is never 0 (at least 2 / (replicates + 1)); the percentile interval
    excludes zero exactly when this is below 0.05.  ``same``: both samples constant and equal
    (p = 1)."""
    if same:
        return 1.0
    k = min(int((diffs <= 0).sum()), int((diffs >= 0).sum()))
    return min(1.0, 2.0 * (k + 1) / (len(diffs) + 1))


def compare_clustered(
    outcome: str,
    a: np.ndarray,
    b: np.ndarray,
    cluster_a: np.ndarray,
    cluster_b: np.ndarray | None = None,
    *,
    paired: bool,
    seed: int = 0,
    n_resamples: int = 2000,
    binary: bool = False,
):
    """Scenario B against A when runs come in seed clusters (a sweep's replicates).
    ``binary``: a 0/1 outcome, whose interval the caller takes from Newcombe's score method
    (it has its own small-sample step), so few seeds are not refused here.

    Paired (``a[i]``, ``b[i]`` share seed and point; ``cluster_a`` labels the pairs): whole
    seeds are resampled together for the bootstrap intervals, and the test is the Wilcoxon
    signed-rank test on the per-seed mean differences.  Unpaired: each side's seeds are
    resampled separately and the test is that bootstrap's own (:func:`bootstrap_p`), so that
    the p-value and the interval answer the same question.  ``n`` is the
    effective number of independent pairs (paired) or the smaller side's effective runs."""

    a, b = np.asarray(a, float), np.asarray(b, float)
    ca = np.asarray(cluster_a)
    cb = ca if paired else np.asarray(cluster_b)
    if paired:
        ok = np.isfinite(a) & np.isfinite(b)
        a, b, ca, cb = a[ok], b[ok], ca[ok], cb[ok]
    else:
        oka, okb = np.isfinite(a), np.isfinite(b)
        a, ca, b, cb = a[oka], ca[oka], b[okb], cb[okb]
    # a side whose values come from one or two seeds (a joiner's commitment in the seeds it
    # joined in) has no spread the bootstrap can resample (p read < 0.001 on n_eff = 1), and
    # with two even Welch's t rejected a true null in 11% of planted designs (red-team)
    # (counted as Kish's effective seeds: one seed of 25 runs and two of 1 is about one, and
    # a test on such sides rejected a true null in 15-18% however it was widened)
    few = (
        not paired
        and not binary
        and min(
            effective_seeds(np.unique(ca, return_counts=True)[1]),
            effective_seeds(np.unique(cb, return_counts=True)[1]),
        )
        < MIN_SEEDS - 1e-9
    )
    if min(len(a), len(b)) < 2 or few or (paired and len(np.unique(ca)) < 2):
        nan = Estimate(np.nan, np.nan, np.nan, 0)
        return Comparison(outcome, np.nan, np.nan, nan, nan, "too few runs", np.nan, paired, 0)
    rng = np.random.default_rng(seed)
    ia, ma = _cluster_index(ca)
    ib, mb = (ia, ma) if paired else _cluster_index(cb)
    wa = resample_weights(len(ma), n_resamples, rng)
    wb = wa if paired else resample_weights(len(mb), n_resamples, rng)
    sa, na = np.bincount(ia, weights=a), np.bincount(ia).astype(float)
    sb, nb = np.bincount(ib, weights=b), np.bincount(ib).astype(float)
    diffs = wb @ sb / (wb @ nb) - wa @ sa / (wa @ na)
    welch = None  # a seed bootstrap of few (or uneven) seeds is too narrow: Welch's t
    if not paired and not binary:  # (a 0/1 outcome's interval is Newcombe's: see ``binary``)
        welch = few_seeds(float(b.mean() - a.mean()), (sa, na), (sb, nb))
    n_a12 = 300 if len(a) + len(b) < 20_000 else 100
    a12s = cluster_bootstrap_a12(b, a, (ib, mb), (ia, ma), rng, n_a12, paired)
    diff_value = float(b.mean() - a.mean())
    if paired:
        n = clustered_mean(b - a, ca, binary=False).n
        d = _means(b, ia) - _means(a, ia)
        from scipy import stats  # imported when a comparison is made, not on every summary

        p = 1.0 if np.all(d == 0) else stats.wilcoxon(d, zero_method="zsplit").pvalue
        test = "Wilcoxon signed-rank on cluster means"  # seeds, or parameter sets
    else:
        n = min(clustered_mean(a, ca).n, clustered_mean(b, cb).n)
        # the test of the interval's own statistic: a rank test on seed means compared the
        # seeds' distributions, not the pooled means, and a sweep's fractional seed means
        # against a run's 0s and 1s read p = 0.84 beside an interval of +9 points [+1, +17]
        p = bootstrap_p(diffs, same=bool(np.all(a == a[0]) and np.all(b == a[0])))
        test = "cluster bootstrap of the difference (clusters resampled)"
    lo, hi = map(float, np.quantile(diffs, [0.025, 0.975]))
    if welch is not None:
        lo, hi, p = welch
        test = WELCH_TEST
    return Comparison(
        outcome,
        float(a.mean()),
        float(b.mean()),
        Estimate(diff_value, lo, hi, n),
        Estimate(a12(b, a), *map(float, np.quantile(a12s, [0.025, 0.975])), n),
        test,
        float(p),
        paired,
        n,
    )
