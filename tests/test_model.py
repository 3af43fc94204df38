"""Each mechanism of the core model as a property that could fail."""

import gc
import itertools
import weakref
from dataclasses import replace

import mesa
import numpy as np
import pytest

from alliance_sim import AllianceModel, load_scenario, parameters, simulate
from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Accession, Appeal, Exit, Offer, PressureCampaign, Rejoin
from alliance_sim.engines.mesa_model import Member
from alliance_sim.scenario.plan import spec_for

ARM, KAZ, BLR, KGZ = (mb.INDEX[c] for c in ("ARM", "KAZ", "BLR", "KGZ"))


def run(quarters=8, seed=3, **kw):
    m = AllianceModel(rng=seed, **{"start": "2024Q1", **kw})  # the events below are dated 2024+
    m.run_for(quarters)
    return m


def traj(m, key):
    return m.trajectory()[key][:, 0, :]  # (T+1, M)


@pytest.mark.parametrize("answered", [False, True])
def test_appeal_moves_appellant_credibility_more_than_observers(answered):
    base = run(2)
    hit = run(2, events=[Appeal(at="2024Q2", member="KAZ", answered=answered)])
    d = traj(hit, "credibility")[1] - traj(base, "credibility")[1]
    observers = [i for i in range(len(mb.CODES)) if i not in (KAZ, mb.INDEX["RUS"])]
    if answered:
        assert d[KAZ] > 0 and (d[observers] > 0).all() and (d[KAZ] > d[observers]).all()
    else:
        assert d[KAZ] < 0 and (d[observers] < 0).all() and (d[KAZ] < d[observers]).all()


def test_pressure_buys_compliance_below_tolerance_and_backlash_above():
    tol = mb.load_profiles().values["pressure_tolerance"][KAZ]
    common = dict(quarters=8, russian_pressure=0.0)
    none = traj(run(**common), "commitment")[-1, KAZ]
    below = run(
        **common, events=[PressureCampaign(at="2024Q2", member="KAZ", size=0.8 * tol, duration=8)]
    )
    above = run(
        **common,
        events=[PressureCampaign(at="2024Q2", member="KAZ", size=min(1.0, 2 * tol), duration=8)],
    )
    assert traj(below, "commitment")[-1, KAZ] > none
    assert traj(above, "commitment")[-1, KAZ] < none
    # the response itself: rising up to tolerance, falling beyond it
    P = AllianceModel(rng=0).P
    p = np.linspace(0, 1, 101)
    slope = np.diff(dyn.pressure_response(p, 0.4, P)[0])
    assert (slope[p[1:] <= 0.4] > 0).all() and (slope[p[:-1] >= 0.4] < 0).all()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("code", ["ARM", "KAZ", "KGZ", "TJK"])
def test_larger_western_offer_never_raises_that_members_commitment(seed, code):
    i = mb.INDEX[code]
    paths = [
        traj(
            run(40, seed, events=[Offer(at="2024Q2", member=code, source="west", size=size)]),
            "commitment",
        )[:, i]
        for size in (0.0, 0.3, 1.0, 3.0)
    ]
    for smaller, larger in itertools.pairwise(paths):
        assert (larger <= smaller + 1e-12).all()
    assert paths[-1][-1] < paths[0][-1]  # and a large one does lower it


def test_exited_member_stays_exited_until_it_rejoins():
    m = run(
        30,
        events=[
            Exit(at="2024Q2", member="KGZ"),
            Offer(at="2024Q3", member="KGZ", source="west", size=0.0),
        ],
        russian_inducement=1.0,
        commitment_bias=2.0,  # the registry maximum: a strong pull back
    )
    st = traj(m, "status")[:, KGZ]
    assert st[0] == mb.ACTIVE and (st[1:] == mb.EXITED).all()
    assert (traj(m, "commitment")[1:, KGZ] == 0).all()
    back = run(30, events=[Exit(at="2024Q2", member="KGZ"), Rejoin(at="2025Q1", member="KGZ")])
    st = traj(back, "status")[:, KGZ]
    assert st[3] == mb.EXITED and st[4] == mb.ACTIVE


def test_status_has_hysteresis():
    # a single quarter below the hedging threshold does not flip an active member
    m = AllianceModel(rng=0)
    s, P = m.state, m.P
    c = np.full((1, len(mb.CODES)), 0.5)
    c[0, KAZ] = P.hedge_below[0, 0] - 0.01
    new = dyn.next_status(s, P, c, np.ones_like(m.draws), 1)
    assert new["status"][0, KAZ] == mb.ACTIVE and new["down_count"][0, KAZ] == 1
    s.down_count[0, KAZ] = P.status_patience[0, 0] - 1
    assert dyn.next_status(s, P, c, np.ones_like(m.draws), 1)["status"][0, KAZ] == mb.HEDGING
    # between the two thresholds a hedging member stays hedging
    s.status[0, KAZ] = mb.HEDGING
    s.up_count[0, KAZ] = 5
    c[0, KAZ] = (P.hedge_below[0, 0] + P.hedge_recover[0, 0]) / 2
    assert dyn.next_status(s, P, c, np.ones_like(m.draws), 1)["status"][0, KAZ] == mb.HEDGING


