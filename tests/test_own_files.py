"""alliance-sim replaces only files it wrote: a figure, table or text of the same name that
someone else made is refused with one line (exit 2) and left as it was -- with or without
``--force`` -- while the tool's own earlier output is replaced as before."""

import json

import pytest

from alliance_sim.cli.main import main
from alliance_sim.report.saving import MARK

MINE = b"my own work\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    d = tmp_path_factory.mktemp("own") / "res"
    assert main(["run", "baseline", "--replicates", "3", "--out", str(d), "--quiet"]) == 0
    return d


def _refused(capsys, path, option="--out"):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option in err and path.name in err, err
    assert "not a" in err and "alliance-sim wrote" in err, err
    assert path.read_bytes() == MINE


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_plot_writes_marked_figures_and_replaces_only_its_own(result, tmp_path, capsys, fmt):
    out = tmp_path / "figs"
    assert main(["plot", str(result), "--out", str(out), "--format", fmt]) == 0
    fan = out / f"fan.{fmt}"
    assert MARK.search(fan.read_bytes())  # PNG Software, SVG and PDF Creator
    before = fan.stat().st_mtime_ns
    assert main(["plot", str(result), "--out", str(out), "--format", fmt]) == 0  # its own
    assert fan.stat().st_mtime_ns != before
    capsys.readouterr()
    fan.write_bytes(MINE)  # now someone else's
    status = out / f"status.{fmt}"
    status_before = status.read_bytes()
    assert main(["plot", str(result), "--out", str(out), "--format", fmt]) == 2
    _refused(capsys, fan)
    assert status.read_bytes() == status_before  # refused before any figure was written


def test_export_force_never_replaces_a_file_it_did_not_write(result, tmp_path, capsys):
    out = tmp_path / "csv"
    assert main(["export", str(result), "--out", str(out)]) == 0
    assert main(["export", str(result), "--out", str(out), "--force"]) == 0  # its own: fine
    capsys.readouterr()
    (out / "runs.csv").write_bytes(MINE)
    assert main(["export", str(result), "--out", str(out), "--force"]) == 2
    _refused(capsys, out / "runs.csv")
    (out / "runs.csv").unlink()
    (out / "PARTIAL.txt").write_bytes(MINE)  # a complete export removed only its own note
    assert main(["export", str(result), "--out", str(out), "--force"]) == 2
    _refused(capsys, out / "PARTIAL.txt")


