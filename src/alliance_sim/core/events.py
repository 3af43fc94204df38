"""Event types: what a scenario can schedule, and how each changes the state.

Each type is a frozen dataclass with ``at`` (a calendar quarter such as ``"2022Q3"``) and its
own fields, declared in ``FIELDS`` so the scenario validator can check them and the CLI can list
them.  ``apply`` changes the state of the runs in ``mask`` in place, or records a forced appeal
in the quarter's :class:`Forcing`, which the Article 4 resolution then reads.  Adding an event
type touches this module, its tests and the docs, nothing else.  (The module is long because
it is mostly data: each type's fields with their meaning, range and default.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from alliance_sim.core import members as mb
from alliance_sim.core.state import Params, State


@dataclass(frozen=True)
class FieldSpec:
    """One field of an event type: kind is ``member``, ``members``, ``number``, ``answer``,
    ``choice`` or ``integer``."""

    kind: str
    meaning: str
    required: bool = True
    default: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


@dataclass
class Forcing:
    """Appeals and clashes scheduled for this quarter, (R, M) arrays, and applications for
    membership the members decide on this quarter (event, runs it applies in)."""

    appeal: np.ndarray
    answer: np.ndarray  # 1 answered, 0 not, -1 left to the model
    unrest: np.ndarray
    clash: np.ndarray
    applications: list = field(default_factory=list)

    @classmethod
    def none(cls, shape: tuple[int, int]) -> Forcing:
        z = np.zeros(shape, dtype=bool)
        return cls(z.copy(), np.full(shape, -1, dtype=np.int8), z.copy(), z.copy())


ANSWER = {True: 1, False: 0, "model": -1}
SECURITY_KINDS = ("arms", "exercise", "monitoring", "sco")  # offer kinds that carry security
MEMBER_CODES = mb.ALLIES  # codes an event may name (every member but the patron)


@dataclass(frozen=True)
class Event:
    """Base class: ``at`` is the quarter in which the event happens."""

    at: str
    type: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    FIELDS: ClassVar[dict[str, FieldSpec]] = {}

    def apply(self, s: State, P: Params, fx: Forcing, mask: np.ndarray, step: int) -> None:
        raise NotImplementedError

    @property
    def idx(self) -> int:
        return mb.INDEX[self.member]  # type: ignore[attr-defined]


def _member(meaning: str = "the member concerned") -> FieldSpec:
    return FieldSpec("member", meaning, choices=MEMBER_CODES)


def _at(value: Any, mask: np.ndarray) -> Any:
    """A field's value for the runs in ``mask`` (fields may hold one value per run)."""
    return value[mask] if isinstance(value, np.ndarray) else value


def in_alliance_mask(s: State) -> np.ndarray:
    """(R, M) bool: members still in the alliance (active, hedging or suspended)."""
    return (s.status >= mb.ACTIVE) & (s.status <= mb.SUSPENDED)


def _rows(mask: np.ndarray, i: int, s: State) -> np.ndarray:
    """Runs in ``mask`` where member ``i`` is still in the alliance."""
    st = s.status[:, i]
    return mask & (st >= mb.ACTIVE) & (st <= mb.SUSPENDED)


_ANSWERED = FieldSpec(
    "answer",
    'true: the alliance answers; false: it does not; "model": left to the model\'s answer rule',
    required=False,
    default="model",
)


@dataclass(frozen=True)
class Appeal(Event):
    member: str = ""
    answered: bool | str = "model"
    type: ClassVar[str] = "appeal"
    summary: ClassVar[str] = "the member is attacked and invokes Article 4"
    FIELDS: ClassVar[dict[str, FieldSpec]] = {"member": _member(), "answered": _ANSWERED}

    def apply(self, s, P, fx, mask, step):
        r = _rows(mask, self.idx, s)
        fx.appeal[r, self.idx] = True
        fx.answer[r, self.idx] = ANSWER[self.answered]


