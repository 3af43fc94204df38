"""The command line: every shipped scenario runs; user errors are one line and exit 2."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_sim.cli.main import main
from conftest import MINIMAL, SCENARIOS

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def test_validate_every_shipped_scenario(capsys):
    assert main(["validate", *map(str, sorted(SCENARIOS.glob("*.toml")))]) == 0
    out = capsys.readouterr().out
    assert out.count("ok: ") == len(SHIPPED)
    assert "1 event," in out and "1 events" not in out  # Kazakhstan unrest, again
    assert "inherited from" not in out  # each shipped file with a [sweep] has its own


def test_validate_says_when_a_sweep_is_inherited(tmp_path, capsys):
    """A new user's file extending baseline, without a [sweep], swept baseline's five levers
    under sweep and robustness, and validate said only 'sweep: lhs over 5 parameter(s)'
    (helper-61)."""
    f = tmp_path / "k.toml"
    f.write_text('name = "k"\ndescription = "d"\nextends = "baseline"\nsources = ["x"]\n')
    assert main(["validate", str(f)]) == 0
    out = capsys.readouterr().out
    assert "sweep: lhs over 5 parameters (russian_bandwidth, russian_pressure" in out
    assert "inherited from baseline (extends; give the file its own [sweep]" in out
    f.write_text(f.read_text() + '[sweep]\nsampler = "grid"\n[sweep.parameters]\n'
                 'western_offer = [0.05, 0.1]\n')  # fmt: skip
    assert main(["validate", str(f)]) == 0
    out = capsys.readouterr().out
    assert "grid over 1 parameter (western_offer)" in out and "inherited" not in out


@pytest.mark.parametrize("name", SHIPPED)
def test_run_every_shipped_scenario(name, tmp_path, capsys):
    out = tmp_path / name
    assert main(["run", name, "--replicates", "3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "median commitment" in text and "n_eff" in text and "cohesion at" in text
    if name == "iran_joins":  # the candidate's row is over the runs it joined in: said so
        assert "IRN: a member at 2034Q4 in" in text and "IRN_joined" in text
        assert "refused its application at least once in" in text and "IRN_refused" in text
    for f in (
        "manifest.json",
        "runs.parquet",
        "timeseries.parquet",
        "alliance.parquet",
        "commitment.png",
        "summary.json",
    ):
        assert (out / f).exists(), f  # tables are folders of Parquet files
    summary = json.loads((out / "summary.json").read_text())
    for code, row in summary["members"].items():
        assert row["p_exit_lo"] <= row["p_exit"] <= row["p_exit_hi"]
        # a candidate's row counts the runs in which it joined; a member's, every run
        assert row["n_effective"] == 3 if code != "IRN" else 0 <= row["n_effective"] <= 3
        assert row["commitment_p5"] <= row["commitment_median"] <= row["commitment_p95"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["seeds"]) == 3
    assert {"scenario", "scenario_hash", "package_version"} <= set(manifest)
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert {"run", "quarter", "member", "commitment", "credibility", "status"} <= set(ts)
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 3 and runs["seed"].nunique() == 3


def test_sweep_writes_points_and_outcomes(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", "armenia_exits", "--out", str(out), "--replicates", "2", "--quiet"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 25 * 2
    assert {"western_offer", "russian_pressure", "ARM_exited", "cohesion_final"} <= set(runs)
    assert runs.groupby(["western_offer", "russian_pressure"]).size().eq(2).all()
    # the same command again is a no-op: the sweep is complete
    assert main(["sweep", "armenia_exits", "--out", str(out), "--replicates", "2", "--quiet"]) == 0


def test_sweep_samples_override(tmp_path):
    out = tmp_path / "b"
    assert (
        main(
            [
                "sweep",
                "baseline",
                "--out",
                str(out),
                "--samples",
                "4",
                "--replicates",
                "2",
                "--quiet",
            ]
        )
        == 0
    )
    assert len(pd.read_parquet(out / "runs.parquet")) == 8


def test_show_and_list(capsys):
    assert main(["show", "armenia_exits"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["params"]["western_offer"] == 0.08 and shown["start"] == "2024Q4"
    assert "extends" not in shown and len(shown["hash"]) == 16
    assert main(["list", "scenarios"]) == 0
    assert "armenia_exits" in capsys.readouterr().out
    assert main(["list", "parameters"]) == 0
    out = capsys.readouterr().out
    assert "western_offer" in out and "source:" in out and "Leeds 2003" in out
    assert "contagion  [global]  default 0.3  valid -1 to 1 " in out  # not "-1-1"
    assert "russian_pressure  [global; [region] may set it]" in out
    assert "initial_status  [member]  default per member  valid a status: candidate, " in out
    # a new user read contagion's default 0.3 "source: assumption" for a value the forecasts
    # draw from the fitted posterior (median -0.21): the listing says so, with its spread
    blocks = {b.split()[0]: b for b in re.split(r"\n(?=\S)", out) if b.strip()}
    block = " ".join(blocks["contagion"].split())
    assert "fitted: the shipped forecasts (baseline and what extends it) draw it" in block
    from alliance_sim import load_scenario

    median = np.median([s["contagion"] for s in load_scenario("baseline").posterior.sets])
    assert "history_2006_2024.parquet" in block and f"median {median:.3g}" in block
    assert "fitted:" not in blocks["western_offer"]  # not in the posterior: nothing claimed
    regime = " ".join(blocks["regime_need"].split())  # a member figure the forecasts draw
    assert "fitted: the shipped forecasts draw it from history_2006_2024.parquet for KAZ" in regime
    assert "fitted:" not in blocks["initial_commitment"]  # the replay's start, not a forecast's
    assert main(["list", "events"]) == 0
    out = capsys.readouterr().out
    assert "remittance_shock" in out
    # what a size means (helper-61): the section named exists in the docs it points to
    assert "'How big is an event's size?'" in out
    usage = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text()
    assert "**How big is an event's `size`?**" in usage


@pytest.mark.parametrize("argv", [[], ["run"], ["sweep"], ["validate"], ["show"], ["list"]])
def test_help_everywhere_with_an_example(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    assert "example" in capsys.readouterr().out


def user_error(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_typo_in_scenario_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.toml"
    bad.write_text(MINIMAL + "[params]\nwestrn_offer = 0.3\n")
    err = user_error(["run", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert "unknown parameter 'westrn_offer'" in err and "did you mean 'western_offer'" in err
    assert user_error(["validate", str(bad)], capsys)


def test_other_user_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "armenia_exits", "--replicates", "0"])
    assert e.value.code == 2
    assert "must be a positive whole number" in capsys.readouterr().err
    user_error(["sweep", "history_2020_2024", "--out", str(tmp_path / "h")], capsys)
    user_error(["sweep", "armenia_exits", "--out", str(tmp_path / "r"), "--record", "some"], capsys)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    err = user_error(["sweep", "armenia_exits", "--out", str(foreign)], capsys)
    assert "--force" in err and (foreign / "notes.txt").exists()
    user_error(["run", "no_such_scenario"], capsys)


def test_console_script_end_to_end(tmp_path):
    exe = shutil.which("alliance-sim") or str(
        __import__("pathlib").Path(sys.executable).with_name("alliance-sim")
    )
    ok = subprocess.run(
        [exe, "run", "armenia_exits", "--replicates", "2", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [exe, "validate", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_reader_who_stops_reading_does_not_cost_the_report(tmp_path):
    """``compare ... | head -1``: the headline is printed while the report is built; the pipe
    closing after its first line must not stop the report being written."""
    exe = shutil.which("alliance-sim") or str(
        __import__("pathlib").Path(sys.executable).with_name("alliance-sim")
    )
    for name in ("baseline", "armenia_exits"):
        assert (
            main(["run", name, "--replicates", "4", "--out", str(tmp_path / name), "--quiet"]) == 0
        )
    report = tmp_path / "r.md"
    cmd = f"{exe} compare {tmp_path / 'baseline'} {tmp_path / 'armenia_exits'} --out {report}"
    piped = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {cmd} | head -1"], capture_output=True, text=True
    )
    assert piped.returncode == 0 and piped.stdout.count("\n") == 1, piped.stderr
    assert "Traceback" not in piped.stderr
    assert report.is_file() and report.read_text().startswith("# Scenario comparison")


def test_quick_exit_flushes_output_runs_exit_handlers_and_keeps_the_status(tmp_path):
    """``alliance-sim`` ends with os._exit (no interpreter teardown): everything printed
    still arrives, exit handlers still run, and the exit status is main()'s."""
    exe = shutil.which("alliance-sim") or str(
        __import__("pathlib").Path(sys.executable).with_name("alliance-sim")
    )
    listed = subprocess.run([exe, "list", "scenarios"], capture_output=True, text=True)
    assert listed.returncode == 0 and all(name in listed.stdout for name in SHIPPED)
    marker = tmp_path / "atexit-ran"
    script = (
        "import atexit, sys, pathlib\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "print('x' * 100000)\n"  # more than one buffer's worth, still unflushed
        "sys.argv = ['alliance-sim', 'validate', 'no_such_scenario']\n"
        "from alliance_sim.cli.entry import run\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2 and "no_such_scenario" in done.stderr
    assert done.stdout.count("x") == 100000 and marker.read_text() == "yes"


def test_closed_output_and_in_process_callers_exit_normally(tmp_path):
    """With standard output closed the command still succeeds; run through ``runpy`` (as
    profilers and scripts do) it returns to its caller instead of ending the process."""
    exe = shutil.which("alliance-sim") or str(
        __import__("pathlib").Path(sys.executable).with_name("alliance-sim")
    )
    closed = subprocess.run(f"'{exe}' list scenarios >&-", shell=True, capture_output=True)
    assert closed.returncode == 0 and b"Traceback" not in closed.stderr
    script = (
        "import runpy, sys\n"
        "sys.argv = ['alliance_sim', 'list', 'scenarios']\n"
        "try:\n"
        "    runpy.run_module('alliance_sim', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    print('caller resumes', e.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and "caller resumes 0" in done.stdout, done.stderr
    prof = tmp_path / "p.prof"
    profiled = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(prof), exe, "list", "scenarios"],
        capture_output=True,
    )
    assert profiled.returncode == 0 and prof.stat().st_size > 0