def test_export_to_its_default_folder_names_no_option_nobody_gave(tmp_path, capsys):
    """A file of one's own in DIR/csv was refused as "--out DIR/csv/runs.csv ... choose
    another --out", an option the user had not given (helper-100's list)."""
    import shutil

    res = tmp_path / "r"
    assert main(["run", "baseline", "--out", str(res), "--replicates", "2", "--quiet"]) == 0
    (res / "csv").mkdir()
    (res / "csv" / "runs.csv").write_bytes(MINE)
    assert main(["export", str(res)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"alliance-sim: error: the default export folder '{res / 'csv'}': "), err
    assert "export elsewhere with --out" in err and "choose another --out" not in err, err
    assert (res / "csv" / "runs.csv").read_bytes() == MINE
    shutil.rmtree(res / "csv")
    # a result in DIR/csv, or a file named csv: named as the default folder, not "--out
    # 'None'", and not offered as the place to export to (red team)
    assert main(["run", "baseline", "--out", str(res / "csv"), "--replicates", "2", "-q"]) == 0
    assert main(["export", str(res)]) == 2
    err = capsys.readouterr().err
    assert "the default export folder" in err and "is a result directory" in err, err
    assert "None" not in err and "(the default)" not in err, err
    shutil.rmtree(res / "csv")
    (res / "csv").write_bytes(MINE)
    assert main(["export", str(res)]) == 2
    assert "is not a folder; export elsewhere with --out" in capsys.readouterr().err
    assert (res / "csv").read_bytes() == MINE
    (res / "csv").unlink()
    assert main(["export", str(res)]) == 0


def test_overlay_refuses_a_foreign_file_and_arguments_that_do_not_fit(result, tmp_path):
    from alliance_sim.report.overlays import exit_overlay, overlay
    from alliance_sim.runs.results import Result

    r = Result.open(result)
    theirs = tmp_path / "theirs.png"
    theirs.write_bytes(MINE)
    with pytest.raises(Exception, match="not a figure alliance-sim wrote"):
        overlay([r, r], theirs)
    assert theirs.read_bytes() == MINE
    # no suffix: matplotlib writes PNG and adds .png; the path returned is the file written
    p = overlay([r, r], tmp_path / "both", members="ARM")
    assert p == tmp_path / "both.png" and p.is_file()
    assert overlay([r, r], p) == p  # its own figure: replaced
    for draw in (overlay, exit_overlay):
        with pytest.raises(ValueError, match="members 'XYZ': not a member code"):
            draw([r, r], tmp_path / "x.png", members=["XYZ"])
        with pytest.raises(ValueError, match="names: 1 given for 2 results"):
            draw([r, r], tmp_path / "x.png", names=["one"])
        with pytest.raises(ValueError, match="at '2999Q1': outside the results' quarters"):
            draw([r, r], tmp_path / "x.png", at="2999Q1")
    with pytest.raises(ValueError, match="unknown figure format 'txt'"):
        overlay([r, r], tmp_path / "x.txt")
    assert not (tmp_path / "x.png").exists()


def test_sensitivity_refuses_before_analysing(tmp_path, capsys):
    from test_analysis import fake_sweep

    d = fake_sweep(tmp_path, "saltelli", 64)
    out = tmp_path / "f"
    out.mkdir()
    (out / "sensitivity_ishigami.csv").write_bytes(MINE)
    assert main(["sensitivity", str(d), "--outcome", "ishigami", "--out", str(out)]) == 2
    assert "Sobol indices" not in capsys.readouterr().out
    assert (out / "sensitivity_ishigami.csv").read_bytes() == MINE
    (out / "sensitivity_ishigami.csv").unlink()
    assert main(["sensitivity", str(d), "--outcome", "ishigami", "--out", str(out)]) == 0
    assert main(["sensitivity", str(d), "--outcome", "ishigami", "--out", str(out)]) == 0
    capsys.readouterr()
    (out / "sensitivity_ishigami.png").write_bytes(MINE)
    assert main(["sensitivity", str(d), "--outcome", "ishigami", "--out", str(out)]) == 2
    _refused(capsys, out / "sensitivity_ishigami.png")


def test_api_arguments_that_fit_nothing_are_one_line(result, tmp_path):
    from alliance_sim.analysis.summary import member_table
    from alliance_sim.report.figures import write_figures
    from alliance_sim.runs.results import Result

    with pytest.raises(ValueError, match="kinds=\\[\\]: allowed one or more of fan"):
        write_figures(result, tmp_path / "f", kinds=[])
    assert not (tmp_path / "f").exists()
    with pytest.raises(
        ValueError, match=r"focus 'Armenia': not a member code; allowed BLR.*did you mean 'ARM'"
    ):
        member_table(Result.open(result), focus="Armenia")
    assert member_table(Result.open(result), focus="ARM")["member"].iloc[0] == "ARM"
    with pytest.raises(Exception, match=r"commitment\.png: a file, not a result directory"):
        Result.open(result / "commitment.png")


def test_a_folder_that_only_looks_like_a_result_is_never_cleared(tmp_path, capsys):
    """Red team: a folder holding a pyarrow dataset called runs.parquet (part-0.parquet) and
    one's own summary.json was taken for a result whose manifest was lost, and --force
    deleted the files."""
    d = tmp_path / "data"
    (d / "runs.parquet").mkdir(parents=True)
    (d / "runs.parquet" / "part-0.parquet").write_bytes(MINE)
    for name in ("summary.json", "by_point.csv", "commitment.png"):
        (d / name).write_bytes(MINE)
    for force in ([], ["--force"]):
        args = ["run", "baseline", "--replicates", "2", "--out", str(d), "--quiet", *force]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "add --force" not in err, err
    assert sorted(p.name for p in d.rglob("*")) == [
        "by_point.csv", "commitment.png", "part-0.parquet", "runs.parquet", "summary.json"
    ]  # fmt: skip
    assert all(p.read_bytes() == MINE for p in d.rglob("*") if p.is_file())


def test_a_file_named_like_the_journal_is_never_deleted(result, tmp_path, capsys):
    """Red team: a user's own chunks.jsonl (the name of a running sweep's journal) made a
    folder look like a result whose manifest was lost, and --force deleted it; beside a
    result, --force deleted it too.  Neither is deleted (nor appended to) now."""
    d = tmp_path / "notes"
    d.mkdir()
    (d / "chunks.jsonl").write_bytes(b'{"my": "records"}\n')
    for force in ([], ["--force"]):
        args = ["run", "baseline", "--replicates", "2", "--out", str(d), "--quiet", *force]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "add --force" not in err, err
    assert (d / "chunks.jsonl").read_bytes() == b'{"my": "records"}\n'
    import shutil

    copy = tmp_path / "res"
    shutil.copytree(result, copy)
    (copy / "chunks.jsonl").write_bytes(MINE)
    args = ["run", "baseline", "--replicates", "4", "--out", str(copy), "--quiet", "--force"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "chunks.jsonl is not the journal" in err, err
    assert (copy / "chunks.jsonl").read_bytes() == MINE
    assert (copy / "manifest.json").is_file()  # refused before anything was deleted
    (copy / "chunks.jsonl").unlink()
    (copy / "summary.json").unlink()
    (copy / "summary.json").mkdir()  # a folder of an output's name: not ours, kept
    (copy / "summary.json" / "part-000000.parquet").write_bytes(MINE)
    assert main(args) == 2  # summary.json is in the way of the summary
    assert (copy / "summary.json" / "part-000000.parquet").read_bytes() == MINE


def test_a_journal_cut_by_a_kill_is_still_ours(tmp_path):
    from alliance_sim.runs.integrity import journal_is_ours

    j = tmp_path / "chunks.jsonl"
    whole = '{"chunk": 0, "parts": {"runs": {}}}\n'
    for text, ours in [
        ("", True), (whole, True), (whole * 2 + '{"chunk": 1, "pa', True),
        ('{"chunk": 1, "pa', True), (whole + '{"ch', True), ("my notes\n", False),
        (whole + "my notes", False),
        ('{"chunk": 0}\n', False), ("[1, 2]\n", False),
    ]:  # fmt: skip
        j.write_text(text)
        assert journal_is_ours(j) is ours, text
    j.unlink()
    j.mkdir()
    assert not journal_is_ours(j)


def test_a_result_folder_with_a_foreign_output_is_refused_before_running(result, tmp_path, capsys):
    import shutil

    d = tmp_path / "res"
    shutil.copytree(result, d)
    (d / "commitment.png").write_bytes(MINE)  # someone's own figure under the result's name
    for force in ([], ["--force"]):
        args = ["run", "baseline", "--replicates", "3", "--out", str(d), "--quiet", *force]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "commitment.png, which alliance-sim did not write" in err, err
    assert (d / "commitment.png").read_bytes() == MINE and (d / "runs.parquet").is_dir()


def test_marks_are_where_alliance_sim_puts_them_not_anywhere(result, tmp_path, capsys):
    """Red team: a user's SVG titled "... alliance-sim ...", a manifest.json with a
    "fingerprint" key and notes quoting discover's last line all passed as the tool's own."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alliance_sim.report.discover_plots import SIGNED
    from alliance_sim.report.saving import figure_path

    out = tmp_path / "f"
    out.mkdir()
    fig = plt.figure()
    fig.suptitle("My own chart of alliance-sim exports")
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(out / "fan.svg", metadata={"Title": "alliance-sim 1"})
    plt.close(fig)
    before = (out / "fan.svg").read_bytes()
    assert b"alliance-sim" in before
    assert main(["plot", str(result), "--out", str(out), "--format", "svg"]) == 2
    assert (out / "fan.svg").read_bytes() == before
    capsys.readouterr()
    e = tmp_path / "e"
    e.mkdir()
    (e / "manifest.json").write_bytes(b'{"fingerprint": "mine"}\n')
    assert main(["export", str(result), "--out", str(e), "--force"]) == 2
    assert (e / "manifest.json").read_bytes() == b'{"fingerprint": "mine"}\n'
    notes = b"my notes\nwritten by alliance-sim 0.1.0 (discover)\nmore of mine\n"
    assert not SIGNED.search(notes)  # discover's mark is its last line, not a quote of it
    assert SIGNED.search(b"Armenia ...\n\nwritten by alliance-sim 0.1.0 (discover)\n")
    link = tmp_path / "link.png"
    link.symlink_to(out / "elsewhere.png")  # dangling: writing would replace the link
    with pytest.raises(Exception, match="symbolic link"):
        figure_path(link)
    (e / "manifest.json").unlink()
    (e / "runs.csv").symlink_to(tmp_path / "nowhere.csv")
    assert main(["export", str(result), "--out", str(e)]) == 2
    assert "symbolic link" in capsys.readouterr().err and (e / "runs.csv").is_symlink()


def test_backtest_output_must_be_the_tools_own(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alliance_sim.errors import UserError
    from alliance_sim.report.backtest import check_out

    d = tmp_path / "bt"
    d.mkdir()
    fig = plt.figure()
    fig.savefig(d / "backtest.png")  # any matplotlib figure: not the backtest's
    plt.close(fig)
    with pytest.raises(UserError, match=r"backtest\.png' exists and is not a backtest output"):
        check_out(d)
    (d / "backtest.png").unlink()
    (d / "backtest.md").write_text("# Backtest of my own model\nnotes\n")
    with pytest.raises(UserError, match=r"backtest\.md' exists and is not a backtest output"):
        check_out(d)
    # the shipped backtests are the tool's own: they can be written again where they are
    from conftest import ROOT

    for shipped in ("backtest", "backtest_2006_2024"):
        assert check_out(ROOT / "docs" / shipped) == ROOT / "docs" / shipped


def test_a_markdown_report_replaces_only_its_own_figures(result, tmp_path, capsys):
    rep = tmp_path / "rep.md"
    args = ["compare", str(result), str(result), "--out", str(rep)]
    assert main(args) == 0
    files = tmp_path / "rep_files"
    assert main(args) == 0  # its own report and figures: replaced
    rep.unlink()
    assert main(args) == 0  # its own figures without the report: still its own
    (files / "figure1.png").write_bytes(MINE)
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "figure1.png, which no report of alliance-sim wrote" in err
    assert (files / "figure1.png").read_bytes() == MINE


def test_exit_overlay_takes_what_overlay_takes(result, tmp_path):
    from alliance_sim.report.overlays import exit_overlay, overlay

    for draw in (overlay, exit_overlay):
        assert draw([result, str(result)], tmp_path / f"{draw.__name__}.png").is_file()
        with pytest.raises(ValueError, match="names: 1 given for 2 results; allowed a list"):
            draw([result, result], tmp_path / "x.png", names="ab")
        with pytest.raises(ValueError, match="no result given"):
            draw([], tmp_path / "x.png")
        with pytest.raises(Exception, match=r"commitment\.png of the result directory"):
            draw([result, result], result / "commitment.png")


def test_red_team_journals_and_parts_that_are_not_ours(result, tmp_path, capsys):
    """Second red-team of the journal checks: a plain re-run deleted a user's chunks.jsonl
    beside a finished result; a linked journal had the user's file appended to; an empty
    chunks.jsonl made a folder with the user's own manifest.json "ours" for --force; and
    --force deleted the old result before refusing a folder where a part goes."""
    import json
    import shutil

    args = ["run", "baseline", "--replicates", "3", "--quiet", "--out"]
    done = tmp_path / "done"
    shutil.copytree(result, done)
    (done / "chunks.jsonl").write_bytes(MINE)
    assert main([*args, str(done)]) == 2  # the same command: it would have deleted it
    assert "chunks.jsonl is not the journal" in capsys.readouterr().err
    assert (done / "chunks.jsonl").read_bytes() == MINE
    (done / "chunks.jsonl").unlink()
    log = tmp_path / "log.txt"
    log.write_bytes(MINE)
    (done / "chunks.jsonl").symlink_to(log)
    assert main([*args, str(done), "--force"]) == 2
    assert log.read_bytes() == MINE and (done / "chunks.jsonl").is_symlink()
    (done / "chunks.jsonl").unlink()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "manifest.json").write_text(json.dumps({"name": "my dataset"}))
    (mine / "chunks.jsonl").write_bytes(b"")
    for force in ([], ["--force"]):
        assert main([*args, str(mine), *force]) == 2
        assert "add --force" not in capsys.readouterr().err
    assert json.loads((mine / "manifest.json").read_text()) == {"name": "my dataset"}
    part = done / "runs.parquet" / "part-000000.parquet"
    part.unlink()
    part.mkdir()
    assert main([*args, str(done), "--force"]) == 2
    assert "part-000000.parquet is not a file written by alliance-sim" in capsys.readouterr().err
    assert (done / "manifest.json").is_file() and (done / "timeseries.parquet").is_dir()


def test_a_record_cut_by_a_full_disk_is_followed_by_whole_records(tmp_path):
    """A record cut by a full disk had the next appended onto it: the tool then called its own
    journal foreign (red-team)."""
    from alliance_sim.runs.integrity import (
        PartRecord,
        append_journal,
        journal_is_ours,
        read_journal,
    )

    rec = {"runs": {"part-000001.parquet": PartRecord(5, 10, "a" * 64)}}
    (tmp_path / "chunks.jsonl").write_text('{"chunk": 0, "parts": {"ru')  # cut
    append_journal(tmp_path, 1, rec)
    assert journal_is_ours(tmp_path / "chunks.jsonl")
    assert list(read_journal(tmp_path)) == [1]


def test_a_journal_that_cannot_be_written_is_named(tmp_path, monkeypatch):
    """A file-size limit reached while the journal was written said "File too large" without
    naming a file (red-team)."""
    import errno
    import os

    from alliance_sim.runs.integrity import PartRecord, append_journal

    def too_large(fd):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(os, "fsync", too_large)
    rec = {"runs": {"part-000001.parquet": PartRecord(5, 10, "a" * 64)}}
    with pytest.raises(OSError) as e:
        append_journal(tmp_path, 1, rec)
    assert e.value.filename == str(tmp_path / "chunks.jsonl") and e.value.errno == errno.EFBIG


def test_a_folder_with_a_manifest_of_ones_own_keeps_no_lock_file(tmp_path, capsys):
    """check, plot, export and a refused sweep each left .alliance-sim.lock in a user's
    folder holding a manifest.json of its own (red-team)."""
    d = tmp_path / "mine"
    d.mkdir()
    (d / "manifest.json").write_text('{"name": "my dataset"}')
    sweep_ = ["sweep", "armenia_exits", "--out", str(d), "--replicates", "1"]
    for argv in (
        ["check", str(d)],
        ["plot", str(d), "--out", str(tmp_path / "f")],
        ["export", str(d), "--out", str(tmp_path / "e")],
        [*sweep_, "--quiet"],
        [*sweep_, "--force"],
    ):
        assert main(argv) in (1, 2)
        assert sorted(p.name for p in d.iterdir()) == ["manifest.json"], argv
    capsys.readouterr()


def test_a_table_folder_that_is_a_link_and_a_datasets_folder(result, tmp_path, capsys):
    """Red team: --force unlinked a user's link standing in for runs.parquet; `check` left a
    lock file in a folder holding a manifest.json and a pyarrow dataset runs.parquet/."""
    import shutil

    d = tmp_path / "t"
    shutil.copytree(result, d)
    elsewhere = tmp_path / "ud"
    (d / "runs.parquet").rename(elsewhere)
    (d / "runs.parquet").symlink_to(elsewhere)
    args = ["run", "baseline", "--replicates", "4", "--quiet", "--out", str(d), "--force"]
    assert main(args) == 2
    assert "runs.parquet is not a folder written by alliance-sim" in capsys.readouterr().err
    assert (d / "runs.parquet").is_symlink() and any(elsewhere.iterdir())
    u = tmp_path / "u"
    (u / "runs.parquet").mkdir(parents=True)
    (u / "runs.parquet" / "part-0.parquet").write_bytes(MINE)
    (u / "manifest.json").write_text('{"my": "manifest"}')
    assert main(["check", str(u)]) in (1, 2)
    assert not (u / ".alliance-sim.lock").exists()
    capsys.readouterr()


@pytest.mark.parametrize("table", ["timeseries", "alliance", "runs"])
def test_a_link_where_a_part_is_repaired_is_refused_in_every_table(result, tmp_path, capsys, table):
    """The check for a link or folder where a part goes read its chunk numbers from a
    generator that the first table used up: a user's link in runs.parquet/ or
    alliance.parquet/ was replaced by a part, and a folder there failed on a temporary name
    (fourth red-team)."""
    import shutil

    done = tmp_path / "done"
    shutil.copytree(result, done)
    part = done / f"{table}.parquet" / "part-000000.parquet"
    part.unlink()  # damaged: the same command repairs it
    notes = tmp_path / "notes.txt"
    notes.write_bytes(MINE)
    part.symlink_to(notes)
    args = ["run", "baseline", "--replicates", "3", "--quiet", "--out", str(done)]
    assert main(args) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "part-000000.parquet is not a file written by" in said, said
    assert part.is_symlink() and notes.read_bytes() == MINE
    part.unlink()
    part.mkdir()
    assert main(args) == 2
    assert ".tmp" not in capsys.readouterr().err and part.is_dir()


def test_force_keeps_a_file_of_ones_own_where_a_table_folder_was(result, tmp_path, capsys):
    """A user who merged runs.parquet/ into one file beside a finished result had it deleted
    by --force, where check and a plain re-run both said the tool had not written it (fourth
    red-team)."""
    import shutil

    done = tmp_path / "done"
    shutil.copytree(result, done)
    shutil.rmtree(done / "runs.parquet")
    (done / "runs.parquet").write_bytes(MINE)
    argv = ["run", "baseline", "--replicates", "3", "--quiet", "--out", str(done), "--force"]
    assert main(argv) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "runs.parquet is not what alliance-sim wrote there" in said, (
        said
    )
    assert (done / "runs.parquet").read_bytes() == MINE and (done / "manifest.json").is_file()
    (done / "manifest.json").unlink()  # and with the manifest lost, which check says --force
    assert main(argv) == 2  # replaces (fifth red-team: the file was then deleted)
    assert "runs.parquet is not what alliance-sim wrote there" in capsys.readouterr().err
    assert (done / "runs.parquet").read_bytes() == MINE


def test_a_path_from_the_home_folder_means_the_home_folder(tmp_path, monkeypatch):
    """``out="~/b"`` from Python made a folder named ``~`` in the working folder, and the
    tables were then read from the home folder by pyarrow (a traceback, or another result's
    rows). ``~`` is the home folder everywhere, as in the shell and pandas."""
    from alliance_sim import Result, build_report, load_scenario, run_scenario, write_figures

    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir(), cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    res = run_scenario("armenia_exits", "~/b", replicates=4, end="2026Q4", quiet=True)
    assert res.directory == home / "b" and not (cwd / "~").exists()
    again = Result.open("~/b")
    assert again.read("runs")["run_id"].tolist() == res.read("runs")["run_id"].tolist()
    write_figures("~/b", "~/figs", kinds=["status"])
    run_scenario("baseline", "~/c", replicates=4, end="2026Q4", quiet=True)
    build_report(["~/b", "~/c"], out="~/report.html")
    assert (home / "figs").is_dir() and (home / "report.html").is_file()
    assert sorted(p.name for p in cwd.iterdir()) == []  # nothing in the working folder
    (home / "mine.toml").write_text('extends = "baseline"\nname = "Mine"\n')
    assert load_scenario("~/mine.toml").name == "Mine"
    (cwd / "child.toml").write_text('extends = "~/mine.toml"\nname = "Child"\n')  # red-team
    assert load_scenario("child.toml").params == load_scenario("~/mine.toml").params
    # ./~/x is a folder named ~ here, as in the shell, and read back from there, not the home
    res = run_scenario("armenia_exits", "./~/lit", replicates=2, end="2025Q4", quiet=True)
    assert res.directory == cwd / "~" / "lit" and not (home / "lit").exists()
    assert (
        Result.open("./~/lit").read("runs")["run_id"].tolist()
        == res.read("runs")["run_id"].tolist()
    )


def test_check_and_readers_take_the_lock_of_a_folder_named_from_home(tmp_path, monkeypatch, capsys):
    """`check '~/DIR'` (quoted: no shell expansion) took no lock and missed outputs in the way
    that `check DIR` found; `compare --robustness '~/rob'` found no analysis (red-team)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "armenia_exits", "--replicates", "2", "--end", "2025Q4", "--out",
                 "~/c3", "--quiet"]) == 0  # fmt: skip
    (home / "c3" / "by_point.csv").mkdir()
    assert main(["check", "~/c3"]) == 1
    assert "by_point.csv is a folder alliance-sim did not write" in capsys.readouterr().out
    import subprocess
    import sys

    hold = "import filelock, sys, time; k = filelock.FileLock(sys.argv[1]); k.acquire(); print(1, flush=True); time.sleep(30)"  # noqa: E501
    lock = str(home / "c3" / ".alliance-sim.lock")
    held = subprocess.Popen([sys.executable, "-c", hold, lock], stdout=subprocess.PIPE)
    try:  # another process writes it
        assert held.stdout.readline().strip() == b"1"
        assert main(["check", "~/c3"]) == 2
        assert "being written by another" in capsys.readouterr().err
    finally:
        held.kill()


