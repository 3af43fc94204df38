"""Results you can trust on disk: each finding of the hostile-user pass (issue 22) as a test.

Every part of a result directory is checked against the manifest's record of it (missing,
extra, empty or changed parts are one line naming the part; resume re-runs exactly the
damaged chunks); outputs never land on a result's own files; readers refuse what is not
finished; one lock coordinates writers and readers; every verb and API call has caps; the
API's errors are one type with one line; effect sizes and intervals cannot mislead.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_sim import evaluate, simulate, sweep
from alliance_sim.cli.main import main
from alliance_sim.errors import AllianceSimError, StoreError
from alliance_sim.runs.results import Result
from conftest import SCENARIOS

KW = dict(replicates=1, chunk_size=13)  # armenia_exits: 25 runs in 2 chunks


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    return sweep("armenia_exits", tmp_path_factory.mktemp("whole") / "w", **KW)


@pytest.fixture
def copy(whole, tmp_path):
    d = tmp_path / "res"
    shutil.copytree(whole.directory, d)
    return d


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def same(a: Result, b: Result) -> None:
    for t in ("runs", "timeseries", "alliance"):
        pd.testing.assert_frame_equal(a.read(t), b.read(t))


PART1 = Path("runs.parquet") / "part-000001.parquet"


# --- integrity: every part checked against the manifest --------------------------------------
def test_the_manifest_records_every_part_and_its_own_checksum(whole):
    m = json.loads((whole.directory / "manifest.json").read_text())
    assert m["format"] == 2 and len(m["checksum"]) == 64
    for t in ("runs", "timeseries", "alliance"):
        assert sorted(m["parts"][t]) == ["part-000000.parquet", "part-000001.parquet"]
        rec = m["parts"][t]["part-000001.parquet"]
        path = whole.directory / f"{t}.parquet" / "part-000001.parquet"
        assert rec["bytes"] == path.stat().st_size and rec["rows"] > 0
    assert not (whole.directory / "chunks.jsonl").exists()  # the journal of a running plan


@pytest.mark.parametrize(
    "damage, words",
    [
        ("delete", "is missing"),
        ("empty", "is empty"),
        ("flip", "has changed since it was written"),
    ],
)
def test_a_damaged_part_is_named_by_readers_and_check_and_resume_repairs_only_it(
    whole, copy, capsys, damage, words
):
    part = copy / PART1
    if damage == "delete":
        part.unlink()
    elif damage == "empty":
        part.write_bytes(b"")
    else:  # one flipped byte in the middle of a data page: same size, same footer
        data = bytearray(part.read_bytes())
        data[len(data) // 3] ^= 0xFF
        part.write_bytes(bytes(data))
    untouched = (copy / "timeseries.parquet" / "part-000000.parquet").stat().st_mtime_ns
    with pytest.raises(StoreError, match=rf"part-000001\.parquet {words}.*same sweep command"):
        Result.open(copy).read("runs")
    for argv in (
        ["export", str(copy), "--out", str(copy.parent / "csv")],
        ["plot", str(copy), "--out", str(copy.parent / "figs")],
        ["compare", str(copy), str(whole.directory), "--out", str(copy.parent / "r.md")],
    ):
        assert main(argv) == 2
        assert "part-000001.parquet" in one_line(capsys.readouterr().err)
    assert main(["check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"part-000001.parquet {words}" in out and "to repair" in out
    assert "1 problem(s):" in out  # the advice is not counted as a second problem
    # the same sweep again: exactly the damaged chunk is computed again
    repaired = sweep("armenia_exits", copy, **KW)
    assert repaired.manifest.status == "complete"
    assert (copy / "timeseries.parquet" / "part-000000.parquet").stat().st_mtime_ns == untouched
    same(whole, Result.open(copy))
    assert main(["check", str(copy)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("ok")


def test_an_extra_part_is_never_read_as_data(copy, capsys):
    extra = copy / "runs.parquet" / "part-000007.parquet"
    shutil.copy(copy / PART1, extra)  # duplicate run ids, if it were read
    with pytest.raises(StoreError, match=r"part-000007\.parquet is not a part this sweep wrote"):
        Result.open(copy).read("runs")
    assert main(["check", str(copy)]) == 1
    assert "part-000007.parquet is not a part" in capsys.readouterr().out
    with pytest.raises(StoreError, match=r"part-000007\.parquet.*move it out"):
        sweep("armenia_exits", copy, **KW)
    assert extra.exists()  # never deleted: alliance-sim did not write it


def test_an_edited_manifest_is_refused_with_advice_that_works(copy, capsys):
    m = json.loads((copy / "manifest.json").read_text())
    m["plan"]["n_runs"] = 9999  # counts edited by hand: printed and reused by refine before
    (copy / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(StoreError, match=r"checksum differs.*--force"):
        Result.open(copy)
    assert main(["export", str(copy)]) == 2
    one_line(capsys.readouterr().err)
    assert main(["check", str(copy)]) == 1  # a finding, as a damaged part is (not a usage error)
    assert "checksum differs" in capsys.readouterr().out
    assert main(["check", str(copy.parent / "no-such-folder")]) == 2
    # the advice works: --force replaces this directory of ours
    assert sweep("armenia_exits", copy, force=True, **KW).manifest.status == "complete"


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"plan": null}', "'plan' is missing or not an object"),
        ("[1, 2]", "holds a list"),
        ("{not json", "not valid JSON"),
        ('{"plan": {"n_runs": "many"}}', "'plan.n_runs'"),
        ("format-string", "its checksum is missing"),  # "format": "2": a TypeError traceback
        ("no-checksum", "its checksum is missing"),  # records kept, checksum and format cut
    ],
)
def test_a_manifest_of_any_shape_is_one_line(copy, capsys, text, words):
    if text in ("format-string", "no-checksum"):  # edits of the real manifest (red-team)
        d = json.loads((copy / "manifest.json").read_text())
        del d["checksum"]
        if text == "format-string":
            d["format"] = "2"
        else:
            del d["format"]
            d["plan"]["n_runs"] = 20  # fewer runs than it holds, and check said ok
        text = json.dumps(d)
    (copy / "manifest.json").write_text(text)
    assert main(["plot", str(copy), "--out", str(copy.parent / "f")]) == 2
    err = one_line(capsys.readouterr().err)
    assert words in err and "--force" in err
    assert main(["check", str(copy)]) == 1  # check's finding: the same line, on its report
    out = capsys.readouterr().out
    assert words in out and "--force" in out
    # --force is what the line advises, and it works on a result directory of ours
    assert sweep("armenia_exits", copy, force=True, **KW).manifest.status == "complete"


def test_force_is_not_advised_where_it_would_be_refused(tmp_path):
    d = tmp_path / "notours"
    d.mkdir()
    (d / "manifest.json").write_text("{broken")
    (d / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="choose another out") as e:
        sweep("armenia_exits", d, force=True, **KW)
    assert "add force=True" not in str(e.value)
    assert (d / "notes.txt").exists() and (d / "manifest.json").exists()


def test_force_says_what_it_kept_beside_the_result_it_replaced(tmp_path, capsys):
    from alliance_sim.cli.main import main

    d = tmp_path / "r"
    assert main(["run", "baseline", "--out", str(d), "--replicates", "4", "--quiet"]) == 0
    assert main(["export", str(d)]) == 0
    (d / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(["run", "baseline", "--out", str(d), "--replicates", "6", "--force"]) == 0
    said = capsys.readouterr().out
    assert "kept beside the new result" in said and "csv/, notes.txt" in said
    assert "out of date" in said
    assert (d / "notes.txt").read_text() == "mine" and (d / "csv" / "runs.csv").is_file()


def test_parts_and_their_folder_are_fsynced(tmp_path, monkeypatch):
    from alliance_sim.runs import atomic

    synced = []
    real = os.fsync

    def fsync(fd):
        synced.append(os.path.isdir(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic.atomic_parquet(tmp_path / "p.parquet", pd.DataFrame({"a": [1.0]}))
    assert synced == [False, True]  # the file before the rename, the folder after


# --- outputs never overwrite results ----------------------------------------------------------
def test_outputs_never_land_on_a_results_own_files(whole, copy, tmp_path, capsys):
    before = (copy / "manifest.json").read_bytes()
    other = tmp_path / "other"
    shutil.copytree(whole.directory, other)
    for argv in (
        ["compare", str(copy), str(other), "--out", str(copy / "manifest.json")],
        ["compare", str(copy), str(other), "--out", str(copy / "runs.parquet" / "r.html")],
        ["export", str(other), "--force", "--out", str(copy)],
        ["plot", str(other), "--out", str(copy / "timeseries.parquet")],
        ["discover", str(other), "--outcome", "ARM_exited", "--out", str(copy / "refine")],
        ["sweep", "armenia_exits", "--out", str(copy / "alliance.parquet" / "inner")],
    ):
        assert main(argv) == 2, argv
        assert "result directory" in one_line(capsys.readouterr().err)
    assert (copy / "manifest.json").read_bytes() == before
    same(whole, Result.open(copy))
    # beside a result's files is fine
    assert main(["compare", str(copy), str(other), "--out", str(copy / "report.md")]) == 0


# --- readers refuse what is not finished ------------------------------------------------------
def test_export_refuses_an_interrupted_sweep_unless_partial(copy, capsys):
    m = json.loads((copy / "manifest.json").read_text())
    interrupted = tmp = copy.parent / "interrupted"
    shutil.copytree(copy, tmp)
    # as a kill after chunk 0 leaves it: chunk 0 in the journal, the manifest says interrupted
    from alliance_sim.runs.integrity import PartRecord, append_journal
    from alliance_sim.runs.results import Manifest

    man = Manifest.read(tmp)
    rec = {t: {"part-000000.parquet": man.parts[t]["part-000000.parquet"]} for t in m["parts"]}
    assert all(isinstance(r, PartRecord) for f in rec.values() for r in f.values())
    append_journal(tmp, 0, rec)
    man.status, man.parts = "interrupted", None
    man.write(tmp)
    assert main(["export", str(interrupted), "--out", str(copy.parent / "x")]) == 2
    assert "--partial" in one_line(capsys.readouterr().err)
    assert main(["export", str(interrupted), "--out", str(copy.parent / "x"), "--partial"]) == 0
    note = (copy.parent / "x" / "PARTIAL.txt").read_text()
    assert "13 of its 25 runs" in note and "PARTIAL" in capsys.readouterr().out
    assert len(pd.read_csv(copy.parent / "x" / "runs.csv")) == 13
    assert main(["check", str(interrupted)]) == 1
    assert "chunks stored whole: 1 of 2" in capsys.readouterr().out


# --- one lock for writers, a shared one for readers -------------------------------------------
def test_a_writer_is_refused_while_a_reader_reads_and_the_other_way(copy, capsys):
    from alliance_sim.runs.locks import reading, writer

    with reading(copy):  # e.g. a plot of this directory in another process
        assert main(["sweep", "armenia_exits", "--out", str(copy), "--force"]) == 2
        assert "read by one" in one_line(capsys.readouterr().err)
        assert main(["refine", str(copy), "--outcome", "ARM_exited", "--runs", "4"]) == 2
        one_line(capsys.readouterr().err)
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()

    def hold():
        with writer(copy):
            ready.set()
            done.wait(30)

    p = ctx.Process(target=hold)
    p.start()
    try:
        assert ready.wait(30)
        assert main(["plot", str(copy), "--out", str(copy.parent / "f")]) == 2
        assert "being written by another" in one_line(capsys.readouterr().err)
        assert main(["refine", str(copy), "--outcome", "ARM_exited", "--runs", "4"]) == 2
        assert "being written by another" in one_line(capsys.readouterr().err)
        with pytest.raises(StoreError, match="being written"):
            Result.open(copy).read("runs")
    finally:
        done.set()
        p.join()


# --- caps for every verb and API call ---------------------------------------------------------
@pytest.mark.parametrize(
    "argv, words",
    [
        (["refine", "{d}", "--outcome", "ARM_exited", "--runs", "10000000"],
         "--runs 10000000: allowed"),
        (["refine", "{d}", "--outcome", "ARM_exited", "--runs", "8", "--replicates", "200000"],
         "--replicates 200000: allowed"),
        (["backtest", "history_2020_2024", "--fit-until", "2022Q4", "--out", "{t}/bt", "--runs",
          "10000000"], "--runs 10000000: allowed"),
        (["calibrate", "history_2020_2024", "--out", "{t}/p.parquet", "--replicates",
          "1000000000"], "--replicates 1000000000: allowed"),
        (["calibrate", "history_2020_2024", "--out", "{t}/p.parquet", "--generations",
          "1000000000"], "--generations 1000000000: allowed"),
        (["calibrate", "history_2020_2024", "--out", "{t}/p.parquet", "--draws", "1000000",
          "--generations", "50", "--replicates", "1000"], "allowed at most"),
    ],
)  # fmt: skip
def test_every_verb_has_caps(copy, tmp_path, capsys, argv, words):
    argv = [a.format(d=copy, t=tmp_path) for a in argv]
    assert main(argv) == 2
    assert words in one_line(capsys.readouterr().err)


def test_evaluate_caps_rows_and_replicates():
    with pytest.raises(AllianceSimError, match="replicates = 200000"):
        evaluate(pd.DataFrame({"western_offer": [0.3]}), replicates=200_000)
    big = pd.DataFrame({"western_offer": np.full(3_000_000, 0.3)})
    with pytest.raises(AllianceSimError, match="3,000,000 points"):
        evaluate(big)


def test_memory_error_is_one_line_and_never_retried_run_by_run(tmp_path, capsys, monkeypatch):
    from alliance_sim.engines import chunk as eng

    calls = []

    def oom(*a, **k):
        calls.append(1)
        raise MemoryError

    monkeypatch.setattr(eng, "run_chunk", oom)
    assert main(["run", "armenia_exits", "--replicates", "20", "--out", str(tmp_path / "r")]) == 2
    assert "out of memory" in one_line(capsys.readouterr().err)
    assert calls == [1]


# --- the API's own errors ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: evaluate(pd.DataFrame({"western_offer": [0.3]}), seed=1.5), "seed = 1.5"),
        (lambda: evaluate(pd.DataFrame({"western_offer": [0.3]}), seed=-5), "seed = -5"),
        (lambda: evaluate(pd.DataFrame({"western_offer": [0.3]}), seed="1"), "seed = '1'"),
        (lambda: evaluate(pd.DataFrame({"western_offer": [0.3]}), seed=None), "seed = None"),
        (lambda: evaluate(pd.DataFrame({"western_offer": [0.3]}), scenario=5), "scenario = 5"),
        (lambda: evaluate(pd.DataFrame()), "no rows"),
        (lambda: evaluate(pd.DataFrame([[0.3, 0.4]], columns=["western_offer"] * 2)), "twice"),
        (lambda: evaluate(pd.DataFrame({"western_offer": [0.3 + 1j]})), "should be a number"),
        (lambda: evaluate([0.3]), "DataFrame"),
        (
            lambda: evaluate(pd.DataFrame({"suspend_below": [0.6]})),
            "suspend_below (0.6) must stay below hedge_below",
        ),
        (
            lambda: evaluate(pd.DataFrame({"members.ARM.trade_russia": [0.95]})),
            "ARM's trade shares",
        ),
        (lambda: simulate("armenia_exits", suspend_below=0.6), "must stay below"),
        (  # the top of its plausible range meets hedge_recover's default (helper-71)
            lambda: evaluate(pd.DataFrame({"hedge_below": [0.55]})),
            "(hedge_recover is not in the design: keep hedge_below below 0.55 or vary both)",
        ),
        (lambda: simulate("armenia_exits", seed=1.5), "seed = 1.5"),
        (lambda: simulate(5), "scenario = 5"),
        (lambda: simulate("armenia_exits", quarters=0), "quarters = 0"),
    ],
)
def test_api_errors_are_one_type_and_one_line(call, words):
    with pytest.raises(AllianceSimError) as e:
        call()
    assert isinstance(e.value, ValueError)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_numpy_integer_seeds_are_accepted():
    a = evaluate(pd.DataFrame({"western_offer": [0.3]}), seed=np.int64(3))
    b = evaluate(pd.DataFrame({"western_offer": [0.3]}), seed=3)
    pd.testing.assert_frame_equal(a, b)
    x, y = simulate("armenia_exits", seed=np.int64(3)), simulate("armenia_exits", seed=3)
    np.testing.assert_array_equal(list(x.values()), list(y.values()))  # NaN where unused


def test_an_extends_chain_too_long_is_one_line(tmp_path):
    from alliance_sim import load_scenario

    (tmp_path / "s0.toml").write_text('extends = "baseline"\n')
    for i in range(1, 1200):
        (tmp_path / f"s{i}.toml").write_text(f'extends = "s{i - 1}.toml"\n')
    with pytest.raises(AllianceSimError, match="extends chain of more than 32 files"):
        load_scenario(tmp_path / "s1199.toml")


# --- effects and intervals that cannot mislead ------------------------------------------------
def test_no_variation_and_too_few_runs_are_not_effects():
    from alliance_sim.analysis.stats import compare_samples, effect_label

    zeros = np.zeros(50)
    c = compare_samples("BLR_exited", zeros, zeros, paired=True, binary=True)
    assert effect_label(c, zeros, zeros) == "no variation"
    one = np.array([0.4])
    c = compare_samples("ARM_commitment", one, one + 0.1, paired=True, binary=False)
    assert effect_label(c, one, one + 0.1) == "no estimate (too few runs)"


def test_one_replicate_compare_headlines_no_identical_outcome(tmp_path):
    from alliance_sim import build_report

    a = sweep("armenia_exits", tmp_path / "a", replicates=1, samples=None)
    b = sweep("armenia_exits", tmp_path / "b", replicates=1)
    text = build_report([a.directory, b.directory], tmp_path / "r.md", fmt="md").read_text()
    assert "effect large" not in text
    # one seed a side: nothing can be estimated, and the line says so (it read "every
    # difference that can be estimated is negligible" where none could be: red-team)
    assert "Nothing can be told from these runs" in text.replace("\n", " ")


def test_intervals_of_shares_stay_within_0_and_1():
    from alliance_sim.analysis.design import clustered_mean, outcome_bounds

    x = np.array([0.02, 0.95, 0.01, 0.97])  # two seeds, far apart
    e = clustered_mean(
        x, np.array([1, 2, 1, 2]), binary=False, bounds=outcome_bounds("ARM_commitment")
    )
    assert 0.0 <= e.lo <= e.value <= e.hi <= 1.0
    assert outcome_bounds("n_exited") is None


def test_control_characters_never_reach_a_figure(tmp_path):
    import matplotlib.pyplot as plt

    from alliance_sim.report.plots import _save

    fig, ax = plt.subplots()
    ax.set_title("evil\x1b[2J\u202ename")
    _save(fig, tmp_path / "f.png", None)
    assert ax.get_title() == "evil\\x1b[2J\\u202ename"
    plt.close(fig)


def test_disk_full_names_the_file_and_says_how_to_resume(tmp_path, capsys, monkeypatch):
    import errno

    from alliance_sim.runs import atomic

    real = atomic.os.fsync

    def full(fd):
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(atomic.os, "fsync", full)
    assert main(["run", "armenia_exits", "--replicates", "4", "--out", str(tmp_path / "r")]) == 2
    err = one_line(capsys.readouterr().err)
    assert "manifest.json" in err and "run the same command again" in err
    assert not [p for p in (tmp_path / "r").iterdir() if p.name.startswith(".manifest")]


@pytest.mark.slow
def test_sigterm_of_a_dask_sweep_is_one_line_and_resumes(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed")
    exe = shutil.which("alliance-sim") or str(Path(sys.executable).with_name("alliance-sim"))
    out = tmp_path / "d"
    cmd = [exe, "sweep", "armenia_exits", "--out", str(out), "--replicates", "2"]
    cmd += ["--chunk-size", "2", "--quiet"]
    proc = subprocess.Popen(
        [*cmd, "--executor", "dask", "--workers", "2", "--engine", "mesa"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("runs.parquet/part-*.parquet")):
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == [
        f"interrupted: finished chunks are kept in {out}; run the same command again to resume"
    ], err  # no heartbeat traceback, no leaked-semaphore warning
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert main(["check", str(out)]) == 0


def test_compare_never_replaces_a_file_it_did_not_write(whole, tmp_path, capsys):
    mine = tmp_path / "notes.md"
    mine.write_text("my notes")
    d = str(whole.directory)
    assert main(["compare", d, d, "--out", str(mine), "--format", "md"]) == 2
    assert "not a report alliance-sim wrote" in one_line(capsys.readouterr().err)
    assert mine.read_text() == "my notes"
    text = tmp_path / "notes.txt"  # not a report's suffix at all: refused before anything
    text.write_text("my notes")
    assert main(["compare", d, d, "--out", str(text)]) == 2
    assert "a report is written as .html" in one_line(capsys.readouterr().err)
    assert text.read_text() == "my notes"
    report = tmp_path / "r.md"
    assert main(["compare", d, d, "--out", str(report)]) == 0
    assert main(["compare", d, d, "--out", str(report)]) == 0  # its own report: replaced


def test_sigterm_inside_a_gc_callback_is_delivered_again_not_lost(monkeypatch):
    """Dask's distributed runs a garbage-collector callback; SIGTERM arriving while it runs
    would raise inside it, where Python prints "Exception ignored" and drops it (a flaky
    clean-stop test caught the sweep running on).  The handler re-sends it instead."""
    import gc
    import signal
    import sys

    from alliance_sim.cli import guards

    sent = []

    class Timer:
        def __init__(self, delay, fn, args):
            self.call = (fn, args)

        def start(self):
            sent.append(self.call[1])

    monkeypatch.setattr("threading.Timer", Timer)
    seen = []

    def callback(phase, info):
        if phase == "start" and not seen:
            seen.append(1)
            guards._on_sigterm(signal.SIGTERM, sys._getframe())  # must not raise here

    gc.callbacks.append(callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(callback)
    assert seen and sent and sent[0][1] == signal.SIGTERM
    with pytest.raises(guards.Terminated):  # outside a callback it stops the verb at once
        guards._on_sigterm(signal.SIGTERM, sys._getframe())


def test_check_says_whether_the_installed_model_wrote_the_runs(copy, capsys, monkeypatch):
    from alliance_sim.scenario import stamp

    assert main(["check", str(copy)]) == 0
    assert "the installed one" in capsys.readouterr().out
    monkeypatch.setattr(stamp, "code_stamp", lambda: "edited equations")
    assert main(["check", str(copy)]) == 0  # the data are intact: a note, not a problem
    out = capsys.readouterr().out
    assert "not the installed one" in out and "a resume or refine is refused" in out
    with pytest.raises(StoreError, match=r"model .*, not "):
        sweep("armenia_exits", copy, **KW)


def test_check_compares_the_model_of_a_run_cut_short_from_any_folder(tmp_path, monkeypatch, capsys):
    """New-user finding: a run with --end, or from a scenario file named relative to the
    folder it ran in, read as 'its scenario file is gone or changed'."""
    (tmp_path / "mine.toml").write_text(
        f'name = "mine"\ndescription = "d"\nextends = "{SCENARIOS / "baseline.toml"}"\n', "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", "mine.toml", "--out", "out", "--replicates", "2", "--end", "2026Q4"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    assert main(["check", str(tmp_path / "out")]) == 0
    assert "model: the installed one" in capsys.readouterr().out


def test_every_scenario_module_is_stamped_or_declared_not_to_decide_numbers():
    """A new module of ``scenario`` must be classified on purpose: one that turns a scenario
    into numbers belongs in the model's stamp, or old folders would resume under new rules."""
    from importlib import resources

    from alliance_sim.scenario import stamp

    modules = {
        p.name[:-3]
        for p in resources.files("alliance_sim").joinpath("scenario").iterdir()
        if p.name.endswith(".py")
    }
    assert modules == set(stamp.STAMPED) | set(stamp.NOT_STAMPED)
    assert not set(stamp.STAMPED) & set(stamp.NOT_STAMPED)


