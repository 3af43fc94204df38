"""Each equation of core/dynamics.py against the formula its docstring states, computed here
independently, one run and one member at a time, on random parameters and random states; and
the registry against the parameters the equations read."""

import ast
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit, ndtri

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.params import BY_NAME, REGIONAL, REGISTRY
from alliance_sim.core.state import N_DRAWS, Params, State
from alliance_sim.engines.runspec import RunSpec, build_params

CORE = Path(dyn.__file__).parent
R, M = 8, len(mb.CODES)
ALLY = [mb.INDEX[c] for c in mb.ALLIES]


def random_world(seed: int = 0) -> tuple[State, Params]:
    """R runs with random global parameters inside their ranges and a random state."""
    rng = np.random.default_rng(seed)
    specs = [
        RunSpec(
            "2024Q1",
            4,
            {
                p.name: float(np.round(rng.uniform(p.low, p.high)))
                if p.integer
                else float(rng.uniform(p.low, p.high))
                for p in REGISTRY
            },
            {},
            (),
        )
        for _ in range(R)
    ]
    P = build_params(specs)
    s = dyn.initial_state(P)
    s.commitment = rng.uniform(0, 1, (R, M))
    s.cred_a = rng.uniform(0.5, 5, (R, M))
    s.cred_b = rng.uniform(0.5, 5, (R, M))
    s.grievance = rng.uniform(0, 2, (R, M))
    s.status = rng.integers(1, 4, (R, M)).astype(np.int8)  # active, hedging, suspended
    s.status[:, mb.INDEX["RUS"]] = mb.ACTIVE
    s.western_ties = rng.uniform(0, 1, (R, M))
    s.chinese_ties = rng.uniform(0, 1, (R, M))
    s.western_security = s.western_ties * rng.uniform(0, 1, (R, M))
    s.chinese_security = s.chinese_ties * rng.uniform(0, 1, (R, M))
    s.threat_shock = rng.uniform(0, 0.5, (R, M))
    s.remittance_loss = rng.uniform(0, 1, (R, M))
    s.campaign = rng.uniform(0, 0.3, (R, M))
    s.pressure = rng.uniform(0, 1, (R, M))
    s.bandwidth = rng.uniform(0, 1, R)
    s.defection = rng.uniform(0, 2, (R, M))
    s.patron_threat = rng.uniform(0, 1.5, (R, M))
    s.coercion_share = rng.uniform(0, 1, (R, M))
    s.inducement = rng.uniform(0, 0.5, (R, M))
    s.grievance_growth = rng.uniform(-0.3, 0.3, (R, M))
    s.az_threat = rng.uniform(0, 2.5, R)
    s.az_base = rng.uniform(0, 1, R)
    s.az_russia_ties = rng.uniform(0, 1, R)
    s.az_turkey_ties = rng.uniform(0, 1, R)
    P.m["azerbaijan_exposure"][:] = rng.uniform(0, 1, (R, M))  # every member, both branches
    s.down_count = rng.integers(0, 8, (R, M)).astype(np.int16)
    s.up_count = rng.integers(0, 8, (R, M)).astype(np.int16)
    s.exit_count = rng.integers(0, 20, (R, M)).astype(np.int16)
    return s, P


def g(P: Params, name: str, r: int) -> float:
    return float(P.g[name][r, 0])


def each():
    """Every (run, ally) pair."""
    return [(r, i) for r in range(R) for i in ALLY]


@pytest.fixture
def world():
    return random_world(1)


def test_credibility_is_the_beta_mean(world):
    s, _ = world
    c = dyn.credibility(s)
    for r, i in each():
        assert c[r, i] == pytest.approx(s.cred_a[r, i] / (s.cred_a[r, i] + s.cred_b[r, i]))


def budget_of(s, P, r, i):
    drift = max(g(P, "drift_reference", r) - s.commitment[r, i], 0.0)
    want = g(P, "russian_pressure", r) * s.bandwidth[r] * (1 + g(P, "drift_response", r) * drift)
    return want if 1 <= s.status[r, i] <= 3 else 0.0


