"""refine: new runs near the boundary, existing rows untouched, rounds in the manifest,
resumable after a kill."""

import json
import shutil
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from conftest import SCENARIOS

pytest.importorskip("sklearn")

from alliance_sim import sweep
from alliance_sim.analysis.refine import propose, refine
from alliance_sim.cli.main import main
from alliance_sim.errors import UserError


def distance_to_boundary(u: np.ndarray) -> np.ndarray:
    """The planted boundary: x0 + 2 x1 = 1.2 in the unit square."""
    return np.abs(u[:, 0] + 2 * u[:, 1] - 1.2) / np.sqrt(5)


def test_proposed_points_are_nearer_a_known_boundary_than_the_design():
    rng = np.random.default_rng(3)
    design = rng.random((60, 2))
    u = np.repeat(design, 10, axis=0)  # 10 replicates per point
    p_true = 1 / (1 + np.exp(-(u[:, 0] + 2 * u[:, 1] - 1.2) / 0.08))
    y = (rng.random(len(u)) < p_true).astype(float)
    new, p_hat, _ = propose(u, y, 30, seed=1, leaf=10)
    assert new.shape == (30, 2) and ((new >= 0) & (new <= 1)).all()
    before = distance_to_boundary(design).mean()
    after = distance_to_boundary(new).mean()
    assert after < 0.5 * before, (before, after)
    assert np.abs(p_hat - 0.5).max() < 0.3
    # the points are spread along the boundary, not piled on one spot
    assert new[:, 0].max() - new[:, 0].min() > 0.4


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("refine")
    sc = d / "arm.toml"
    sc.write_text(
        f'name = "t"\ndescription = "lhs"\nextends = "{SCENARIOS / "baseline.toml"}"\n'
        '[sweep]\nsampler = "lhs"\nsamples = 24\nreplicates = 4\nseed = 2\n'
        "[sweep.parameters]\nwestern_offer = { low = 0.02, high = 0.16 }\n"
        '"members.ARM.pressure_tolerance" = { low = 0.05, high = 0.4 }\n',
        "utf-8",
    )
    sweep(sc, d / "res", record="end")
    return d / "res"


def interrupted_at_second_call(real):
    """``real``, except that its second call raises KeyboardInterrupt (a kill at that step)."""
    calls = []

    def dies(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return dies


def tables(directory):
    return {
        t: pd.read_parquet(directory / f"{t}.parquet") for t in ("runs", "alliance", "timeseries")
    }


def test_refine_appends_rounds_and_never_changes_existing_rows(swept, tmp_path, capsys):
    res = tmp_path / "res"
    shutil.copytree(swept, res)
    before = tables(res)
    n0 = len(before["runs"])
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40"]) == 0
    out = capsys.readouterr().out
    assert "round 1: 40 runs at 10 new points" in out and "changed side" in out
    assert (
        main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "20", "--replicates", "2"])
        == 0
    )
    after = tables(res)
    for t, old in before.items():
        new = after[t]
        pd.testing.assert_frame_equal(new[new["run"] < n0].reset_index(drop=True), old)
    runs = after["runs"]
    assert list(runs["run"]) == list(range(n0 + 60))
    assert runs["point"].max() == 24 + 10 + 10 - 1
    assert runs["run_id"].is_unique
    # new points reuse the sweep's seeds (common random numbers)
    assert set(runs.loc[runs["run"] >= n0, "seed"]) <= set(before["runs"]["seed"])
    m = json.loads((res / "manifest.json").read_text())
    assert [r["round"] for r in m["rounds"]] == [1, 2]
    assert all(r["status"] == "complete" for r in m["rounds"])
    assert m["plan"]["n_runs"] == n0 + 60 and len(m["points"]) == 44
    assert {"region", "uncertain_band"} <= set(m["rounds"][0]["boundary_after"])
    assert not (res / "refine").exists()


