"""Figures (matplotlib): one colour per member everywhere, calendar quarters on the time axis,
the scenario and the provenance of its data in a small footer.  Data are aggregated before
drawing (quantiles per quarter, means per swept value), so a 100,000-run sweep plots in
seconds."""

from __future__ import annotations

import functools
import os
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
from alliance_sim.core import quarters
from alliance_sim.core.outcomes import ALLIES
from alliance_sim.report import marks, saving, style
from alliance_sim.report.figtext import (  # noqa: F401 (figures import them from here)
    _bottom,
    _bottom_grown,
    _visible_text,
    fit_text,
    footer,
    footer_text,
    legend_below,
    renderer,
    wrap_lines,
)
from alliance_sim.report.labels import plural
from alliance_sim.report.marks import COHESION
from alliance_sim.report.shares import above_zero, exited_share, joiner, joiner_note, zero_note

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
    "UZB": "#17becf",
}
SCENARIO_COLOURS = ["#222222", "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00"]


def check_compared(n: int, who: str) -> None:
    """One line if ``n`` results are more than a figure has colours for: a seventh scenario
    was drawn in the first one's colour, two curves of one colour under two names."""
    if n > len(SCENARIO_COLOURS):
        from alliance_sim.errors import UserError

        raise UserError(
            f"{who}: {n} results; allowed at most {len(SCENARIO_COLOURS)} in one comparison "
            "(one colour each in its figures): compare fewer at a time"
        )


NAMES = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))
QS = (0.05, 0.25, 0.5, 0.75, 0.95)
MIN_QUARTERS = 4  # recorded quarters below which a time-series figure would be straight lines


def subplots(*args, **kwargs) -> tuple[Figure, object]:
    """A new figure and its axes without pyplot, so importing this module never changes the
    user's backend (figures render in notebooks as usual); its size fitted to the current
    style (a paper figure is at most a page wide)."""
    panels = int(np.prod(args[:2])) if args else 1
    size = style.fit_size(kwargs.pop("figsize", None), panels, kwargs.pop("paper", None))
    fig = Figure(figsize=size, dpi=style.current().dpi)  # text measured as it will be saved
    return fig, fig.subplots(*args, **kwargs)


def styled(fn: Callable) -> Callable:
    """Draw in the current style (:mod:`alliance_sim.report.style`: screen or paper) without
    touching the user's global matplotlib settings."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(style.current().rc):
            return fn(*args, **kwargs)

    return wrapper


def grid(ax: Axes) -> None:
    """Light grid lines on screen; none on paper."""
    if style.current().grid:
        ax.grid(alpha=0.3)


def title_size(screen: float) -> float:
    """A title's font size: ``screen`` points on screen, two less on paper (smaller figures)."""
    return screen if style.current().name == "screen" else screen - 2


def check_time_series(res: Result, what: str = "a time-series figure") -> None:
    """Raise AnalysisError (one line) when ``res`` recorded too few quarters to draw ``what``
    (a ``--record end`` sweep has only its first and last: the lines would be straight)."""
    from alliance_sim.errors import AnalysisError

    n = len(agg.recorded_steps(res))
    if n < min(MIN_QUARTERS, quarters.steps_between(res.plan.start, res.plan.end) + 1):
        raise AnalysisError(
            f"{res.directory}: no {what}: only {plural(n, 'quarter')} recorded "
            f"(--record {res.plan.record}); run it with --record all (or every:N) for series"
        )


def bottom_margin(fig: Figure, base: float = 0.03) -> float:
    """The share of the figure's height below the axes (kept for callers that lay out by
    hand; ``_save`` measures the footer, key and legend it stacks there)."""
    return getattr(fig, "_alliance_bottom", base)


