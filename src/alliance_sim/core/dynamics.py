"""The model's equations: pure numpy functions over arrays whose last axis is the members.

One equation lives in one place.  The Mesa model (``model.py``) calls these for one run (arrays
of shape ``(1, M)``, an agent passing its own column ``cols``); the batch engine calls them for
many runs at once (``(R, M)``).  Nothing here draws random numbers: each quarter's uniform draws
``u`` (shape ``(R, N_DRAWS, M)``) are passed in, so both drivers consume each run's stream in the
same order.  See ``docs/model.md`` for the equations written out.  (The module is long because
it holds every equation of the model, the named mechanisms' included, so that each lives in
exactly one place; each function is one equation.)
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, ndtr, ndtri

from alliance_sim.core import members as mb
from alliance_sim.core.events import Forcing
from alliance_sim.core.state import (
    DRAW_ANSWER,
    DRAW_ATTACK,
    DRAW_CLASH,
    DRAW_EXIT,
    DRAW_NOISE,
    DRAW_UNREST,
    Params,
    State,
)

ALL = slice(None)


def initial_state(P: Params) -> State:
    """The state entering the first quarter; Western and Chinese ties (and their security
    parts) start at the level the actors' rules sustain (their steady state), not at zero."""
    s = State.initial(P)
    s.western_ties = western_offer(s, P) / P.ties_decay
    s.chinese_ties = chinese_offer(s, P) / P.ties_decay
    s.western_security = P.m["west_security_share"] * s.western_ties
    s.chinese_security = P.m["china_security_weight"] * s.chinese_ties
    return s


def msum(x: np.ndarray, keepdims: bool = False) -> np.ndarray:
    """Sum over the member axis in member order, one addition after another, as the compiled
    kernel does: numpy's ``sum`` adds eight or more elements pairwise, which differs in the
    last bit (and made the engines differ once Uzbekistan became the eighth member)."""
    acc = x[..., 0]
    for m in range(1, x.shape[-1]):
        acc = acc + x[..., m]
    return acc[..., None] if keepdims else acc


def on(switch: np.ndarray) -> np.ndarray:
    """A mechanism switch (a 0/1 registry parameter, (R, 1)) as a boolean mask."""
    return switch > 0.5


# --- who is in -----------------------------------------------------------------------------


def in_alliance(status: np.ndarray) -> np.ndarray:
    """Members that have not left: active, hedging or suspended."""
    return (status >= mb.ACTIVE) & (status <= mb.SUSPENDED)


def participating(status: np.ndarray) -> np.ndarray:
    """Members that take part in the alliance's work: active or hedging."""
    return (status == mb.ACTIVE) | (status == mb.HEDGING)


def credibility(s: State, cols: slice = ALL) -> np.ndarray:
    """Posterior mean belief that Article 4 will be honoured for the member: a / (a + b)."""
    return s.cred_a[:, cols] / (s.cred_a[:, cols] + s.cred_b[:, cols])


# --- outside actors ------------------------------------------------------------------------


def russian_budget(s: State, P: Params) -> np.ndarray:
    """Russia's leverage budget for each ally this quarter (its old pressure rule):

    budget = russian_pressure x bandwidth x (1 + drift_response x max(drift_reference - c, 0))

    for allies still in the alliance (0 for Russia, candidates and members that have left)."""
    drift = np.maximum(P.drift_reference - s.commitment, 0.0)
    base = P.m["russian_pressure"] * s.bandwidth[:, None] * (1.0 + P.drift_response * drift)
    return np.where(in_alliance(s.status) & ~P.patron, base, 0.0)


def coercion_split(s: State, P: Params) -> np.ndarray:
    """Russia's new share of coercion in each ally's budget (mechanism ``strategic_russia``).

    From last quarter's pressure p and grievance growth dg:
    backlash = max(p - pressure_tolerance, 0) + max(dg, 0),
    share <- clip(share + russia_adaptation x ((drift_reference - c)
                                               - russia_backlash_aversion x backlash), 0, 1):
    more coercion where a member drifts without backlash, less where backlash grows or
    compliance holds (c above drift_reference: rewarded by inducement).  Off: unchanged."""
    backlash = np.maximum(s.pressure - P.m["pressure_tolerance"], 0.0) + np.maximum(
        s.grievance_growth, 0.0
    )
    signal = (P.drift_reference - s.commitment) - P.russia_backlash_aversion * backlash
    new = np.clip(s.coercion_share + P.russia_adaptation * signal, 0.0, 1.0)
    adapt = on(P.mech_strategic_russia) & in_alliance(s.status) & ~P.patron
    return np.where(adapt, new, s.coercion_share)


