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
