"""The batch engine's compiled quarter: the equations of :mod:`alliance_sim.core.dynamics`,
fused into one loop over runs and members and compiled with numba.

Why a second writing of the equations: the numpy functions spend most of a quarter in
interpreter and allocation overhead (a dozen array calls per equation on arrays of a few
thousand elements, for a few hundred floating-point operations per member), so the batch
engine advanced 2,000 runs x 40 quarters in 0.64 s.  Here each member's quarter is a few
hundred scalar operations in registers (``benchmarks/bench_engines.py`` measures both).  The
numpy functions stay the reference: the Mesa model steps its agents through them, and the
test suite checks that both give the same trajectory for the same seed (``tests/test_batch.py``,
``tests/test_kernel.py``), bit for bit where the arithmetic is the same.

Each line below repeats its numpy equation's operations in the same order (``a * b * c`` is
``(a * b) * c``; sums over members run left to right, as numpy sums seven members), and the
functions numpy and scipy call (``exp``, ``expm1``, the logistic ``1 / (1 + exp(-x))``) are
the same C library functions, so the results are identical, not merely close.  What is not
here: scheduled events and applications for membership (they stay in
:mod:`alliance_sim.core.events` and :func:`alliance_sim.core.quarter.applications`, applied
in numpy in the quarters they happen), and the normal commitment shocks, which are the
uniform draws turned by ``scipy.special.ndtri`` in one call per chunk.

The order of a quarter is :func:`alliance_sim.core.quarter.quarter`'s.  The module is long because
it holds the whole quarter in one compiled function, each equation once, with the recording
of every series and the outcome tracker that must see every quarter.
"""

from __future__ import annotations

import hashlib
import math
from collections import namedtuple

import numpy as np
from numba import njit

from alliance_sim.core import members as mb
from alliance_sim.core.observations import OBSERVABLES
from alliance_sim.core.outcomes import TRACKED
from alliance_sim.core.params import REGIONAL, defaults
from alliance_sim.core.state import (
    DRAW_ANSWER,
    DRAW_ATTACK,
    DRAW_CLASH,
    DRAW_EXIT,
    DRAW_UNREST,
    DRAW_VOTE,
)

CANDIDATE, ACTIVE, HEDGING, SUSPENDED, EXITED = (
    mb.CANDIDATE,
    mb.ACTIVE,
    mb.HEDGING,
    mb.SUSPENDED,
    mb.EXITED,
)

GLOBALS = tuple(sorted(defaults()))  # every registry parameter, as an (R,) array
MEMBER_FIGURES = (
    "attack_hazard",
    "azerbaijan_exposure",
    "initial_status",
    "milex_bn",
    "pressure_tolerance",
    "regime_need",
    "russian_interest",
    "threat_exposure",
    "trade_china",
    "unrest_hazard",
    "western_openness",
    "dependence",  # derived (members.dependence_index)
    "remittance_part",  # derived (members.remittance_share)
    "exit_cost",  # derived (members.exit_cost)
    "war_risk",  # derived (dynamics.war_risk: parameters only)
    *REGIONAL,  # globals a scenario may set for some members only (core.params.REGIONAL)
)
INFLUENCE = ("russian_influence", "western_influence", "chinese_influence")
# what is recorded, in the order of core.outcomes.snapshot
SERIES = (
    *TRACKED,
    "credibility",
    "cohesion",
    "capability_cohesion",
    "bandwidth",
    *INFLUENCE,
    *OBSERVABLES,
)
GROUPS = (INFLUENCE, OBSERVABLES)  # series computed together: recorded all or none
PER_RUN_SERIES = ("cohesion", "capability_cohesion", "bandwidth", *INFLUENCE)

FLOAT_STATE = (  # per-member float state, packed (F, R, M)
    "commitment",
    "cred_a",
    "cred_b",
    "grievance",
    "western_ties",
    "chinese_ties",
    "western_security",
    "chinese_security",
    "threat_shock",
    "remittance_loss",
    "campaign",
    "pressure",
    "defection",
    "patron_threat",
    "coercion_share",
    "inducement",
    "grievance_growth",
    "inclination",
)
RUN_STATE = ("bandwidth", "az_threat", "az_base", "az_russia_ties", "az_turkey_ties")  # (5, R)
COUNT_STATE = ("down_count", "up_count", "exit_count", "campaign_left")  # int16 (4, R, M)
FLAG_STATE = ("appealed", "answered")  # bool (2, R, M)


