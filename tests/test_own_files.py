"""alliance-sim replaces only files it wrote: a figure, table or text of the same name that
someone else made is refused with one line (exit 2) and left as it was -- with or without
``--force`` -- while the tool's own earlier output is replaced as before."""

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
    assert MARK in fan.read_bytes()  # PNG Software, SVG and PDF Creator
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
    with pytest.raises(ValueError, match="focus 'Armenia': not a member code; did you mean 'ARM'"):
        member_table(Result.open(result), focus="Armenia")
    assert member_table(Result.open(result), focus="ARM")["member"].iloc[0] == "ARM"
    with pytest.raises(Exception, match=r"commitment\.png: a file, not a result directory"):
        Result.open(result / "commitment.png")
