"""Named outcomes of runs, computed from recorded trajectories (shared by every driver).

A trajectory is a dict of arrays with time first: per-member quantities ``(T+1, R, M)``,
per-run ones ``(T+1, R)``.  Outcomes are ``(R,)`` arrays keyed by name.
"""

from __future__ import annotations

import numpy as np

from alliance_sim import members as mb

ALLIES = tuple(c for c in mb.CODES if c != "RUS")


def outcome_names() -> list[str]:
    """Every outcome :func:`outcomes` returns, in order."""
    per = [
        "commitment",
        "credibility",
        "status",
        "suspended",
        "exited",
        "exit_step",
        "min_commitment",
    ]
    return [f"{c}_{k}" for c in ALLIES for k in per] + [
        "cohesion_final",
        "cohesion_min",
        "cohesion_mean",
        "capability_cohesion_final",
        "n_suspended",
        "n_exited",
        "russian_influence",
        "western_influence",
        "chinese_influence",
    ]


def outcomes(traj: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Outcomes at the horizon: for each ally its final commitment, credibility and status
    code, whether it is suspended (1/0) or has exited (1/0) at the end, the step of its exit
    (NaN if none), its lowest commitment; and alliance-wide cohesion (final, minimum, mean),
    counts of suspended and exited allies and influence shares at the end.  Values for a
    candidate that never joined are NaN."""
    c, st = traj["commitment"], traj["status"]
    final = st[-1]
    joined = (st > mb.CANDIDATE).any(axis=0)  # (R, M)
    out: dict[str, np.ndarray] = {}
    exited_at = np.where(
        (st == mb.EXITED).any(axis=0), np.argmax(st == mb.EXITED, axis=0).astype(float), np.nan
    )
    masked_c = np.where(st > mb.CANDIDATE, c, np.inf)
    for code in ALLIES:
        i = mb.INDEX[code]
        nan = ~joined[:, i]

        def put(key: str, v: np.ndarray) -> None:
            out[f"{code}_{key}"] = np.where(nan, np.nan, np.asarray(v, dtype=float))  # noqa: B023

        put("commitment", c[-1, :, i])
        put("credibility", traj["credibility"][-1, :, i])
        put("status", final[:, i])
        put("suspended", final[:, i] == mb.SUSPENDED)
        put("exited", final[:, i] == mb.EXITED)
        put("exit_step", exited_at[:, i])
        put("min_commitment", masked_c[:, :, i].min(axis=0))
    coh = traj["cohesion"]
    out["cohesion_final"] = coh[-1].astype(float)
    out["cohesion_min"] = coh.min(axis=0).astype(float)
    out["cohesion_mean"] = coh.mean(axis=0).astype(float)
    out["capability_cohesion_final"] = traj["capability_cohesion"][-1].astype(float)
    allies = ~np.array([c == "RUS" for c in mb.CODES])
    out["n_suspended"] = ((final == mb.SUSPENDED) & allies).sum(-1).astype(float)
    out["n_exited"] = ((final == mb.EXITED) & allies).sum(-1).astype(float)
    for k in ("russian_influence", "western_influence", "chinese_influence"):
        out[k] = traj[k][-1].astype(float)
    return out