def _save(fig: Figure, path: str | os.PathLike, manifest: dict | None, layout: bool = True) -> Path:
    """Stack the footer, event key and figure legend at the bottom, lay the axes out above
    them (``layout``), place the event numbers so none overlaps another, and write the file
    (or a PNG into a file-like object) at the style's resolution."""
    _visible_text(fig)
    bottom = _bottom_grown(fig, manifest) if layout else _bottom(fig, manifest)
    fig._alliance_bottom = bottom
    if layout:
        fig.tight_layout(rect=(0, bottom, 1, 1))
    thin_ticks(fig, renderer(fig))
    marks.declutter(fig, renderer(fig))
    dpi = style.current().dpi
    if isinstance(path, str | os.PathLike):
        source = getattr(manifest, "fingerprint", None) or None  # which result it draws
        path = saving.save(fig, path, dpi=dpi, source=source)
    else:  # a file-like object (reports embed figures)
        dpi = min(dpi, 110) if style.current().name == "screen" else dpi  # paper: 300, as said
        fig.savefig(path, dpi=dpi, format="png", metadata=saving.png_mark())
    return path


def quarter_axis(ax: Axes, labels: list[str], offset: int = 0) -> None:
    """Ticks at first quarters of years, labelled like 2026Q1, at most five of them (x is
    ``offset`` + the index into ``labels``).  When the figure is saved, ticks that would run
    together on a narrow axis are thinned (:func:`thin_ticks`)."""
    firsts = [i for i, q in enumerate(labels) if q.endswith("Q1")] or [0]
    every = next(k for k in (1, 2, 3, 4, 5, 10, 20, 50) if len(firsts[::k]) <= 5)
    ticks = firsts[::every]
    ax.set_xticks([offset + i for i in ticks], [labels[i] for i in ticks])
    ax.set_xlim(offset, offset + max(len(labels) - 1, 1))
    ax._alliance_quarters = ([offset + i for i in firsts], [labels[i] for i in firsts])


def thin_ticks(fig: Figure, renderer) -> None:
    """On each calendar axis (:func:`quarter_axis`), the densest ticks (every first quarter,
    every second, ...; at most five) whose labels, measured as drawn, clear each other by
    a third of a label's width."""
    for ax in fig.axes:
        firsts = getattr(ax, "_alliance_quarters", None)
        shown = ax.get_xticklabels()
        if not firsts or not shown:
            continue
        where, names = firsts
        font = shown[0].get_fontproperties()
        wide = max(renderer.get_text_width_height_descent(n, font, False)[0] for n in names)
        for k in (1, 2, 3, 4, 5, 10, 20, 50):
            x = ax.transData.transform([(w, 0) for w in where[::k]])[:, 0]
            if len(x) <= 5 and (len(x) < 2 or np.diff(x).min() >= 1.33 * wide):
                break
        ax.set_xticks(where[::k], names[::k])


def _band(
    ax: Axes, q: np.ndarray, colour: str, label: str | None = None, bands: bool = True
) -> None:
    x = np.arange(q.shape[1])
    if bands:
        ax.fill_between(x, q[0], q[4], color=colour, alpha=0.13, lw=0)
        ax.fill_between(x, q[1], q[3], color=colour, alpha=0.28, lw=0)
    ax.plot(x, q[2], color=colour, lw=1.8, label=label)


#: the share of runs a member has left by the end from which its fan-chart panel says that
#: its bands describe the runs still in (a rising median may be the low ones leaving)
SURVIVORS = 0.2


