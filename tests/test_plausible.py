"""Plausible ranges: every parameter has one, inside its validity range, with a reason."""

import numpy as np
import pytest

from alliance_sim import parameters
from alliance_sim.core.members import MEMBER_FIELDS
from alliance_sim.core.params import REGISTRY
from alliance_sim.core.plausible import PLAUSIBLE, plausible_range


def test_every_registry_parameter_has_a_plausible_range_inside_its_validity_range():
    missing = [p.name for p in REGISTRY if p.name not in PLAUSIBLE]
    assert not missing, f"add plausible ranges to core/plausible.py for {missing}"
    assert not set(PLAUSIBLE) - {p.name for p in REGISTRY}, "stale names in PLAUSIBLE"
    for p in REGISTRY:
        r = PLAUSIBLE[p.name]
        assert p.low <= r.low < r.high <= p.high, p.name
        assert r.low <= p.default <= r.high, f"{p.name}: default outside its plausible range"
        assert r.source.strip(), p.name
        if p.integer:
            assert float(r.low).is_integer() and float(r.high).is_integer(), p.name


def test_a_meaning_that_names_a_plausible_range_names_the_one_sampled():
    """`list parameters` printed "sample 0.1 to 0.7" above a meaning that said "plausible
    range 0.1-0.5" (russian_pressure; russian_bandwidth, western_offer and
    patron_threat_initial too): one parameter, two plausible ranges."""
    import re

    named = 0
    for p in REGISTRY:
        for m in re.finditer(r"plausible range (-?[\d.]*\d)\s*-\s*(-?[\d.]*\d)", p.meaning):
            named += 1
            r = PLAUSIBLE[p.name]
            assert (float(m.group(1)), float(m.group(2))) == (r.low, r.high), p.name
    assert named >= 10


def test_parameters_table_carries_the_plausible_columns():
    t = parameters()
    assert {"plausible_low", "plausible_high", "plausible_source"} <= set(t.columns)
    glob = t[t["scope"] == "global"]
    assert glob[["plausible_low", "plausible_high"]].notna().all().all()
    assert (glob["plausible_low"] >= glob["low"]).all()
    assert (glob["plausible_high"] <= glob["high"]).all()
    # the example: western_offer is valid on 0-1 but plausible on 0.02-0.16
    w = glob.set_index("name").loc["western_offer"]
    assert (w.low, w.high, w.plausible_low, w.plausible_high) == (0.0, 1.0, 0.02, 0.16)
    numeric = t[(t["scope"] == "member") & t["plausible_low"].notna()]
    assert len(numeric) == sum(f.numeric for f in MEMBER_FIELDS.values())
    assert (
        (numeric["plausible_low"] >= numeric["low"])
        & (numeric["plausible_high"] <= numeric["high"])
    ).all()


def test_member_ranges_come_from_members_toml():
    arm = plausible_range("members.ARM.pressure_tolerance")
    assert arm is not None and arm.low < arm.high and "assumption" in arm.source
    sourced = plausible_range("members.KAZ.trade_russia")  # a sourced figure: no range
    assert sourced is not None and sourced.low == sourced.high
    assert plausible_range("members.ARM.nonsense") is None
    assert plausible_range("nonsense") is None
    import alliance_sim
    from alliance_sim.errors import ScenarioError

    for bad in ("members.ARM.nonsense", "nonsense", 3):  # the public name: one line
        with pytest.raises(ScenarioError, match=r"^plausible_range\("):
            alliance_sim.plausible_range(bad)
    with pytest.raises(ScenarioError, match="did you mean 'western_offer'"):
        alliance_sim.plausible_range("westrn_offer")  # None, and .low failed (helper-95)
    assert alliance_sim.plausible_range("western_offer") == plausible_range("western_offer")
    assert np.isfinite(plausible_range("western_offer").low)


def test_the_ranges_benchmark_draws_its_thresholds_in_order():
    """benchmarks/plausible_vs_valid.py drew every threshold independently over its range,
    and `evaluate` refused the first row out of order with a traceback (a docs audit): rows
    out of order are drawn again, and the share kept is what it says."""
    import importlib.util
    from pathlib import Path

    from alliance_sim import load_scenario
    from alliance_sim.scenario.semantics import ordered

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "plausible_vs_valid.py"
    spec = importlib.util.spec_from_file_location("plausible_vs_valid", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    t = parameters()
    g = t[t["scope"] == "global"].set_index("name")
    g = g[~g.index.str.startswith("mech_")]
    for lo, hi in (("low", "high"), ("plausible_low", "plausible_high")):
        d, share = mod.draw(g, lo, hi, 500, np.random.default_rng(1))
        assert len(d) == 500 and 0 < share < 1
        assert ordered(list(d.columns), d.to_numpy(), load_scenario("baseline").params).all()
        for n in d.columns:  # each still inside its range
            assert d[n].between(g.loc[n, lo], g.loc[n, hi]).all(), n


def test_base_rates_script_refuses_a_folder_in_one_line(tmp_path, capsys):
    """`python -m alliance_sim.analysis.baserates --help` (or a folder that is not a result)
    printed a traceback (a docs audit)."""
    import pytest

    from alliance_sim.analysis.baserates import main

    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0 and "usage:" in capsys.readouterr().out
    assert main([str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing: no such folder" in err