def test_after_refine_pooled_views_read_the_sweeps_own_design(swept, tmp_path, capsys):
    """Refine's runs sit near a boundary, not over the swept space: pooled shares that mixed
    them in moved (72% -> 48% in a red-team run) with no word, and summary.json and
    by_point.csv stayed as before the round."""
    from alliance_sim import Result, compare_results, discover, member_table

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    n0 = len(pd.read_parquet(swept / "runs.parquet"))
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40", "--quiet"]) == 0
    assert "summary.json (the sweep's own runs) and" in capsys.readouterr().out
    doc = json.loads((res / "summary.json").read_text())
    assert doc["runs"] == n0 and doc["points"] == 24
    assert doc["refine"] == {
        "rounds": 1, "runs": 40, "points": 10, "design_runs": n0, "cases": ["ARM_exited > 0.5"]
    }  # fmt: skip
    bp = pd.read_csv(res / "by_point.csv")
    assert len(bp) == 34 and list(bp["round"]) == [0] * 24 + [1] * 10
    # the pooled numbers are the sweep's own, exactly
    pd.testing.assert_frame_equal(member_table(Result.open(res)), member_table(Result.open(swept)))
    table = compare_results([Result.open(swept), Result.open(res)])
    assert all(d.value == 0 for d in table["difference"])
    from alliance_sim import build_report

    report = build_report([swept, res], tmp_path / "r.md").read_text()
    assert report.count("left out") == 1 and "refine placed near where ARM_exited" in report
    # discover uses every run, and says what the sweep's own runs alone give
    words = discover(res, "ARM_exited").in_words()
    assert f"Of these {n0 + 40} runs, 40 come from refine rounds" in words
    assert f"in the sweep's own {n0} runs alone the share is" in words
    assert main(["export", str(res), "--out", str(tmp_path / "csv")]) == 0
    said = capsys.readouterr().out
    assert f"note: runs {n0} and up (40 runs at 10 points) come from 1 refine round(s)" in said
    assert main(["plot", str(res), "--out", str(tmp_path / "figs")]) == 0
    out = capsys.readouterr().out
    assert "also holds 40 runs at 10 points that refine placed near where ARM_exited > 0.5" in out
    assert f"uses the sweep's own {n0} runs" in out


def _whole_and_cut(swept, tmp_path, monkeypatch):
    """Two copies of ``swept``: one refined by a 60-run round, the other's round killed at its
    second chunk; returns them and the real ``run_task`` (still patched to die)."""
    import alliance_sim.runs.execute as ex

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    shutil.copytree(swept, whole)
    shutil.copytree(swept, cut)
    refine(whole, "ARM_exited", 60)
    real = ex.run_task
    monkeypatch.setattr(ex, "run_task", interrupted_at_second_call(real))
    with pytest.raises(KeyboardInterrupt):
        refine(cut, "ARM_exited", 60)
    return whole, cut, real


def test_an_interrupted_round_resumes_with_the_same_points(swept, tmp_path, monkeypatch):
    import alliance_sim.runs.execute as ex

    whole, cut, real = _whole_and_cut(swept, tmp_path, monkeypatch)
    m = json.loads((cut / "manifest.json").read_text())
    assert m["rounds"][0]["status"] == "running"
    assert len(pd.read_parquet(cut / "runs.parquet")) == 96  # nothing appended yet
    monkeypatch.setattr(ex, "run_task", real)
    refine(cut, "ARM_exited", 999)  # another request: the round is finished first
    pd.testing.assert_frame_equal(tables(cut)["runs"], tables(whole)["runs"])
    pd.testing.assert_frame_equal(tables(cut)["timeseries"], tables(whole)["timeseries"])


def test_refine_refuses_what_it_cannot_do(swept, tmp_path, capsys):
    res = tmp_path / "res"
    shutil.copytree(swept, res)
    with pytest.raises(UserError, match="fewer than one point"):
        refine(res, "ARM_exited", 2)
    assert main(["refine", str(res), "--outcome", "ARM_exitd", "--runs", "8"]) == 2
    assert "did you mean 'ARM_exited'" in capsys.readouterr().err
    assert main(["refine", str(res), "--outcome", "cohesion_final", "--runs", "8"]) == 2
    assert "--threshold" in capsys.readouterr().err


