"""One quarter, written once.

:func:`quarter` is the order in which a quarter happens; both drivers call it.  The batch
engine lets every phase act on all runs and members at once (the defaults below); the Mesa
model passes :class:`Phases` whose ``act``, ``decide`` and ``update_status`` are its agents
acting (``do("act")``, ``shuffle_do("decide")``, ``do("update_status")``), each agent calling
the same phase functions on its own column.  The equations themselves are in
:mod:`alliance_sim.core.dynamics`.

Order of one quarter (step ``t`` simulates quarter ``start + t``):

1. scheduled events happen (:class:`~alliance_sim.core.events.Schedule`); applications for
   membership are decided by the members' consent;
2. outside actors act: Azerbaijan (with Turkey) sets its threat toward Armenia, Russia
   splits its budget and presses and induces, the West and China renew their ties;
3. Article 4: members under attack, in unrest or in a clash appeal; the alliance answers or
   not; every member updates its belief, grievance and felt threat;
4. each member weighs membership and moves its commitment;
5. each member updates its status; then every member reads the others' defections and
   scheduled pressure campaigns run down.

Members decide from their own column and from last quarter's alliance-wide signals, so the
order in which agents are activated does not change the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Application, Schedule
from alliance_sim.core.state import DRAW_VOTE, Params, State


def az_tr_acts(s: State, P: Params) -> None:
    """Azerbaijan's (with Turkey's) move (the ``AzerbaijanTurkey`` agent's ``act``): its threat
    toward Armenia relaxes toward its standing level after this quarter's events."""
    s.az_threat = dyn.az_threat_next(s, P)


def russia_acts(s: State, P: Params) -> None:
    """Russia's move (the Mesa ``Russia`` agent's ``act``): it adapts the split of each ally's
    budget between coercion and inducement to last quarter's response, then presses and
    induces."""
    s.coercion_share = dyn.coercion_split(s, P)
    s.pressure = dyn.russian_pressure(s, P)
    s.inducement = dyn.russian_inducement_offer(s, P)


def west_acts(s: State, P: Params) -> None:
    """The West's move (the ``West`` agent's ``act``): renew its ties and their security part."""
    s.western_security = dyn.renewed_western_security(s, P)
    s.western_ties = dyn.renewed_western_ties(s, P)


def china_acts(s: State, P: Params) -> None:
    """China's move (the ``China`` agent's ``act``): renew its ties and their security part."""
    s.chinese_security = dyn.renewed_chinese_security(s, P)
    s.chinese_ties = dyn.renewed_chinese_ties(s, P)


def outside_actors(s: State, P: Params) -> None:
    """Phase 2 for all runs: Russia's pressure, then Western and Chinese ties."""
    russia_acts(s, P)
    west_acts(s, P)
    china_acts(s, P)


def article4(s: State, P: Params, u: np.ndarray, fx) -> None:
    """Phase 3: appeals and answers, then beliefs, grievance and felt threat (in place)."""
    appeal, answered, hit, _ = dyn.resolve_appeals(s, P, u, fx)
    dyn.update_credibility(s, P, appeal, answered)
    dyn.update_grievance_and_threat(s, P, s.pressure, appeal, answered, hit)
    s.appealed, s.answered = appeal, answered


def own_applications(
    s: State, P: Params, u: np.ndarray, fx, runs: np.ndarray | None = None
) -> list:
    """Candidates that apply this quarter of their own accord (mechanism ``own_application``),
    as (application, runs) pairs, among ``runs`` (default all): each candidate not already
    applying by the scenario's schedule applies with
    :func:`~alliance_sim.core.dynamics.application_probability`, drawn with its own
    ``DRAW_VOTE`` (a candidate has no vote).  It brings the commitment its weighing favoured
    (``inclination``); the accession adds no signal to the others' belief (the event's
    default)."""
    out = []
    scheduled = np.zeros(s.status.shape, dtype=bool)
    for e, r in fx.applications:
        scheduled[:, e.idx] |= r
    among = np.ones(s.status.shape[0], dtype=bool) if runs is None else runs
    for i in np.flatnonzero((s.status == mb.CANDIDATE).any(0) & ~P.patron):
        p = dyn.application_probability(s, P, int(i))
        go = among & ~scheduled[:, i] & (u[:, DRAW_VOTE, i] < p)
        if go.any():
            c = s.inclination[:, i].copy()
            out.append((Application(at="", member=mb.CODES[i], commitment=c), go))
    return out


def applications(s: State, P: Params, u: np.ndarray, fx, runs: np.ndarray | None = None) -> None:
    """Applications for membership this quarter -- the scenario's and the candidates' own
    (:func:`own_applications`) -- decided by consensus (mechanism ``consensus``): every
    member that takes part in the alliance's work (active or hedging; a suspended member
    does not block, as Armenia let the 2024 documents pass "in a limited format") consents
    with :func:`~alliance_sim.core.dynamics.consent_probability`, drawn with ``DRAW_VOTE``
    (correlated across members by :func:`~alliance_sim.core.dynamics.consent_draws`); one
    refusal blocks, the blockers are recorded, and the refused candidate takes it as an
    unanswered request (grievance_unanswered added to its grievance).  With the mechanism
    off the candidate joins.  ``runs`` limits the candidates' own applications to those runs
    (the batch engine opens a quarter in numpy only for the runs in which one applies)."""
    todo = [*fx.applications, *own_applications(s, P, u, fx, runs)]
    if not todo:
        return
    voters = dyn.participating(s.status) & ~P.patron  # as the quarter opens: a state
    draws = dyn.consent_draws(u[:, DRAW_VOTE], P)  # admitted now votes from next quarter
    on = P.mech_consensus[:, 0] > 0
    for event, applying in todo:
        no = voters & (draws >= dyn.consent_probability(s, P, event.idx))
        blocked = on & applying & no.any(-1)
        s.blocked |= no & (on & applying)[:, None]
        s.refused[:, event.idx] |= blocked
        s.grievance[:, event.idx] += np.where(blocked, P.grievance_unanswered[:, 0], 0.0)
        event.join(s, P, applying & ~blocked)


def decide(s: State, P: Params, u: np.ndarray, cols: slice = dyn.ALL) -> None:
    """Phase 4 for members ``cols``: weigh membership, move commitment toward the target; a
    candidate keeps what its weighing favours as its ``inclination`` (whether it applies
    next quarter: mechanism ``own_application``)."""
    target = dyn.weigh(s, P, s.pressure, cols)
    s.commitment[:, cols] = dyn.move_commitment(s, P, target, u, cols)
    candidate = s.status[:, cols] == mb.CANDIDATE  # it weighs too, and keeps the result
    s.inclination[:, cols] = np.where(candidate, target, s.inclination[:, cols])


def update_status(s: State, P: Params, u: np.ndarray, t: int, cols: slice = dyn.ALL) -> None:
    """Phase 5 for members ``cols``: status with hysteresis, exits."""
    new = dyn.next_status(s, P, s.commitment[:, cols], u, t, cols)
    for name, value in new.items():
        getattr(s, name)[:, cols] = value


def close(s: State, P: Params, old_status: np.ndarray) -> None:
    """End of the quarter: the defection signal each member reads, the patron threat fades,
    campaigns run down."""
    s.defection = dyn.defection_signal(s, P, old_status)
    s.patron_threat = dyn.faded_patron_threat(s, P)
    dyn.end_campaigns(s)


@dataclass(frozen=True)
class Phases:
    """Who carries out the phases of a quarter: by default every member of every run at once
    (the batch engine); the Mesa model passes its agents' actions."""

    after_events: Callable[[], None] = lambda: None
    az_tr: Callable[[State, Params], None] = az_tr_acts
    act: Callable[[State, Params], None] = outside_actors
    decide: Callable[[State, Params, np.ndarray], None] = decide
    update_status: Callable[[State, Params, np.ndarray, int], None] = update_status


ALL_AT_ONCE = Phases()


def quarter(
    s: State, P: Params, u: np.ndarray, schedule: Schedule, t: int, phases: Phases = ALL_AT_ONCE
) -> None:
    """Advance every run in ``s`` by one quarter (step ``t``), in place.  ``u`` holds this
    quarter's uniform draws, shape ``(R, N_DRAWS, M)``."""
    fx = schedule.apply(s, P, t)
    applications(s, P, u, fx)
    phases.after_events()
    phases.az_tr(s, P)
    phases.act(s, P)
    article4(s, P, u, fx)
    phases.decide(s, P, u)
    old_status = s.status.copy()
    phases.update_status(s, P, u, t)
    close(s, P, old_status)
