"""The classifier behind ``refine``: P(outcome | swept parameters) from a random forest, new
points where it is nearest 0.5 (spread along the boundary), and the boundary's summary over a
fixed reference sample of the swept space (see :mod:`alliance_sim.analysis.refine`)."""

from __future__ import annotations

from typing import Any

import numpy as np

CANDIDATES_PER_POINT = 50
REFERENCE_POINTS = 4096
BAND = (0.25, 0.75)


def fit(u: np.ndarray, y: np.ndarray, seed: int, leaf: int = 5):
    """A random forest on unit-cube inputs ``u`` and 0/1 outcomes ``y``; its
    ``predict_proba`` estimates P(outcome | parameters)."""
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(
        n_estimators=200, min_samples_leaf=leaf, random_state=seed % 2**32, n_jobs=1
    )
    model.fit(u, y.astype(int))
    return model


def probability(model, u: np.ndarray) -> np.ndarray:
    """P(outcome) at unit-cube points ``u`` (0 or 1 if only one class was seen)."""
    p = model.predict_proba(u)
    classes = list(model.classes_)
    return p[:, classes.index(1)] if 1 in classes else np.zeros(len(u))


def propose(
    u: np.ndarray,
    y: np.ndarray,
    n_points: int,
    seed: int,
    leaf: int = 5,
    integer: list[bool] | None = None,
    spans: list[float] | None = None,
    model_seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray, Any]:
    """``n_points`` new unit-cube points where the fitted P(outcome) is nearest 0.5, kept
    apart from each other.  ``seed`` draws the candidates, ``model_seed`` (default ``seed``)
    the forest.  Returns (points, their P, the model)."""
    from scipy.stats import qmc

    d = u.shape[1]
    model = fit(u, y, seed if model_seed is None else model_seed, leaf)
    rng = np.random.default_rng(seed)
    cand = qmc.LatinHypercube(d, rng=rng).random(max(CANDIDATES_PER_POINT * n_points, 256))
    if integer:
        for j, is_int in enumerate(integer):
            if is_int and spans and spans[j] > 0:  # whole-number parameters: snap to the grid
                cand[:, j] = np.round(cand[:, j] * spans[j]) / spans[j]
    p = probability(model, cand)
    order = np.argsort(np.abs(p - 0.5), kind="stable")
    # spread along the boundary, a (d-1)-dimensional surface: half the spacing n points
    # would have on a unit surface
    min_dist = 0.5 / max(n_points, 1) ** (1 / max(d - 1, 1))
    chosen: list[int] = []
    for i in order:
        if len(chosen) == n_points:
            break
        if all(np.linalg.norm(cand[i] - cand[j]) >= min_dist for j in chosen):
            chosen.append(int(i))
    for i in order:  # too few far apart: fill with the next most uncertain
        if len(chosen) == n_points:
            break
        if int(i) not in chosen:
            chosen.append(int(i))
    idx = np.array(chosen, dtype=int)
    return cand[idx], p[idx], model


def boundary(model, d: int) -> dict[str, float]:
    """The boundary estimate over a fixed reference sample of the unit cube: share with
    P > 0.5, share in the uncertain band 0.25 < P < 0.75."""
    p = probability(model, reference(d))
    return {
        "region": float((p > 0.5).mean()),
        "uncertain_band": float(((p > BAND[0]) & (p < BAND[1])).mean()),
    }


def reference(d: int) -> np.ndarray:
    from scipy.stats import qmc

    return qmc.Sobol(d, rng=np.random.default_rng(20260)).random(REFERENCE_POINTS)
