"""The replay of 2006-2024: Uzbekistan as a member agent, the record from 2006, the patterns
measured on its 2020-2024, and the rolling-origin backtest."""

import json
from pathlib import Path

import numpy as np
import pytest

from alliance_sim import load_scenario
from alliance_sim.analysis import patterns as pt
from alliance_sim.analysis import record as rc
from alliance_sim.analysis.backtest import end_status_at, naive_forecasts
from alliance_sim.cli.main import main
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.plan import spec_for

ROOT = Path(__file__).resolve().parents[1]


def test_the_record_knows_uzbekistans_return_suspension_and_exit():
    assert rc.status_at("UZB", "2006Q1") == "exited"  # out since 1999
    assert rc.status_at("UZB", "2006Q3") == "in"
    assert rc.status_at("UZB", "2012Q2") == "suspended"  # note of 28 Jun 2012
    assert rc.status_at("UZB", "2012Q4") == "exited"  # the Council, 19 Dec 2012
    assert rc.status_at("ARM", "2023Q4") == "in" and rc.status_at("ARM", "2024Q1") == "suspended"
    # a replay that starts in 2020 has no Uzbekistan to match; one that starts in 2006 has
    # outside a replay that starts in 2020, and never applied (the record has no application)
    assert end_status_at("2022Q4", "2020Q1")["UZB"] == "candidate"
    assert end_status_at("2014Q4", "2006Q3")["UZB"] == "exited"
    r = rc.record()
    uzb = r[r["member"] == "UZB"]
    status = uzb[uzb["kind"] == "status"].set_index("event")["observed"]
    assert status.to_dict() == {str(y): int(y == 2012) for y in range(2006, 2013)}
    # nothing of Uzbekistan is observed as a member after it left
    assert uzb["ordinal"].max() <= quarters.parse("2012Q4")
    assert (uzb[uzb["kind"] != "status"]["ordinal"] < quarters.parse("2012Q4")).all()
    assert {"vote_georgia", "summit", "exercise"} <= set(uzb["kind"])


def test_the_georgia_texts_are_recorded_every_year_2008_2021_for_every_member():
    """One Georgia text a year, 2008-2021 (the UN Digital Library file ends in 2021), each
    coded for every member of that year, Uzbekistan only until it left; Armenia stops voting
    with Russia in 2019, Belarus abstained or was absent 2010-2012."""
    r = rc.record()
    g = r[r["kind"] == "vote_georgia"].assign(year=lambda d: d["quarter"].str[:4].astype(int))
    assert sorted(g["year"].unique()) == list(range(2008, 2022))
    for year, rows in g.groupby("year"):
        want = {"BLR", "KAZ", "KGZ", "TJK", "ARM"} | ({"UZB"} if year <= 2012 else set())
        assert set(rows["member"]) == want and rows["event"].nunique() == 1, year
    arm = g[g["member"] == "ARM"].set_index("year")["observed"]
    assert arm.to_dict() == {y: int(y < 2019) for y in range(2008, 2022)}
    assert g[g["member"].isin(["KAZ", "KGZ"])]["observed"].sum() == 0


def test_the_base_rate_of_leaving_counts_only_what_was_known_at_the_cut():
    rate, exits, years = rc.exit_rate("2010Q4")
    assert exits == 3  # the three non-renewals of 1999; Uzbekistan's 2012 exit is later
    assert rc.exit_rate("2012Q4")[1] == 4
    assert rc.exit_rate("2024Q4")[2] > years and rate == pytest.approx(exits / years)
    obs = rc.window("2011Q1", "2012Q4")
    fit = rc.window("2006Q4", "2010Q4")
    rows = naive_forecasts(obs.assign(model=0.5), fit, "2010Q4")
    st = rows[rows["kind"] == "status"]
    assert (st["persistence"] == 0).all()  # everyone in at 2010Q4
    assert st["base_rate"].max() == pytest.approx(1 - (1 - rate) ** 2)