@styled
def fan_chart(res: Result, path: str | os.PathLike, members: list[str] | None = None) -> Path:
    """Each member's commitment over time among the runs in which it is still in the alliance
    (median, 50% and 90% bands; the focus first), beside the share of runs in which it has
    exited (dashed); and cohesion.  Dotted verticals: the events (numbered; key below)."""
    check_time_series(res, "fan chart")
    labels, qm = agg.member_quantiles(res, "commitment", still_in=True)
    _, shares = agg.status_shares(res)
    _, qc = agg.alliance_quantiles(res, "cohesion")
    focus = [c for c in res.plan.focus if c in qm]  # first, as the printed table leads with
    present = focus + [c for c in ALLIES if c in qm and c not in focus]
    members = [m for m in (members or present) if m in present]
    n_runs = int(res.manifest.plan.n_runs - res.manifest.failed)
    n = len(members) + 1
    cols = 3 if style.current().name == "screen" else 2  # paper: panels wide enough to read
    rows = -(-n // cols)
    fig, axes = subplots(
        rows,
        cols,
        figsize=(11, 3.0 * rows + 0.9),
        paper=(7.0, 2.1 * rows + 1.6),
        sharey=True,
        squeeze=False,
    )
    x = np.arange(len(labels))
    drawn: list = []
    for ax, code in zip(axes.flat, [*members, "cohesion"], strict=False):
        if code == "cohesion":
            _band(ax, qc, "black")
            ax.set_title("Cohesion index")
            ax.text(
                0.02,
                0.02,
                COHESION.replace(", a", ",\na"),
                transform=ax.transAxes,
                fontsize=style.size(6.5),
                color="#444444",
                bbox=marks.NOTE_BOX,
                zorder=5,
            )
        else:
            q, note = marks.enough_in(qm[code], shares[code], n_runs)
            _band(ax, q, COLOURS[code])
            gone = exited_share(shares[code])
            ax.plot(x, gone, color="#b2182b", lw=1.3, ls="--")
            if not note and len(gone) and np.nan_to_num(gone[-1]) >= SURVIVORS:
                # a median of fewer and fewer runs rose as the least committed left, and read
                # as a recovery (helper-61)
                note = f"{gone[-1]:.0%} left by the end: the bands are of those still in"
            ax.set_title(f"{NAMES[code]} ({code})")
            if note:  # under the title, clear of the event numbers and of the data
                ax.annotate(
                    note,
                    (0.5, 1.0),
                    xycoords="axes fraction",
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=style.size(6.5),
                    color="#444444",
                )
                ax.set_title(f"{NAMES[code]} ({code})", pad=style.size(6.5) + 6)
        quarter_axis(ax, labels)
        drawn += marks.event_markers(ax, res.manifest, labels, None if code == "cohesion" else code)
        ax.set_ylim(0, 1)
        grid(ax)
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
    legend_below(
        fig,
        handles,
        [
            # "90% of runs still in" read as "90% of the runs are still in" (a new user)
            "band of the middle 90% of the runs still in",
            "band of the middle 50%",
            "median of the runs still in",
            "share of runs exited"
            + (
                " (of the runs it was a member in)"
                if any(joiner(shares[c]) for c in members)
                else ""
            ),
        ],
    )
    return _finish(fig, res, "commitment to the CSTO", "", drawn, path)


def _finish(fig: Figure, res: Result, what: str, after: str, drawn: list, path) -> Path:
    """A time-series figure's title (scenario, what, period; what a pooled sweep mixes),
    wrapped to the figure, the key to its events, the footer; saved."""
    note = marks.pooled_note(res.manifest)
    size = 10 if note else 11
    title = f"{res.manifest.scenario_name}: {what}, {res.plan.start} to {res.plan.end}{after}"
    title += f"\n{note}" if note else ""
    fig.suptitle(fit_text(fig, title, size), fontsize=title_size(size))
    marks.event_key(fig, drawn)
    return _save(fig, path, res.manifest)


def probability_limit(top: float) -> float:
    """A round upper limit for probabilities up to ``top`` with a tenth of headroom: 2%, 5%,
    10%, 20%, 30%, 40%, 60% or 100%."""
    nice = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6)
    return next((v for v in nice if top * 1.1 <= v), 1.0)


def probability_axis(ax: Axes, top: float) -> None:
    """A y-axis in % that fits probabilities up to ``top`` (a 5% -> 15% effect is not flattened
    on a 0-100% axis); 0-100% once they pass 60%."""
    limit = probability_limit(top)
    ax.set_ylim(-0.01 * limit, limit * 1.02)
    percent_ticks(ax.yaxis, limit)


def percent_ticks(axis, limit: float) -> None:
    """Round steps in % on an axis (or a colour bar's) running from 0 to ``limit``."""
    from matplotlib.ticker import MultipleLocator, PercentFormatter

    step = {0.02: 0.005, 0.05: 0.01, 0.1: 0.02, 0.2: 0.05, 0.3: 0.05, 0.4: 0.1, 0.6: 0.1}
    axis.set_major_locator(MultipleLocator(step.get(limit, 0.2)))
    axis.set_major_formatter(PercentFormatter(1.0, decimals=1 if limit <= 0.02 else 0))