def test_russian_budget_pressure_and_inducement(world):
    s, P = world
    b, p = dyn.russian_budget(s, P), dyn.russian_pressure(s, P)
    ind = dyn.russian_inducement_offer(s, P)
    for r, i in each():
        strategic = g(P, "mech_strategic_russia", r) > 0.5
        share = s.coercion_share[r, i] if strategic else 1.0
        assert b[r, i] == pytest.approx(budget_of(s, P, r, i))
        want = share * budget_of(s, P, r, i) + s.campaign[r, i]
        assert p[r, i] == pytest.approx(want if 1 <= s.status[r, i] <= 3 else 0.0)
        want_i = (1 - s.coercion_share[r, i]) * budget_of(s, P, r, i) if strategic else 0.0
        assert ind[r, i] == pytest.approx(want_i)
    assert (p[:, mb.INDEX["RUS"]] == 0).all()


def test_coercion_split_eases_on_backlash_and_rewards_compliance(world):
    s, P = world
    new = dyn.coercion_split(s, P)
    for r, i in each():
        if g(P, "mech_strategic_russia", r) < 0.5 or not 1 <= s.status[r, i] <= 3:
            assert new[r, i] == s.coercion_share[r, i]
            continue
        tol = P.m["pressure_tolerance"][r, i]
        backlash = max(s.pressure[r, i] - tol, 0) + max(s.grievance_growth[r, i], 0)
        signal = (g(P, "drift_reference", r) - s.commitment[r, i]) - g(
            P, "russia_backlash_aversion", r
        ) * backlash
        want = min(max(s.coercion_share[r, i] + g(P, "russia_adaptation", r) * signal, 0), 1)
        assert new[r, i] == pytest.approx(want)
    # more backlash, less coercion (where the mechanism is on and it adapts at all)
    s.grievance_growth = s.grievance_growth + 0.5
    eased = dyn.coercion_split(s, P)
    assert (eased <= new + 1e-12).all()


def test_western_and_chinese_offers_and_ties(world):
    s, P = world
    w, c = dyn.western_offer(s, P), dyn.chinese_offer(s, P)
    tw, tc = dyn.renewed_western_ties(s, P), dyn.renewed_chinese_ties(s, P)
    for r, i in each():
        open_ = P.m["western_openness"][r, i]
        want_w = (
            g(P, "western_offer", r)
            * open_
            * (1 + g(P, "west_opportunism", r) * (1 - s.commitment[r, i]))
        )
        want_c = (
            g(P, "chinese_offer", r)
            * P.m["trade_china"][r, i]
            * (1 + g(P, "sco_substitution", r) * (1 - s.bandwidth[r]))
        )
        assert w[r, i] == pytest.approx(want_w) and c[r, i] == pytest.approx(want_c)
        decay = g(P, "ties_decay", r)
        assert tw[r, i] == pytest.approx((1 - decay) * s.western_ties[r, i] + want_w)
        assert tc[r, i] == pytest.approx((1 - decay) * s.chinese_ties[r, i] + want_c)


def interest_of(s, P, r, i):
    base = P.m["russian_interest"][r, i]
    if g(P, "mech_az_tr", r) < 0.5:
        return base
    e = P.m["azerbaijan_exposure"][r, i]
    i_az = (
        g(P, "az_interest_max", r)
        * (1 - s.az_russia_ties[r])
        * (1 - g(P, "turkey_deterrence", r) * s.az_turkey_ties[r])
    )
    return (1 - e) * base + e * i_az


def az_factor_of(s, P, r, i):
    if g(P, "mech_az_tr", r) < 0.5:
        return 1.0
    e = P.m["azerbaijan_exposure"][r, i]
    return 1 - e + e * s.az_threat[r]


