"""The backtest fits on the past, forecasts what came after and scores it honestly."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from alliance_sim.analysis import record as rc
from alliance_sim.analysis.backtest import end_status_at, naive_forecasts, summarise
from alliance_sim.cli.main import main


def test_backtest_cli_writes_scores_against_both_naive_forecasters(tmp_path, capsys):
    out = tmp_path / "bt"
    args = ["backtest", "history_2020_2024", "--fit-until", "2022Q4", "--out", str(out)]
    args += ["--draws", "30", "--generations", "2", "--replicates", "2", "--runs", "40"]
    args += ["--workers", "1", "--quiet"]
    # a tiny fit reproduces the statuses recorded at the cut in about half of its sets:
    # refused with one line, nothing written
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "posterior sets" in err and "allowed: at most 5%" in err and "--max-unmatched" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
    # allowed, it is scored but marked invalid, in the JSON, the report and the terminal
    assert main([*args, "--max-unmatched", "1"]) == 0
    doc = json.loads((out / "backtest.json").read_text())
    assert doc["valid"] is False and doc["unmatched_share"] > 0.05
    # the member figures public at the cut, and the one not yet public then, are reported
    assert doc["member_figures_as_of"] == "2022Q4"
    assert doc["member_figures_not_yet_public"] == ["TJK trade_russia"]
    assert any(f.startswith("BLR trade_russia = 0.49: 2021 value") for f in doc["member_figures"])
    assert doc["unmatched_states"] == round(doc["unmatched_share"] * 400)
    assert "Invalid fit" in (out / "backtest.md").read_text().splitlines()[2]
    said = capsys.readouterr().out
    assert said.startswith("INVALID") and "skill of the model against it [95%]" in said
    # every forecaster scored by Brier and log score; skill against each rival with an
    # interval that resamples occasions; the model's calibration
    from alliance_sim.analysis.rivals import FORECASTERS, RIVALS

    assert doc["n_scored"] == len(doc["rows"]) and doc["occasions"] < doc["n_scored"]
    for score in ("brier", "log_score"):
        assert set(doc[score]) == set(FORECASTERS) and all(np.isfinite(list(doc[score].values())))
    for f in RIVALS:
        k = doc["skill_vs"][f]
        assert k["lo"] <= k["estimate"] <= k["hi"], f
        assert k["estimate"] == pytest.approx(1 - doc["brier"]["model"] / doc["brier"][f])
    assert 0 <= doc["ece"] <= 1 and sum(b["n"] for b in doc["reliability"]) == doc["n_scored"]
    assert {"hedged_persistence", "climatology", "logistic"} <= set(doc["rows"][0])
    year = doc["out_within_4_quarters"]
    assert list(year) == ["BLR", "KAZ", "KGZ", "TJK", "ARM"]  # UZB left in 2012
    assert all(0 <= v["probability"] <= 1 for v in year.values())
    assert year["ARM"]["by"] == "2023Q4" and not year["ARM"]["happened"]
    for key in ("model_brier", "persistence_brier", "base_rate_brier", "skill_vs_persistence"):
        assert np.isfinite(doc[key]), key
    assert doc["skill_vs_persistence"] == 1 - doc["model_brier"] / doc["persistence_brier"]
    rows = pd.DataFrame(doc["rows"])
    assert {"member", "period", "outcome", "model_probability"} <= set(rows.columns)
    assert (rows["period"] > "2022Q4").all() and rows["model_probability"].between(0, 1).all()
    # everything after the cut that the record holds is scored (but for outcomes of a kind never
    # observed before it, which no naive forecaster can forecast), and nothing before it
    assert len(rows) + doc["not_scored"] == len(rc.window("2023Q1", "2024Q4"))
    assert {"status", "summit", "exercise", "vote_ukraine"} <= set(rows["kind"])
    arm = rows[(rows["member"] == "ARM") & (rows["kind"] == "status")]
    assert list(arm["outcome"]) == [0, 1]  # not suspended at the end of 2023; frozen in 2024
    assert (out / "backtest.md").is_file() and (out / "backtest.png").stat().st_size > 10_000


def test_naive_forecasters_use_only_what_was_known_at_the_cut():
    obs = rc.window("2023Q1", "2024Q4").reset_index(drop=True)
    fit = rc.window("2020Q2", "2022Q4")
    rows = naive_forecasts(obs.assign(model=0.5), fit, "2022Q4")
    # persistence: Armenia attended the last summit before the cut (Yerevan, Nov 2022)
    arm = rows[(rows["member"] == "ARM") & (rows["kind"] == "summit")]
    assert (arm["persistence"] == 1.0).all() and (arm["observed"] == 0).all()
    # base rate of a status change: the alliance's reference-class rate per member-year
    st = rows[rows["kind"] == "status"]
    assert st["base_rate"].between(0.01, 0.05).all()
    s = summarise(rows)
    assert s["model_brier"] == 0.25  # a coin flip scores 0.25 on every outcome
    assert end_status_at("2024Q4")["ARM"] == "suspended" and end_status_at("2022Q4")["ARM"] == "in"


def test_a_replay_that_misses_the_record_at_the_cut_is_refused():
    """More than 5% of the posterior sets reaching no recorded status at the cut is refused
    with one line that names the posterior; 5% or fewer passes."""
    from alliance_sim.core import dynamics as dyn
    from alliance_sim.engines.runspec import RunSpec, build_params
    from alliance_sim.errors import ScenarioError
    from alliance_sim.scenario.history import HistoryStates, check_matched

    state = dyn.initial_state(build_params([RunSpec("2020Q1", 4, {}, {}, ())] * 400))
    at = {"state": state, "seeds": (0,) * 400, "end": "2022Q4"}
    check_matched(HistoryStates(unmatched=20, **at), "p.parquet")  # 5%: allowed
    with pytest.raises(ScenarioError) as e:
        check_matched(HistoryStates(unmatched=21, **at), "p.parquet")
    msg = str(e.value)
    assert msg.startswith("p.parquet: 21 of 400 posterior sets (5.2%)") and "\n" not in msg
    assert "allowed: at most 5%" in msg and "2022Q4" in msg


def test_out_within_counts_runs_suspended_or_out_in_the_quarters_after_the_cut():
    """The first question a reader asks: the share of runs in which a member freezes or
    leaves within a year of the cut, beside what the record shows."""
    from alliance_sim.analysis.backtest import out_within
    from alliance_sim.core import members as mb
    from alliance_sim.core.outcomes import Trajectory

    st = np.full((9, 2, len(mb.CODES)), mb.ACTIVE, np.int8)
    st[5:, 0, mb.INDEX["ARM"]] = mb.SUSPENDED  # run 0: Armenia freezes in the fifth quarter
    st[2:4, 1, mb.INDEX["KGZ"]] = mb.EXITED  # run 1: Kyrgyzstan out in quarters 2-3
    traj = Trajectory({"status": st}, np.arange(9))
    year = out_within(traj, "2023Q3", 4)
    assert year["ARM"]["probability"] == 0.0 and year["KGZ"]["probability"] == 0.5
    assert year["ARM"]["happened"] and year["ARM"]["by"] == "2024Q3"  # frozen from 2024Q1
    assert not year["KGZ"]["happened"]
    assert out_within(traj, "2023Q3", 8)["ARM"]["probability"] == 0.5
    assert not out_within(traj, "2022Q3", 4)["ARM"]["happened"]


def test_a_second_backtest_into_the_same_folder_is_refused_while_the_first_runs(tmp_path, capsys):
    """The first holds DIR/.backtest.lock for its whole run; a second is refused with one
    line at its start (not after its fit), and the folder is left as it was."""
    import time

    from alliance_sim.report.backtest import held

    out = tmp_path / "new" / "deeper" / "bt"
    argv = ["backtest", "history_2020_2024", "--fit-until", "2022Q4", "--out", str(out)]
    with held(out):
        t0 = time.perf_counter()
        assert main([*argv, "--quiet"]) == 2
        assert time.perf_counter() - t0 < 10
        assert sorted(p.name for p in out.iterdir()) == [".backtest.lock"]
    err = capsys.readouterr().err.strip()
    assert "being written by another backtest" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "new").exists()  # the folders the lock made, empty again, are gone
    # a refused run into a folder that exists leaves it as it was, lock file aside
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with held(tmp_path / "mine"):
        pass
    assert sorted(f.name for f in (tmp_path / "mine").iterdir()) == [".backtest.lock", "notes.txt"]


def _fake_backtest(valid: bool):
    from types import SimpleNamespace

    from alliance_sim.analysis.rivals import FORECASTERS

    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"kind": ["status", "summit"] * 10, "observed": rng.integers(0, 2, 20)})
    rows["model"] = rng.uniform(0, 1, 20)
    brier = {f: 0.1 + 0.01 * i for i, f in enumerate(FORECASTERS)}
    by_kind = {k: {"n": 10, **brier} for k in ("status", "summit")}
    summary = {"by_kind": by_kind, "brier": brier, "ece": 0.04, "valid": valid}
    summary |= {"unmatched_share": 0.0 if valid else 0.31}
    summary["reliability"] = [
        {"mean_p": 0.2, "rate": 0.1, "n": 10},
        {"mean_p": 0.8, "rate": 0.7, "n": 10},
    ]
    return SimpleNamespace(
        summary=summary, rows=rows, first="2013Q1", last="2014Q4", fit_until="2012Q4",
        scenario=SimpleNamespace(name="history_2006_2024"), runs=40, known_events=False,
    )  # fmt: skip


def test_backtest_figure_shows_every_rival_and_says_when_the_fit_is_invalid():
    """The single-origin figure had the model and three rivals and no mark of an invalid fit
    (the rolling figure had both): a reader of the PNG alone took invalid scores as evidence."""
    from alliance_sim.analysis.rivals import FORECASTERS, LABELS
    from alliance_sim.report.backtest import draw

    fig = draw(_fake_backtest(valid=False))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [LABELS[f].split(" (")[0] for f in FORECASTERS]
    top = fig._suptitle.get_text()
    assert top.startswith("INVALID FIT: 31%") and "2012Q4" in top and "not evidence" in top
    assert draw(_fake_backtest(valid=True))._suptitle is None


def test_ctrl_c_in_a_fit_says_nothing_resumes_and_nothing_was_written(
    tmp_path, monkeypatch, capsys
):
    """calibrate and backtest said only "interrupted": whether to resume, and whether the
    earlier file was kept, was left to guess."""
    import alliance_sim.analysis.backtest as bk
    import alliance_sim.analysis.calibrate as cb
    import alliance_sim.analysis.rolling as rl

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    for mod, name in ((cb, "calibrate"), (bk, "backtest"), (rl, "rolling_backtest")):
        monkeypatch.setattr(mod, name, stop)
    args = ["calibrate", "history_2020_2024", "--out", str(tmp_path / "new.parquet")]
    assert main([*args, "--quiet"]) == 130
    err = capsys.readouterr().err.strip()
    assert err == (
        f"interrupted: a calibration does not resume, and nothing was written "
        f"({tmp_path / 'new.parquet'} was not created); run the same command again to start afresh"
    )
    assert not (tmp_path / "new.parquet").exists()
    out = tmp_path / "bt"
    out.mkdir()
    for extra, verb in (
        (["--fit-until", "2022Q4"], "backtest"),
        (["--origins", "2022Q4"], "rolling backtest"),
    ):
        assert main(["backtest", "history_2020_2024", *extra, "--out", str(out), "--quiet"]) == 130
        err = capsys.readouterr().err.strip()
        assert (
            err.startswith(f"interrupted: a {verb} does not resume")
            and f"({out} is as it was)" in err
        )
    assert [p.name for p in out.iterdir()] == [".backtest.lock"]  # its lock only


def test_the_backtest_printout_names_rivals_as_its_figure_does(capsys):
    """The CLI said "climatology" where backtest.png and backtest.md say "each member's own
    rate"."""
    from alliance_sim.cli.fitting import _print_scores

    brier = {"model": 0.1, "persistence": 0.12, "climatology": 0.09, "base_rate": 0.2}
    skill = {"estimate": -0.1, "lo": -0.3, "hi": 0.1}
    _print_scores({"brier": brier, "skill_vs": {"climatology": skill}, "ece": 0.05})
    out = capsys.readouterr().out
    assert "climatology" not in out
    assert re.search(r"each member's own rate +0\.090 ", out) and "-0.10 [-0.30, +0.10]" in out