def russian_pressure(s: State, P: Params) -> np.ndarray:
    """Russia's coercion of each ally this quarter.

    On (strategic_russia): pressure = coercion_share x budget + campaign;
    off: pressure = budget + campaign (see :func:`russian_budget`);
    applied to allies still in the alliance (not to Russia, candidates or exited members).
    """
    share = np.where(on(P.mech_strategic_russia), s.coercion_share, 1.0)
    target = in_alliance(s.status) & ~P.patron
    return np.where(target, share * russian_budget(s, P) + s.campaign, 0.0)


def russian_inducement_offer(s: State, P: Params) -> np.ndarray:
    """Russia's targeted inducement of each ally: (1 - coercion_share) x budget when
    strategic_russia is on, 0 when off."""
    return np.where(
        on(P.mech_strategic_russia), (1.0 - s.coercion_share) * russian_budget(s, P), 0.0
    )


def western_offer(s: State, P: Params) -> np.ndarray:
    """Western engagement offered this quarter (ties per quarter).

    offer = western_offer x western_openness x (1 + west_opportunism x (1 - c)):
    the West courts open members, and more so as they drift from Russia.
    """
    c = np.where(P.patron, 1.0, s.commitment)
    return np.where(
        P.patron,
        0.0,
        P.m["western_offer"]
        * P.m["western_openness"]
        * (1.0 + P.m["west_opportunism"] * (1.0 - c)),
    )


def chinese_offer(s: State, P: Params) -> np.ndarray:
    """Chinese engagement offered this quarter (ties per quarter).

    offer = chinese_offer x trade_china x (1 + sco_substitution x (1 - bandwidth)):
    China follows its trade and steps up where Russia is distracted.
    """
    step_up = 1.0 + P.m["sco_substitution"] * (1.0 - s.bandwidth[:, None])
    return np.where(P.patron, 0.0, P.m["chinese_offer"] * P.m["trade_china"] * step_up)


_EXPM1 = np.frompyfunc(math.expm1, 1, 1)


def libm_expm1(x: np.ndarray) -> np.ndarray:
    """exp(x) - 1 from the C library, element by element, as the compiled kernel computes it.
    numpy's own ``expm1`` (2.5 on this machine) runs SIMD code that differs from the C
    library's in the last bit for about one element in ten, whatever the array's length, and
    the Mesa model and the batch engine must agree bit for bit."""
    return _EXPM1(x).astype(np.float64)


def renewed_western_ties(s: State, P: Params) -> np.ndarray:
    """Western ties decay by ties_decay and are renewed by this quarter's offer."""
    return (1.0 - P.ties_decay) * s.western_ties + western_offer(s, P)


def renewed_chinese_ties(s: State, P: Params) -> np.ndarray:
    """Chinese ties decay by ties_decay and are renewed by this quarter's offer."""
    return (1.0 - P.ties_decay) * s.chinese_ties + chinese_offer(s, P)


def renewed_western_security(s: State, P: Params) -> np.ndarray:
    """The security-carrying part of Western ties: it decays by ties_decay and is renewed by
    west_security_share x this quarter's Western offer."""
    return (1.0 - P.ties_decay) * s.western_security + P.m["west_security_share"] * western_offer(
        s, P
    )


def renewed_chinese_security(s: State, P: Params) -> np.ndarray:
    """The security-carrying part of Chinese ties: it decays by ties_decay and is renewed by
    china_security_weight x this quarter's Chinese offer."""
    weight = P.m["china_security_weight"]
    return (1.0 - P.ties_decay) * s.chinese_security + weight * chinese_offer(s, P)


