"""Replicate noise in the point means of a design run under common random numbers (used by
``robustness``, ``robustness --against`` and ``sensitivity``)."""

from __future__ import annotations

import numpy as np


def replicate_noise(m: np.ndarray) -> float:
    """The replicate noise left in the point means of ``m`` (design points x replicates, one
    run each; NaN where the outcome is not defined): the variance of a point's mean that its
    runs' draws add.  Replicate k has the same seed (and posterior set and replay state) at
    every point -- common random numbers -- so what a replicate adds to every point alike
    does not blur the differences between points: the noise is the seed-by-point
    interaction, the residual mean square of the additive fit point + replicate, divided by
    the runs behind a point's mean.  A replicate undefined at every point (its replay does
    not have the member) is left out; where the table has gaps (a member that rejoins at
    some points only, a failed run) the additive fit is made on the cells there are (by
    alternating means), not replaced by each point's own variance, which counts what a
    replicate adds to every point alike and read a noise share of 0.80 for 0.05 where ten runs
    of 1,280 failed (helper-106).  NaN where it cannot be measured: one replicate, or no
    degree of freedom left."""
    m = np.asarray(m, float)
    m = m.reshape(-1, 1) if m.ndim != 2 else m
    ok = np.isfinite(m)
    m, ok = m[:, ok.any(axis=0)], ok[:, ok.any(axis=0)]
    m, ok = m[ok.any(axis=1)], ok[ok.any(axis=1)]
    n_pts, n_rep = m.shape
    runs = ok.sum(axis=1)
    if n_rep < 2:
        return float("nan")
    if n_pts < 2:  # one point: its own runs' variance of their mean
        return float(np.nanvar(m, ddof=1) / runs[0]) if runs[0] > 1 else float("nan")
    if ok.all():
        e = m - m.mean(1, keepdims=True) - m.mean(0, keepdims=True) + m.mean()
        return float((e**2).sum() / ((n_pts - 1) * (n_rep - 1)) / n_rep)
    df = int(ok.sum()) - n_pts - n_rep + 1
    if df < 1:
        return float("nan")
    x = np.where(ok, m, 0.0)
    a, b = np.zeros((n_pts, 1)), np.zeros((1, n_rep))
    for _ in range(500):  # alternating means: point effects given replicate effects, and back
        a_new = ((x - b) * ok).sum(1, keepdims=True) / runs[:, None]
        b_new = ((x - a_new) * ok).sum(0, keepdims=True) / ok.sum(0, keepdims=True)
        done = max(np.abs(a_new - a).max(), np.abs(b_new - b).max()) < 1e-12
        a, b = a_new, b_new
        if done:
            break
    e = np.where(ok, x - a - b, 0.0)
    return float((e**2).sum() / df * np.mean(1.0 / runs))