def test_check_finds_a_truncated_part_in_a_folder_written_before_part_records(copy, capsys):
    """Red-team finding: a folder of format 1 (no part records) passed check with a part cut
    in half; its Parquet footer is gone, which check now reads."""
    m = json.loads((copy / "manifest.json").read_text())
    m.pop("checksum")
    m["format"], m["parts"] = 1, None
    (copy / "manifest.json").write_text(json.dumps(m))
    assert main(["check", str(copy)]) == 0
    assert "written before format 2" in capsys.readouterr().out
    part = copy / PART1
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    assert main(["check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "part-000001.parquet cannot be read as Parquet (truncated or damaged" in out


def test_a_worker_with_another_model_refuses_its_chunk(tmp_path):
    """Red-team finding: a remote Dask worker with other code installed ran the chunks and
    the folder recorded the client's model."""
    from alliance_sim import load_scenario
    from alliance_sim.errors import WorkerError
    from alliance_sim.runs.execute import run_task
    from alliance_sim.scenario.plan import make_plan
    from alliance_sim.scenario.stamp import code_stamp

    plan = make_plan(load_scenario("armenia_exits"), replicates=1)
    metas = list(plan.runs(0, 2))
    with pytest.raises(WorkerError, match=r"a worker runs another model .*install the same"):
        run_task(plan.scenario, metas, "batch", 1, None, 0, "0" * 64)
    tables, _, n, failed = run_task(plan.scenario, metas, "batch", 1, None, 0, code_stamp())
    assert n == 2 and failed == 0 and tables["runs"].num_rows == 2


def test_the_stamp_skips_dotfiles_and_links(tmp_path):
    """An editor's lock (.#dynamics.py, a dangling link) broke every command; a notebook's
    checkpoints changed the stamp."""
    from alliance_sim.scenario.stamp import _files

    (tmp_path / "eq.py").write_text("x = 1")
    (tmp_path / ".#eq.py").symlink_to("user@host.1:1")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "data.csv").write_text("a")
    (tmp_path / "linked.py").symlink_to(tmp_path / "eq.py")
    assert [name for name, _ in _files(tmp_path, "core")] == ["core/eq.py"]


def test_a_moved_project_still_finds_its_scenario(tmp_path, monkeypatch):
    """Red-team finding: with the scenario's absolute path stored, moving the project folder
    stranded check and refine; the path as given is looked up from the result upward."""
    from alliance_sim.runs.identity import scenario_as_run

    a = tmp_path / "projA"
    (a / "scen").mkdir(parents=True)
    (a / "scen" / "mine.toml").write_text(
        f'name = "mine"\ndescription = "d"\nextends = "{SCENARIOS / "baseline.toml"}"\n', "utf-8"
    )
    monkeypatch.chdir(a)
    assert (
        main(["run", "scen/mine.toml", "--out", "out/r", "--replicates", "2", "--end", "2026Q4"])
        == 0
    )
    b = tmp_path / "projB"
    a.rename(b)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scen").mkdir()  # a file of the same name, other contents: passed over
    (tmp_path / "scen" / "mine.toml").write_text(
        f'name = "other"\ndescription = "d"\nextends = "{SCENARIOS / "baseline.toml"}"\n'
    )
    sc, why = scenario_as_run(Result.open(b / "out" / "r").manifest, b / "out" / "r")
    assert why is None and sc.end == "2026Q4" and sc.name == "mine"
    assert sc.path == str(b / "scen" / "mine.toml")


def test_check_says_a_sweep_left_running_has_stopped(copy, capsys):
    """Red-team finding: after Ctrl-C a manifest can still say 'running'; check held the
    reader's lock (so nothing was writing) yet said 'the sweep is running'."""
    from alliance_sim.runs.results import Manifest

    m = Manifest.read(copy)
    m.status = "running"
    m.write(copy)
    assert main(["check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "stopped before it finished (no process is writing it" in out
    assert "run the same command again to finish it" in out
    # the readers said "the sweep is running" of the same folder (sixth red-team)
    assert main(["export", str(copy), "--out", str(copy.parent / "exp")]) == 2
    assert "stopped before it finished (killed or interrupted" in capsys.readouterr().err


def test_check_does_not_advise_finishing_a_refine_round_another_model_wrote(
    copy, capsys, monkeypatch
):
    from alliance_sim.runs.results import Manifest
    from alliance_sim.scenario import stamp

    m = Manifest.read(copy)
    m.rounds.append({"round": 1, "status": "running"})
    m.write(copy)
    shutil.copy(copy / PART1, copy / "runs.parquet" / "part-round-001.parquet")
    assert main(["check", str(copy)]) == 1
    assert "run the same refine command again to finish it" in capsys.readouterr().out
    monkeypatch.setattr(stamp, "code_stamp", lambda: "other equations")
    assert main(["check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "another model wrote this folder, so refine is refused" in out
    assert "run the same refine command again" not in out


def test_a_markdown_report_never_writes_over_figures_it_did_not_make(whole, tmp_path, capsys):
    """Red-team finding: compare --out paper/mine.md replaced a user's paper/mine_files/
    figure1.png; a report it wrote is still replaced, figures and all."""
    (tmp_path / "mine_files").mkdir()
    (tmp_path / "mine_files" / "figure1.png").write_text("my figure")
    argv = ["compare", str(whole.directory), str(whole.directory), "--out"]
    assert main([*argv, str(tmp_path / "mine.md")]) == 2
    assert "which no report of alliance-sim wrote" in one_line(capsys.readouterr().err)
    assert (tmp_path / "mine_files" / "figure1.png").read_text() == "my figure"
    assert main([*argv, str(tmp_path / "ok.md")]) == 0
    assert main([*argv, str(tmp_path / "ok.md")]) == 0  # its own report: replaced


def test_readers_of_an_interrupted_sweep_say_so_not_damaged(copy, tmp_path, capsys):
    """plot on an interrupted sweep said its chunks were missing and told to 're-run exactly
    the damaged chunks': the table readers met the missing parts before the status."""
    from alliance_sim.runs.results import Manifest

    m = Manifest.read(copy)
    m.status = "interrupted"
    m.write(copy)
    for t in ("runs", "timeseries", "alliance"):
        (copy / t).with_suffix(".parquet").joinpath("part-000001.parquet").unlink()
    assert main(["plot", str(copy), "--out", str(tmp_path / "figs")]) == 2
    err = one_line(capsys.readouterr().err)
    assert "the sweep is interrupted (run the same command again to finish it" in err
    assert "damaged" not in err


def test_tables_whose_manifest_was_lost_are_replaced_only_with_force(tmp_path):
    d = tmp_path / "lost"
    sweep("armenia_exits", d, **KW)
    (d / "manifest.json").unlink()
    (d / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match=r"no manifest\.json, so what they hold cannot be known"):
        sweep("armenia_exits", d, **KW)
    assert (d / "runs.parquet").is_dir()  # nothing deleted without --force
    assert sweep("armenia_exits", d, force=True, **KW).manifest.status == "complete"
    assert (d / "notes.txt").read_text() == "mine"  # --force removed only alliance-sim's files


def test_negligible_is_said_only_where_the_whole_interval_is():
    """A user read "ARM P(exit) +1.0 pts [-1.0, +3.0] | negligible | p 0.625 | Holm 1.000"
    beside the legend "a size is given only to a difference that survives" Holm: a
    difference its interval and test cannot tell from none is unclear, unless its whole
    interval lies in the negligible band (then "negligible" is what the data show)."""
    from alliance_sim.analysis.stats import (
        UNCLEAR,
        Comparison,
        Estimate,
        effect_label,
        within_negligible,
    )

    def row(d, lo, hi, p, a12=(0.5, 0.5, 0.5)):
        return Comparison(
            "x", 0.4, 0.4 + d, Estimate(d, lo, hi, 200), Estimate(*a12, 200), "McNemar", p,
            True, 200,
        )  # fmt: skip

    a, b = np.r_[np.zeros(100), np.ones(100)], np.r_[np.zeros(98), np.ones(102)]
    assert effect_label(row(0.01, -0.01, 0.03, 0.625), a, b, binary=True) == UNCLEAR
    assert effect_label(row(0.004, -0.012, 0.014, 0.6), a, b, binary=True) == "negligible"
    # the ends as they are: [-1.9, +1.9] points is under 2 (rounded, it read "2": unclear)
    assert effect_label(row(0.0, -0.019, 0.019, 1.0), a, b, binary=True) == "negligible"
    # told from none by both, and small by its size: a size, as before
    assert effect_label(row(0.04, 0.01, 0.07, 0.01), a, b, binary=True) == "small"
    # significant and under 2 points: negligible by its size (Holm decides whether it stays)
    assert effect_label(row(0.012, 0.004, 0.03, 0.01), a, b, binary=True) == "negligible"
    # a mean: the A12's interval decides (+0.005 [-0.002, +0.014], p < 0.001 in the report)
    x, y = np.linspace(0, 1, 200), np.linspace(0, 1, 200) + 0.005
    near = row(0.005, -0.002, 0.014, 0.0005, a12=(0.51, 0.47, 0.55))
    wide = row(0.005, -0.002, 0.014, 0.0005, a12=(0.53, 0.43, 0.62))
    assert effect_label(near, x, y) == "negligible"
    assert effect_label(wide, x, y) == UNCLEAR
    assert within_negligible(near.diff, near.a12, False)
    assert not within_negligible(Estimate(0.0, np.nan, np.nan, 2), near.a12, True)


def test_a_bold_row_has_an_interval_clear_of_no_difference():
    """ARM commitment "+0.005 [-0.002, +0.014] ... p <0.001, Holm <0.001" was set in bold:
    the Wilcoxon test and the bootstrap interval of the mean disagreed, and bold took the
    test alone."""
    import pandas as pd

    from alliance_sim.analysis.comparison import bold_rows
    from alliance_sim.analysis.stats import Estimate

    t = pd.DataFrame(
        {
            "difference": [
                Estimate(0.005, -0.002, 0.014, 199),
                Estimate(-0.008, -0.013, -0.003, 200),
                Estimate(0.3, 0.2, 0.4, 200),
            ],
            "p (Holm)": [0.0004, 0.014, 0.2],
        }
    )
    assert bold_rows(t).tolist() == [False, True, False]


def test_a_headline_prints_shares_and_their_difference_so_that_they_agree():
    """ "Armenia has left ... in 41% ... vs 41% ...: +1 point [-1, +2]" (41.4% and 40.9%):
    one decimal where whole percents would not add up; NaN (a joiner's, no run) stays whole."""
    from alliance_sim.analysis.stats import Estimate
    from alliance_sim.report.headline import _digits, _pct, _points

    this, ref = Estimate(0.414, 0.35, 0.48, 199), Estimate(0.409, 0.34, 0.48, 199)
    d = Estimate(0.0051, -0.012, 0.022, 199)
    k = _digits(this, ref, d)
    assert k == 1
    assert _pct(this, k).startswith("41.4%") and _pct(ref, k).startswith("40.9%")
    assert _points(d, k) == "+0.5 points [-1.2, +2.2]"
    assert _digits(Estimate(0.44, 0.37, 0.51, 9), Estimate(0.43, 0.37, 0.5, 9),
                   Estimate(0.01, -0.01, 0.03, 9)) == 0  # fmt: skip
    nan = Estimate(float("nan"), float("nan"), float("nan"), 0)
    assert _digits(this, nan, nan) == 0
    # half-way: 26.5% vs 27.0% read "26% vs 27%: -1 point", which adds up and doubles -0.5
    t, r = Estimate(53 / 200, 0.21, 0.33, 200), Estimate(54 / 200, 0.21, 0.34, 200)
    d = Estimate(-0.005, -0.018, 0.008, 200)
    k = _digits(t, r, d)
    assert (_pct(t, k)[:5], _pct(r, k)[:5], _points(d, k)[:11]) == ("26.5%", "27.0%", "-0.5 points")
    # 87 vs 86 of 199: "44% vs 43%: +1 point" adds up, beside the table's "+0.5 pts"
    t, r = Estimate(87 / 199, 0.37, 0.51, 199), Estimate(86 / 199, 0.37, 0.5, 199)
    d = Estimate(1 / 199, -0.01, 0.03, 199)
    assert _points(d, _digits(t, r, d)).startswith("+0.5 points")
    # the printed size keeps the table's word: +9.75 points (medium) is not printed "+10"
    t, r = Estimate(0.2975, 0.2, 0.4, 400), Estimate(0.2, 0.15, 0.25, 400)
    d = Estimate(0.0975, 0.05, 0.14, 400)
    assert not _points(d, _digits(t, r, d)).startswith("+10")
    # every pair of shares k/200 (0-20%): the printed shares differ by the printed difference
    # (a red-team found 52 that did not: "4% vs 4%: -0.5 points", "0.5% vs 2%: -2 points")
    for i in range(41):
        for j in range(41):
            a, b = i / 200, j / 200
            t, r = (Estimate(v, max(v - 0.05, 0), min(v + 0.05, 1), 200) for v in (a, b))
            d = Estimate(a - b, a - b - 0.03, a - b + 0.03, 200)
            k = _digits(t, r, d)
            x, y = (float(_pct(e, k).split("%")[0]) for e in (t, r))
            assert round(x - y, 3) == round(float(_points(d, k).split(" ")[0]), 3), (a, b)


def test_a_mean_of_two_independent_runs_gets_no_interval_for_its_difference():
    """Iran's commitment in the 2 baseline runs it joined in: "-0.298 [-0.375, -0.222]"
    beside that side's own "0.645 [0.000, 1.000]" -- a bootstrap of two values. Seeds that
    repeat were already refused below 3; runs of one seed each now are too."""
    from alliance_sim.analysis.design import compare

    rng = np.random.default_rng(0)
    a, b = np.r_[0.29, 1.0, np.full(198, np.nan)], rng.uniform(0.2, 0.5, 200)
    c = compare("IRN_commitment", a, b, paired=False, binary=False)
    assert c.test == "too few runs" and not np.isfinite(c.diff.value)
    c = compare("IRN_commitment", np.r_[0.29, 1.0, 0.5], b, paired=False, binary=False)
    assert c.test != "too few runs" and np.isfinite(c.diff.lo)
    # two pairs are no better than two runs (a red-team: 0.125 [0.050, 0.200] from 2 pairs),
    # and the row says how many there were ("0 runs" read as if none had a value)
    c = compare("x", np.r_[0.1, 0.9], np.r_[0.3, 0.95], paired=True, binary=False)
    assert c.test == "too few runs" and c.n == 2


def test_an_interval_clear_of_zero_does_not_print_as_touching_it():
    """A bold row read "-0.005 [-0.010, -0.000]": the end nearest zero gets the decimals it
    needs to read as clear of it."""
    from alliance_sim.analysis.stats import Estimate
    from alliance_sim.report.diff_table import _interval

    assert _interval(Estimate(-0.005, -0.010, -0.0004, 9), 1, 3) == "-0.0050 [-0.0100, -0.0004]"
    assert _interval(Estimate(0.02, -0.01, 0.05, 9), 1, 3) == "+0.020 [-0.010, +0.050]"
    points = _interval(Estimate(0.004, 0.00003, 0.008, 9), 100, 1, " pts")
    assert points == "+0.400 pts [+0.003, +0.800]", points


def test_a_sweep_that_would_fill_the_disk_stops_in_one_line_and_resumes(
    tmp_path, capsys, monkeypatch
):
    """Red team: nothing compared a sweep's size with the free space (a million runs stored
    4.8 GB in a minute).  Measured from the chunks stored, a sweep that would not fit stops
    with one line, exit 2, its chunks kept, and the same command resumes it when there is
    room."""
    from alliance_sim.runs import room

    real = shutil.disk_usage
    free = {"bytes": 0}

    def usage(path):
        u = real(path)
        return type(u)(u.total, u.used, free["bytes"] or u.free)

    monkeypatch.setattr(room.shutil, "disk_usage", usage)
    d = tmp_path / "big"
    argv = ["sweep", "armenia_exits", "--out", str(d), "--replicates", "2", "--chunk-size", "10",
            "--quiet", "--workers", "1"]  # fmt: skip
    free["bytes"] = room.MARGIN_BYTES + 1000  # room for the margin and hardly more
    assert room.MARGIN_BYTES <= 2**20  # a small disk is not refused for a margin alone
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(d) in err and "chunk(s) left need about" in err, err
    assert "free some space and run the same command again" in err
    m = json.loads((d / "manifest.json").read_text())
    assert m["status"] == "interrupted"
    kept = sorted(p.name for p in (d / "runs.parquet").iterdir())
    assert "part-000000.parquet" in kept and len(kept) < 5  # stopped early (5 chunks)
    free["bytes"] = 0  # the disk's own free space again
    assert main(argv) == 0
    res = Result.open(d)
    assert res.manifest.status == "complete" and len(res.runs) == 50


def test_a_journal_with_a_power_cut_tail_resumes_and_check_agrees_with_the_sweep(
    tmp_path, capsys, monkeypatch
):
    """A power cut can leave zeros at a journal's end: the sweep then called its own journal
    foreign and refused to resume, while `check` said to run the same command again; with a
    link for a journal, `check` said the same and the sweep refused (fourth red-team)."""
    from alliance_sim.runs import room

    real = shutil.disk_usage
    small = room.MARGIN_BYTES + 1000
    full = lambda p: type(real(p))(real(p).total, real(p).used, small)  # noqa: E731

    def interrupted(d):
        argv = ["sweep", "armenia_exits", "--out", str(d), "--replicates", "2",
                "--chunk-size", "10", "--quiet", "--workers", "1"]  # fmt: skip
        with monkeypatch.context() as mp:
            mp.setattr(room.shutil, "disk_usage", full)
            assert main(argv) == 2  # stopped early: an interrupted sweep
        capsys.readouterr()
        return argv

    d = tmp_path / "z"
    argv = interrupted(d)
    journal = d / "chunks.jsonl"
    journal.write_bytes(journal.read_bytes() + b"\0" * 8)
    assert main(["check", str(d)]) != 0
    assert "run the same command again" in capsys.readouterr().out
    assert main(argv) == 0, capsys.readouterr().err
    assert Result.open(d).manifest.status == "complete"
    e = tmp_path / "y"  # a link where the journal goes: check gives the sweep's advice
    argv = interrupted(e)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    (e / "chunks.jsonl").unlink()
    (e / "chunks.jsonl").symlink_to(notes)
    assert main(["check", str(e)]) != 0
    said = capsys.readouterr().out
    assert "is not the journal of a sweep" in said and "move it out of" in said, said
    assert "is interrupted" not in said, said  # no advice the sweep would refuse
    assert main(argv) == 2
    assert "is not the journal of a sweep" in capsys.readouterr().err
    assert notes.read_text() == "mine\n"


def test_a_journal_line_of_another_chunk_does_not_make_a_chunk_stored(tmp_path, capsys):
    """Red team: a copy of chunk 1's journal line relabelled as chunk 3 made a resume skip
    chunk 3, and `check` called the result of fewer runs complete.  A record counts only for
    the chunk whose parts it names, and `check` finds a planned chunk with no record."""
    d = tmp_path / "j"
    argv = ["sweep", "armenia_exits", "--out", str(d), "--replicates", "2", "--chunk-size", "10",
            "--quiet", "--workers", "1"]  # fmt: skip
    assert main(argv) == 0
    from alliance_sim.runs.results import Manifest

    man = Manifest.read(d)
    parts = {t: {n: r.to_dict() for n, r in f.items()} for t, f in man.parts.items()}

    def line(chunk: int, of: int) -> str:  # the journal's record of chunk ``of``
        name = f"part-{of:06d}.parquet"
        return json.dumps({"chunk": chunk, "parts": {t: {name: f[name]} for t, f in
                           parts.items()}}, sort_keys=True)  # fmt: skip

    for t in parts:  # chunk 3 lost, and its line replaced by chunk 1's, relabelled
        (d / f"{t}.parquet" / "part-000003.parquet").unlink()
    lines = [line(0, 0), line(1, 1), line(2, 2), line(4, 4), line(3, 1)]
    man.status, man.parts = "interrupted", None
    man.write(d)
    (d / "chunks.jsonl").write_text("\n".join(lines) + "\n")
    assert main(argv) == 0
    res = Result.open(d)
    assert len(res.runs) == 50 and sorted(res.runs["run"]) == list(range(50))
    assert main(["check", str(d)]) == 0
    capsys.readouterr()
    # a manifest whose records leave out a planned chunk: check names it
    man = Manifest.read(d)
    for t in man.parts:
        del man.parts[t]["part-000002.parquet"]
    man.write(d)
    assert main(["check", str(d)]) == 1
    out = capsys.readouterr().out
    assert "part-000002.parquet has no record in the manifest" in out, out


def test_check_and_the_sweep_agree_on_what_blocks_an_interrupted_sweep(
    tmp_path, capsys, monkeypatch
):
    """A folder where a missing part goes, or a user's file where a table folder goes, in an
    interrupted sweep: `check` said to run the same command again, which refused -- for a
    file only after computing a chunk, each refusal adding a `resumes` entry (fifth
    red-team)."""
    from alliance_sim.runs import room

    real = shutil.disk_usage
    small = room.MARGIN_BYTES + 1000
    argv = ["sweep", "armenia_exits", "--out", "", "--replicates", "2", "--chunk-size", "10",
            "--quiet", "--workers", "1"]  # fmt: skip
    for case in ("folder", "file"):
        d = tmp_path / case
        argv[3] = str(d)
        with monkeypatch.context() as mp:
            mp.setattr(room.shutil, "disk_usage", lambda p: type(real(p))(
                real(p).total, real(p).used, small))  # fmt: skip
            assert main(argv) == 2  # stopped early: an interrupted sweep
        capsys.readouterr()
        if case == "folder":
            (d / "runs.parquet" / "part-000004.parquet").mkdir()
        else:
            import pandas as pd

            merged = pd.read_parquet(d / "runs.parquet")
            shutil.rmtree(d / "runs.parquet")
            merged.to_parquet(d / "runs.parquet")
        before = json.loads((d / "manifest.json").read_text())
        assert main(["check", str(d)]) != 0
        said = capsys.readouterr().out
        assert "move it out of" in said and "is interrupted" not in said, said
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "move it out of" in err, err
        assert json.loads((d / "manifest.json").read_text()) == before  # nothing written


@pytest.mark.parametrize("how", ["lost", "damaged"])
def test_force_is_advised_only_where_it_would_work(tmp_path, how):
    """Red-team (helper-60): a result of ours whose manifest is lost or damaged, with a
    user's file where a table folder goes: the first refusal said "add --force", and --force
    then refused the file (two steps to the one line that says what to do)."""
    d = tmp_path / how
    sweep("armenia_exits", d, **KW)
    if how == "lost":
        (d / "manifest.json").unlink()
    else:
        (d / "manifest.json").write_text("{not json")
    shutil.rmtree(d / "alliance.parquet")
    (d / "alliance.parquet").write_text("a user's file")
    said = r"alliance\.parquet is not .*move it out.* then run the same command with force=True"
    with pytest.raises(StoreError, match=said):
        sweep("armenia_exits", d, **KW)
    with pytest.raises(StoreError, match=r"alliance\.parquet is not .*move it out"):
        sweep("armenia_exits", d, force=True, **KW)
    assert (d / "alliance.parquet").read_text() == "a user's file"
    (d / "alliance.parquet").unlink()  # moved out: the advice given then works, in one step
    assert sweep("armenia_exits", d, force=True, **KW).manifest.status == "complete"


def test_a_folder_where_the_manifest_goes_is_refused_and_left(tmp_path):
    """manifest.json as a folder: read as no manifest, --force deleted the tables, failed on
    the folder naming its temporary file, and left that file behind, so that every later run
    refused (red-team, helper-62)."""
    d = tmp_path / "m"
    sweep("armenia_exits", d, **KW)
    (d / "manifest.json").unlink()
    (d / "manifest.json").mkdir()
    (d / "manifest.json" / "mine.txt").write_text("mine")
    for force in (False, True):
        with pytest.raises(StoreError, match=r"manifest\.json is not a manifest written by "
                           r"alliance-sim; move it out.*with force=True"):  # fmt: skip
            sweep("armenia_exits", d, force=force, **KW)
    assert (d / "runs.parquet").is_dir() and (d / "manifest.json" / "mine.txt").exists()
    assert not [p for p in d.iterdir() if ".tmp" in p.name]
    shutil.move(d / "manifest.json", tmp_path / "moved")  # the advice, in one step
    assert sweep("armenia_exits", d, force=True, **KW).manifest.status == "complete"


def test_an_atomic_write_onto_a_folder_leaves_no_temporary_file(tmp_path):
    from alliance_sim.runs.atomic import atomic_write_bytes

    (tmp_path / "x.json").mkdir()
    with pytest.raises(OSError, match=r"x\.json"):
        atomic_write_bytes(tmp_path / "x.json", b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_a_folder_where_a_summary_goes_is_refused_up_front(tmp_path):
    """summary.json as a folder: a finished run said "nothing to run" and then failed with
    "Is a directory"; --force re-ran every run before failing the same way (helper-63)."""
    d = tmp_path / "s"
    argv = ["run", "armenia_exits", "--out", str(d), "--replicates", "5", "--quiet"]
    assert main(argv) == 0
    (d / "summary.json").unlink()
    (d / "summary.json").mkdir()
    (d / "summary.json" / "mine.txt").write_text("mine")
    before = (d / "manifest.json").read_bytes()
    for force in (False, True):
        with pytest.raises(StoreError, match=r"holds summary\.json, which alliance-sim did not"):
            sweep("armenia_exits", d, force=force, **KW)
        assert main(argv + ["--force"] * force) == 2
    assert (d / "manifest.json").read_bytes() == before  # nothing re-run
    assert (d / "summary.json" / "mine.txt").read_text() == "mine"


def test_check_finds_what_the_same_command_would_refuse_beside_the_tables(copy, capsys):
    """A folder named summary.json (or a link, or a user's by_point.csv) beside a sweep's
    tables passed ``check`` ("ok") while the same command refused the folder; a folder named
    manifest.json read as "no manifest.json"."""
    assert main(["check", str(copy)]) == 0
    capsys.readouterr()
    (copy / "summary.json").mkdir()
    (copy / "by_point.csv").unlink(missing_ok=True)
    (copy / "by_point.csv").symlink_to("/etc/hostname")
    assert main(["check", str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"{copy / 'summary.json'} is a folder alliance-sim did not write" in out
    assert f"{copy / 'by_point.csv'} is a symbolic link alliance-sim did not write" in out
    assert main(["sweep", "armenia_exits", "--out", str(copy), "--replicates", "1"]) == 2
    assert "holds summary.json" in one_line(capsys.readouterr().err)  # the first it meets
    (copy / "manifest.json").unlink()
    (copy / "manifest.json").mkdir()
    assert main(["check", str(copy)]) == 2
    assert "manifest.json is not a file alliance-sim wrote" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"out": None}, "out = None: allowed a path"),
        ({"out": ""}, "out = '': allowed a path ending .html or .md"),  # ": a report is"
        ({"out": "r.html", "fmt": "pdf"}, "fmt = 'pdf': allowed 'html' or 'md'"),  # "got .html"
        ({"out": "r.html", "robustness": [5]}, "robustness = [5]: allowed a folder"),
        ({"out": "r.html", "robustness": [None]}, "robustness = [None]: allowed a folder"),
        ({"out": "r.html", "robustness": b"x"}, "robustness = b'x': allowed a folder"),
        ({"out": "r.html", "robustness": {"x": 1}}, "robustness = {'x': 1}: allowed a folder"),
    ],
)
def test_a_reports_arguments_that_are_no_path_are_one_line(whole, tmp_path, kw, words):
    """build_report(out=None) and robustness=[5] raised pathlib's TypeError; fmt="pdf" beside
    r.html said "got .html"; a dict's keys were read as folders."""
    from alliance_sim import build_report

    kw = {**kw, "out": tmp_path / kw["out"] if kw["out"] else kw["out"]}
    with pytest.raises(AllianceSimError) as e:
        build_report([whole, whole.directory], **kw)
    assert words in str(e.value) and "\n" not in str(e.value)
    assert not (tmp_path / "r.html").exists()


def test_a_comparison_holds_no_more_scenarios_than_its_figures_have_colours(
    whole, tmp_path, capsys
):
    """A seventh scenario was drawn in the first one's colour (two curves of one colour under
    two names), and 50 folders were read before anything was said."""
    from alliance_sim import build_report, overlay
    from alliance_sim.report.plots import SCENARIO_COLOURS

    n = len(SCENARIO_COLOURS) + 1
    assert main(["compare", *[str(whole.directory)] * n, "--out", str(tmp_path / "x.html")]) == 2
    assert f"compare: {n} results; allowed at most {n - 1}" in one_line(capsys.readouterr().err)
    with pytest.raises(AllianceSimError, match=f"overlay: {n} results; allowed at most"):
        overlay([whole] * n, path=tmp_path / "x.png")
    with pytest.raises(AllianceSimError, match=f"build_report: {n} results; allowed at most"):
        build_report([whole] * n, out=tmp_path / "x.html")
    assert not list(tmp_path.iterdir())


def test_a_pipe_or_a_linked_manifest_is_never_taken_for_the_results_own(copy, tmp_path, capsys):
    """A pipe named summary.json was replaced by `run` (check said the command refuses it);
    a link named manifest.json was read as the folder's own, with advice the run refused
    (red-team)."""
    import os

    (copy / "summary.json").unlink(missing_ok=True)
    os.mkfifo(copy / "summary.json")
    argv = ["sweep", "armenia_exits", "--out", str(copy), "--replicates", "1", "--chunk-size", "13"]
    assert main(argv) == 2
    assert "summary.json" in one_line(capsys.readouterr().err)
    assert not (copy / "summary.json").is_file()  # the pipe is still there
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "manifest.json").symlink_to(copy / "manifest.json")
    assert main(["check", str(linked)]) == 2
    assert "manifest.json is not a file alliance-sim wrote" in one_line(capsys.readouterr().err)


def test_a_lock_file_that_is_a_folder_is_named_and_found_by_check(copy, tmp_path, capsys):
    """A folder named .alliance-sim.lock read "cannot write here (Is a directory)", naming no
    lock, and `check` said "ok" (helper-74)."""
    lock = copy / ".alliance-sim.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    assert main(["check", str(copy)]) == 1
    assert f"{lock} is a folder, not the lock alliance-sim makes" in capsys.readouterr().out
    argv = ["sweep", "armenia_exits", "--out", str(copy), "--replicates", "1", "--chunk-size", "13"]
    assert main(argv) == 2
    assert "its lock file .alliance-sim.lock is a folder" in one_line(capsys.readouterr().err)
    from alliance_sim import build_report

    with pytest.raises(TypeError, match="build_report: expected a Result"):  # [.., 5]: one line
        build_report([copy, 5], out=tmp_path / "r.html")


def test_a_result_held_in_python_refuses_to_read_a_folder_replaced_since(tmp_path):
    """A `Result` kept in a notebook read the tables of whatever the folder held later: after
    `run_scenario(..., force=True)` of another scenario into it, `outcomes_at(r, Q)` gave the
    new runs' shares under the old result's name, half its rows NaN (helper-95)."""
    import pytest

    from alliance_sim import Result, outcomes_at, run_scenario
    from alliance_sim.errors import StoreError

    out = tmp_path / "r"
    first = run_scenario("armenia_exits", out, replicates=6, quiet=True)
    held = Result.open(out)
    before = outcomes_at(held, "2028Q4")["ARM_exited"].mean()
    again = run_scenario("armenia_exits", out, replicates=6, quiet=True)  # the same: reused
    assert again.reused and outcomes_at(held, "2028Q4")["ARM_exited"].mean() == before
    run_scenario("baseline", out, replicates=4, force=True, quiet=True)
    for r in (first, held, held.design()):
        with pytest.raises(StoreError, match=r"changed after this result was read from it \(it "
                           r"now holds a run of 'Baseline', 4 runs"):  # fmt: skip
            outcomes_at(r, "2028Q4")
    assert Result.open(out).name == "Baseline"  # read again: the new one
    assert len(outcomes_at(Result.open(out), "2028Q4")) == 4


def test_a_result_read_at_an_earlier_quarter_is_read_there_in_every_column(tmp_path):
    """`outcomes_at(res, Q)` left the columns it did not recompute at the run's end:
    `n_exited` counted exits after Q (P(two or more out) 0.067 against 0.04 from the exit
    columns), `KAZ_exit_step` gave a median exit after Q, and `member_table` of that table
    said "quarter None" (helper-95)."""
    import numpy as np

    from alliance_sim import member_table, outcomes_at, run_scenario
    from alliance_sim.analysis.horizon import _read_at
    from alliance_sim.core import quarters

    res = run_scenario("western_surge", tmp_path / "w", replicates=40, quiet=True)
    # read from the stored series at the end, every column is the one the engine wrote
    at_end = _read_at(res, res.plan.end)
    for c in res.runs:
        if c in at_end.attrs["left_out"]:
            assert c.endswith(("_blocked", "_refused")) and c not in at_end
            continue
        a, b = at_end[c], res.runs[c]
        if a.dtype.kind in "fi":
            assert np.allclose(a.to_numpy(float), b.to_numpy(float), equal_nan=True), c
        else:
            assert a.equals(b), c
    q = "2028Q4"
    t = outcomes_at(res, q)
    step = quarters.steps_between(res.plan.start, q)
    exited = t[[f"{c}_exited" for c in ("BLR", "KAZ", "KGZ", "TJK", "ARM")]].fillna(0)
    assert (t["n_exited"] == exited.sum(axis=1)).all()
    for code in ("ARM", "KAZ", "KGZ"):
        s = t[f"{code}_exit_step"]
        assert (s.dropna() <= step).all() and s.notna().sum() == (t[f"{code}_exited"] == 1).sum()
        assert (t[f"{code}_min_commitment"] <= t[f"{code}_commitment"] + 1e-12).all()
    assert t.attrs["quarter"] == q and "IRN_refused" not in t
    bare = member_table(t)  # the table says its quarter and start
    assert bare.attrs["quarter"] == q
    own = member_table(res, at=q)  # (its focus members first)
    key = ["member"]
    assert (
        bare.sort_values(key)
        .reset_index(drop=True)
        .equals(own.sort_values(key).reset_index(drop=True))
    )


def test_a_thinned_result_read_at_an_earlier_quarter_names_its_windows(tmp_path):
    """`outcomes_at` of an `every:4` result gave `ARM_min_commitment`, `ARM_ever_suspended`
    and `cohesion_min` over the recorded quarters only, with no sign of it in the table (the
    comparison drops them; a notebook did not know to): `attrs["over_recorded"]` names them,
    and every quarter recorded, the list is empty."""
    from alliance_sim import outcomes_at, run_scenario

    thin = run_scenario("western_surge", tmp_path / "t", replicates=30, record="every:4",
                        quiet=True)  # fmt: skip
    full = run_scenario("western_surge", tmp_path / "f", replicates=30, quiet=True)
    from alliance_sim.analysis.horizon import recorded_quarters

    q = [x for x in recorded_quarters(thin) if x < thin.plan.end][-2]
    t, f = outcomes_at(thin, q), outcomes_at(full, q)
    named = set(t.attrs["over_recorded"])
    assert {"ARM_min_commitment", "ARM_ever_suspended", "cohesion_min", "cohesion_mean"} <= named
    assert not named & {"ARM_commitment", "ARM_exited", "cohesion_final"}
    assert (
        f.attrs["over_recorded"] == []
        and outcomes_at(thin, thin.plan.end).attrs["over_recorded"] == []
    )
    # the flag is not idle: the same runs read over every quarter reach lower
    low_t, low_f = t["cohesion_min"].to_numpy(), f["cohesion_min"].to_numpy()
    assert (low_f <= low_t + 1e-12).all() and (low_f < low_t - 1e-9).any()


def test_a_held_result_read_while_another_process_writes_its_folder_says_so(tmp_path):
    """`Result.arrow` (what `outcomes_at`, the aggregates and the observables read through)
    took no readers' lock: a `Result` held in a notebook while another process ran `sweep
    --force` into its folder was told a part was "missing ... damaged" (helper-98). Under
    the lock, it is told the folder is being written."""
    import subprocess
    import sys

    from alliance_sim import outcomes_at, run_scenario
    from alliance_sim.errors import AllianceSimError

    res = run_scenario("western_surge", tmp_path / "w", replicates=4, quiet=True)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from alliance_sim.runs.locks import writer\n"
        "with writer(Path(sys.argv[1])):\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code, str(res.directory)], stdout=subprocess.PIPE,
                         text=True)  # fmt: skip
    try:
        assert p.stdout.readline().strip() == "held"
        for read in (
            lambda: res.arrow("timeseries", ["run"]),
            lambda: outcomes_at(res, "2028Q4"),
            lambda: res.read("alliance"),
        ):
            with pytest.raises(AllianceSimError, match="being written by another alliance-sim"):
                read()
    finally:
        p.kill()
        p.wait()
    assert len(outcomes_at(res, "2028Q4")) == 4  # once it is done, read as before


def test_two_plots_into_one_folder_at_once_do_not_mix_their_figures(tmp_path, capsys):
    """Two `plot`s into one `--out` at once wrote one result's fan chart beside the other's
    status chart, each checking the folder before either wrote: the second is refused in one
    line (exit 2) while the first draws, nothing of it written, and the lock is not a file in
    the user's folder."""
    from alliance_sim import run_scenario
    from alliance_sim.cli.main import main
    from conftest import held_by_another_process

    a = run_scenario("western_surge", tmp_path / "a", replicates=4, quiet=True)
    figs = tmp_path / "figs"
    figs.mkdir()
    with held_by_another_process(figs):
        assert main(["plot", str(a.directory), "--out", str(figs)]) == 2
        err = capsys.readouterr().err.strip()
        assert (
            "being written by another alliance-sim process (this one would be drawing "
            "figures into it)" in err
        ), err  # (not what the other does: helper-122)
        assert len(err.splitlines()) == 1 and list(figs.iterdir()) == []
    assert main(["plot", str(a.directory), "--out", str(figs)]) == 0  # then as before
    assert sorted(f.name for f in figs.iterdir()) == ["cohesion.png", "fan.png", "status.png"]


def test_check_names_figures_of_other_runs_in_a_result_folder(tmp_path, capsys):
    """`plot out/b --out out/a` put b's figures beside a's tables (`plot` says so once);
    `check out/a` later said nothing of them, and a reader took them for a's. It names them
    now; a folder holding only its own figures gets no note."""
    from alliance_sim.cli.main import main

    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "western_surge", "--replicates", "4", "--out", str(a), "--quiet"]) == 0
    assert main(["run", "remittance_shock", "--replicates", "4", "--out", str(b), "--quiet"]) == 0
    assert main(["plot", str(a), "--out", str(a), "--kind", "fan"]) == 0
    capsys.readouterr()
    assert main(["check", str(a)]) == 0
    assert "drawn from other runs" not in capsys.readouterr().out  # its own figures only
    assert main(["plot", str(b), "--out", str(a), "--kind", "status", "--kind", "cohesion"]) == 0
    capsys.readouterr()
    assert main(["check", str(a)]) == 0
    out = capsys.readouterr().out
    note = [x for x in out.splitlines() if "drawn from other runs" in x]
    assert len(note) == 1 and "cohesion.png, status.png in" in note[0], out
    assert "fan.png" not in note[0] and "commitment.png" not in note[0]


def test_an_export_of_replaced_runs_is_named_by_check_and_export(tmp_path, capsys):
    """After `run ... --force` replaced a result, `check` said "ok" beside its `csv/`, an
    export of the runs it replaced, and `export` refused with "already holds runs.csv"
    without saying whose (helper-99)."""
    from alliance_sim.cli.main import main

    d = tmp_path / "k"
    assert main(["run", "western_surge", "--replicates", "6", "--out", str(d), "--quiet"]) == 0
    assert main(["export", str(d)]) == 0
    capsys.readouterr()
    assert main(["check", str(d)]) == 0
    assert "holds an export of other runs" not in capsys.readouterr().out  # its own export
    argv = ["run", "western_surge", "--replicates", "4", "--out", str(d), "--quiet", "--force"]
    assert main([*argv, "--end", "2028Q4"]) == 0
    capsys.readouterr()
    assert main(["check", str(d)]) == 0
    out = capsys.readouterr().out
    assert f"note: {d / 'csv'} holds an export of other runs than these (run of " in out, out
    assert "6 runs to 2034Q4" in out and f"alliance-sim export {d} --force" in out
    assert main(["export", str(d)]) == 2
    err = capsys.readouterr().err
    assert "already holds runs.csv, an export of other runs" in err and "6 runs to 2034Q4" in err
    assert err.count("\n") == 1
    assert main(["export", str(d), "--force"]) == 0
    capsys.readouterr()
    assert main(["check", str(d)]) == 0
    assert "holds an export of other runs" not in capsys.readouterr().out


def test_a_tables_quarters_are_ordered_in_time(tmp_path):
    """`res.read("timeseries")["quarter"].max()` raised "Categorical is not ordered"
    (helper-95): the quarters come back ordered in time, whatever order the parts list them."""
    from alliance_sim import run_scenario

    res = run_scenario("western_surge", tmp_path / "w", replicates=3, quiet=True)
    for table in ("timeseries", "alliance"):
        q = res.read(table)["quarter"]
        assert q.cat.ordered and q.max() == res.plan.end and q.min() == res.plan.start
        assert list(q.cat.categories) == sorted(q.cat.categories)
        later = q > "2028Q4"
        assert later.any() and (q[later].astype(str) > "2028Q4").all()


def test_check_names_sensitivity_tables_of_runs_a_force_replaced(tmp_path, monkeypatch, capsys):
    """`sensitivity` and `discover` tables in a result folder carry no mark of their result:
    after `sweep --force`, `check` said "ok" beside tables of the runs it replaced
    (helper-100). It names those written before these runs began."""
    import os
    import time

    from alliance_sim.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "cs.toml").write_text(
        'name = "cs small"\nextends = "china_security_push"\nend = "2028Q4"\n[sweep]\n'
        'sampler = "saltelli"\nsamples = 4\nreplicates = 2\nseed = 3\n[sweep.parameters]\n'
        '"region.chinese_offer" = { low = 0.05, high = 0.3 }\n'
        '"region.china_security_weight" = { low = 0.2, high = 1.0 }\n'
    )
    assert main(["sweep", "cs.toml", "--out", "out", "--quiet"]) == 0
    assert main(["sensitivity", "out", "--outcome", "cohesion_final"]) == 0
    capsys.readouterr()
    assert main(["check", "out"]) == 0
    assert "written before these runs began" not in capsys.readouterr().out
    table = tmp_path / "out" / "sensitivity_cohesion_final.csv"
    then = time.time() - 5  # (the folder's times have a second's grain)
    os.utime(table, (then, then))
    assert main(["sweep", "cs.toml", "--out", "out", "--quiet", "--force", "--seed", "9"]) == 0
    capsys.readouterr()
    assert main(["check", "out"]) == 0
    out = capsys.readouterr().out
    assert "note: sensitivity_cohesion_final.csv in out was written before these runs" in out, out


def test_red_team_of_the_consistency_fixes(tmp_path):
    """helper-101: an estimate printed outside its interval ("2.5% [1%, 2%]" of 1%-2.5%); one
    replicate per point said nothing of noise; the command named for a file in a folder with
    spaces could not be pasted; an export over a FIFO hung."""
    import os
    import signal

    from alliance_sim.analysis import reliability
    from alliance_sim.analysis.sensitivity import analyse
    from alliance_sim.analysis.stats import percent_interval
    from alliance_sim.report.robustness import rests_on
    from alliance_sim.runs.export import export
    from alliance_sim.runs.results import Result
    from test_analysis import fake_sweep

    assert percent_interval(0.025, 0.01, 0.025) == "2.5% [1.0%, 2.5%]"
    assert percent_interval(0.125, 0.05, 0.125) == "12.5% [5.0%, 12.5%]"
    d = fake_sweep(tmp_path, "saltelli", 16, replicates=1)
    res = Result.open(d)
    lines = reliability.noise_lines(res, analyse(res, "ishigami"))
    assert any("one replicate per point: the replicate noise" in x for x in lines), lines
    f = tmp_path / "my dir" / "west arm.toml"
    f.parent.mkdir()
    f.write_text('name = "West arm"\nextends = "baseline"\n')
    from alliance_sim import load_scenario

    own = load_scenario(f).hash  # the file as run (another hash: changed in Python)
    said = rests_on("west arm", str(f), own, "2034Q4", compared_at="2028Q4")
    assert f"alliance-sim robustness '{f}' --end 2028Q4 --out DIR" in said[0], said
    from pathlib import Path

    from alliance_sim.report.labels import scenario_arg

    home = Path.home() / "my dir" / "x.toml"  # quoted, and ~ left for the shell to expand
    assert scenario_arg(str(home)) == "~/'my dir/x.toml'"
    from alliance_sim import run_scenario

    r = run_scenario("western_surge", tmp_path / "w", replicates=3, quiet=True)
    (r.directory / "csv").mkdir()
    for t in ("runs", "alliance", "timeseries"):
        (r.directory / "csv" / f"{t}.csv").write_text("")
    os.mkfifo(r.directory / "csv" / "manifest.json")
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("hung")))
    signal.alarm(20)
    try:
        with pytest.raises(Exception) as got:  # refused (the files are not its export)
            export(r.directory)
    finally:
        signal.alarm(0)
    assert not isinstance(got.value, TimeoutError)


def test_a_held_result_whose_folder_was_deleted_says_so(tmp_path):
    """A `Result` whose folder was deleted was told to "read it again with Result.open(...)",
    which could not work (helper-102)."""
    import shutil

    from alliance_sim import outcomes_at, run_scenario
    from alliance_sim.errors import AllianceSimError

    r = run_scenario("western_surge", tmp_path / "gone", replicates=2, quiet=True)
    shutil.rmtree(tmp_path / "gone")
    with pytest.raises(AllianceSimError, match="the folder this result was read from is gone"):
        outcomes_at(r, "2028Q4")