def _index(name: str, names: tuple[str, ...]):
    """Named positions in a packed array; a module-level instance is a compile-time constant
    of the kernel (``G[r, GI.adjustment_rate]``)."""
    return namedtuple(name, names, module=__name__)(*range(len(names)))


GI = _index("GlobalIndex", GLOBALS)
MI = _index("MemberIndex", MEMBER_FIGURES)
F = _index("FloatState", FLOAT_STATE)
RS = _index("RunState", RUN_STATE)
C = _index("CountState", COUNT_STATE)
B = _index("FlagState", FLAG_STATE)
Q = _index("Series", SERIES)


# --- numpy's elementwise functions, as numpy computes them ---------------------------------


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _max(a, b):
    """np.maximum: the first argument when it is not smaller (or is NaN)."""
    return a if (a >= b or a != a) else b


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _min(a, b):
    """np.minimum: the first argument when it is not larger (or is NaN)."""
    return a if (a <= b or a != a) else b


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _clip(x, lo, hi):
    return _min(_max(x, lo), hi)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _expit(x):
    """scipy.special.expit for float64: 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + math.exp(-x))


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _inn(st):
    """dynamics.in_alliance: active, hedging or suspended."""
    return st >= ACTIVE and st <= SUSPENDED


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _part(st):
    """dynamics.participating: active or hedging."""
    return st in (ACTIVE, HEDGING)


# --- the terms of the weighing (dynamics.pulls), shared by decide and influence ------------


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _outside(SF, G, MF, r, m):
    """dynamics.outside_option for member m of run r: (Western, Chinese)."""
    w = SF[F.western_ties, r, m]
    h = SF[F.chinese_ties, r, m]
    ws = SF[F.western_security, r, m]
    hs = SF[F.chinese_security, r, m]
    econ = G[r, GI.economic_tie_weight]
    xw = ws + econ * _max(w - ws, 0.0)
    xh = hs + econ * _max(h - hs, 0.0)
    x = xw + xh
    sat = G[r, GI.ties_saturation]
    if G[r, GI.mech_bounded_ties] > 0.5:
        ratio = sat * -math.expm1(-x / sat) / _max(x, 1e-12) if x > 1e-12 else 1.0
        return xw * ratio, xh * ratio
    return w, MF[MI.china_security_weight, r, m] * h


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _dep(SF, MF, r, m):
    """dynamics.effective_dependence."""
    return MF[MI.dependence, r, m] - MF[MI.remittance_part, r, m] * SF[F.remittance_loss, r, m]


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _inducement_pull(SF, SR, G, r, m, dep):
    return (
        G[r, GI.russian_inducement] * SR[RS.bandwidth, r] * dep
        + G[r, GI.inducement_gain] * SF[F.inducement, r, m]
    )


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _pressure_pull(SF, G, MF, r, m):
    """dynamics.pressure_response of this quarter's pressure."""
    sr = G[r, GI.mech_strategic_russia] > 0.5
    gain = G[r, GI.pressure_gain] * (2.0 * G[r, GI.bandwagoning] - 1.0 if sr else 1.0)
    p = SF[F.pressure, r, m]
    tol = MF[MI.pressure_tolerance, r, m]
    return gain * _min(p, tol) - G[r, GI.pressure_backlash] * _max(p - tol, 0.0)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _az_factor(SR, G, MF, r, m):
    e = MF[MI.azerbaijan_exposure, r, m]
    return 1.0 - e + e * SR[RS.az_threat, r] if G[r, GI.mech_az_tr] > 0.5 else 1.0


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _p_answer(SF, SR, G, MF, r, m):
    """dynamics.answer_probability of member m of run r (russian_interest, loyalty_factor)."""
    capacity = G[r, GI.answer_floor] + (1.0 - G[r, GI.answer_floor]) * SR[RS.bandwidth, r]
    ri = MF[MI.russian_interest, r, m]
    if G[r, GI.mech_az_tr] > 0.5:
        i_az = (
            G[r, GI.az_interest_max]
            * (1.0 - SR[RS.az_russia_ties, r])
            * (1.0 - G[r, GI.turkey_deterrence] * SR[RS.az_turkey_ties, r])
        )
        e = MF[MI.azerbaijan_exposure, r, m]
        ri = (1.0 - e) * ri + e * i_az
    loyalty = 1.0
    if G[r, GI.mech_alliance_dilemma] > 0.5:
        c = SF[F.commitment, r, m]
        loyalty = _max(1.0 + G[r, GI.answer_loyalty] * (c - G[r, GI.drift_reference]), 0.0)
    return _clip(ri * capacity * loyalty, 0.0, 1.0)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _az_opportunity(SF, SR, ST, G, MF, r):
    """dynamics.az_opportunity of run r."""
    M = ST.shape[1]
    total = 0.0
    q = 0.0
    ws = 0.0
    for m in range(M):  # msum: member order, one addition after another
        e = MF[MI.azerbaijan_exposure, r, m]
        p = _p_answer(SF, SR, G, MF, r, m) if _inn(ST[r, m]) else 0.0
        if m == 0:
            total = e
            q = e * p
            ws = e * SF[F.western_security, r, m]
        else:
            total = total + e
            q = q + e * p
            ws = ws + e * SF[F.western_security, r, m]
    if not (G[r, GI.mech_az_decides] > 0.5 and total > 0.0):
        return 1.0
    q = q / _max(total, 1e-12)
    ws = ws / _max(total, 1e-12)
    return _max(
        1.0
        + G[r, GI.az_opportunism] * (G[r, GI.az_answer_reference] - q)
        - G[r, GI.western_deterrence] * (ws / (1.0 + ws)),
        0.0,
    )