def test_third_red_team_of_paths_from_home(tmp_path, monkeypatch, capsys):
    """`run --out ./~/x` wrote (and with --force replaced) the home folder's x; `extends =
    "./~/base.toml"` was looked up from the working folder; a dangling link named as the lock
    made a file where it pointed when a result was read (helper-72)."""
    from alliance_sim import load_scenario

    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir(), cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    argv = ["run", "armenia_exits", "--replicates", "2", "--end", "2025Q4", "--quiet"]
    assert main([*argv, "--out", "./~/x"]) == 0
    assert (cwd / "~" / "x" / "manifest.json").is_file() and not (home / "x").exists()
    sc = tmp_path / "sc"
    (sc / "~").mkdir(parents=True)
    (sc / "~" / "base.toml").write_text('name = "B"\ndescription = "b"\nextends = "baseline"\n'
                                        'end = "2027Q4"\n')  # fmt: skip
    (sc / "child.toml").write_text('name = "C"\ndescription = "c"\nextends = "./~/base.toml"\n')
    assert load_scenario(sc / "child.toml").end == "2027Q4"  # beside the file, from anywhere
    lock = cwd / "~" / "x" / ".alliance-sim.lock"
    lock.unlink()
    lock.symlink_to(tmp_path / "made_by_lock")
    capsys.readouterr()
    assert main(["check", "./~/x"]) == 1  # found, as every writer refuses the folder
    assert ".alliance-sim.lock is a symbolic link, not the lock" in capsys.readouterr().out
    assert not (tmp_path / "made_by_lock").exists()  # and nothing made through the link
    assert main([*argv, "--out", "./~/x", "--force"]) == 2
    assert "its lock file .alliance-sim.lock is a symbolic link" in capsys.readouterr().err