def test_the_backtest_printout_has_every_rival_and_what_its_intervals_say(capsys):
    """The terminal gave the Brier scores and the skill against the best rival only, where
    backtest.md has each rival's log score and skill (a new user read "skill -0.01" as the
    verdict against every rival); a bound clear of zero is not printed as 0.00."""
    from alliance_sim.cli.fitting import _print_scores

    k = {
        "persistence": {"estimate": 0.25, "lo": 0.05, "hi": 0.38},
        "climatology": {"estimate": 0.10, "lo": 0.004, "hi": 0.20},
        "logistic": {"estimate": -0.01, "lo": -0.16, "hi": 0.12},
        "base_rate": {"estimate": -0.2, "lo": -0.3, "hi": -0.1},
    }
    brier = {"model": 0.079, "persistence": 0.105, "climatology": 0.088, "logistic": 0.078,
             "base_rate": 0.06}  # fmt: skip
    log = {f: 0.3 for f in brier}
    _print_scores({"brier": brier, "log_score": log, "skill_vs": k, "ece": 0.037})
    out = capsys.readouterr().out
    assert len([x for x in out.splitlines() if "  0.300  " in x]) == 5  # every forecaster
    assert "+0.10 [+0.004, +0.20]" in out
    verdict = out.strip().splitlines()[-1]
    assert verdict.startswith("the model is better than persistence (nothing changes), each "
                              "member's own rate; worse than base rate; not told apart from "
                              "logistic on lagged observables")  # fmt: skip
    assert verdict.endswith("expected calibration error 0.037")
    # a rival that made no error beat the model: no skill, and "worse than" (helper-118)
    k = {"persistence": {"estimate": float("nan"), "lo": float("nan"), "hi": float("nan")},
         "logistic": {"estimate": -0.2, "lo": -0.5, "hi": -0.0004}}  # fmt: skip
    _print_scores({"brier": {"model": 0.05, "persistence": 0.0, "logistic": 0.04},
                   "skill_vs": k, "ece": 0.1})  # fmt: skip
    out = capsys.readouterr().out
    assert "n/a (the rival made no error)" in out and "[-0.50, -0.0004]" in out
    assert "the model is worse than persistence (nothing changes), logistic" in out