def answer_of(s, P, r, i):
    floor = g(P, "answer_floor", r)
    loyalty = 1.0
    if g(P, "mech_alliance_dilemma", r) > 0.5:
        drift = s.commitment[r, i] - g(P, "drift_reference", r)
        loyalty = max(1 + g(P, "answer_loyalty", r) * drift, 0)
    want = interest_of(s, P, r, i) * (floor + (1 - floor) * s.bandwidth[r]) * loyalty
    return min(max(want, 0), 1)


def test_answer_probability(world):
    s, P = world
    a = dyn.answer_probability(s, P)
    for r, i in each():
        assert a[r, i] == pytest.approx(answer_of(s, P, r, i))


def test_answer_weighs_loyalty_by_the_sign_of_answer_loyalty(world):
    """alliance_dilemma: with answer_loyalty > 0 the more loyal of two otherwise equal
    members is answered more often, with < 0 less often, and with the switch off equally."""
    s, P = world
    P.g["mech_alliance_dilemma"][:] = 1
    P.g["answer_floor"][:] = 0.5
    s.commitment[:] = 0.5
    kaz = mb.INDEX["KAZ"]
    for sign in (1.0, -1.0, 0.0):
        P.g["answer_loyalty"][:] = sign
        for switch in (1, 0):
            P.g["mech_alliance_dilemma"][:] = switch
            s.commitment[:, kaz] = 0.9
            hi = dyn.answer_probability(s, P)[:, kaz]
            s.commitment[:, kaz] = 0.3
            lo = dyn.answer_probability(s, P)[:, kaz]
            if switch and sign > 0:
                assert (hi >= lo).all() and (hi > lo).any()
            elif switch and sign < 0:
                assert (hi <= lo).all() and (hi < lo).any()
            else:
                np.testing.assert_array_equal(hi, lo)


def opportunity_of(s, P, r):
    if g(P, "mech_az_decides", r) < 0.5:
        return 1.0
    e = P.m["azerbaijan_exposure"][r]
    if e.sum() == 0:
        return 1.0
    member = (s.status[r] >= mb.ACTIVE) & (s.status[r] <= mb.SUSPENDED)
    p = [answer_of(s, P, r, i) if member[i] else 0.0 for i in range(M)]
    q = float(np.dot(e, p) / e.sum())
    w = float(np.dot(e, s.western_security[r]) / e.sum())
    o = 1 + g(P, "az_opportunism", r) * (g(P, "az_answer_reference", r) - q)
    return max(o - g(P, "western_deterrence", r) * w / (1 + w), 0)


def test_azerbaijan_threat_factor_and_interest(world):
    s, P = world
    nxt, f = dyn.az_threat_next(s, P), dyn.az_factor(s, P)
    for r in range(R):
        decay = g(P, "az_threat_decay", r)
        level = s.az_base[r] * opportunity_of(s, P, r)
        assert nxt[r] == pytest.approx(level + (1 - decay) * (s.az_threat[r] - level))
    for r, i in each():
        assert f[r, i] == pytest.approx(az_factor_of(s, P, r, i))
    # closer ties of Azerbaijan to Russia lower Russia's interest in answering Armenia
    P.g["mech_az_tr"][:] = 1
    P.m["azerbaijan_exposure"][:] = 0.0
    arm = mb.INDEX["ARM"]
    P.m["azerbaijan_exposure"][:, arm] = 1.0
    before = dyn.russian_interest(s, P)[:, arm]
    s.az_russia_ties = np.minimum(s.az_russia_ties + 0.2, 1.0)
    after = dyn.russian_interest(s, P)[:, arm]
    assert (after <= before).all() and (after < before).any()


