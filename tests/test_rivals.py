"""The backtest's rivals are fitted on the window only, and its scores resample occasions."""

import numpy as np
import pandas as pd
import pytest

from alliance_sim.analysis import record as rc
from alliance_sim.analysis import rivals as rv
from alliance_sim.analysis.backtest import naive_forecasts


def _rows(cut="2022Q4"):
    obs = rc.window("2023Q1", "2024Q4").reset_index(drop=True)
    fit = rc.window("2020Q2", cut)
    rows = naive_forecasts(obs.assign(model=0.5), fit, cut)
    rows = rows[rows[["persistence", "base_rate"]].notna().all(axis=1)].reset_index(drop=True)
    return rows, fit


def test_rivals_read_the_window_not_what_came_after():
    rows, fit = _rows()
    out, info = rv.rival_forecasts(rows, fit, rows["persistence"], rows["base_rate"])
    flipped = rows.assign(observed=1 - rows["observed"])
    again, _ = rv.rival_forecasts(flipped, fit, rows["persistence"], rows["base_rate"])
    for f in rv.RIVALS:
        assert np.array_equal(out[f].to_numpy(float), again[f].to_numpy(float)), f
        assert out[f].between(0, 1).all(), f
    assert info["logistic_trained_on"] > 50 and 0 <= info["hedge_weight"] <= 1
    # climatology: the member's own smoothed rate in the window, (k + 0.5) / (n + 1)
    kaz_fit = fit[(fit["kind"] == "vote_ukraine") & (fit["member"] == "KAZ")]["observed"]
    kaz = out[(out["kind"] == "vote_ukraine") & (out["member"] == "KAZ")]
    assert kaz["climatology"].to_numpy() == pytest.approx(
        (kaz_fit.sum() + 0.5) / (len(kaz_fit) + 1)
    )


def test_hedge_weight_follows_the_window():
    base = pd.DataFrame({"kind": "summit", "rate": 0.5, "last": [0.0, 1.0] * 20})
    assert rv.hedge_weight(base.assign(observed=base["last"].astype(int))) == 1.0
    assert rv.hedge_weight(base.assign(observed=(1 - base["last"]).astype(int))) == 0.0
    assert rv.hedge_weight(base.iloc[:0].assign(observed=[])) == 0.9  # nothing to fit on


def test_log_score_clips_and_reliability_measures_calibration():
    assert rv.log_score(np.array([0.0]), np.array([1])) == pytest.approx(np.log(100))
    assert rv.log_score(np.array([0.5, 0.5]), np.array([0, 1])) == pytest.approx(np.log(2))
    ece, bins = rv.reliability(np.full(10, 0.9), np.zeros(10))
    assert ece == pytest.approx(0.9) and bins == [
        {"lo": 0.9, "hi": 1.0, "n": 10, "mean_p": 0.9, "rate": 0.0}
    ]
    p = np.repeat([0.25, 0.75], 4)
    ece, _ = rv.reliability(p, np.array([1, 0, 0, 0, 1, 1, 1, 0]))
    assert ece == pytest.approx(0.0)


def _clustered(n_occ, per, seed):
    """Occasions whose outcomes move together: the model right on most occasions, a rival
    at 0.5 throughout."""
    rng = np.random.default_rng(seed)
    y = np.repeat(rng.integers(0, 2, n_occ), per)
    model = np.where(np.repeat(rng.random(n_occ) < 0.7, per), y, 1 - y) * 0.8 + 0.1
    rows = pd.DataFrame({"kind": "summit", "quarter": "2021Q3", "observed": y, "model": model})
    for f in rv.RIVALS:
        rows[f] = 0.5
    return rows


def test_skill_interval_resamples_occasions_not_outcomes():
    rows = _clustered(12, 5, seed=3)
    by_occasion = rv.skill_intervals(rows.assign(event=np.repeat(np.arange(12), 5)))
    by_row = rv.skill_intervals(rows.assign(event=np.arange(60)))
    k, r = by_occasion["persistence"], by_row["persistence"]
    assert k["estimate"] == pytest.approx(r["estimate"])
    assert k["lo"] <= k["estimate"] <= k["hi"]
    # outcomes of one occasion are not independent: treating them as such understates the
    # uncertainty (an interval about sqrt(5) times too narrow)
    assert (k["hi"] - k["lo"]) > 1.8 * (r["hi"] - r["lo"])
    # the same seed, the same interval
    assert rv.skill_intervals(rows.assign(event=np.repeat(np.arange(12), 5))) == by_occasion


def test_same_named_events_in_different_quarters_are_different_occasions():
    """Two summits in Astana (2011, 2024) are two occasions, not one."""
    rows = pd.DataFrame(
        {"kind": "summit", "event": ["Astana", "Astana", "Astana"],
         "quarter": ["2011Q3", "2011Q3", "2024Q4"]}
    )  # fmt: skip
    assert rv.occasions(rows).nunique() == 2
