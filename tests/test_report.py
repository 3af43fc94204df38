"""Figures and comparison reports: the right figures for a result, numbers in the report,
and the HTML rendering in headless Chromium."""

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_sim import run_scenario, sweep
from alliance_sim.cli.main import main
from alliance_sim.core import quarters
from alliance_sim.errors import AnalysisError
from alliance_sim.report.figures import fitting_kinds, write_figures
from alliance_sim.report.html import build_report, compare_results
from conftest import CHROMIUM, MINIMAL, launch_chromium


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("res")
    base = run_scenario("baseline", d / "base", replicates=40)
    arm = run_scenario("armenia_exits", d / "arm", replicates=40)
    evil = d / "evil.toml"
    evil.write_text(
        MINIMAL.replace(
            'description = "a test"', 'description = "<script>alert(1)</script> & <b>bold</b>"'
        ).replace('end = "2026Q4"', 'end = "2034Q4"')
    )
    other = run_scenario(evil, d / "evil", replicates=40)
    grid = sweep("armenia_exits", d / "grid", replicates=2)
    return {"base": base, "arm": arm, "evil": other, "grid": grid, "dir": d}


def test_figures_that_fit_a_run_and_a_sweep(results, tmp_path):
    assert fitting_kinds(results["arm"]) == ["fan", "status", "cohesion"]
    assert fitting_kinds(results["grid"]) == ["fan", "status", "cohesion", "response", "heatmap"]
    paths = write_figures(results["grid"], tmp_path / "g")
    names = sorted(p.name for p in paths)
    assert "heatmap_ARM_exited.png" in names and "response_western_offer_ARM_exited.png" in names
    assert all(p.stat().st_size > 10_000 for p in paths)
    with pytest.raises(ValueError, match="no response figure: no parameter was swept"):
        write_figures(results["arm"], tmp_path / "a", kinds=["response"])
    assert (
        main(
            [
                "plot",
                str(results["arm"].directory),
                "--out",
                str(tmp_path / "svg"),
                "--format",
                "svg",
            ]
        )
        == 0
    )
    assert (tmp_path / "svg" / "fan.svg").read_text().lstrip().startswith("<?xml")


def test_comparison_numbers_and_pairing(results):
    table = compare_results([results["base"], results["arm"]])
    row = table[table["outcome"] == "ARM_exited"].iloc[0]
    runs_b, runs_a = results["arm"].runs, results["base"].runs
    assert row["paired"] and row["n"] == 40  # same master seed: runs pair up
    assert row["difference"].value == pytest.approx(
        runs_b["ARM_exited"].mean() - runs_a["ARM_exited"].mean()
    )
    # replicates 0-39 draw 29 distinct parameter sets: pairs on one set are one unit
    assert row["test"] == "Newcombe score test (clustered)" and row["p (Holm)"] >= row["p"]
    assert row["p (Holm)"] < 0.05  # Armenia leaves far more often in armenia_exits
    coh = table[table["outcome"] == "cohesion_final"].iloc[0]
    assert coh["test"] == "Wilcoxon signed-rank on cluster means"


def test_html_report_is_self_contained_and_escaped(results, tmp_path):
    out = build_report([results["base"], results["arm"], results["evil"]], tmp_path / "report.html")
    text = out.read_text()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "<link" not in text and "@import" not in text and "<script" not in text
    assert text.count("<table") >= 7 and text.count("data:image/png;base64,") >= 4
    assert "McNemar" in text and "p (Holm)" in text
    assert "calibration posterior" in text and "mean [95% CI]" in text
    assert text.index("id='headline'") < text.index("<table")
    # what one could observe (the observation model), per member, at the start and the horizon
    assert "What one could observe" in text and "leader attends the summit" in text


