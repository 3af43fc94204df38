"""Red-team of the command line's input handling (2026-12-05): inputs that ran, warned on
stderr or were ignored without a word now get one line naming the key or option and what is
allowed, with exit status 2, before anything is written."""

import re
import warnings
from pathlib import Path

import pytest

from alliance_sim.cli.main import main

SWEEP = """name = "w"
description = "w"
extends = "baseline"
end = "2026Q4"

[[events]]
id = "p"
at = "2025Q2"
type = "pressure"
member = "KAZ"
size = 0.5
duration = 2

[sweep]
{sweep}
replicates = 1

[sweep.parameters]
{axes}
"""


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("sweep", "axes", "said"),
    [
        # a grid's levels between whole numbers: the runs at 3.33 failed one by one, exit 0
        ('sampler = "grid"\nlevels = 4', "exit_patience = { low = 1, high = 8 }", "1, 3.33333"),
        # an event's whole-number field drawn at random: 2.297 recorded, 2 run
        ('sampler = "lhs"\nsamples = 3', '"events.p.duration" = { low = 1, high = 3.99 }', "list"),
        # scipy's and SALib's warnings on stderr, and the sweep ran
        ('sampler = "sobol"\nsamples = 6', "contagion = { low = 0, high = 0.5 }", "4 or 8"),
        (
            'sampler = "morris"\nsamples = 3\nlevels = 5',
            "contagion = { low = 0, high = 0.5 }",
            "4 or 6",
        ),
    ],
)
def test_a_design_that_cannot_run_as_written_is_refused(tmp_path, capsys, sweep, axes, said):
    path = tmp_path / "w.toml"
    path.write_text(SWEEP.format(sweep=sweep, axes=axes))
    assert main(["validate", str(path)]) == 2
    assert said in _one_line(capsys)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    capsys.readouterr()
    assert not (tmp_path / "o").exists()


def test_designs_that_can_run_as_written_still_do(tmp_path, capsys):
    for sweep, axes in (
        ('sampler = "grid"\nlevels = 4', "exit_patience = { low = 1, high = 4 }"),  # 1, 2, 3, 4
        ('sampler = "lhs"\nsamples = 3', "exit_patience = { low = 1, high = 8 }"),  # rounded
        ('sampler = "lhs"\nsamples = 3', '"events.p.duration" = [1, 2, 3]'),
        ('sampler = "morris"\nsamples = 2', "contagion = { low = 0, high = 0.5 }"),  # levels 4
    ):
        path = tmp_path / "w.toml"
        path.write_text(SWEEP.format(sweep=sweep, axes=axes))
        assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    capsys.readouterr()


def test_options_a_sweep_would_ignore_are_refused(tmp_path, capsys):
    """--samples on a grid gave 25 points (the manifest said samples 3); --scheduler without
    --executor dask ran locally; --scheduler '' started a local cluster."""
    out = str(tmp_path / "o")
    for extra, said in (
        (["--samples", "3"], "sweeps a grid"),
        (["--scheduler", "tcp://127.0.0.1:1"], "only with the dask executor"),
        (["--executor", "dask", "--scheduler", ""], "allowed an address"),
    ):
        assert main(["sweep", "armenia_exits", "--out", out, "--replicates", "1", *extra]) == 2
        assert said in _one_line(capsys)
        assert not (tmp_path / "o").exists()