def outside_option(s: State, P: Params, cols: slice = ALL) -> tuple[np.ndarray, np.ndarray]:
    """How much the Western and the Chinese ties substitute for the alliance (ties units).

    Mechanism ``bounded_ties`` on: each source's ties count by kind,
    X_W = W_sec + economic_tie_weight x (W - W_sec) (likewise X_H for China), and the
    outside option has diminishing returns,
    A = ties_saturation x (1 - exp(-(X_W + X_H) / ties_saturation)),
    shared between the sources in proportion: (A x X_W / X, A x X_H / X) with X = X_W + X_H.
    Off: (W, china_security_weight x H), unbounded.
    """
    w, h = s.western_ties[:, cols], s.chinese_ties[:, cols]
    ws, hs = s.western_security[:, cols], s.chinese_security[:, cols]
    econ = P.economic_tie_weight
    xw = ws + econ * np.maximum(w - ws, 0.0)
    xh = hs + econ * np.maximum(h - hs, 0.0)
    x = xw + xh
    sat = P.ties_saturation
    ratio = np.where(x > 1e-12, sat * -libm_expm1(-x / sat) / np.maximum(x, 1e-12), 1.0)
    bounded = on(P.mech_bounded_ties)
    return (
        np.where(bounded, xw * ratio, w),
        np.where(bounded, xh * ratio, P.m["china_security_weight"][:, cols] * h),
    )


def end_campaigns(s: State) -> None:
    """A scheduled pressure campaign runs for its duration, then stops (in place)."""
    s.campaign_left = np.maximum(s.campaign_left - 1, 0)
    s.campaign = np.where(s.campaign_left > 0, s.campaign, 0.0)


# --- Azerbaijan and Turkey ------------------------------------------------------------------


def az_opportunity(s: State, P: Params) -> np.ndarray:
    """How far Azerbaijan (with Turkey) sees an opening against its target, shape (R,)
    (mechanism ``az_decides``; 1 when off):

    O = max(1 + az_opportunism x (az_answer_reference - q) - western_deterrence x w / (1 + w), 0)

    q is the chance Russia answers the target's appeal (:func:`answer_probability`, 0 for a
    target outside the alliance, weighted by each member's azerbaijan_exposure): it falls
    when Russia is distracted (bandwidth), when Azerbaijan is close to Russia and Turkey
    (:func:`russian_interest`) and, with ``alliance_dilemma``, when the target drifts from
    Russia.  w is the target's Western
    security ties (monitors, arms), which raise the cost of an attack."""
    e = P.m["azerbaijan_exposure"]
    total = msum(e)
    p = np.where(in_alliance(s.status), answer_probability(s, P), 0.0)  # out: nobody answers
    q = msum(e * p) / np.maximum(total, 1e-12)
    ws = msum(e * s.western_security) / np.maximum(total, 1e-12)
    o = np.maximum(
        1.0
        + P.az_opportunism[:, 0] * (P.az_answer_reference[:, 0] - q)
        - P.western_deterrence[:, 0] * (ws / (1.0 + ws)),
        0.0,
    )
    return np.where(on(P.mech_az_decides[:, 0]) & (total > 0.0), o, 1.0)


def az_threat_next(s: State, P: Params) -> np.ndarray:
    """Azerbaijan's threat toward Armenia moves toward the level its opportunity sets (shape
    (R,)): T <- L + (1 - az_threat_decay) x (T - L), L = base x :func:`az_opportunity` (with
    ``az_decides`` off, L = base).  Wars and incursions raise T; a peace or delimitation deal
    lowers T and base (``az_event``)."""
    level = s.az_base * az_opportunity(s, P)
    return level + (1.0 - P.az_threat_decay[:, 0]) * (s.az_threat - level)


def az_factor(s: State, P: Params, cols: slice = ALL) -> np.ndarray:
    """Multiplier of a member's attack hazard and threat exposure from Azerbaijan's threat
    (mechanism ``az_tr``): 1 - e + e x T, e = azerbaijan_exposure; 1 when off."""
    e = P.m["azerbaijan_exposure"][:, cols]
    f = 1.0 - e + e * s.az_threat[:, None]
    return np.where(on(P.mech_az_tr), f, 1.0)


