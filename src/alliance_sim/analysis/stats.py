"""Statistics for results: bootstrap confidence intervals, effect sizes, paired and unpaired
tests with Holm's correction, and the replicates a given precision needs.

Everything here takes plain arrays or DataFrames and returns numbers, so it can be checked
against synthetic data with known answers (``tests/test_analysis.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def _scipy_stats():
    """scipy.stats, imported on first use (it costs about a second; a member table does not
    need it)."""
    from scipy import stats

    return stats


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval and the sample it came from."""

    value: float
    lo: float
    hi: float
    n: int

    def fmt(self, pct: bool = False, digits: int = 2) -> str:
        if not np.isfinite(self.value):
            return "–"
        if pct:
            return percent_interval(self.value, self.lo, self.hi)
        return f"{self.value:.{digits}f} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"

    def __str__(self) -> str:
        """How a table shows it (pandas prints ``str``): ``0.120 [0.085, 0.166] n=200``."""
        return f"{self.fmt(digits=3)} n={self.n}"


def percent(value: float) -> str:
    """A share in percent with no decimals unless it needs them not to read as 0% or 100%
    ("99.9%", not "100%", for 0.9994; up to 3 decimals); "n/a" for a share of no runs (NaN,
    printed "nan%" before)."""
    if not np.isfinite(value):
        return "n/a"
    for d in range(4):
        shown = round(value * 100, d)
        if (0 < shown < 100 and not (d == 0 and _halfway(value, 0))) or not 0 < value < 1:
            break
    return f"{value:.{d}%}"


def _halfway(value: float, digits: int) -> bool:
    """Whether ``value`` in percent lies half-way between two values at ``digits`` decimals
    (1.5%, 3 runs of 200): printed "2%" in a report's table and "1.5%" in its headline (a new
    user's trial), a whole percent takes a decimal instead."""
    x = value * 100 * 10**digits
    return bool(np.isfinite(x)) and abs(abs(x - round(x)) - 0.5) < 1e-6


def share(value: float) -> str:
    """A share in whole percent, with a decimal where it lies half-way (32.5%, 65 runs of
    200, had printed "32%": Python rounds half to even)."""
    return f"{value:.{1 if _halfway(value, 0) else 0}%}"


def percent_interval(
    value: float, lo: float, hi: float, sep: str = ", ", est_digits: int = 0
) -> str:
    """A probability and its interval in percent, with as few decimals as keep them true:
    the interval does not collapse ("[1%-1%]" for 0.61%-1.13%), holds the estimate as shown
    ("0.8% [1%-1%]"), a probability or a lower bound above zero does not read as 0% ("0.5%",
    not "0%"), and the estimate does not read as on a bound it is not on ("1.2% [0.5%, 2.9%]",
    not "1% [1%, 3%]"); up to 3 decimals.  ``est_digits``: the estimate's fewest decimals
    (the terminal's 1).  A share of no runs (NaN) is "n/a", and a share without an interval
    says so ("nan%" before)."""
    if not np.isfinite([value, lo, hi]).all():
        return f"{percent(value)} [no interval]" if np.isfinite(value) else "n/a"
    d, e = percent_digits(value, lo, hi, est_digits)
    return f"{value:.{e}%} [{lo:.{d}%}{sep}{hi:.{d}%}]"


NEAR = 0.25  # a bound as printed stays within this share of its value (0.58% is not "1%")


def _near(shown: float, bound: float) -> bool:
    """Whether ``shown`` (percent) reads near ``bound`` (a share): within :data:`NEAR` of it,
    or a twentieth of a point."""
    return bound < 5e-6 or abs(shown - bound * 100) <= max(NEAR * bound * 100, 0.05)