def test_azerbaijan_seizes_openings(world):
    """az_decides: Azerbaijan's threat level rises when Russia is less likely to answer
    Armenia (distracted, Armenia outside the alliance) and falls with Armenia's Western
    security ties; off, it returns to its standing level whatever happens."""
    s, P = world
    arm = mb.INDEX["ARM"]
    P.g["mech_az_decides"][:] = 1
    P.g["mech_az_tr"][:] = 1
    P.g["az_opportunism"][:] = 2.0
    s.status[:, arm] = mb.ACTIVE
    s.bandwidth[:] = 1.0
    calm = dyn.az_opportunity(s, P)
    s.bandwidth[:] = 0.0
    distracted = dyn.az_opportunity(s, P)
    assert (distracted >= calm).all() and (distracted > calm).any()
    s.status[:, arm] = mb.EXITED
    alone = dyn.az_opportunity(s, P)
    assert (alone >= distracted).all() and (alone > distracted).any()
    s.western_security[:, arm] += 2.0
    assert (dyn.az_opportunity(s, P) <= alone).all()
    P.g["mech_az_decides"][:] = 0
    np.testing.assert_array_equal(dyn.az_opportunity(s, P), 1.0)


def test_az_event_kinds():
    from alliance_sim.core.events import AzEvent, Forcing

    s, P = random_world(3)
    fx, everyone = Forcing.none(s.status.shape), np.ones(R, dtype=bool)
    t0, b0 = s.az_threat.copy(), s.az_base.copy()
    AzEvent("2024Q1", kind="war", size=1.0).apply(s, P, fx, everyone, 0)
    np.testing.assert_allclose(s.az_threat, t0 + 1.0)
    AzEvent("2024Q1", kind="peace", size=0.3).apply(s, P, fx, everyone, 0)
    np.testing.assert_allclose(s.az_base, np.maximum(b0 - 0.3, 0))
    np.testing.assert_allclose(s.az_threat, np.maximum(t0 + 0.7, 0))
    AzEvent("2024Q1", kind="russia_ties", size=0.8).apply(s, P, fx, everyone, 0)
    AzEvent("2024Q1", kind="turkey_ties", size=0.9).apply(s, P, fx, everyone, 0)
    assert (s.az_russia_ties == 0.8).all() and (s.az_turkey_ties == 0.9).all()


def test_credibility_update(world):
    s, P = world
    rng = np.random.default_rng(5)
    appeal = rng.random((R, M)) < 0.4
    answered = appeal & (rng.random((R, M)) < 0.5)
    a0, b0 = s.cred_a.copy(), s.cred_b.copy()
    dyn.update_credibility(s, P, appeal, answered)
    for r, i in each():
        n, base = g(P, "credibility_prior_strength", r), g(P, "credibility_base_rate", r)
        keep = 1 - g(P, "credibility_memory", r)
        own, obs = g(P, "own_appeal_weight", r), g(P, "observer_weight", r)
        yes_others = answered[r].sum() - answered[r, i]
        no_others = (appeal[r] & ~answered[r]).sum() - (appeal[r, i] & ~answered[r, i])
        want_a = base * n + keep * (a0[r, i] - base * n) + own * answered[r, i] + obs * yes_others
        want_b = (
            (1 - base) * n
            + keep * (b0[r, i] - (1 - base) * n)
            + own * (appeal[r, i] & ~answered[r, i])
            + obs * no_others
        )
        assert s.cred_a[r, i] == pytest.approx(want_a) and s.cred_b[r, i] == pytest.approx(want_b)


def test_grievance_threat_and_remittance_recovery(world):
    s, P = world
    rng = np.random.default_rng(6)
    pressure = rng.uniform(0, 1, (R, M))
    appeal = rng.random((R, M)) < 0.5
    answered = appeal & (rng.random((R, M)) < 0.5)
    hit = rng.random((R, M)) < 0.3
    g0, t0, l0 = s.grievance.copy(), s.threat_shock.copy(), s.remittance_loss.copy()
    dyn.update_grievance_and_threat(s, P, pressure, appeal, answered, hit)
    np.testing.assert_allclose(s.grievance_growth, s.grievance - g0, atol=1e-12)
    for r, i in each():
        excess = max(pressure[r, i] - P.m["pressure_tolerance"][r, i], 0)
        want = (
            (1 - g(P, "grievance_decay", r)) * g0[r, i]
            + g(P, "grievance_unanswered", r) * (appeal[r, i] and not answered[r, i])
            + g(P, "grievance_backlash", r) * excess
        )
        assert s.grievance[r, i] == pytest.approx(want)
        want_t = (1 - g(P, "threat_decay", r)) * t0[r, i] + g(P, "attack_threat", r) * hit[r, i]
        assert s.threat_shock[r, i] == pytest.approx(want_t)
        assert s.remittance_loss[r, i] == pytest.approx(
            (1 - g(P, "remittance_recovery", r)) * l0[r, i]
        )


