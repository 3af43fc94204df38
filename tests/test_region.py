"""A scenario's [region]: globals set for some members act on those members alone."""

import subprocess
import sys

import numpy as np
import pytest

from alliance_sim import load_scenario
from alliance_sim.core import members as mb
from alliance_sim.core.params import BY_NAME
from alliance_sim.engines.runspec import build_params
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.plan import make_plan, spec_for

CA = ("KAZ", "KGZ", "TJK", "UZB")


def offer(spec, name="chinese_offer"):
    P = build_params([spec])
    return {c: float(P.m[name][0, mb.INDEX[c]]) for c in mb.CODES}


def test_china_s_push_acts_in_central_asia_only():
    sc = load_scenario("china_security_push")
    base = load_scenario("baseline")
    got, before = offer(spec_for(sc)), offer(spec_for(base))
    for c in mb.CODES:
        assert got[c] == (0.15 if c in CA else before[c]), c
    assert before["BLR"] == BY_NAME["chinese_offer"].default


def test_a_swept_regional_value_moves_the_region_alone():
    plan = make_plan(load_scenario("china_security_push"), replicates=1)
    seen = set()
    for m in list(plan.runs())[:10]:
        o = offer(spec_for(plan.scenario, m.values), "china_security_weight")
        v = m.values["region.china_security_weight"]
        assert all(o[c] == v for c in CA)
        assert o["BLR"] == o["ARM"] == BY_NAME["china_security_weight"].default
        seen.add(v)
    assert len(seen) > 1


def _scenario(tmp_path, text):
    p = tmp_path / "s.toml"
    p.write_text('name = "t"\ndescription = "t"\nextends = "baseline"\n' + text)
    return p


def test_a_member_s_own_value_wins_over_the_region(tmp_path):
    p = _scenario(
        tmp_path,
        '[region]\nmembers = ["KAZ", "KGZ"]\nwhy = "w"\nwestern_offer = 0.2\n'
        "[members.KGZ]\nwestern_offer = 0.01\n",
    )
    o = offer(spec_for(load_scenario(p)), "western_offer")
    assert (o["KAZ"], o["KGZ"], o["ARM"]) == (0.2, 0.01, BY_NAME["western_offer"].default)


def test_the_region_reaches_the_trajectories_of_its_members_only(tmp_path):
    """Paired runs: a large Western offer to Kazakhstan alone raises Kazakhstan's Western
    ties and leaves Belarus's untouched (its ties are its own offers' sum)."""
    from alliance_sim.engines.batch import run_batch

    p = _scenario(tmp_path, '[region]\nmembers = ["KAZ"]\nwhy = "w"\nwestern_offer = 0.5\n')
    seeds = list(range(20))
    tr, _ = run_batch([spec_for(load_scenario(p))] * 20, seeds)
    tb, _ = run_batch([spec_for(load_scenario("baseline"))] * 20, seeds)
    kaz, blr = mb.INDEX["KAZ"], mb.INDEX["BLR"]
    assert (tr["western_ties"][-1, :, kaz] > tb["western_ties"][-1, :, kaz] + 0.5).all()
    np.testing.assert_allclose(tr["western_ties"][1, :, blr], tb["western_ties"][1, :, blr])


