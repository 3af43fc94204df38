"""Kills at every stage of a sweep (computing, merging, marking complete, cleaning up), with
workers, and two writers at once: the same command then resumes to data equal to an
uninterrupted sweep, with no orphan process and no stray temporary file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pandas as pd
import pytest

from alliance_sim import sweep
from alliance_sim.runs import store as store_module
from alliance_sim.runs.store import LOCK

psutil = pytest.importorskip("psutil")
EXE = shutil.which("alliance-sim") or str(Path(sys.executable).with_name("alliance-sim"))
KW = dict(replicates=1, chunk_size=13)  # armenia_exits: 25 runs in 2 chunks


def same(a, b) -> None:
    for t in ("runs", "timeseries", "alliance"):
        pd.testing.assert_frame_equal(a.read(t), b.read(t))


def clean(d: Path) -> None:
    """A finished directory: our files and the lock, no temporary file, no chunk."""
    names = sorted(p.name for p in d.iterdir() if p.name not in ("summary.json", "by_point.csv"))
    assert names == sorted(
        [LOCK, "alliance.parquet", "manifest.json", "runs.parquet", "timeseries.parquet"]
    ), names
    assert json.loads((d / "manifest.json").read_text())["status"] == "complete"


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    return sweep("armenia_exits", tmp_path_factory.mktemp("whole") / "w", **KW)


class Killed(BaseException):
    """Stands for SIGKILL: raised at a disk operation, and at every one after it, so the
    process leaves the disk exactly as a kill at that moment would."""


def _crash_at(monkeypatch, k: int | None) -> list[str]:
    """Count (k None) or kill at the k-th rename, unlink or rmdir of the sweep."""
    seen: list[str] = []
    real = {"replace": os.replace, "unlink": Path.unlink, "rmdir": Path.rmdir}

    def hook(name):
        def op(*a, **kw):
            seen.append(f"{name} {Path(a[0]).name}")
            if k is not None and len(seen) > k:
                raise Killed(seen[-1])
            return real[name](*a, **kw)

        return op

    real["journal"] = store_module.append_journal

    def journal(directory, i, records):
        seen.append(f"journal chunk {i}")
        if k is not None and len(seen) > k:
            raise Killed(seen[-1])
        return real["journal"](directory, i, records)

    monkeypatch.setattr(os, "replace", hook("replace"))
    monkeypatch.setattr(Path, "unlink", hook("unlink"))
    monkeypatch.setattr(Path, "rmdir", hook("rmdir"))
    monkeypatch.setattr(store_module, "append_journal", journal)
    return seen


def test_a_kill_at_every_disk_operation_resumes_to_identical_data(whole, tmp_path):
    with pytest.MonkeyPatch.context() as mp:
        ops = _crash_at(mp, None)
        sweep("armenia_exits", tmp_path / "count", **KW)
    # every stage is met: chunks written in place (runs last), each recorded in the journal,
    # manifest marked complete with every part's record, journal removed; no merge
    for stage in (".part-000001.parquet.tmp", "journal chunk 1", ".manifest.json.tmp"):
        assert any(stage in o for o in ops), (stage, ops)
    assert not any(o.startswith("rmdir") for o in ops), ops
    assert [o for o in ops if o.startswith("unlink")] == ["unlink chunks.jsonl"], ops
    assert ops[-2].startswith("replace .manifest.json") and len(ops) == 11, ops
    for k in range(len(ops)):
        d = tmp_path / f"k{k}"
        with pytest.MonkeyPatch.context() as mp:
            _crash_at(mp, k)
            with pytest.raises(Killed):
                sweep("armenia_exits", d, **KW)
        resumed = sweep("armenia_exits", d, **KW)  # the same command again
        same(whole, resumed)
        clean(d)


def test_a_kill_at_every_step_of_the_clean_up_of_force_resumes(whole, tmp_path):
    """--force first deletes the old sweep's files (parts, table folders, manifest last): a
    kill at any of those steps, then the same command, gives the new sweep's data."""
    other = sweep("armenia_exits", tmp_path / "other", replicates=2, chunk_size=13)
    with pytest.MonkeyPatch.context() as mp:
        d = tmp_path / "count"
        shutil.copytree(other.directory, d)
        ops = _crash_at(mp, None)
        sweep("armenia_exits", d, force=True, **KW)
    n_clear = next(i for i, o in enumerate(ops) if o == "unlink manifest.json") + 1
    assert any(o == "rmdir timeseries.parquet" for o in ops[:n_clear]), ops
    for k in range(n_clear):
        d = tmp_path / f"f{k}"
        shutil.copytree(other.directory, d)
        with pytest.MonkeyPatch.context() as mp:
            _crash_at(mp, k)
            with pytest.raises(Killed):
                sweep("armenia_exits", d, force=True, **KW)
        same(whole, sweep("armenia_exits", d, force=True, **KW))
        clean(d)