def test_same_seed_same_trajectory_different_seed_different():
    a = run(20, seed=7).datacollector.get_agenttype_vars_dataframe(Member)
    b = run(20, seed=7).datacollector.get_agenttype_vars_dataframe(Member)
    c = run(20, seed=8).datacollector.get_agenttype_vars_dataframe(Member)
    assert a.equals(b)
    assert not a["commitment"].equals(c["commitment"])


def test_iran_accession_adds_an_agent_and_reporters_keep_working():
    m = AllianceModel(
        rng=1, start="2024Q1", events=[Accession(at="2025Q1", member="IRN", commitment=0.8)]
    )
    n0 = len(m.agents_by_type[Member])
    m.run_for(8)
    assert len(m.agents_by_type[Member]) == n0 + 1
    agents = m.datacollector.get_agenttype_vars_dataframe(Member)
    iran = agents[agents["member"] == "IRN"]
    assert iran.index.get_level_values("Step").min() == 4  # 2025Q1 is step 4 from 2024Q1
    assert iran["status"].iloc[0] == "active" and iran["commitment"].notna().all()
    df = m.datacollector.get_model_vars_dataframe()
    assert df["quarter"].iloc[-1] == "2026Q1" and df["cohesion"].notna().all()
    assert df["active"].iloc[4] == df["active"].iloc[3] + 1


def test_mesa_batch_run_drives_the_model():
    results = mesa.batch_run(
        AllianceModel,
        parameters={"western_offer": [0.0, 0.5]},
        rng=[1, 2],
        max_steps=6,
        number_processes=1,
        display_progress=False,
    )
    df = __import__("pandas").DataFrame(results)
    assert set(df["western_offer"]) == {0.0, 0.5} and set(df["rng"]) == {1, 2}
    assert len(df.groupby(["western_offer", "rng"])) == 4
    assert df["cohesion"].between(0, 1).all()


def test_model_is_garbage_collected_after_a_run():
    m = run(10)
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is None


def test_simulate_and_parameters():
    out = simulate(seed=1, western_offer=0.6)
    again = simulate(seed=1, western_offer=0.6)
    assert out.keys() == again.keys()
    assert np.array_equal(list(out.values()), list(again.values()), equal_nan=True)
    assert 0 <= out["cohesion_final"] <= 1 and 0 <= out["ARM_commitment"] <= 1
    assert np.isnan(out["IRN_commitment"])  # never joined
    assert simulate(seed=1, western_offer=0.0)["KAZ_commitment"] > out["KAZ_commitment"]
    table = parameters()
    assert {"name", "default", "low", "high", "unit", "meaning", "source"} <= set(table.columns)
    glob = table[table["scope"] == "global"]
    assert ((glob["low"] <= glob["default"]) & (glob["default"] <= glob["high"])).all()
    with pytest.raises(ValueError, match="did you mean 'western_offer'"):
        AllianceModel(rng=0, westrn_offer=0.3)


def test_every_member_figure_has_a_source_or_a_range():
    raw = mb._raw()
    for code in mb.CODES:
        for name, entry in raw[code].items():
            if isinstance(entry, dict):
                assert "source" in entry or {"assumption", "low", "high"} <= set(entry), (
                    code,
                    name,
                )
                if "low" in entry:
                    assert entry["low"] <= entry["value"] <= entry["high"], (code, name)


def test_docs_parameter_table_is_generated_from_the_registry():
    from pathlib import Path

    from alliance_sim.cli.docgen import render

    text = (Path(__file__).parents[1] / "docs" / "model.md").read_text("utf-8")
    assert render(text) == text, "run: python -m alliance_sim.cli.docgen docs/model.md"
    for p in parameters()["name"]:
        assert f"`{p}`" in text


@pytest.mark.parametrize(
    "value,match",
    [
        (float("nan"), r"western_offer = nan is not a finite number; allowed 0 to 1"),
        (float("inf"), r"western_offer = inf is not a finite number"),
        ("0.1", r"western_offer = '0\.1' should be a number, got string"),
        (1.5, r"western_offer = 1\.5 is out of range; allowed 0 to 1"),
        ([0.1], r"western_offer = \[0\.1\] should be a number, got list"),
        (True, r"western_offer = True should be a number"),
    ],
)
def test_alliance_model_checks_its_keyword_values_as_scenario_files_do(value, match):
    from alliance_sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=match):
        AllianceModel(rng=1, western_offer=value)
    with pytest.raises(ScenarioError, match=r"unknown parameter 'westrn_offer'.*did you mean"):
        AllianceModel(rng=1, westrn_offer=0.1)