def response_of(P, r, p, tol):
    gain = g(P, "pressure_gain", r)
    if g(P, "mech_strategic_russia", r) > 0.5:
        gain *= 2 * g(P, "bandwagoning", r) - 1
    return gain * min(p, tol) - g(P, "pressure_backlash", r) * max(p - tol, 0)


def test_pressure_response(world):
    _, P = world
    p = np.linspace(0, 1, M)[None, :].repeat(R, 0)
    tol = np.full((R, M), 0.3)
    out = dyn.pressure_response(p, tol, P)
    for r, i in each():
        want = response_of(P, r, p[r, i], 0.3)
        assert out[r, i] == pytest.approx(want)


def test_dependence_index_and_exit_cost(world):
    _, P = world
    v = P.m
    for r, i in each():
        remit = min(v["remittances_gdp"][r, i] * v["remittances_from_russia"][r, i] / 0.4, 1)
        sites = min(v["russian_sites"][r, i] / 3, 1)
        want = (
            0.25 * v["trade_russia"][r, i]
            + 0.25 * remit
            + 0.2 * v["energy_dependence"][r, i]
            + 0.2 * v["arms_from_russia"][r, i]
            + 0.1 * sites
        )
        assert P.dependence[r, i] == pytest.approx(want)
        assert P.remittance_part[r, i] == pytest.approx(0.25 * remit)
        assert P.exit_cost[r, i] == pytest.approx(0.5 * sites + 0.5 * want)


def outside_option_of(s, P, r, i):
    """The Western and Chinese outside option of member i in run r, as docs/model.md states."""
    w, h = s.western_ties[r, i], s.chinese_ties[r, i]
    if g(P, "mech_bounded_ties", r) < 0.5:
        return w, g(P, "china_security_weight", r) * h
    econ, sat = g(P, "economic_tie_weight", r), g(P, "ties_saturation", r)
    xw = s.western_security[r, i] + econ * (w - s.western_security[r, i])
    xh = s.chinese_security[r, i] + econ * (h - s.chinese_security[r, i])
    total = sat * (1 - np.exp(-(xw + xh) / sat))
    return total * xw / (xw + xh), total * xh / (xw + xh)


def test_outside_option_is_bounded_and_weighs_security_ties_more():
    for switch in (0, 1):
        s, P = random_world(2)
        P.g["mech_bounded_ties"][:] = switch
        west, china = dyn.outside_option(s, P)
        for r, i in each():
            assert (west[r, i], china[r, i]) == pytest.approx(outside_option_of(s, P, r, i))
        if switch:
            assert (west + china <= P.ties_saturation + 1e-12).all()
            s.western_ties = s.western_ties + 0.2
            w3, c3 = dyn.outside_option(s, P)  # 0.2 of investment ...
            s.western_security = s.western_security + 0.2
            w2, c2 = dyn.outside_option(s, P)  # ... adds less than 0.2 of arms
            assert (w2 + c2 > w3 + c3).all()
            s.western_ties = s.western_ties + 100.0  # unbounded growth of ties ...
            w4, c4 = dyn.outside_option(s, P)
            assert (w4 + c4 <= P.ties_saturation + 1e-12).all()  # ... stays bounded