def probability_curves(ax: Axes, labels: list[str], iv: dict[str, np.ndarray]) -> float:
    """One line per member with its 95% band (shape (3, quarters): share, low, high); returns
    the highest upper bound drawn.  Bands are drawn where a share is above 0%: at 0% every
    member's band would be the same sliver from 0 to the upper bound, stacked into one opaque
    block; a note in the panel (``ax._alliance_never``) names the members at 0% throughout and
    gives that upper bound."""
    x = np.arange(len(labels))
    top, never = 0.0, []
    for code in [c for c in ALLIES if c in iv]:
        p, lo, hi = iv[code]
        if np.nanmax(p) == 0:
            never.append(code)
        else:
            where = above_zero(p)
            ax.fill_between(x, lo, hi, where=where, color=COLOURS[code], alpha=0.15, lw=0)
            top = max(top, float(np.nanmax(hi[where])))
        ax.plot(x, p, color=COLOURS[code], lw=1.8, label=code)
    # a joiner at 0% is at 0% of the few runs it joined in: said apart, with its own bound
    # ("0% in every run: BLR, KAZ, IRN; ... upper bound is 2%; IRN's up to 79%" read as Iran
    # at 0% and at 79% at once: helper-67)
    joiners = [c for c in never if len(iv[c][0]) and np.isnan(iv[c][0][0])]  # none in at start
    never = [c for c in never if c not in joiners]
    note = [f"0% in every run: {', '.join(never)}"] if never else []
    note += [n for c in joiners if (n := joiner_note(c, iv[c]))]
    bound = zero_note({c: v for c, v in iv.items() if c not in joiners})
    if bound:
        note.append(f"where a line is at 0% (no band drawn), its 95% upper bound is {bound}")
    ax._alliance_never = "; ".join(note)
    return top


@styled
def status_probability(res: Result, path: str | os.PathLike, at: str | None = None) -> Path:
    """Probability, by quarter, that each member is suspended and that it has exited, each
    with its 95% band (seeds counted once; the y-axis fits the data); ``at``: a comparison's."""
    check_time_series(res, "suspension and exit by quarter")
    fig, axes = subplots(1, 2, figsize=(10, 4.2), paper=(7.0, 3.6))
    drawn: list = []
    for ax, status, title in (
        (axes[0], "suspended", "P(suspended at that quarter)"),
        (axes[1], "exited", "P(has left by that quarter)"),
    ):
        labels, iv = agg.status_intervals(res, status)
        top = probability_curves(ax, labels, iv)
        probability_axis(ax, top)  # each panel fitted to its own data
        never = ax._alliance_never
        size = title_size(9)
        text = title + (f"\n{never}" if never else "")
        ax.set_title(fit_text(fig, text, size, 0.44), fontsize=size)
        quarter_axis(ax, labels)
        grid(ax)
        drawn = marks.event_markers(ax, res.manifest, labels, compared=at)
    axes[0].set_ylabel("share of runs")
    handles, names = axes[1].get_legend_handles_labels()
    legend_below(fig, handles, names, ncols=7)
    return _finish(
        fig, res, "suspension and exit by quarter", " (bands: 95% intervals)", drawn, path
    )


@styled
def cohesion_chart(res: Result, path: str | os.PathLike) -> Path:
    """The cohesion index over time: median, 50% and 90% bands across runs."""
    check_time_series(res, "cohesion chart")
    labels, q = agg.alliance_quantiles(res, "cohesion")
    fig, ax = subplots(figsize=(7, 3.9))
    _band(ax, q, "black", "median")
    quarter_axis(ax, labels)
    drawn = marks.event_markers(ax, res.manifest, labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("cohesion index (0-1)")
    grid(ax)
    ax.text(
        0.01, 0.02, COHESION, transform=ax.transAxes, fontsize=7, color="#444444",
        bbox=marks.NOTE_BOX, zorder=5,
    )  # fmt: skip
    note = marks.pooled_note(res.manifest)
    ax.set_title(
        fit_text(
            fig,
            f"{res.manifest.scenario_name}: cohesion (bands: 50% and 90% of runs)"
            + (f"\n{note}" if note else ""),
            9 if note else 10,
            0.85,  # centred over the axes, which the y label pushes right
        ),
        fontsize=title_size(9 if note else 10),
    )
    marks.event_key(fig, drawn)
    return _save(fig, path, res.manifest)


def outcome_label(outcome: str, when: str | None = None) -> str:
    """A reader's label for an outcome column (``when``: the quarter it refers to)."""
    from alliance_sim.report.labels import outcome_label as label

    return label(outcome, when)