def test_a_directory_where_every_run_failed_is_one_line_for_every_reader(
    tmp_path, capsys, monkeypatch
):
    from alliance_sim import sweep
    from alliance_sim.engines import chunk as eng

    def broken(*_a, **_k):
        raise FloatingPointError("boom")

    monkeypatch.setattr(eng, "run_chunk", broken)
    d = tmp_path / "all_failed"
    res = sweep("armenia_exits", d, replicates=1)
    assert res.n_failed == len(res.runs) == 25
    monkeypatch.undo()
    ok = tmp_path / "ok"
    assert main(["sweep", "armenia_exits", "--replicates", "1", "--out", str(ok)]) == 0
    capsys.readouterr()
    for argv in (
        ["plot", str(d), "--out", str(tmp_path / "fig")],
        ["compare", str(d), str(ok), "--out", str(tmp_path / "c.md")],
        ["sensitivity", str(d)],
    ):
        err = user_error(argv, capsys)
        assert "all 25 runs" in err and "FloatingPointError: boom" in err


def test_compare_notes_one_folder_twice_and_identical_runs(tmp_path, capsys):
    import shutil as sh

    a = tmp_path / "a"
    assert main(["run", "baseline", "--out", str(a), "--replicates", "4", "--quiet"]) == 0
    assert main(["compare", str(a), str(a), "--out", str(tmp_path / "r.md")]) == 0
    assert "is named twice: every difference" in capsys.readouterr().out
    sh.copytree(a, tmp_path / "b")
    assert main(["compare", str(a), str(tmp_path / "b"), "--out", str(tmp_path / "r.md")]) == 0
    assert "holds the same runs as" in capsys.readouterr().out
    # a damaged third folder is refused before any note about the first two (a red-team saw
    # "note: b holds the same runs as a ..." printed above the refusal)
    sh.copytree(a, tmp_path / "c")
    next((tmp_path / "c" / "runs.parquet").glob("part-*.parquet")).unlink()
    argv = ["compare", str(a), str(tmp_path / "b"), str(tmp_path / "c"), "--out"]
    argv.append(str(tmp_path / "r2.md"))
    assert main(argv) == 2
    out = capsys.readouterr()
    assert "is missing" in out.err and "note" not in out.out, out


