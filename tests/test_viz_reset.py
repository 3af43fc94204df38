"""The live view's model as Mesa's Reset makes it again (no browser needed)."""

import pytest

pytest.importorskip("solara", reason="the viz extra is not installed")


def _reset(model, params):
    """What SolaraViz's Reset button does (mesa.visualization.solara_viz.do_reset)."""
    from mesa.visualization.solara_viz import _build_model_init_kwargs

    kwargs = _build_model_init_kwargs(
        model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    return type(model)(**kwargs)


def test_reset_makes_the_model_again_with_the_sliders_and_the_seed():
    """Every Reset failed with "unknown parameter 'scenario'" (Mesa passes its own scenario),
    so the sliders and the Seed box never acted; the Seed box gives text (helper-102). The
    calibrated baseline's page had two fitted parameters as sliders, and did not say it
    shows one of its 400 parameter sets."""
    from alliance_sim import load_scenario
    from alliance_sim.report import viz

    sc = load_scenario("baseline")
    params = viz.model_params(sc)
    values = {k: (v["value"] if isinstance(v, dict) and "type" in v else v)
              for k, v in params.items()}  # fmt: skip
    model = viz.LiveModel(**values)
    model.run_for(4)
    again = _reset(model, {**values, "rng": "7", "western_offer": 0.2})
    assert again.steps == 0 and again.P.western_offer[0, 0] == 0.2 and again.seed == 7
    same = _reset(model, {**values, "rng": "7", "western_offer": 0.2})
    again.run_for(8)
    same.run_for(8)
    assert (again.state.commitment == same.state.commitment).all()  # the seed, as typed
    with pytest.raises(ValueError, match=r"Seed 'seven': allowed a whole number"):
        _reset(model, {**values, "rng": "seven"})
    fitted = set(sc.posterior.sets[0])
    sliders = [
        k for k, v in params.items() if isinstance(v, dict) and v.get("type") == "SliderFloat"
    ]
    assert sliders and not fitted & set(sliders), sliders
    assert {"contagion", "pressure_backlash"} <= fitted  # (the premise: fitted here)
    for k in sliders:
        s = params[k]
        assert s["min"] <= s["value"] <= s["max"]
    assert "calibrated parameter set 0 of 400" in viz.page_name(sc)
