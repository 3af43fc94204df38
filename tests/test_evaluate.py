"""evaluate(): a user's own design on the batch engine, with simulate()'s answers."""

import numpy as np
import pandas as pd
import pytest

from alliance_sim import evaluate, load_scenario, simulate
from alliance_sim.core.outcomes import outcome_names
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.plan import replicate_seed


def same(a: dict, row: pd.Series) -> bool:
    return all(np.isclose(a[k], row[k], equal_nan=True) for k in outcome_names())


def design(n: int = 4, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "western_offer": rng.uniform(0.02, 0.16, n),
            "members.ARM.pressure_tolerance": rng.uniform(0.05, 0.4, n),
            "status_patience": rng.integers(1, 5, n),
        }
    )


def test_rows_equal_simulate_for_the_same_seeds():
    d = design()
    out = evaluate(d, "armenia_exits", replicates=2, seed=5)
    assert len(out) == 8
    assert list(out["point"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(out["replicate"]) == [0, 1] * 4
    assert set(out["seed"]) == {replicate_seed(5, 0), replicate_seed(5, 1)}
    assert {"posterior", "error", *d.columns, *outcome_names()} <= set(out.columns)
    assert out["error"].isna().all()
    for i in (0, 3, 6):
        row = out.iloc[i]
        params = {c: row[c] for c in d.columns}
        got = simulate("armenia_exits", seed=int(row.seed), posterior=int(row.posterior), **params)
        assert same(got, row)
    # the design actually matters: different rows, different answers for the same seed
    assert not np.allclose(out["cohesion_mean"].iloc[0], out["cohesion_mean"].iloc[2])


def test_simulate_batch_equals_the_mesa_model_with_member_parameters():
    kw = {"western_offer": 0.12, "members.ARM.pressure_tolerance": 0.08}
    a = simulate("armenia_exits", seed=11, **kw)
    b = simulate("armenia_exits", seed=11, engine="mesa", **kw)
    assert all(np.isclose(a[k], b[k], equal_nan=True) for k in a)
    c = simulate("armenia_exits", seed=11, western_offer=0.12)
    assert a != c  # the member parameter changed the run


def test_event_fields_and_quarters_in_a_design():
    sc = load_scenario("iran_joins")
    d = pd.DataFrame(
        {
            "events.iran_application.at": ["2025Q1", "2030Q1"],
            "events.iran_application.commitment": [0.5, 0.9],
        }
    )
    out = evaluate(d, sc, replicates=1, seed=2)
    for i in range(2):
        row = out.iloc[i]
        got = simulate(
            sc,
            seed=int(row.seed),
            posterior=int(row.posterior),
            **{c: row[c] for c in d.columns},
        )
        assert same(got, row)


def test_parallel_and_chunked_give_the_same_rows():
    d = design(30, seed=4)
    one = evaluate(d, "baseline", replicates=2, seed=1, chunk_size=7)
    two = evaluate(d, "baseline", replicates=2, seed=1, workers=2, chunk_size=11)
    pd.testing.assert_frame_equal(one, two)


@pytest.mark.parametrize(
    "columns, message",
    [
        (
            {"westrn_offer": [0.1]},
            "unknown parameter 'westrn_offer' in design .*did you mean 'western_offer'",
        ),
        (
            {"western_offer": [0.1, 1.5]},
            r"western_offer = 1.5 \(row 1\) is out of range; allowed 0 to 1",
        ),
        (
            {"members.ARN.pressure_tolerance": [0.1]},
            "unknown member code 'ARN'.*did you mean 'ARM'",
        ),
        ({"members.ARM.presure_tolerance": [0.1]}, "did you mean 'pressure_tolerance'"),
        ({"western_offer": ["x"]}, r"western_offer = 'x' \(row 0\) should be a number"),
        ({"status_patience": [2.5]}, r"status_patience = 2.5 \(row 0\) should be whole"),
        ({"events.nope.size": [0.1]}, "no event with id 'nope'"),
        ({"seed": [1]}, "reserved"),
    ],
)
def test_a_bad_design_is_one_clear_error(columns, message):
    with pytest.raises(ValueError, match=message):
        evaluate(pd.DataFrame(columns), "armenia_exits")


def test_designs_that_pandas_would_coerce_are_refused_by_position_and_value():
    """Red-team findings: a duplicated index label printed a whole Series as "the value"; a
    date became nanoseconds since 1970 ("out of range"); a swapped call printed a DataFrame."""
    dup = pd.DataFrame({"western_offer": [0.1, 5.0]}, index=[3, 3])
    with pytest.raises(
        ScenarioError, match=r"= 5 \(row 3, the design's row 2\) is out of range"
    ) as e:
        evaluate(dup, "armenia_exits")
    assert "\n" not in str(e.value)
    when = pd.DataFrame({"western_offer": [pd.Timestamp("2024-01-01")]})
    with pytest.raises(ScenarioError, match=r"\(a Timestamp\) \(row 0\) should be a number"):
        evaluate(when, "armenia_exits")
    with pytest.raises(ScenarioError, match=r"nan \(row 0\) is missing; allowed a number"):
        evaluate(pd.DataFrame({"western_offer": [float("nan")]}), "armenia_exits")
    with pytest.raises(ScenarioError, match=r"scenario = a DataFrame: .*evaluate\(design, scen"):
        evaluate("armenia_exits", pd.DataFrame({"western_offer": [0.1]}))


def test_a_forecast_refuses_initial_values_it_would_not_use():
    """Red-team finding: members.ARM.initial_commitment in a forecast that continues the
    replay did nothing (the run starts from replay k's end state) and said nothing."""
    with pytest.raises(ScenarioError, match="replay k's end state; only a candidate's"):
        evaluate(pd.DataFrame({"members.ARM.initial_commitment": [0.1]}), "baseline")
    out = evaluate(pd.DataFrame({"members.IRN.initial_commitment": [0.1]}), "iran_joins")
    assert out["error"].isna().all()  # a candidate's apply on joining


def test_simulate_rejects_bad_keywords_in_one_line():
    with pytest.raises(ScenarioError, match=r"simulate\(\) \[keyword arguments\]; did you mean"):
        simulate(westrn_offer=0.1)
    with pytest.raises(ScenarioError, match="out of range"):
        simulate(**{"members.ARM.pressure_tolerance": 3})


def test_a_scenario_without_a_calibration_can_be_evaluated():
    """evaluate() on a scenario with no posterior (the default world, a replay) ran into
    len(None)."""
    out = evaluate(pd.DataFrame({"western_offer": [0.05]}), "history_2020_2024", replicates=2)
    assert len(out) == 2 and out["error"].isna().all() and "posterior" not in out