def test_refine_refuses_a_directory_of_another_model(swept, tmp_path, monkeypatch):
    from alliance_sim.runs.store import StoreError
    from alliance_sim.scenario import stamp

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    before = tables(res)
    monkeypatch.setattr(stamp, "code_stamp", lambda: "new equations")
    with pytest.raises(StoreError, match=r"written by another model .*Run the sweep again"):
        refine(res, "ARM_exited", 8)
    after = tables(res)
    assert all(before[t].equals(after[t]) for t in before)  # nothing added, nothing lost


def test_a_leftover_round_never_blocks_the_next_refine(swept, tmp_path, monkeypatch, capsys):
    """A refine killed while adding its rows, whose round folder then holds another plan:
    readers name the round's part and say what to do, and the next refine finishes the round
    (the folder is refine's own, so it is started afresh) instead of refusing."""
    import alliance_sim.analysis.refine as rf
    from alliance_sim.errors import StoreError
    from alliance_sim.runs.results import Result

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    n0 = len(Result.open(res).read("runs"))
    monkeypatch.setattr(rf, "append_round", interrupted_at_second_call(rf.append_round))
    with pytest.raises(KeyboardInterrupt):
        refine(res, "ARM_exited", 8)
    monkeypatch.undo()
    with pytest.raises(StoreError, match="refine round that was interrupted"):
        Result.open(res).read("timeseries")
    other = sweep("armenia_exits", tmp_path / "other", replicates=1, chunk_size=13)
    round_dir = res / "refine" / "round-001"
    shutil.rmtree(round_dir)
    shutil.copytree(other.directory, round_dir)  # another plan where the round's runs were
    record = refine(res, "ARM_exited", 8)
    assert record["status"] == "complete" and record["n_runs"] == 8
    assert len(Result.open(res).read("runs")) == n0 + 8
    assert main(["check", str(res)]) == 0
    assert not (res / "refine").exists()