def test_markdown_report_writes_images(results, tmp_path):
    assert (
        main(
            [
                "compare",
                str(results["base"].directory),
                str(results["arm"].directory),
                "--out",
                str(tmp_path / "r.md"),
            ]
        )
        == 0
    )
    md = (tmp_path / "r.md").read_text()
    assert "| member |" in md and "![" in md
    # the notes promise bold rows where p (Holm) < 0.05: the Markdown keeps the promise
    html_text = build_report([results["base"], results["arm"]], tmp_path / "r.html").read_text()
    assert 'class="sig"' in html_text and "| **" in md  # Armenia's exit: 36% vs 97%
    assert len(list((tmp_path / "r_files").glob("*.png"))) >= 3


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_report_renders_in_headless_chromium(results, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    out = build_report([results["base"], results["arm"]], tmp_path / "report.html")
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        first_h2 = page.locator("h2").first.inner_text()
        headline = page.locator("section#headline li").all_inner_texts()
        first_section = page.evaluate("document.querySelector('h1').nextElementSibling.id")
        n_tables = page.locator("table").count()
        rows = page.locator("table tbody tr").count()
        widths = page.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
        visible = page.evaluate(
            "Array.from(document.images).every(i => i.getBoundingClientRect().height > 50)"
        )
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert first_section == "headline" and first_h2 == "Headline"
    # every finding carries its interval and n_eff; a focus outcome every run shows (Armenia,
    # frozen at the start, is suspended at some point in every run) is said in one sentence
    found = [x for x in headline if not x.startswith(("Every run of", "No run of"))]
    assert found and all("n_eff = " in x and "[" in x for x in found), headline
    assert all(" shows " in x and "[" in x for x in headline if x not in found)
    assert any("Armenia" in x for x in headline)  # the planted difference leads
    assert n_tables >= 5 and rows > 20
    assert len(widths) >= 4 and all(200 < w <= 1100 for w in widths) and visible
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert os.path.getsize(tmp_path / "report.png") > 50_000


def test_a_shared_report_names_scenario_files_without_the_authors_home(
    results, tmp_path, monkeypatch
):
    """A report sent to a colleague named the author's files by absolute path
    (/home/alice/...): a shipped scenario is named as every command takes it, a file under the
    home directory as ~/..., and the command it offers for a user's file uses the same."""
    from alliance_sim.report.labels import scenario_shown
    from alliance_sim.report.robustness import rests_on

    out = build_report([results["base"], results["evil"]], tmp_path / "report.md")
    text = out.read_text()
    assert "baseline (shipped with alliance-sim)" in text
    assert str(results["base"].manifest.scenario_path) not in text
    monkeypatch.setenv("HOME", str(results["dir"]))  # the evil scenario's folder: "home"
    assert scenario_shown(str(results["dir"] / "evil.toml")) == "~/evil.toml"
    mine = tmp_path / "mine.toml"  # a forecast (a replay is offered no command)
    mine.write_text('name = "m"\ndescription = "d"\nextends = "baseline"\n')
    monkeypatch.setenv("HOME", str(tmp_path))
    from alliance_sim import load_scenario

    said = " ".join(rests_on("mine", str(mine), load_scenario(mine).hash))  # (the file as run)
    assert "alliance-sim robustness ~/mine.toml --out DIR" in said
    monkeypatch.setenv("HOME", str(results["dir"]))
    assert scenario_shown("/elsewhere/x.toml") == "/elsewhere/x.toml"  # not under home
    assert scenario_shown("<simulate>") == "<simulate>"
    # under the working directory: relative to it (a report under /tmp named the whole path)
    monkeypatch.chdir(results["dir"])
    assert scenario_shown(str(results["dir"] / "evil.toml")) == "evil.toml"


def test_the_compared_quarter_is_labelled_where_the_data_leave_room():
    """'compared at' sat over the cohesion note and over a curve's end: it goes where the
    curves and bands near the line leave room (the top, else the bottom)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from alliance_sim.report.overlays import _data_near

    fig, ax = plt.subplots()
    x = np.arange(40.0)
    ax.plot(x, np.full(40, 0.95))
    ax.fill_between(x, 0.4, 0.5)
    ax.axvline(20)  # a marker line is not data
    ax.set_ylim(0, 1)
    lo, hi = _data_near(ax, 20)
    assert (round(lo, 2), round(hi, 2)) == (0.4, 0.95)
    assert _data_near(ax, 100) == (1.0, 0.0)  # nothing drawn there
    plt.close(fig)


def test_status_bands_are_the_tables_intervals_quarter_by_quarter(results, tmp_path):
    """The bands pooled each member's design effect over its quarters and read [0%, 20%] at
    the compared quarter beside a table's [0%, 29%] for the same share; each quarter's band
    is now the interval a table gives that share there (design.clustered_mean on the runs in
    which the member has joined, one cluster per seed).  And a band still does not fall where
    a share leaves 0% on a case in one seed (the saw teeth a run read as independent drew)."""
    from alliance_sim.analysis.aggregate import read, status_intervals
    from alliance_sim.analysis.design import clustered_mean, clusters

    compared = rises = 0
    ten = sweep("armenia_exits", tmp_path / "ten", replicates=10, end="2030Q4", quiet=True)
    for res in (results["grid"], results["arm"], results["base"], ten):
        key = res.directory.name
        ok = res.runs[res.runs["error"].isna()]
        seed_of = dict(zip(ok["run"], clusters(ok), strict=True))
        ts = read(res, "timeseries", ["run", "step", "member", "status"]).to_pandas()
        steps = np.sort(ts["step"].unique())
        for status in ("suspended", "exited"):
            _, iv = status_intervals(res, status)
            for code, (p, lo, hi) in iv.items():
                known = np.isfinite(p)  # NaN: no run has the member in yet (a joiner)
                assert (lo <= p + 1e-12)[known].all() and (p <= hi + 1e-12)[known].all()
                assert np.isnan(lo[~known]).all() and np.isnan(hi[~known]).all()
                for i in range(1, len(steps)):
                    q = ts[(ts["step"] == steps[i]) & (ts["member"] == code)]
                    q = q[q["status"] != "candidate"]
                    x = (q["status"] == status).to_numpy(float)
                    est = clustered_mean(x, q["run"].map(seed_of).to_numpy(), binary=True)
                    assert (p[i], lo[i], hi[i]) == pytest.approx(
                        (est.value, est.lo, est.hi), abs=1e-12, nan_ok=True
                    ), (key, status, code, steps[i])
                    compared += 1
                for t in range(1, len(p) - 1):
                    for a, b in ((t, t + 1), (t + 1, t)):  # a at 0%, b beside it above
                        if p[a] == 0 < p[b] and hi[b] < 1:
                            rises += hi[a] <= hi[b] + 1e-12
    assert compared > 100 and rises >= 3


def test_the_python_api_takes_a_result_folder_wherever_it_takes_a_result(results, tmp_path):
    """by_point("out/arm") raised AttributeError: 'str' object has no attribute 'runs'."""
    from alliance_sim import by_point, member_table, outcomes_at

    grid, arm = results["grid"], results["arm"]
    from pandas.testing import assert_frame_equal as pd_equal

    pd_equal(by_point(str(grid.directory)), by_point(grid))
    pd_equal(member_table(grid.directory), member_table(grid))
    pd_equal(outcomes_at(str(arm.directory), "2025Q4"), outcomes_at(arm, "2025Q4"))
    table = compare_results([str(results["base"].directory), arm.directory])
    assert len(table) > 0
    assert write_figures(str(arm.directory), tmp_path / "f", ["status"])
    for bad in (str(arm.directory), [arm.directory]):  # a path is not a list of its letters
        with pytest.raises(TypeError, match="expected a list of two or more results"):
            compare_results(bad)
    with pytest.raises(TypeError, match=r"by_point: expected a Result .* or the path of a result"):
        by_point(3)


def test_the_pooled_tag_follows_the_scenario_that_is_pooled(results):
    """'... vs 37% in Baseline (pooled over its design points)': the tag followed the
    reference, a plain run, when the other scenario was the sweep."""
    from alliance_sim.report.headline import headline

    tag = "(pooled over its design points)"
    for order in ((results["base"], results["grid"]), (results["grid"], results["base"])):
        head = headline(compare_results(list(order)), ["ARM"])
        lines = [x for x in head.sentences if tag in x]
        assert lines, head.sentences
        for x in lines:
            before = x.split(tag)[0]
            assert before.rstrip().endswith("Armenia exits?"), x  # the sweep's name


def test_seeds_for_5_points_counts_seeds_whatever_the_design(results):
    """The report's "seeds for ±5 pts" took its worst case from a Wilson interval on all runs
    as if independent: a member never seen to exit read 61 seeds in the 2-seed sweep (90 runs)
    but 12 in a 20-seed one (500 runs).  At 0% an interval 10 points wide needs ~35
    independent runs, and in a sweep whose outcome repeats across points, ~35 seeds."""
    from alliance_sim.analysis.scenario_table import scenario_table

    seen = 0
    for key in ("grid", "base"):
        table = scenario_table(results[key])
        last = [c for c in table.columns if c.startswith("P(exited)")][-1]
        for _, row in table[table["member"] != "cohesion"].iterrows():
            if row[last].value == 0 and row["runs"] == len(results[key].runs):
                seen += 1
                # 35 units: seeds, or (baseline's 40 replicates draw 29 distinct parameter
                # sets) sets, said as such beside how many the runs draw (helper-121)
                need = row["seeds for ±5 pts"]
                assert need == 35 or need == "35 sets (29 drawn)", (key, row["member"], need)
    # Iran joins in 1 of baseline's 40 runs: its rate (among runs where it joined) needs 35
    # runs where it joins, so 35 x 40 seeds; it read 0
    table = scenario_table(results["base"]).set_index("member")
    if "IRN" in table.index and table.loc["IRN", "runs"] == 1:  # (in sets: 35 x 29)
        assert table.loc["IRN", "seeds for ±5 pts"] == f"{35 * 29} sets (29 drawn)"
    assert seen >= 4


def test_a_sweep_says_in_how_many_seeds_its_levers_move_the_answer():
    """armenia_exits pooled 97% and its levers looked like a finding; within a seed (same
    random numbers, same parameter set at every point) they moved Armenia's exit in 2 of 40.
    Planted: seed 0 leaves everywhere, seed 1 nowhere, seed 2 only at high values."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from alliance_sim.analysis.by_point import seeds_the_levers_move
    from alliance_sim.core.outcomes import ALLIES

    seeds, points = np.repeat([0, 1, 2], 4), np.tile(np.arange(4), 3)
    runs = pd.DataFrame({"seed": seeds, "point": points, "error": None})
    for c in ALLIES:
        runs[f"{c}_commitment"] = np.nan
        runs[f"{c}_exited"] = np.nan
    runs["ARM_commitment"] = 0.5
    runs["ARM_exited"] = np.select([seeds == 0, seeds == 1], [1.0, 0.0], (points >= 2) * 1.0)
    res = SimpleNamespace(runs=runs, plan=SimpleNamespace(end="2034Q4", focus=["ARM"]))
    (line,) = seeds_the_levers_move(res)
    assert "change whether Armenia has left by 2034Q4 in 1 of 3 seeds" in line
    assert "other 2 give the same answer at all 4 points (Armenia leaves in 1, stays in 1)" in line
    # every seed at one point only (nothing shared across points): nothing to say
    res.runs = runs.assign(seed=np.arange(12))
    assert seeds_the_levers_move(res) == []


def test_no_band_at_the_start_quarter_where_every_run_agrees(results):
    """P(exited) at the start quarter is 0 by construction; its band read 0-16%."""
    from alliance_sim.analysis.aggregate import status_intervals

    for key in ("grid", "arm", "base"):
        _, iv = status_intervals(results[key], "exited")
        for code, (p, lo, hi) in iv.items():
            if p[0] == 0:
                assert lo[0] == hi[0] == 0, (key, code, hi[0])
        assert any(b[2][-1] > 0 for b in iv.values())  # later quarters keep their bands


def test_mean_probabilities_in_a_report_table_read_in_percent():
    """The observation table printed 0.000123 beside 0.512; a P(...) column is a share."""
    from alliance_sim.report.html import _cell

    assert _cell(0.000123, "P(votes with Russia) 2024Q4, mean") == "0.01%"
    assert _cell(0.512, "P(attends summit) 2034Q4, mean") == "51%"
    assert _cell(0.512, "cohesion") == "0.512"


def test_the_levers_note_counts_a_joiner_where_it_never_joined():
    """Red-team finding: for Iran, present at only some points of a seed, the note said the
    levers changed nothing "at all 10 points" in 2 of 4 seeds, leaving out the seeds and points
    where it never joined, which the levers decided."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from alliance_sim.analysis.by_point import seeds_the_levers_move
    from alliance_sim.core.outcomes import ALLIES

    seeds, points = np.repeat([0, 1, 2, 3], 4), np.tile(np.arange(4), 4)
    runs = pd.DataFrame({"seed": seeds, "point": points, "error": None})
    for c in ALLIES:
        runs[f"{c}_commitment"] = 0.5
        runs[f"{c}_exited"] = 0.0
    joined = (seeds <= 1) | ((seeds == 2) & (points >= 2))  # seed 2: joins at high values only
    runs["IRN_commitment"] = np.where(joined, 0.5, np.nan)
    runs["IRN_exited"] = np.where(joined, (seeds == 1) * 1.0, np.nan)
    res = SimpleNamespace(runs=runs, plan=SimpleNamespace(end="2034Q4", focus=["IRN"]))
    (line,) = seeds_the_levers_move(res)
    assert "change Iran's answer by 2034Q4 (never joined, in, or left) in 1 of 4 seeds" in line
    assert "the other 3 give the same answer at all 4 points" in line
    assert "never joins in 1, stays in 1, leaves in 1" in line


def test_member_table_of_a_bare_table_asks_for_its_start(results):
    """member_table(df) failed with "not a quarter: None"."""
    from alliance_sim.analysis.summary import member_table

    with pytest.raises(TypeError, match="give start="):
        member_table(results["base"].runs)
    assert len(member_table(results["base"].runs, start="2024Q4"))
    assert list(member_table(results["base"], focus=["ARM", "ARM"])["member"]).count("ARM") == 1
    same = member_table(results["base"], start=results["base"].plan.start.lower())  # 2024q4
    assert same.equals(member_table(results["base"]))
    with pytest.raises(AnalysisError, match=r"focus=\['UZB'\]\): UZB is a member at 20\d\dQ\d in"):
        member_table(results["base"], focus="UZB")  # Uzbekistan left in 2012: no row, no word
    with pytest.raises(AnalysisError, match=r"no member columns in it"):
        member_table(pd.DataFrame(), start="2024Q4")  # a bare KeyError: 'BLR_commitment'
    # a result's own start wins: another start= was dropped without a word (a red-team)
    with pytest.raises(AnalysisError, match=r"start='2030Q1'\): a result counts its quarters"):
        member_table(results["base"], start="2030Q1")
    same = member_table(results["base"], start=results["base"].plan.start)
    assert same.equals(member_table(results["base"]))


def test_a_row_one_side_cannot_have_reads_as_a_dash_not_nan():
    """IRN commitment against a scenario where Iran never joins read "+nan [+nan, +nan]"."""
    import numpy as np
    import pandas as pd

    from alliance_sim.analysis.stats import Estimate
    from alliance_sim.report.diff_table import display_comparison

    nan = Estimate(np.nan, np.nan, np.nan, 0)
    row = {
        "scenario": "x", "outcome": "IRN_commitment", "horizon": "2034Q4",
        "reference": nan, "this": Estimate(0.7, 0.6, 0.8, 20), "difference": nan,
        "A12": nan, "effect": "no variation", "test": "too few runs", "paired": False,
        "n": 0, "p": np.nan, "p (Holm)": np.nan, "seeds for ±target": None,
        "target": 0.02, "binary": False,
    }  # fmt: skip
    shown = display_comparison(pd.DataFrame([row])).iloc[0]
    assert "nan" not in " ".join(map(str, shown.to_numpy()))
    assert shown["difference of means [95% CI]"] == "–"
    assert shown["seeds for target"] == "– (no variation)"
    # a joiner in 3 and 2 runs whose two intervals differ: too few, not "no variation"
    few = {**row, "reference": Estimate(0.81, 0.48, 1.0, 2), "this": Estimate(0.71, 0.4, 1, 3),
           "effect": "no estimate (too few runs)"}  # fmt: skip
    assert display_comparison(pd.DataFrame([few])).iloc[0]["seeds for target"] == (
        "– (too few runs)"
    )


def test_the_overlay_says_whose_bound_it_gives_at_zero(results, tmp_path, monkeypatch):
    """Red-team finding: a panel title read "at 0%: 95% upper bound 37%" beside a scenario
    at 0% in 40 runs (whose bound is far lower): the number was another scenario's.  Named
    by scenario, long names ran past a paper figure and shortened ones could not be told
    apart; the bounds follow the key's order."""
    from alliance_sim.report import overlays

    seen = {}
    monkeypatch.setattr(overlays, "_save", lambda fig, path, m: seen.setdefault("fig", fig))
    overlays.exit_overlay([results["base"], results["grid"]], tmp_path / "o.png", members=["BLR"])
    titles = [ax.get_title(loc="left").replace("\n", " ") for ax in seen["fig"].axes]
    note = next(t for t in titles if "upper bound" in t)  # BLR never leaves: a bound at 0%
    said = note.split("upper bound ", 1)[1]
    assert said.endswith("(key's order)") and len(said.split(" | ")) == 2, note
    # a sweep's curve says it is pooled (helper-61: "Kazakhstan squeezed (600 runs)" of runs
    # pooled over pressure sizes 0 to 1, in a figure pasted alone)
    labels = seen["fig"].axes[0].get_legend_handles_labels()[1]
    n = results["grid"].manifest.plan.n_points
    assert n > 1 and labels[1].endswith(f"runs, pooled over {n} swept points)"), labels
    assert "pooled" not in labels[0]
    seen.clear()
    overlays.overlay([results["base"], results["grid"]], tmp_path / "c.png")
    labels = seen["fig"].axes[0].get_legend_handles_labels()[1]
    assert labels[1].endswith(f"(pooled over {n} swept points)") and "pooled" not in labels[0]


def test_status_bands_read_one_exit_in_a_sweep_like_none():
    """One exit in a sweep's 4,000 runs of 20 seeds drew a band as if 4,000 runs were
    independent; as in the tables, a case or two now reads like none (about 20 seeds)."""
    from types import SimpleNamespace

    import numpy as np

    from alliance_sim.analysis import aggregate as agg

    k, points, steps = 20, 200, 3
    runs = pd.DataFrame({"run": np.arange(k * points), "seed": np.repeat(np.arange(k), points)})
    runs["error"] = None
    ts = pd.DataFrame(
        {
            "run": np.repeat(runs["run"], steps),
            "step": np.tile(np.arange(steps), k * points),
            "member": "KGZ",
            "status": "active",
        }
    )
    ts.loc[(ts["run"] == 5) & (ts["step"] == 2), "status"] = "exited"
    res = SimpleNamespace(runs=runs, manifest=SimpleNamespace(plan=SimpleNamespace(start="2024Q4")))
    import pyarrow as pa

    real = agg.read
    agg.read = lambda r, t, cols: pa.Table.from_pandas(ts[cols], preserve_index=False)
    try:
        _, iv = agg.status_intervals(res, "exited")
    finally:
        agg.read = real
    p, _lo, hi = iv["KGZ"]
    assert p[2] == 1 / 4000 and hi[2] > 0.1  # about Wilson's [0%, 16%] on 20 seeds


def test_the_levers_note_names_a_member_out_at_the_start_and_skips_the_still(monkeypatch):
    """Red-team finding: Armenia, out before 2024Q4 in 3 posterior sets of a calibrated
    forecast, was called a joiner that "never joins"; allies no run sees leave got a line of
    "0 of 20 seeds"."""
    from types import SimpleNamespace

    import numpy as np

    from alliance_sim.analysis.by_point import seeds_the_levers_move
    from alliance_sim.core.outcomes import ALLIES

    seeds, points = np.repeat([0, 1, 2, 3], 4), np.tile(np.arange(4), 4)
    runs = pd.DataFrame({"seed": seeds, "point": points, "error": None})
    for c in ALLIES:
        runs[f"{c}_commitment"] = 0.5
        runs[f"{c}_exited"] = 0.0
    runs["ARM_commitment"] = np.where(seeds == 3, np.nan, 0.2)  # out in the replay of seed 3
    runs["ARM_exited"] = np.where(seeds == 3, np.nan, (seeds == 1) * 1.0)
    res = SimpleNamespace(runs=runs, plan=SimpleNamespace(end="2034Q4", focus=[]))
    lines = seeds_the_levers_move(res)
    assert len(lines) == 1 and "Armenia" in lines[0]  # the still allies get no line
    assert "out before the start" in lines[0] and "never joins" not in lines[0]
    assert "Armenia is out at the start in 1, stays in 2, leaves in 1" in lines[0]


def test_member_table_takes_one_focus_member_as_a_name(results):
    """member_table(res, focus="ARM") split the name into letters (KeyError 'A_commitment')."""
    from alliance_sim.analysis.summary import member_table

    assert member_table(results["arm"], focus="ARM")["member"].iloc[0] == "ARM"


def test_member_table_says_its_quarter_and_reads_an_earlier_one(results):
    """Two member tables in a notebook, at 2034Q4 and 2030Q4, read alike: nothing said which
    quarter each described (a new user's trial)."""
    from alliance_sim.analysis.horizon import outcomes_at
    from alliance_sim.analysis.summary import member_table
    from alliance_sim.errors import AnalysisError

    arm = results["arm"]
    end = member_table(arm)
    assert end.attrs["quarter"] == arm.plan.end and set(end["quarter"]) == {arm.plan.end}
    at = "2027Q4"
    early = member_table(arm, at=at).set_index("member")
    assert set(early["quarter"]) == {at}
    got = outcomes_at(arm, at)
    ok = got[got["error"].isna()]
    for code in ("ARM", "KGZ"):
        st = ok[f"{code}_status"].dropna()
        assert early.loc[code, "hedging"] == pytest.approx((st == 2).mean())
        assert early.loc[code, "exited"] == pytest.approx((st == 4).mean())
    assert early.loc["ARM", "exited"] < end.set_index("member").loc["ARM", "exited"]
    if early.loc["ARM", "median_exit"]:  # exits after 2027Q4 do not count
        assert quarters.parse(early.loc["ARM", "median_exit"]) <= quarters.parse(at)
    with pytest.raises(AnalysisError, match="did you mean 2027Q4"):
        member_table(arm, at="2027q4")
    with pytest.raises(AnalysisError, match=r"did you mean 2030Q4, the year's last quarter\?"):
        member_table(arm, at=2030)  # a year (helper-60): no hint before
    with pytest.raises(AnalysisError, match=r"allowed a quarter after 2024Q4 up to 20\d\dQ4"):
        member_table(arm, at=2099)  # not offered a quarter past the result's end (helper-62)


def test_a_joiners_exit_reads_the_same_in_figures_tables_and_headline(tmp_path):
    """New-user trial: Iran's exit read 38% [30%, 48%] in a comparison's headline (the runs
    in which it joined) and about 10% in its figures (all runs), and neither said which."""
    import numpy as np

    from alliance_sim.analysis.aggregate import status_intervals, status_shares
    from alliance_sim.analysis.comparison import compare_results
    from alliance_sim.report.diff_table import display_comparison
    from alliance_sim.report.headline import binary_sentence
    from alliance_sim.report.shares import exited_share

    base = run_scenario("baseline", tmp_path / "base", replicates=200, quiet=True)
    iran = run_scenario("iran_joins", tmp_path / "iran", replicates=200, quiet=True)
    runs = iran.runs
    joined = int(runs["IRN_exited"].notna().sum())
    assert 0 < joined < len(runs) and runs["IRN_exited"].sum() > 0  # a joiner that leaves
    table = runs["IRN_exited"].mean()  # over the runs in which it joined (NaN elsewhere)
    _, iv = status_intervals(iran, "exited")
    assert iv["IRN"][0][-1] == pytest.approx(table)
    _, shares = status_shares(iran)
    assert exited_share(shares["IRN"])[-1] == pytest.approx(table)
    assert exited_share(shares["ARM"])[-1] == pytest.approx(runs["ARM_exited"].mean())
    comp = compare_results([base, iran])
    row = comp[comp["outcome"] == "IRN_exited"].iloc[0]
    said = binary_sentence(row)
    assert f"the {joined:,} runs (of {len(runs):,}) of" in said and "in which it joined" in said
    shown = display_comparison(comp)
    cell = shown[comp["outcome"].to_numpy() == "IRN_exited"].iloc[0]
    assert f"({joined:,} of {len(runs):,} runs)" in cell["this: mean [95% CI]"]
    assert "of runs it was a member in" in cell["outcome"]
    arm = shown[comp["outcome"].to_numpy() == "ARM_exited"].iloc[0]
    assert "runs)" not in arm["this: mean [95% CI]"]  # a founder: every run, nothing added
    assert np.isfinite(iv["ARM"][0]).all()


def test_comparison_figures_mark_every_scenarios_events(results, tmp_path, monkeypatch):
    """New-user trial: the README's comparison (Baseline first, then EU arms for Armenia)
    drew no marker for the arms package of 2025Q3: only the first scenario's events were
    marked."""
    from alliance_sim.report import marks
    from alliance_sim.report.overlays import exit_overlay

    keys = []
    real = marks.event_key
    monkeypatch.setattr(
        marks, "event_key", lambda fig, drawn, *a: keys.append(drawn) or real(fig, drawn)
    )
    exit_overlay([results["base"], results["arm"]], tmp_path / "exit.png", members=["ARM"])
    own = marks.events(results["arm"].manifest)
    assert own and not marks.events(results["base"].manifest)
    name = results["arm"].manifest.scenario_name
    for _, at, label in own:
        assert any(a == at and text == f"{label} ({name} only)" for _, a, text in keys[-1])
    both = marks.compared_events([results["arm"].manifest] * 2, ["a", "b"])
    assert [text for *_, text in both] == [label for *_, label in own]  # shared: no "only"


def test_a_report_says_what_a_sweep_varied_and_that_its_script_is_the_base_point(results):
    """A report comparing a sweep printed the scenario's own values under "What is scripted"
    (western_offer 0.08) and only the swept names in its provenance: the values that two
    thirds of the pooled runs used appeared nowhere, and the design could not be rebuilt."""
    from alliance_sim.report.sections import scripted_lines

    grid = results["grid"]
    lines = scripted_lines([results["base"], grid])
    said = lines[1]
    assert "western_offer 0.08" in said  # the base point, and now said to be one
    assert "sweeps western_offer at 0.02, 0.05, 0.08, 0.12, 0.16" in said
    assert "russian_pressure at 0.1, 0.2, 0.35, 0.5, 0.7" in said
    assert "(a grid of 25 points x 2 replicates), pooled" in said
    assert "where a value set above is swept, the runs use the sweep's values" in said
    assert "sweeps" not in lines[0]
    page = build_report([results["base"], grid], results["dir"] / "sweep_report.md")
    text = Path(page).read_text()
    assert "| swept | western_offer at 0.02, 0.05, 0.08, 0.12, 0.16; russian_pressure" in text


def test_a_difference_holms_correction_does_not_keep_is_not_worded_as_one(tmp_path):
    """A headline read "+3 points [+1, +7] — a small difference (McNemar p = 0.016,
    Holm-adjusted 0.234)" in a report whose table bolds only Holm p < 0.05: a size is now
    given only to a difference that survives the report's own correction."""
    from alliance_sim.analysis.stats import NOT_AN_EFFECT, UNCLEAR_HOLM
    from alliance_sim.report.headline import headline

    base = run_scenario("baseline", tmp_path / "b", replicates=16, end="2030Q4", quiet=True)
    grid = sweep("armenia_exits", tmp_path / "g", replicates=16, end="2030Q4", quiet=True)
    comp = compare_results([base, grid])
    sized = ~comp["effect"].isin(NOT_AN_EFFECT)
    assert sized.any() and (comp.loc[sized, "p (Holm)"] < 0.05).all()
    demoted = comp[comp["effect"] == UNCLEAR_HOLM]
    assert len(demoted) and (demoted["p"] < 0.05).all() and (demoted["p (Holm)"] >= 0.05).all()
    said = " ".join(headline(comp, ["ARM"]).sentences)
    assert "unclear once the report's comparisons are counted" in said
    assert not re.search(r"a (small|medium|large) difference \([^)]*Holm-adjusted 0\.[1-9]", said)
    # where nothing survives, the closing line read "every difference is negligible: under 2
    # points" under differences of +10 and +20 points (red-team)
    comp.loc[sized, "effect"] = UNCLEAR_HOLM
    said = " ".join(headline(comp, ["ARM"]).sentences)
    assert "every difference is negligible" not in said
    assert "No outcome differs clearly by more than a negligible amount" in said


def test_figure_aggregates_read_in_batches_are_those_read_whole(results, monkeypatch):
    """The member series are read in batches of rows, each added to the counts (read whole,
    a 50,000-run sweep's figures took 1 GB): the numbers are the same however the rows come."""
    from alliance_sim.analysis import aggregate as agg

    def all_of(res):
        return (
            agg.member_quantiles(res, "commitment", still_in=True),
            agg.status_shares(res),
            agg.status_intervals(res, "exited"),
        )

    for key in ("grid", "arm"):
        whole = all_of(results[key])
        monkeypatch.setattr(agg, "BATCH", 997)  # many batches, each ending mid-run
        seen = []
        real = agg.batches

        def counted(*a, real=real, seen=seen):
            for b in real(*a):
                seen.append(b.num_rows)
                yield b

        monkeypatch.setattr(agg, "batches", counted)
        parts = all_of(results[key])
        monkeypatch.undo()
        assert len(seen) > 20 and max(seen) <= 997
        for (la, a), (lb, b) in zip(whole, parts, strict=True):
            assert la == lb and a.keys() == b.keys()
            for code in a:
                x, y = a[code], b[code]
                pairs = [(x[k], y[k]) for k in x] if isinstance(x, dict) else [(x, y)]
                for u, v in pairs:
                    np.testing.assert_array_equal(u, v)


def test_the_overlay_draws_no_median_from_a_joiner_in_two_runs(tmp_path, monkeypatch):
    """Iran's commitment in the comparison figure drew the baseline's median from the 1-2 runs
    in which it joined (commitment.png already left such quarters out, and said so)."""
    from alliance_sim.analysis import aggregate as agg
    from alliance_sim.report import overlays

    results = {
        k: run_scenario(k, tmp_path / k, replicates=200, quiet=True)
        for k in ("baseline", "armenia_exits")
    }
    seen = {}
    monkeypatch.setattr(overlays, "_save", lambda fig, path, m: seen.setdefault("fig", fig))
    overlays.overlay(list(results.values()), tmp_path / "o.png", members=["IRN"])
    ax = seen["fig"].axes[1]
    n_in = [
        int(np.rint((s["active"] + s["hedging"] + s["suspended"]).max() * 200))
        for s in (agg.status_shares(r)[1]["IRN"] for r in results.values())
    ]
    assert 0 < max(n_in) < 10, n_in  # the premise: Iran joins in few of 200 runs
    assert all(np.isnan(line.get_ydata()).all() for line in ax.get_lines()[:2])
    title = ax.get_title(loc="left").replace("\n", " ")
    assert "has joined in at least 10 of a scenario's runs" in title, title


def test_a_comparison_answers_whether_a_member_hedges_more(results):
    """ "Does Kazakhstan hedge more?" had no row: the comparison gave exit, suspension and
    commitment only, and `run` printed a hedging share the report never compared."""
    from alliance_sim.report.headline import headline

    comp = compare_results([results["base"], results["arm"]])
    row = comp.set_index("outcome").loc["ARM_hedging"]
    runs = {k: results[k].runs for k in ("base", "arm")}
    shares = [float((r["ARM_status"] == 2).mean()) for r in runs.values()]
    assert bool(row["binary"]) and abs(row["reference"].value - shares[0]) < 1e-9
    assert abs(row["this"].value - shares[1]) < 1e-9
    lines = headline(comp, ["ARM"]).sentences
    assert any(line.startswith("Armenia is hedging at") for line in lines), lines


def test_a_comparison_answers_whether_a_member_suspends_by_then(results):
    """A new user asked whether Kazakhstan suspends by 2029: the headline gave only "is
    suspended at 2029Q4" (30.5%) where 84% of runs had it suspended at some point.  The
    comparison now has that row, read at the compared quarter from the stored statuses (the
    runs table's exact outcome at a result's own end)."""
    from alliance_sim.analysis.aggregate import status_at
    from alliance_sim.analysis.horizon import outcomes_at
    from alliance_sim.report.headline import headline

    arm = results["arm"]
    at = "2030Q4"  # Armenia starts frozen (always 1): Kyrgyzstan's share varies here
    step = quarters.steps_between(arm.plan.start, at)
    got = outcomes_at(arm, at).set_index("run")["KGZ_ever_suspended"]
    st = status_at(arm, list(range(step + 1)))
    st = st[st["member"].astype(str) == "KGZ"]
    want = st.groupby("run")["status"].apply(lambda s: float((s.astype(str) == "suspended").any()))
    joined = got.notna()
    assert joined.sum() > 30 and (got[joined] == want.reindex(got.index)[joined]).all()
    assert 0 < got[joined].mean() < 1  # a share that varies: the check can fail
    end = outcomes_at(arm, arm.plan.end)
    assert end["KGZ_ever_suspended"].equals(arm.runs["KGZ_ever_suspended"])  # exact at the end
    comp = compare_results([results["base"], arm], at=at)
    row = comp.set_index("outcome").loc["KGZ_ever_suspended"]
    assert bool(row["binary"]) and abs(row["this"].value - got[joined].mean()) < 1e-9
    lines = headline(comp, ["KGZ"]).sentences
    assert any("is or has been suspended at some point from the start to 2030Q4" in s
               for s in lines), lines  # fmt: skip
    # Armenia starts frozen: "every run shows Armenia's suspension at some point" is the
    # premise, and the headline now says so (it read as a finding)
    assert comp.attrs["suspended_from_start"] == ["ARM"]
    said = [s for s in headline(comp, ["ARM"]).sentences if "suspension at some point" in s]
    assert len(said) == 1 and said[0].startswith("Every run"), said
    assert said[0].endswith("Armenia is suspended at the start of every run in which it is a "
                            "member: a premise of both, not an outcome."), said  # fmt: skip
    assert not any("suspended at the start" in s for s in lines)  # Kyrgyzstan: not its start


def test_a_comparison_can_be_had_as_numbers(results, tmp_path):
    """compare_results' interval columns are Estimate objects: to_parquet raised ArrowInvalid
    and to_csv wrote "0.432 [0.365, 0.502] n=199" (a new user's trial)."""
    from alliance_sim import comparison_numbers

    comp = compare_results([results["base"], results["arm"]])
    flat = comparison_numbers(comp)
    flat.to_parquet(tmp_path / "c.parquet")
    back = pd.read_parquet(tmp_path / "c.parquet")
    row = comp.set_index("outcome").loc["ARM_exited"]
    got = back.set_index("outcome").loc["ARM_exited"]
    assert got["difference"] == row["difference"].value
    assert (got["difference_lo"], got["difference_hi"]) == (
        row["difference"].lo,
        row["difference"].hi,
    )
    assert got["this_n"] == row["this"].n and got["A12"] == row["A12"].value


def test_a_status_read_at_a_quarter_has_the_stored_type(results):
    """KAZ_status came back as int (1, 2) from outcomes_at at an earlier quarter and as float
    (1.0, 2.0) at the end, so merging two results' tables needed a cast (a new user's trial)."""
    from alliance_sim import outcomes_at

    at_end = results["base"].runs["KAZ_status"]
    earlier = outcomes_at(results["base"], "2026Q4")["KAZ_status"]
    assert earlier.dtype == at_end.dtype == np.float64


def test_the_overlay_keeps_a_member_that_left_at_zero(results, tmp_path, monkeypatch):
    """With the sparse-joiner rule, a member that left in every run vanished from the
    comparison figure after its exit, though the panel counts an exited member as 0 (a
    red-team of the rule)."""
    from alliance_sim.report import overlays

    sc = tmp_path / "kazexit.toml"
    sc.write_text(
        'name = "KAZ exits"\ndescription = "x"\nextends = "baseline"\nend = "2026Q4"\n'
        '[[events]]\ntype = "exit"\nat = "2025Q3"\nmember = "KAZ"\n',
        "utf-8",
    )
    gone = run_scenario(sc, tmp_path / "ke", replicates=20, quiet=True)
    seen = {}
    monkeypatch.setattr(overlays, "_save", lambda fig, path, m: seen.setdefault("fig", fig))
    overlays.overlay([results["base"], gone], tmp_path / "o.png", members=["KAZ"])
    red = seen["fig"].axes[1].get_lines()[1].get_ydata()
    assert np.isfinite(red).all() and red[-1] < 0.01, red  # (quantiles of binned values)


def test_the_two_shares_of_a_table_row_carry_the_same_decimals():
    """A new user's table row read "1% [0%, 2%]" beside "0.5% [0.1%, 1.8%]" (0.75% and 0.5%),
    a difference of -0.5 points to the eye where the headline said -0.2."""
    from alliance_sim.analysis.stats import Estimate
    from alliance_sim.report.diff_table import display_comparison

    row = {"outcome": "KGZ_exited", "binary": True,
           "reference": Estimate(0.0075, 0.001, 0.02, 400),
           "this": Estimate(0.005, 0.001, 0.018, 400),
           "difference": Estimate(-0.0025, -0.01, 0.005, 400),
           "A12": Estimate(0.5, 0.49, 0.51, 400), "effect": "negligible", "test": "McNemar",
           "p": 1.0, "p (Holm)": 1.0, "n": 400, "paired": True, "seeds for ±target": 10,
           "target": 0.05, "scenario": "s", "horizon": "2029Q4"}  # fmt: skip
    shown = display_comparison(pd.DataFrame([row])).iloc[0]
    assert shown["reference: mean [95% CI]"].startswith("0.8% ["), shown
    assert shown["this: mean [95% CI]"].startswith("0.5% [")


def test_table_shares_add_up_to_their_difference_and_are_not_rounded_to_certainty():
    """Red team: "100% [99%, 100%] | 100% [99%, 100%] | +0.3 pts" (99.7% and 100%), and
    "1% | 2% | +0.2 pts" (1.25% and 1.5%)."""
    from alliance_sim.analysis.stats import Estimate, percent_interval
    from alliance_sim.report.diff_table import display_comparison

    def shown(ref, this, d):
        row = {"outcome": "ARM_ever_suspended", "binary": True, "reference": ref, "this": this,
               "difference": d, "A12": Estimate(0.5, 0.49, 0.51, 400), "effect": "negligible",
               "test": "McNemar", "p": 1.0, "p (Holm)": 1.0, "n": 400, "paired": True,
               "seeds for ±target": 10, "target": 0.05, "scenario": "s",
               "horizon": "2034Q4"}  # fmt: skip
        r = display_comparison(pd.DataFrame([row])).iloc[0]
        return r["reference: mean [95% CI]"], r["this: mean [95% CI]"]

    a, b = shown(Estimate(0.997, 0.985, 1.0, 400), Estimate(1.0, 0.99, 1.0, 400),
                 Estimate(0.003, -0.007, 0.014, 400))  # fmt: skip
    assert a.startswith("99.7%") and b.startswith("100"), (a, b)
    a, b = shown(Estimate(0.0125, 0.005, 0.03, 400), Estimate(0.015, 0.006, 0.03, 400),
                 Estimate(0.0025, -0.005, 0.01, 400))  # fmt: skip
    assert not (a.startswith("1%") and b.startswith("2%")), (a, b)
    assert percent_interval(0.9994, 0.99, 1.0).startswith("99.9")
    # neither an estimate that reads as on a bound it is not on ("1% [1%, 3%]" of 5 in 400)
    # nor a lower bound above zero that reads as 0% ("1% [0%, 2%]" of 3 in 400, beside
    # "0.5% [0.1%, 1.8%]" of 2): helper-75
    from alliance_sim.analysis.stats import wilson

    def of(k: int) -> str:
        lo, hi = wilson(k, 400)
        return percent_interval(k / 400, max(lo, 0.0), min(hi, 1.0))

    assert [of(k) for k in (0, 2, 3, 5, 180)] == [
        "0% [0%, 1%]", "0.5% [0.1%, 1.8%]", "0.8% [0.3%, 2.2%]", "1.2% [0.5%, 2.9%]",
        "45% [40%, 50%]",
    ]  # fmt: skip


def test_suspension_at_some_point_is_compared_only_over_one_window(tmp_path):
    """Red team: "suspended at some point from the start" compared 2020Q1-2024Q4 with
    2006Q3-2024Q4 when the results started at different quarters, and said nothing."""
    a = run_scenario("history_2020_2024", tmp_path / "a", replicates=4, quiet=True)
    b = run_scenario("history_2006_2024", tmp_path / "b", replicates=4, quiet=True)
    comp = compare_results([a, b])
    assert not comp["outcome"].str.endswith("_ever_suspended").any()
    assert any("start at different quarters" in s for s in comp.attrs["left_out"])
    # the lowest cohesion "up to" the quarter has the same two windows (fourth red-team)
    assert "cohesion_min" not in set(comp["outcome"]) and "cohesion_final" in set(comp["outcome"])
    # and the reason is said with the headline in every rendering, not in the HTML alone
    from alliance_sim.report.html import build_report

    said = "Not compared: lowest cohesion and suspensions at some point (the results start"
    for out in ("r.md", "r.html"):
        build_report([a.directory, b.directory], tmp_path / out, quiet=True)
        text = (tmp_path / out).read_text()
        assert said in text.split("## Figures")[0].split("Differences from the reference")[0], out


def test_a_record_of_every_quarter_is_not_thinned(tmp_path):
    """`--record every:1` holds every quarter, but its lowest cohesion and suspensions at some
    point were left out as of a thinned record (fourth red-team)."""
    a = run_scenario("armenia_exits", tmp_path / "a", replicates=4, quiet=True, end="2027Q4")
    b = run_scenario("armenia_exits", tmp_path / "b", replicates=4, quiet=True, end="2027Q4",
                     record="every:1")  # fmt: skip
    comp = compare_results([a, b], at="2026Q4")
    assert "cohesion_min" in set(comp["outcome"]) and not comp.attrs["left_out"]


def test_the_fan_chart_says_when_its_bands_are_of_the_runs_still_in(tmp_path, monkeypatch):
    """A new user read a rise of Kazakhstan's median commitment (0.19 to 0.39) as a recovery;
    it was the least committed runs leaving (58% had left; helper-61). A panel in which a
    fifth or more of the runs have left by the end says its bands are of those still in."""
    from alliance_sim import run_scenario
    from alliance_sim.analysis import aggregate as agg
    from alliance_sim.report import plots
    from alliance_sim.report.shares import exited_share

    f = tmp_path / "kz.toml"
    f.write_text(
        'name = "squeeze"\ndescription = "d"\nextends = "baseline"\nsources = ["x"]\n'
        'end = "2030Q4"\n[[events]]\nid = "p"\nat = "2025Q1"\ntype = "pressure"\n'
        'member = "KAZ"\nsize = 0.5\nduration = 16\n'
    )
    res = run_scenario(f, tmp_path / "r", replicates=60, quiet=True)
    seen = {}
    monkeypatch.setattr(plots, "_save", lambda fig, path, m: seen.setdefault("fig", fig))
    plots.fan_chart(res, "unused.png")
    _, shares = agg.status_shares(res)
    notes = {ax.get_title(): " ".join(t.get_text() for t in ax.texts) for ax in seen["fig"].axes}
    gone = float(exited_share(shares["KAZ"])[-1])
    assert 0.2 <= gone < 0.8, gone  # the case this test is for: many left, many still in
    assert (
        f"{gone:.0%} left by the end: the bands are of those still in" in notes["Kazakhstan (KAZ)"]
    )
    assert "left by the end" not in notes["Belarus (BLR)"]  # nobody left: nothing said


def test_the_reports_median_exit_quarter_is_the_run_tables():
    """Exits at steps 8, 8, 13, 15, 16, 16, 20 and 22 (median 15.5): the run table and
    summary.json said 2028Q3 (rounded down), the report 2028Q4 (round() of 15.5), for the
    same runs (helper-71). Both round down; the interval is widened to whole quarters."""
    from types import SimpleNamespace

    import numpy as np

    from alliance_sim.analysis.scenario_table import QuarterEstimate
    from alliance_sim.core import quarters

    steps = np.array([8, 8, 13, 15, 16, 16, 20, 22])
    table = quarters.shift("2024Q4", int(np.median(steps)))  # analysis/summary.py's rule
    est = SimpleNamespace(value=float(np.median(steps)), lo=9.6, hi=19.2, n=8)
    assert (
        str(QuarterEstimate("2024Q4", est))
        == f"{table} [2027Q1, 2029Q4]"
        == ("2028Q3 [2027Q1, 2029Q4]")
    )
    est = SimpleNamespace(value=14.5, lo=10.0, hi=19.0, n=8)  # round(14.5) is 14: no help
    assert str(QuarterEstimate("2024Q4", est)).startswith("2028Q2 [2027Q2, 2029Q3]")


def test_a_report_of_a_generator_of_folders_reads_them(results, tmp_path):
    """build_report((d for d in dirs), ...) raised "expected a list" (a red-team); an endless
    one is cut at one past the cap and refused, not read forever."""
    import itertools

    from alliance_sim import build_report
    from alliance_sim.errors import AllianceSimError

    dirs = [results["base"].directory, results["arm"].directory]
    out = build_report((d for d in dirs), tmp_path / "r.html", quiet=True)
    assert out.is_file()
    with pytest.raises(AllianceSimError, match="build_report: 7 results; allowed at most 6"):
        build_report(itertools.cycle(dirs), tmp_path / "r2.html", quiet=True)


def test_not_compared_names_each_scenario_when_three_are_compared():
    """Three results' headline said Kyrgyzstan's exit was "the same in every run of both
    scenarios" when one of the two others showed it in 2% of its runs (a new user)."""
    from alliance_sim.report.headline import footnote

    quiet = pd.DataFrame(
        {"scenario": ["A", "A", "B"], "outcome": ["KGZ_exited", "BLR_exited", "BLR_exited"]}
    )
    three = footnote(quiet, "2030Q4", n=2)
    assert (
        "both" not in three and "in A: Kyrgyzstan's exit, Belarus's exit; in B: Belarus's" in three
    )
    two = footnote(quiet[quiet["scenario"] == "A"], "2030Q4", n=1)
    assert two.startswith("Not compared: Kyrgyzstan's exit, Belarus's exit at 2030Q4 — the same")


def test_results_that_share_only_some_seeds_say_why_they_are_not_paired(tmp_path):
    """20 runs compared with 50 that share 20 of their seeds were tested as independent
    ("n_eff = 20 independent runs") without a word, where the README promises pairs."""
    from alliance_sim.report.headline import headline

    a = run_scenario("baseline", tmp_path / "a", replicates=30, quiet=True, end="2026Q4")
    b = run_scenario("western_surge", tmp_path / "b", replicates=12, quiet=True, end="2026Q4")
    comp = compare_results([a, b])
    (said,) = comp.attrs["unpaired"]
    assert "share the seeds of 12 runs but not all (12 and 30 runs" in said
    assert "Not paired: " in headline(comp).footnote
    c = run_scenario("western_surge", tmp_path / "c", replicates=30, quiet=True, end="2026Q4")
    assert compare_results([a, c]).attrs["unpaired"] == []  # the same seeds: paired


def test_a_share_half_way_between_whole_percents_is_not_rounded_two_ways():
    """A new user's report said Tajikistan's exit (3 runs of 200) was "1.5% [1%, 4%]" in its
    headline and "2% [1%, 4%]" in its table; the run table printed one suspension in 200 runs
    as "suspended 0%".  Whole percents give a half-way share its decimal, and a share above
    zero never reads as 0%."""
    from alliance_sim.analysis.stats import Estimate, percent, percent_interval
    from alliance_sim.analysis.summary import format_table

    # (its lower bound read near its value: 0.51% is not "1%", helper-100)
    assert percent_interval(0.015, 0.0051, 0.043) == "1.5% [0.5%, 4.3%]"
    assert Estimate(0.015, 0.0051, 0.043, 200).fmt(pct=True) == "1.5% [0.5%, 4.3%]"
    assert percent_interval(0.325, 0.2, 0.48) == "32.5% [20%, 48%]"
    assert percent_interval(0.35, 0.22, 0.5) == "35% [22%, 50%]"  # not half-way: as before
    assert [percent(x) for x in (0.005, 0.125, 0.35, 0.0, 1.0)] == [
        "0.5%", "12.5%", "35%", "0%", "100%"
    ]  # fmt: skip
    row = dict(member="TJK", runs=200, commitment_median=0.7, commitment_p5=0.5,
               commitment_p95=0.9, active=0.875, hedging=0.12, suspended=0.005, p_exit=0.0,
               p_exit_lo=0.0, p_exit_hi=0.02, n_effective=200, median_exit="")  # fmt: skip
    line = format_table(pd.DataFrame([row])).splitlines()[-1]
    assert "87.5%     12%      0.5%" in line, line
    # a share of no runs, or one without an interval, says so (it printed "nan%")
    nan = float("nan")
    assert percent(nan) == percent_interval(nan, nan, nan) == "n/a"
    assert percent_interval(0.5, nan, nan) == "50% [no interval]"


def test_three_results_lead_each_scenario_with_its_own_focus_whatever_their_order(tmp_path):
    """With three results the headline took the first three focus members of all of them and
    four "largest other" sentences shared by both scenarios, so the third file's own focus
    (Kyrgyzstan, Tajikistan) was left out or not, and the reference's printed share changed
    its decimals from one sentence to the next, as the folders were ordered (helper-99)."""
    import re

    from alliance_sim import run_scenario
    from alliance_sim.report.headline import headline

    base = run_scenario("baseline", tmp_path / "b", replicates=40, quiet=True)
    west = run_scenario("western_surge", tmp_path / "w", replicates=40, quiet=True)
    rem = run_scenario("remittance_shock", tmp_path / "r", replicates=40, quiet=True)
    heads = [headline(compare_results([base, *pair])) for pair in ((west, rem), (rem, west))]
    by = [{n: [s for s in h.sentences if n in s] for n in ("Western surge", "Remittance shock")}
          for h in heads]  # fmt: skip
    assert by[0] == by[1]  # each scenario's findings do not hang on the other's place
    own = {"Western surge": ("Armenia", "Kazakhstan", "Kyrgyzstan"),
           "Remittance shock": ("Tajikistan", "Kyrgyzstan")}  # fmt: skip
    for name, said in by[0].items():
        assert said, (name, heads[0].sentences)
        assert said[0].startswith(own[name][0]), said[0]  # its own first focus member first
        for member in own[name]:
            assert any(s.startswith(member) for s in said), (name, member)
    # one reference share, one way of printing it, in every sentence of the same outcome
    for h in heads:
        ref = {}
        for s in h.sentences:
            m = re.match(r"(\w+) has left the CSTO by \S+ in .*? vs ([\d.]+%) ", s)
            if m:
                ref.setdefault(m.group(1), set()).add(m.group(2))
        assert ref and all(len(v) == 1 for v in ref.values()), ref


def test_the_headline_says_its_intervals_are_the_fitted_models(results, tmp_path):
    """A new user read "+8 points [+6, +11] ... a medium difference (p < 0.001)" on the first
    screen as the answer, its range over what the record does not pin down (0-88%) three
    sections below (helper-117): the headline's note now opens by saying what its intervals
    carry and where the rest is, in both formats."""
    said = "These are the model's answers as run: their intervals carry the runs' spread"
    for name in ("r.md", "r.html"):
        from html import unescape

        text = unescape(
            build_report([results["base"], results["arm"]], tmp_path / name).read_text()
        )
        head = text[: text.index("What is scripted, what the model decides")]
        assert said in head and "Beyond the fitted model" in head
