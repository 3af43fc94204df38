"""The Mesa model: CSTO members and outside actors as agents, stepping quarter by quarter.

This is the reference driver.  The state of the run lives in arrays of shape ``(1, M)``
(:class:`alliance_sim.state.State`); each agent reads and writes its own column through the pure
functions of :mod:`alliance_sim.core.dynamics`, which the batch engine applies to many runs at once.

Order of one quarter (one ``step``):

1. scheduled events happen (``events.Schedule``); a new member gets an agent;
2. outside actors act: Russia applies pressure, the West and China make offers;
3. Article 4: members under attack, in unrest or in a clash appeal; the alliance answers or
   not; every member updates its belief, grievance and felt threat;
4. each member weighs membership and moves its commitment (``shuffle_do("decide")``);
5. each member updates its status (``do("update_status")``), then others read defections.

Members decide from their own column and from last quarter's alliance-wide signal, so the
random activation order does not change the outcome.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import mesa
import numpy as np

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Event, Schedule
from alliance_sim.core.outcomes import Tracker, snapshot
from alliance_sim.core.params import BY_NAME
from alliance_sim.core.quarters import shift
from alliance_sim.core.state import N_DRAWS, Params, State


class Member(mesa.Agent):
    """A member of the CSTO (or the candidate, once it joins).  ``code`` is its ISO code."""

    def __init__(self, model: AllianceModel, code: str) -> None:
        super().__init__(model)
        self.code = code
        self.index = mb.INDEX[code]
        self.cols = slice(self.index, self.index + 1)

    # the member's state, read from the model's arrays
    def _get(self, name: str) -> Any:
        return getattr(self.model.state, name)[0, self.index]

    @property
    def commitment(self) -> float:
        """Commitment to the alliance, 0 (none) to 1 (full)."""
        return float(self._get("commitment"))

    @property
    def credibility(self) -> float:
        """Belief that Article 4 will be honoured for it (posterior mean)."""
        return float(dyn.credibility(self.model.state, self.cols)[0, 0])

    @property
    def grievance(self) -> float:
        return float(self._get("grievance"))

    @property
    def status(self) -> str:
        """``active``, ``hedging``, ``suspended`` or ``exited``."""
        return mb.STATUS_NAMES[int(self._get("status"))]

    @property
    def pressure(self) -> float:
        return float(self._get("pressure"))

    @property
    def western_ties(self) -> float:
        return float(self._get("western_ties"))

    @property
    def chinese_ties(self) -> float:
        return float(self._get("chinese_ties"))

    def decide(self) -> None:
        """Weigh membership and move commitment toward what the weighing favours."""
        m, s = self.model, self.model.state
        target = dyn.weigh(s, m.P, s.pressure, self.cols)
        s.commitment[:, self.cols] = dyn.move_commitment(s, m.P, target, m.draws, self.cols)

    def update_status(self) -> None:
        """Change status when commitment has stayed past a threshold long enough."""
        m, s = self.model, self.model.state
        new = dyn.next_status(s, m.P, s.commitment[:, self.cols], m.draws, m.steps, self.cols)
        for name, value in new.items():
            getattr(s, name)[:, self.cols] = value


class Russia(Member):
    """Russia: the patron member.  Its commitment is not in question; it acts by pressure."""

    def act(self) -> None:
        """Apply pressure to each ally within the bandwidth the war leaves."""
        self.model.state.pressure = dyn.russian_pressure(self.model.state, self.model.P)

    def decide(self) -> None:  # the patron does not weigh leaving its own alliance
        pass

    def update_status(self) -> None:
        pass


class West(mesa.Agent):
    """The US and the EU: courts open members, more so as they drift from Russia."""

    def act(self) -> None:
        self.model.state.western_ties = dyn.renewed_western_ties(self.model.state, self.model.P)


class China(mesa.Agent):
    """China: follows its trade, offers SCO cooperation, steps up where Russia is distracted."""

    def act(self) -> None:
        self.model.state.chinese_ties = dyn.renewed_chinese_ties(self.model.state, self.model.P)


def unknown_parameter_message(name: str) -> str:
    close = difflib.get_close_matches(name, BY_NAME, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter {name!r}{hint}"


class AllianceModel(mesa.Model):
    """The CSTO as an agent-based model, one step per quarter.

    Args:
        rng: seed of the run (an int makes it reproducible: same seed, same trajectory).
        start: the quarter the initial state describes ("2024Q1"); step k is ``start + k``.
        end: optional last quarter; the model stops (``running`` False) when it gets there.
        members: per-member overrides of the profiles, ``{"ARM": {"pressure_tolerance": 0.1}}``.
        events: scheduled :class:`~alliance_sim.events.Event` objects.
        **params: global parameters by registry name (see ``parameters()``).
    """

    def __init__(
        self,
        rng: int | None = None,
        *,
        start: str = "2024Q1",
        end: str | None = None,
        members: dict[str, dict[str, Any]] | None = None,
        events: Iterable[Event] = (),
        **params: Any,
    ) -> None:
        for name in params:
            if name not in BY_NAME:
                raise ValueError(unknown_parameter_message(name))
        if rng is None:
            rng = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        super().__init__(rng=rng)
        self.seed = int(rng)
        self.start = start
        self.end = end
        self.stream = np.random.default_rng(self.seed)  # the run's dynamics draws
        profiles = mb.load_profiles().with_overrides(members or {})
        self.P = Params.build(1, params, profiles)
        self.state: State = dyn.initial_state(self.P)
        self.schedule = Schedule.build(list(events), start)
        self.draws = np.zeros((1, N_DRAWS, len(mb.CODES)))
        self.history: list[dict[str, np.ndarray]] = []
        self.tracker: Tracker | None = None
        self._ensure_agents()
        West(self)
        China(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "quarter": "quarter",
                "cohesion": "cohesion",
                "capability_cohesion": "capability_cohesion",
                "bandwidth": "bandwidth",
                "active": "n_active",
                "hedging": "n_hedging",
                "suspended": "n_suspended",
                "exited": "n_exited",
                "russian_influence": "russian_influence",
                "western_influence": "western_influence",
                "chinese_influence": "chinese_influence",
            },
            agenttype_reporters={
                Member: {
                    "member": "code",
                    "commitment": "commitment",
                    "credibility": "credibility",
                    "grievance": "grievance",
                    "status": "status",
                    "pressure": "pressure",
                    "western_ties": "western_ties",
                    "chinese_ties": "chinese_ties",
                }
            },
        )
        self._record()

    # --- the quarter -----------------------------------------------------------------------
    def step(self) -> None:
        s, P = self.state, self.P
        self.draws = self.stream.random((1, N_DRAWS, len(mb.CODES)))
        forcing = self.schedule.apply(s, P, self.steps)
        self._ensure_agents()
        for actor in (Russia, West, China):
            self.agents_by_type[actor].do("act")
        appeal, answered, hit, _ = dyn.resolve_appeals(s, P, self.draws, forcing)
        dyn.update_credibility(s, P, appeal, answered)
        dyn.update_grievance_and_threat(s, P, s.pressure, appeal, answered, hit)
        s.appealed, s.answered = appeal, answered
        members = self.agents.select(agent_type=Member)
        members.shuffle_do("decide")
        old_status = s.status.copy()
        members.do("update_status")
        s.defection = dyn.defection_signal(s, P, old_status)
        dyn.end_campaigns(s)
        self._record()
        if self.end is not None and self.quarter == self.end:
            self.running = False

    def _ensure_agents(self) -> None:
        """Every code that is (or was) a member has an agent; a new member gets one."""
        have = {a.code for a in self.agents if isinstance(a, Member)}
        for code in mb.CODES:
            if code not in have and self.state.status[0, mb.INDEX[code]] > mb.CANDIDATE:
                (Russia if self.P.patron[mb.INDEX[code]] else Member)(self, code)

    def _record(self) -> None:
        if self.tracker is None:
            self.tracker = Tracker(self.state, self.P)
        else:
            self.tracker.update(self.state)
        self.history.append(snapshot(self.state, self.P))
        self.datacollector.collect(self)

    # --- model-level reporters ---------------------------------------------------------------
    @property
    def quarter(self) -> str:
        """Calendar quarter of the current step."""
        return shift(self.start, self.steps)

    @property
    def cohesion(self) -> float:
        return (
            float(self.history[-1]["cohesion"][0])
            if self.history
            else float(dyn.cohesion(self.state, self.P)[0])
        )

    @property
    def capability_cohesion(self) -> float:
        return float(dyn.capability_cohesion(self.state, self.P)[0])

    @property
    def bandwidth(self) -> float:
        return float(self.state.bandwidth[0])

    def _count(self, status: int) -> int:
        return int((self.state.status[0] == status).sum())

    n_active = property(lambda self: self._count(mb.ACTIVE))
    n_hedging = property(lambda self: self._count(mb.HEDGING))
    n_suspended = property(lambda self: self._count(mb.SUSPENDED))
    n_exited = property(lambda self: self._count(mb.EXITED))
    russian_influence = property(lambda self: float(self.history[-1]["russian_influence"][0]))
    western_influence = property(lambda self: float(self.history[-1]["western_influence"][0]))
    chinese_influence = property(lambda self: float(self.history[-1]["chinese_influence"][0]))

    def members_dataframe(self):
        """The members' recorded variables, one row per step and member (the DataCollector's
        agent table for :class:`Member`)."""
        return self.datacollector.get_agenttype_vars_dataframe(Member)

    def credibility_of(self, code: str) -> float:
        """Member ``code``'s current belief that Article 4 will be honoured for it."""
        i = mb.INDEX[code]
        return float(dyn.credibility(self.state, slice(i, i + 1))[0, 0])

    def trajectory(self) -> dict[str, np.ndarray]:
        """The recorded history stacked: per-member arrays (T+1, 1, M), per-run (T+1, 1)."""
        traj = {k: np.stack([h[k] for h in self.history]) for k in self.history[0]}
        traj["step"] = np.arange(len(self.history))
        return traj

    def outcomes(self) -> dict[str, float]:
        """The run's named outcomes so far (see ``outcomes.outcome_names()``)."""
        return {k: float(v[0]) for k, v in self.tracker.result().items()}
