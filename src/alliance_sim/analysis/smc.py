"""Sequential Monte Carlo ABC (ABC-SMC) over box priors, for simulators that score many
parameter sets at once.

The population Monte Carlo sampler of Beaumont, Cornuet, Marin & Robert (2009, Biometrika
96:983) with adaptive tolerances (Del Moral, Doucet & Jasra 2012; Drovandi & Pettitt 2011):

1. generation 0 draws ``n`` sets from the prior (a Latin hypercube over the box) and scores
   them; the tolerance of the next generation is the ``alpha`` quantile of the accepted
   distances;
2. each later generation proposes sets by drawing a particle of the last population by its
   weight and moving it with a Gaussian kernel whose covariance is twice the population's
   weighted covariance (the "optimal" scale for a Gaussian kernel, Beaumont et al. 2009),
   truncated to the box one coordinate at a time (the GHK construction, Geweke 1991,
   Hajivassiliou & McFadden 1998: with x = theta_j + L z, L the lower Cholesky factor, each
   z_i is drawn from a standard normal cut to the values that keep x_i inside the box given
   z_0 .. z_{i-1}), scores the proposals in batches and keeps those within the tolerance
   until ``n`` are kept;
3. a kept set's weight is prior / sum_j w_j K(theta | theta_j), K that truncated kernel's
   density (the normal densities of the z_i over the probabilities of their ranges; a
   uniform prior is constant on the box), normalised.

Why truncated, not rejected: with 25 parameters, most of which the data leave spread over
their range, the untruncated kernel puts all but a vanishing share of proposals outside the
box; redrawing them took three quarters of a calibration's wall time while the workers
waited (profiled; ``docs/performance.md``), and at the late generations found almost none.

When the weights concentrate on a few particles (effective sample size below
:data:`MIN_ESS_SHARE` of the population: with 30 and more parameters the importance weights
can put most of the mass on a handful of sets), their weighted covariance collapses and
the kernel with it — proposals then sit on one particle and are all accepted, and at one set
the covariance is undefined.  The kernel then takes the population's unweighted covariance
(a valid choice: the weights stay the exact importance weights of whichever kernel proposed).

A prior restricted to part of the box (``allowed``: which rows of an ``(n, d)`` array it
holds, e.g. sets that keep the status thresholds in order) is the uniform prior on that part:
generation 0 draws Latin hypercubes over the box until ``n`` allowed sets are found, and a
proposal outside it is never scored and never kept (the prior's density there is zero, as in
Beaumont et al.'s algorithm, which redraws it); ``simulations`` counts scored sets only.

It stops after ``generations`` or when a generation's acceptance rate falls below
``min_acceptance`` (the tolerance is no longer worth its cost).  ``score(theta)`` maps an
``(n, d)`` array of sets to their ``(n,)`` distances; every draw comes from one
``numpy.random.Generator`` seeded by ``seed``.  ``rejection`` is plain ABC rejection with
the same interface, so both can be compared on the same budget of simulations.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import qmc

from alliance_sim.core.params import BY_NAME


@dataclass
class Population:
    """Accepted sets ``theta`` (n, d), their ``weights`` (sum 1) and ``distances``."""

    theta: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    epsilon: float
    simulations: int

    @property
    def ess(self) -> float:
        """The effective sample size of the weights, 1 / sum w^2 (n for equal weights)."""
        return float(1.0 / np.sum(self.weights**2))


@dataclass
class SMCResult:
    """The final population and the history of tolerances and costs."""

    population: Population
    generations: list[Population] = field(default_factory=list)

    @property
    def simulations(self) -> int:
        """Parameter sets scored over all generations (the budget used)."""
        return sum(g.simulations for g in self.generations)


class EmptyPrior(ValueError):
    """The allowed part of the prior box is too small to draw a generation from."""


MAX_PRIOR_TRIES = 200  # Latin hypercubes of n drawn at most to find n allowed sets


def _prior(
    low: np.ndarray,
    high: np.ndarray,
    n: int,
    rng: np.random.Generator,
    allowed: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    u = qmc.LatinHypercube(len(low), rng=rng).random(n)
    theta = low + u * (high - low)
    if allowed is None:
        return theta
    kept = [theta[allowed(theta)]]
    for _ in range(MAX_PRIOR_TRIES - 1):
        if sum(len(k) for k in kept) >= n:
            break
        more = low + qmc.LatinHypercube(len(low), rng=rng).random(n) * (high - low)
        kept.append(more[allowed(more)])
    theta = np.concatenate(kept)[:n]
    if len(theta) < n:
        raise EmptyPrior(
            f"the prior box holds almost no allowed set ({len(theta)} of "
            f"{MAX_PRIOR_TRIES * n:,} draws): widen the ranges, or move the thresholds "
            "held fixed"
        )
    return theta


def abc_smc(
    score: Callable[[np.ndarray], np.ndarray],
    low: np.ndarray,
    high: np.ndarray,
    *,
    n: int = 500,
    generations: int = 6,
    alpha: float = 0.5,
    min_acceptance: float = 0.02,
    batch: int | None = None,
    seed: int = 0,
    on_generation: Callable[[int, Population], None] | None = None,
    allowed: Callable[[np.ndarray], np.ndarray] | None = None,
) -> SMCResult:
    """ABC-SMC: ``n`` particles per generation, at most ``generations``; ``allowed``: the
    part of the box the prior holds (default: all of it; see module)."""
    rng = np.random.default_rng(seed)
    low, high = np.asarray(low, float), np.asarray(high, float)
    batch = batch or n
    theta = _prior(low, high, n, rng, allowed)
    d = score(theta)
    pop = Population(theta, np.full(n, 1.0 / n), d, float("inf"), n)
    out = SMCResult(pop, [pop])
    if on_generation:
        on_generation(0, pop)
    for g in range(1, generations):
        eps = float(np.quantile(pop.distances, alpha))
        cov = kernel_covariance(pop, low, high)
        chol = np.linalg.cholesky(cov)
        kept_t, kept_d, tried, proposed = [], [], 0, 0
        while sum(len(t) for t in kept_t) < n:
            prop = _propose(pop, chol, low, high, batch, rng)
            proposed += len(prop)
            if allowed is not None:
                prop = prop[allowed(prop)]
            dist = score(prop) if len(prop) else np.empty(0)
            tried += len(prop)
            ok = dist <= eps
            kept_t.append(prop[ok])
            kept_d.append(dist[ok])
            if tried >= n / min_acceptance or (
                allowed is not None and proposed >= MAX_PRIOR_TRIES * n
            ):
                break
        theta = np.concatenate(kept_t)[:n]
        dist = np.concatenate(kept_d)[:n]
        if len(theta) < max(10, n // 10):  # the tolerance is no longer worth its cost
            break
        log_w = -_log_kernel_mix(theta, pop, chol, low, high)  # a uniform prior: constant
        w = np.exp(log_w - log_w.max())
        pop = Population(theta, w / w.sum(), dist, eps, tried)
        out.generations.append(pop)
        out.population = pop
        if on_generation:
            on_generation(g, pop)
        if len(theta) / tried < min_acceptance:
            break
    return out


MIN_ESS_SHARE = 0.1  # below this share of n, the kernel ignores the weights (see module)


def kernel_covariance(pop: Population, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Twice the population's weighted covariance, or its unweighted one when the weights'
    effective sample size is below ``MIN_ESS_SHARE`` of the population; a tiny diagonal
    keeps it positive definite, and a population of one set gets 1% of the prior's."""
    n, d = pop.theta.shape
    w = pop.weights if pop.ess >= MIN_ESS_SHARE * n else None
    cov = 2.0 * np.atleast_2d(np.cov(pop.theta, rowvar=False, aweights=w)) if n > 1 else None
    if cov is None or not np.isfinite(cov).all():
        cov = np.diag((high - low) ** 2 / 12.0 * 0.01)
    return cov + np.eye(d) * 1e-12


