"""Figures fit for a paper (issue 23): the horizon in every title of an end-of-run outcome,
parameters with their units, event labels that never overlap, intervals on probability curves
and an axis that fits them, no fan chart from end-only records, ``--style paper``."""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from PIL import Image

from alliance_sim import load_scenario
from alliance_sim.cli.main import main
from alliance_sim.report import figures, marks, plots, shares
from alliance_sim.report.labels import outcome_label, parameter_label
from alliance_sim.runs.runner import run_scenario, sweep


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """The calibrated replay of 2020-2024: twenty events, several in the same quarter."""
    d = tmp_path_factory.mktemp("hist")
    return run_scenario("history_2020_2024_calibrated", d / "h", replicates=20)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    return sweep("armenia_exits", d / "g", replicates=12, end="2026Q4")


def test_labels_carry_units_and_horizons():
    assert parameter_label("western_offer") == "Western offer (ties/quarter)"
    assert parameter_label("members.ARM.pressure_tolerance") == (
        "Armenia: pressure tolerance (pressure)"
    )
    scenario = {"events": [{"id": "eu_arms", "type": "offer", "at": "2025Q3"}]}
    assert parameter_label("events.eu_arms.size", scenario) == "EU arms: size (ties added, 0-5)"
    assert parameter_label("events.eu_arms.at", scenario) == "EU arms: quarter"
    assert parameter_label("events.cn_arms.at", scenario) == "China arms: quarter"  # not "Cn"
    # a meaning too long to show is left out, not cut mid-phrase (a new user's axis read
    # "credibility signal (evidence the accession adds to every..., 0-5)")
    scenario["events"].append({"id": "iran_in", "type": "accession", "at": "2026Q1"})
    said = parameter_label("events.iran_in.credibility_signal", scenario)
    assert said == "Iran in: credibility signal (0-5)", said
    scenario["events"].append({"id": "kaz_squeeze", "type": "pressure", "at": "2026Q1"})
    assert parameter_label("events.kaz_squeeze.size", scenario) == (
        "KAZ squeeze: size (extra pressure, index 0-1)"
    )
    assert parameter_label("events.kaz_squeeze.duration", scenario) == (
        "KAZ squeeze: duration (quarters it lasts, 1-80)"
    )
    assert parameter_label("sco_substitution") == "SCO substitution (multiplier)"
    # a new user's Chinese package read "Pla package"
    scenario["events"].append({"id": "pla_package", "type": "offer", "at": "2026Q1"})
    assert parameter_label("events.pla_package.at", scenario) == "PLA package: quarter"
    assert outcome_label("ARM_exited", "2028Q4") == "ARM P(exit by 2028Q4)"
    assert outcome_label("KAZ_suspended", "2028Q4") == "KAZ P(suspended at 2028Q4)"
    assert outcome_label("cohesion_final", "2028Q4") == "cohesion at 2028Q4"


def _numbers(ax):
    return [t for t in ax.texts if t.get_text().isdigit()]


def test_event_numbers_never_overlap_and_the_key_names_each(history, tmp_path, monkeypatch):
    drawn = _capture(monkeypatch)
    plots.status_probability(history, tmp_path / "s.png")
    fig = drawn["fig"]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in _numbers(ax)]
        assert len(boxes) == 20  # every event of 2020-2024, numbered
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b), (a, b)
    key = next(t.get_text() for t in fig.texts if t.get_text().startswith("Events"))
    assert "1 2020Q4 ARM appeal" in key and "20 2024Q2 Azerbaijan: delimitation" in key