@dataclass(frozen=True)
class Unrest(Event):
    member: str = ""
    answered: bool | str = "model"
    type: ClassVar[str] = "unrest"
    summary: ClassVar[str] = (
        "domestic unrest; the regime calls for CSTO help (Kazakhstan, Jan 2022)"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {"member": _member(), "answered": _ANSWERED}

    def apply(self, s, P, fx, mask, step):
        r = _rows(mask, self.idx, s)
        fx.unrest[r, self.idx] = True
        fx.answer[r, self.idx] = ANSWER[self.answered]


@dataclass(frozen=True)
class Clash(Event):
    members: tuple[str, ...] = ()
    type: ClassVar[str] = "clash"
    summary: ClassVar[str] = (
        "border clash between two members; Article 4 cannot be answered "
        "for either (Kyrgyzstan-Tajikistan 2021, 2022)"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "members": FieldSpec("members", "the two members that clash", choices=MEMBER_CODES)
    }

    def apply(self, s, P, fx, mask, step):
        i, j = (mb.INDEX[c] for c in self.members)
        r = _rows(mask, i, s) & _rows(mask, j, s)
        fx.clash[r, i] = True
        fx.clash[r, j] = True


@dataclass(frozen=True)
class Offer(Event):
    member: str = ""
    source: str = "west"
    kind: str = "investment"
    size: float = 0.5
    type: ClassVar[str] = "offer"
    summary: ClassVar[str] = "a Western or Chinese offer adds to the member's outside ties"
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "member": _member("the member courted"),
        "source": FieldSpec("choice", "who offers", choices=("west", "china")),
        "kind": FieldSpec(
            "choice",
            "what is offered: investment is an economic tie, the others carry security "
            "(with mech_bounded_ties on, only security ties substitute fully for the alliance)",
            required=False,
            default="investment",
            choices=("investment", "arms", "exercise", "monitoring", "sco"),
        ),
        "size": FieldSpec(
            "number",
            "ties added (one quarter of a full Western offer to a "
            "fully open member is western_offer x 2)",
            low=0.0,
            high=5.0,
        ),
    }

    def apply(self, s, P, fx, mask, step):
        west = self.source == "west"
        ties = s.western_ties if west else s.chinese_ties
        ties[mask, self.idx] += _at(self.size, mask)
        if self.kind in SECURITY_KINDS:  # counts fully as a substitute (mech_bounded_ties)
            security = s.western_security if west else s.chinese_security
            security[mask, self.idx] += _at(self.size, mask)


@dataclass(frozen=True)
class PressureCampaign(Event):
    member: str = ""
    size: float = 0.3
    duration: int = 4
    type: ClassVar[str] = "pressure"
    summary: ClassVar[str] = (
        "a Russian pressure campaign (energy cut-off, trade ban, migrant "
        "crackdown) on top of routine pressure"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "member": _member("the member pressed"),
        "size": FieldSpec("number", "extra pressure (index 0-1)", low=0.0, high=1.0),
        "duration": FieldSpec(
            "integer", "quarters it lasts", required=False, default=4, low=1, high=80
        ),
    }

    def apply(self, s, P, fx, mask, step):
        s.campaign[mask, self.idx] = _at(self.size, mask)
        s.campaign_left[mask, self.idx] = _at(self.duration, mask)


@dataclass(frozen=True)
class Accession(Event):
    member: str = "IRN"
    commitment: float | None = None
    credibility: float | None = None
    credibility_signal: float = 0.0
    type: ClassVar[str] = "accession"
    summary: ClassVar[str] = "a candidate joins the alliance (Iran)"
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "member": _member("the candidate that joins"),
        "commitment": FieldSpec(
            "number",
            "its commitment on joining (default: its profile's initial_commitment)",
            required=False,
            low=0.0,
            high=1.0,
        ),
        "credibility": FieldSpec(
            "number",
            "its belief in Article 4 on joining (default: its profile's initial_credibility)",
            required=False,
            low=0.01,
            high=0.99,
        ),
        "credibility_signal": FieldSpec(
            "number",
            "evidence (answered appeals' worth) the accession adds to every member's belief "
            "in Article 4: a growing alliance looks stronger",
            required=False,
            default=0.0,
            low=0.0,
            high=5.0,
        ),
    }

    def apply(self, s, P, fx, mask, step):
        self.join(s, P, mask & (s.status[:, self.idx] == mb.CANDIDATE))

    def join(self, s: State, P: Params, r: np.ndarray) -> None:
        """The candidate becomes an active member in runs ``r``."""
        i = self.idx
        c = P.m["initial_commitment"][:, i] if self.commitment is None else self.commitment
        cred = P.m["initial_credibility"][:, i] if self.credibility is None else self.credibility
        n = P.credibility_prior_strength[:, 0]
        s.status[r, i] = mb.ACTIVE
        s.commitment[:, i] = np.where(r, c, s.commitment[:, i])
        s.cred_a[:, i] = np.where(r, cred * n, s.cred_a[:, i])
        s.cred_b[:, i] = np.where(r, (1.0 - cred) * n, s.cred_b[:, i])
        others = (np.arange(s.status.shape[1]) != i) & ~P.patron
        s.cred_a += np.where(r[:, None] & others, self.credibility_signal, 0.0)


