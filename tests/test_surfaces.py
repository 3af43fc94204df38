"""Response surfaces a reader can defend (docs/validation.md section 10): each shipped forecast's
headlines along each of their drivers, every jump or reversal fixed or explained in the file."""

import numpy as np
import pytest

from alliance_sim import load_scenario
from alliance_sim.analysis import surfaces as sf
from alliance_sim.analysis.uncertain import Uncertain
from alliance_sim.errors import ScenarioError
from alliance_sim.report.robustness import shipped
from alliance_sim.scenario.files import list_scenarios

FORECASTS = sorted(f.stem for f in list_scenarios() if not f.stem.startswith("history_"))
U = Uncertain("exit_below", 0.0, 1.0, "test", False, False)


def _curve(p):
    return sf.Curve("ARM_exited", U, np.linspace(0, 1, len(p)), np.asarray(p, float))


def test_the_flags_see_jumps_and_reversals_and_nothing_else():
    assert _curve([0.1, 0.2, 0.3, 0.45, 0.6]).flags == []  # steady
    assert "jumps 10% -> 40%" in _curve([0.1, 0.4, 0.5]).flags[0]
    assert "not monotone" in _curve([0.1, 0.3, 0.1]).flags[0]
    assert _curve([0.30, 0.33, 0.31, 0.34]).flags == []  # wiggles within noise


@pytest.mark.parametrize("name", FORECASTS)
def test_every_flagged_response_is_explained_in_the_scenario(name):
    sc = load_scenario(name)
    found = shipped(name)
    assert found is not None, f"docs/robustness/{name} is missing"
    curves = sf.curves(sc, found)
    assert curves, "no driver to sweep"
    for c in curves:
        assert np.all((c.p >= 0) & (c.p <= 1))
        for flag in c.flags:
            assert c.parameter.name in sc.explained, f"{name}: {c.outcome} {flag}, unexplained"


def test_an_explanation_names_something_the_scenario_has(write):
    path = write(
        "x.toml",
        'name = "x"\ndescription = "d"\nextends = "baseline"\n'
        '[explained]\n"events.nope.size" = "why"\n',
    )
    with pytest.raises(ScenarioError, match=r"no event with id 'nope'.*\[explained\]"):
        load_scenario(path)