def test_sensitivity_and_plot_refuse_what_is_not_an_outcome(tmp_path, capsys):
    """Sobol indices of the design-point number were written, a response of a swept value
    to itself drawn, and a text column gave a traceback."""
    d = str(tmp_path / "ch")
    assert (
        main(
            [
                "sweep",
                "china_security_push",
                "--out",
                d,
                "--samples",
                "4",
                "--replicates",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    capsys.readouterr()
    for outcome, said in (
        ("point", "is bookkeeping"),
        ("seed", "is bookkeeping"),
        ("run_id", "is bookkeeping"),
        ("region.chinese_offer", "a swept parameter"),
    ):
        fig = str(tmp_path / "f")
        assert main(["sensitivity", d, "--outcome", outcome, "--out", fig]) == 2, outcome
        assert said in _one_line(capsys)
        assert main(["plot", d, "--out", fig, "--kind", "response", "--outcome", outcome]) == 2
        assert said in _one_line(capsys)
        assert not (tmp_path / "f").exists() or not any((tmp_path / "f").iterdir())
    # and an outcome it takes names its quarter (the line read as if of no horizon)
    assert main(["sensitivity", d, "--outcome", "cohesion_final", "--out", fig]) == 0
    assert re.search(r"indices of cohesion_final at \d{4}Q\d \(", capsys.readouterr().out)


def test_a_manifest_nested_too_deep_to_read_is_one_line(tmp_path, capsys, monkeypatch):
    """A manifest.json of 100,000 nested objects: every command read it with a RecursionError
    traceback (exit 1)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "manifest.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    for argv in (["export", "m"], ["plot", "m", "--out", "f"], ["sensitivity", "m"]):
        assert main(argv) == 2, argv
        assert "damaged manifest (not valid JSON)" in _one_line(capsys)
    assert main(["check", "m"]) == 1  # check's own status for a folder with problems
    assert "damaged manifest (not valid JSON)" in capsys.readouterr().out


def test_messages_name_what_is_wrong(tmp_path, capsys):
    """A status swept read "unknown member field 'initial_status' ... did you mean
    'initial_status'?"; a seed out of range "allowed 0 to 9.22337e+18"."""
    path = tmp_path / "w.toml"
    path.write_text(
        SWEEP.format(sweep='sampler = "grid"', axes='"members.ARM.initial_status" = ["active"]')
    )
    assert main(["validate", str(path)]) == 2
    err = _one_line(capsys)
    assert "is a status, which a sweep cannot vary" in err and "did you mean" not in err
    path.write_text(SWEEP.format(sweep='sampler = "grid"\nseed = -1', axes="contagion = [0.1]"))
    assert main(["validate", str(path)]) == 2
    assert "allowed 0 to 9223372036854775807" in _one_line(capsys)


def test_a_scenario_of_ones_own_that_fails_to_load_is_one_line(tmp_path, capsys, monkeypatch):
    """A broken ./scenarios/baseline.toml printed the note that it is not the shipped one and
    then its error: two lines.  The error names the file; the note waits for a load that
    succeeds."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    own = tmp_path / "scenarios" / "baseline.toml"
    own.write_text("name = [\n")
    assert main(["validate", "baseline"]) == 2
    err = _one_line(capsys)
    assert "baseline.toml" in err and "note:" not in err
    own.write_text('name = "mine"\ndescription = "mine"\nend = "2026Q4"\n')
    assert main(["validate", "baseline"]) == 0
    assert "not the shipped scenario" in capsys.readouterr().err


def test_an_end_that_drops_a_swept_event_says_so(tmp_path, capsys):
    """--end before an event the sweep varies read "no event with id 'p' ... (give the event
    an id = ...)", though the event has one: --end had left it out."""
    path = tmp_path / "w.toml"
    path.write_text(SWEEP.format(sweep='sampler = "grid"', axes='"events.p.size" = [0.2, 0.6]'))
    argv = ["sweep", str(path), "--out", str(tmp_path / "o"), "--end", "2025Q1"]
    assert main(argv) == 2
    err = _one_line(capsys)
    assert "--end 2025Q1 leaves out event 'p'" in err and "give the event an id" not in err


def test_a_path_that_is_there_but_not_a_file_is_not_called_missing(tmp_path, capsys):
    """/dev/null and a pipe read "no such scenario file"; extends = "/tmp" "missing file"."""
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 2
    assert "not a regular file" in _one_line(capsys)
    path = tmp_path / "w.toml"
    path.write_text(f'name = "w"\ndescription = "w"\nextends = "{tmp_path}"\n')
    assert main(["validate", str(path)]) == 2
    err = _one_line(capsys)
    assert "is not a scenario file" in err and "missing" not in err


def test_a_table_swapped_for_one_file_is_not_read_as_the_result(tmp_path, capsys):
    """Red-team: runs.parquet replaced by one of its own parts (20 of 125 runs) passed
    `check`, and export, compare and discover read the 20 runs as the whole result."""
    import shutil

    d = tmp_path / "sw"
    argv = ["sweep", "armenia_exits", "--out", str(d), "--replicates", "1", "--chunk-size", "10"]
    assert main([*argv, "--quiet"]) == 0
    part = d / "runs.parquet" / "part-000000.parquet"
    keep = tmp_path / "part.parquet"
    shutil.copy(part, keep)
    shutil.rmtree(d / "runs.parquet")
    shutil.copy(keep, d / "runs.parquet")
    capsys.readouterr()
    assert main(["export", str(d), "--out", str(tmp_path / "e")]) == 2
    assert "is not what this sweep wrote" in _one_line(capsys)
    assert main(["check", str(d)]) == 1
    capsys.readouterr()
    (d / "runs.parquet").unlink()  # moved out, as the line says: the same command repairs it
    assert main([*argv, "--quiet"]) == 0
    assert main(["check", str(d)]) == 0


def test_api_values_that_read_as_something_else_are_refused(tmp_path):
    """Red-team: build_report("runA", ...) looped over the folder's letters ("r: no such
    folder"); run_scenario(..., force="no") replaced a finished result."""
    from alliance_sim import build_report, run_scenario
    from alliance_sim.errors import UserError

    with pytest.raises(TypeError, match="expected a list of two or more results"):
        build_report("runA", tmp_path / "r.html")
    with pytest.raises(UserError, match="force = 'no': allowed True or False"):
        run_scenario("armenia_exits", tmp_path / "a", replicates=2, force="no", quiet=True)
    assert not (tmp_path / "a").exists()


def test_a_scheduler_that_does_not_answer_leaves_no_result_behind(tmp_path, capsys, monkeypatch):
    """A Dask scheduler that did not answer left a manifest saying 'interrupted' (of a sweep
    that never started) in a new folder: the manifest is written once the workers are there."""
    from alliance_sim.runs import execute

    monkeypatch.setattr(execute, "SCHEDULER_TIMEOUT", 1)
    out = tmp_path / "o"
    cmd = ["sweep", "armenia_exits", "--out", str(out), "--replicates", "1"]
    assert main([*cmd, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "no Dask scheduler answered" in _one_line(capsys)
    assert not (out / "manifest.json").exists()
    assert main([*cmd, "--quiet"]) == 0  # the folder takes the sweep as a new one
    # with --force, a finished result was deleted before the scheduler was asked (red-team)
    before = sorted(p.name for p in out.rglob("*"))
    dead = ["--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--force"]
    assert main([*cmd, *dead]) == 2
    assert "no Dask scheduler answered" in _one_line(capsys)
    assert sorted(p.name for p in out.rglob("*")) == before
    assert main(["check", str(out)]) == 0
    # a scheduler with no worker answered, ran nothing, and --force had wiped the result
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty:
        assert main([*cmd, *dead[:3], empty.scheduler_address, "--force"]) == 2
    assert "has no worker" in _one_line(capsys)
    assert sorted(p.name for p in out.rglob("*")) == before


def test_the_python_api_names_a_bad_argument_in_one_line(tmp_path):
    """compare_results(seed=nan) raised numpy's 'SeedSequence expects int'; record=None an
    AttributeError; write_figures(outcomes=5) "'int' object is not iterable"; a file as its
    folder a FileExistsError."""
    from alliance_sim import compare_results, run_scenario, write_figures
    from alliance_sim.errors import UserError

    res = run_scenario("baseline", tmp_path / "r", replicates=2, end="2026Q4", quiet=True)
    with pytest.raises(UserError, match=r"seed = nan: allowed a whole number"):
        compare_results([res, res], seed=float("nan"))
    with pytest.raises(ValueError, match=r"record = None \(--record\): allowed all, end or"):
        run_scenario("baseline", tmp_path / "n", replicates=2, record=None, quiet=True)
    with pytest.raises(UserError, match=r"outcomes = 5: allowed an outcome's name or a list"):
        write_figures(res, tmp_path / "f", outcomes=5)
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(UserError, match=r"afile. is a file; allowed a folder"):
        write_figures(res, tmp_path / "afile", ["status"])
    with pytest.raises(UserError, match=r"afile is a file, so no folder can be made there"):
        write_figures(res, tmp_path / "afile" / "sub", ["status"])  # NotADirectoryError
    with pytest.raises(UserError, match=r"afile is a file, so no folder can be made there"):
        write_figures(res, tmp_path / "new" / ".." / "afile" / "x", ["status"])
    assert not (tmp_path / "new").exists()
    with pytest.raises(UserError, match=r"outcomes = \[\]: allowed"):
        write_figures(res, tmp_path / "f", outcomes=[])  # it drew every outcome
    assert (tmp_path / "afile").read_text() == "mine"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out", "{bad}/d"],
        ["compare", "{res}", "{res}", "--out", "{bad}/r.md"],
        ["export", "{res}", "--out", "{bad}/x.csv"],
        ["calibrate", "history_2020_2024", "--out", "{bad}/p.parquet"],
        ["robustness", "baseline", "--out", "{bad}/d"],
        ["plot", "{res}", "--out", "{bad}/figs"],
        ["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out", "afile/../x"],
        ["compare", "{res}", "{res}", "--out", "afile/../r.md"],
    ],
    ids=lambda a: a[0],
)
def test_an_out_through_a_file_by_way_of_dotdot_is_refused_before_a_folder_is_made(
    tmp_path, capsys, monkeypatch, args
):
    """``--out new/../afile/x``: `new` does not exist, so the path's check climbed to the
    working folder and passed; the command then made `new/` and stopped on the OS's
    "new/../afile: File exists", naming no option, and left `new/` behind."""
    monkeypatch.chdir(tmp_path)
    res = tmp_path / "res"
    if "{res}" in args:
        assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out",
                     str(res), "--quiet"]) == 0  # fmt: skip
        capsys.readouterr()
    (tmp_path / "afile").write_text("mine")
    argv = [a.format(bad="new/../afile", res=res) for a in args]
    assert main(argv) == 2
    err = _one_line(capsys)
    assert "--out" in err and "afile" in err and "File exists" not in err, err
    assert not (tmp_path / "new").exists()
    assert (tmp_path / "afile").read_text() == "mine"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out", "{x}"],
        ["compare", "{res}", "{res}", "--out", "{x}/r.md"],
        ["export", "{res}", "--out", "{x}"],
        ["calibrate", "history_2020_2024", "--out", "{x}/p.parquet"],
        ["robustness", "baseline", "--out", "{x}"],
        ["plot", "{res}", "--out", "{x}"],
    ],
    ids=lambda a: a[0],
)
def test_an_out_through_a_new_folder_and_back_makes_no_folder(tmp_path, capsys, args):
    """``--out X/new/..`` made ``X/new`` and left it there when the command was then
    refused (red-team): a folder before a '..' must exist."""
    res = tmp_path / "res"
    if "{res}" in args:
        assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out",
                     str(res), "--quiet"]) == 0  # fmt: skip
        capsys.readouterr()
    x = tmp_path / "mine"
    x.mkdir()
    (x / "notes.txt").write_text("mine")
    argv = [a.format(x=x / "new" / "..", res=res) for a in args]
    assert main(argv) == 2
    err = _one_line(capsys)
    assert "--out" in err and "new does not exist" in err, err
    assert sorted(p.name for p in x.iterdir()) == ["notes.txt"]


def test_the_api_names_a_bad_out_before_it_asks_a_scheduler(tmp_path, monkeypatch):
    """sweep(out=a path through a file, executor="dask", scheduler=...) waited for the
    scheduler probe (10 s) and only then reported the folder; run_scenario(out="new/../afile/d")
    made `new/` and stopped on the OS's "File exists"."""
    import time

    from alliance_sim import run_scenario, sweep
    from alliance_sim.errors import UserError
    from alliance_sim.runs import execute

    def never(*args, **kwargs):
        raise AssertionError("the scheduler was asked before the folder was checked")

    monkeypatch.setattr(execute, "_connect", never)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("mine")
    t = time.perf_counter()
    with pytest.raises(UserError, match=r"afile is a file, so no folder can be made there"):
        sweep("armenia_exits", "afile/d", quiet=True, executor="dask", scheduler="tcp://x:1")
    assert time.perf_counter() - t < 5
    with pytest.raises(UserError, match=r"afile is a file, so no folder can be made there"):
        run_scenario("baseline", "new/../afile/d", replicates=2, end="2025Q4", quiet=True)
    assert not (tmp_path / "new").exists()
    assert (tmp_path / "afile").read_text() == "mine"


def test_api_refusals_name_the_functions_argument_not_a_flag(tmp_path, monkeypatch):
    """run_scenario(record=None) said "--record None: ..." and sweep(scheduler="x") "--scheduler
    'x' ...": flags a Python user never typed. The lines now read "record = None", as
    "workers = 0" and "chunk_size = 0" already did (a command-line user reads them too)."""
    from alliance_sim import run_scenario
    from alliance_sim.errors import UserError
    from alliance_sim.runs import execute

    with pytest.raises(ValueError, match=r"^record = None \(--record\): allowed all"):
        run_scenario("baseline", tmp_path / "n", replicates=2, record=None, quiet=True)
    # seed=None ran with seed 0 though the docs say None is refused (a new user's trial)
    with pytest.raises(UserError, match=r"^seed = None: allowed a whole number"):
        run_scenario("baseline", tmp_path / "s", replicates=2, seed=None, quiet=True)
    assert not (tmp_path / "s").exists()
    with pytest.raises(ValueError, match=r"^record = 'every:0' \(--record\): allowed"):
        execute.record_every("every:0")
    pytest.importorskip("distributed")
    with pytest.raises(UserError, match=r"^scheduler = 'x:y:z' \(--scheduler\) is not a Dask"):
        execute._connect("x:y:z")
    monkeypatch.setattr(execute, "SCHEDULER_TIMEOUT", 1)
    with pytest.raises(UserError, match=r"^scheduler = 'tcp://127.0.0.1:1' \(--scheduler\): no"):
        execute._connect("tcp://127.0.0.1:1")