@dataclass(frozen=True)
class Application(Accession):
    """A candidate applies; with the consensus mechanism on, the members decide
    (:func:`alliance_sim.core.quarter.applications`): any voting member can block."""

    type: ClassVar[str] = "application"
    summary: ClassVar[str] = (
        "a candidate (Iran) applies to join; admitted only if every voting member consents "
        "(mechanism consensus; certain when it is off)"
    )

    def apply(self, s, P, fx, mask, step):
        fx.applications.append((self, mask & (s.status[:, self.idx] == mb.CANDIDATE)))


@dataclass(frozen=True)
class Exit(Event):
    member: str = ""
    type: ClassVar[str] = "exit"
    summary: ClassVar[str] = "the member formally withdraws"
    FIELDS: ClassVar[dict[str, FieldSpec]] = {"member": _member("the member that leaves")}

    def apply(self, s, P, fx, mask, step):
        r = _rows(mask, self.idx, s)
        s.status[r, self.idx] = mb.EXITED
        s.exit_step[r, self.idx] = step
        s.commitment[r, self.idx] = 0.0


@dataclass(frozen=True)
class Rejoin(Event):
    member: str = ""
    commitment: float = 0.5
    type: ClassVar[str] = "rejoin"
    summary: ClassVar[str] = "a member that left returns (the only way out of 'exited')"
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "member": _member("the member that returns"),
        "commitment": FieldSpec(
            "number", "its commitment on return", required=False, default=0.5, low=0.0, high=1.0
        ),
    }

    def apply(self, s, P, fx, mask, step):
        i = self.idx
        r = mask & (s.status[:, i] == mb.EXITED)
        s.status[r, i] = mb.ACTIVE
        s.commitment[:, i] = np.where(r, self.commitment, s.commitment[:, i])
        s.exit_count[r, i] = 0
        s.down_count[r, i] = 0
        s.up_count[r, i] = 0


@dataclass(frozen=True)
class Bandwidth(Event):
    value: float | None = None
    change: float | None = None
    credibility_signal: float = 0.0
    type: ClassVar[str] = "bandwidth"
    summary: ClassVar[str] = (
        "Russia's free bandwidth changes (the war in Ukraine ends, "
        "escalates, a new front opens); give value or change"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "value": FieldSpec(
            "number", "new bandwidth (share 0-1)", required=False, low=0.0, high=1.0
        ),
        "change": FieldSpec("number", "change in bandwidth", required=False, low=-1.0, high=1.0),
        "credibility_signal": FieldSpec(
            "number",
            "evidence (answered appeals' worth) the change adds to every ally's belief in "
            "Article 4: a victory shows Russia can and will fight (0: no signal)",
            required=False,
            default=0.0,
            low=0.0,
            high=5.0,
        ),
    }

    def apply(self, s, P, fx, mask, step):
        new = self.value if self.value is not None else s.bandwidth + (self.change or 0.0)
        s.bandwidth[:] = np.where(mask, np.clip(new, 0.0, 1.0), s.bandwidth)
        signal = np.asarray(_at(self.credibility_signal, mask), dtype=float).reshape(-1, 1)
        allies = in_alliance_mask(s) & ~P.patron
        s.cred_a[mask] += np.where(allies[mask], signal, 0.0)


@dataclass(frozen=True)
class RemittanceShock(Event):
    member: str = ""
    size: float = 0.3
    type: ClassVar[str] = "remittance_shock"
    summary: ClassVar[str] = (
        "remittances from Russia fall (crackdown on migrants after "
        "Crocus City Hall, Mar 2024); recovers at remittance_recovery"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "member": _member("the member whose migrants are hit"),
        "size": FieldSpec("number", "share of remittances from Russia lost", low=0.0, high=1.0),
    }

    def apply(self, s, P, fx, mask, step):
        i = self.idx
        lost = self.size * P.m["remittances_gdp"][:, i] * P.m["remittances_from_russia"][:, i]
        loss = np.minimum(s.remittance_loss[:, i] + self.size, 1.0)
        s.remittance_loss[:, i] = np.where(mask, loss, s.remittance_loss[:, i])
        s.grievance[:, i] += np.where(mask, P.grievance_remittance[:, 0] * lost, 0.0)