def russian_interest(s: State, P: Params) -> np.ndarray:
    """Russia's willingness to answer each member at full bandwidth.

    Mechanism ``az_tr`` on: (1 - e) x russian_interest + e x I_az with e =
    azerbaijan_exposure and I_az = az_interest_max x (1 - az_russia_ties)
    x (1 - turkey_deterrence x az_turkey_ties): the closer Azerbaijan is to Russia and to
    Turkey, the less Russia gains by answering Armenia.  Off: russian_interest."""
    e = P.m["azerbaijan_exposure"]
    i_az = (
        P.az_interest_max
        * (1.0 - s.az_russia_ties[:, None])
        * (1.0 - P.turkey_deterrence * s.az_turkey_ties[:, None])
    )
    mixed = (1.0 - e) * P.m["russian_interest"] + e * i_az
    return np.where(on(P.mech_az_tr), mixed, P.m["russian_interest"])


# --- Article 4 -----------------------------------------------------------------------------


def loyalty_factor(s: State, P: Params) -> np.ndarray:
    """How the appellant's loyalty weighs in Russia's answer (mechanism ``alliance_dilemma``):
    max(1 + answer_loyalty x (c - drift_reference), 0), c the member's commitment; 1 when off.

    Snyder's alliance security dilemma from the patron's side: answering a drifting ally risks
    entrapment in a war for a state that is leaving anyway (answer_loyalty > 0: loyalty is
    rewarded, drift abandoned); refusing risks abandonment, pushing it out (answer_loyalty < 0:
    Russia courts the drifting).  The calibration prior spans both signs."""
    f = np.maximum(1.0 + P.answer_loyalty * (s.commitment - P.drift_reference), 0.0)
    return np.where(on(P.mech_alliance_dilemma), f, 1.0)


def answer_probability(s: State, P: Params) -> np.ndarray:
    """Probability the alliance answers an appeal: Russia's stake in the member
    (:func:`russian_interest`: its interest, less the cost of confronting the attacker's
    partners) times the capacity it can spare times the appellant's loyalty
    (:func:`loyalty_factor`),
    interest x (answer_floor + (1 - answer_floor) x bandwidth) x loyalty."""
    capacity = P.answer_floor + (1.0 - P.answer_floor) * s.bandwidth[:, None]
    return np.clip(russian_interest(s, P) * capacity * loyalty_factor(s, P), 0.0, 1.0)


def clashes(s: State, P: Params, u: np.ndarray, forced: np.ndarray | None = None) -> np.ndarray:
    """Members caught in a border clash with a fellow member this quarter, (R, M) bool.

    Pair k clashes when its uniform draw falls below hazard_k x clash_hazard_scale (both members
    in the alliance), or when a scheduled event forces it (``forced`` (R, M) bool marks them).
    """
    hit = np.zeros(s.status.shape, dtype=bool) if forced is None else forced.copy()
    member = in_alliance(s.status)
    for k, (i, j, hazard) in enumerate(P.clash_pairs):
        occurs = (
            (u[:, DRAW_CLASH, k] < hazard * P.clash_hazard_scale[:, 0])
            & member[:, i]
            & member[:, j]
        )
        hit[:, i] |= occurs
        hit[:, j] |= occurs
    return hit