def test_security_parts_of_ties(world):
    s, P = world
    ws, cs = dyn.renewed_western_security(s, P), dyn.renewed_chinese_security(s, P)
    w, c = dyn.western_offer(s, P), dyn.chinese_offer(s, P)
    for r, i in each():
        decay = g(P, "ties_decay", r)
        want_w = (1 - decay) * s.western_security[r, i] + g(P, "west_security_share", r) * w[r, i]
        want_c = (1 - decay) * s.chinese_security[r, i] + g(P, "china_security_weight", r) * c[r, i]
        assert ws[r, i] == pytest.approx(want_w) and cs[r, i] == pytest.approx(want_c)


def fear_of(s, P, r, i):
    """The fear-of-the-patron pull, as docs/model.md states."""
    if g(P, "mech_fear_of_patron", r) < 0.5:
        return 0.0
    return -g(P, "fear_weight", r) * s.patron_threat[r, i] * (1 - P.m["regime_need"][r, i])


def test_patron_exposure_threat_and_fear(world):
    s, P = world
    v = P.m
    faded = dyn.faded_patron_threat(s, P)
    for r, i in each():
        dep = P.dependence[r, i]
        want = (
            0.4 * v["border_russia"][r, i]
            + 0.4 * min(v["russian_minority"][r, i] / 0.2, 1)
            + 0.2 * dep
        )
        assert P.patron_exposure[r, i] == pytest.approx(want)
        decay = g(P, "patron_threat_decay", r)
        assert faded[r, i] == pytest.approx((1 - decay) * s.patron_threat[r, i])
    assert (P.patron_exposure[:, mb.INDEX["RUS"]] == 0).all()
    fear = dyn.fear_of_patron(s, P)
    for r, i in each():
        assert fear[r, i] == pytest.approx(fear_of(s, P, r, i))
    # a russian_force event adds size x exposure to every ally's threat, in the runs due
    from alliance_sim.core.events import Forcing, RussianForce

    before = s.patron_threat.copy()
    mask = np.arange(R) % 2 == 0
    RussianForce("2024Q1", size=0.7).apply(s, P, Forcing.none(s.status.shape), mask, 0)
    want = before + np.where(mask[:, None], 0.7 * P.patron_exposure, 0.0)
    np.testing.assert_allclose(s.patron_threat, want)
    kaz, tjk = mb.INDEX["KAZ"], mb.INDEX["TJK"]
    assert (P.patron_exposure[:, kaz] > P.patron_exposure[:, tjk]).all()  # border, minority


def test_weigh_is_the_logistic_of_the_pulls(world):
    s, P = world
    target = dyn.weigh(s, P, s.pressure)
    cred = dyn.credibility(s)
    for r, i in each():
        dep = P.dependence[r, i] - P.remittance_part[r, i] * s.remittance_loss[r, i]
        exposure = P.m["threat_exposure"][r, i] * az_factor_of(s, P, r, i)
        threat = min(max(exposure + s.threat_shock[r, i], 0), 2)
        tol = P.m["pressure_tolerance"][r, i]
        u = (
            g(P, "commitment_bias", r)
            + g(P, "security_weight", r) * cred[r, i] * threat
            + g(P, "dependence_weight", r) * dep
            + g(P, "regime_weight", r) * P.m["regime_need"][r, i] * cred[r, i]
            + g(P, "russian_inducement", r) * s.bandwidth[r] * dep
            + g(P, "inducement_gain", r) * s.inducement[r, i]
            + response_of(P, r, s.pressure[r, i], tol)
            - g(P, "alternatives_weight", r) * sum(outside_option_of(s, P, r, i))
            - g(P, "grievance_weight", r) * s.grievance[r, i]
            - g(P, "contagion", r) * s.defection[r, i]
            + fear_of(s, P, r, i)
            + entrapment_of(s, P, r, i)
        )
        assert target[r, i] == pytest.approx(expit(u))


def war_of(P, r, j):
    h = min(max(P.m["attack_hazard"][r, j] * g(P, "attack_hazard_scale", r), 0), 1)
    return 1 - (1 - h) ** 4


