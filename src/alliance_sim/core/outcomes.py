"""Named outcomes of runs, accumulated quarter by quarter (shared by every driver).

A :class:`Tracker` sees the state after every quarter, whatever the driver records, so
outcomes such as the minimum cohesion or the quarter of an exit are exact even when the stored
time series is thinned.  Outcomes are ``(R,)`` float arrays keyed by name; NaN where they do
not apply (a candidate that never joined, a member that never left).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.observations import observe
from alliance_sim.core.state import Params, State

ALLIES = mb.ALLIES
CANDIDATES = ("IRN", "UZB")  # states that may apply from outside: joined / refused outcomes
PER_MEMBER = (
    "commitment",
    "credibility",
    "status",
    "suspended",
    "exited",
    "exit_step",
    "ever_suspended",
    "min_commitment",
    "blocked",  # 1 if the member blocked an application (consensus) during the run
)
ALLIANCE = (
    "cohesion_final",
    "cohesion_min",
    "cohesion_mean",
    "capability_cohesion_final",
    "IRN_joined",  # 1 if the candidate is a member at the horizon (0 if it never got in)
    "IRN_refused",  # 1 if the members refused an application of Iran's during the run
    "UZB_joined",  # 1 if Uzbekistan is a member at the horizon (outside since 2012 in forecasts)
    "UZB_refused",  # 1 if the members refused an application of Uzbekistan's during the run
    "n_hedging",
    "n_suspended",
    "n_exited",
    "russian_influence",
    "western_influence",
    "chinese_influence",
)  # in the order Tracker.result() yields them (the columns of the runs table)


TRACKED = (
    "commitment",
    "grievance",
    "status",
    "pressure",
    "western_ties",
    "chinese_ties",
    "appealed",
    "answered",
)


def snapshot(s: State, P: Params) -> dict[str, np.ndarray]:
    """What is recorded each quarter (the same keys as ``AllianceModel.history``)."""
    snap = {k: getattr(s, k).copy() for k in TRACKED}
    snap["credibility"] = dyn.credibility(s)
    snap["cohesion"] = dyn.cohesion(s, P)
    snap["capability_cohesion"] = dyn.capability_cohesion(s, P)
    snap["bandwidth"] = s.bandwidth.copy()
    snap.update(dyn.influence(s, P))
    snap.update(observe(s, P))
    return snap


@dataclass(frozen=True)
class Trajectory:
    """Recorded quarters of R runs, time first: per-member series ``(S, R, M)``, per-run
    series ``(S, R)``; ``steps`` (S,) are the steps recorded (0 is the initial state).
    ``traj["commitment"]`` reads a series."""

    series: dict[str, np.ndarray]
    steps: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.series[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.series)

    @classmethod
    def stack(cls, snapshots: list[dict[str, np.ndarray]], steps: list[int]) -> Trajectory:
        """Snapshots (one per recorded step, as :func:`snapshot` returns) stacked in time."""
        return cls({k: np.stack([h[k] for h in snapshots]) for k in snapshots[0]}, np.array(steps))

    def at_steps(self, keep: np.ndarray) -> Trajectory:
        """The same runs at a subset of the recorded steps."""
        idx = np.searchsorted(self.steps, keep)
        return Trajectory({k: v[idx] for k, v in self.series.items()}, self.steps[idx])

    @classmethod
    def concat(cls, trajs: list[Trajectory]) -> Trajectory:
        """Trajectories of different runs (same steps) side by side on the run axis."""
        return cls(
            {k: np.concatenate([t.series[k] for t in trajs], axis=1) for k in trajs[0].series},
            trajs[0].steps,
        )


def outcome_names() -> list[str]:
    """Every outcome a run yields, in order."""
    return [f"{c}_{k}" for c in ALLIES for k in PER_MEMBER] + list(ALLIANCE)


class Tracker:
    """Accumulates outcomes over the quarters of R runs."""

    def __init__(self, s: State, P: Params) -> None:
        self.P = P
        R, M = s.status.shape
        self.joined = np.zeros((R, M), dtype=bool)
        self.ever_suspended = np.zeros((R, M), dtype=bool)
        self.min_c = np.full((R, M), np.inf)
        self.coh_min = np.full(R, np.inf)
        self.coh_sum = np.zeros(R)
        self.n = 0
        self.update(s)

    @classmethod
    def from_arrays(
        cls,
        last: State,
        P: Params,
        joined: np.ndarray,
        ever_suspended: np.ndarray,
        min_c: np.ndarray,
        coh_min: np.ndarray,
        coh_sum: np.ndarray,
        n: int,
    ) -> Tracker:
        """A tracker that has seen ``n`` states (the initial one included), from what an
        engine accumulated itself (the compiled kernel), ending in ``last``."""
        tr = cls.__new__(cls)
        tr.P, tr.last, tr.n = P, last, n
        tr.joined, tr.ever_suspended, tr.min_c = joined, ever_suspended, min_c
        tr.coh_min, tr.coh_sum = coh_min, coh_sum
        return tr

    def update(self, s: State) -> None:
        """Take in the state after a quarter (and the initial state)."""
        member = s.status > mb.CANDIDATE
        self.joined |= member
        self.ever_suspended |= s.status == mb.SUSPENDED
        self.min_c = np.minimum(self.min_c, np.where(member, s.commitment, np.inf))
        coh = dyn.cohesion(s, self.P)
        self.coh_min = np.minimum(self.coh_min, coh)
        self.coh_sum += coh
        self.n += 1
        self.last = s

    def result(self) -> dict[str, np.ndarray]:
        """Outcomes at the horizon: for each ally its final commitment, credibility and
        status code (see ``members.STATUS_NAMES``), whether it is suspended or has exited at
        the end (1/0), the step of its exit, whether it was ever suspended and its lowest
        commitment; alliance-wide cohesion (final, minimum, mean over quarters), capability
        cohesion, counts of hedging, suspended and exited allies, and influence shares."""
        s, P = self.last, self.P
        out: dict[str, np.ndarray] = {}
        final = s.status
        exit_step = np.where(s.exit_step >= 0, s.exit_step, np.nan).astype(float)
        for code in ALLIES:
            i = mb.INDEX[code]
            values = {
                "commitment": s.commitment[:, i],
                "credibility": dyn.credibility(s)[:, i],
                "status": final[:, i],
                "suspended": final[:, i] == mb.SUSPENDED,
                "exited": final[:, i] == mb.EXITED,
                "exit_step": exit_step[:, i],
                "ever_suspended": self.ever_suspended[:, i],
                "min_commitment": self.min_c[:, i],
                "blocked": s.blocked[:, i],
            }
            for k in PER_MEMBER:
                out[f"{code}_{k}"] = np.where(
                    self.joined[:, i], np.asarray(values[k], float), np.nan
                )
        out["cohesion_final"] = dyn.cohesion(s, P)
        out["cohesion_min"] = self.coh_min.copy()
        out["cohesion_mean"] = self.coh_sum / self.n
        out["capability_cohesion_final"] = dyn.capability_cohesion(s, P)
        for code in CANDIDATES:  # a member at the horizon: joined and not left
            st = final[:, mb.INDEX[code]]
            out[f"{code}_joined"] = ((st > mb.CANDIDATE) & (st != mb.EXITED)).astype(float)
            out[f"{code}_refused"] = s.refused[:, mb.INDEX[code]].astype(float)
        allies = ~P.patron
        for k, st in (
            ("n_hedging", mb.HEDGING),
            ("n_suspended", mb.SUSPENDED),
            ("n_exited", mb.EXITED),
        ):
            out[k] = ((final == st) & allies).sum(-1).astype(float)
        out.update({k: v.astype(float) for k, v in dyn.influence(s, P).items()})
        return out
