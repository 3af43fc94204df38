"""Comparison reports: one self-contained HTML file (figures embedded, no external scripts or
fonts) or Markdown with image files, comparing two or more result directories.

The first directory is the reference; every other is compared with it on each member's exit,
suspension and final commitment and on cohesion, as :mod:`alliance_sim.analysis.comparison`
does it (differences with their intervals, effect sizes, tests paired where the two share seeds,
Holm's adjustment, and the runs an interval would need for a target precision).
"""

from __future__ import annotations

import base64
import html
import io
import os
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_sim import __version__
from alliance_sim.analysis.comparison import (  # noqa: F401 (compare_results: re-exported)
    bold_rows,
    compare_results,
    comparison_outcomes,
    display_names,
    focus_of,
)
from alliance_sim.analysis.design import FEW
from alliance_sim.analysis.horizon import shared_horizon
from alliance_sim.analysis.known_limits import KNOWN_LIMITS
from alliance_sim.analysis.observables import OBSERVE, observable_table
from alliance_sim.analysis.scenario_table import QuarterEstimate, independent_unit, scenario_table
from alliance_sim.analysis.stats import Estimate, percent
from alliance_sim.analysis.summary import COHESION
from alliance_sim.paths import check_not_results
from alliance_sim.progress import bar
from alliance_sim.report import overlays, plots, scripted
from alliance_sim.report.diff_table import display_comparison
from alliance_sim.report.headline import Headline, headline
from alliance_sim.report.labels import scenario_shown
from alliance_sim.report.robustness_api import read_analyses
from alliance_sim.report.saving import check_figure_folder, report_format, report_out, write_report
from alliance_sim.report.sections import nested_html, nested_md, rests_on_lines, scripted_lines
from alliance_sim.report.style import check_style, use_style
from alliance_sim.runs.locks import drawing
from alliance_sim.runs.results import Result, as_result, design_note
from alliance_sim.textsafe import md

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:2em}h3{font-size:1.1em}table{border-collapse:collapse;margin:.8em 0;font-size:.85em;
display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#f2f2f2}
td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee}
.note{color:#555;font-size:.85em}.sig{font-weight:bold}p.lead{font-size:1.1em;font-weight:600}
ul.headline{font-size:1.05em;line-height:1.5}ul.headline li{margin:.3em 0}figure{margin:1em 0}
"""


# --- rendering -------------------------------------------------------------------------------


def _few(n: int) -> str:
    return f" n={n}" + (" ⚠" if n < FEW else "")


def _cell(v: object, column: str = "") -> str:
    if isinstance(v, Estimate):
        if not np.isfinite(v.value):
            return "–"
        return v.fmt(pct=column.startswith("P(")) + _few(v.n)
    if isinstance(v, QuarterEstimate):
        return f"{v}{_few(v.n)}"
    if isinstance(v, float | np.floating):
        if not np.isfinite(v):
            return "–"
        if column.startswith("P(") and 0 <= v <= 1:  # a mean probability: in percent
            return percent(float(v))
        return f"{v:.3g}" if abs(v) < 1e-2 and v != 0 else f"{v:.3f}"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    return str(v)


def _html_table(df: pd.DataFrame, bold: pd.Series | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for i, (_, row) in enumerate(df.iterrows()):
        cls = ' class="sig"' if bold is not None and bool(bold.iloc[i]) else ""
        cells = "".join(f"<td>{html.escape(_cell(v, str(c)))}</td>" for c, v in row.items())
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _md_table(df: pd.DataFrame, bold: pd.Series | None = None) -> str:
    """A Markdown table; rows where ``bold`` is true are set in bold (as the HTML's)."""
    esc = md

    def cells(i: int, row: pd.Series) -> str:
        strong = bold is not None and bool(bold.iloc[i])
        return " | ".join(
            f"**{esc(_cell(v, str(c)))}**" if strong else esc(_cell(v, str(c)))
            for c, v in row.items()
        )

    lines = [
        "| " + " | ".join(esc(str(c)) for c in df.columns) + " |",
        "|" + "---|" * len(df.columns),
    ]
    lines += [f"| {cells(i, row)} |" for i, (_, row) in enumerate(df.iterrows())]
    return "\n".join(lines)


def _calibration(m) -> str:
    """The calibration posterior a scenario draws its parameter sets from, and its hash."""
    cal = m.scenario.get("calibration") if isinstance(m.scenario, dict) else None
    if not cal:
        return "none (default parameters)"
    if isinstance(cal, dict):
        return f"{cal.get('file', '?')}, sha256 {cal.get('sha256', '?')}"
    return str(cal)


def provenance(res: Result) -> pd.DataFrame:
    m, plan = res.manifest, res.manifest.plan
    failed = int(res.runs["error"].notna().sum())
    return pd.DataFrame(
        [
            ("scenario file", scenario_shown(m.scenario_path, provenance=True)),
            ("scenario hash", m.scenario_hash),
            ("alliance-sim version", m.package_version),
            ("model stamp", m.model or "not recorded"),
            ("period", f"{plan.start} to {plan.end}"),
            ("sampler", plan.sampler),
            ("swept", scripted.design_text(plan) or "nothing"),
            ("points x replicates", f"{plan.n_points} x {plan.replicates}"),
            ("runs (failed)", f"{plan.n_runs} ({failed})"),
            ("independent unit", independent_unit(res)),
            (
                "master seed; replicate seeds",
                f"{plan.master_seed}; {len(m.seeds)} seeds, first {m.seeds[0]}",
            ),
            ("calibration posterior", _calibration(m)),
            *(
                [("left out", design_note(res, "the numbers here use").removeprefix("note: "))]
                if res.left_out
                else []
            ),
            ("computed", f"{m.started} to {m.ended}"),
            ("directory", str(res.directory)),
        ],
        columns=["", "value"],
    )


def _figures(results: list[Result], focus: list[str], when: str) -> list[tuple[str, io.BytesIO]]:
    """The report's figures; results that recorded too few quarters for a time series
    (``--record end``) are left out of them, and the caption says so."""
    from alliance_sim.report.figures import skipped_kinds

    names = dict(zip(map(id, results), display_names(results), strict=True))
    series = [r for r in results if not skipped_kinds(r)]
    left = [names[id(r)] for r in results if r not in series]
    labels = [names[id(r)] for r in series]
    but = f" ({', '.join(left)}: only its end recorded, not drawn)" if left else ""
    if not series:
        return []
    focus = overlays.members_in(series, focus)  # one in no run gets no panel
    figs, buf = [], io.BytesIO()
    overlays.exit_overlay(series, buf, members=focus, at=when, names=labels)
    figs.append(
        (
            "P(exit) by quarter: share of runs in which each focus member has left, with its 95% "
            f"interval; the dashed line is {when}, the quarter compared{but}",
            buf,
        )
    )
    buf = io.BytesIO()
    overlays.overlay(series, buf, members=focus, at=when, names=labels)
    figs.append(
        (
            "Scenarios compared: median and 50% band of cohesion and of the focus members' "
            f"commitment ({COHESION}; an exited member counts as 0){but}",
            buf,
        )
    )
    for res in series:
        buf = io.BytesIO()
        plots.status_probability(res, buf, at=when)
        figs.append((f"{names[id(res)]}: suspension and exit by quarter", buf))
    return figs


NOTES = (
    "Runs that share a seed are not independent: replicate k uses the same seed at every point of"
    " a sweep and in every scenario run with the same master seed. Every interval treats a seed "
    "as one unit (in a calibrated forecast, a distinct parameter set of the posterior where the "
    "runs draw fewer sets than seeds), and 'n=' beside it is the effective number of independent "
    "runs (up to the runs; below the units where they differ in size); ⚠ marks an interval "
    f"resting on fewer than {FEW}. Probabilities carry Wilson 95% intervals on the effective runs "
    "(they stay open at 0% and 100%); means a clustered t interval; the median quarter of exit a "
    "bootstrap over whole units. 'seeds for ±5 pts' is how many seeds (replicates, not runs) an "
    "interval of ±5 points on that member's exit probability needs at this design's design effect"
    " (cohesion: ±0.05): 'N sets (M drawn)' where the units are parameter sets (rows repeat sets;"
    " replicates past the posterior's rows add seeds, not sets). In the comparison, A12 is P(this"
    " > reference) + ties/2 (0.5 = no effect; 0.56/0.64/0.71 small/medium/large), shown for every"
    " outcome but worded only for those that are not probabilities: a probability's effect is "
    "worded by the difference in points (2/5/10 points small/medium/large), as a rank measure "
    "says little about a rare 0/1 outcome (4% -> 12% is an A12 of 0.54); unclear when its "
    "interval or test includes no difference, unless its whole interval is negligible (an exact "
    "McNemar test can keep no difference that Newcombe's interval excludes). A difference of "
    "probabilities carries Newcombe's score interval built from the two Wilson intervals (with "
    "the pairs' correlation when paired), which stays open when one side never shows the outcome;"
    " other differences a bootstrap over whole units. Tests are paired when both results share "
    "seeds and points (McNemar or Wilcoxon signed-rank on runs with one seed each; Wilcoxon on "
    "per-unit means when seeds repeat across points or runs share parameter sets; for a "
    "probability where units repeat, the p at which Newcombe's interval just reaches 0, so that "
    "it agrees with the interval); 'p (Holm)' controls the family-wise error over all rows; bold "
    "rows have p (Holm) < 0.05 and an interval clear of no difference. The last column: the seeds"
    " (a pair each if paired) the difference's interval needs for the target half-width."
)
HEADLINE_NOTE = (  # its first sentence: the headline had read firmer than it is (helper-117)
    "These are the model's answers as run: their intervals carry the runs' spread (and a "
    "calibrated forecast's parameter draws), not the parameters the record does not pin down, "
    "over which an answer can range far wider (below: Beyond the fitted model). "
    "First each focus member's probability of having left (of being suspended, suspended at some "
    "point, hedging) in each scenario and the difference in points; then the largest other "
    "visible differences: probabilities ranked by the difference in points (under 2: negligible; "
    "2-5 small; 5-10 medium; 10 or more large), other outcomes by the Vargha-Delaney A12. "
    "Brackets: 95% intervals; p: the test's, Holm-adjusted over every row below. A size is given "
    "only to a difference its interval and test tell from none that survives Holm; else it is "
    "negligible if its whole interval is, unclear if not. n_eff: effective runs (seed, set: once)."
)


def build_report(
    dirs: list[str | os.PathLike | Result],
    out: str | os.PathLike,
    fmt: str | None = None,
    seed: int = 0,
    quiet: bool | None = None,
    at: str | None = None,
    style: str | None = None,
    on_headline: Callable[[Headline], None] | None = None,
    option: str = "at",
    robustness: list[str | os.PathLike] | None = None,
) -> Path:
    """Write the comparison report of ``dirs`` (the first is the reference) to ``out`` (HTML or
    Markdown, from its suffix unless ``fmt`` says), every result read at one quarter: ``at``, or
    the last quarter they all reach. The headline first (by when; each focus member's P(exit)
    and P(suspended) in each scenario with the difference; the largest other differences), the
    model's known limits, then the differences table, the figures and each scenario's provenance
    and member table (``quiet=False``: a progress bar; None: in Jupyter). ``style``: the
    figures' style, ``screen`` or ``paper`` (:mod:`alliance_sim.report.style`). ``on_headline``:
    called with the headline before the report is written (the command line prints it).
    ``option``: how messages name ``at`` (``--at`` from the command line).  ``robustness``:
    folders of robustness analyses the user ran (``alliance-sim robustness --out DIR``), each
    of one of the compared scenarios, shown in place of the shipped one or of the command."""
    fmt = report_format(out, fmt)
    if style is not None:
        check_style(style)
    if isinstance(dirs, Iterator):  # a generator: at most one past the cap, so none hangs
        dirs = list(islice(dirs, len(plots.SCENARIO_COLOURS) + 1))
    if not isinstance(dirs, list | tuple):  # a folder's letters, or None: one line
        raise TypeError(f"build_report: expected a list of two or more results, got {dirs!r}")
    plots.check_compared(len(dirs), "build_report")
    results = [as_result(d, "build_report").design() for d in dirs]  # [.., 5]: one line
    if len(results) < 2:
        raise ValueError("compare needs at least two result directories")
    out = report_out(check_not_results(out))
    if fmt == "md":  # its figures go into NAME_files: only a report's own may be replaced
        check_figure_folder(out.with_name(out.stem + "_files"), out)
    asked = shared_horizon(results, at, option).quarter  # an analysis run to it is quoted too
    analyses = read_analyses(robustness, results, option.replace("at", "robustness"), asked)
    with bar(len(results) + 2, "report", unit="step", quiet=quiet) as progress:
        comp = compare_results(results, seed, at=at, option=option)
        when = comp.attrs["horizon"].quarter
        tables = []
        for r in results:
            tables.append((r, scenario_table(r, tuple(r.plan.focus), seed, at=when)))
            progress.update(1)
        with use_style(style):
            figs = _figures(results, focus_of(results) or ["ARM", "KAZ"], when)  # all (helper-99)
        progress.update(2)
    head = headline(comp)
    if on_headline is not None:
        on_headline(head)
    title = "Scenario comparison: " + " vs ".join(display_names(results))
    stamp = time.strftime("%Y-%m-%d %H:%M")
    shown = comp[comp["effect"] != "no variation"] if len(comp) else comp
    rests = rests_on_lines(results, when, analyses)
    if fmt == "md":
        with drawing(out.with_name(out.stem + "_files"), "a report's figures"):  # (red team)
            return _write_md(out, title, stamp, results, tables, shown, figs, head, rests)
    esc = html.escape
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        "<section id='headline'><h2>Headline</h2>",
        f"<p class='lead'>{esc(head.lead)}</p><ul class='headline'>",
        *(f"<li>{esc(x)}</li>" for x in head.sentences),
        "</ul>",
        f"<p class='note'>{esc(head.footnote)}</p>" if head.footnote else "",
        f"<p class='note'>{esc(HEADLINE_NOTE)}</p></section>",
        "<section id='scripted'><h2>What is scripted, what the model decides</h2><ul>",
        *nested_html(scripted_lines(results, when)),
        "</ul></section>",
        "<section id='rests-on'><h2>Beyond the fitted model</h2><ul>",
        *nested_html(rests),
        "</ul></section>",
        "<section id='limits'><h2>What these numbers rest on: known limits</h2><ul>",
        *(
            f"<li><b>{esc(lim.name)}.</b> {esc(lim.text)} <span class='note'>"
            f"({esc(lim.backed_by)})</span></li>"
            for lim in KNOWN_LIMITS
        ),
        "</ul></section>",
        f"<p class='note'>alliance-sim {__version__}, {stamp}. Reference: "
        f"{esc(display_names(results)[0])}.</p>",
        f"<h2>Differences from the reference at {esc(when)}</h2>",
    ]
    if len(shown):
        parts.append(_html_table(display_comparison(shown), bold_rows(shown)))
    if head.footnote:
        parts.append(f"<p class='note'>{esc(head.footnote)}</p>")
    parts.append(f"<p class='note'>{esc(NOTES)}</p><h2>Figures</h2>")
    for caption, buf in figs:
        data = base64.b64encode(buf.getvalue()).decode()
        parts.append(
            f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,"
            f"{data}'><figcaption class='note'>{esc(caption)}</figcaption>"
            "</figure>"
        )
    names = dict(zip(map(id, results), display_names(results), strict=True))
    for res, table in tables:
        m = res.manifest
        parts += [
            f"<h2>{esc(names[id(res)])}</h2>",
            f"<p>{esc(m.scenario_description)}</p>",
            _html_table(provenance(res)),
            "<h3>Members at the horizons</h3>",
            _html_table(table),
        ]
        obs = observable_table(res)
        if len(obs):
            parts += [f"<h3>{OBSERVE}</h3>", _html_table(obs)]
    parts.append("</body></html>")
    write_report(out, "\n".join(parts) + "\n")
    return out


def _write_md(
    out: Path,
    title: str,
    stamp: str,
    results: list[Result],
    tables: list,
    comp: pd.DataFrame,
    figs: list,
    head: Headline,
    rests: list[str],
) -> Path:
    files = out.with_name(out.stem + "_files")
    files.mkdir(exist_ok=True)
    doc = [f"# {md(title)}", "", "## Headline", "", md(head.lead), ""]
    doc += [*(f"- {md(x)}" for x in head.sentences), ""]
    doc += [md(head.footnote), ""] if head.footnote else []
    doc += [HEADLINE_NOTE, "", "## What is scripted, what the model decides", ""]
    doc += [*nested_md(scripted_lines(results, head.when)), "", "## Beyond the fitted model", ""]
    doc += [*nested_md(rests), ""]
    doc += ["## What these numbers rest on: known limits", ""]
    doc += [f"- **{md(lim.name)}.** {md(lim.text)} ({md(lim.backed_by)})" for lim in KNOWN_LIMITS]
    doc += [
        "",
        f"alliance-sim {__version__}, {stamp}. Reference: {md(display_names(results)[0])}.",
        "",
        f"## Differences from the reference at {head.when}",
        "",
        _md_table(display_comparison(comp), bold_rows(comp)) if len(comp) else "",
        "",
        md(head.footnote),
        "",
        NOTES,
        "",
        "## Figures",
        "",
    ]
    for k, (caption, buf) in enumerate(figs):
        name = f"figure{k + 1}.png"
        (files / name).write_bytes(buf.getvalue())
        doc += [f"![{md(caption)}]({files.name}/{name})", "", f"*{md(caption)}*", ""]
    names = dict(zip(map(id, results), display_names(results), strict=True))
    for res, table in tables:
        m = res.manifest
        doc += [
            f"## {md(names[id(res)])}",
            "",
            md(m.scenario_description),
            "",
            _md_table(provenance(res)),
            "",
            "### Members at the horizons",
            "",
            _md_table(table),
            "",
        ]
        obs = observable_table(res)
        if len(obs):
            doc += [f"### {OBSERVE}", "", _md_table(obs), ""]
    write_report(out, "\n".join(doc) + "\n")
    return out