def resolve_appeals(
    s: State, P: Params, u: np.ndarray, fx: Forcing
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Who invokes Article 4 this quarter and whether the alliance answers.

    An ally (a suspended one too: it keeps its treaty rights) appeals when attacked
    (draw < attack_hazard x az_factor x attack_hazard_scale), when unrest threatens its regime
    (draw < unrest_hazard x unrest_hazard_scale), or when caught in a clash with another member;
    scheduled events (``fx``) force appeals.  An appeal is answered when its draw falls below
    :func:`answer_probability`, except that a clash between two members can never be answered
    (no consensus).  A scheduled appeal's answer is 1 (answered), 0 (not) or -1 (left to the
    model).

    Returns ``appeal, answered, hit, clash`` as (R, M) bool arrays (hit: attacked or clashed).
    """
    able = in_alliance(s.status) & ~P.patron
    hazard = P.m["attack_hazard"] * az_factor(s, P) * P.attack_hazard_scale
    attacked = able & (u[:, DRAW_ATTACK] < hazard)
    attacked |= fx.appeal
    unrest = able & (u[:, DRAW_UNREST] < P.m["unrest_hazard"] * P.unrest_hazard_scale)
    unrest |= fx.unrest
    clash = clashes(s, P, u, fx.clash) & ~P.patron
    appeal = attacked | unrest | clash
    answered = appeal & ~clash & (u[:, DRAW_ANSWER] < answer_probability(s, P))
    answered = np.where(fx.answer >= 0, appeal & (fx.answer == 1) & ~clash, answered)
    return appeal, answered, attacked | clash, clash


def update_credibility(s: State, P: Params, appeal: np.ndarray, answered: np.ndarray) -> None:
    """Beta update of every member's belief that Article 4 will be honoured for it (in place).

    Evidence beyond the prior fades by credibility_memory each quarter; then each answered
    appeal adds own_appeal_weight to the appellant's ``a`` and observer_weight to everyone
    else's; each unanswered one does the same to ``b``.
    """
    strength = P.credibility_prior_strength
    a0 = P.credibility_base_rate * strength
    b0 = (1.0 - P.credibility_base_rate) * strength
    keep = 1.0 - P.credibility_memory
    yes = answered
    no = appeal & ~answered
    n_yes = yes.sum(axis=-1, keepdims=True)
    n_no = no.sum(axis=-1, keepdims=True)
    own, obs = P.own_appeal_weight, P.observer_weight
    a = a0 + keep * (s.cred_a - a0) + own * yes + obs * (n_yes - yes)
    b = b0 + keep * (s.cred_b - b0) + own * no + obs * (n_no - no)
    fixed = P.patron | (s.status == mb.EXITED)
    s.cred_a = np.where(fixed, s.cred_a, a)
    s.cred_b = np.where(fixed, s.cred_b, b)


def update_grievance_and_threat(
    s: State,
    P: Params,
    pressure: np.ndarray,
    appeal: np.ndarray,
    answered: np.ndarray,
    hit: np.ndarray,
) -> None:
    """Grievance fades by grievance_decay and grows with unanswered own appeals
    (grievance_unanswered) and pressure beyond tolerance (grievance_backlash); attacks and
    clashes add attack_threat to the threat a member feels, which fades by threat_decay.
    The change of grievance is kept (``grievance_growth``): Russia reads it as backlash."""
    excess = np.maximum(pressure - P.m["pressure_tolerance"], 0.0)
    grievance = (
        (1.0 - P.grievance_decay) * s.grievance
        + P.grievance_unanswered * (appeal & ~answered)
        + P.grievance_backlash * excess
    )
    s.grievance_growth = grievance - s.grievance
    s.grievance = grievance
    s.threat_shock = (1.0 - P.threat_decay) * s.threat_shock + P.attack_threat * hit
    s.remittance_loss = (1.0 - P.remittance_recovery) * s.remittance_loss


# --- the members' weighing -----------------------------------------------------------------


def pressure_response(pressure: np.ndarray, tolerance: np.ndarray, P: Params) -> np.ndarray:
    """Compliance bought by pressure up to tolerance, backlash beyond it:
    gain x min(p, tol) - pressure_backlash x max(p - tol, 0), where gain = pressure_gain x
    (2 x bandwagoning - 1) with strategic_russia on (bandwagoning 1: compliance, 0:
    balancing) and gain = pressure_gain off."""
    gain = P.pressure_gain * np.where(on(P.mech_strategic_russia), 2.0 * P.bandwagoning - 1.0, 1.0)
    return gain * np.minimum(pressure, tolerance) - P.pressure_backlash * np.maximum(
        pressure - tolerance, 0.0
    )


def effective_dependence(s: State, P: Params, cols: slice = ALL) -> np.ndarray:
    """Dependence on Russia less the part of the remittance channel a shock has cut off."""
    return P.dependence[:, cols] - P.remittance_part[:, cols] * s.remittance_loss[:, cols]


def pulls(s: State, P: Params, pressure: np.ndarray, cols: slice = ALL) -> dict[str, np.ndarray]:
    """The terms of a member's weighing, in utility units (see :func:`weigh`)."""
    m = P.m
    cred = credibility(s, cols)
    exposure = m["threat_exposure"][:, cols] * az_factor(s, P, cols)
    threat = np.clip(exposure + s.threat_shock[:, cols], 0.0, 2.0)
    dep = effective_dependence(s, P, cols)
    bw = s.bandwidth[:, None]
    west, china = outside_option(s, P, cols)
    return {
        "security": P.security_weight * cred * threat,
        "dependence": P.dependence_weight * dep,
        "regime": P.regime_weight * m["regime_need"][:, cols] * cred,
        "inducement": P.russian_inducement * bw * dep + P.inducement_gain * s.inducement[:, cols],
        "pressure": pressure_response(pressure[:, cols], m["pressure_tolerance"][:, cols], P),
        "west": -P.alternatives_weight * west,
        "china": -P.alternatives_weight * china,
        "grievance": -P.grievance_weight * s.grievance[:, cols],
        "contagion": -P.contagion * s.defection[:, cols],
        "patron": fear_of_patron(s, P, cols),
        "entrapment": entrapment(s, P, cols),
    }


