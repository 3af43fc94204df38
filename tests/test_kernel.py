"""The compiled batch engine: what it records, what it reuses, and that neither changes a
result (tests/test_batch.py compares it with the Mesa model bit for bit)."""

from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import load_scenario
from alliance_sim.core.events import Offer
from alliance_sim.core.state import FIRST_MEMBERS, Stream
from alliance_sim.engines import batch
from alliance_sim.engines.batch import draws, final_states, run_batch
from alliance_sim.engines.kernel import GROUPS, SERIES
from alliance_sim.engines.runspec import build_params
from alliance_sim.scenario.plan import make_plan, spec_for, specs_for

SEEDS = list(range(12))


@pytest.fixture(scope="module")
def specs():
    return [spec_for(load_scenario("armenia_exits"))] * len(SEEDS)


def same(a, b):
    return np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def test_recording_a_subset_gives_the_same_values_and_outcomes(specs):
    full, out = run_batch(specs, SEEDS)
    assert list(full) == list(SERIES)
    part, out2 = run_batch(specs, SEEDS, series=("commitment", "p_pay_budget"))
    # the observables come as a group: computing one costs as much as computing all
    assert set(part) == {"commitment", *GROUPS[1]}
    for k in part:
        assert same(part[k], full[k]), k
    for k in out:
        assert same(out[k], out2[k]), k
    bare, out3 = run_batch(specs, SEEDS, series=())
    assert list(bare) == []
    assert all(same(out[k], out3[k]) for k in out)


def test_thinned_records_are_the_full_record_at_those_steps(specs):
    full, out = run_batch(specs, SEEDS)
    thin, out2 = run_batch(specs, SEEDS, record_every=5)
    idx = np.searchsorted(full.steps, thin.steps)
    assert thin.steps[0] == 0 and thin.steps[-1] == full.steps[-1]
    for k in full:
        assert same(thin[k], full[k][idx]), k
    assert all(same(out[k], out2[k]) for k in out)  # outcomes see every quarter


def test_final_states_are_the_states_the_record_ends_in(specs):
    traj, _ = run_batch(specs, SEEDS)
    s = final_states(specs, SEEDS)
    assert same(s.commitment, traj["commitment"][-1])
    assert same(s.status, traj["status"][-1])
    assert same(s.pressure, traj["pressure"][-1])


def test_a_kept_result_is_never_overwritten_by_the_next_batch(specs):
    first, _ = run_batch(specs, SEEDS)
    kept = {k: first[k].copy() for k in first}
    other = [replace(s, params={**s.params, "western_offer": 0.3}) for s in specs]
    second, _ = run_batch(other, [s + 100 for s in SEEDS])
    assert not same(second["commitment"], kept["commitment"])  # the second batch differs
    for k in kept:  # ... and the first is as it was: its buffers were not handed out again
        assert same(first[k], kept[k]), k


def test_draws_are_each_seeds_own_stream_whatever_is_cached(monkeypatch):
    seeds = [7, 3, 7, 11, 3]
    monkeypatch.setattr(batch, "_STREAMS", batch._Streams(budget=1))  # keeps one stream
    for _ in range(2):
        streams, shocks, which = draws(seeds, 6)
        for r, seed in enumerate(seeds):
            want = Stream(seed).next(6)
            assert np.array_equal(streams[which[r]], want)
            # the first seven members draw what they drew before Uzbekistan was added
            first = np.random.default_rng(seed).random((6, 7, FIRST_MEMBERS))
            assert np.array_equal(want[..., :FIRST_MEMBERS], first)
            assert np.array_equal(shocks[which[r]], batch.ndtri(want[:, 0, :]))
    assert len({int(w) for w in which}) == 3  # runs that share a seed share a stream