# --- recording and tracking ----------------------------------------------------------------


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _cohesions(SF, ST, MF, patron, r):
    """dynamics.cohesion and capability_cohesion of run r."""
    M = ST.shape[1]
    num = 0.0
    n = 0
    wc = 0.0
    ws = 0.0
    for m in range(M):
        st = ST[r, m]
        joined = st > CANDIDATE and not patron[m]
        c = SF[F.commitment, r, m] if _part(st) else 0.0
        num += c if joined else 0.0
        n += 1 if joined else 0
        w = MF[MI.milex_bn, r, m] if joined else 0.0
        wc += w * c
        ws += w
    return num / max(n, 1), wc / _max(ws, 1e-12)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _put(OF, sl, q, k, r, m, value):
    """Record a per-member float series (slot -1: not recorded)."""
    if sl[q] >= 0:
        OF[sl[q], r, k, m] = value


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _record(SF, SR, ST, SB, G, patron, r, k, coh, cap, pull, OF, OR, OS, OB, sl):
    """core.outcomes.snapshot of run r into step slot k: per-member float series in ``OF``,
    per-run series in ``OR``, status in ``OS``, appeals and answers in ``OB``; ``sl[q]`` is
    series q's place in its array, -1 when it is not recorded; ``coh``, ``cap`` the run's
    cohesions and ``pull`` its members' pulls."""
    M = ST.shape[1]
    for m in range(M):
        _put(OF, sl, Q.commitment, k, r, m, SF[F.commitment, r, m])
        _put(OF, sl, Q.grievance, k, r, m, SF[F.grievance, r, m])
        _put(OF, sl, Q.pressure, k, r, m, SF[F.pressure, r, m])
        _put(OF, sl, Q.western_ties, k, r, m, SF[F.western_ties, r, m])
        _put(OF, sl, Q.chinese_ties, k, r, m, SF[F.chinese_ties, r, m])
        ca = SF[F.cred_a, r, m]
        _put(OF, sl, Q.credibility, k, r, m, ca / (ca + SF[F.cred_b, r, m]))
        if sl[Q.status] >= 0:
            OS[r, k, m] = ST[r, m]
        if sl[Q.appealed] >= 0:
            OB[sl[Q.appealed], r, k, m] = SB[B.appealed, r, m]
        if sl[Q.answered] >= 0:
            OB[sl[Q.answered], r, k, m] = SB[B.answered, r, m]
    if sl[Q.cohesion] >= 0:
        OR[sl[Q.cohesion], r, k] = coh
    if sl[Q.capability_cohesion] >= 0:
        OR[sl[Q.capability_cohesion], r, k] = cap
    if sl[Q.bandwidth] >= 0:
        OR[sl[Q.bandwidth], r, k] = SR[RS.bandwidth, r]
    if sl[Q.russian_influence] >= 0:
        _influence(ST, patron, pull, r, k, OR, sl)
    if sl[Q.p_vote_with_russia] >= 0:
        _observe(SF, ST, G, patron, r, k, OF, sl)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _pulls(SF, SR, G, MF, r, pull):
    """The Russian, Western and Chinese pulls of run r's members (dynamics.pulls), for the
    initial state (in a quarter :func:`_decide` keeps them)."""
    for m in range(pull.shape[1]):
        dep = _dep(SF, MF, r, m)
        west, china = _outside(SF, G, MF, r, m)
        dependence = G[r, GI.dependence_weight] * dep
        inducement = _inducement_pull(SF, SR, G, r, m, dep)
        pull[0, m] = dependence + inducement + _max(_pressure_pull(SF, G, MF, r, m), 0.0)
        pull[1, m] = -(-G[r, GI.alternatives_weight] * west)
        pull[2, m] = -(-G[r, GI.alternatives_weight] * china)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _influence(ST, patron, pull, r, k, OR, sl):
    """dynamics.influence of run r: the Russian, Western and Chinese shares of the pull on the
    allies still in the alliance."""
    rus_t = 0.0
    west_t = 0.0
    china_t = 0.0
    for m in range(ST.shape[1]):
        inn = _inn(ST[r, m]) and not patron[m]
        rus_t += pull[0, m] if inn else 0.0
        west_t += pull[1, m] if inn else 0.0
        china_t += pull[2, m] if inn else 0.0
    denom = _max(rus_t + west_t + china_t, 1e-12)
    OR[sl[Q.russian_influence], r, k] = rus_t / denom
    OR[sl[Q.western_influence], r, k] = west_t / denom
    OR[sl[Q.chinese_influence], r, k] = china_t / denom


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _take_part(c, st, cut, G, r):
    """observations.take_part."""
    if _part(st):
        return _expit((c - cut) / G[r, GI.obs_scale])
    return G[r, GI.obs_suspended] if st == SUSPENDED else 0.0


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _observe(SF, ST, G, patron, r, k, OF, sl):
    """observations.observe of run r into slot k."""
    M = ST.shape[1]
    for m in range(M):
        if patron[m]:  # Russia votes with itself and attends by definition
            vote, abstain, against, crimea, attend, drill, pay = 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0
        elif ST[r, m] == CANDIDATE:  # numpy's probability x NaN: NaN whatever it is
            vote = abstain = against = crimea = attend = drill = pay = np.nan
        else:
            c = SF[F.commitment, r, m]
            st = ST[r, m]
            nan = 1.0
            scale = G[r, GI.obs_scale]
            cut = G[r, GI.vote_cut_ukraine]
            with_ = _expit((c - cut) / scale)
            with_or_abstain = _expit((c - cut + G[r, GI.vote_abstain_band]) / scale)
            vote = with_ * nan
            abstain = (with_or_abstain - with_) * nan
            against = (1.0 - with_or_abstain) * nan
            crimea = _expit((c - G[r, GI.vote_cut_crimea]) / scale) * nan
            attend = _take_part(c, st, G[r, GI.attend_cut], G, r) * nan
            drill = _take_part(c, st, G[r, GI.exercise_cut], G, r) * nan
            pay = _take_part(c, st, G[r, GI.budget_cut], G, r) * nan
        OF[sl[Q.p_vote_with_russia], r, k, m] = vote
        OF[sl[Q.p_vote_abstain], r, k, m] = abstain
        OF[sl[Q.p_vote_against], r, k, m] = against
        OF[sl[Q.p_crimea_with_russia], r, k, m] = crimea
        OF[sl[Q.p_attend_summit], r, k, m] = attend
        OF[sl[Q.p_join_exercise], r, k, m] = drill
        OF[sl[Q.p_pay_budget], r, k, m] = pay


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _track(SF, ST, r, coh, TB, TM, TR):
    """core.outcomes.Tracker.update for run r: ``TB`` (joined, ever suspended), ``TM`` lowest
    commitment, ``TR`` (lowest cohesion, sum of cohesion)."""
    M = ST.shape[1]
    for m in range(M):
        st = ST[r, m]
        member = st > CANDIDATE
        TB[0, r, m] |= member
        TB[1, r, m] |= st == SUSPENDED
        TM[r, m] = _min(TM[r, m], SF[F.commitment, r, m] if member else np.inf)
    TR[0, r] = _min(TR[0, r], coh)
    TR[1, r] = TR[1, r] + coh