def weigh(s: State, P: Params, pressure: np.ndarray, cols: slice = ALL) -> np.ndarray:
    """The commitment a member's weighing favours this quarter:

    target = logistic(commitment_bias + security + dependence + regime
                      + inducement (russian_inducement x B x dep
                                    + inducement_gain x Russia's targeted inducement)
                      + pressure response - alternatives_weight x outside option
                      - grievance - contagion + fear of the patron + entrapment)

    with the outside option (Western, Chinese) from :func:`outside_option`.
    """
    return expit(P.commitment_bias + sum(pulls(s, P, pressure, cols).values()))


def move_commitment(
    s: State, P: Params, target: np.ndarray, u: np.ndarray, cols: slice = ALL
) -> np.ndarray:
    """Commitment closes adjustment_rate of the gap to its target, plus a normal shock
    (commitment_noise x Phi^-1(u)), clipped to [0, 1].  Russia and candidates do not move; a
    member that has left has commitment 0.  Returns the new commitment of ``cols``."""
    c = s.commitment[:, cols]
    shock = P.commitment_noise * ndtri(u[:, DRAW_NOISE, cols])
    new = np.clip(c + P.adjustment_rate * (target - c) + shock, 0.0, 1.0)
    st = s.status[:, cols]
    new = np.where(P.patron[cols] | (st == mb.CANDIDATE), c, new)
    return np.where(st == mb.EXITED, 0.0, new)


def next_status(
    s: State, P: Params, c: np.ndarray, u: np.ndarray, step: int, cols: slice = ALL
) -> dict[str, np.ndarray]:
    """Status with hysteresis.  A member moves one step worse (active -> hedging -> suspended)
    after status_patience quarters in a row below the next threshold (hedge_below,
    suspend_below), and one step better after as many above the recovery threshold
    (hedge_recover, suspend_recover).  A suspended member below exit_below for exit_patience
    quarters leaves with probability exit_hazard x (1 - exit_cost_weight x exit cost).  Exit is
    final, and the commitment of a member that has left is 0.  Returns the new ``status``,
    ``down_count``, ``up_count``, ``exit_count``, ``exit_step`` and ``commitment`` of ``cols``
    (the state fields to overwrite).
    """
    st = s.status[:, cols]
    worse = np.select(
        [st == mb.ACTIVE, st == mb.HEDGING], [c < P.hedge_below, c < P.suspend_below], False
    )
    better = np.select(
        [st == mb.HEDGING, st == mb.SUSPENDED], [c > P.hedge_recover, c > P.suspend_recover], False
    )
    down = np.where(worse, s.down_count[:, cols] + 1, 0)
    up = np.where(better, s.up_count[:, cols] + 1, 0)
    go_down = down >= P.status_patience
    go_up = up >= P.status_patience
    new = np.where(go_down, st + 1, np.where(go_up, st - 1, st))
    down = np.where(go_down | go_up, 0, down)
    up = np.where(go_down | go_up, 0, up)
    low = (st == mb.SUSPENDED) & (c < P.exit_below)
    exit_count = np.where(low, s.exit_count[:, cols] + 1, 0)
    hazard = P.exit_hazard * (1.0 - P.exit_cost_weight * P.exit_cost[:, cols])
    leaves = (exit_count >= P.exit_patience) & (u[:, DRAW_EXIT, cols] < hazard)
    new = np.where(leaves, mb.EXITED, new)
    fixed = P.patron[cols] | ~in_alliance(st)
    new = np.where(fixed, st, new).astype(np.int8)
    exit_step = np.where(leaves & ~fixed, step, s.exit_step[:, cols])
    return {
        "status": new,
        "down_count": down.astype(np.int16),
        "up_count": up.astype(np.int16),
        "exit_count": exit_count.astype(np.int16),
        "exit_step": exit_step,
        "commitment": np.where(new == mb.EXITED, 0.0, c),
    }