def percent_digits(value: float, lo: float, hi: float, est_digits: int = 0) -> tuple[int, int]:
    """The decimals :func:`percent_interval` gives (interval, estimate)."""
    for d in range(4):
        e = max(est_digits, d)
        e += e == 0 and _halfway(value, 0)  # its decimal counted: "2.5% [1%, 2%]" of 1%-2.5%
        low, high, shown = round(lo * 100, d), round(hi * 100, d), round(value * 100, e)
        if (
            (low < high or lo == hi)
            and low <= shown <= high
            and (shown > 0 or value <= 0)
            and (low > 0 or lo < 5e-6)  # "1% [0%, 2%]" of 0.26%-2.2% beside "0.5% [0.1%, 1.8%]"
            and (high < 100 or hi > 1 - 5e-6)  # and its mirror: "[87%, 100%]" of 99.56%
            and (shown != low or value <= lo)  # "1% [1%, 3%]" of 1.25% [0.5%, 2.9%] read as
            and (shown != high or value >= hi)  # an estimate on its bound (helper-75)
            and (
                shown < 100 or value >= 1  # 99.7% is not "100%" (beside a +0.3-point difference)
            )
            # a small bound read near its value: "1.1% [1%-2%]" of 0.58%-2.07% showed the lower
            # bound nearly twice what it is (helper-100); a twentieth of a point is near enough
            and all(_near(r, b) for r, b in ((low, lo), (high, hi)))
        ):
            break
    return d, e