@njit(cache=True, error_model="numpy", _nrt=False)
def start(SF, SR, ST, SB, G, MF, patron, k, OF, OR, OS, OB, sl, TB, TM, TR, work_f):
    """Step 0: record the initial state of every run (slot ``k``; -1: not recorded) and let
    the tracker see it.  ``work_f``: (4, M) float scratch space."""
    pull = work_f[1:4]
    for r in range(ST.shape[0]):
        coh, cap = _cohesions(SF, ST, MF, patron, r)
        if k >= 0:
            _pulls(SF, SR, G, MF, r, pull)
            _record(SF, SR, ST, SB, G, patron, r, k, coh, cap, pull, OF, OR, OS, OB, sl)
        _track(SF, ST, r, coh, TB, TM, TR)


# --- the quarters --------------------------------------------------------------------------


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _applies(SF, ST, G, patron, u, w, t, r):
    """Whether a candidate of run r applies of its own accord at step t + 1
    (quarter.own_applications with dynamics.application_probability)."""
    if not G[r, GI.mech_own_application] > 0.5:
        return False
    above = G[r, GI.application_above]
    for m in range(ST.shape[1]):
        if ST[r, m] != CANDIDATE or patron[m]:
            continue
        ramp = _clip((SF[F.inclination, r, m] - above) / _max(1.0 - above, 1e-9), 0.0, 1.0)
        if u[w, t, DRAW_VOTE, m] < G[r, GI.application_hazard] * ramp:
            return True
    return False