def faded_patron_threat(s: State, P: Params) -> np.ndarray:
    """The patron threat fades slowly: patron_threat x (1 - patron_threat_decay).  It grows
    only by ``russian_force`` events: size x patron exposure (see :mod:`core.events`)."""
    return (1.0 - P.patron_threat_decay) * s.patron_threat


# --- consensus (mechanism 'consensus') -------------------------------------------------------


def war_risk(P: Params) -> np.ndarray:
    """Annual probability that each member is attacked, (R, M):
    1 - (1 - attack_hazard x attack_hazard_scale)^4."""
    h = np.clip(P.m["attack_hazard"] * P.attack_hazard_scale, 0.0, 1.0)
    return 1.0 - (1.0 - h) ** 4


def consent_probability(s: State, P: Params, candidate: int) -> np.ndarray:
    """Probability that each member consents to admitting ``candidate``, (R, M):

    logistic((c - consent_cut - entrapment_weight x war risk of the candidate
              + russia_sway) / consent_scale),

    russia_sway = consent_russia_pull x dependence on Russia with mechanism ``bloc_consent``
    on (Russia proposes, and the more a member depends on it the more it follows), 0 off.
    Russia, which proposes, always consents."""
    war = war_risk(P)[:, candidate : candidate + 1]
    sway = np.where(on(P.mech_bloc_consent), P.consent_russia_pull * P.dependence, 0.0)
    z = (s.commitment - P.consent_cut - P.entrapment_weight * war + sway) / P.consent_scale
    return np.where(P.patron, 1.0, expit(z))


def application_probability(s: State, P: Params, candidate: int) -> np.ndarray:
    """Probability that ``candidate`` applies this quarter of its own accord, (R,) (mechanism
    ``own_application``):

    application_hazard x clip((v - application_above) / (1 - application_above), 0, 1),

    v = ``s.inclination``: the commitment the candidate's own weighing of membership
    (:func:`weigh`, last quarter's phase 4, as every member weighs) favoured -- its felt
    threat and the alliance's credibility in its eyes, its dependence on Russia, its regime's
    need, its Western and Chinese options, its grievance (a refused application adds one); 0
    before it first weighs.  0 where the candidate is no longer a candidate or the mechanism
    is off."""
    v = s.inclination[:, candidate]
    above = P.application_above[:, 0]
    ramp = np.clip((v - above) / np.maximum(1.0 - above, 1e-9), 0.0, 1.0)
    still = s.status[:, candidate] == mb.CANDIDATE
    return np.where(
        on(P.mech_own_application)[:, 0] & still, P.application_hazard[:, 0] * ramp, 0.0
    )


def consent_draws(u_vote: np.ndarray, P: Params) -> np.ndarray:
    """The uniforms each member's consent is drawn with, (R, M) (mechanism ``bloc_consent``):

    u_i' = Phi(sqrt(rho) x eta + sqrt(1 - rho) x eps_i),  eps_i = Phi^-1(u_i),
    eta = Phi^-1(u of the patron),  rho = consent_correlation

    a Gaussian copula: each member's chance of consenting is unchanged, but the members'
    decisions share one factor (how hard Russia lobbies, how the candidate's risk reads that
    quarter), so they fall together rather than as independent coins.  The patron's own vote
    draw, unused otherwise (it always consents), is the shared factor.  Off: u_i' = u_i."""
    eta = ndtri(u_vote[:, P.patron][:, :1])
    rho = np.clip(P.consent_correlation, 0.0, 1.0)
    mixed = ndtr(np.sqrt(rho) * eta + np.sqrt(1.0 - rho) * ndtri(u_vote))
    return np.where(on(P.mech_bloc_consent), mixed, u_vote)