def entrapment_of(s, P, r, i):
    """-mech_consensus x entrapment_weight x the war risk of the others admitted from
    candidacy (Iran) that are in the alliance."""
    risk = sum(
        war_of(P, r, j)
        for j in range(M)
        if j != i and P.m["initial_status"][r, j] == mb.CANDIDATE and 1 <= s.status[r, j] <= 3
    )
    return -g(P, "mech_consensus", r) * g(P, "entrapment_weight", r) * risk


def test_consent_probability_and_entrapment(world):
    s, P = world
    irn = mb.INDEX["IRN"]
    p = dyn.consent_probability(s, P, irn)
    ent = dyn.entrapment(s, P)
    for r, i in each():
        sway = g(P, "consent_russia_pull", r) * P.dependence[r, i]
        z = (
            s.commitment[r, i]
            - g(P, "consent_cut", r)
            - g(P, "entrapment_weight", r) * war_of(P, r, irn)
            + (sway if g(P, "mech_bloc_consent", r) > 0.5 else 0.0)
        ) / g(P, "consent_scale", r)
        assert p[r, i] == pytest.approx(expit(z))
        assert ent[r, i] == pytest.approx(entrapment_of(s, P, r, i))
    assert (p[:, mb.INDEX["RUS"]] == 1).all()


def test_bloc_consent_keeps_each_chance_and_correlates_the_votes():
    """consent_draws: each member's draw stays uniform (its chance of consenting unchanged),
    the draws of two members correlate by consent_correlation (Gaussian copula, so the
    normal scores correlate by rho), and off they are the raw uniforms."""
    P = build_params([RunSpec("2024Q1", 4, {"consent_correlation": 0.6}, {}, ())])
    rng = np.random.default_rng(3)
    n = 200_000  # draws of one run's parameters (they broadcast): no 200,000-run Params
    u = rng.random((n, M))
    d = dyn.consent_draws(u, P)
    kaz, arm = mb.INDEX["KAZ"], mb.INDEX["ARM"]
    for i in (kaz, arm):
        assert abs(np.mean(d[:, i] < 0.3) - 0.3) < 0.005  # still uniform
    z = ndtri(d[:, [kaz, arm]])
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(0.6, abs=0.01)
    both_no = np.mean((d[:, kaz] >= 0.7) & (d[:, arm] >= 0.7))
    assert both_no > 0.3 * 0.3 + 0.03  # refusals come together
    P.g["mech_bloc_consent"][:] = 0
    np.testing.assert_array_equal(dyn.consent_draws(u, P), u)


def test_move_commitment(world):
    s, P = world
    rng = np.random.default_rng(7)
    target = rng.uniform(0, 1, (R, M))
    u = rng.uniform(0.01, 0.99, (R, N_DRAWS, M))
    new = dyn.move_commitment(s, P, target, u)
    for r, i in each():
        c = s.commitment[r, i]
        shock = g(P, "commitment_noise", r) * ndtri(u[r, 0, i])
        want = min(max(c + g(P, "adjustment_rate", r) * (target[r, i] - c) + shock, 0), 1)
        assert new[r, i] == pytest.approx(want)