def test_refine_refuses_a_damaged_table_before_it_starts_a_round(swept, tmp_path):
    """Red-team finding: a flipped byte in an alliance part went unnoticed by refine (only
    runs.parquet was read), and a truncated timeseries part failed halfway, after the round
    was marked running."""
    from alliance_sim.runs.store import StoreError

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    part = sorted((res / "alliance.parquet").glob("part-*.parquet"))[0]
    data = bytearray(part.read_bytes())
    data[len(data) // 3] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"alliance\.parquet.*has changed since it was written"):
        refine(res, "ARM_exited", 8)
    assert json.loads((res / "manifest.json").read_text())["rounds"] == []
    assert not (res / "refine").exists()


def test_ctrl_c_in_refine_names_only_what_exists(swept, tmp_path, monkeypatch, capsys):
    """It named DIR/refine when that folder did not exist; now it says the tables are
    unchanged and where the round's chunks are, if anywhere."""
    import alliance_sim.analysis.refine as rf
    import alliance_sim.runs.execute as ex

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    real, real_fit = rf.propose, rf.fit

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(rf, "propose", stop)  # before any point is chosen
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40", "--quiet"]) == 130
    err = capsys.readouterr().err.strip()
    assert err == (
        f"interrupted: {res}'s tables are unchanged; run the same refine command again to start it"
    )
    assert not (res / "refine").exists()
    monkeypatch.setattr(rf, "propose", real)
    real_task = ex.run_task
    monkeypatch.setattr(ex, "run_task", interrupted_at_second_call(real_task))
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40", "--quiet"]) == 130
    err = capsys.readouterr().err.strip()
    assert f"the round's finished chunks are in {res / 'refine' / 'round-001'}" in err
    assert err.endswith("to resume the round (its points are in manifest.json)")
    monkeypatch.setattr(ex, "run_task", real_task)
    monkeypatch.setattr(rf, "fit", stop)  # after the round's rows were added
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40", "--quiet"]) == 130
    err = capsys.readouterr().err.strip()
    assert err.endswith("its record is unfinished; run the same refine command again to finish it")
    monkeypatch.setattr(rf, "fit", real_fit)
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40", "--quiet"]) == 0
    m = json.loads((res / "manifest.json").read_text())
    assert [r["status"] for r in m["rounds"]] == ["complete"]  # finished, as it said
    assert len(pd.read_parquet(res / "runs.parquet")) == 96 + 40


def test_overlay_reads_a_refined_sweeps_own_design_and_takes_a_path(swept, tmp_path):
    """overlay() pooled refine's runs in silently (its footer said 900 runs, not 500) and
    refused a folder path."""
    from alliance_sim import Result, overlay

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    refine(res, "ARM_exited", 40)
    a = overlay([str(res), swept], tmp_path / "a.png")
    b = overlay([Result.open(swept), swept], tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()


def test_a_round_interrupted_after_its_rows_were_stored_is_still_left_out(swept, tmp_path, capsys):
    """Ctrl-C between appending a round's rows and closing its record left them in the tables
    under a round marked 'running': design() dropped finished rounds only, so every reader
    pooled them in (30,250 runs for a 250-run sweep) and check said ok."""
    from dataclasses import replace

    from alliance_sim import Result, member_table
    from alliance_sim.runs.results import Manifest

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    n0 = len(pd.read_parquet(swept / "runs.parquet"))
    refine(res, "ARM_exited", 40)
    m = Manifest.read(res)  # as the window left it: rows stored, record and plan not closed
    m.rounds[0]["status"] = "running"
    m.plan = replace(m.plan, n_runs=n0, n_points=24)
    m.write(res)
    own = Result.open(res).design()
    assert len(own.runs) == n0 and own.left_out["runs"] == 40
    pd.testing.assert_frame_equal(member_table(Result.open(res)), member_table(Result.open(swept)))
    assert main(["check", str(res)]) == 1
    assert "a refine round is unfinished, though its runs are stored" in capsys.readouterr().out


def test_a_refused_refine_records_no_round_and_a_resumed_one_says_whose_it_is(
    swept, tmp_path, monkeypatch, capsys
):
    """Red-team finding: `refine --workers 100000` was refused only after it had recorded a
    pending round, and the next refine (another outcome, --quiet) silently finished that
    round with the refused command's outcome and size."""
    import shlex

    import alliance_sim.runs.execute as ex

    res = tmp_path / "my res"  # a space: the command it prints is quoted for the shell
    shutil.copytree(swept, res)
    args = ["refine", str(res), "--outcome", "ARM_exited", "--runs", "8", "--quiet"]
    assert main([*args, "--workers", "100000"]) == 2
    assert "workers" in capsys.readouterr().err
    assert json.loads((res / "manifest.json").read_text())["rounds"] == []
    assert not (res / "refine").exists()
    # a round cut short, then a refine that asks for something else: it says what it finishes
    monkeypatch.setattr(ex, "run_task", interrupted_at_second_call(ex.run_task))
    with pytest.raises(KeyboardInterrupt):
        refine(res, "ARM_exited", 60, quiet=True)
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["check", str(res)]) == 0  # the tables are as they were; check says so
    assert "refine round 1 (ARM_exited, 60 runs) was interrupted" in capsys.readouterr().out
    other = ["refine", str(res), "--outcome", "cohesion_final", "--threshold", "0.5"]
    assert main([*other, "--runs", "40", "--quiet"]) == 0
    out = capsys.readouterr()
    said = out.out + out.err
    assert "finishing round 1 (ARM_exited, 60 runs) left by an earlier refine" in said
    # what was asked for, as a command that works once the round is finished
    again = f"alliance-sim refine {shlex.quote(str(res))} --outcome cohesion_final --threshold 0.5"
    assert f"then run `{again}" in said
    rounds = json.loads((res / "manifest.json").read_text())["rounds"]
    assert [r["outcome"] for r in rounds] == ["ARM_exited"]


def test_a_damaged_round_part_gets_advice_that_works(swept, tmp_path, capsys):
    """A changed refine-round part: check, refine and every reader said "run the same sweep
    command again", which refuses (a sweep cannot compute a round's runs again)."""
    res = tmp_path / "res"
    shutil.copytree(swept, res)
    refine(res, "ARM_exited", 8, quiet=True)
    part = res / "timeseries.parquet" / "part-round-001.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 3] ^= 0xFF
    part.write_bytes(bytes(data))
    capsys.readouterr()
    for args in (
        ["check", str(res)],
        ["refine", str(res), "--outcome", "ARM_exited", "--runs", "8"],
        ["export", str(res), "--out", str(tmp_path / "csv")],
    ):
        assert main(args) in (1, 2)
        out = capsys.readouterr()
        said = out.out + out.err
        assert "holds runs that no command computes again" in said, args
        assert "run the same sweep command again" not in said, args
        assert said.count("lists every damaged part") == (args[0] != "check"), args
    # a damaged sweep chunk besides: a sweep would refuse, so check does not advise one
    chunk = res / "runs.parquet" / "part-000000.parquet"
    chunk.write_bytes(chunk.read_bytes()[:-7])
    assert main(["check", str(res)]) == 1
    out = capsys.readouterr().out
    assert "part-000000.parquet" in out and "run the same sweep command again" not in out


def test_the_python_api_says_what_it_leaves_out_once(swept, tmp_path, capsys):
    """member_table(), write_figures(), overlay() and compare_results() left a refined
    sweep's rounds out without a word (only the commands said so); the commands, which pass
    a restricted result, must not say it twice."""
    from alliance_sim import compare_results, member_table, overlay, write_figures

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    refine(res, "ARM_exited", 8, quiet=True)
    capsys.readouterr()
    calls = {
        "member_table()": lambda: member_table(res),
        "write_figures()": lambda: write_figures(res, tmp_path / "f", kinds="response"),
        "overlay()": lambda: overlay(res, tmp_path / "o.png"),
        "compare_results()": lambda: compare_results([swept, res]),
    }
    for who, call in calls.items():
        call()
        out = capsys.readouterr().out
        assert out.count("also holds 8 runs at 2 points") == 1, who
        assert f"{who} uses the sweep's own 96 runs" in out, who
    assert list((tmp_path / "f").glob("response*.png"))  # one kind, not eight letters
    assert main(["plot", str(res), "--out", str(tmp_path / "p"), "--kind", "response"]) == 0
    assert capsys.readouterr().out.count("also holds 8 runs") == 1
    with pytest.raises(TypeError, match="compare_results: expected a list"):
        compare_results(123)
    with pytest.raises(ValueError, match="overlay: no result given"):
        overlay([], tmp_path / "o2.png")


def test_discover_and_refine_take_only_outcomes_and_finite_thresholds(swept, capsys):
    """--threshold nan read as "the same in every run"/"in none of the runs"; --outcome seed
    or a swept parameter was taken as an outcome (discover found a "region" of point > 3);
    an unknown outcome listed none of those there are."""
    cases = {
        ("ARM_exited", "nan"): "--threshold nan: allowed a finite number",
        ("seed", "3"): "'seed' is bookkeeping, not an outcome",
        ("point", "3"): "'point' is bookkeeping, not an outcome",
        ("western_offer", "0.1"): "'western_offer' is a swept parameter, not an outcome",
        ("nothing_like_it", None): "yes/no outcomes here: ",
    }
    for verb in ("discover", "refine"):
        for (outcome, t), said in cases.items():
            args = [verb, str(swept), "--outcome", outcome]
            args += ["--threshold", t] if t else []
            args += ["--runs", "8"] if verb == "refine" else ["--out", "/nonexistent/x"]
            assert main(args) == 2, args
            err = capsys.readouterr().err
            assert said in err and err.count("\n") == 1, (args, err)
    assert "ARM_exited" in err.split("yes/no outcomes here: ")[1]
    assert json.loads((swept / "manifest.json").read_text())["rounds"] == []


def test_another_sweep_into_a_refined_folder_counts_the_sweeps_own_points(swept, tmp_path, capsys):
    """The refusal counted refine's points as the design's ("31 points, not 25")."""
    res = tmp_path / "res"
    shutil.copytree(swept, res)
    refine(res, "ARM_exited", 8, quiet=True)
    other = tmp_path / "arm25.toml"
    text = (swept.parent / "arm.toml").read_text()
    other.write_text(text.replace("samples = 24", "samples = 25"))
    assert main(["sweep", str(other), "--out", str(res)]) == 2
    err = capsys.readouterr().err
    assert "(96 runs and 8 from refine;" in err and "24 points, not 25" in err


def test_a_refine_that_would_finish_a_round_checks_its_own_request_first(
    swept, tmp_path, monkeypatch, capsys
):
    """Red-team finding: with a round left running, `refine --outcome nonexist` finished it,
    exited 0 and advised "run refine again for nonexist", which is refused.  And a threshold
    no run passes read "the same in every run so far" while the outcome varies."""
    import alliance_sim.runs.execute as ex

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--threshold", "2",
                 "--runs", "8"]) == 2  # fmt: skip
    assert "ARM_exited > 2 in none of the 96 runs so far" in capsys.readouterr().err
    monkeypatch.setattr(ex, "run_task", interrupted_at_second_call(ex.run_task))
    with pytest.raises(KeyboardInterrupt):
        refine(res, "ARM_exited", 60, quiet=True)
    monkeypatch.undo()
    before = json.loads((res / "manifest.json").read_text())["rounds"]
    for bad in (
        ["nonexist"],
        ["seed"],
        ["cohesion_final"],
        ["western_offer", "--threshold", "0.05"],
        ["ARM_exited", "--threshold", "5"],  # no run passes it
    ):
        assert main(["refine", str(res), "--outcome", *bad, "--runs", "20", "--quiet"]) == 2
        out = capsys.readouterr()
        assert "finishing" not in out.out and out.err.count("\n") == 1, (bad, out)
    assert json.loads((res / "manifest.json").read_text())["rounds"] == before  # untouched