def entrapment(s: State, P: Params, cols: slice = ALL) -> np.ndarray:
    """The pull away from the alliance of the risk of being drawn into a newcomer's wars:

    -mech_consensus x entrapment_weight x sum over members admitted from candidacy (Iran),
    other than the member itself, of their annual war risk (:func:`war_risk`)."""
    newcomer = (P.m["initial_status"] == mb.CANDIDATE) & in_alliance(s.status)
    risk = np.where(newcomer, war_risk(P), 0.0)
    others = msum(risk, keepdims=True) - risk
    return -P.mech_consensus * P.entrapment_weight * others[:, cols]


def fear_of_patron(s: State, P: Params, cols: slice = ALL) -> np.ndarray:
    """Distance from the alliance as security against the patron (mechanism
    ``fear_of_patron``): -fear_weight x patron_threat x (1 - regime_need); 0 when off.  A
    regime that relies on Russia for its survival cannot buy safety by distance."""
    pull = -P.fear_weight * s.patron_threat[:, cols] * (1.0 - P.m["regime_need"][:, cols])
    return np.where(on(P.mech_fear_of_patron), pull, 0.0)


def defection_signal(s: State, P: Params, old_status: np.ndarray) -> np.ndarray:
    """The fading signal each member reads from the others' defections, (R, M): it decays by
    contagion_decay and grows by 1 per new exit and 0.5 per new suspension of another member
    this quarter (a member does not read its own)."""
    new_exit = (s.status == mb.EXITED) & (old_status != mb.EXITED)
    new_susp = (s.status == mb.SUSPENDED) & (old_status < mb.SUSPENDED)
    own = new_exit + 0.5 * new_susp
    fresh = msum(own, keepdims=True) - own
    return (1.0 - P.contagion_decay) * s.defection + fresh


# --- what the alliance looks like ----------------------------------------------------------


def cohesion(s: State, P: Params) -> np.ndarray:
    """Cohesion index, 0-1: mean commitment of Russia's allies that have joined, counting a
    suspended or exited ally as 0.  Shape (R,)."""
    joined = (s.status > mb.CANDIDATE) & ~P.patron
    c = np.where(participating(s.status), s.commitment, 0.0)
    return msum(np.where(joined, c, 0.0)) / np.maximum(joined.sum(-1), 1)


def capability_cohesion(s: State, P: Params) -> np.ndarray:
    """As :func:`cohesion`, weighting allies by military spending (milex_bn).  Shape (R,)."""
    joined = (s.status > mb.CANDIDATE) & ~P.patron
    w = np.where(joined, P.m["milex_bn"], 0.0)
    c = np.where(participating(s.status), s.commitment, 0.0)
    return msum(w * c) / np.maximum(msum(w), 1e-12)


def influence(s: State, P: Params) -> dict[str, np.ndarray]:
    """Russian, Western and Chinese shares of the pull on the allies still in the alliance
    (each (R,), summing to 1): Russia's pull is dependence, inducements and pressure-bought
    compliance; the others' pull is their ties, as weighed."""
    p = pulls(s, P, s.pressure)
    rus = p["dependence"] + p["inducement"] + np.maximum(p["pressure"], 0.0)
    west, china = -p["west"], -p["china"]
    inn = in_alliance(s.status) & ~P.patron
    tot = [msum(np.where(inn, x, 0.0)) for x in (rus, west, china)]
    denom = np.maximum(tot[0] + tot[1] + tot[2], 1e-12)
    return {
        "russian_influence": tot[0] / denom,
        "western_influence": tot[1] / denom,
        "chinese_influence": tot[2] / denom,
    }