def test_a_misspelt_event_field_in_a_sweep_is_named_with_what_is_allowed(tmp_path, capsys):
    """'events.iran_in.credibilty_signal' read "a accession event has no numeric field
    'credibilty_signal'": no suggestion, no list, and "a accession"."""
    f = tmp_path / "s.toml"
    f.write_text(
        'name = "s"\ndescription = "s"\nextends = "baseline"\n'
        '[[events]]\nid = "iran_in"\nat = "2026Q1"\ntype = "accession"\nmember = "IRN"\n'
        '[sweep]\nsampler = "grid"\nreplicates = 2\n'
        '[sweep.parameters]\n"events.iran_in.credibilty_signal" = [0.0, 1.0]\n',
        "utf-8",
    )
    assert main(["validate", str(f)]) == 2
    err = _one_line(capsys)
    assert "an accession event has no numeric field 'credibilty_signal'" in err, err
    assert "did you mean 'credibility_signal'" in err and "(allowed: at, " in err, err


def test_a_refused_plot_leaves_no_empty_folder(tmp_path, capsys):
    """`plot RESULT --out figs3 --outcome KAZ_exitd` said "did you mean" and left an empty
    figs3/ behind."""
    res = tmp_path / "r"
    assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out", str(res),
                 "--quiet"]) == 0  # fmt: skip
    capsys.readouterr()
    figs = tmp_path / "figs3"
    assert main(["plot", str(res), "--out", str(figs), "--outcome", "KAZ_exitd"]) == 2
    assert "KAZ_exited" in _one_line(capsys)
    assert not figs.exists()


def test_an_export_into_another_result_names_the_folder_given(tmp_path, capsys):
    """`export out/iran --out out/base` quoted 'out/base/manifest.json', a path the user never
    typed, and offered out/base/figures as a place for CSV files."""
    for name in ("a", "b"):
        assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out",
                     str(tmp_path / name), "--quiet"]) == 0  # fmt: skip
    capsys.readouterr()
    before = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert main(["export", str(tmp_path / "b"), "--out", str(tmp_path / "a")]) == 2
    err = _one_line(capsys)
    assert f"--out '{tmp_path / 'a'}' is the result directory" in err, err
    assert "manifest.json'" not in err and str(tmp_path / "b" / "csv") in err, err
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == before


def test_paths_through_links_to_nothing_loops_or_closed_folders_are_one_line(
    tmp_path, capsys, monkeypatch
):
    """A loop of symbolic links raised a traceback (RuntimeError) from every command; a link
    to nothing was called "a file"; a folder to be made inside one that may not be written
    (`ro/new/../../x`) passed the check and failed after the work (calibrate) (red-team)."""
    import os

    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "dl").symlink_to(tmp_path / "nothing" / "deep")
    run = ["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out"]
    for out, said in (("loop/x", "loop of symbolic links"), ("dl/x", "symbolic link to nothing")):
        assert main([*run, out]) == 2
        err = _one_line(capsys)
        assert "--out" in err and said in err, err
    assert main([*run, "r", "--quiet"]) == 0
    capsys.readouterr()
    for argv in (["export", "r", "--out", "loop/x"], ["compare", "r", "r", "--out", "loop/r.md"]):
        assert main(argv) == 2
        assert "loop of symbolic links" in _one_line(capsys)
    if os.geteuid() != 0:  # root writes anywhere: the permission case needs a plain user
        (tmp_path / "ro").mkdir(mode=0o500)
        assert main([*run, "ro/new/../../x"]) == 2
        assert "no permission to write in" in _one_line(capsys)


def test_cheap_checks_come_before_the_scheduler_probe(tmp_path, monkeypatch):
    """A bad worker count or record beside a Dask scheduler was reported only after the 10 s
    probe (the review of this round's change: the probe ran before the other checks)."""
    from alliance_sim import sweep
    from alliance_sim.errors import UserError
    from alliance_sim.runs import execute

    def never(*args, **kwargs):
        raise AssertionError("the scheduler was asked before the cheap checks")

    monkeypatch.setattr(execute, "_connect", never)
    dask = {"executor": "dask", "scheduler": "tcp://x:1", "quiet": True}
    with pytest.raises(UserError, match=r"workers = 0"):
        sweep("armenia_exits", tmp_path / "a", workers=0, **dask)
    with pytest.raises(ValueError, match=r"record = 'often'"):
        sweep("armenia_exits", tmp_path / "b", record="often", **dask)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.filterwarnings("ignore:end = .*:UserWarning")  # what end= leaves out: said
def test_api_values_the_review_of_the_comparison_api_found(tmp_path):
    """compare_results with a result named twice among three doubled its rows and Holm's
    family; comparison_numbers on a table read back from CSV raised a bare AttributeError;
    run_scenario(replicates=np.int16(3)) wrote a manifest the tool then called damaged, and
    replicates=None ran the [sweep] table's count (a red-team)."""
    import numpy as np
    import pandas as pd

    from alliance_sim import compare_results, comparison_numbers, run_scenario
    from alliance_sim.errors import UserError

    a = run_scenario("baseline", tmp_path / "a", replicates=np.int16(3), end="2025Q4", quiet=True)
    assert a.plan.replicates == 3 and main(["check", str(tmp_path / "a")]) == 0
    b = run_scenario("armenia_exits", tmp_path / "b", replicates=3, end="2025Q4", quiet=True)
    with pytest.raises(UserError, match=r"named twice among 3 results"):
        compare_results([a, b, str(tmp_path / "b")])
    with pytest.raises(UserError, match=r"^replicates = None: allowed a whole number"):
        run_scenario("baseline", tmp_path / "n", replicates=None, quiet=True)
    table = compare_results([a, b])
    table.to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(TypeError, match=r"column 'reference' holds str"):
        comparison_numbers(pd.read_csv(tmp_path / "c.csv"))
    with pytest.raises(TypeError, match=r"expected the table compare_results\(\) returns"):
        comparison_numbers(None)
    assert len(comparison_numbers(table)) == len(table)


def test_check_counts_verified_parts_without_the_extra_files(tmp_path, capsys):
    """`check` printed "parts: -2 of 3 verified" for a folder with five extra part files:
    the extras were subtracted from the parts the manifest records (a red-team)."""
    import shutil

    r = tmp_path / "r"
    assert main(["run", "baseline", "--replicates", "20", "--end", "2026Q4", "--out", str(r),
                 "--quiet"]) == 0  # fmt: skip
    for i in range(1, 6):
        shutil.copy(
            r / "runs.parquet" / "part-000000.parquet",
            r / "runs.parquet" / f"part-00000{i}.parquet",
        )
    capsys.readouterr()
    assert main(["check", str(r)]) == 1
    out = capsys.readouterr().out
    assert "parts: 3 of 3 verified" in out and "an extra file" in out, out


def test_check_does_not_count_a_table_replaced_by_a_file_as_verified(tmp_path, capsys):
    """`check` said "parts: 3 of 3 verified" beside "r/runs.parquet is not what this run
    wrote (a file where its parts go)": the table's parts were counted though none was read
    (a red-team)."""
    import shutil

    r = tmp_path / "r"
    assert main(["run", "baseline", "--replicates", "20", "--end", "2026Q4", "--out", str(r),
                 "--quiet"]) == 0  # fmt: skip
    shutil.rmtree(r / "runs.parquet")
    (r / "runs.parquet").write_text("a user's file")
    capsys.readouterr()
    assert main(["check", str(r)]) == 1
    out = capsys.readouterr().out
    assert "parts: 2 of 3 verified" in out and "a file where its parts go" in out, out