@njit(cache=True, error_model="numpy", _nrt=False)
def advance(
    SF, SR, ST, SC, SX, SB, G, MF, patron, pairs, u, z, which, first, last, begin, pending,
    FA, FN, slots, OF, OR, OS, OB, sl, TB, TM, TR, work_f, work_b, work_i,
):  # fmt: skip
    """Steps ``begin[r]`` .. ``last`` of each run r (quarters without scheduled events after
    ``first``, the quarter numpy opened for every run), in place: phases 2-5 and the close of
    each quarter (:func:`alliance_sim.core.quarter.quarter`), the record of step t in slot
    ``slots[t]`` (-1: not recorded) and the tracker.  Each run goes through all the steps
    before the next run starts, so its state stays in the processor's cache.  A run in which a
    candidate applies of its own accord at step t > begin[r] (:func:`_applies`) stops before
    it, with ``pending[r] = t``, for numpy to open that quarter (the members' consent); the
    others leave ``pending`` alone.

    State: ``SF`` floats (F, R, M), ``SR`` per run (RS, R), ``ST`` status (R, M), ``SC``
    counts (C, R, M), ``SX`` exit steps (R, M), ``SB`` appeals and answers (B, R, M).
    Parameters: ``G`` (R, GI), ``MF`` (MI, R, M), ``patron`` (M,), ``pairs`` (K, 3) the clash
    pairs (i, j, hazard).  Draws: ``u`` (streams, T, N_DRAWS, M) uniforms and ``z``
    (streams, T, M) normal commitment shocks, of which run r reads stream ``which[r]``, step t
    at index t - 1.  Forcing of step ``first``: ``FA`` (appeal, unrest, clash) (3, R, M),
    ``FN`` the forced answer (-1: none).  Scratch space: ``work_f`` (4, M) float, ``work_b``
    (4, M) bool, ``work_i`` (M,) int8 (the kernel allocates nothing: it is compiled without
    numba's reference counting, whose atomic operations took a quarter of its time).
    """
    R, M = ST.shape
    appeal = work_b[0]
    answered = work_b[1]
    clash_hit = work_b[2]
    hit = work_b[3]
    old = work_i
    target = work_f[0]
    pull = work_f[1:4]
    for r in range(R):
        w = which[r]
        for step in range(begin[r], last + 1):
            t = step - 1
            if step > begin[r] and _applies(SF, ST, G, patron, u, w, t, r):
                pending[r] = step
                break
            _outside_actors(SF, SR, ST, G, MF, patron, r)
            _article4(
                SF, SR, ST, SB, G, MF, patron, pairs, u, w, t, FA, FN, step == first, r,
                appeal, answered, clash_hit, hit,
            )  # fmt: skip
            _decide(SF, SR, ST, G, MF, patron, z, w, t, r, target, pull)
            for m in range(M):
                old[m] = ST[r, m]
            _update_status(SF, ST, SC, SX, G, MF, patron, u, w, t, step, r)
            _close(SF, ST, SC, G, r, old)
            coh, cap = _cohesions(SF, ST, MF, patron, r)
            k = slots[step]
            if k >= 0:
                _record(SF, SR, ST, SB, G, patron, r, k, coh, cap, pull, OF, OR, OS, OB, sl)
            _track(SF, ST, r, coh, TB, TM, TR)


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _outside_actors(SF, SR, ST, G, MF, patron, r):
    """Azerbaijan's threat relaxes; Russia splits its budget, presses and induces; the West
    and China renew their ties (quarter.az_tr_acts, russia_acts, west_acts, china_acts)."""
    M = ST.shape[1]
    level = SR[RS.az_base, r] * _az_opportunity(SF, SR, ST, G, MF, r)
    SR[RS.az_threat, r] = level + (1.0 - G[r, GI.az_threat_decay]) * (SR[RS.az_threat, r] - level)
    sr = G[r, GI.mech_strategic_russia] > 0.5
    bw = SR[RS.bandwidth, r]
    keep = 1.0 - G[r, GI.ties_decay]
    for m in range(M):
        target = _inn(ST[r, m]) and not patron[m]
        c = SF[F.commitment, r, m]
        if sr and target:  # dynamics.coercion_split
            backlash = _max(SF[F.pressure, r, m] - MF[MI.pressure_tolerance, r, m], 0.0) + _max(
                SF[F.grievance_growth, r, m], 0.0
            )
            signal = (G[r, GI.drift_reference] - c) - G[r, GI.russia_backlash_aversion] * backlash
            SF[F.coercion_share, r, m] = _clip(
                SF[F.coercion_share, r, m] + G[r, GI.russia_adaptation] * signal, 0.0, 1.0
            )
        share = SF[F.coercion_share, r, m]
        budget = 0.0  # dynamics.russian_budget
        if target:
            drift = _max(G[r, GI.drift_reference] - c, 0.0)
            budget = MF[MI.russian_pressure, r, m] * bw * (1.0 + G[r, GI.drift_response] * drift)
        if target:  # dynamics.russian_pressure
            SF[F.pressure, r, m] = (share if sr else 1.0) * budget + SF[F.campaign, r, m]
        else:
            SF[F.pressure, r, m] = 0.0
        SF[F.inducement, r, m] = (1.0 - share) * budget if sr else 0.0
        if patron[m]:  # dynamics.western_offer, chinese_offer
            wo = 0.0
            co = 0.0
        else:
            wo = (
                MF[MI.western_offer, r, m]
                * MF[MI.western_openness, r, m]
                * (1.0 + MF[MI.west_opportunism, r, m] * (1.0 - c))
            )
            co = (
                MF[MI.chinese_offer, r, m]
                * MF[MI.trade_china, r, m]
                * (1.0 + MF[MI.sco_substitution, r, m] * (1.0 - bw))
            )
        SF[F.western_security, r, m] = (
            keep * SF[F.western_security, r, m] + MF[MI.west_security_share, r, m] * wo
        )
        SF[F.western_ties, r, m] = keep * SF[F.western_ties, r, m] + wo
        SF[F.chinese_security, r, m] = (
            keep * SF[F.chinese_security, r, m] + MF[MI.china_security_weight, r, m] * co
        )
        SF[F.chinese_ties, r, m] = keep * SF[F.chinese_ties, r, m] + co


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _article4(
    SF, SR, ST, SB, G, MF, patron, pairs, u, w, t, FA, FN, forced, r, appeal, answered, clash_hit,
    hit,
):  # fmt: skip
    """dynamics.resolve_appeals, update_credibility, update_grievance_and_threat."""
    M = ST.shape[1]
    for m in range(M):
        clash_hit[m] = forced and FA[2, r, m]
    for p in range(pairs.shape[0]):  # dynamics.clashes
        i = int(pairs[p, 0])
        j = int(pairs[p, 1])
        if (
            u[w, t, DRAW_CLASH, p] < pairs[p, 2] * G[r, GI.clash_hazard_scale]
            and _inn(ST[r, i])
            and _inn(ST[r, j])
        ):
            clash_hit[i] = True
            clash_hit[j] = True
    n_yes = 0
    n_no = 0
    for m in range(M):
        able = _inn(ST[r, m]) and not patron[m]
        hazard = (
            MF[MI.attack_hazard, r, m] * _az_factor(SR, G, MF, r, m) * G[r, GI.attack_hazard_scale]
        )
        attacked = (able and u[w, t, DRAW_ATTACK, m] < hazard) or (forced and FA[0, r, m])
        unrest_cut = MF[MI.unrest_hazard, r, m] * G[r, GI.unrest_hazard_scale]
        unrest = (able and u[w, t, DRAW_UNREST, m] < unrest_cut) or (forced and FA[1, r, m])
        clash = clash_hit[m] and not patron[m]
        a = attacked or unrest or clash
        p_answer = _p_answer(SF, SR, G, MF, r, m)
        yes = a and not clash and u[w, t, DRAW_ANSWER, m] < p_answer
        if forced and FN[r, m] >= 0:
            yes = a and FN[r, m] == 1 and not clash
        appeal[m] = a
        answered[m] = yes
        hit[m] = attacked or clash
        n_yes += 1 if yes else 0
        n_no += 1 if (a and not yes) else 0
    strength = G[r, GI.credibility_prior_strength]
    a0 = G[r, GI.credibility_base_rate] * strength
    b0 = (1.0 - G[r, GI.credibility_base_rate]) * strength
    keep = 1.0 - G[r, GI.credibility_memory]
    own = G[r, GI.own_appeal_weight]
    obs = G[r, GI.observer_weight]
    for m in range(M):
        yes = 1.0 if answered[m] else 0.0
        no = 1.0 if (appeal[m] and not answered[m]) else 0.0
        if not (patron[m] or ST[r, m] == EXITED):
            SF[F.cred_a, r, m] = (
                a0 + keep * (SF[F.cred_a, r, m] - a0) + own * yes + obs * (n_yes - yes)
            )
            SF[F.cred_b, r, m] = (
                b0 + keep * (SF[F.cred_b, r, m] - b0) + own * no + obs * (n_no - no)
            )
        excess = _max(SF[F.pressure, r, m] - MF[MI.pressure_tolerance, r, m], 0.0)
        grievance = (
            (1.0 - G[r, GI.grievance_decay]) * SF[F.grievance, r, m]
            + G[r, GI.grievance_unanswered] * no
            + G[r, GI.grievance_backlash] * excess
        )
        SF[F.grievance_growth, r, m] = grievance - SF[F.grievance, r, m]
        SF[F.grievance, r, m] = grievance
        SF[F.threat_shock, r, m] = (1.0 - G[r, GI.threat_decay]) * SF[F.threat_shock, r, m] + G[
            r, GI.attack_threat
        ] * (1.0 if hit[m] else 0.0)
        SF[F.remittance_loss, r, m] = (1.0 - G[r, GI.remittance_recovery]) * SF[
            F.remittance_loss, r, m
        ]
        SB[B.appealed, r, m] = appeal[m]
        SB[B.answered, r, m] = answered[m]


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _decide(SF, SR, ST, G, MF, patron, z, w, t, r, target, pull):
    """dynamics.weigh and move_commitment for every member of run r; ``pull`` keeps the
    Russian, Western and Chinese pulls that :func:`_influence` shares out (nothing they
    depend on changes after this phase of the quarter)."""
    M = ST.shape[1]
    risk_sum = 0.0  # dynamics.entrapment: the newcomers' war risk
    for m in range(M):
        newcomer = MF[MI.initial_status, r, m] == CANDIDATE and _inn(ST[r, m])
        risk_sum += MF[MI.war_risk, r, m] if newcomer else 0.0
    fear_on = G[r, GI.mech_fear_of_patron] > 0.5
    for m in range(M):
        st = ST[r, m]
        if patron[m] or st == EXITED:
            continue  # numpy weighs them too, but nothing reads it
        ca = SF[F.cred_a, r, m]
        cred = ca / (ca + SF[F.cred_b, r, m])
        exposure = MF[MI.threat_exposure, r, m] * _az_factor(SR, G, MF, r, m)
        threat = _clip(exposure + SF[F.threat_shock, r, m], 0.0, 2.0)
        dep = _dep(SF, MF, r, m)
        west, china = _outside(SF, G, MF, r, m)
        rn = MF[MI.regime_need, r, m]
        newcomer = MF[MI.initial_status, r, m] == CANDIDATE and _inn(st)
        others = risk_sum - (MF[MI.war_risk, r, m] if newcomer else 0.0)
        fear = -G[r, GI.fear_weight] * SF[F.patron_threat, r, m] * (1.0 - rn) if fear_on else 0.0
        dependence = G[r, GI.dependence_weight] * dep
        inducement = _inducement_pull(SF, SR, G, r, m, dep)
        pressure = _pressure_pull(SF, G, MF, r, m)
        west_pull = -G[r, GI.alternatives_weight] * west
        china_pull = -G[r, GI.alternatives_weight] * china
        pull[0, m] = dependence + inducement + _max(pressure, 0.0)
        pull[1, m] = -west_pull
        pull[2, m] = -china_pull
        total = G[r, GI.security_weight] * cred * threat
        total = total + dependence
        total = total + G[r, GI.regime_weight] * rn * cred
        total = total + inducement
        total = total + pressure
        total = total + west_pull
        total = total + china_pull
        total = total + -G[r, GI.grievance_weight] * SF[F.grievance, r, m]
        total = total + -G[r, GI.contagion] * SF[F.defection, r, m]
        total = total + fear
        total = total + -G[r, GI.mech_consensus] * G[r, GI.entrapment_weight] * others
        target[m] = _expit(G[r, GI.commitment_bias] + total)
        if st == CANDIDATE:  # quarter.decide: a candidate keeps its weighing
            SF[F.inclination, r, m] = target[m]
    for m in range(M):
        c = SF[F.commitment, r, m]
        st = ST[r, m]
        shock = G[r, GI.commitment_noise] * z[w, t, m]
        new = _clip(c + G[r, GI.adjustment_rate] * (target[m] - c) + shock, 0.0, 1.0)
        if patron[m] or st == CANDIDATE:
            new = c
        if st == EXITED:
            new = 0.0
        SF[F.commitment, r, m] = new


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _update_status(SF, ST, SC, SX, G, MF, patron, u, w, t, step, r):
    """dynamics.next_status for every member of run r."""
    M = ST.shape[1]
    patience = G[r, GI.status_patience]
    for m in range(M):
        st = ST[r, m]
        c = SF[F.commitment, r, m]
        if st == ACTIVE:
            worse = c < G[r, GI.hedge_below]
        elif st == HEDGING:
            worse = c < G[r, GI.suspend_below]
        else:
            worse = False
        if st == HEDGING:
            better = c > G[r, GI.hedge_recover]
        elif st == SUSPENDED:
            better = c > G[r, GI.suspend_recover]
        else:
            better = False
        down = SC[C.down_count, r, m] + 1 if worse else 0
        up = SC[C.up_count, r, m] + 1 if better else 0
        go_down = down >= patience
        go_up = up >= patience
        new = st + 1 if go_down else (st - 1 if go_up else st)
        if go_down or go_up:
            down = 0
            up = 0
        low = st == SUSPENDED and c < G[r, GI.exit_below]
        exit_count = SC[C.exit_count, r, m] + 1 if low else 0
        hazard = G[r, GI.exit_hazard] * (1.0 - G[r, GI.exit_cost_weight] * MF[MI.exit_cost, r, m])
        leaves = exit_count >= G[r, GI.exit_patience] and u[w, t, DRAW_EXIT, m] < hazard
        if leaves:
            new = EXITED
        fixed = patron[m] or not _inn(st)
        if fixed:
            new = st
        if leaves and not fixed:
            SX[r, m] = step
        ST[r, m] = new
        SC[C.down_count, r, m] = down
        SC[C.up_count, r, m] = up
        SC[C.exit_count, r, m] = exit_count
        if new == EXITED:
            SF[F.commitment, r, m] = 0.0


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _close(SF, ST, SC, G, r, old):
    """dynamics.defection_signal, faded_patron_threat, end_campaigns."""
    M = ST.shape[1]
    total = 0.0
    for m in range(M):
        total += _fresh(ST[r, m], old[m])
    for m in range(M):
        fresh = total - _fresh(ST[r, m], old[m])
        SF[F.defection, r, m] = (1.0 - G[r, GI.contagion_decay]) * SF[F.defection, r, m] + fresh
        SF[F.patron_threat, r, m] = (1.0 - G[r, GI.patron_threat_decay]) * SF[F.patron_threat, r, m]
        left = _max(SC[C.campaign_left, r, m] - 1, 0)
        SC[C.campaign_left, r, m] = left
        if left <= 0:
            SF[F.campaign, r, m] = 0.0


