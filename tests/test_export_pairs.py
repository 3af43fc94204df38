"""Leaving with the data (CSV export) and the pairs plot of a sweep."""

import pandas as pd
import pytest

from alliance_sim import sweep
from alliance_sim.cli.main import main
from alliance_sim.report.figures import write_figures
from conftest import MINIMAL

SWEEP = (
    '[sweep]\nsampler = "lhs"\nsamples = 12\nreplicates = 3\nseed = 1\n'
    "[sweep.parameters]\nwestern_offer = { low = 0.02, high = 0.16 }\n"
    "russian_pressure = { low = 0.1, high = 0.7 }\n"
    '"members.ARM.pressure_tolerance" = { low = 0.05, high = 0.4 }\n'
)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    d = tmp_path_factory.mktemp("sw")
    (d / "s.toml").write_text(MINIMAL + SWEEP, "utf-8")
    return sweep(d / "s.toml", d / "res")


def test_export_writes_every_table_as_csv_and_refuses_to_overwrite(result, tmp_path, capsys):
    out = tmp_path / "csv"
    assert main(["export", str(result.directory), "--format", "csv", "--out", str(out)]) == 0
    for t in ("runs", "alliance", "timeseries"):
        csv = pd.read_csv(out / f"{t}.csv")
        parquet = pd.read_parquet(result.directory / f"{t}.parquet")
        assert list(csv.columns) == list(parquet.columns)
        assert len(csv) == len(parquet) > 0
    runs = pd.read_csv(out / "runs.csv")
    pd.testing.assert_series_equal(
        runs["ARM_commitment"], result.runs["ARM_commitment"], check_exact=False, rtol=1e-12
    )
    assert (out / "manifest.json").read_text() == (result.directory / "manifest.json").read_text()
    # a value that does not exist is an empty cell (missing in Stata, R, Excel), never "nan"
    text = (out / "runs.csv").read_text()
    assert "nan" not in text.lower().replace("\n", ",").split(",")
    assert runs["ARM_exit_step"].isna().any() and result.runs["ARM_exit_step"].isna().any()
    capsys.readouterr()
    # the same complete result exported again (a script run twice): written again, exit 0
    # (it was refused with "already holds runs.csv", where run and sweep say nothing to run);
    # an export cut short there is made whole, not passed as done (red team)
    whole = (out / "runs.csv").read_bytes()
    (out / "runs.csv").write_bytes(whole.splitlines(keepends=True)[0])
    assert main(["export", str(result.directory), "--out", str(out)]) == 0
    assert f"{out / 'runs.csv'}" in capsys.readouterr().out
    assert (out / "runs.csv").read_bytes() == whole
    (out / "manifest.json").write_text((out / "manifest.json").read_text() + " ")  # another
    assert main(["export", str(result.directory), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["export", str(result.directory), "--out", str(out), "--force"]) == 0
    assert main(["export", str(tmp_path / "nothing")]) == 2


def test_pairs_plot_of_a_sweep(result, tmp_path):
    paths = write_figures(result, tmp_path, kinds=["pairs"], outcomes=["ARM_exited"])
    assert [p.name for p in paths] == ["pairs_ARM_exited.png"]
    assert paths[0].stat().st_size > 20_000


def test_pairs_plot_gives_a_share_in_percent(result, tmp_path, monkeypatch):
    """Its colour bar and diagonal read 0-0.2 where every other figure gives a share in %."""
    import matplotlib.figure

    from alliance_sim.report import pairs

    seen = []
    monkeypatch.setattr(pairs, "_save", lambda fig, path, *a, **k: seen.append(fig) or path)
    pairs.pairs_plot(result.runs, result.manifest, result.swept, "ARM_exited", tmp_path / "p")
    fig = seen[0]
    assert isinstance(fig, matplotlib.figure.Figure)
    fig.canvas.draw()
    bar = fig.axes[-1]  # the shared colour bar
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert labels and all(t.endswith("%") for t in labels), labels
    seen.clear()
    pairs.pairs_plot(result.runs, result.manifest, result.swept, "cohesion_final", tmp_path / "q")
    seen[0].canvas.draw()
    labels = [t.get_text() for t in seen[0].axes[-1].get_yticklabels() if t.get_text()]
    assert labels and not any(t.endswith("%") for t in labels)  # a mean: not a share


def test_pairs_needs_two_swept_parameters(tmp_path):
    (tmp_path / "one.toml").write_text(
        MINIMAL
        + "[sweep]\nsamples = 3\nreplicates = 1\n[sweep.parameters]\nwestern_offer = [0.02, 0.1]\n",
        "utf-8",
    )
    res = sweep(tmp_path / "one.toml", tmp_path / "res")
    with pytest.raises(ValueError, match="no pairs figure: fewer than two parameters"):
        write_figures(res, tmp_path / "f", kinds=["pairs"])


def test_pairs_and_discover_read_event_quarters(tmp_path):
    from alliance_sim import discover

    (tmp_path / "q.toml").write_text(
        MINIMAL + '[[events]]\nid = "squeeze"\ntype = "pressure"\nmember = "ARM"\nat = "2025Q1"\n'
        "size = 0.5\n"
        '[sweep]\nsampler = "lhs"\nsamples = 16\nreplicates = 2\nseed = 3\n'
        '[sweep.parameters]\n"events.squeeze.at" = { low = "2024Q3", high = "2026Q2" }\n'
        '"events.squeeze.size" = { low = 0.1, high = 0.9 }\n',
        "utf-8",
    )
    res = sweep(tmp_path / "q.toml", tmp_path / "res")
    assert res.runs["events.squeeze.at"].str.match(r"^20\d\dQ[1-4]$").all()
    [path] = write_figures(res, tmp_path / "f", kinds=["pairs"], outcomes=["ARM_min_commitment"])
    assert path.stat().st_size > 20_000
    median = float(res.runs["ARM_min_commitment"].median())  # half the runs are cases
    d = discover(res, "ARM_min_commitment", median, below=True)
    assert set(d.ranges) == {"events.squeeze.at", "events.squeeze.size"}
    assert d.in_words()
