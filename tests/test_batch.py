"""The batch engine and the Mesa model give the same trajectories for the same seeds."""

from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import load_scenario
from alliance_sim.core.mechanisms import SWITCHES
from alliance_sim.core.members import INDEX
from alliance_sim.engines.batch import run_batch
from alliance_sim.engines.chunk import ALLIANCE_SERIES, MEMBER_SERIES, run_mesa
from alliance_sim.scenario.plan import make_plan, spec_for
from conftest import SCENARIOS

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
SEEDS = list(range(20))
STATE = (*MEMBER_SERIES, *ALLIANCE_SERIES)  # every recorded float series
EXACT = ("status", "appealed", "answered")
IRN = INDEX["IRN"]


def compare(specs, seeds):
    """The batch engine's compiled kernel repeats the numpy equations operation for operation
    (engines/kernel.py): every series and outcome is the Mesa model's, bit for bit."""
    tb, ob = run_batch(specs, seeds)
    tm, om = run_mesa(specs, seeds)
    assert list(tb) == list(tm)
    for k in STATE:
        np.testing.assert_array_equal(tb[k], tm[k], err_msg=k)  # NaN == NaN here
    for k in EXACT:  # status changes and Article 4 events, quarter by quarter
        assert np.array_equal(tb[k], tm[k]), k
    assert ob.keys() == om.keys()
    for k in ob:
        np.testing.assert_array_equal(ob[k], om[k], err_msg=k)
    return tb


@pytest.mark.parametrize("name", SHIPPED)
def test_same_trajectories_for_every_shipped_scenario(name):
    sc = load_scenario(name)
    traj = compare([spec_for(sc)] * len(SEEDS), SEEDS)
    assert len(np.unique(traj["commitment"][-1], axis=0)) > 1  # seeds do differ


def test_same_trajectories_across_a_sweep_with_moving_events():
    """Runs in one batch with different parameters, event quarters and event sizes."""
    plan = make_plan(load_scenario("iran_joins"), replicates=1)
    metas = list(plan.runs())
    specs = [spec_for(plan.scenario, m.values) for m in metas]
    traj = compare(specs, [m.seed for m in metas])
    assert (traj["status"][-1, :, IRN] == 0).any()  # consensus: some applications are blocked
    certain = [replace(s, params={**s.params, "mech_consensus": 0}) for s in specs]
    traj = compare(certain, [m.seed for m in metas])
    joined = (traj["status"][:, :, IRN] > 0).argmax(axis=0)  # IRN's accession step per run
    assert len(set(joined)) == 5  # without consensus, Iran joins when it applies


def test_same_trajectories_across_a_sweep_of_regional_values():
    """Runs in one batch whose Chinese offer differs by run and, within a run, by member
    (china_security_push sweeps region.*: Central Asia only)."""
    plan = make_plan(load_scenario("china_security_push"), replicates=1)
    metas = list(plan.runs())[:12]
    specs = [spec_for(plan.scenario, m.values) for m in metas]
    compare(specs, [m.seed for m in metas])


def test_random_events_happen_and_agree():
    """With raised hazards every kind of random event occurs, and both engines agree."""
    sc = load_scenario("baseline")
    spec = spec_for(sc)
    hot = {
        **spec.params,
        "attack_hazard_scale": 5.0,
        "unrest_hazard_scale": 5.0,
        "clash_hazard_scale": 5.0,
        "exit_hazard": 1.0,
        "western_offer": 0.3,
    }
    spec = replace(spec, params=hot)
    traj = compare([spec] * 10, SEEDS[:10])
    assert traj["appealed"].any() and traj["answered"].any()
    assert (traj["appealed"] & ~traj["answered"]).any()
    assert (traj["status"] == 4).any()  # exits


@pytest.mark.parametrize("mech", SWITCHES)
def test_same_trajectories_with_each_mechanism_switched(mech):
    """Every branch of the compiled quarter: each mechanism off, and on where the file has it
    off, with raised hazards so that appeals, clashes and exits happen."""
    spec = spec_for(load_scenario("iran_joins"))
    hot = {**spec.params, "attack_hazard_scale": 4.0, "clash_hazard_scale": 4.0, "exit_hazard": 1.0}
    for value in (0.0, 1.0):
        compare([replace(spec, params={**hot, mech: value})] * 8, SEEDS[:8])


def test_shared_builders_give_each_run_its_own_values_in_any_order():
    """The builders read shared objects once (a posterior set's member figures, a replay's
    read-only end states put side by side and kept for the next chunk): runs in another
    order, or with a changed member figure, still get their own values."""
    from alliance_sim.core.state import State
    from alliance_sim.engines.runspec import build_initial, build_params
    from alliance_sim.scenario.plan import specs_for

    sc = load_scenario("armenia_exits")  # 25 points: a posterior set's points share figures
    plan = make_plan(sc, replicates=3)
    metas = list(plan.runs())
    specs = specs_for(sc, metas)
    for order in (list(range(75)), [5, 3, 3, 71, 0, 7, 1, 2, 40, 6, 8, 9, 10, 5]):
        chosen = [specs[i] for i in order]
        P = build_params(chosen)
        s = build_initial(chosen, P)
        want = State.concat([sp.initial for sp in chosen])
        for f in ("commitment", "status", "western_ties"):
            assert np.array_equal(getattr(s, f), getattr(want, f)), (order, f)
        for j, sp in enumerate(chosen):
            assert P.m["pressure_tolerance"][j, INDEX["ARM"]] == sp.members.get("ARM", {}).get(
                "pressure_tolerance", P.profiles.values["pressure_tolerance"][INDEX["ARM"]]
            )
    other = replace(specs[0], members={**specs[0].members, "ARM": {"pressure_tolerance": 0.123}})
    P = build_params([specs[0], other, specs[0]])
    assert P.m["pressure_tolerance"][:, INDEX["ARM"]].tolist()[1] == 0.123
    assert P.m["pressure_tolerance"][0, INDEX["ARM"]] != 0.123