def test_the_batch_engine_names_the_first_runs_bad_value():
    """Each distinct value is checked once, in run order: the error names the first bad run's
    value whatever the process (a set's order would vary with the hash seed)."""
    from alliance_sim.engines.runspec import build_params
    from alliance_sim.errors import ScenarioError

    base = spec_for(load_scenario("baseline"))
    specs = [
        replace(base, params={**base.params, "western_offer": v})
        for v in (0.1, 0.1, 2.0, 1.5, 3.0, 7.0, 0.1)
    ]
    with pytest.raises(ScenarioError, match=r"western_offer = 2\.0 is out of range"):
        build_params(specs)
    same = [replace(base, params={**base.params, "western_offer": 1}) for _ in range(3)]
    flag = replace(base, params={**base.params, "western_offer": True})
    with pytest.raises(ScenarioError, match=r"western_offer = True should be a number"):
        build_params([*same, flag])  # True is not taken for the 1 already checked


@pytest.mark.parametrize(
    "kw,match",
    [
        (
            {"members": {"Iran": {"pressure_tolerance": 0.2}}},
            r"unknown member code 'Iran'; "
            r"did you mean 'IRN' \(Iran\)\? \(allowed: RUS, BLR",
        ),
        (
            {"members": {"ARM": {"pressure_tolerance": 7}}},
            r"members\['ARM'\]\['pressure_tolerance'\] = 7 is outside what it can take: 0 to 1",
        ),
        (
            {"members": {"ARM": {"pressure_tolrance": 0.2}}},
            r"members\['ARM'\]: unknown member field 'pressure_tolrance'; did you mean",
        ),
        (
            {"members": {"KAZ": {"initial_status": "gone"}}},
            r"members\['KAZ'\]\['initial_status'\] = 'gone' is not a status; allowed: candidate",
        ),
        (
            {"members": {"ARM": {"trade_russia": "0.3"}}},
            r"members\['ARM'\]\['trade_russia'\] should be a number \(share\), got string",
        ),
        ({"members": {"ARM": 0.2}}, r"members\['ARM'\] should map figure names to values"),
        ({"start": "2020Q1", "end": "2019Q4"}, r"end '2019Q4' is before start '2020Q1'"),
        # red team: a string, a number, a huge int and a regional global out of range
        ({"members": "ARM"}, r"^members should map member codes to their figures, got str"),
        ({"members": 5}, r"^members should map member codes to their figures, got int"),
        (
            {"members": {"ARM": {"initial_grievance": 10**400}}},
            r"members\['ARM'\]\['initial_grievance'\] = 1000.* is outside what it can take",
        ),
        ({"members": {"ARM": {"western_offer": 7}}}, r"western_offer = 7 .* in members\['ARM'\]"),
        ({"end": "2020Q5"}, r"^AllianceModel: not a quarter: '2020Q5'"),
    ],
)
def test_alliance_model_refuses_member_figures_and_ends_in_one_line(kw, match):
    """The API's member overrides and end are checked as a scenario file's are (a misspelt
    code had raised a bare KeyError, a tolerance of 7 and an end before the start had run)."""
    from alliance_sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=match):
        AllianceModel(rng=1, **kw)
    if "members" in kw:  # the batch engine reads the same overrides the same way
        base = spec_for(load_scenario("baseline"))
        with pytest.raises(ScenarioError, match=match):
            from alliance_sim.engines.batch import run_batch

            run_batch([replace(base, members=kw["members"], n_steps=1)], [1])


def test_alliance_model_takes_good_overrides_and_warns_past_its_end():
    from types import MappingProxyType

    # a status by its code, as a posterior stores it (a whole-number float: red team), and
    # read-only mappings, which ran before the check
    for status in ("hedging", 2, 2.0, np.float64(2.0), np.int64(2)):
        m = AllianceModel(rng=1, end="2020Q2", members={"ARM": {"initial_status": status}})
        assert m.state.status[0, ARM] == 2, status
    AllianceModel(rng=1, members=MappingProxyType({"ARM": MappingProxyType({"trade_eu": 0.3})}))
    from alliance_sim.errors import ScenarioError

    for bad in (2.5, 5, -1.0, True):
        with pytest.raises(ScenarioError, match="is not a status"):
            AllianceModel(rng=1, members={"ARM": {"initial_status": bad}})
    m = AllianceModel(rng=1, end="2020Q3", members={"ARM": {"initial_status": "hedging"}})
    assert m.members_dataframe().index.get_level_values("Step").dtype.kind == "i"
    m.run_for(2)
    assert not m.running and m.quarter == "2020Q3"
    with pytest.warns(RuntimeWarning, match=r"stepping past its end 2020Q3 \(to 2020Q4\)"):
        m.run_for(2)
    assert m.quarter == "2021Q1"
    assert not AllianceModel(rng=1, end="2020Q1").running  # ends where it starts
    assert "each within its range" in (AllianceModel.__init__.__doc__ or "")