@dataclass(frozen=True)
class RussianForce(Event):
    target: str = "ukraine"
    size: float = 1.0
    type: ClassVar[str] = "russian_force"
    summary: ClassVar[str] = (
        "Russia uses force against a neighbour (Georgia 2008, Crimea 2014, Ukraine 2022): "
        "every ally's patron threat rises by size x its exposure (border, Russian minority, "
        "dependence)"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "target": FieldSpec(
            "choice",
            "whom Russia attacks (a label kept in the record)",
            required=False,
            default="ukraine",
            choices=("georgia", "ukraine", "other"),
        ),
        "size": FieldSpec(
            "number",
            "how much the use of force shows Russia's readiness to take territory (1 = the "
            "2022 full-scale invasion; Crimea 2014 about 0.8, Georgia 2008 about 0.5; "
            "assumptions)",
            required=False,
            default=1.0,
            low=0.0,
            high=2.0,
        ),
    }

    def apply(self, s, P, fx, mask, step):
        size = np.asarray(_at(self.size, mask), dtype=float).reshape(-1, 1)
        s.patron_threat[mask] += size * P.patron_exposure[mask]


@dataclass(frozen=True)
class AzEvent(Event):
    kind: str = "incursion"
    size: float = 0.5
    type: ClassVar[str] = "az_event"
    summary: ClassVar[str] = (
        "Azerbaijan (with Turkey) toward Armenia: a war or incursion raises its threat, a peace "
        "agreement or border-delimitation deal lowers it for good, a declaration sets its ties "
        "to Russia or Turkey (mechanism az_tr)"
    )
    FIELDS: ClassVar[dict[str, FieldSpec]] = {
        "kind": FieldSpec(
            "choice",
            "what happens",
            choices=("war", "incursion", "peace", "delimitation", "russia_ties", "turkey_ties"),
        ),
        "size": FieldSpec(
            "number",
            "war/incursion: threat added (1 = a war like 2020's); peace/delimitation: threat "
            "and standing level removed; russia_ties/turkey_ties: the new level of the ties "
            "(0-1)",
            low=0.0,
            high=2.0,
        ),
    }

    def apply(self, s, P, fx, mask, step):
        size = np.asarray(_at(self.size, mask), dtype=float)
        if self.kind in ("war", "incursion"):
            s.az_threat[mask] += size
        elif self.kind in ("peace", "delimitation"):
            s.az_base[mask] = np.maximum(s.az_base[mask] - size, 0.0)
            s.az_threat[mask] = np.maximum(s.az_threat[mask] - size, 0.0)
        elif self.kind == "russia_ties":
            s.az_russia_ties[mask] = np.clip(size, 0.0, 1.0)
        else:
            s.az_turkey_ties[mask] = np.clip(size, 0.0, 1.0)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        Appeal,
        Unrest,
        Clash,
        Offer,
        PressureCampaign,
        Accession,
        Application,
        Exit,
        Rejoin,
        Bandwidth,
        RemittanceShock,
        RussianForce,
        AzEvent,
    )
}


@dataclass(frozen=True)
class Schedule:
    """Scheduled events with the step each happens in, per run.

    ``entries`` pairs each event with its step as an ``(R,)`` integer array (step k simulates
    quarter start + k); a sweep may move an event's quarter from run to run.  Event fields may
    likewise hold one value per run.
    """

    entries: tuple[tuple[Event, np.ndarray], ...] = ()

    @classmethod
    def build(
        cls, events: list[Event] | tuple[Event, ...], start: str, n_runs: int = 1
    ) -> Schedule:
        """A schedule of ``events`` (each ``at`` a quarter label) for ``n_runs`` runs."""
        from alliance_sim.core.quarters import steps_between

        return cls(tuple((e, np.full(n_runs, steps_between(start, e.at))) for e in events))

    def apply(self, s: State, P: Params, step: int) -> Forcing:
        """Apply this step's events to the runs they are due in; return forced appeals."""
        fx = Forcing.none(s.status.shape)
        for e, steps in self.entries:
            mask = steps == step
            if mask.any():
                e.apply(s, P, fx, mask, step)
        return fx