@njit(cache=True, inline="always", error_model="numpy", _nrt=False)
def _fresh(st, old):
    """A member's own new exit (1) or suspension (0.5) this quarter."""
    new_exit = 1.0 if (st == EXITED and old != EXITED) else 0.0
    new_susp = 0.5 if (st == SUSPENDED and old < SUSPENDED) else 0.0
    return new_exit + new_susp


ENTRY_POINTS = (start, advance)  # what Python calls (the rest is inlined into them)

# numba keys its cache on this file's own stamp (time and size), but the kernel also bakes in
# the positions of GI, MI, F, ... which come from the parameter registry
# (core/data/params.toml) and the state's fields: a parameter added to the registry shifts
# them without touching this file, and the cached kernel would read its neighbour's value.
# The layout is therefore made part of the stamp, so a changed layout recompiles.
LAYOUT = hashlib.sha256(
    repr(
        (
            GLOBALS, MEMBER_FIGURES, FLOAT_STATE, RUN_STATE, COUNT_STATE, FLAG_STATE, SERIES,
            (DRAW_ANSWER, DRAW_ATTACK, DRAW_CLASH, DRAW_EXIT, DRAW_UNREST, DRAW_VOTE),
            (CANDIDATE, ACTIVE, HEDGING, SUSPENDED, EXITED),
        )
    ).encode()
).hexdigest()[:16]  # fmt: skip
for _f in ENTRY_POINTS:
    try:
        _file = _f._cache._cache_file
        _file._source_stamp = (*tuple(_file._source_stamp), LAYOUT)
    except (AttributeError, TypeError):  # another numba's cache layout, or no cache
        pass