def bootstrap_ci(
    x: np.ndarray,
    statistic: Callable = np.mean,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> Estimate:
    """Percentile bootstrap interval of ``statistic`` over ``x`` (NaNs dropped), using
    ``scipy.stats.bootstrap``; a constant sample gets a zero-width interval."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    value = float(statistic(x))
    if n == 1 or np.all(x == x[0]):
        return Estimate(value, value, value, n)
    res = _scipy_stats().bootstrap(
        (x,),
        statistic,
        confidence_level=confidence,
        n_resamples=n_resamples,
        method="percentile",
        vectorized=True,
        axis=-1,
        rng=np.random.default_rng(seed),
    )
    return Estimate(
        value, float(res.confidence_interval.low), float(res.confidence_interval.high), n
    )


def _vmean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def _vmedian(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.median(x, axis=axis)


LARGE = 5000  # beyond this many values the bootstrap and normal intervals of a mean agree


def mean_ci(x: np.ndarray, seed: int = 0) -> Estimate:
    """Mean with a bootstrap 95% interval; for more than ``LARGE`` values the normal
    interval (mean +/- 1.96 s / sqrt(n)), which the bootstrap reproduces at that size at a
    fraction of the cost."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) > LARGE:
        m, half = float(x.mean()), Z95 * float(x.std(ddof=1)) / np.sqrt(len(x))
        return Estimate(m, m - half, m + half, len(x))
    return bootstrap_ci(x, _vmean, seed=seed)


def median_ci(x: np.ndarray, seed: int = 0) -> Estimate:
    return bootstrap_ci(x, _vmedian, seed=seed)


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval (95% by default) for a proportion of ``k`` in ``n``."""
    if n == 0:
        return (np.nan, np.nan)
    k, n = float(k), float(n)  # 4 * n * n of a numpy integer overflowed (a pooled count)
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def proportion_ci(x: np.ndarray) -> Estimate:
    """Share of ones in a 0/1 sample with its Wilson score 95% interval (sensible at 0 and 1,
    where a bootstrap interval collapses)."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    return Estimate(float(x.mean()), *wilson(float(x.sum()), n), n)


def is_binary(x: np.ndarray) -> bool:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return len(x) > 0 and bool(np.isin(x, (0.0, 1.0)).all())


def a12(x: np.ndarray, y: np.ndarray) -> float:
    """Vargha-Delaney A12: P(X > Y) + P(X = Y) / 2.  0.5 means no effect; 0.56, 0.64 and 0.71
    are the conventional small, medium and large thresholds."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) == 0 or len(y) == 0:
        return np.nan
    ranks = _scipy_stats().rankdata(np.concatenate([x, y]))
    r1 = ranks[: len(x)].sum()
    return float((r1 / len(x) - (len(x) + 1) / 2) / len(y))


def _a12_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A12 of each row pair of x (B, n) against y (B, m), vectorised over rows."""
    ranks = _scipy_stats().rankdata(np.concatenate([x, y], axis=1), axis=1)
    n, m = x.shape[1], y.shape[1]
    return (ranks[:, :n].sum(1) / n - (n + 1) / 2) / m


def a12_magnitude(a: float) -> str:
    """The conventional words for an A12 (Vargha and Delaney 2000); ``no estimate`` for NaN."""
    if not np.isfinite(a):
        return "no estimate"
    d = abs(a - 0.5)
    return "negligible" if d < 0.06 else "small" if d < 0.14 else "medium" if d < 0.21 else "large"


#: risk differences (in probability) below which a 0/1 outcome's change is negligible, small,
#: medium; at or above the last, large.  A rank effect size says little about a rare 0/1
#: outcome (4% -> 12% has an A12 of 0.54, "negligible"), so binary outcomes are worded by the
#: difference in points a reader would quote.
RISK_STEPS = (0.02, 0.05, 0.10)


def risk_magnitude(diff: float) -> str:
    """Words for a difference of two probabilities (``diff`` in 0-1 units) as the table
    prints it, to a tenth of a point: below 2 points negligible, below 5 small, below 10
    medium, else large; ``no estimate`` for NaN."""
    if not np.isfinite(diff):
        return "no estimate"
    d = round(abs(diff) * 100, 1) / 100 + 1e-9  # worded as the table prints it: 1.96 is "2.0"
    names = ("negligible", "small", "medium")
    return next((w for w, step in zip(names, RISK_STEPS, strict=True) if d < step), "large")


UNCLEAR = "unclear (its interval or its test includes no difference)"
#: a size its own test supports but Holm's correction over the report's comparisons does not
#: (a headline read "a small difference (p = 0.016, Holm-adjusted 0.234)" beside a table
#: that bolds only Holm p < 0.05)
UNCLEAR_HOLM = "unclear once the comparisons are counted (Holm-adjusted p >= 0.05)"
#: effect words that say there is nothing to rank (headlines skip them)
NOT_AN_EFFECT = (
    "negligible",
    "no variation",
    "no estimate (too few runs)",
    UNCLEAR,
    UNCLEAR_HOLM,
)


def effect_label(c: Comparison, a: np.ndarray, b: np.ndarray, binary: bool = False) -> str:
    """How big B's difference from A is, in words: ``no variation`` when both samples hold
    one and the same value (an A12 of 0.5 there is no finding), ``no estimate (too few
    runs)`` when there are fewer than two, else the magnitude of the risk difference for a 0/1
    outcome (``binary``, :func:`risk_magnitude`; ``unclear`` when its interval includes no
    difference) or of the A12 otherwise."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if c.test == "too few runs" or not np.isfinite(c.a12.value):
        return "no estimate (too few runs)"
    both = np.concatenate([a, b])
    if len(both) and np.all(both == both[0]):
        return "no variation"
    size = risk_magnitude(c.diff.value) if binary else a12_magnitude(c.a12.value)
    if (c.diff.lo > 0 or c.diff.hi < 0) and c.p < 0.05:
        return size  # a difference its interval and its test both tell from none
    # otherwise a size is not told: an exact McNemar test on 4 discordant pairs, p = 0.125,
    # beside Newcombe's interval clear of 0 (with few pairs the exact test is the one to
    # believe); a BLR commitment -0.035 [-0.109, +0.032], p = 0.30, was "small" and ranked
    # among the findings; and "negligible" only where the interval itself is: +1 point
    # [-1, +3], p = 0.63 read "negligible" though it does not rule out 3 points
    return "negligible" if within_negligible(c.diff, c.a12, binary) else UNCLEAR


def within_negligible(diff: Estimate, a12: Estimate, binary: bool) -> bool:
    """Whether a difference's whole 95% interval lies in the negligible band: under 2 points
    for a probability (``diff``; the ends as the table prints them, to a tenth of a point),
    |A12 - 0.5| < 0.06 otherwise (``a12``)."""
    if binary:  # the ends as the table prints them (1.96 reads "2.0" there)
        ends = [diff.lo, diff.hi]
        return bool(
            np.isfinite(ends).all() and all(risk_magnitude(e) == "negligible" for e in ends)
        )
    return bool(
        np.isfinite([a12.lo, a12.hi]).all() and max(abs(a12.lo - 0.5), abs(a12.hi - 0.5)) < 0.06
    )


@dataclass(frozen=True)
class Comparison:
    """Scenario B against scenario A on one outcome."""

    outcome: str
    mean_a: float
    mean_b: float
    diff: Estimate  # mean(B) - mean(A)
    a12: Estimate  # P(B > A) + ties / 2
    test: str
    p: float
    paired: bool
    n: int


def compare_samples(
    outcome: str,
    a: np.ndarray,
    b: np.ndarray,
    *,
    paired: bool,
    binary: bool,
    seed: int = 0,
    n_resamples: int = 2000,
) -> Comparison:
    """Difference of B from A with bootstrap CIs (pairs resampled together when paired), the
    A12 effect size and a test: McNemar (exact) or Wilcoxon signed-rank when paired, Fisher's
    exact test or Mann-Whitney U otherwise.  Every run is taken as independent; where runs
    share seeds use :func:`alliance_sim.analysis.design.compare`."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if paired:
        ok = np.isfinite(a) & np.isfinite(b)
        a, b = a[ok], b[ok]
    else:
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    n = min(len(a), len(b))
    if n < 2:
        nan = Estimate(np.nan, np.nan, np.nan, n)
        return Comparison(outcome, np.nan, np.nan, nan, nan, "too few runs", np.nan, paired, n)
    rng = np.random.default_rng(seed)
    if paired:
        idx = rng.integers(0, len(a), (n_resamples, len(a)))
        ia, ib = idx, idx
    else:
        ia = rng.integers(0, len(a), (n_resamples, len(a)))
        ib = rng.integers(0, len(b), (n_resamples, len(b)))
    diffs = b[ib].mean(1) - a[ia].mean(1)
    a12s = _a12_rows(b[ib[:1000]], a[ia[:1000]])
    diff = Estimate(float(b.mean() - a.mean()), *np.quantile(diffs, [0.025, 0.975]), n)
    eff = Estimate(a12(b, a), *np.quantile(a12s, [0.025, 0.975]), n)
    if binary and paired:
        b01 = int(((a == 0) & (b == 1)).sum())
        b10 = int(((a == 1) & (b == 0)).sum())
        p = 1.0 if b01 + b10 == 0 else _scipy_stats().binomtest(b01, b01 + b10, 0.5).pvalue
        test = "McNemar (exact)"
    elif binary:
        table = [[int(b.sum()), len(b) - int(b.sum())], [int(a.sum()), len(a) - int(a.sum())]]
        p = _scipy_stats().fisher_exact(table).pvalue
        test = "Fisher exact"
    elif paired:
        d = b - a
        p = 1.0 if np.all(d == 0) else _scipy_stats().wilcoxon(b, a, zero_method="zsplit").pvalue
        test = "Wilcoxon signed-rank"
    else:
        p = (
            1.0
            if np.all(a == a[0]) and np.all(b == a[0])
            else _scipy_stats().mannwhitneyu(b, a, alternative="two-sided").pvalue
        )
        test = "Mann-Whitney U"
    return Comparison(
        outcome, float(a.mean()), float(b.mean()), diff, eff, test, float(p), paired, n
    )


def holm(p: np.ndarray | list[float]) -> np.ndarray:
    """Holm's step-down adjustment of p-values (controls the family-wise error rate)."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q)
    adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def paired_key(
    runs_a: pd.DataFrame, runs_b: pd.DataFrame, swept_a: list[str], swept_b: list[str]
) -> list[str] | None:
    """Columns on which two result sets' runs pair up (same seed, and the same point where
    both swept the same values), or None when they cannot be paired."""
    if set(runs_a["seed"]) != set(runs_b["seed"]):
        return None
    if not swept_a and not swept_b:
        key = ["seed"]
    elif swept_a == swept_b:
        key = ["seed", *swept_a]
    else:
        return None
    if runs_a.duplicated(key).any() or runs_b.duplicated(key).any():
        return None
    merged = runs_a[key].merge(runs_b[key], on=key)
    return key if len(merged) == len(runs_a) == len(runs_b) else None