def test_outcome_and_member_suggestions_point_where_the_user_meant():
    """A new user's `--outcome KAZ_hedging` got "did you mean 'n_hedging'?" (the alliance's
    count), `KAZ_suspended_ever` "KAZ_suspended" (KAZ_ever_suspended exists), `kaz_exited`
    "n_exited", and `focus = ["KYR"]` no suggestion of KGZ."""
    from alliance_sim.errors import did_you_mean, outcome_hint
    from alliance_sim.scenario.checks import member_hint as code_hint

    cols = ["KAZ_exited", "KAZ_suspended", "KAZ_ever_suspended", "KAZ_status", "n_hedging",
            "n_exited", "ARM_exited"]  # fmt: skip
    assert did_you_mean("kaz_exited", cols) == "; did you mean 'KAZ_exited'?"
    assert did_you_mean("KAZ_suspended_ever", cols) == "; did you mean 'KAZ_ever_suspended'?"
    assert did_you_mean("ARN_exited", cols) == "; did you mean 'ARM_exited'?"
    assert did_you_mean("west_offer", ["western_offer", "west_security_share"]) == (
        "; did you mean 'western_offer'?"
    )
    said = outcome_hint("KAZ_hedging", cols)
    assert "n_hedging" not in said and "KAZ_status (2 hedging" in said, said
    # a plot's outcomes have no status code (helper-61 drew its mean): where P(hedging) is
    plot_cols = [c for c in cols if not c.endswith("_status")]
    said = outcome_hint("KAZ_hedging", plot_cols)
    assert "KAZ_status" not in said and "compare reports P(hedging)" in said, said
    assert said.startswith("; KAZ's outcomes: KAZ_exited, KAZ_suspended")
    assert outcome_hint("xyz", cols) == ""
    # a second red-team: another member's, the opposite meaning, a status code
    more = [*cols, "KGZ_exited", "IRN_exited", "IRN_joined", "ARM_status", "ARM_suspended"]
    assert outcome_hint("KZ_exited", more) == "; did you mean 'KAZ_exited'?"
    assert outcome_hint("Kazakhstan_exited", more) == "; did you mean 'KAZ_exited'?"
    assert outcome_hint("IRN_member", more) == "; did you mean 'IRN_joined'?"
    assert outcome_hint("ARM_susp", more) == "; did you mean 'ARM_suspended'?"
    assert "ARM_status (2 hedging" in outcome_hint("ARM_hedge", more)
    assert code_hint("KYR") == "; did you mean 'KGZ' (Kyrgyzstan)?"
    assert code_hint("kz") == "; did you mean 'KAZ' (Kazakhstan)?"
    # a fourth red-team and a new user: a misspelt alliance count lost its suggestion, a
    # country's name before _member or _accession and KIR pointed at the wrong outcome
    assert outcome_hint("n_hedgng", more) == "; did you mean 'n_hedging'?"
    assert outcome_hint("Iran_member", more) == "; did you mean 'IRN_joined'?"
    assert outcome_hint("iran_accession", more) == "; did you mean 'IRN_joined'?"
    assert outcome_hint("KIR_exited", more) == "; did you mean 'KGZ_exited'?"
    assert code_hint("Tajik") == "; did you mean 'TJK' (Tajikistan)?"
    # a misspelt name (helper-61: "Kazakhstan" was offered KAZ, "Kazakstan" nothing)
    assert code_hint("Kazakstan") == "; did you mean 'KAZ' (Kazakhstan)?"
    assert code_hint("Kyrgystan") == "; did you mean 'KGZ' (Kyrgyzstan)?"
    assert outcome_hint("Kazakstan_exited", more) == "; did you mean 'KAZ_exited'?"
    assert code_hint("Ukraine") == ""  # not a member: no guess
    # fifth red-team: Russia's outcomes were offered Uzbekistan's
    for name in ("russia_exited", "ru_exited", "RUS_suspended"):
        assert outcome_hint(name, [*more, "UZB_exited"]).startswith("; Russia is the patron")


def test_the_patron_as_a_focus_from_python_is_one_line(tmp_path):
    """member_table(res, focus=("ru",)) was offered 'RUS', and focus=("RUS",) raised KeyError
    'RUS_commitment'; summary_dict(path) raised AttributeError (fifth red-team)."""
    from alliance_sim import member_table, run_scenario, summary_dict

    res = run_scenario("armenia_exits", tmp_path / "a", replicates=2, end="2025Q4", quiet=True)
    with pytest.raises(ValueError, match="Russia, the patron, not an ally"):
        member_table(res, focus=("RUS",))
    with pytest.raises(ValueError, match=r"'ru' would be 'RUS'.*not allowed here"):
        member_table(res, focus=("ru",))
    assert summary_dict(str(res.directory))["members"].keys() == summary_dict(res)["members"].keys()


def test_a_member_meant_but_not_allowed_is_named_not_offered(tmp_path, capsys):
    """`focus = ["ru"]` was offered 'RUS', which focus then refused as the patron."""
    f = tmp_path / "f.toml"
    f.write_text('extends = "baseline"\nname = "f"\nfocus = ["ru"]\n')
    assert main(["validate", str(f)]) == 2
    said = _one_line(capsys)
    assert "did you mean 'RUS'" not in said and "the patron: not an ally" in said, said
    f.write_text('extends = "baseline"\nname = "f"\nfocus = ["kz"]\n')
    assert main(["validate", str(f)]) == 2
    assert "did you mean 'KAZ' (Kazakhstan)?" in _one_line(capsys)


@pytest.mark.parametrize(
    "body, said",
    [
        ("end = 2029\n", 'end should be a quarter in quotes (a string such as "2029Q4"), got int'),
        ('end = "2030"\n', "did you mean '2030Q4'?"),  # a year: its last quarter, for an end
        (
            '[[events]]\nid = "x"\nat = "2026Q1"\ntype = "sanctions"\nmember = "KAZ"\n',
            "did you mean 'pressure'?",
        ),
        (
            '[[events]]\nid = "x"\nat = "2026Q1"\ntype = "investment"\nmember = "KAZ"\n',
            "did you mean 'offer'?",
        ),
        (
            '[[events]]\nid = "x"\nat = "2026Q1"\ntype = "aplication"\nmember = "KAZ"\n',
            "did you mean 'application'?",
        ),
        (
            '[[events]]\nid = "x"\nat = "2026Q1"\ntype = "apply"\nmember = "IRN"\n',
            "did you mean 'application'?",
        ),
        (
            '[[events]]\nid = "x"\nat = "2026Q1"\ntype = "return"\nmember = "UZB"\n',
            "did you mean 'rejoin'?",
        ),
        (  # was told only that 'at' is missing
            '[[events]]\nid = "x"\nquarter = "2026Q2"\ntype = "pressure"\nmember = "KAZ"\n',
            "event has no 'at' quarter (it has 'quarter': the quarter is given as at = ",
        ),
    ],
)
def test_a_word_for_an_event_type_or_a_bare_year_gets_the_right_hint(tmp_path, capsys, body, said):
    """A new user's `type = "sanctions"` was offered 'application', and `end = 2029` was told
    only that it should be a string."""
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\ndescription = "s"\nextends = "baseline"\n{body}')
    assert main(["validate", str(path)]) == 2
    assert said in _one_line(capsys)


def test_an_output_that_is_no_path_is_one_line_from_the_api(tmp_path):
    """run_scenario(out=None), sweep(out=5): pathlib's TypeError (red-team)."""
    from alliance_sim import run_scenario, sweep
    from alliance_sim.errors import UserError

    for out in (None, 5, b"x"):
        with pytest.raises(UserError, match=r"allowed a path \(a string or a pathlib.Path\)"):
            run_scenario("baseline", out, replicates=2, end="2025Q4", quiet=True)
    with pytest.raises(UserError, match="allowed a path"):
        sweep("armenia_exits", None, replicates=1, quiet=True)


def test_a_run_folders_refusal_says_run_not_sweep(tmp_path, capsys):
    """Red-team (helper-60): `run` into its own folder with a file where a table goes said
    'is not what this sweep wrote'."""
    import shutil

    d = tmp_path / "r"
    argv = ["run", "armenia_exits", "--out", str(d), "--replicates", "10", "--quiet"]
    assert main(argv) == 0
    shutil.rmtree(d / "alliance.parquet")
    (d / "alliance.parquet").write_text("mine")
    capsys.readouterr()
    assert main(["export", str(d), "--out", str(tmp_path / "e")]) == 2
    said = _one_line(capsys)
    assert "is not what this run wrote" in said and "sweep" not in said
    assert main(argv) == 2  # the same command: the same advice, not a refine round's
    said = _one_line(capsys)
    assert "move it out" in said and "refine" not in said
    (d / "alliance.parquet").unlink()
    assert main(argv) == 0 and main(["check", str(d)]) == 0


def test_a_status_code_is_no_outcome_to_average(tmp_path, capsys):
    """`plot --kind response --outcome KAZ_status` drew the mean status code (1.5-3.9) with a
    95% band, titled "KAZ status" (helper-61): a code's mean means nothing."""
    d = tmp_path / "sw"
    assert main(["sweep", "armenia_exits", "--out", str(d), "--replicates", "2", "--quiet"]) == 0
    capsys.readouterr()
    argv = ["plot", str(d), "--kind", "response", "--out", str(tmp_path / "p"), "--outcome"]
    for name in ("ARM_status", "arm_status", "Armenia_status"):  # (helper-62: the last two)
        assert main([*argv, name]) == 2
        said = _one_line(capsys)
        assert "is a status code (0 candidate, 1 active, 2 hedging, 3 suspended, 4" in said
    for name in ("XYZ_status", "ARM_foo"):  # no member, or no status (helper-63)
        assert main([*argv, name]) == 2
        assert "status code" not in _one_line(capsys)
    assert main([*argv, "ARM_exited"]) == 0 and (tmp_path / "p").is_dir()