def test_probability_curves_have_bands_and_an_axis_that_fits(tmp_path, monkeypatch):
    from alliance_sim.scenario.load import with_params

    # the refitted replay has no exit in 20 runs: an easier exit rule gives Armenia a few
    sc = load_scenario("history_2020_2024_calibrated")
    easy = {"exit_below": 0.15, "exit_patience": 1, "exit_hazard": 0.3}
    history = run_scenario(with_params(sc, easy), tmp_path / "h", replicates=20)
    drawn = _capture(monkeypatch)
    plots.status_probability(history, tmp_path / "s.png")
    exited = drawn["fig"].axes[1]
    assert any(isinstance(c, PolyCollection) for c in exited.collections)  # ARM's band
    top = exited.get_ylim()[1]
    assert top < 0.75  # a quarter of the runs have left by 2024Q4: not a 0-100% axis
    arm = next(line for line in exited.lines if line.get_label() == "ARM")
    assert 0 < max(arm.get_ydata()) < top
    assert "0% in every run: BLR, KAZ, KGZ, TJK" in exited.get_title()


def test_the_zero_note_never_reads_the_common_start_or_a_banded_quarter():
    """New-user finding: a panel whose curve rises from 0% at the start to 40% said "at 0%:
    95% upper bound 1% (no band drawn)" -- the start, where nobody has left by definition."""
    hi = np.array([0.09, 0.02, 0.03, 0.04, 0.05])  # the start's bound the largest
    rising = np.array([0.0, 0.05, 0.1, 0.2, 0.4])
    assert shares.zero_bound({"ARM": (rising, rising, hi)}) == 0
    late = np.array([0.0, 0.0, 0.0, 0.0, 0.1])  # quarter 3 is banded, 1-2 are bare
    assert shares.zero_bound({"ARM": (late, late, hi)}) == 0.03
    never = np.zeros(5)
    assert shares.zero_bound({"KAZ": (never, never, hi)}) == 0.05


def test_the_zero_note_gives_a_joiner_its_own_bound():
    """New-user finding: "0% in every run: BLR, KAZ, TJK, IRN; at 0% the 95% upper bound is
    1%" beside a table giving Iran, a member in a few runs, [0%, 43%]."""
    never = np.zeros(4)
    few = np.array([np.nan, np.nan, 0.0, 0.0])  # no run had Iran in at first
    iv = {
        "BLR": (never, never, np.full(4, 0.01)),
        "KAZ": (never, never, np.full(4, 0.01)),
        "IRN": (few, few, np.array([np.nan, np.nan, 0.43, 0.43])),
    }
    joined = ", counted among the runs in which it has joined"
    assert shares.zero_note(iv) == "1%; IRN's up to 43%" + joined
    assert shares.zero_note({k: iv[k] for k in ("BLR", "KAZ")}) == "1%"
    assert shares.zero_note({"IRN": iv["IRN"]}) == "43%"
    # its widest bound where it had joined in one run, beside a table's at the end (new user)
    iv["IRN"] = (few, few, np.array([np.nan, np.nan, 0.79, 0.56]))
    assert shares.zero_note(iv) == "1%; IRN's up to 79% (56% at the end)" + joined
    assert shares.zero_note({"IRN": iv["IRN"]}) == "79% (56% at the end)"
    # the panel's note: "0% in every run: BLR, KAZ, IRN; ... is 1%; IRN's up to 79%" read as
    # Iran at 0% and at 79% at once (helper-67); a joiner at 0% is said apart
    import matplotlib.pyplot as plt

    from alliance_sim.report.plots import probability_curves

    fig, ax = plt.subplots()
    probability_curves(ax, ["a", "b", "c", "d"], iv)
    plt.close(fig)
    assert ax._alliance_never == (
        "0% in every run: BLR, KAZ; IRN 0% in the runs in which it joined (95% upper bound "
        "79%, 56% at the end); where a line is at 0% (no band drawn), its 95% upper bound is 1%"
    )