def test_uzbekistan_is_an_agent_of_the_long_replay_and_outside_the_short_one():
    from alliance_sim.engines.mesa_model import AllianceModel, Candidate, Member
    from alliance_sim.scenario.plan import spec_for

    long_ = AllianceModel.from_spec(spec_for(load_scenario("history_2006_2024")), 1)
    short = AllianceModel.from_spec(spec_for(load_scenario("history_2020_2024")), 1)
    assert "UZB" in {a.code for a in long_.agents if isinstance(a, Member)}
    assert "UZB" not in {a.code for a in short.agents if isinstance(a, Member)}
    assert "UZB" in {a.code for a in short.agents if isinstance(a, Candidate)}  # may apply
    assert short.state.status[0, mb.INDEX["UZB"]] == mb.CANDIDATE


def test_patterns_of_2020_2024_are_measured_on_the_long_replays_last_years():
    long_ = load_scenario("history_2006_2024")
    short = load_scenario("history_2020_2024")
    traj, _ = run_batch([spec_for(long_)] * 50, list(range(50)), series=("commitment", "status"))
    c, st = traj["commitment"], traj["status"]
    w = quarters.steps_between(long_.start, "2020Q1")
    on_long = pt.measure(long_, c, st)
    on_window = pt.measure(short, c[w:], st[w:])  # the same quarters, as a 2020 replay
    assert len(on_window) == 5 and set(on_long) == {*on_window, "membership_as_recorded"}
    for k in on_window:
        assert np.array_equal(on_long[k]["holds"], on_window[k]["holds"])
        assert np.allclose(on_long[k]["score"], on_window[k]["score"])
    # before 2020 the membership record is the pattern: Uzbekistan out by the end of 2012
    u = mb.INDEX["UZB"]
    years = range(2012, 2020)
    late = sum(
        (st[quarters.steps_between(long_.start, f"{y}Q4"), :, u] != mb.EXITED) for y in years
    )
    m = on_long["membership_as_recorded"]
    assert (m["score"] >= 0.2 * late - 1e-12).all() and not m["holds"][late > 0].any()
    # a cut before 2020Q2 measures only the membership record to the cut
    cut = pt.measure(long_, c, st, until=quarters.steps_between(long_.start, "2010Q4"))
    assert list(cut) == ["membership_as_recorded"]


@pytest.mark.slow
def test_rolling_backtest_writes_pooled_and_per_origin_scores(tmp_path, capsys):
    out = tmp_path / "roll"
    args = ["backtest", "history_2006_2024", "--origins", "2012Q4,2010Q4", "--out", str(out)]
    args += ["--draws", "30", "--generations", "2", "--replicates", "2", "--runs", "30"]
    args += ["--workers", "1", "--quiet"]
    assert main(args) == 0
    # strict JSON: an undefined skill (a rival without error) is null, never NaN
    doc = json.loads((out / "backtest.json").read_text(), parse_constant=pytest.fail)
    assert [o["origin"] for o in doc["origins"]] == ["2010Q4", "2012Q4"]  # sorted
    for o in doc["origins"]:
        assert quarters.steps_between(o["origin"], o["forecast"][1]) == 8
        assert o["n_scored"] > 20 and set(o["brier"]) == set(o["log_score"])
    rows = doc["rows"]
    for o in doc["origins"]:  # each origin scores only its own eight quarters
        mine = [r for r in rows if r["origin"] == o["origin"]]
        assert len(mine) == o["n_scored"]
        assert all(o["origin"] < r["period"] <= o["forecast"][1] for r in mine)
    # Uzbekistan's suspension and exit of 2012 are outcomes of the 2010Q4 origin only
    uzb = [r for r in rows if r["member"] == "UZB" and r["kind"] == "status"]
    assert {(r["origin"], r["period"], r["outcome"]) for r in uzb} == {
        ("2010Q4", "2011Q4", 0),
        ("2010Q4", "2012Q4", 1),
    }
    # a tiny fit misses the recorded statuses: invalid origins are named and not pooled
    said = capsys.readouterr().out
    valid = [o["origin"] for o in doc["origins"] if o["valid"]]
    assert doc["invalid_origins"] == [o["origin"] for o in doc["origins"] if not o["valid"]]
    assert doc["n_scored"] == sum(o["n_scored"] for o in doc["origins"] if o["valid"])
    if doc["invalid_origins"]:
        assert "left out of the pooled scores" in said
    if valid:
        assert {"estimate", "lo", "hi"} <= set(doc["skill_vs"]["persistence"])
        assert 0 <= doc["ece"] <= 1
    assert (out / "backtest.png").stat().st_size > 10_000
    assert "Rolling-origin backtest" in (out / "backtest.md").read_text()
    # the member offsets move the votes and leave the statuses alone; the model without them
    # is written beside it, fitted and forecast on the same runs
    for r in rows:
        bare = r["model_without_member_offsets"]
        assert 0 <= bare <= 1
        if r["kind"] == "status":
            assert r["model"] == bare
    kaz = [r for r in rows if r["member"] == "KAZ" and r["kind"] == "vote_georgia"]
    assert kaz and all(r["model"] < r["model_without_member_offsets"] for r in kaz)