def test_an_event_that_replaces_a_state_array_is_refused(specs, monkeypatch):
    def rebinds(self, s, P, fx, mask, step):
        s.western_ties = s.western_ties + 0.0  # a new array: the kernel would not see it

    monkeypatch.setattr(Offer, "apply", rebinds)
    sc = load_scenario("armenia_exits")
    spec = spec_for(sc)
    if not any(isinstance(e, Offer) for e in spec.events):
        spec = replace(spec, events=(*spec.events, Offer(at="2025Q3", member="ARM")))
    with pytest.raises(RuntimeError, match="replaced a state array"):
        run_batch([spec], [1])


def test_specs_built_per_point_and_replicate_equal_spec_for():
    sc = load_scenario("armenia_exits")  # a calibrated forecast: every replicate its own set
    plan = make_plan(sc, replicates=3)
    metas = list(plan.runs(0, 12))
    shared = specs_for(plan.scenario, metas)
    for m, spec in zip(metas, shared, strict=True):
        own = spec_for(plan.scenario, m.values, m.posterior)
        assert spec == own
        assert spec.initial is own.initial  # the same replay end state
    assert shared[0] is not shared[1]  # different posterior sets
    plan = make_plan(load_scenario("iran_joins"), replicates=2)  # sweeps an event's quarter
    metas = list(plan.runs())
    for m, spec in zip(metas, specs_for(plan.scenario, metas), strict=True):
        assert spec == spec_for(plan.scenario, m.values, m.posterior)


def test_parameters_of_shared_specs_are_each_runs_own():
    sc = load_scenario("iran_joins")
    plan = make_plan(sc, replicates=2)
    metas = list(plan.runs())
    a = build_params(specs_for(plan.scenario, metas))
    b = build_params([spec_for(plan.scenario, m.values, m.posterior) for m in metas])
    assert a.g.keys() == b.g.keys() and a.m.keys() == b.m.keys()
    assert all(np.array_equal(a.g[k], b.g[k]) for k in a.g)
    assert all(np.array_equal(a.m[k], b.m[k]) for k in a.m)


def test_the_buffer_pool_reuses_free_buffers_and_forgets_them_within_its_budget():
    pool = batch._Pool(budget=3 * 8 * 100)
    a = pool.empty((100,), np.float64)
    assert pool.empty((100,), np.float64) is not a  # a is held here: not handed out again
    a_id = id(a)
    del a
    b = pool.empty((100,), np.float64)
    assert id(b) == a_id  # free again: reused
    c = pool.empty((2, 100), np.float64)  # over budget: the free buffers are forgotten
    d = pool.empty((3, 7), np.int8)
    assert sum(x.nbytes for x in pool.arrays) <= pool.budget
    assert any(x is b for x in pool.arrays)  # held buffers are kept
    assert c.shape == (2, 100) and d.shape == (3, 7)


def test_a_misspelt_series_is_refused_not_silently_missing(specs):
    with pytest.raises(ValueError, match="commitmnet: unknown; allowed: commitment"):
        run_batch(specs[:1], SEEDS[:1], series=("commitmnet",))
    traj, _ = run_batch(specs[:1], SEEDS[:1], series="status")  # one name, not its letters
    assert list(traj) == ["status"]


def test_the_compile_notice_is_said_once_and_never_under_quiet(monkeypatch, tmp_path, capsys):
    """A machine compiling the kernel is told so on stderr once (a first run must not look
    stuck); ``--quiet`` (nothing but errors) says nothing, so a refused command stays one
    line even on a fresh machine (CI failed on exactly that)."""
    from alliance_sim.cli.main import main
    from alliance_sim.engines import batch

    monkeypatch.setattr(batch, "_cached", lambda: False)  # as if nothing were cached
    for quiet, said in ((True, 0), (False, 1)):
        monkeypatch.setattr(batch, "_CHECKED", False)
        args = ["run", "baseline", "--out", str(tmp_path / f"r{quiet}"), "--replicates", "2"]
        assert main([*args, "--quiet"] if quiet else args) == 0
        assert capsys.readouterr().err.count("compiling the batch engine") == said
    batch.compile_notice(True)
