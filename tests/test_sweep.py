"""The sweep engine: same data whatever executes it; interruption loses nothing."""

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_sim import load_scenario, sweep
from alliance_sim.core.outcomes import outcome_names
from alliance_sim.engines import chunk as eng
from alliance_sim.runs.execute import CHUNK, Progress, default_chunk_size, start_method_for
from alliance_sim.runs.store import StoreError
from alliance_sim.scenario.plan import make_plan, replicate_seed, run_id

SMALL = dict(replicates=2)  # armenia_exits: 25 grid points x 2 = 50 runs


def same(a, b):
    for table in ("runs", "timeseries", "alliance"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return sweep("armenia_exits", tmp_path_factory.mktemp("ref") / "w1", workers=1, **SMALL)


def test_two_spawned_workers_and_other_chunking_give_identical_data(reference, tmp_path):
    two = sweep(
        "armenia_exits", tmp_path / "w2", workers=2, start_method="spawn", chunk_size=7, **SMALL
    )
    same(reference, two)
    assert len(reference.runs) == 50 and reference.runs["error"].isna().all()


def test_forked_workers_give_identical_data(reference, tmp_path):
    two = sweep(
        "armenia_exits", tmp_path / "fork", workers=2, start_method="fork", chunk_size=9, **SMALL
    )
    same(reference, two)


def test_auto_start_method_forks_only_a_single_threaded_linux_process(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert start_method_for("auto") == "fork"
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # e.g. a Jupyter kernel
    assert start_method_for("auto") == "spawn"
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "darwin")  # system libraries are not fork-safe
    assert start_method_for("auto") == "spawn"
    assert start_method_for("spawn") == "spawn"
    for bad in ("thread", "forkserver"):  # forkserver workers could not follow their parent
        with pytest.raises(ValueError, match=r"allowed: auto, fork, spawn$"):
            start_method_for(bad)


@pytest.mark.parametrize("workers, executor", [(1, "local"), (2, "local"), (2, "dask")])
def test_a_bad_start_method_is_refused_before_the_directory_is_touched(tmp_path, workers, executor):
    with pytest.raises(ValueError, match="unknown start method 'bogus'"):
        sweep("armenia_exits", tmp_path / "b", workers=workers, executor=executor,
              start_method="bogus", **SMALL)  # fmt: skip
    assert not (tmp_path / "b").exists()


def test_dask_local_cluster_gives_identical_data(reference, tmp_path, recwarn):
    """...and says nothing when port 8787 is taken (a user's own Dask dashboard; a run of
    the suite beside another made its HTTP server warn in five lines)."""
    import socket

    pytest.importorskip("distributed")
    held = socket.socket()
    try:
        held.bind(("127.0.0.1", 8787))
        held.listen()
    except OSError:  # taken already: the case this checks
        pass
    try:
        dk = sweep("armenia_exits", tmp_path / "dask", workers=2, executor="dask", **SMALL)
    finally:
        held.close()
    same(reference, dk)
    assert not [w for w in recwarn if "8787" in str(w.message)]


def test_mesa_engine_gives_identical_data(tmp_path):
    a = sweep("iran_joins", tmp_path / "b", replicates=1, samples=None, chunk_size=5)
    m = sweep("iran_joins", tmp_path / "m", replicates=1, engine="mesa", chunk_size=4)
    same(a, m)


def test_common_random_numbers_and_run_ids():
    plan = make_plan(load_scenario("armenia_exits"), replicates=3)
    runs = list(plan.runs())
    by_rep = {}
    for r in runs:
        by_rep.setdefault(r.replicate, set()).add(r.seed)
    assert all(len(s) == 1 for s in by_rep.values())  # replicate k: one seed at every point
    assert len({r.run_id for r in runs}) == len(runs)
    # the ids a plan hands out (hashed per point) are run_id()'s, byte for byte
    sc = plan.scenario
    assert all(r.run_id == run_id(sc.hash, r.values, r.seed, plan.version) for r in runs)
    assert list(plan.runs(40, 47)) == runs[40:47]  # any slice: the same runs
    assert replicate_seed(7, 0) != replicate_seed(7, 1) != replicate_seed(8, 1)
    other = make_plan(load_scenario("western_surge"), replicates=3, seed=7)
    assert other.seeds() == plan.seeds()  # same master seed -> paired across scenarios


def test_foreign_or_different_directory_is_refused_unless_forced(reference, tmp_path):
    d = tmp_path / "d"
    shutil.copytree(reference.directory, d)
    with pytest.raises(StoreError, match=r"holds another sweep .*2 replicates, not 3.*force=True"):
        sweep("armenia_exits", d, replicates=3)
    extra = d / "runs.parquet" / "part-000099.parquet"  # named like a part; not the plan's
    shutil.copy(d / "runs.parquet" / "part-000000.parquet", extra)
    with pytest.raises(
        StoreError, match=r"part-000099\.parquet is not a part the sweep .*wrote; move it out"
    ):
        sweep("armenia_exits", d, replicates=3, force=True)
    assert extra.is_file()  # --force removes only what the replaced sweep wrote (red team)
    assert (d / "manifest.json").is_file()  # refused before anything was deleted
    extra.rename(tmp_path / "mine.parquet")  # as the message says, then the same command
    again = sweep("armenia_exits", d, replicates=3, force=True)
    assert len(again.runs) == 75
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    with pytest.raises(StoreError, match="files that are not a result"):
        sweep("armenia_exits", mine, **SMALL)
    assert (mine / "thesis.docx").read_text() == "precious"
    # refused, the sweep leaves nothing behind, not even its lock file; nor does a reader
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"]
    from alliance_sim.cli.main import main

    assert main(["check", str(mine)]) == 2
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"]


def test_a_directory_written_by_another_model_is_not_resumed(reference, tmp_path, monkeypatch):
    """Runs of two models never share a table: the equations, registry or data changed (the
    package version need not), so the same command refuses the old folder and says why."""
    from alliance_sim.runs.results import Manifest
    from alliance_sim.scenario import stamp

    d = tmp_path / "d"
    shutil.copytree(reference.directory, d)
    was = Manifest.read(d).model
    assert len(was) == 16  # recorded by the sweep that wrote it
    sweep("armenia_exits", d, **SMALL)  # the same model: a complete sweep, nothing to do
    monkeypatch.setattr(stamp, "code_stamp", lambda: "an edited kernel")
    with pytest.raises(StoreError, match=rf"holds another sweep .*model {was}, not \w{{16}}: its"):
        sweep("armenia_exits", d, **SMALL)
    monkeypatch.undo()
    m = Manifest.read(d)  # a folder written before the model was recorded
    m.model, m.fingerprint = "", "computed without a model"
    m.write(d)
    with pytest.raises(StoreError, match="written before results recorded their model"):
        sweep("armenia_exits", d, **SMALL)
    assert len(sweep("armenia_exits", d, force=True, **SMALL).runs) == 50


@pytest.mark.parametrize("chunk_size", [None, 1])  # 1: chunks in which every run fails
def test_a_failing_run_is_recorded_and_the_sweep_goes_on(
    reference, tmp_path, monkeypatch, chunk_size
):
    bad_seed = int(reference.runs["seed"].iloc[3])
    real = eng.run_chunk

    def flaky(specs, seeds, engine="batch", every=1):
        if any(
            sd == bad_seed and sp.params["western_offer"] == 0.05
            for sp, sd in zip(specs, seeds, strict=True)
        ):
            raise FloatingPointError("boom")
        return real(specs, seeds, engine, every)

    monkeypatch.setattr(eng, "run_chunk", flaky)
    res = sweep("armenia_exits", tmp_path / "f", chunk_size=chunk_size, **SMALL)
    assert list(res.runs.columns) == list(reference.runs.columns)
    assert res.runs["error"].dtype == pd.StringDtype()  # NA where the run ran
    assert list(res.runs.columns).index("IRN_joined") < list(res.runs.columns).index("n_exited")
    failed = res.runs[res.runs["error"].notna()]
    assert len(failed) == 5 and failed["error"].str.contains("FloatingPointError: boom").all()
    assert failed["ARM_commitment"].isna().all() and res.n_failed == 5
    assert res.manifest.status == "complete"
    ok = res.runs[res.runs["error"].isna()].reset_index(drop=True)
    ref = reference.runs[reference.runs["run"].isin(ok["run"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(ok, ref)
    assert set(res.timeseries["run"]) == set(ok["run"])


def test_killed_sweep_resumes_to_identical_data(tmp_path):
    exe = shutil.which("alliance-sim") or str(Path(sys.executable).with_name("alliance-sim"))
    out = tmp_path / "killed"
    cmd = [
        exe,
        "sweep",
        "armenia_exits",
        "--out",
        str(out),
        "--replicates",
        "4",
        "--chunk-size",
        "5",
        "--quiet",
    ]
    # the Mesa engine is slow enough to be caught mid-way; its data equal the batch engine's
    proc = subprocess.Popen(
        [*cmd, "--engine", "mesa"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if len(list((out / "runs.parquet").glob("part-*.parquet"))) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(list((out / "runs.parquet").glob("part-*.parquet")))
    assert 3 <= written < 20, "the sweep was not caught mid-way"
    # a chunk counts as stored once its records are in the journal (a kill can fall between
    # its last file's rename and that line: then it is computed again)
    stored = len((out / "chunks.jsonl").read_text().splitlines())
    assert written - 1 <= stored <= written
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["resumes"][-1]["runs_done"] == 5 * stored
    whole = sweep("armenia_exits", tmp_path / "whole", replicates=4)
    resumed = sweep("armenia_exits", out, replicates=4)  # complete: just reads it
    same(whole, resumed)


def test_record_thins_the_time_series_but_not_the_outcomes(reference, tmp_path):
    end = sweep("armenia_exits", tmp_path / "end", record="end", **SMALL)
    every = sweep("armenia_exits", tmp_path / "e4", record="every:4", **SMALL)
    pd.testing.assert_frame_equal(end.runs, reference.runs)
    pd.testing.assert_frame_equal(every.runs, reference.runs)
    n = load_scenario("armenia_exits").n_steps  # 40 quarters: 2024Q4 to 2034Q4
    assert sorted(end.timeseries["step"].unique()) == [0, n]
    assert sorted(every.timeseries["step"].unique()) == sorted({*range(0, n + 1, 4), n})
    with pytest.raises(ValueError, match="every:N"):
        sweep("armenia_exits", tmp_path / "x", record="sometimes", **SMALL)


def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        p = Progress(100, stream=stream)
        p.update(40)
        p.update(60)
        p.close()
    assert "100/100" in tty.getvalue() and "run/s" in tty.getvalue()
    assert pipe.getvalue() == ""
    quiet = Tty()
    p = Progress(10, quiet=True, stream=quiet)
    p.update(10)
    assert quiet.getvalue() == ""


def test_sweep_from_code_without_a_main_file(tmp_path):
    """As in Jupyter: __main__ has no importable file; spawned workers must still start."""
    code = (
        f"from alliance_sim import sweep\n"
        f"r = sweep('armenia_exits', {str(tmp_path / 'nb')!r}, replicates=1, workers=2)\n"
        f"print(len(r.runs))\n"
    )
    r = subprocess.run(
        [sys.executable, "-"], input=code, capture_output=True, text=True, timeout=180, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "25"


def test_plan_streams_runs():
    plan = make_plan(load_scenario("baseline"), samples=2000, replicates=50)
    it = plan.runs()
    assert plan.n_runs == 100_000 and not isinstance(it, list)
    first = next(it)
    assert first.run == 0 and np.isfinite(first.values["western_offer"])


def test_outcome_names_are_the_runs_table_columns_in_order(reference):
    names = outcome_names()
    assert [c for c in reference.runs.columns if c in set(names)] == names


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_default_chunks_are_equal_shares_of_at_most_1000_runs(workers):
    """Every worker gets the same number of tasks, at least two once there are 50 runs a
    worker; no task is larger than CHUNK or (unless the sweep is tiny) smaller than 25."""
    for n in [1, 24, 25, 100, 999, 2_000, 5_000, 20_000, 21_000, 123_457, 200_000]:
        size = default_chunk_size(n, workers)
        tasks = -(-n // size)
        assert 25 <= size <= CHUNK, (n, size)
        if n >= 50 * workers:
            assert tasks >= 2 * workers and tasks % workers == 0, (n, workers, size, tasks)
        if n >= 10 * CHUNK * workers:
            assert size > 0.9 * CHUNK  # big sweeps keep the engine's best size
    assert default_chunk_size(2_000, 2) == 500 and default_chunk_size(21_000, 2) == 955


def test_by_point_keeps_a_point_whose_runs_all_failed(tmp_path, monkeypatch):
    """by_point.csv left out a design point whose every run failed, so a reader saw 20 rows
    of a 25-point grid and no word of the missing five (helper-100's list)."""
    from alliance_sim.analysis.by_point import by_point

    real = eng.run_chunk

    def failing(specs, seeds, engine="batch", every=1):
        if any(sp.params["western_offer"] == 0.05 for sp in specs):
            raise FloatingPointError("boom")
        return real(specs, seeds, engine, every)

    monkeypatch.setattr(eng, "run_chunk", failing)
    res = sweep("armenia_exits", tmp_path / "f", chunk_size=1, **SMALL)
    table = by_point(res)
    assert len(table) == res.runs["point"].nunique() == 25
    lost = table[table["western_offer"] == 0.05]
    assert len(lost) == 5 and (lost["n"] == 0).all() and (lost["failed"] == 2).all()
    assert lost["ARM_p_exit"].isna().all() and (lost["ARM_n"] == 0).all()
    kept = table[table["western_offer"] != 0.05]
    assert (kept["n"] == 2).all() and (kept["failed"] == 0).all()
    assert kept["ARM_p_exit"].notna().all()