def test_next_status_steps_one_level_after_patience(world):
    s, P = world
    rng = np.random.default_rng(8)
    c = rng.uniform(0, 1, (R, M))
    u = rng.uniform(0, 1, (R, N_DRAWS, M))
    new = dyn.next_status(s, P, c, u, 3)
    for r, i in each():
        st = s.status[r, i]
        hb, hr = g(P, "hedge_below", r), g(P, "hedge_recover", r)
        sb, sr = g(P, "suspend_below", r), g(P, "suspend_recover", r)
        worse = (st == mb.ACTIVE and c[r, i] < hb) or (st == mb.HEDGING and c[r, i] < sb)
        better = (st == mb.HEDGING and c[r, i] > hr) or (st == mb.SUSPENDED and c[r, i] > sr)
        down = s.down_count[r, i] + 1 if worse else 0
        up = s.up_count[r, i] + 1 if better else 0
        patience = g(P, "status_patience", r)
        want = st + 1 if down >= patience else st - 1 if up >= patience else st
        low = st == mb.SUSPENDED and c[r, i] < g(P, "exit_below", r)
        exit_count = s.exit_count[r, i] + 1 if low else 0
        hazard = g(P, "exit_hazard", r) * (1 - g(P, "exit_cost_weight", r) * P.exit_cost[r, i])
        leaves = exit_count >= g(P, "exit_patience", r) and u[r, 4, i] < hazard
        if leaves:
            want = mb.EXITED
        assert new["status"][r, i] == want
        assert new["exit_count"][r, i] == exit_count
        assert new["exit_step"][r, i] == (3 if leaves else s.exit_step[r, i])
        assert new["commitment"][r, i] == (0.0 if want == mb.EXITED else c[r, i])


def test_defection_signal(world):
    s, P = world
    old = s.status.copy()
    s.status[0, ALLY[0]] = mb.EXITED
    s.status[0, ALLY[1]] = mb.SUSPENDED
    old[0, ALLY[1]] = mb.HEDGING
    sig = dyn.defection_signal(s, P, old)
    for r, i in each():
        new_exit = (s.status[r] == mb.EXITED) & (old[r] != mb.EXITED)
        new_susp = (s.status[r] == mb.SUSPENDED) & (old[r] < mb.SUSPENDED)
        fresh = (new_exit + 0.5 * new_susp).sum() - (new_exit[i] + 0.5 * new_susp[i])
        want = (1 - g(P, "contagion_decay", r)) * s.defection[r, i] + fresh
        assert sig[r, i] == pytest.approx(want)


def test_cohesion_counts_suspended_and_exited_allies_as_zero(world):
    s, P = world
    coh, cap = dyn.cohesion(s, P), dyn.capability_cohesion(s, P)
    for r in range(R):
        joined = [i for i in ALLY if s.status[r, i] > mb.CANDIDATE]
        c = [s.commitment[r, i] if s.status[r, i] in (1, 2) else 0.0 for i in joined]
        w = [P.m["milex_bn"][r, i] for i in joined]
        assert coh[r] == pytest.approx(np.mean(c))
        assert cap[r] == pytest.approx(np.dot(w, c) / np.sum(w))


def _attributes_read(node_name: str = "P") -> set[str]:
    names = set()
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == node_name
            ):
                names.add(node.attr)
    return names


def test_every_parameter_the_equations_read_is_registered_and_vice_versa():
    derived = {"m", "g", "patron", "dependence", "remittance_part", "exit_cost", "clash_pairs"}
    derived |= {"patron_exposure"}
    derived |= {"n_runs", "profiles", "select", "build"}
    globally = _attributes_read() - derived
    assert globally & set(REGIONAL) == set(), "a regional global read as P.name, not P.m"
    read = globally | set(REGIONAL)  # read per member: P.m[name]
    assert read - set(BY_NAME) == set(), "read but not in the registry"
    assert set(BY_NAME) - read == set(), "registered but never read by the equations"


def test_every_mechanism_has_a_0_1_switch_and_its_equations_exist():
    from alliance_sim.core.mechanisms import MECHANISMS

    assert len({m.name for m in MECHANISMS}) == len(MECHANISMS)
    for m in MECHANISMS:
        p = BY_NAME[m.switch]
        assert (p.low, p.high, p.integer, p.group) == (0, 1, True, "mechanisms"), m.name
        for fn in m.equations:
            assert callable(getattr(dyn, fn)), fn


def test_list_mechanisms_prints_each_with_its_switch(capsys):
    from alliance_sim.cli.main import main
    from alliance_sim.core.mechanisms import MECHANISMS

    assert main(["list", "mechanisms"]) == 0
    out = capsys.readouterr().out
    for m in MECHANISMS:
        assert m.name in out and m.switch in out