def test_a_member_in_few_runs_draws_no_median_from_them():
    """New-user finding: Iran, a member in 2 of 400 runs, had a median and a band drawn."""
    q = np.tile(np.linspace(0.2, 0.6, 4), (5, 1))
    zero = np.zeros(4)
    rare = {"active": np.array([0, 0.005, 0.005, 0.005]), "hedging": zero, "suspended": zero}
    drawn, note = marks.enough_in(q, rare, 400)
    assert np.isnan(drawn).all() and "at most 2 of 400 runs" in note
    late = {"active": np.array([0.0, 0.01, 0.05, 0.1]), "hedging": zero, "suspended": zero}
    drawn, note = marks.enough_in(q, late, 400)
    assert np.isnan(drawn[:, :2]).all() and not np.isnan(drawn[:, 2:]).any()
    assert note == "median and bands where at least 10 of 400 runs have it in"
    assert marks.enough_in(q, {**late, "active": np.ones(4)}, 400) == (q, None)


def test_titles_say_the_horizon_and_axes_the_units(grid, tmp_path):
    paths = figures.write_figures(grid, tmp_path, kinds=["response", "heatmap"])
    assert paths
    from alliance_sim.report import sweep_plots

    fig_titles = []

    def capture(fig, path, manifest, layout=True):
        fig_titles.append(
            (fig.axes[0].get_title(), fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel())
        )
        return tmp_path / "x.png"

    sweep_plots._save, saved = capture, sweep_plots._save
    try:
        sweep_plots.response(grid.runs, grid.manifest, "western_offer", "ARM_exited", "r.png")
        sweep_plots.heatmap(
            grid.runs, grid.manifest, "western_offer", "russian_pressure", "ARM_exited", "h.png"
        )
    finally:
        sweep_plots._save = saved
    (rt, rx, ry), (ht, hx, hy) = fig_titles
    assert hx == rx
    assert "ARM P(exit by 2026Q4)" in rt and ry == "ARM P(exit by 2026Q4)"
    assert rx == "Western offer (ties/quarter)" and hy == "Russian pressure (index 0-1)"
    assert "ARM P(exit by 2026Q4)" in ht
    # the warning is there exactly when a point's interval rests on under 10 effective runs
    # (12 replicates draw 10 distinct parameter sets of the calibration: n_eff is below 10)
    from alliance_sim.analysis.by_point import by_point

    few = (by_point(grid)["ARM_n_eff"] < 10).any()
    assert ("fewer than" in rt) == few


