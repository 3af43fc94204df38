"""Mechanism own_application: a candidate applies of its own accord when its own weighing of
membership favours it; the members decide by consent; a refusal is a grievance."""

import dataclasses

import numpy as np
import pytest

from alliance_sim import simulate
from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Application, Forcing
from alliance_sim.core.quarter import applications, decide, own_applications
from alliance_sim.core.state import DRAW_VOTE, N_DRAWS
from alliance_sim.engines import kernel as kn
from alliance_sim.engines.batch import final_states
from alliance_sim.engines.runspec import RunSpec, build_params

IRN = mb.INDEX["IRN"]
M = len(mb.CODES)


def world(params: dict, R: int = 6, weighed: bool = False):
    P = build_params([RunSpec("2025Q1", 8, params, {}, ())] * R)
    s = dyn.initial_state(P)
    if weighed:
        decide(s, P, np.full((R, N_DRAWS, M), 0.5))
    return s, P


def test_the_probability_is_the_hazard_times_the_ramp_of_its_own_weighing():
    s, P = world({"application_hazard": 0.04, "application_above": 0.3})
    assert (dyn.application_probability(s, P, IRN) == 0).all()  # it has not weighed yet
    decide(s, P, _draws(6, 0.5))  # phase 4: it weighs as the members do
    v = dyn.weigh(s, P, s.pressure)[:, IRN]
    np.testing.assert_array_equal(s.inclination[:, IRN], v)
    assert (s.commitment[:, IRN] == P.m["initial_commitment"][:, IRN]).all()  # not moved
    want = 0.04 * np.clip((v - 0.3) / 0.7, 0, 1)
    np.testing.assert_allclose(dyn.application_probability(s, P, IRN), want)
    assert (want > 0).all()  # Iran's weighing at the start is above 0.3
    s.grievance[:, IRN] = 5.0  # a refused candidate weighs membership lower
    decide(s, P, _draws(6, 0.5))
    assert (dyn.application_probability(s, P, IRN) < want).all()
    s.status[:, IRN] = mb.ACTIVE  # a member does not apply
    assert (dyn.application_probability(s, P, IRN) == 0).all()
    P.g["mech_own_application"][:] = 0
    s.status[:, IRN] = mb.CANDIDATE
    assert (dyn.application_probability(s, P, IRN) == 0).all()


def _draws(R: int, vote: float) -> np.ndarray:
    u = np.full((R, N_DRAWS, M), 0.5)
    u[:, DRAW_VOTE, :] = vote
    return u


def _own(s, P, u, fx):
    return [(e.member, runs) for e, runs in own_applications(s, P, u, fx)]


def test_an_application_is_decided_by_consent_and_a_refusal_is_a_grievance():
    params = {"application_hazard": 0.5, "application_above": 0.0, "grievance_unanswered": 0.7}
    s, P = world(params, weighed=True)
    out = dict(_own(s, P, _draws(6, 0.1), Forcing.none(s.status.shape)))
    assert out["IRN"].all()  # and Uzbekistan, outside since 2012, may apply to return
    assert _own(s, P, _draws(6, 0.9), Forcing.none(s.status.shape)) == []
    # every member refuses (consent_cut far above any commitment)
    s, P = world({**params, "consent_cut": 1.0, "consent_scale": 0.01}, weighed=True)
    before = s.grievance[:, IRN].copy()
    applications(s, P, _draws(6, 0.1), Forcing.none(s.status.shape))
    assert (s.status[:, IRN] == mb.CANDIDATE).all() and s.blocked.any(-1).all()
    assert s.refused[:, IRN].all()  # whose application was refused, not only who blocked
    np.testing.assert_allclose(s.grievance[:, IRN], before + 0.7)
    # every member consents: Iran joins with the commitment its weighing favours
    s, P = world({**params, "consent_cut": 0.0, "consent_scale": 0.01}, weighed=True)
    v = s.inclination[:, IRN].copy()
    applications(s, P, _draws(6, 0.1), Forcing.none(s.status.shape))
    assert (s.status[:, IRN] == mb.ACTIVE).all()
    np.testing.assert_allclose(s.commitment[:, IRN], v)


def test_a_scheduled_application_is_not_also_an_own_one():
    s, P = world({"application_hazard": 0.5, "application_above": 0.0}, weighed=True)
    fx = Forcing.none(s.status.shape)
    runs = np.array([True, False] * 3)
    fx.applications.append((Application(at="2025Q1", member="IRN"), runs))
    out = dict(_own(s, P, _draws(6, 0.1), fx))
    assert (out["IRN"] == ~runs).all() and out["UZB"].all()


def test_the_batch_engine_lets_a_candidate_apply_in_any_quarter():
    spec = RunSpec("2025Q1", 16, {"application_hazard": 0.3, "application_above": 0.3}, {}, ())
    seeds = list(range(40))
    s = final_states([spec] * 40, seeds)
    applied = s.refused.any(-1) | (s.status[:, IRN] != mb.CANDIDATE)
    assert 0 < applied.mean() < 1
    off = dataclasses.replace(spec, params={**spec.params, "mech_own_application": 0})
    assert (final_states([off] * 40, seeds).status[:, IRN] == mb.CANDIDATE).all()