def _tree(pid: int) -> list:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _slow_sweep(out: Path, **popen) -> tuple[list[str], subprocess.Popen, list]:
    """Start ``alliance-sim sweep`` of KW's runs with 2 workers on the Mesa engine (slow
    chunks of one run each, 25 of them, so it can be caught mid-way even on a loaded machine)
    and wait until a chunk is stored.  Returns the command to resume it with (batch engine:
    the same data), the process and its workers."""
    cmd = [EXE, "sweep", "armenia_exits", "--out", str(out), "--replicates", "1"]
    cmd += ["--chunk-size", "1", "--quiet", "--workers", "2"]
    # as from a terminal: Ctrl-C at its default even when this test runs in a background job
    # (a non-interactive shell starts those with SIGINT ignored, and the child inherits that)
    proc = subprocess.Popen(
        [*cmd, "--engine", "mesa"], text=True, preexec_fn=_sigint_default, **popen
    )
    deadline = time.time() + 120
    kids: list = []
    while time.time() < deadline:
        kids = _tree(proc.pid) or kids
        if len(kids) >= 2 and list((out / "runs.parquet").glob("part-*.parquet")):
            break
        time.sleep(0.02)
    assert len(kids) >= 2, "workers not seen"
    return cmd, proc, kids


def _resumes_whole(whole, cmd: list[str], out: Path, kids: list) -> None:
    """No worker is left; the sweep was caught mid-way; the same command finishes it with
    the data of an uninterrupted sweep and leaves only our files."""
    _gone, alive = psutil.wait_procs(kids, timeout=10)
    assert not alive, [p.cmdline() for p in alive]
    assert len(list((out / "runs.parquet").glob("part-*.parquet"))) < 25, "not caught mid-way"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    same(whole, sweep("armenia_exits", out, **KW))
    clean(out)


def test_kill_9_of_the_parent_leaves_no_worker_and_resumes(whole, tmp_path):
    out = tmp_path / "k9"
    cmd, proc, kids = _slow_sweep(out, stdout=subprocess.DEVNULL)
    proc.send_signal(signal.SIGKILL)  # the parent only: its workers must follow by themselves
    proc.wait()
    _resumes_whole(whole, cmd, out, kids)


def test_ctrl_c_of_a_sweep_with_forked_workers_keeps_chunks_and_resumes(whole, tmp_path):
    """Ctrl-C in a terminal reaches the whole process group: the parent and its forked
    workers.  The command says so in one line (exit 130), leaves no worker, and the same
    command finishes the sweep with the data of an uninterrupted one."""
    out = tmp_path / "int"
    cmd, proc, kids = _slow_sweep(out, start_new_session=True, stderr=subprocess.PIPE)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and len(err.strip().splitlines()) == 1, err  # one line
    assert "run the same command again to resume" in err
    _resumes_whole(whole, cmd, out, kids)


def test_a_worker_killed_mid_sweep_is_one_line_and_the_sweep_resumes(whole, tmp_path):
    out = tmp_path / "kw"
    cmd, proc, kids = _slow_sweep(out, stderr=subprocess.PIPE)
    kids[0].kill()  # the out-of-memory killer, say
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1, err
    assert "a worker process died" in err and "run the same command again" in err
    _resumes_whole(whole, cmd, out, kids)


def test_a_second_writer_gets_one_line_and_nothing_is_left(whole, tmp_path):
    out = tmp_path / "two"
    out.mkdir()
    cmd = [EXE, "sweep", "armenia_exits", "--out", str(out), "--replicates", "1", "--quiet"]
    with filelock.FileLock(out / LOCK, timeout=0):  # another process is writing
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "being written by another" in r.stderr, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [LOCK]
    # two at once for real: each ends cleanly (0, or 2 with the one line), data whole
    procs = [
        subprocess.Popen([*cmd, "--chunk-size", "10"], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    for code, err in results:
        assert code in (0, 2) and "Traceback" not in err, err
        assert code == 0 or "being written by another" in err
    if any(code == 2 for code, _ in results):
        assert subprocess.run([*cmd, "--chunk-size", "10"], timeout=180).returncode == 0
    same(whole, sweep("armenia_exits", out, **KW))
    clean(out)


def test_force_replaces_only_our_files_and_never_follows_links(whole, tmp_path):
    out = tmp_path / "res"
    shutil.copytree(whole.directory, out)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.csv").write_text("keep me")
    (out / "link").symlink_to(precious)  # a link to a folder inside a result directory
    (out / "notes.txt").write_text("mine")
    (out / "chunks").mkdir()
    (out / "chunks" / "mine.txt").write_text("mine too")
    again = sweep("armenia_exits", out, replicates=2, force=True)
    assert len(again.runs) == 50
    assert (precious / "data.csv").read_text() == "keep me" and (out / "link").is_symlink()
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "chunks" / "mine.txt").read_text() == "mine too"


@pytest.mark.skipif(sys.platform != "linux", reason="prctl PDEATHSIG is Linux-only")
def test_viz_stops_its_server_on_sigterm(tmp_path):
    pytest.importorskip("solara")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [EXE, "viz", "--port", str(port), "--no-browser"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    deadline = time.time() + 60
    kids: list = []
    while time.time() < deadline and not kids:
        kids = _tree(proc.pid)
        time.sleep(0.2)
    assert kids, "solara did not start"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) is not None
    _gone, alive = psutil.wait_procs(kids, timeout=15)
    for p in alive:
        p.kill()
    assert not alive, "the solara child outlived alliance-sim viz"