def test_paper_style_is_300_dpi_and_a_page_wide(grid, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    d = str(grid.directory)
    argv = ["plot", d, "--out", "paper", "--kind", "response", "--style", "paper"]
    assert main(argv) == 0
    png = sorted((tmp_path / "paper").glob("response_western_offer_ARM_exited.png"))[0]
    with Image.open(png) as im:
        dpi = im.info["dpi"][0]
        assert round(dpi) == 300 and im.width == pytest.approx(6.5 * 300, abs=2)
    assert main(["plot", d, "--out", "screen", "--kind", "response"]) == 0
    with Image.open(tmp_path / "screen" / png.name) as im:
        assert round(im.info["dpi"][0]) == 130
    # a PDF for a journal embeds TrueType (Type 42) fonts, never Type 3
    argv = ["plot", d, "--out", "pdf", "--kind", "response", "--style", "paper", "--format", "pdf"]
    assert main(argv) == 0
    pdf = (tmp_path / "pdf" / png.with_suffix(".pdf").name).read_bytes()
    assert b"/FontType 3" not in pdf and b"/Subtype /Type3" not in pdf
    assert b"/Subtype /TrueType" in pdf or b"/CIDFontType2" in pdf
    with pytest.raises(SystemExit) as stop:  # argparse: one line, exit 2
        main(["plot", d, "--out", "x", "--style", "poster"])
    assert stop.value.code == 2
    assert "invalid choice: 'poster'" in one_line(capsys.readouterr().err)


def test_no_fan_chart_from_end_only_records(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["sweep", "western_surge", "--out", "w", "--replicates", "4", "--record", "end"]
    assert main([*argv, "--end", "2026Q2", "--quiet"]) == 0
    assert main(["plot", "w", "--out", "f", "--kind", "fan"]) == 2
    assert "no fan figure: w recorded 2 quarters (--record end)" in one_line(
        capsys.readouterr().err
    )
    assert main(["plot", "w", "--out", "f"]) == 0  # the default set skips it, and says so
    out = capsys.readouterr().out
    assert "note: no fan, status, cohesion" in out and "fan.png" not in out
    assert sorted(p.name.split("_")[0] for p in (tmp_path / "f").iterdir()) == ["response"] * 4


def test_footer_counts_in_the_singular_and_plural(history):
    fig = plots.Figure()
    plots.footer(fig, history.manifest)
    text = fig.texts[0].get_text().replace("\n", " ")  # (wrapped to the figure's width)
    assert "20 runs (1 point x 20 replicates)" in text
    # the model's stamp, which a citation names (helper-64)
    assert history.manifest.model and f"model {history.manifest.model}" in text


def test_compare_style_paper_embeds_figures(history, tmp_path):
    from alliance_sim import build_report

    page = build_report([history, history], tmp_path / "r.html", style="paper").read_text()
    assert page.count("data:image/png;base64,") == 4  # exits, overlay, two status figures
    import base64
    import io
    import re

    from PIL import Image

    first = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page).group(1)
    dpi = Image.open(io.BytesIO(base64.b64decode(first))).info["dpi"]
    assert round(dpi[0]) == 300  # a paper's figure at the paper style's 300 dpi (it was 200)
    with pytest.raises(ValueError, match="unknown figure style"):
        build_report([history, history], tmp_path / "r2.html", style="poster")


def _capture(monkeypatch, module=plots):
    """The figure a drawing function saves (``module._save`` wrapped)."""
    drawn = {}
    original = module._save

    def keep(fig, path, manifest, layout=True):
        drawn["fig"] = fig
        return original(fig, path, manifest, layout)

    monkeypatch.setattr(module, "_save", keep)
    return drawn


def _rendered(fig, style: str | None = None):
    """Draw ``fig`` as its file is written: at the resolution of ``style`` (text measured at
    another resolution can come out wider, since glyphs are hinted to the pixel grid)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from alliance_sim.report.style import STYLES

    if style is not None:
        fig.set_dpi(STYLES[style].dpi)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    return renderer


@pytest.mark.parametrize("style", ["screen", "paper"])
def test_event_numbers_and_ticks_never_overlap_in_either_style(history, tmp_path, style):
    """The fan chart of 2020-2024 (twenty events, up to four in a quarter, in quarters next to
    each other) in six narrow panels: no two event numbers and no two tick labels touch."""
    from alliance_sim.report.style import use_style

    figs = []
    original = plots._save

    def keep(fig, path, manifest, layout=True):
        figs.append(fig)
        return original(fig, path, manifest, layout)

    plots._save = keep
    try:
        with use_style(style):
            plots.fan_chart(history, tmp_path / "fan.png")
            plots.cohesion_chart(history, tmp_path / "cohesion.png")
    finally:
        plots._save = original
    for fig in figs:
        renderer = _rendered(fig, style)
        for ax in fig.axes:
            numbers = [t.get_window_extent(renderer) for t in _numbers(ax)]
            ticks = [
                t.get_window_extent(renderer)
                for t in ax.get_xticklabels()
                if t.get_visible() and t.get_text()
            ]
            for boxes in (numbers, ticks):
                for a, b in itertools.combinations(boxes, 2):
                    assert not a.overlaps(b), (style, ax.get_title(), a, b)
            if ax.get_visible() and ax.axison:
                assert len(ticks) >= 2  # thinned, not emptied


LONG = (
    'name = "A scenario whose name is long enough to run past the edge of a paper figure '
    'unless its title is wrapped: Armenia, Kazakhstan and the rest, 2024-2026"\n'
    'description = "events in adjacent quarters"\nstart = "2024Q1"\nend = "2026Q4"\n'
    '[[events]]\nid = "a"\nat = "2024Q3"\ntype = "appeal"\nmember = "ARM"\n'
    '[[events]]\nid = "b"\nat = "2024Q4"\ntype = "unrest"\nmember = "KAZ"\n'
    '[[events]]\nid = "c"\nat = "2025Q1"\ntype = "clash"\nmembers = ["KGZ", "TJK"]\n'
    '[[events]]\nid = "d"\nat = "2025Q1"\ntype = "pressure"\nmember = "ARM"\nsize = 0.3\n'
    '[[events]]\nid = "e"\nat = "2025Q2"\ntype = "offer"\nmember = "ARM"\nsource = "west"\n'
    'kind = "arms"\nsize = 0.5\n'
)


@pytest.fixture(scope="module")
def long_named(tmp_path_factory):
    d = tmp_path_factory.mktemp("long")
    path = d / "long.toml"
    path.write_text(LONG, "utf-8")
    return run_scenario(path, d / "r", replicates=20)


@pytest.mark.parametrize("style", ["screen", "paper"])
def test_no_text_runs_past_the_figure(long_named, tmp_path, monkeypatch, style):
    """Titles, the event key and the footer of a scenario with a long name stay inside the
    figure (wrapped to its width), and no event numbers overlap, on screen and on paper."""
    from alliance_sim.report.style import use_style

    res = long_named
    drawn = _capture(monkeypatch)
    for draw in (plots.fan_chart, plots.status_probability, plots.cohesion_chart):
        with use_style(style):
            draw(res, tmp_path / f"{draw.__name__}.png")
        fig = drawn["fig"]
        _inside(fig, style)
        renderer = _rendered(fig, style)
        for ax in fig.axes:
            boxes = [t.get_window_extent(renderer) for t in _numbers(ax)]
            for a, b in itertools.combinations(boxes, 2):
                assert not a.overlaps(b), (draw.__name__, a, b)
        key = next(t.get_text() for t in fig.texts if t.get_text().startswith("Events"))
        assert "3 2025Q1 KGZ/TJK clash" in key.replace("\n", " ")


def test_small_probabilities_get_a_fitted_colour_scale(grid, tmp_path, monkeypatch):
    """A heatmap of exit probabilities between 0% and ~10% runs its colours from 0% to 20%,
    not over 0-100% (where 5% and 15% would look alike)."""
    from alliance_sim.report import sweep_plots

    drawn = _capture(monkeypatch, sweep_plots)
    runs = grid.runs.copy()
    runs["ARM_exited"] = (runs["point"] % 5 == 0) & (runs["replicate"] == 0)  # 0% or 1 in 12
    runs["ARM_exited"] = runs["ARM_exited"].astype(float)
    sweep_plots.heatmap(
        runs, grid.manifest, "western_offer", "russian_pressure", "ARM_exited", tmp_path / "h.png"
    )
    image = drawn["fig"].axes[0].images[0]
    assert image.get_clim() == (0.0, 0.1)
    bar = drawn["fig"].axes[1]
    assert "fitted to the data" in bar.get_ylabel().replace("\n", " ")
    assert "%" in bar.get_yticklabels()[-1].get_text()
    # a cell no run fell in was left white and unexplained (helper-75): grey, and said
    title = drawn["fig"].axes[0].get_title().replace("\n", " ")
    assert "grey: no design point" not in title
    some = runs[~((runs["western_offer"] == runs["western_offer"].min())
                  & (runs["russian_pressure"] == runs["russian_pressure"].min()))]  # fmt: skip
    sweep_plots.heatmap(
        some, grid.manifest, "western_offer", "russian_pressure", "ARM_exited", tmp_path / "g.png"
    )
    ax = drawn["fig"].axes[0]
    assert "grey: no design point fell in that cell (1 of 25)" in ax.get_title().replace("\n", " ")
    assert tuple(ax.images[0].cmap.get_bad()[:3]) != (1.0, 1.0, 1.0)


def _inside(fig, style: str) -> None:
    """Every title, axis label, annotation and figure text of ``fig`` lies inside it (nothing
    clipped at an edge; tick labels are tight_layout's business)."""
    renderer = _rendered(fig, style)
    inside = fig.bbox.padded(1)
    texts = [*fig.texts, fig._suptitle] if fig._suptitle else list(fig.texts)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    for legend in fig.legends:
        texts += legend.get_texts()
    for t in (t for t in texts if t.get_visible() and t.get_text().strip()):
        box = t.get_window_extent(renderer)
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1, t.get_text()
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1, t.get_text()


@pytest.mark.parametrize("style", ["screen", "paper"])
def test_sweep_figures_of_a_long_name_stay_inside(grid, tmp_path, monkeypatch, style):
    import dataclasses

    from alliance_sim.report import pairs, sweep_plots
    from alliance_sim.report.style import use_style

    tmp = tmp_path
    name = LONG.split('"')[1]
    manifest = dataclasses.replace(grid.manifest, scenario_name=name)
    runs = grid.runs
    for module, draw in (
        (
            sweep_plots,
            lambda: sweep_plots.response(runs, manifest, "western_offer", "ARM_exited", tmp / "r"),
        ),
        (
            sweep_plots,
            lambda: sweep_plots.heatmap(
                runs, manifest, "western_offer", "russian_pressure", "ARM_exited", tmp / "h"
            ),
        ),
        (pairs, lambda: pairs.pairs_plot(runs, manifest, grid.swept, "ARM_exited", tmp / "p")),
        (sweep_plots, lambda: sweep_plots.sensitivity_chart(_sobol(), manifest, tmp / "s")),
    ):
        drawn = _capture(monkeypatch, module)
        with use_style(style):
            draw()
        _inside(drawn["fig"], style)


def _sobol():
    """A Sobol table as sensitivity.analyse gives it, with an impossible ST and intervals
    past 0 and 1 (as 256 samples x 8 replicates gave a new user)."""
    import pandas as pd

    table = pd.DataFrame(
        {"S1": [0.8, 0.0], "S1_conf": [0.98, 0.03], "ST": [1.01, 0.41], "ST_conf": [0.2, 0.64]},
        index=pd.Index(["western_offer", "members.ARM.pressure_tolerance"], name="parameter"),
    )
    table.attrs.update(method="Sobol", outcome="ARM_exited", points=2048, replicates=8)
    return table


def test_a_sensitivity_figure_says_when_its_indices_cannot_be_read(grid, tmp_path, monkeypatch):
    """The terminal warned "ST = 1.01 > 1 is impossible" but the PNG, what ends up in a paper,
    drew it and an S1 interval from -0.2 to 1.8 without a mark; its title ran off the right
    edge ("Sobol sensitivity of KGZ P(exit by 20")."""
    from alliance_sim.report import sweep_plots

    drawn = _capture(monkeypatch, sweep_plots)
    sweep_plots.sensitivity_chart(_sobol(), grid.manifest, tmp_path / "s.png")
    said = drawn["fig"].axes[0].get_title().replace("\n", " ")
    assert "Not reliable at this design's size" in said and "ST = 1.01 > 1" in said
    # the impossible one first, however many interval widths come before it in the table
    table = pd.concat([_sobol().iloc[[1]]] * 3 + [_sobol().iloc[[0]]])
    table.attrs.update(_sobol().attrs)
    sweep_plots.sensitivity_chart(table, grid.manifest, tmp_path / "many.png")
    said = drawn["fig"].axes[0].get_title().replace("\n", " ")
    assert "ST = 1.01 > 1" in said
    # the rest: `plot` prints none of them, so the figure says which command does
    assert "more (alliance-sim sensitivity prints them)" in said, said
    table = _sobol()
    table[["S1", "ST"]], table[["S1_conf", "ST_conf"]] = [[0.6, 0.7], [0.1, 0.2]], 0.05
    sweep_plots.sensitivity_chart(table, grid.manifest, tmp_path / "ok.png")
    assert not drawn["fig"].axes[0].get_title()  # sound indices: no note
    # a Morris design's mu* wider than its interval is marked too (it was not)
    morris = pd.DataFrame(
        {"mu_star": [0.00285, 0.004], "mu_star_conf": [0.00462, 0.001], "sigma": [0.01, 0.01]},
        index=pd.Index(["western_offer", "russian_pressure"], name="parameter"),
    )
    morris.attrs.update(method="Morris", outcome="ARM_exited", points=24, replicates=2)
    sweep_plots.sensitivity_chart(morris, grid.manifest, tmp_path / "m.png")
    assert "mu*" in drawn["fig"].axes[0].get_title()


@pytest.mark.parametrize("style", ["screen", "paper"])
def test_compare_figures_of_long_names_stay_inside(history, tmp_path, monkeypatch, style):
    """The report's overlays (P(exit) and commitment across scenarios, two panels a row)
    keep their titles, panel notes and a legend of two long scenario names inside."""
    import dataclasses

    from alliance_sim.report import overlays
    from alliance_sim.report.style import use_style

    name = LONG.split('"')[1]
    two = []
    for k in range(2):
        res = type(history)(history.directory, history.manifest)
        res.manifest = dataclasses.replace(history.manifest, scenario_name=f"{name} {k}")
        two.append(res)
    drawn = _capture(monkeypatch, overlays)
    for draw in (overlays.exit_overlay, overlays.overlay):
        with use_style(style):
            draw(two, tmp_path / f"{draw.__name__}.png", members=["ARM", "KAZ"])
        _inside(drawn["fig"], style)


def test_events_that_read_alike_in_the_key_carry_their_ids():
    """New-user trial: "2 2026Q1 Russian bandwidth; 3 2026Q2 Russian bandwidth" -- which one
    was the user's own event and which the inherited one could not be told."""
    from types import SimpleNamespace

    evs = [
        {"id": "us_pressure", "at": "2026Q2", "type": "russian_bandwidth", "value": 0.3},
        {"id": "victory", "at": "2026Q1", "type": "russian_bandwidth", "value": 0.7},
        {"id": "arms", "at": "2025Q3", "type": "offer", "member": "ARM", "kind": "arms"},
    ]
    manifest = SimpleNamespace(plan=SimpleNamespace(swept=[]), scenario={"events": evs})
    labels = [label for _, _, label in marks.events(manifest)]
    assert labels[1].endswith("[victory]") and labels[2].endswith("[us_pressure]")
    assert "[" not in labels[0]  # one of its kind: as before


def test_an_event_both_compared_scenarios_share_is_marked_once():
    """Red-team: a scenario extending iran_joins with a second bandwidth event showed the
    inherited one twice, "(Iran applies only)" and "[us_pressure] (... only)": the id added
    to labels that read alike in one scenario kept it from matching the other's."""
    from types import SimpleNamespace

    shared = {"id": "us_pressure", "at": "2026Q2", "type": "russian_bandwidth", "value": 0.3}
    mine = {"id": "victory", "at": "2026Q1", "type": "russian_bandwidth", "value": 0.7}
    a = SimpleNamespace(plan=SimpleNamespace(swept=[]), scenario={"events": [shared]})
    b = SimpleNamespace(plan=SimpleNamespace(swept=[]), scenario={"events": [shared, mine]})
    got = marks.compared_events([a, b], ["A", "B"])
    assert [(at, label) for _, at, label in got] == [
        ("2026Q1", "russian bandwidth [victory] (B only)"),
        ("2026Q2", "russian bandwidth [us_pressure]"),
    ]


def test_morris_points_that_coincide_share_one_label(grid, tmp_path, monkeypatch):
    """Two parameters at the same (mu*, sigma) -- at (0, 0) when neither moves a 0/1 outcome
    in the design -- had their labels printed over each other ("Westegionoffer...")."""
    from alliance_sim.report import sweep_plots

    table = pd.DataFrame(
        {
            "mu_star": [0.0, 0.0, 0.094, 0.0938, 0.19],
            "mu_star_conf": [0.0, 0.0, 0.11, 0.12, 0.12],
            "sigma": [0.0, 0.0, 0.174, 0.1735, 0.2],
            "mu": [0.0, 0.0, 0.09, 0.09, 0.19],
            "mu_conf": [0.0] * 5,
        },
        index=pd.Index(
            [
                "western_offer",
                "contagion",
                "members.ARM.pressure_tolerance",
                "dependence_weight",
                "russian_pressure",
            ],
            name="parameter",
        ),
    )
    table.attrs.update(method="Morris", outcome="ARM_exited", points=56, replicates=4)
    drawn = _capture(monkeypatch, sweep_plots)
    sweep_plots.sensitivity_chart(table, grid.manifest, tmp_path / "m.png")
    texts = [t.get_text().replace("\n", " ") for t in drawn["fig"].axes[0].texts]
    assert len(texts) == 3, texts
    together = [t for t in texts if "Western offer" in t]
    assert len(together) == 1 and "Contagion" in together[0]
    assert any("Armenia: pressure" in t and "Dependence weight" in t for t in texts)
    fig = drawn["fig"]
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in fig.axes[0].texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_a_long_event_key_makes_the_figure_taller_not_the_panels_covered(tmp_path):
    """Three scenarios with 22 events between them: the key, stacked below the panels, took
    more than the figure's height, covered the panels, and tight_layout gave up with a
    warning on the terminal (helper-75).  The figure now grows; the key sits below the axes."""
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, axes = plots.subplots(1, 2, figsize=(10, 4))
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_title("a title\nin two lines")
    fig.suptitle("P(exit) by quarter across scenarios")
    fig._alliance_key = [f"{k} 2026Q1 KGZ offer (china sco) [kgz_sco_{k}] (a scenario's name "
                         "in full, as the key gives it)" for k in range(1, 61)]  # fmt: skip
    w, h = fig.get_size_inches()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Tight layout not applied" is a UserWarning
        plots._save(fig, tmp_path / "f.png", None)
    assert fig.get_size_inches()[1] > h and fig.get_size_inches()[0] == w
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    key = next(t for t in fig.texts if t.get_text().startswith("Events"))
    top = key.get_window_extent(renderer).y1
    above = fig._suptitle.get_window_extent(renderer).y0
    gap = (fig.bbox.height - fig._suptitle.get_window_extent(renderer).y1) / fig.dpi
    assert gap < 0.2  # the title stays at the top: 2% of a grown figure fell onto the panels
    for ax in axes:
        assert ax.get_tightbbox(renderer).y0 > top  # the key below every panel and its labels
        assert ax.bbox.height / fig.dpi > 0.4 * h  # and the panels keep their height
        assert ax.title.get_window_extent(renderer).y1 < above  # the title over no panel's


def test_wrapped_lines_are_those_of_measuring_word_by_word():
    """Text is wrapped from each word's width measured once and two or three measures of a
    whole line (a footer took 75 ms measured word by word): the lines are those the word by
    word measure gives, with two spaces in a row, a word wider than the line, non-breaking
    spaces, other scripts, empty paragraphs, at screen and paper resolution."""
    import random

    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    from alliance_sim.report import figtext

    def word_by_word(fig, text, size, width):
        r, font = figtext.renderer(fig), FontProperties(size=size)
        lines = []
        for para in text.split("\n"):
            line = ""
            for word in para.split(" "):
                trial = f"{line} {word}" if line else word
                wide = r.get_text_width_height_descent(trial, font, ismath=False)[0] / fig.dpi
                if line and wide > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            lines.append(line)
        return lines

    rng = random.Random(3)
    words = ["a", "the", "Armenia", "0.25", "(2024Q1)", "|", "W" * 40, "Кыргызстан", "", "m",
             "iiiii", "W\u00a0W", "—", "1,000", "x\ny"]  # fmt: skip
    for dpi in (100, 300):
        fig = Figure(figsize=(6.5, 4), dpi=dpi)
        for _ in range(60):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
            size, width = rng.choice([6.5, 9.5]), rng.choice([0.4, 1.5, 6.3])
            assert figtext.wrap_lines(fig, text, size, width) == word_by_word(
                fig, text, size, width
            ), (text, size, width, dpi)