@pytest.mark.parametrize(
    "bad, words",
    [
        ("2010Q4,soon", "'soon' is not a quarter"),
        ("2001Q4", "outside the replay"),
        ("2010Q4,2010Q4", "distinct"),
    ],
)
def test_bad_origins_get_one_line(bad, words, tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["backtest", "history_2006_2024", "--origins", bad, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0] and "--origins" in err[0]
    assert not out.exists()


def test_member_rates_compare_each_members_predicted_and_recorded_rates():
    from alliance_sim.analysis.obsfit import member_rates

    sc = load_scenario("history_2006_2024")
    until = quarters.steps_between(sc.start, "2012Q4")
    t, off = member_rates(sc, None, runs=40, seed=1, until=until)
    r = rc.window("2006Q4", "2012Q4")
    assert t["n"].sum() == len(r)  # every recorded occasion in the window, once
    row = t.set_index(["member", "kind"]).loc[("UZB", "status")]
    assert row["recorded"] == pytest.approx(1 / 7)  # 2006-2011 in, out by the end of 2012
    assert row["predicted"] == row["common"]  # statuses have no offset
    assert np.allclose(t["gap"], t["predicted"] - t["recorded"])
    assert (t["within"] == (t["gap"].abs() <= 0.1)).all()
    # the offsets move each member toward its own record: Kazakhstan never voted with Russia
    # on a Georgia text, Armenia always did (2008-2012), with the same commitment-based model
    o = off.set_index(["member", "kind"])["offset"]
    assert "status" not in off["kind"].tolist()
    assert o[("KAZ", "vote_georgia")] < -2 and o[("ARM", "vote_georgia")] > -0.5
    g = t.set_index(["member", "kind"])
    for m in ("KAZ", "KGZ", "TJK"):
        x = g.loc[(m, "vote_georgia")]
        assert abs(x["predicted"] - x["recorded"]) < abs(x["common"] - x["recorded"]) - 0.3
    arm = g.loc[("ARM", "vote_georgia")]
    assert abs(arm["predicted"] - 1) <= abs(arm["common"] - 1) + 0.01


def test_member_offsets_are_fitted_on_the_window_and_shrunk_toward_zero():
    """Offsets come from the occasions given only; a cell with more contrary evidence moves
    further; applied on the logit scale, they leave statuses and offset-free cells alone."""
    import pandas as pd

    from alliance_sim.analysis.obsfit import apply_offsets, fit_offsets

    def obs(member, kind, ys):
        return pd.DataFrame({"member": member, "kind": kind, "observed": ys})

    few = obs("KAZ", "vote_georgia", [0])
    many = obs("KAZ", "vote_georgia", [0] * 8)
    p1, p8 = np.full((50, 1), 0.8), np.full((50, 8), 0.8)
    d1 = fit_offsets(few, p1)["offset"].item()
    d8 = fit_offsets(many, p8)["offset"].item()
    assert d8 < d1 < 0  # more evidence, further from the common model
    assert fit_offsets(obs("BLR", "status", [1, 1]), np.full((5, 2), 0.1)).empty
    both = pd.concat([few, obs("BLR", "status", [1])], ignore_index=True)
    p = np.full((3, 2), 0.8)
    moved = apply_offsets(both, p, fit_offsets(few, p1))
    assert moved[0, 0] < 0.8 and moved[0, 1] == 0.8  # the status is the run's own
    assert np.allclose(apply_offsets(both, p, None), p)
    # a suspended member's boycott (obs_suspended) is the model's, whatever its offset: in a
    # run where the member is suspended the probability does not move, in the fit or after
    att = obs("ARM", "summit", [1] * 6)
    p6 = np.full((4, 6), 0.9)
    p6[:2] = 0.03  # runs 0-1: suspended
    mov = np.ones((4, 6), bool)
    mov[:2] = False
    d_all = fit_offsets(att, p6)["offset"].item()
    d_mov = fit_offsets(att, p6, mov)
    applied = apply_offsets(att, p6, d_mov, mov)
    assert (applied[:2] == 0.03).all() and (applied[2:] > 0.9).all()
    assert d_mov["offset"].item() > 0 and d_all > 0
    unmasked = apply_offsets(att, p6, d_mov)
    assert (unmasked[:2] > 0.03).all()  # what the mask prevents


def test_member_offsets_never_read_the_outcomes_after_the_cut(monkeypatch):
    """A backtest's offsets and forecasts are the same whatever happened after its cut: every
    outcome after it flipped, the tiny fit gives identical offsets and model probabilities."""
    from alliance_sim.analysis.backtest import backtest

    kw = dict(fit_until="2012Q4", draws=10, generations=1, replicates=1, runs=8)
    kw |= dict(max_unmatched=1.0, quiet=True)
    a = backtest("history_2006_2024", **kw)
    real = rc.record()
    flipped = real.copy()
    after = flipped["ordinal"] > quarters.parse("2012Q4")
    flipped.loc[after, "observed"] = 1 - flipped.loc[after, "observed"]
    monkeypatch.setattr(rc, "record", lambda: flipped)
    b = backtest("history_2006_2024", **kw)
    assert a.calibration.obs_offsets.equals(b.calibration.obs_offsets)
    assert np.array_equal(a.rows["model"], b.rows["model"])
    assert not np.array_equal(a.rows["observed"], b.rows["observed"])  # the flip took


def test_a_backtest_writes_only_where_it_may_and_refuses_before_fitting(tmp_path, capsys):
    """A result directory, or a backtest.* file alliance-sim did not write, is refused with one
    line before any fit; an origin with nothing to score likewise (not after the others)."""
    tiny = ["--draws", "20", "--generations", "2", "--replicates", "2", "--runs", "20"]
    tiny += ["--workers", "1", "--quiet"]
    result = tmp_path / "R"
    assert main(["run", "baseline", "--replicates", "2", "--out", str(result)]) == 0
    mine = tmp_path / "U"
    mine.mkdir()
    (mine / "backtest.md").write_text("my notes")
    capsys.readouterr()
    for out in (result, mine):
        args = ["backtest", "history_2006_2024", "--origins", "2010Q4", "--out", str(out)]
        assert main([*args, *tiny]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert (mine / "backtest.md").read_text() == "my notes"
    assert not (result / "backtest.json").exists()
    empty = ["backtest", "history_2006_2024", "--origins", "2008Q4,2012Q1", "--horizon", "1"]
    assert main([*empty, "--out", str(tmp_path / "e"), *tiny]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2012Q1 has no recorded outcome" in err[0]


def test_fit_until_takes_a_quarter_as_origins_do(tmp_path, capsys):
    """--fit-until 2010q4 is 2010Q4, as in --origins; a label that is no quarter gets one line."""
    from alliance_sim.analysis.backtest import backtest

    bt = backtest(
        "history_2006_2024",
        fit_until="2010q4",
        draws=10,
        generations=1,
        replicates=1,
        runs=4,
        max_unmatched=1.0,
        quiet=True,
    )
    assert bt.fit_until == "2010Q4" and bt.calibration.until == "2010Q4"
    out = tmp_path / "x.parquet"
    assert main(["calibrate", "history_2006_2024", "--fit-until", "2010qx", "--out", str(out)]) == 2
    assert "--fit-until '2010qx' is not a quarter" in capsys.readouterr().err


def _covered(fig) -> list[str]:
    """The data points of each axes that its legend's box covers (in the drawn figure)."""
    fig.canvas.draw()
    out = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        box = leg.get_window_extent().padded(2)
        for line in ax.get_lines():
            for xy in ax.transData.transform(line.get_xydata()):
                if box.contains(*xy):
                    out.append(f"{ax.get_title()}: {line.get_label()} at {xy}")
        for bar in ax.patches:
            top = ax.transData.transform((bar.get_x() + bar.get_width() / 2, bar.get_height()))
            if box.contains(*top):
                out.append(f"{ax.get_title()}: bar top at {top}")
    return out


def test_the_backtest_figures_legends_cover_no_point():
    """The rolling figure's legend, placed where matplotlib found room, sat on the base
    rate's first point, and its Brier axis began wherever the lowest score was; drawn from the
    shipped rolling backtest's scores, of all its origins and of each alone."""
    import json
    from types import SimpleNamespace

    import matplotlib.pyplot as plt

    from alliance_sim.report.rolling import draw

    s = json.loads((ROOT / "docs/backtest_2006_2024/backtest.json").read_text())
    for per in [s["origins"], *([o] for o in s["origins"])]:
        roll = SimpleNamespace(
            summary={**s, "origins": per}, horizon=8, scenario=SimpleNamespace(name="History")
        )
        fig = draw(roll)
        try:
            assert _covered(fig) == [], per[0]["origin"]
            # from zero: an axis from 0.09 made a one-origin backtest's gaps look fivefold
            assert fig.axes[0].get_ylim()[0] == 0, per[0]["origin"]
        finally:
            plt.close(fig)


def test_calibration_reports_the_records_sequence_beside_each_single_rate():
    """A replay that drifts Uzbekistan out before 2012 gets 'exited by 2012Q4' and not the
    joint 'in at 2011Q4 and exited by 2012Q4' (the record's sequence), which the calibration
    report now shows beside it."""
    sc = load_scenario("history_2006_2024")
    T, uzb, arm = sc.n_steps + 1, mb.INDEX["UZB"], mb.INDEX["ARM"]
    status = np.full((T, 3, len(mb.CODES)), mb.ACTIVE, dtype=np.int8)

    def step(q):
        return quarters.steps_between(sc.start, q)

    status[step("2012Q2") :, 0, uzb] = mb.SUSPENDED  # the record's sequence
    status[step("2012Q4") :, 0, uzb] = mb.EXITED
    status[step("2010Q1") :, 1, uzb] = mb.SUSPENDED  # drifted out early
    status[step("2011Q3") :, 1, uzb] = mb.EXITED
    status[step("2023Q4") :, 2, arm] = mb.SUSPENDED  # a quarter early: not in at 2023Q4
    status[step("2024Q1") :, 0, arm] = mb.SUSPENDED
    status[step("2010Q1") : step("2011Q2"), 2, uzb] = mb.SUSPENDED  # out, back, and not again
    status[step("2022Q1") : step("2023Q2"), 1, arm] = mb.SUSPENDED
    got = pt.membership_reproduced(sc, status)
    assert got["UZB exited by 2012Q4"] == pytest.approx(2 / 3)
    assert got["UZB in at 2011Q4 and exited by 2012Q4"] == pytest.approx(1 / 3)
    assert got["UZB suspended by 2012Q2"] == 1  # the third run, once, in 2010
    assert got["UZB in at 2011Q4 and suspended by 2012Q2"] == pytest.approx(1 / 3)
    assert got["ARM suspended by 2024Q1"] == 1
    assert got["ARM in at 2023Q4 and suspended by 2024Q1"] == pytest.approx(1 / 3)
    short = load_scenario("history_2020_2024")  # Uzbekistan's changes are before it starts
    got = pt.membership_reproduced(short, status[: short.n_steps + 1])
    assert not any(k.startswith("UZB") for k in got)
