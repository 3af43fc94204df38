"""Is the observation model calibrated member by member?  Each member's predicted rate of each
kind of observable in the replay against its recorded rate, and the per-member offsets that
make it so.

For every member and kind of observation in the fit window (UN votes with Russia, summit
attendance, exercise contingents, budget payments, statuses), the recorded rate is the share
of the member's recorded occasions that came out 1; the predicted rate is the mean, over the
same occasions and over fresh replay runs of the posterior, of the model's probability.  A
fitted model that tracks the record member by member has every gap within ``TOLERANCE``
(the issue's ±0.1); the table says where it does not.

**Member offsets.**  The observation model of :mod:`alliance_sim.core.observations` maps a
member's commitment to what it does with cut-points common to all members.  The record says
members differ in ways commitment does not carry: the Central Asians abstained on every
Georgia text while voting with Russia on most Crimea ones; Armenia voted with Russia on
Georgia until 2018 whatever its commitment.  So each member has, for each kind of observable,
an offset on the logit scale, ``P = logistic(logit(p_model) + offset[member, kind])``, fitted
on the record up to the cut (the fit window only: a backtest's offsets never see what they
forecast) by maximum a posteriori: the Bernoulli likelihood of the member's recorded
occasions under the replay runs' probabilities, with a normal prior of standard deviation
``PRIOR_SD`` centred on 0 (no member-specific stance).  ``PRIOR_SD`` = 4 logits is an
assumption, plausible 2-6, set before any scored run with offsets: at the registry's
``obs_scale`` (0.05 commitment per logit) it is a stance worth 0.2 of commitment, at the
scale the 2006-2024 fit prefers (median 0.15) about 0.6 — a wide prior, under which a
member's own record dominates after a handful of occasions.  A member or kind with no
occasion before the cut keeps offset 0.  Statuses have no offset (they are the run's own),
and a suspended member's boycott (``obs_suspended``) is not moved.  The offsets change no
trajectory: observations draw nothing and change no state, so Mesa and the batch engine stay
identical; they change what the model predicts one would see.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import expit, logit

from alliance_sim.analysis import record as rc
from alliance_sim.core import quarters
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.plan import replicate_seed, spec_for
from alliance_sim.scenario.spec import Scenario

TOLERANCE = 0.1
PRIOR_SD = 4.0  # logit scale; assumption (see the module docstring), plausible 2-6
BOUND = 12.0  # |offset| at most this, in logits (the replay's probabilities can be 1 - 1e-6)
EPS = 1e-6


def replay_probabilities(
    sc: Scenario,
    sets: list[dict[str, float]] | None,
    runs: int = 400,
    seed: int = 0,
    until: int | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The recorded observations of the replay's window (to step ``until``), each fresh
    replay run's probability of each, ``(runs, n_obs)``, and where an offset may move it
    (:func:`alliance_sim.analysis.record.movable`); ``sets`` cycled over the runs."""
    last = sc.end if until is None else quarters.shift(sc.start, until)
    obs = rc.window(quarters.shift(sc.start, 1), last).reset_index(drop=True)
    if obs.empty:
        return obs, np.zeros((runs, 0)), np.zeros((runs, 0), bool)
    points = [sets[k % len(sets)] if sets else {} for k in range(runs)]
    seeds = [replicate_seed(seed + 104729, k) for k in range(runs)]
    series = ("commitment", "status", *(s for s in rc.SERIES.values() if s != "out"))
    traj, _ = run_batch([spec_for(sc, p) for p in points], seeds, series=series)
    return obs, rc.predicted(obs, traj, sc.start), rc.movable(obs, traj, sc.start)


def fit_offsets(
    obs: pd.DataFrame,
    p: np.ndarray,
    movable: np.ndarray | None = None,
    prior_sd: float = PRIOR_SD,
) -> pd.DataFrame:
    """Rows ``member, kind, n, offset``: each member's offset for each kind of observation
    (not statuses), fitted to ``obs['observed']`` under the runs' probabilities ``p``; an
    offset moves only the runs' probabilities where ``movable`` (default: all but
    statuses), so a suspended member's boycott stays what the model says."""
    movable = np.ones(p.shape, bool) if movable is None else movable
    lp = logit(np.clip(p, EPS, 1 - EPS))
    y = obs["observed"].to_numpy(float)
    rows = []
    for (member, kind), idx in obs.groupby(["member", "kind"]).indices.items():
        if kind == "status":
            continue
        li, yi, mi, pi = lp[:, idx], y[idx], movable[:, idx], p[:, idx]

        def loss(d, li=li, yi=yi, mi=mi, pi=pi):
            q = np.clip(np.where(mi, expit(li + d), pi).mean(0), EPS, 1 - EPS)
            ll = (yi * np.log(q) + (1 - yi) * np.log(1 - q)).sum()
            return -ll + d * d / (2 * prior_sd**2)

        d = minimize_scalar(loss, bounds=(-BOUND, BOUND), method="bounded").x
        rows.append({"member": member, "kind": kind, "n": len(idx), "offset": float(d)})
    return pd.DataFrame(rows, columns=["member", "kind", "n", "offset"])


def apply_offsets(
    obs: pd.DataFrame,
    p: np.ndarray,
    offsets: pd.DataFrame | None,
    movable: np.ndarray | None = None,
) -> np.ndarray:
    """``p`` (runs, n_obs) with each observation's member-and-kind offset added on the logit
    scale where ``movable`` (:func:`alliance_sim.analysis.record.movable`; default: all);
    statuses, and members or kinds without an offset, unchanged."""
    if offsets is None or offsets.empty or not len(obs):
        return p
    key = obs["member"] + "|" + obs["kind"]
    table = dict(zip(offsets["member"] + "|" + offsets["kind"], offsets["offset"], strict=True))
    d = key.map(table).fillna(0.0).to_numpy(float, copy=True)
    d[(obs["kind"] == "status").to_numpy()] = 0.0
    moved = expit(logit(np.clip(p, EPS, 1 - EPS)) + d[None, :])
    keep = d[None, :] == 0.0
    if movable is not None:
        keep = keep | ~movable
    return np.where(keep, p, moved)


def member_rates(
    sc: Scenario,
    sets: list[dict[str, float]] | None,
    runs: int = 400,
    seed: int = 0,
    until: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows ``member, kind, n, recorded, predicted, gap, within, common`` over the replay's
    window (to step ``until``) — ``predicted`` with the member offsets fitted there,
    ``common`` without them — and the offsets (:func:`fit_offsets`)."""
    obs, p, mov = replay_probabilities(sc, sets, runs, seed, until)
    cols = ["member", "kind", "n", "recorded", "predicted", "gap", "within", "common"]
    if obs.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["member", "kind", "n", "offset"])
    offsets = fit_offsets(obs, p, mov)
    t = obs.assign(predicted=apply_offsets(obs, p, offsets, mov).mean(0), common=p.mean(0))
    out = (
        t.groupby(["member", "kind"])
        .agg(
            n=("observed", "size"),
            recorded=("observed", "mean"),
            predicted=("predicted", "mean"),
            common=("common", "mean"),
        )
        .reset_index()
    )
    out["gap"] = out["predicted"] - out["recorded"]
    out["within"] = np.abs(out["gap"]) <= TOLERANCE
    return out[cols], offsets