def _truncated_normal(a: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The standard normal cut to [a, b] at probability level ``u`` (inverse CDF), from the
    side of the smaller tail so that a range far out keeps its precision."""
    upper = a > 0
    lo = ndtr(np.where(upper, -b, a))
    hi = ndtr(np.where(upper, -a, b))
    z = ndtri(lo + np.where(upper, 1.0 - u, u) * (hi - lo))
    return np.clip(np.where(upper, -z, z), a, b)


def _log_box_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a <= b, from the side of the smaller tail (a range in the
    upper tail is mirrored into the lower one: Phi(-a) - Phi(-b))."""
    upper = a > 0
    lo, hi = np.where(upper, -b, a), np.where(upper, -a, b)
    return np.log(np.maximum(ndtr(hi) - ndtr(lo), 1e-300))


def _propose(
    pop: Population,
    chol: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    size: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``size`` proposals, all inside the box: particles drawn by weight and moved by the
    kernel truncated to the box coordinate by coordinate (see the module docstring)."""
    d = len(low)
    start = pop.theta[rng.choice(len(pop.theta), size=size, p=pop.weights)]
    u = rng.random((size, d))
    z = np.zeros((size, d))
    x = np.empty((size, d))
    for i in range(d):
        centre = start[:, i] + z[:, :i] @ chol[i, :i]
        a, b = (low[i] - centre) / chol[i, i], (high[i] - centre) / chol[i, i]
        z[:, i] = _truncated_normal(a, b, u[:, i])
        x[:, i] = centre + chol[i, i] * z[:, i]
    return np.clip(x, low, high)


def _log_kernel_mix(
    theta: np.ndarray, pop: Population, chol: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """log sum_j w_j K(theta_i | theta_j) for each new set i, K the truncated kernel of
    :func:`_propose` (up to a constant common to all i, which normalising the weights
    removes); in logs, because 25 small densities multiply below the smallest float.

    Each new set's value depends on that set alone, so its rows are computed in two threads
    (numpy and scipy release the GIL on arrays), each column of the kernel's coordinates on
    contiguous arrays: the same operations on the same numbers as one pass over every row,
    the same floats to the bit (``tests/test_smc.py``), in under half the time -- the
    workers wait while it runs, between generations (``docs/performance.md``)."""
    n, m, d = len(theta), len(pop.theta), len(low)
    z = np.zeros((n, m, d))  # (new, old, coordinate): the matmul below reads it as before
    log_k = np.zeros((n, m))
    old_t = np.ascontiguousarray(pop.theta.T)  # coordinate i of every old set, contiguous

    def rows(r0: int, r1: int) -> None:
        zr, lk = z[r0:r1], log_k[r0:r1]
        for i in range(d):
            shift = zr[:, :, :i] @ chol[i, :i]
            base = old_t[i][None, :] + shift
            zi = ((theta[r0:r1, i][:, None] - old_t[i][None, :]) - shift) / chol[i, i]
            zr[:, :, i] = zi
            a = (low[i] - base) / chol[i, i]
            b = (high[i] - base) / chol[i, i]
            lk += -0.5 * zi**2 - _log_box_mass(a, b)

    cuts = [0, n // 2, n] if n >= 64 else [0, n]
    if len(cuts) == 2:
        rows(0, n)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(cuts) - 1) as pool:
            for f in [pool.submit(rows, a, b) for a, b in itertools.pairwise(cuts)]:
                f.result()
    log_k += np.log(pop.weights)[None, :]
    top = log_k.max(1)
    return top + np.log(np.exp(log_k - top[:, None]).sum(1))


def rejection(
    score: Callable[[np.ndarray], np.ndarray],
    low: np.ndarray,
    high: np.ndarray,
    *,
    draws: int,
    keep: int,
    seed: int = 0,
    allowed: Callable[[np.ndarray], np.ndarray] | None = None,
) -> SMCResult:
    """Plain ABC rejection: ``draws`` prior sets (of the ``allowed`` part of the box), the
    ``keep`` closest accepted."""
    rng = np.random.default_rng(seed)
    theta = _prior(np.asarray(low, float), np.asarray(high, float), draws, rng, allowed)
    d = score(theta)
    best = np.argsort(d, kind="stable")[:keep]
    pop = Population(theta[best], np.full(keep, 1.0 / keep), d[best], float(d[best].max()), draws)
    return SMCResult(pop, [pop])


def resample(pop: Population, n: int, seed: int = 0) -> np.ndarray:
    """Indices of ``n`` particles drawn by systematic resampling (equal weights after), in a
    random order: systematic resampling returns them sorted, copies side by side, and a
    forecast's replicate k uses set k -- the first 32 sets of a sorted posterior held 23
    distinct ones, and a 20-run forecast read 60% where 400 runs read 31%."""
    rng = np.random.default_rng(seed)
    positions = (rng.random() + np.arange(n)) / n
    idx = np.minimum(np.searchsorted(np.cumsum(pop.weights), positions), len(pop.weights) - 1)
    return rng.permutation(idx)


class Whole:
    """Whole-number parameters in a continuous sampler: such a parameter (``exit_patience``,
    in quarters) with prior range ``low``-``high`` is sampled on [low, high + 1) and floored,
    so that each whole value of the range is equally likely a priori.  ``latent_high`` is
    the bound the sampler uses; ``decode`` gives the sets as the engines take them."""

    def __init__(self, names: list[str], high: np.ndarray) -> None:
        self.mask = np.array([bool(getattr(BY_NAME.get(n), "integer", False)) for n in names])
        self.high = np.asarray(high, float)
        self.latent_high = self.high + self.mask

    def decode(self, theta: np.ndarray) -> np.ndarray:
        if not self.mask.any():
            return theta
        out = np.array(theta, float, copy=True)
        out[:, self.mask] = np.minimum(np.floor(out[:, self.mask]), self.high[self.mask])
        return out