@pytest.mark.parametrize("seed", [3, 4])
def test_same_seed_same_run_in_both_engines_with_own_applications(seed):
    kw = {"application_hazard": 0.3, "application_above": 0.3, "consent_cut": 0.2}
    a = simulate("baseline", seed=seed, **kw)
    b = simulate("baseline", seed=seed, engine="mesa", **kw)
    assert all(np.isclose(a[k], b[k], equal_nan=True) for k in a), seed
    assert a["IRN_joined"] == b["IRN_joined"] and a["IRN_refused"] == b["IRN_refused"]


def test_either_engine_sees_iran_join_of_its_own_accord_sometimes():
    kw = {"application_hazard": 0.3, "application_above": 0.3, "consent_cut": 0.2}
    joined = [simulate("baseline", seed=k, **kw)["IRN_joined"] for k in range(12)]
    assert 0 < np.nansum(joined) < 12


def test_the_compiled_kernel_is_stamped_with_its_layout():
    """numba keys its cache on kernel.py's stamp only: a parameter added to the registry
    shifts the kernel's indices without touching the file, so the layout is in the stamp."""
    for f in kn.ENTRY_POINTS:
        assert f._cache._cache_file._source_stamp[-1] == kn.LAYOUT


def test_a_replay_matches_the_record_only_if_no_candidate_applied():
    """The record has no application in 2006-2024: end_status "candidate" means still outside
    and never refused, so a replay in which Iran applied (refused or admitted) is not
    continued as if it had not."""
    from alliance_sim.scenario.history import matches

    s, _ = world({})
    s.status[1, IRN] = mb.ACTIVE  # admitted
    s.refused[2, IRN] = True  # refused, still outside
    ok = matches(s, {"IRN": "candidate"})
    assert list(ok) == [True, False, False, True, True, True]


def test_the_summary_says_which_rows_count_some_runs_and_iran_s_refusals():
    """A row of a state that joined in some runs only says so (Uzbekistan too); Iran's
    admission and refusal rates are printed even when it never got in."""
    import pandas as pd

    from alliance_sim.analysis.summary import _outside_note

    table = pd.DataFrame({"member": ["ARM", "UZB"], "runs": [4, 1]})
    ok = pd.DataFrame({"IRN_joined": [0.0] * 4, "IRN_refused": [1.0, 1.0, 0.0, 0.0]})
    note = _outside_note(ok, table, "2034Q4")
    assert "UZB row: over the 1 of 4 runs in which it was a member" in note
    assert "ARM row" not in note
    assert (
        "IRN: a member at 2034Q4 in 0.0% of all runs" in note and "at least once in 50.0%" in note
    )
    assert "IRN:" not in _outside_note(ok.assign(IRN_refused=0.0), table, "2034Q4")


def test_a_stale_cache_counts_as_not_cached(monkeypatch):
    """A kernel cached for another layout is recompiled: the 'compiling' notice must show."""
    from alliance_sim.engines import batch

    assert batch._cached() in (True, False)
    f = kn.ENTRY_POINTS[0]._cache._cache_file
    monkeypatch.setattr(f, "_source_stamp", (*f._source_stamp, "another layout"))
    assert batch._cached() is False


def test_a_folder_without_iran_s_refusals_says_so_instead_of_zero():
    """Runs written before IRN_refused existed do not count as 'not refused'."""
    import pandas as pd

    from alliance_sim.analysis.summary import _outside_note

    table = pd.DataFrame({"member": ["IRN"], "runs": [2]})
    old = pd.DataFrame({"IRN_joined": [1.0, 1.0, 0.0, 0.0]})
    assert "is not recorded in these runs" in _outside_note(old, table, "2034Q4")
    mixed = old.assign(IRN_refused=[float("nan"), float("nan"), 1.0, 0.0])
    note = _outside_note(mixed, table, "2034Q4")
    assert "at least once in 50.0% of the 2 runs that record it" in note


def test_uzbekistan_has_its_own_admission_and_refusal_outcomes():
    import pandas as pd

    from alliance_sim import evaluate
    from alliance_sim.core import members as mb
    from alliance_sim.core.outcomes import outcome_names

    assert {"UZB_joined", "UZB_refused"} <= set(outcome_names())
    out = evaluate(pd.DataFrame(index=range(1)), "baseline", replicates=60)
    back = out["UZB_status"].notna() & (out["UZB_status"] != mb.EXITED)
    assert (out["UZB_joined"] == back.astype(float)).all()  # a member again at the horizon
    assert out["UZB_refused"].isin([0.0, 1.0]).all()


def test_runs_that_apply_in_different_quarters_of_one_batch_are_each_their_own():
    """The batch engine opens the quarter of every run whose candidate applied at once, each
    with its own quarter's draws: the same trajectories as each run alone."""
    from alliance_sim.engines.batch import run_batch

    spec = RunSpec("2025Q1", 16, {"application_hazard": 0.3, "application_above": 0.3}, {}, ())
    seeds = list(range(30))
    together, _ = run_batch([spec] * 30, seeds)
    s = final_states([spec] * 30, seeds)
    applied = s.refused.any(-1) | (s.status[:, IRN] != mb.CANDIDATE)
    assert applied.sum() >= 5  # several runs, in several quarters
    for r in range(30):
        alone, _ = run_batch([spec], [seeds[r]])
        for k in together:
            assert np.array_equal(together[k][:, r], alone[k][:, 0], equal_nan=True), (r, k)