def test_a_round_whose_own_manifest_was_lost_is_run_again(swept, tmp_path, monkeypatch, capsys):
    import alliance_sim.runs.execute as ex

    whole, cut, real = _whole_and_cut(swept, tmp_path, monkeypatch)
    monkeypatch.setattr(ex, "run_task", real)
    staged = cut / "refine" / "round-001"
    (staged / "manifest.json").unlink()  # its chunks stay, with nothing to say what they hold
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n", "utf-8")
    shutil.copy(notes, staged / "notes.txt")
    assert main(["refine", str(cut), "--outcome", "ARM_exited", "--runs", "60"]) == 0
    pd.testing.assert_frame_equal(tables(cut)["runs"], tables(whole)["runs"])
    # the round's own files are gone; a file someone else put in its folder stays
    assert sorted(p.name for p in (cut / "refine").rglob("*")) == ["notes.txt", "round-001"]
    assert (staged / "notes.txt").read_text("utf-8") == "mine\n"


def test_a_round_folder_of_foreign_files_is_refused_with_refines_advice(swept, tmp_path, capsys):
    from alliance_sim.runs.results import Result

    cut = tmp_path / "cut"
    shutil.copytree(swept, cut)
    m = Result.open(cut).manifest
    staged = cut / "refine" / "round-001"
    staged.mkdir(parents=True)
    (staged / "notes.txt").write_text("mine\n", "utf-8")
    assert main(["refine", str(cut), "--outcome", "ARM_exited", "--runs", "60"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "move them out of" in err and "--out" not in err, err
    assert (staged / "notes.txt").read_text("utf-8") == "mine\n"
    assert len(Result.open(cut).runs) == m.plan.n_runs  # nothing appended


def test_a_round_that_finds_no_tipping_point_says_so():
    """An outcome whose probability never reaches 0.5 in the swept space printed "P at
    0.15-0.15" and "0.0% -> 0.0%", leaving the reader to infer there is no boundary."""
    from alliance_sim.cli.fitting import describe_round

    record = {
        "round": 1,
        "n_runs": 64,
        "n_points": 8,
        "run_start": 540,
        "outcome": "KAZ_exited",
        "predicted_p": [0.15, 0.15],
        "observed_share": 0.12,
        "boundary_before": {"region": 0.0, "uncertain_band": 0.0},
        "boundary_after": {"region": 0.0, "uncertain_band": 0.0},
        "changed_side": 0.0,
    }
    said = describe_round(record)
    assert "no tipping point inside the swept ranges" in said and "below 0.5" in said
    assert "(widen the swept ranges)" in said  # a 0/1 outcome has no threshold to lower
    # the threshold that makes the cases commoner where they are rare, rarer where they are
    # everywhere (the advice read "a lower threshold" for "> T" cases found everywhere)
    for below, region, way in ((False, 0.0, "lower"), (False, 1.0, "higher"),
                               (True, 0.0, "higher"), (True, 1.0, "lower")):  # fmt: skip
        record.update(outcome="cohesion_final", threshold=0.42, below=below)
        record["boundary_after"] = {"region": region, "uncertain_band": 0.0}
        assert f"ask about a {way} threshold" in describe_round(record), (below, region)
    record.update(outcome="KAZ_suspended", threshold=0.5, below=False)  # 0/1: none to move
    record["boundary_after"] = {"region": 0.0, "uncertain_band": 0.0}
    assert describe_round(record).endswith("(widen the swept ranges)")
    record["boundary_after"] = {"region": 0.2, "uncertain_band": 0.1}
    assert "no tipping point" not in describe_round(record)


def test_below_on_a_yes_no_outcome_counts_the_runs_where_it_did_not_happen(swept, tmp_path):
    """``--below`` without ``--threshold`` on a 0/1 outcome meant "value < 0.5" to discover
    and was silently dropped by refine, which then refined "ARM_exited" itself."""
    from alliance_sim.analysis.refine import asked, cases
    from alliance_sim.cli.fitting import describe_round

    v = pd.Series([0.0, 1.0, np.nan, 1.0])
    np.testing.assert_array_equal(cases(v, "ARM_exited", None, True), [1.0, 0.0, np.nan, 0.0])
    np.testing.assert_array_equal(cases(v, "ARM_exited", None, False), v.to_numpy())
    assert asked("ARM_exited", None, True) == "ARM_exited < 0.5"
    assert asked("ARM_exited", None, False) == "ARM_exited"
    res = tmp_path / "res"
    shutil.copytree(swept, res)
    rec = refine(res, "ARM_exited", 20, below=True, quiet=True)
    assert rec["below"] is True
    y = 1.0 - pd.read_parquet(res / "runs.parquet")["ARM_exited"].to_numpy(float)
    new = y[-rec["n_runs"] :]
    assert rec["observed_share"] == pytest.approx(new.mean())
    assert "P(ARM_exited < 0.5)" in describe_round(rec)


def test_the_note_on_refines_runs_says_when_it_found_no_tipping_point(swept, tmp_path):
    """A helper refined an outcome that tips nowhere (refine said so) and then read "also
    holds 200 runs at 4 points that refine placed near where TJK_exited > 0.5 tips" in
    compare: false of that folder.  The note now says refine found no tipping point."""
    from alliance_sim import Result
    from alliance_sim.runs.refined import design_note

    res = tmp_path / "res"
    shutil.copytree(swept, res)
    assert main(["refine", str(res), "--outcome", "ARM_exited", "--runs", "40", "--quiet"]) == 0
    r = Result.open(res)
    assert r.design().left_out["no_boundary"] == []  # this round found its tipping point
    assert "near where ARM_exited > 0.5 tips (no sample" in design_note(r.design())
    # the round's record as a round that found none writes it (region 0, no toss-up band)
    r.manifest.rounds[-1]["boundary_after"] = {"region": 0.0, "uncertain_band": 0.0}
    own = r.design()
    assert own.left_out["no_boundary"] == ["ARM_exited > 0.5"]
    note = design_note(own)
    assert "placed nearest where ARM_exited > 0.5 would tip, though refine found no tipping" in note
    assert "near where ARM_exited > 0.5 tips" not in note

    class Fake:  # two cases, one that tips and one that does not
        directory = "d"
        left_out: ClassVar = {
            "runs": 9,
            "points": 3,
            "design_runs": 96,
            "rounds": 2,
            "cases": ["ARM_exited > 0.5", "KAZ_exited > 0.5"],
            "no_boundary": ["KAZ_exited > 0.5"],
        }

    note = design_note(Fake())
    assert "near where ARM_exited > 0.5 tips and nearest where KAZ_exited > 0.5 would" in note
    Fake.left_out = {**Fake.left_out, "no_boundary": []}
    assert "near where ARM_exited > 0.5 / KAZ_exited > 0.5 tips (no sample" in design_note(Fake())
