"""Figures (matplotlib): one colour per member everywhere, calendar quarters on the time axis,
the scenario and the provenance of its data in a small footer.  Data are aggregated before
drawing (quantiles per quarter, means per swept value), so a 100,000-run sweep plots in
seconds."""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from alliance_sim.analysis import aggregate as agg
from alliance_sim.core import members as mb
from alliance_sim.core.outcomes import ALLIES
from alliance_sim.report import marks
from alliance_sim.report.marks import COHESION
from alliance_sim.textsafe import term

if TYPE_CHECKING:
    from alliance_sim.runs.results import Result

COLOURS = {
    "RUS": "#7f7f7f",
    "BLR": "#d62728",
    "KAZ": "#1f77b4",
    "KGZ": "#ff7f0e",
    "TJK": "#2ca02c",
    "ARM": "#9467bd",
    "IRN": "#8c564b",
}
SCENARIO_COLOURS = ["#222222", "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00"]
NAMES = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))
QS = (0.05, 0.25, 0.5, 0.75, 0.95)
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.parse_math": False,  # scenario names are text: "$5bn deal$" is not maths
}


def subplots(*args, **kwargs) -> tuple[Figure, object]:
    """A new figure and its axes without pyplot, so importing this module never changes the
    user's backend (figures render in notebooks as usual)."""
    fig = Figure(figsize=kwargs.pop("figsize", None))
    return fig, fig.subplots(*args, **kwargs)


