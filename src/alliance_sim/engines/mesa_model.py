"""The Mesa model: CSTO members and outside actors as agents, stepping quarter by quarter.

This is the reference driver.  The state of the run lives in arrays of shape ``(1, M)``
(:class:`alliance_sim.state.State`); each agent reads and writes its own column through the pure
functions of :mod:`alliance_sim.core.dynamics`, which the batch engine applies to many runs at once.

One ``step`` is one quarter in the order written once in :mod:`alliance_sim.core.quarter`;
the agents carry out its phases: Azerbaijan-Turkey, Russia, the West and China ``act``, the members
``decide`` (``shuffle_do``) and ``update_status`` (``do``), each through the same phase
functions the batch engine applies to all members at once.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import numpy as np

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core import quarter as qt
from alliance_sim.core.events import Event
from alliance_sim.core.outcomes import Tracker, Trajectory, snapshot
from alliance_sim.core.quarters import shift, steps_between
from alliance_sim.core.state import N_DRAWS, State, Stream
from alliance_sim.engines.runspec import RunSpec, build_initial, build_params, build_schedule
from alliance_sim.errors import ScenarioError


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
        qt.decide(self.model.state, self.model.P, self.model.draws, self.cols)

    def update_status(self) -> None:
        """Change status when commitment has stayed past a threshold long enough."""
        m = self.model
        qt.update_status(m.state, m.P, m.draws, m.steps, self.cols)


class Candidate(mesa.Agent):
    """A state outside the alliance that may join (Iran; Uzbekistan after it left): it weighs
    membership each quarter as the members do and may apply of its own accord (mechanism
    ``own_application``); once it joins, a :class:`Member` takes its place."""

    def __init__(self, model: AllianceModel, code: str) -> None:
        super().__init__(model)
        self.code = code
        self.cols = slice(mb.INDEX[code], mb.INDEX[code] + 1)

    def decide(self) -> None:
        """Weigh membership; the result is its inclination (its commitment does not move)."""
        qt.decide(self.model.state, self.model.P, self.model.draws, self.cols)


class Russia(Member):
    """Russia: the patron member.  Its commitment is not in question; it acts by pressure."""

    def act(self) -> None:
        """Apply pressure to each ally within the bandwidth the war leaves."""
        qt.russia_acts(self.model.state, self.model.P)

    def decide(self) -> None:  # the patron does not weigh leaving its own alliance
        pass

    def update_status(self) -> None:
        pass


class West(mesa.Agent):
    """The US and the EU: courts open members, more so as they drift from Russia."""

    def act(self) -> None:
        qt.west_acts(self.model.state, self.model.P)


class China(mesa.Agent):
    """China: follows its trade, offers SCO cooperation, steps up where Russia is distracted."""

    def act(self) -> None:
        qt.china_acts(self.model.state, self.model.P)


class AzerbaijanTurkey(mesa.Agent):
    """Azerbaijan, with Turkey behind it: its threat toward Armenia rises with wars and
    incursions, relaxes toward a standing level a peace or delimitation deal lowers, and its
    ties to Russia and Turkey decide how much Russia gains by answering Armenia."""

    def act(self) -> None:
        qt.az_tr_acts(self.model.state, self.model.P)

    @property
    def threat(self) -> float:
        """Threat toward Armenia (1 = the level of members.toml)."""
        return float(self.model.state.az_threat[0])


class AllianceModel(mesa.Model):
    """The CSTO as an agent-based model, one step per quarter.

    Args:
        rng: seed of the run (an int makes it reproducible: same seed, same trajectory).
        start: the quarter the initial state describes ("2020Q1", the state in members.toml);
            step k is ``start + k``.
        end: optional last quarter; the model stops (``running`` False) when it gets there.
        members: per-member overrides of the profiles, ``{"ARM": {"pressure_tolerance": 0.1}}``.
        events: scheduled :class:`~alliance_sim.events.Event` objects.
        initial: the state at ``start`` (one run) when the run continues another, e.g. a
            forecast continuing the calibrated replay (``None``: the profiles' ``initial_*``).
        vintage: the quarter whose public member figures the run reads (a fit or forecast
            made then, :mod:`alliance_sim.core.vintage`; ``None``: the latest).
        **params: global parameters by registry name (see ``parameters()``).
    """

    def __init__(
        self,
        rng: int | None = None,
        *,
        start: str = "2020Q1",
        end: str | None = None,
        members: dict[str, dict[str, Any]] | None = None,
        events: Iterable[Event] = (),
        initial: State | None = None,
        vintage: str | None = None,
        **params: Any,
    ) -> None:
        """A run of the CSTO model from ``start`` (see the class's Args): ``rng`` its seed,
        ``end`` its last quarter (not before ``start``), ``members`` overrides of the member
        figures by code (``{"ARM": {"pressure_tolerance": 0.1}}``, each within its range),
        ``events`` scheduled events, ``initial`` a state to continue, ``vintage`` the quarter
        whose member figures it reads, ``**params`` global parameters by registry name.  A
        mistake raises :class:`alliance_sim.errors.ScenarioError` in one line."""
        try:
            n_steps = steps_between(start, end) if end is not None else steps_between(start, start)
        except ValueError as e:  # "not a quarter: '2020Q5' (expected e.g. '2024Q1')"
            raise ScenarioError(f"AllianceModel: {e}") from None
        if n_steps < 0:
            raise ScenarioError(f"end {end!r} is before start {start!r}; give a later end")
        if members is not None and not isinstance(members, Mapping):
            raise ScenarioError(
                f"members should map member codes to their figures, got {type(members).__name__}"
            )
        if rng is None:
            rng = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        super().__init__(rng=rng)
        self.seed = int(rng)
        self.start = start
        self.end = end
        self.stream = Stream(self.seed)  # the run's dynamics draws
        self.spec = RunSpec(
            start, n_steps, dict(params), dict(members or {}), tuple(events), initial, vintage
        )
        self.P = build_params([self.spec])  # validates every parameter value
        self.state: State = build_initial([self.spec], self.P)
        self.schedule = build_schedule([self.spec])
        self.phases = qt.Phases(
            after_events=self._ensure_agents,
            az_tr=lambda s, P: self.agents_by_type[AzerbaijanTurkey].do("act"),
            act=lambda s, P: [self.agents_by_type[a].do("act") for a in (Russia, West, China)],
            decide=lambda s, P, u: (
                self.agents.select(agent_type=Member).shuffle_do("decide"),
                self.agents.select(agent_type=Candidate).do("decide"),
            ),
            update_status=lambda s, P, u, t: self.agents.select(agent_type=Member).do(
                "update_status"
            ),
        )
        self.draws = np.zeros((1, N_DRAWS, len(mb.CODES)))
        self.history: list[dict[str, np.ndarray]] = []
        self.tracker: Tracker | None = None
        self._past_end = False  # warned once that a step went past ``end``
        self.running = end is None or n_steps > 0  # a run that ends where it starts is done
        self._ensure_agents()
        West(self)
        China(self)
        AzerbaijanTurkey(self)
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

    @classmethod
    def from_spec(cls, spec: RunSpec, seed: int) -> AllianceModel:
        """The model of one run: ``spec`` (what the batch engine also takes) and its seed."""
        return cls(
            rng=seed,
            start=spec.start,
            end=shift(spec.start, spec.n_steps),
            members=spec.members,
            events=spec.events,
            initial=spec.initial,
            vintage=spec.vintage,
            **spec.params,
        )

    # --- the quarter -----------------------------------------------------------------------
    def step(self) -> None:
        """One quarter (:func:`alliance_sim.core.quarter.quarter`), the agents acting.  A step
        past ``end`` warns once: its quarters are outside the run's scenario (events dated
        after the end were not scheduled) and ``running`` stays False."""
        # (Mesa counts the step before it calls this: ``self.quarter`` is the one stepped to)
        past = self.end is not None and steps_between(self.end, self.quarter) > 0
        if past and not self._past_end:
            self._past_end = True
            warnings.warn(
                f"AllianceModel: stepping past its end {self.end} (to {self.quarter}); "
                "give a later end to run these quarters as the scenario's",
                RuntimeWarning,
                skip_file_prefixes=(os.path.dirname(mesa.__file__), os.path.dirname(__file__)),
            )
        self.draws = self.stream.next(1)
        qt.quarter(self.state, self.P, self.draws, self.schedule, self.steps, self.phases)
        self._record()
        if self.end is not None and self.quarter == self.end:
            self.running = False

    def _ensure_agents(self) -> None:
        """Every code that is (or was) a member has a :class:`Member` agent, every state
        outside a :class:`Candidate`; a candidate that joins becomes a member."""
        have = {a.code: a for a in self.agents if isinstance(a, (Member, Candidate))}
        for code in mb.CODES:
            inside = self.state.status[0, mb.INDEX[code]] > mb.CANDIDATE
            agent = have.get(code)
            if inside and not isinstance(agent, Member):
                if agent is not None:
                    agent.remove()
                (Russia if self.P.patron[mb.INDEX[code]] else Member)(self, code)
            elif not inside and agent is None:
                Candidate(self, code)

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
        agent table for :class:`Member`), indexed by whole-number ``Step`` (Mesa records the
        model's time, a float) and ``AgentID``."""
        df = self.datacollector.get_agenttype_vars_dataframe(Member)
        return df.set_index(df.index.set_levels(df.index.levels[0].astype(int), level="Step"))

    def credibility_of(self, code: str) -> float:
        """Member ``code``'s current belief that Article 4 will be honoured for it."""
        i = mb.INDEX[code]
        return float(dyn.credibility(self.state, slice(i, i + 1))[0, 0])

    def trajectory(self) -> Trajectory:
        """The recorded history stacked: per-member arrays (T+1, 1, M), per-run (T+1, 1)."""
        return Trajectory.stack(self.history, list(range(len(self.history))))

    def outcomes(self) -> dict[str, float]:
        """The run's named outcomes so far (see ``outcomes.outcome_names()``)."""
        return {k: float(v[0]) for k, v in self.tracker.result().items()}