def test_plot_into_another_results_folder_says_so(tmp_path, capsys):
    """`plot out/sweep --out out/base` put the sweep's status.png beside the baseline's
    commitment.png without a word (helper-61): allowed (nothing of the result is touched),
    and now said."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "armenia_exits", "--out", str(a), "--replicates", "5", "--quiet"]) == 0
    assert main(["run", "baseline", "--out", str(b), "--replicates", "5", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["plot", str(a), "--out", str(b), "--kind", "fan"]) == 0
    out = capsys.readouterr().out
    assert f"note: {b} holds the result of 'Baseline' (5 runs); the figures written there" in out
    assert "master seed" not in out  # another scenario: its name says how they differ
    assert main(["plot", str(b), "--out", str(b), "--kind", "fan"]) == 0  # its own: nothing
    assert "holds the result of" not in capsys.readouterr().out
    c = tmp_path / "c"  # the same scenario and runs, another seed (helper-62: no note)
    argv = ["run", "baseline", "--out", str(c), "--replicates", "5", "--seed", "9", "--quiet"]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["plot", str(c), "--out", str(b), "--kind", "status"]) == 0
    said = capsys.readouterr().out  # what differs is said (helper-63: both sides read alike)
    assert f"{b} holds another result of 'Baseline' (5 runs, master seed 0)" in said
    assert "5 runs, master seed 9), and each says so" in said
    assert main(["check", str(b)]) == 0  # the result itself untouched
    assert "Warning" not in capsys.readouterr().err  # said once, as a note
    # from Python too, as a warning a notebook shows (it said nothing)
    from alliance_sim.report.figures import OtherResultNote, write_figures

    with pytest.warns(OtherResultNote, match=f"{b} holds the result of 'Baseline'"):
        write_figures(a, b, "cohesion")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_figures(b, b, "fan")  # its own folder: nothing


def test_plot_does_not_replace_another_results_figures(tmp_path, capsys):
    """`plot out/sweep --out out/base` replaced the baseline's own fan.png with the sweep's and
    said so only after, in a note: now refused before anything is drawn (exit 2, one line)."""
    from alliance_sim.errors import UserError
    from alliance_sim.report.figures import write_figures

    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "armenia_exits", "--out", str(a), "--replicates", "5", "--quiet"]) == 0
    assert main(["run", "baseline", "--out", str(b), "--replicates", "5", "--quiet"]) == 0
    assert main(["plot", str(b), "--out", str(b), "--kind", "fan", "--kind", "status"]) == 0
    before = {p.name: p.read_bytes() for p in b.glob("*.png")}
    assert {"fan.png", "status.png", "commitment.png"} <= set(before)
    capsys.readouterr()
    kinds = ["--kind", "fan", "--kind", "status", "--kind", "cohesion"]
    assert main(["plot", str(a), "--out", str(b), *kinds]) == 2
    said = _one_line(capsys)
    assert said.startswith(f"alliance-sim: error: {b} holds the result of 'Baseline' (5 runs)")
    assert "and fan.png, status.png there: figures of" in said and "another folder" in said
    assert {p.name: p.read_bytes() for p in b.glob("*.png")} == before  # nothing drawn
    with pytest.raises(UserError, match=r"and fan\.png there: figures of"):
        write_figures(a, b, "fan")
    # figures of this result written there before may be drawn again (a repeated command was
    # refused, the figures' result being unrecorded: red team); each names its result now
    c = tmp_path / "c"
    argv = ["run", "baseline", "--out", str(c), "--replicates", "5", "--seed", "3", "--quiet"]
    assert main(argv) == 0  # (not b's seed: the same runs are b itself, a copy)
    for fmt in ("png", "svg", "pdf"):
        argv = ["plot", str(a), "--out", str(c), "--kind", "fan", "--format", fmt]
        assert main(argv) == 0 and main(argv) == 0  # the same command twice
        assert main(["plot", str(b), *argv[2:]]) == 2  # another result's over them: refused
        assert f"and fan.{fmt} there: figures of {b}" in _one_line(capsys)
    (b / "manifest.json").write_text('{"broken')  # a damaged result: still not written over
    with pytest.raises(UserError, match=r"a result whose manifest\.json cannot be read, and fan"):
        write_figures(a, b, "fan")
    assert {p.name: p.read_bytes() for p in b.glob("*.png")} == before


def test_a_repair_refused_says_nothing_of_repairing(tmp_path, capsys):
    """A folder where a finished result's part goes: the same command printed "repairing
    ...; re-running 1 chunk(s)" and then refused (helper-62): refused before a word."""
    d = tmp_path / "r"
    argv = ["run", "baseline", "--out", str(d), "--replicates", "10"]
    assert main([*argv, "--quiet"]) == 0
    part = d / "runs.parquet" / "part-000000.parquet"
    part.unlink()
    part.mkdir()
    capsys.readouterr()
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "repairing" not in out and err.count("\n") == 1 and "move it out" in err
    part.rmdir()  # moved out: the same command repairs it
    assert main([*argv, "--quiet"]) == 0 and main(["check", str(d)]) == 0


def test_force_over_a_run_with_a_stray_part_names_a_run(tmp_path, capsys):
    """`run --force` over a run result holding a copied part said "is not a part the sweep in
    ux wrote" (a red-team): a run's folder is named as a run."""
    import shutil

    r = tmp_path / "ux"
    argv = ["run", "baseline", "--replicates", "20", "--end", "2026Q4", "--out", str(r), "--quiet"]
    assert main(argv) == 0
    parts = r / "runs.parquet"
    shutil.copy(parts / "part-000000.parquet", parts / "part-000099.parquet")
    capsys.readouterr()
    assert main([*argv, "--force"]) == 2
    err = capsys.readouterr().err
    assert "part-000099.parquet is not a part the run in" in err, err
    assert (r / "runs.parquet" / "part-000099.parquet").is_file()


def test_a_scenario_named_where_a_result_goes_is_told_to_run_it_first(tmp_path, monkeypatch):
    """compare_results(["baseline", "iran_joins"]) in a notebook said only "baseline: no such
    folder" (a red-team): a scenario's name or file gets the step that makes a result."""
    from alliance_sim import compare_results
    from alliance_sim.errors import StoreError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=r"^baseline: no such folder; 'baseline' is a scenario"):
        compare_results(["baseline", "iran_joins"])
    (tmp_path / "mine.toml").write_text('extends = "baseline"\n')
    with pytest.raises(StoreError, match=r"a file, not a result directory; 'mine.toml' is a sc"):
        compare_results(["mine.toml", "baseline"])
    with pytest.raises(StoreError, match=r"^nothere: no such folder$"):
        compare_results(["nothere", "baseline"])
    with pytest.raises(StoreError, match=r"^nothere.toml: no such folder$"):  # no such file
        compare_results(["nothere.toml", "baseline"])  # either: running it would fail too
    (tmp_path / "my scen.toml").write_text('extends = "baseline"\n')
    with pytest.raises(StoreError, match=r"alliance-sim run 'my scen.toml' --out 'out/my scen'"):
        compare_results(["my scen.toml", "baseline"])  # a command the shell reads as one


def test_with_end_of_a_result_is_one_line(tmp_path):
    """with_end(result, "2029Q4") raised a bare AttributeError: 'Result' object has no
    attribute 'start' (a red-team)."""
    from alliance_sim import run_scenario, with_end
    from alliance_sim.errors import UserError

    r = run_scenario("baseline", tmp_path / "r", replicates=2, end="2025Q4", quiet=True)
    with pytest.raises(UserError, match=r"^with_end: expected a scenario .*got Result; .*outcomes"):
        with_end(r, "2025Q2")
    assert with_end("baseline", "2026Q4").end == "2026Q4"  # a name, as run_scenario takes


def test_a_misspelt_keyword_of_the_public_api_is_one_line_with_the_nearest():
    """run_scenario("baseline", replicate=3) raised Python's bare TypeError, which a notebook
    showed with its whole traceback and no hint."""
    import alliance_sim as a
    from alliance_sim.errors import UserError

    with pytest.raises(UserError, match=r"^run_scenario\(\): no argument 'replicate'; did you "
                       r"mean 'replicates'\? \(allowed: scenario, out, replicates, "):  # fmt: skip
        a.run_scenario("baseline", replicate=3)
    with pytest.raises(UserError, match=r"^member_table\(\): no argument 'focuss'; did you"):
        a.member_table("nowhere", focuss="ARM")  # refused before the folder is read
    assert a.run_scenario.__name__ == "run_scenario" and "replicates" in str(
        __import__("inspect").signature(a.run_scenario)
    )  # help() still shows its signature and docstring


def test_the_public_api_still_pickles_and_a_hand_edited_analysis_is_refused(tmp_path):
    """The keyword check's wrapper made every wrapped export unpicklable (process pools); a
    robustness.json without `command` or with empty headlines crashed a report after its
    work (a red-team)."""
    import json
    import pickle

    import alliance_sim as a
    from alliance_sim.errors import UserError
    from alliance_sim.report.robustness_api import read_analyses

    assert pickle.loads(pickle.dumps(a.outcomes_at)) is a.outcomes_at
    for bad in ({"scenario_hash": "x", "headlines": [{}], "command": "c"},
                {"scenario_hash": "x", "headlines": [{"statement": "s"}]},
                {"scenario_hash": "x", "headlines": [], "command": "c"}):  # fmt: skip
        f = tmp_path / "robustness.json"
        f.write_text(json.dumps(bad))
        with pytest.raises(UserError, match="no robustness analysis there"):
            read_analyses([f], [])


def test_the_command_line_names_its_options_not_the_api_keywords(tmp_path, capsys):
    """``sweep --replicates 100001`` said ``replicates = 100001``, the API's keyword, where
    ``--replicates 0`` said ``argument --replicates``: the command line names its options."""
    from alliance_sim.cli.main import main

    out = str(tmp_path / "s")
    cases = [
        (["sweep", "armenia_exits", "--replicates", "100001"], "--replicates 100001: allowed a"),
        (["sweep", "armenia_exits", "--record", "x"], "--record 'x': allowed all, end or"),
        (["sweep", "armenia_exits", "--chunk-size", "999999999"], "--chunk-size 999999999: al"),
        (["calibrate", "history_2020_2024", "--replicates", "5000"], "--replicates 5000: allowed"),
    ]
    for argv, said in cases:
        assert main([*argv, "--out", out, "--quiet"][: -1 if argv[0] == "calibrate" else None]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"alliance-sim: error: {said}") and err.count("\n") == 1, err
        assert " = " not in err.split(":")[2]
    assert not (tmp_path / "s").exists()