def styled(fn: Callable) -> Callable:
    """Draw with the package's style (small type, no top/right spines) without touching the
    user's global matplotlib settings."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(STYLE):
            return fn(*args, **kwargs)

    return wrapper


def footer(fig: Figure, manifest: dict) -> None:
    """Scenario name and provenance in small type at the bottom of the figure."""
    plan = manifest.plan
    text = (
        f"{manifest.scenario_name} | scenario {manifest.scenario_hash} | "
        f"alliance-sim {manifest.package_version} | {plan.n_runs:,} runs "
        f"({plan.n_points} points x {plan.replicates} replicates), master seed "
        f"{plan.master_seed}"
    )
    fig.text(0.01, 0.005, text, fontsize=6.5, color="#555555", ha="left", va="bottom")


def _visible_text(fig: Figure) -> None:
    """Every text of ``fig`` with control characters (from a scenario's name or notes) shown
    as escapes (``\\x1b``) instead of reaching the font renderer, which draws them as
    boxes or warns about missing glyphs."""
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        text = t.get_text()
        if text and any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n" for ch in text):
            t.set_text(term(text))


def _save(fig: Figure, path: str | os.PathLike, manifest: dict | None, layout: bool = True) -> Path:
    if manifest is not None:
        footer(fig, manifest)
    _visible_text(fig)
    if layout:
        fig.tight_layout(rect=(0, 0.03, 1, 1))
    if isinstance(path, str | os.PathLike):
        path = Path(path)
        fig.savefig(path, dpi=130)
    else:  # a file-like object (reports embed figures)
        fig.savefig(path, dpi=110, format="png")
    return path


def quarter_axis(ax: Axes, labels: list[str]) -> None:
    """Ticks at first quarters of years, at most five of them, labelled like 2026Q1."""
    firsts = [i for i, q in enumerate(labels) if q.endswith("Q1")] or [0]
    every = next(k for k in (1, 2, 3, 4, 5, 10, 20, 50) if len(firsts[::k]) <= 5)
    ticks = firsts[::every]
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks])
    ax.set_xlim(0, max(len(labels) - 1, 1))


def _band(
    ax: Axes, q: np.ndarray, colour: str, label: str | None = None, bands: bool = True
) -> None:
    x = np.arange(q.shape[1])
    if bands:
        ax.fill_between(x, q[0], q[4], color=colour, alpha=0.13, lw=0)
        ax.fill_between(x, q[1], q[3], color=colour, alpha=0.28, lw=0)
    ax.plot(x, q[2], color=colour, lw=1.8, label=label)


@styled
def fan_chart(res: Result, path: str | os.PathLike, members: list[str] | None = None) -> Path:
    """Each member's commitment over time among the runs in which it is still in the alliance
    (median, 50% and 90% bands), beside the share of runs in which it has exited (dashed); and
    the cohesion index.  Dotted verticals: the scenario's scheduled events."""
    labels, qm = agg.member_quantiles(res, "commitment", still_in=True)
    _, shares = agg.status_shares(res)
    _, qc = agg.alliance_quantiles(res, "cohesion")
    present = [c for c in ALLIES if c in qm]
    members = [m for m in (members or present) if m in present]
    n = len(members) + 1
    cols = 3
    rows = -(-n // cols)
    fig, axes = subplots(rows, cols, figsize=(11, 3.0 * rows + 0.5), sharey=True, squeeze=False)
    x = np.arange(len(labels))
    for ax, code in zip(axes.flat, [*members, "cohesion"], strict=False):
        if code == "cohesion":
            _band(ax, qc, "black")
            ax.set_title("Cohesion index")
            ax.text(
                0.0,
                0.02,
                COHESION.replace(", a", ",\na"),
                transform=ax.transAxes,
                fontsize=6.5,
                color="#444444",
            )
        else:
            _band(ax, qm[code], COLOURS[code])
            ax.plot(x, shares[code]["exited"], color="#b2182b", lw=1.3, ls="--")
            ax.set_title(f"{NAMES[code]} ({code})")
        quarter_axis(ax, labels)
        marks.event_markers(ax, res.manifest, labels, None if code == "cohesion" else code)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("commitment (0-1) / share")
    handles = [
        Rectangle((0, 0), 1, 1, color="grey", alpha=0.13),
        Rectangle((0, 0), 1, 1, color="grey", alpha=0.4),
        Line2D([], [], color="grey", lw=1.8),
        Line2D([], [], color="#b2182b", lw=1.3, ls="--"),
    ]
    axes.flat[0].legend(
        handles,
        [
            "90% of runs still in",
            "50% of runs still in",
            "median of runs still in",
            "share of runs exited",
        ],
        loc="lower left",
        fontsize=7,
        frameon=False,
    )
    note = marks.pooled_note(res.manifest)
    fig.suptitle(
        f"{res.manifest.scenario_name}: commitment to the CSTO" + (f"\n({note})" if note else ""),
        fontsize=10 if note else 11,
    )
    return _save(fig, path, res.manifest)


@styled
def status_probability(res: Result, path: str | os.PathLike) -> Path:
    """Probability, by quarter, that each member is suspended and that it has exited."""
    labels, shares = agg.status_shares(res)
    fig, axes = subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, status, title in (
        (axes[0], "suspended", "P(suspended)"),
        (axes[1], "exited", "P(exited by then)"),
    ):
        for code in [c for c in ALLIES if c in shares]:
            ax.plot(
                np.arange(len(labels)),
                shares[code][status],
                color=COLOURS[code],
                lw=1.8,
                label=code,
            )
        ax.set_title(title)
        quarter_axis(ax, labels)
        marks.event_markers(ax, res.manifest, labels)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of runs")
    axes[1].legend(fontsize=8, frameon=False, loc="upper left", ncols=2)
    note = marks.pooled_note(res.manifest)
    fig.suptitle(
        f"{res.manifest.scenario_name}: suspension and exit by quarter"
        + (
            f"\n(shares over all {res.plan.n_points} design points x {res.plan.replicates} "
            "replicates)"
            if note
            else ""
        ),
        fontsize=10 if note else 11,
    )
    return _save(fig, path, res.manifest)


@styled
def cohesion_chart(res: Result, path: str | os.PathLike) -> Path:
    """The cohesion index over time: median, 50% and 90% bands across runs."""
    labels, q = agg.alliance_quantiles(res, "cohesion")
    fig, ax = subplots(figsize=(7, 3.9))
    _band(ax, q, "black", "median")
    quarter_axis(ax, labels)
    marks.event_markers(ax, res.manifest, labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("cohesion index (0-1)")
    ax.grid(alpha=0.3)
    ax.text(0.01, 0.02, COHESION, transform=ax.transAxes, fontsize=7, color="#444444")
    note = marks.pooled_note(res.manifest)
    ax.set_title(
        f"{res.manifest.scenario_name}: cohesion (bands: 50% and 90% of runs)"
        + (f"\n{note}" if note else ""),
        fontsize=9 if note else 10,
    )
    return _save(fig, path, res.manifest)


def outcome_label(outcome: str) -> str:
    """A reader's label for an outcome column name."""
    code, _, rest = outcome.partition("_")
    if code in NAMES and rest:
        what = {
            "exited": "P(exit)",
            "suspended": "P(suspended at end)",
            "commitment": "final commitment",
            "exit_step": "quarter of exit (steps)",
            "ever_suspended": "P(ever suspended)",
            "min_commitment": "lowest commitment",
            "credibility": "final credibility",
        }.get(rest, rest)
        return f"{code} {what}"
    return outcome.replace("_", " ")
