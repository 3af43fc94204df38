"""The SMC sampler's kernel density (analysis/smc._log_kernel_mix), computed row by row in two
threads on contiguous columns, gives the floats of the formula written plainly, to the bit:
a calibration returns the same sets whichever way it is computed."""

import numpy as np
import pytest

from alliance_sim.analysis.smc import (
    Population,
    _log_box_mass,
    _log_kernel_mix,
    kernel_covariance,
)


def plain(theta, pop, chol, low, high):
    """log sum_j w_j K(theta_i | theta_j), every row at once (the code before 2026-12-07)."""
    diff = theta[:, None, :] - pop.theta[None, :, :]
    z = np.zeros(diff.shape)
    log_k = np.zeros(diff.shape[:2])
    for i in range(len(low)):
        shift = z[:, :, :i] @ chol[i, :i]
        base = pop.theta[None, :, i] + shift
        z[:, :, i] = (diff[:, :, i] - shift) / chol[i, i]
        a = (low[i] - base) / chol[i, i]
        b = (high[i] - base) / chol[i, i]
        log_k += -0.5 * z[:, :, i] ** 2 - _log_box_mass(a, b)
    log_k += np.log(pop.weights)[None, :]
    top = log_k.max(1)
    return top + np.log(np.exp(log_k - top[:, None]).sum(1))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # log of a zero weight
@pytest.mark.parametrize("trial", range(12))
def test_the_kernel_density_is_the_plain_formulas_to_the_bit(trial):
    rng = np.random.default_rng(trial)
    d, n, m = int(rng.integers(1, 36)), int(rng.integers(1, 300)), int(rng.integers(1, 300))
    if trial == 0:
        n = 63  # one thread (below 64 rows), then two
    low = rng.normal(size=d)
    high = low + rng.random(d) * 3
    weights = rng.dirichlet(np.ones(m))
    weights[rng.random(m) < 0.1] = 0.0  # underflowed weights: log 0 = -inf, as in a fit
    pop = Population(low + rng.random((m, d)) * (high - low), weights, rng.random(m), 1.0, m)
    scale = [0.01, 1.0, 100.0][trial % 3]  # narrow, typical and wide kernels
    chol = np.linalg.cholesky(kernel_covariance(pop, low, high) * scale)
    theta = low + rng.random((n, d)) * (high - low)
    want, got = plain(theta, pop, chol, low, high), _log_kernel_mix(theta, pop, chol, low, high)
    assert got.shape == (n,)
    assert np.array_equal(want.view(np.int64), got.view(np.int64))  # every bit, NaN/inf too