def test_python_callers_are_told_of_arguments_not_of_options(tmp_path, capsys, monkeypatch):
    """``run_scenario(..., out=...)`` was told to "choose another --out or add --force": words
    of a command line it is not on.  From Python a refusal names the arguments (out, force=
    True); the command line keeps its options."""
    import alliance_sim
    from alliance_sim.cli.main import main
    from alliance_sim.errors import AllianceSimError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(AllianceSimError) as e:
        alliance_sim.run_scenario("baseline", "afile", replicates=2, quiet=True)
    assert str(e.value).startswith("out='afile' is a file") and "--" not in str(e.value)
    alliance_sim.run_scenario("baseline", "r", replicates=2, quiet=True)
    with pytest.raises(AllianceSimError) as e:
        alliance_sim.run_scenario("baseline", "r", replicates=3, quiet=True)
    assert "choose another out or add force=True to replace it" in str(e.value)
    with pytest.raises(AllianceSimError, match=r"^out='afile' is a file"):
        alliance_sim.sweep("armenia_exits", "afile", quiet=True)
    assert main(["run", "baseline", "--out", "r", "--replicates", "3", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "choose another --out or add --force to replace it" in err
    assert main(["run", "baseline", "--out", "afile", "--quiet"]) == 2
    assert "--out 'afile' is a file" in capsys.readouterr().err


def test_python_words_leave_the_callers_paths_and_sentences_alone(tmp_path, monkeypatch):
    """Third red-team: a folder named "my --out dir" read "my out=dir"; "--samples applies to"
    read "samples=applies to"."""
    import alliance_sim
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.voice import as_arguments

    monkeypatch.chdir(tmp_path)
    alliance_sim.run_scenario("baseline", "my --out dir", replicates=2, quiet=True)
    with pytest.raises(AllianceSimError) as e:
        alliance_sim.run_scenario("baseline", "my --out dir", replicates=3, quiet=True)
    said = str(e.value)
    assert said.startswith("my --out dir holds another run") and "add force=True" in said
    assert (
        as_arguments("--samples applies to random designs") == "samples applies to random designs"
    )
    assert as_arguments("--samples 12: allowed") == "samples=12: allowed"


def test_a_scenario_that_is_not_a_name_or_a_path_is_one_line(tmp_path, capsys):
    """run_scenario(None, ...) and run_scenario(5, ...) raised Python's bare TypeError from
    inside pathlib; a name longer than the file system allows, an OSError whose message was
    the whole 5,000-character name (and the command line printed all of it)."""
    from alliance_sim import load_scenario, run_scenario
    from alliance_sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"^scenario None: allowed a shipped name"):
        run_scenario(None, tmp_path / "a", replicates=2)
    with pytest.raises(ScenarioError, match=r"^scenario of type int: allowed a shipped name"):
        load_scenario(5)
    with pytest.raises(ScenarioError, match=r"^scenario 'x{30}\.\.\.x{47}': File name too lo"):
        load_scenario("x" * 5000)
    assert not (tmp_path / "a").exists()
    assert main(["run", "y" * 5000, "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300, err[:300]
    assert main(["compare", "z" * 5000, str(tmp_path), "--out", str(tmp_path / "r.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300 and "File name too long" in err, err[:300]


def test_a_misspelt_result_folder_is_answered_with_the_one_beside_it(tmp_path, capsys):
    """`compare out/base out/kazz` said only "no such folder", where every other misspelling
    is answered with the nearest name (a new user's trial)."""
    res = tmp_path / "west"
    assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--out", str(res)]) == 0
    capsys.readouterr()
    assert main(["compare", str(res), str(tmp_path / "wset"), "--out", str(tmp_path / "r.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"did you mean {str(res)!r}?" in err, err
    assert main(["compare", str(res), str(tmp_path / "zzzz"), "--out", str(tmp_path / "r.md")]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_a_result_folder_name_too_long_is_one_line_from_python(tmp_path):
    """Result.open (and so compare_results) raised a raw OSError quoting a 300-character name."""
    from alliance_sim import compare_results
    from alliance_sim.errors import StoreError

    with pytest.raises(StoreError, match=r"\.\.\.l{47}: File name too long; allowed a result"):
        compare_results([tmp_path / ("l" * 300), tmp_path / ("m" * 300)])


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "baseline", "--replicates", "2", "--out", "{long}"],
        ["sweep", "armenia_exits", "--out", "x/{long}/y"],
        ["compare", "baseline", "armenia_exits", "--out", "{long}.md"],
        # a name the file system takes, whose temporary name it does not (251 bytes; red-team:
        # the headline was printed, the figures written, then "File name too long")
        ["compare", "{res}", "{res}", "--out", "{name251}"],
        # a path under 4,096 bytes whose result's own files go past it (red-team: 20 folders
        # made, then ".part-000000.parquet.tmpPID: File name too long")
        ["run", "baseline", "--replicates", "2", "--out", "{deep}"],
    ],
)
def test_an_output_name_too_long_for_the_file_system_names_the_option(argv, tmp_path, capsys):
    """A 300-character --out was refused by the file system's own "File name too long" on a
    path (commitment.png, for `run`) that named neither the option nor what is allowed."""
    res = tmp_path.parent / f"{tmp_path.name}-res"  # beside: tmp_path stays empty
    if "{res}" in argv:
        assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--quiet",
                     "--out", str(res)]) == 0  # fmt: skip
    long = str(tmp_path / ("a" * 300))
    name251 = str(tmp_path / ("h" * 246 + ".html"))
    deep = str(tmp_path) + "/" + "/".join(["d" * 200] * ((4060 - len(str(tmp_path))) // 201))
    given = [x.format(long=long, res=res, name251=name251, deep=deep) for x in argv]
    assert main(given) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("alliance-sim: error: --out '"), err
    assert "allowed names of up to 239 bytes and paths of up to 3,840" in err, err
    assert not any(tmp_path.iterdir())  # nothing made


@pytest.mark.parametrize(
    ("typo", "meant"), [("westren_offer", "western_offer"), ("russian_presure", "russian_pressure")]
)
def test_a_misspelt_regional_value_in_a_member_table_is_suggested(typo, meant, tmp_path, capsys):
    """`westren_offer` under [members.KAZ] was answered "did you mean 'western_openness'?" with
    an allowed list that left out western_offer, which that table takes (a new user's trial)."""
    f = tmp_path / "s.toml"
    f.write_text(f'extends = "baseline"\n[members.KAZ]\n{typo} = 0.12\n')
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.rstrip().endswith(f"did you mean {meant!r}?"), err
    assert f" {meant}," in err or f" {meant} " in err  # in the allowed list


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="a /proc file system (Linux)")
@pytest.mark.parametrize(
    "argv",
    [
        ["run", "baseline", "--replicates", "2", "--out", "/proc/alliance-sim-x"],
        ["sweep", "armenia_exits", "--out", "/proc/alliance-sim-x"],
        ["compare", "{res}", "{res}", "--out", "/proc/alliance-sim-x/r.md"],
        ["plot", "{res}", "--out", "/proc/alliance-sim-x"],
    ],
)
def test_an_output_where_nothing_can_be_made_names_the_option(argv, tmp_path, capsys):
    """`--out /proc/x` passed the permission check (as the superuser) and failed later as
    "/proc/x: cannot write here (No such file or directory)", naming neither the option nor
    what is allowed (a new user's trial)."""
    res = tmp_path / "res"
    if "{res}" in argv:
        assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--quiet",
                     "--out", str(res)]) == 0  # fmt: skip
    assert main([a.format(res=res) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("alliance-sim: error: --out '/proc/"), err


def test_a_misspelt_command_or_option_is_answered_with_the_nearest(capsys):
    """`alliance-sim rn baseline` listed every command without a suggestion, and an unknown
    option of `run` sent the reader to `alliance-sim --help`, which lists no option of `run`
    (a new user's trial)."""

    def refused(argv: list[str]) -> str:
        with pytest.raises(SystemExit) as e:  # argparse exits, status 2
            main(argv)
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        return err

    assert "did you mean 'run'?" in refused(["rn", "baseline"])
    err = refused(["run", "baseline", "--replicatse", "3"])
    assert "did you mean '--replicates'?" in err, err
    assert err.startswith("alliance-sim run: error:") and "(see: alliance-sim run --help)" in err
    assert "did you mean" not in refused(["run", "baseline", "--bogus"])  # nothing close
    # an option of the command, misplaced: said so, not "did you mean '--quiet'?" (red-team)
    err = refused(["--quiet", "run", "baseline"])
    assert "--quiet is an option of run: give it after" in err and "did you mean" not in err


def test_a_ctrl_c_during_the_output_probe_leaves_no_probe(tmp_path, monkeypatch, ctrl_c):
    """The folder made to try an --out was left behind by a Ctrl-C between its making and its
    removal (332 of 3,000 timed interrupts; red-team), and a later run refused the folder as
    holding files that are not a result."""
    import signal
    import tempfile

    from alliance_sim.paths import writable_dir

    made = tempfile.mkdtemp

    def interrupted(*a, **k):  # Ctrl-C arrives right after the probe is made
        d = made(*a, **k)
        signal.raise_signal(signal.SIGINT)
        return d

    monkeypatch.setattr(tempfile, "mkdtemp", interrupted)
    with pytest.raises(KeyboardInterrupt):  # the Ctrl-C is not lost: raised after the probe
        writable_dir(tmp_path / "new")
    assert list(tmp_path.iterdir()) == []


def test_an_end_note_does_not_make_a_refusal_two_lines(tmp_path, capsys):
    """`--end 2025Q2` said which events it leaves out before the command refused its --out (or
    its --chunk-size): bad input read as two lines (red-team)."""
    long = str(tmp_path / ("a" * 300))
    argv = ["run", "armenia_exits", "--replicates", "2", "--end", "2025Q2", "--out", long]
    assert main(argv) == 2
    assert capsys.readouterr().err.count("\n") == 1
    argv = ["sweep", "armenia_exits", "--replicates", "2", "--end", "2025Q2", "--chunk-size",
            "100000000", "--out", str(tmp_path / "s")]  # fmt: skip
    assert main(argv) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_python_api_refuses_outputs_no_file_system_takes(tmp_path):
    """From Python, write_figures(res, "f" * 256) and build_report(..., "h" * 252 + ".html")
    raised a bare OSError, write_figures(res, "/proc/zz") a FileNotFoundError, and an
    os.PathLike giving bytes pathlib's TypeError (red-team)."""
    from alliance_sim import run_scenario
    from alliance_sim.errors import UserError
    from alliance_sim.report.figures import write_figures
    from alliance_sim.report.html import build_report

    res = run_scenario("baseline", tmp_path / "r", replicates=2, end="2025Q4", quiet=True)

    class AsBytes:
        def __fspath__(self):
            return b"out"

    for call in (
        lambda: write_figures(res, tmp_path / ("f" * 256)),
        lambda: build_report([res.directory] * 2, tmp_path / ("h" * 252 + ".html"), quiet=True),
        lambda: write_figures(res, AsBytes()),
        lambda: write_figures(res, str(tmp_path / "a\0b")),
    ):
        with pytest.raises(UserError):
            call()
    if Path("/proc/self").exists():
        with pytest.raises(UserError, match="nothing can be made in /proc"):
            write_figures(res, "/proc/alliance-sim-zz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_a_misspelt_member_field_of_a_sweep_axis_lists_what_is_allowed(tmp_path, capsys):
    """ "members.ARM.zzzz" in [sweep.parameters] was refused without saying what is allowed."""
    f = tmp_path / "s.toml"
    f.write_text('extends = "armenia_exits"\n[sweep]\nsampler = "grid"\n[sweep.parameters]\n'
                 '"members.ARM.zzzz" = [0.1, 0.2]\n')  # fmt: skip
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "allowed: population_m," in err and "western_offer" in err


def test_a_plot_refused_while_drawing_leaves_no_folder(tmp_path, capsys):
    """A result with a time-series part missing is found out while the first figure is drawn,
    after the figures' folder was made: `plot` refused it and left that folder, empty
    (red-team)."""
    res = tmp_path / "r"
    assert main(["run", "baseline", "--replicates", "2", "--end", "2025Q4", "--quiet",
                 "--out", str(res)]) == 0  # fmt: skip
    next((res / "timeseries.parquet").glob("part-*.parquet")).unlink()
    assert main(["plot", str(res), "--out", str(tmp_path / "new" / "figs")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "new").exists()


def test_an_empty_out_of_run_is_named_as_typed(tmp_path, monkeypatch, capsys):
    """`run baseline --out ''` was refused as "--out '.' is the current directory": '.' is
    not what the user typed."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", "baseline", "--replicates", "2", "--out", ""]) == 2
    err = capsys.readouterr().err
    assert "--out '': an empty path" in err and err.count("\n") == 1, err


def test_an_option_is_taken_by_its_whole_name_only(tmp_path, capsys):
    """`refine DIR --out X` was read as `--outcome X` (a prefix of it) and ran (red-team)."""
    argv = ["refine", str(tmp_path / "none"), "--runs", "4", "--out", "x", "--outcome", "y"]
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --out x; did you mean '--outcome'?" in err, err


def test_plot_says_when_it_replaces_another_results_figures_in_a_figure_folder(tmp_path, capsys):
    """A new user's `plot out/rem --out figs_tjk` replaced the tjk scenario's fan.png and
    status.png there without a word (a folder of figures, no result: allowed, as asked)."""
    from alliance_sim.report.figures import ReplacedFiguresNote, write_figures

    a, b, figs = tmp_path / "a", tmp_path / "b", tmp_path / "figs"
    assert main(["run", "armenia_exits", "--out", str(a), "--replicates", "5", "--quiet"]) == 0
    assert main(["run", "baseline", "--out", str(b), "--replicates", "5", "--quiet"]) == 0
    assert main(["plot", str(a), "--out", str(figs), "--kind", "fan", "--kind", "status"]) == 0
    capsys.readouterr()
    assert main(["plot", str(b), "--out", str(figs), "--kind", "fan"]) == 0
    said = capsys.readouterr()
    assert f"note: {figs}: fan.png was a figure of another result, now replaced by {b}'s" in (
        said.out
    )
    assert "Warning" not in said.err
    assert main(["plot", str(b), "--out", str(figs), "--kind", "fan"]) == 0  # its own: silent
    assert "another result" not in capsys.readouterr().out
    with pytest.warns(ReplacedFiguresNote, match="status.png was a figure of another result"):
        write_figures(b, figs, "status")
    # a figure not drawn (here made to be skipped) is not named as replaced (red team)
    from alliance_sim.report import plots

    assert main(["plot", str(a), "--out", str(figs), "--kind", "fan", "--kind", "status"]) == 0
    capsys.readouterr()
    real = plots.status_probability
    try:
        plots.status_probability = lambda *args, **kw: None
        assert main(["plot", str(b), "--out", str(figs), "--kind", "fan", "--kind", "status"]) == 0
    finally:
        plots.status_probability = real
    said = capsys.readouterr().out
    assert "note: " in said and "fan.png was a figure of another result" in said
    assert "status.png" not in said


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_a_figure_names_its_result_exactly_whatever_bytes_follow(tmp_path, fmt):
    """The mark was read as any run of letters and digits, so in a PNG the chunk's checksum
    after it was read too when its first byte was a letter or digit ("...b34bk" for
    "...b34b"): 8 of a user's 11 figures were then taken for another result's, and `plot`
    twice into one folder said it had replaced another result's figures (helper-95)."""
    import hashlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alliance_sim.report.saving import save, source_of

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1])
    try:
        for i in range(40):  # checksums vary with the text: some start with a letter or digit
            fp = hashlib.sha256(str(i).encode()).hexdigest()[:20]
            path = save(fig, tmp_path / f"f{i}.{fmt}", source=fp)
            assert source_of(path) == fp, (i, fp, source_of(path))
    finally:
        plt.close(fig)


def test_a_scenario_changed_behind_its_description_is_refused(tmp_path):
    """`dataclasses.replace(sc, name=..., params=...)` ran the new values under the old
    scenario's name, hash and parameters in the manifest; `sc.params[k] = v` too, and a second
    run of such a change into the same folder returned the first one's result (helper-95)."""
    import dataclasses

    import pandas as pd

    from alliance_sim import evaluate, load_scenario, robustness, run_scenario, simulate, sweep
    from alliance_sim.errors import ScenarioError
    from alliance_sim.scenario.load import consistent, with_end, with_params

    sc = load_scenario("armenia_exits")
    moved = dataclasses.replace(sc, name="hard", params={**sc.params, "western_offer": 0.16})
    said = r"^scenario 'hard': its name, params differ from what it describes"
    for call in (
        lambda: run_scenario(moved, tmp_path / "a", replicates=2, quiet=True),
        lambda: sweep(moved, tmp_path / "b", replicates=2, quiet=True),
        lambda: simulate(moved),
        lambda: evaluate(pd.DataFrame(index=range(1)), moved, replicates=2),
        lambda: robustness(moved, samples=8, replicates=2, quiet=True),
    ):
        with pytest.raises(ScenarioError, match=said):
            call()
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    sc.params["western_offer"] = 0.16  # in place
    with pytest.raises(ScenarioError, match="its params differs from what it describes"):
        run_scenario(sc, tmp_path / "c", replicates=2, quiet=True)
    # what the API offers to change a scenario passes, every shipped scenario as loaded too
    fresh = load_scenario("armenia_exits")
    for ok in (fresh, with_end(fresh, "2028Q4"), with_params(fresh, {"western_offer": 0.16})):
        assert consistent(ok) is ok
    import alliance_sim

    hard = alliance_sim.with_params(fresh, {"western_offer": 0.16})  # the public name
    assert hard.hash != fresh.hash and hard.params["western_offer"] == 0.16
    with pytest.raises(ScenarioError, match="did you mean 'western_offer'"):
        alliance_sim.with_params(fresh, {"westrn_offer": 0.16})
    for odd in ("armenia_exits", None):  # a bare AttributeError (red team)
        with pytest.raises(ScenarioError, match=r"^with_params: expected a scenario"):
            alliance_sim.with_params(odd, {"western_offer": 0.16})
    with pytest.raises(ScenarioError, match=r"^plausible_range\(\['western_offer'\]\)"):
        alliance_sim.plausible_range(["western_offer"])  # a bare TypeError (red team)
    from alliance_sim.scenario.files import _names

    assert len(_names()) >= 10
    for name in _names():
        consistent(load_scenario(name))


def test_warnings_point_at_the_users_own_line(tmp_path):
    """`run_scenario(..., end=...)`'s warning of the events it leaves out pointed into the
    package's wrappers (errors.py:170), not the notebook's cell (helper-95)."""
    import warnings

    from alliance_sim import run_scenario

    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        run_scenario("armenia_exits", tmp_path / "r", replicates=2, end="2025Q2", quiet=True)
    said = [w for w in got if "events after it are left out" in str(w.message)]
    assert said and all(w.filename == __file__ for w in said), [w.filename for w in said]


def test_overlays_refuse_a_member_in_no_run(tmp_path):
    """`overlay(members=["UZB"])` (outside since 2012 in a forecast) drew an empty panel and
    `members=["RUS"]` another; `exit_overlay` dropped such a member and drew Armenia instead
    (helper-95). A report whose focus names one still draws the others."""
    from alliance_sim import build_report, overlay, run_scenario
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.report.overlays import exit_overlay

    a = run_scenario("baseline", tmp_path / "a", replicates=4, quiet=True)
    b = run_scenario("armenia_exits", tmp_path / "b", replicates=4, quiet=True)
    for draw in (overlay, exit_overlay):
        png = tmp_path / f"{draw.__name__}.png"
        with pytest.raises(AllianceSimError, match=r"UZB is a member in none of these results"):
            draw([a, b], png, members=["UZB", "ARM"])
        with pytest.raises(ValueError, match=r"RUS.*the patron, not an ally"):
            draw([a, b], png, members=["RUS"])
        assert not png.exists()
        assert draw([a, b], png, members=["ARM"]).is_file()
    mine = tmp_path / "uz.toml"
    mine.write_text('name = "U"\nextends = "baseline"\nfocus = ["UZB", "ARM"]\n')
    u = run_scenario(mine, tmp_path / "u", replicates=4, quiet=True)
    assert build_report([a, u], tmp_path / "r.html", quiet=True).is_file()


def test_force_says_what_it_replaces(tmp_path, capsys):
    """`run --force` (and `run_scenario(..., force=True)`) replaced a finished 100-run result
    of another scenario without a word (helper-95)."""
    from alliance_sim import run_scenario

    out = tmp_path / "r"
    assert main(["run", "armenia_exits", "--out", str(out), "--replicates", "4", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["run", "baseline", "--out", str(out), "--replicates", "3", "--force"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"replacing the earlier run in {out} (Armenia exits?, 4 runs, complete)")
    run_scenario("armenia_exits", out, replicates=2, force=True, quiet=False)
    assert "replacing the earlier run in" in capsys.readouterr().out
    run_scenario("baseline", out, replicates=2, force=True, quiet=True)
    assert capsys.readouterr().out == ""


def test_red_team_of_the_notebook_fixes(tmp_path, capsys, monkeypatch):
    """What the red team (helper-97) found in this round's fixes, each once."""
    import dataclasses
    import json

    from alliance_sim import Result, load_scenario, member_table, outcomes_at, run_scenario
    from alliance_sim.analysis.calibrate import calibrate
    from alliance_sim.errors import AllianceSimError, ScenarioError
    from alliance_sim.scenario.load import with_end

    # robustness --against --end, the scenario's file already ending there: the recorded
    # command carried no --end, and refused to rerun
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text('name = "Mine"\nextends = "baseline"\nend = "2030Q4"\n')
    argv = ["robustness", "mine.toml", "--against", "baseline", "--end", "2030Q4", "--out", "r"]
    assert main([*argv, "--samples", "8", "--replicates", "2", "--quiet"]) == 0
    got = json.loads((tmp_path / "r" / "robustness.json").read_text())
    assert "--against baseline --end 2030Q4 --out DIR" in got["command"]
    # a repaired result is the same result: a Result held before still reads it
    out = tmp_path / "rep"
    run_scenario("baseline", out, replicates=6, quiet=True)
    held = Result.open(out)
    next((out / "timeseries.parquet").iterdir()).unlink()
    run_scenario("baseline", out, replicates=6, quiet=True)  # repairs the part
    assert len(outcomes_at(held, "2028Q4")) == 6
    # a vintage set by hand (the hash does not hold it), calibrate, with_end of a replaced one
    s = load_scenario("history_2020_2024")
    with pytest.raises(ScenarioError, match="its vintage differs from what it describes"):
        run_scenario(dataclasses.replace(s, vintage="2012Q4"), tmp_path / "v", replicates=2)
    moved = dataclasses.replace(s, params={**s.params, "contagion": 0.7})
    with pytest.raises(ScenarioError, match="its params differs"):
        calibrate(moved, draws=16, generations=1, replicates=1, workers=1, quiet=True)
    arm = load_scenario("armenia_exits")
    with pytest.raises(ScenarioError, match="its params differs"):  # it dropped the change
        with_end(dataclasses.replace(arm, params={**arm.params, "contagion": 0.5}), "2030Q4")
    # member_table of a table read at a quarter: start= and at= may not say otherwise
    t = outcomes_at(Result.open(out), "2026Q4")
    assert member_table(t, start="2024Q4").attrs["quarter"] == "2026Q4"
    with pytest.raises(AllianceSimError, match=r"member_table\(at='2033Q4'\): this table was read"):
        member_table(t, start="2024Q4", at="2033Q4")
    # an older folder without a series: its end values are left out, not passed as Q's
    import alliance_sim.runs.results as rs

    real = rs.open_dataset

    gone = ("credibility", "western_influence")

    class Less:  # the dataset as an older folder's: those columns not in its schema
        def __init__(self, d):
            self.schema = type("S", (), {"names": [n for n in d.schema.names if n not in gone]})
            self.to_table = d.to_table

    monkeypatch.setattr(rs, "open_dataset", lambda d, tb: Less(real(d, tb)))
    t = outcomes_at(Result.open(out), "2026Q4")
    assert "KAZ_credibility" in t.attrs["left_out"] and "KAZ_credibility" not in t
    assert "western_influence" in t.attrs["left_out"] and "russian_influence" in t


def test_with_params_names_its_variant_and_sends_member_figures_elsewhere():
    """Two `with_params` variants of one scenario read alike in a report's headline ("Western
    surge ... vs Western surge"), told apart by their folders only; a member figure was "an
    unknown parameter" although simulate() and evaluate() take it (helper-102)."""
    from alliance_sim import load_scenario, with_params
    from alliance_sim.errors import ScenarioError
    from alliance_sim.scenario.load import consistent

    sc = load_scenario("western_surge")
    v = with_params(sc, {"western_offer": 0.16, "exit_patience": 2})
    assert v.name == "Western surge (western_offer 0.16, exit_patience 2)" and v.hash != sc.hash
    consistent(v)  # its description says so too: the functions that run it take it
    many = with_params(sc, {k: 0.1 for k in ("western_offer", "chinese_offer", "contagion",
                                             "russian_pressure", "grievance_weight")})  # fmt: skip
    assert many.name == "Western surge (5 parameters set)"
    with pytest.raises(ScenarioError, match=r"'members\.ARM\.pressure_tolerance' is not a glob"):
        with_params(sc, {"members.ARM.pressure_tolerance": 0.1})


def test_red_team_of_the_review(tmp_path, capsys):
    """helper-103: `compare --robustness` of a FIFO named robustness.json hung (and of a link
    to /dev/zero filled the memory); `with_params` of a value the scenario already has, or
    reached in two steps, changed the hash; an unknown column gave pyarrow's error and the
    whole schema; the live view's seed took "²" and 10**30."""
    import os

    from alliance_sim import load_scenario, run_scenario, with_params
    from alliance_sim.cli.main import main
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.report.viz import _seed

    b = load_scenario("baseline")
    assert with_params(b, {"russian_bandwidth": b.params["russian_bandwidth"]}).hash == b.hash
    two = with_params(with_params(b, {"russian_bandwidth": 0.3}), {"russian_bandwidth": 0.35})
    one = with_params(b, {"russian_bandwidth": 0.35})
    assert two.hash == one.hash and two.name == "Baseline (russian_bandwidth 0.35)"
    r = run_scenario("western_surge", tmp_path / "w", replicates=2, quiet=True)
    with pytest.raises(AllianceSimError, match=r"runs: no column 'ARM_exitd'; did you mean"):
        r.read("runs", ["run", "ARM_exitd"])
    for bad in ("²", "٣", "1" * 30, "-1", True):
        with pytest.raises(ValueError, match=r"Seed .*: allowed a whole number from 0 to"):
            _seed(bad)
    assert _seed(" 7 ") == 7 and _seed(7) == 7
    rob = tmp_path / "rob"
    rob.mkdir()
    os.mkfifo(rob / "robustness.json")
    capsys.readouterr()
    argv = ["compare", str(r.directory), str(r.directory), "--out", str(tmp_path / "c.md")]
    assert main([*argv, "--robustness", str(rob)]) == 2  # not a hang
    assert "no robustness analysis there" in capsys.readouterr().err