def test_compare_notes_a_result_that_is_the_others_runs_cut_short(tmp_path, capsys):
    """`compare base base28` (base28: `run baseline --end 2028Q4`, the same seeds) gave a table
    of zeros without a word: its runs are base's to 2028Q4 (helper-99's list).  A run of
    another scenario, or of other seeds, to the same quarter gets no note."""
    import warnings

    from alliance_sim import compare_results
    from alliance_sim.analysis.same_runs import SameRunsNote

    a, b, c = (tmp_path / x for x in "abc")
    assert main(["run", "baseline", "--out", str(a), "--replicates", "4", "--quiet"]) == 0
    argv = ["run", "baseline", "--replicates", "4", "--end", "2028Q4", "--quiet"]
    assert main([*argv, "--out", str(b)]) == 0
    assert main(["compare", str(b), str(a), "--out", str(tmp_path / "r.md")]) == 0
    said = capsys.readouterr().out
    assert (
        f"note: {b} holds the runs of {a} to 2028Q4 (the same scenario, model and seeds, cut "
        "at --end 2028Q4): every difference between them to 2028Q4 is zero"
    ) in said, said
    with pytest.warns(SameRunsNote, match="holds the runs of .* to 2028Q4"):
        compare_results([str(a), str(b)])
    assert main([*argv, "--seed", "1", "--out", str(c)]) == 0  # other seeds: other runs
    # a one-point sweep to 2028Q4: the same hash, seeds and runs, but values of its own
    # (red team: it was told "zero by construction" beside a real difference)
    s = tmp_path / "s"
    assert main(["sweep", "baseline", "--samples", "1", *argv[2:], "--out", str(s)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", SameRunsNote)
        compare_results([str(a), str(c)])
        compare_results([str(a), str(s)])
    capsys.readouterr()
    assert main(["compare", str(a), str(s), "--out", str(tmp_path / "r2.md")]) == 0
    assert "zero by construction" not in capsys.readouterr().out


def test_saltelli_samples_must_be_a_power_of_two(tmp_path, capsys):
    """--samples 30 on a Saltelli sweep ran, with SALib's warning lost in the output."""
    out = tmp_path / "s"
    assert main(["sweep", "china_security_push", "--out", str(out), "--samples", "30"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "alliance-sim: error: --samples 30: a saltelli design needs a power of two, 2 or more "
        "(Sobol' points lose their balance otherwise): 16 or 32"
    )
    assert not out.exists()


def test_list_scenarios_aligns_every_description(capsys):
    """Names longer than a fixed column (history_2006_2024_calibrated) pushed their
    description out of line."""
    assert main(["list", "scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = {len(line) - len(line.split(None, 1)[1]) for line in lines}
    assert len(lines) >= 10 and len(starts) == 1


def test_dash_q_is_quiet(tmp_path, capsys):
    """A new user typed `run baseline -q` and was told the option does not exist."""
    assert main(["run", "baseline", "--replicates", "2", "--out", str(tmp_path / "b"), "-q"]) == 0
    assert capsys.readouterr().out == ""


def test_compare_on_the_terminal_says_what_its_terms_mean(tmp_path, capsys, write):
    """The terminal's headline said "A12 0.29" and "n_eff = 200" without a word of what they
    are (the report explains them beside its table; a new user has only the terminal)."""
    from alliance_sim.cli.compare import terms

    kgz = write("k.toml", 'extends = "baseline"\nname = "k"\n[members.KGZ]\nwestern_offer = 0.3\n')
    for name, what in (("a", "baseline"), ("b", str(kgz))):
        assert main(["run", what, "--out", str(tmp_path / name), "--replicates", "12", "-q"]) == 0
    argv = ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "r.md")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "A12 0." in out and "n_eff = " in out and "Holm-adjusted" in out, out
    assert "(A12 = the chance that a run of the scenario has a higher value" in out
    assert "n_eff = independent runs" in out and "Holm-adjusted = p allowing" in out
    assert terms("Kazakhstan is hedging in 27% of runs") == ""  # only the terms it uses