def test_a_step_out_of_a_new_folder_leaves_no_folder_behind(tmp_path, monkeypatch):
    """``build_report(out="nd/sub/../r.html")`` wrote nd/r.html and left an empty nd/sub
    that the user never asked for (a red-team); a user's file reached that way is still
    refused."""
    from pathlib import Path

    from alliance_sim.errors import UserError
    from alliance_sim.paths import ours_or_new

    monkeypatch.chdir(tmp_path)
    got = ours_or_new(Path("nd/sub/../r.html"), b"<!-- x", "report")
    assert got == Path("nd/r.html") and not (tmp_path / "nd" / "sub").exists()
    (tmp_path / "nd" / "r.html").write_text("mine")
    with pytest.raises(UserError, match=r"'nd/r\.html' exists and is not a report"):
        ours_or_new(Path("nd/new/../r.html"), b"<!-- x", "report")
    assert not (tmp_path / "nd" / "new").exists()
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")  # an existing folder: read by the system
    assert ours_or_new(Path("link/../r.html"), b"<!-- x", "report") == Path("link/../r.html")


@pytest.mark.parametrize("suffix", ["md", "html"])
@pytest.mark.parametrize("where", ["end", "middle", "cut short"])
def test_a_report_with_notes_added_is_not_replaced(result, tmp_path, capsys, suffix, where):
    """A new user appended notes to report.md and ran `compare` again: the report began as
    alliance-sim writes one, so it was replaced and the notes were gone, without a word.  A
    report now ends with a seal (the SHA-256 of all above it) and is replaced only while the
    seal holds: notes at its end or in its middle, or a write cut short, are kept."""
    report = tmp_path / f"report.{suffix}"
    args = ["compare", str(result), str(result), "--out", str(report)]
    assert main(args) == 0
    assert main(args) == 0  # its own, unchanged: replaced as before
    capsys.readouterr()
    text = report.read_bytes()
    mine = {
        "end": text + b"\nMY NOTES: a caveat for the paper\n",
        "middle": text[:200] + b"\nMY NOTES\n" + text[200:],
        "cut short": text[: len(text) // 2],
    }[where]
    report.write_bytes(mine)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a report alliance-sim wrote, changed since" in err, err
    assert "rename or remove it" in err and report.read_bytes() == mine


def test_a_report_is_written_byte_for_byte(result, tmp_path, monkeypatch):
    """The seal is checked on bytes: a report written with the platform's newline translation
    (Windows turns \\n into \\r\\n) would be refused the second time."""
    import pathlib

    def crlf(self, data, encoding=None, errors=None, newline=None):
        return pathlib.Path.write_bytes(self, data.replace("\n", "\r\n").encode())

    monkeypatch.setattr(pathlib.Path, "write_text", crlf)
    args = ["compare", str(result), str(result), "--out", str(tmp_path / "r.md")]
    assert main(args) == 0 and main(args) == 0


def test_sensitivity_says_when_it_replaces_another_results_figure(tmp_path, capsys):
    """`sensitivity B --out F` replaced A's sensitivity figure in F without the note `plot`
    gives (helper-100); its own figure is replaced without one; in A's own folder it is
    refused."""
    from test_analysis import fake_sweep

    (tmp_path / "one").mkdir(), (tmp_path / "two").mkdir()
    a = fake_sweep(tmp_path / "one", "saltelli", 64)
    b = fake_sweep(tmp_path / "two", "saltelli", 128)
    for d, mark in ((a, "a"), (b, "b")):  # what tells results apart, as a sweep writes it
        m = json.loads((d / "manifest.json").read_text())
        (d / "manifest.json").write_text(json.dumps({**m, "fingerprint": mark * 20}))
    out = tmp_path / "f"
    argv = ["sensitivity", "--outcome", "ishigami", "--out", str(out)]
    assert main([*argv[:1], str(a), *argv[1:]]) == 0
    assert main([*argv[:1], str(a), *argv[1:]]) == 0
    assert "another result's" not in capsys.readouterr().out
    assert main([*argv[:1], str(b), *argv[1:]]) == 0
    assert (
        f"note: {out}: sensitivity_ishigami.png and sensitivity_ishigami.csv were written for "
        f"another result (or a run that names none), now replaced by {b}'s"
    ) in capsys.readouterr().out
    assert main(["sensitivity", str(b), "--outcome", "ishigami"]) == 0  # into b itself
    (b / "sensitivity_ishigami.png").unlink()  # its own table stays: still its own
    assert main(["sensitivity", str(b), "--outcome", "ishigami"]) == 0
    assert "another result" not in capsys.readouterr().out
    assert main(["sensitivity", str(a), "--outcome", "ishigami", "--out", str(b)]) == 2
    assert "would replace them" in capsys.readouterr().err
    # b's table alone in b's folder, its figure gone: still b's (red team: it was replaced)
    (b / "sensitivity_ishigami.png").unlink()
    before = (b / "sensitivity_ishigami.csv").read_bytes()
    assert main(["sensitivity", str(a), "--outcome", "ishigami", "--out", str(b)]) == 2
    assert (b / "sensitivity_ishigami.csv").read_bytes() == before
    capsys.readouterr()
    # into another result's folder with nothing of it there: said, as plot says it
    (tmp_path / "three").mkdir()
    d = fake_sweep(tmp_path / "three", "saltelli", 64)
    m = json.loads((d / "manifest.json").read_text())
    (d / "manifest.json").write_text(json.dumps({**m, "fingerprint": "d" * 20}))
    assert main(["sensitivity", str(a), "--outcome", "ishigami", "--out", str(d)]) == 0
    assert f"note: {d} holds" in capsys.readouterr().out