@pytest.mark.parametrize(
    "text, says",
    [
        ('[region]\nmembers = ["KAZ"]\nwhy = "w"\nexit_below = 0.1\n', "cannot be set for"),
        ('[region]\nmembers = ["KAZ"]\nchinese_offer = 0.1\n', "region.why"),
        ('[region]\nmembers = ["XYZ"]\nwhy = "w"\nchinese_offer = 0.1\n', "unknown member code"),
        ('[region]\nmembers = ["KAZ"]\nwhy = "w"\nchinese_offer = 9.0\n', "chinese_offer"),
        ('[region]\nmembers = []\nwhy = "w"\nchinese_offer = 0.1\n', "non-empty list"),
        ('[region]\nmembers = ["KAZ"]\nwhy = "w"\n', "sets no parameter"),
        (
            '[sweep]\nsamples = 4\n[sweep.parameters]\n"region.chinese_offer" = [0.1, 0.2]\n',
            "needs a [region] table",
        ),
        (
            '[region]\nmembers = ["KAZ"]\nwhy = "w"\nchinese_offer = 0.1\n[sweep]\n'
            '[sweep.parameters]\n"region.exit_below" = [0.1, 0.2]\n',
            "region.NAME takes one of",
        ),
    ],
)
def test_a_bad_region_is_one_line_naming_the_key(tmp_path, text, says):
    p = _scenario(tmp_path, text)
    with pytest.raises(ScenarioError, match=r"region|sweep") as e:
        load_scenario(p)
    assert says in str(e.value) and str(p) in str(e.value)
    r = subprocess.run(
        [sys.executable, "-m", "alliance_sim", "validate", str(p)], capture_output=True, text=True
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and says in r.stderr, r.stderr


def test_china_s_push_no_longer_moves_belarus(tmp_path):
    """Paired runs (same seeds and posterior sets): the shipped push lowers the Central
    Asians' commitment and leaves Belarus's and Armenia's where the baseline has them; the
    same values as global [params] (the file before [region]) lowered Belarus's too
    (scripts/regional_reach.py prints the table)."""
    from alliance_sim.engines.batch import run_batch

    def mean_commitment(sc, n=120):
        specs = [spec_for(sc, None, k) for k in range(n)]
        traj, _ = run_batch(specs, list(range(n)))
        return np.nanmean(traj["commitment"][-1], axis=0)

    base = mean_commitment(load_scenario("baseline"))
    push = mean_commitment(load_scenario("china_security_push"))
    d = {c: push[mb.INDEX[c]] - base[mb.INDEX[c]] for c in mb.CODES}
    assert abs(d["BLR"]) < 0.005 and abs(d["ARM"]) < 0.005, d
    assert d["KGZ"] < -0.05 and d["KAZ"] < -0.03, d
    region = load_scenario("china_security_push").region
    text = "".join(f"{k} = {v}\n" for k, v in region.values.items())
    path = tmp_path / "g.toml"
    path.write_text(f'name = "g"\ndescription = "g"\nextends = "baseline"\n[params]\n{text}')
    glob = mean_commitment(load_scenario(path))
    assert glob[mb.INDEX["BLR"]] - base[mb.INDEX["BLR"]] < -0.02  # the leak the region stops


def test_robustness_and_labels_know_the_region():
    """The robustness analysis varies a scenario's swept regional values over its ranges,
    and labels name the region's members."""
    from alliance_sim.analysis.uncertain import uncertain
    from alliance_sim.report.labels import parameter_label

    sc = load_scenario("china_security_push")
    varied = {u.name: (u.low, u.high) for u in uncertain(sc)}
    assert varied["region.chinese_offer"] == (0.05, 0.3)
    assert "region.sco_substitution" in varied and "region.china_security_weight" in varied
    label = parameter_label("region.chinese_offer", sc.data)
    assert label.startswith("Chinese offer") and label.endswith("in KAZ, KGZ, TJK, UZB")
    two = {"region": {"members": ["KAZ", "KGZ"]}}
    assert parameter_label("region.chinese_offer", two).endswith("in Kazakhstan, Kyrgyzstan")


def test_reports_say_what_a_region_sets():
    from alliance_sim.report.scripted import sentence

    line = sentence("China's push", load_scenario("china_security_push").data)
    assert "for KAZ/KGZ/TJK/UZB only: chinese_offer 0.15" in line and "([region])" in line
    assert "no event (the status quo)" not in line


def test_one_region_per_scenario_and_region_names_need_one(tmp_path):
    """A child cannot add a second [region] (its members' values could not be merged);
    region.NAME without a [region] is one clear error, in a file or a point; a hand-set
    regional value is varied by the robustness analysis like a hand-set global."""
    from alliance_sim.analysis.uncertain import uncertain
    from alliance_sim.scenario.runspecs import at_point

    child = tmp_path / "c.toml"
    child.write_text(
        'name = "c"\ndescription = "d"\nextends = "china_security_push"\n'
        '[region]\nmembers = ["ARM"]\nwhy = "w"\nwestern_offer = 0.15\n'
    )
    with pytest.raises(ScenarioError, match="a scenario has one region"):
        load_scenario(child)
    base = load_scenario("baseline")
    with pytest.raises(ScenarioError, match=r"region.chinese_offer needs a \[region\]"):
        at_point(base, spec_for(base), {"region.chinese_offer": 0.2})
    p = _scenario(tmp_path, '[explained]\n"region.chinese_offer" = "why"\n')
    with pytest.raises(ScenarioError, match="needs a \\[region\\] table"):
        load_scenario(p)
    p = _scenario(tmp_path, '[region]\nmembers = ["ARM"]\nwhy = "w"\nwestern_offer = 0.2\n')
    varied = {u.name for u in uncertain(load_scenario(p))}
    assert "region.western_offer" in varied


def test_a_sweep_s_header_says_what_was_swept():
    from alliance_sim.analysis.summary import _swept

    pts = [{"point": i, "region.western_offer": v} for i, v in enumerate((0.06, 0.12, 0.24))]
    assert _swept(pts) == "region.western_offer 0.06, 0.12, 0.24"
    many = [{"point": i, "exit_below": 0.02 + 0.0371 * i} for i in range(8)]
    assert _swept(many) == "exit_below 0.02-0.28"
    assert _swept([]) == ""


def test_a_member_s_regional_value_is_a_design_column_like_any_member_figure(tmp_path):
    """members.CODE.NAME for a regional global can be swept and passed to simulate, as a
    scenario's [members.CODE] table may set it; a calibration prior keyed wrongly names
    [calibrate.parameters], not [sweep.parameters]."""
    from alliance_sim import simulate

    p = _scenario(
        tmp_path,
        "[sweep]\nreplicates = 1\n[sweep.parameters]\n"
        '"members.KAZ.russian_pressure" = [0.1, 0.9]\n',
    )
    plan = make_plan(load_scenario(p), replicates=1)
    for m in plan.runs():
        o = offer(spec_for(plan.scenario, m.values), "russian_pressure")
        assert o["KAZ"] == m.values["members.KAZ.russian_pressure"]
        assert o["BLR"] == BY_NAME["russian_pressure"].default
    a = simulate("baseline", seed=3)
    b = simulate("baseline", seed=3, **{"members.KAZ.russian_pressure": 0.9})
    assert a["KAZ_min_commitment"] != b["KAZ_min_commitment"]
    assert a["BLR_min_commitment"] == b["BLR_min_commitment"]
    bad = _scenario(
        tmp_path, "[calibrate]\n[calibrate.parameters]\nnot_a_param = { low = 0, high = 1 }\n"
    )
    with pytest.raises(ScenarioError, match=r"\[calibrate.parameters\]"):
        load_scenario(bad)


def test_the_patron_s_code_is_named_as_not_allowed_rather_than_suggested():
    from alliance_sim import simulate

    with pytest.raises(ScenarioError, match=r"'RUS' is not allowed .*the patron") as e:
        simulate("baseline", **{"members.RUS.pressure_tolerance": 0.2})
    assert "did you mean" not in str(e.value)


def test_a_swept_member_value_beats_a_swept_region_whatever_the_order(tmp_path):
    """A member's own value wins over the region's -- also when both come from one point, in
    either order."""
    from alliance_sim.scenario.runspecs import at_point

    p = _scenario(
        tmp_path, '[region]\nmembers = ["KAZ", "KGZ"]\nwhy = "w"\nrussian_pressure = 0.5\n'
    )
    sc = load_scenario(p)
    for point in (
        {"members.KGZ.russian_pressure": 0.0, "region.russian_pressure": 0.9},
        {"region.russian_pressure": 0.9, "members.KGZ.russian_pressure": 0.0},
    ):
        o = offer(at_point(sc, spec_for(sc), point), "russian_pressure")
        assert (o["KGZ"], o["KAZ"]) == (0.0, 0.9), point


def test_the_patron_s_member_table_is_named_as_not_allowed(tmp_path):
    for code in ("RUS", "Russia"):
        p = _scenario(tmp_path, f"[members.{code}]\npressure_tolerance = 0.2\n")
        with pytest.raises(ScenarioError, match="names Russia, the patron") as e:
            load_scenario(p)
        assert "did you mean" not in str(e.value)
