"""Two or more scenarios on one figure, sized to fit a report page (10 in wide: 1,100 px at
the report's 110 dpi), one colour per scenario, one legend for the whole figure."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from alliance_sim.analysis import aggregate as agg
from alliance_sim.analysis.cases import as_codes
from alliance_sim.core import quarters
from alliance_sim.core.members import ALLIES
from alliance_sim.report import marks, style
from alliance_sim.report.plots import (
    NAMES,
    SCENARIO_COLOURS,
    _save,
    check_compared,
    fit_text,
    grid,
    legend_below,
    quarter_axis,
    styled,
    subplots,
    title_size,
)
from alliance_sim.report.shares import above_zero, zero_bound

if TYPE_CHECKING:
    from alliance_sim.runs.results import Result

WIDTH = 10.0  # inches: the report's 1,100 px column at 110 dpi


def _grid(n: int) -> tuple[Figure, np.ndarray]:
    cols = 1 if n == 1 else 2
    rows = -(-n // cols)
    fig, axes = subplots(
        rows, cols, figsize=(WIDTH, 2.9 * rows + 1.2), paper=(7.0, 2.3 * rows + 1.3), squeeze=False
    )
    for ax in axes.flat[n:]:
        ax.axis("off")
    return fig, axes


def _calendar(
    axes: list[Axes],
    first: int,
    last: int,
    results: list[Result],
    names: list[str] | None,
    at: str | None = None,
    unit: bool = True,
) -> list:
    """Calendar ticks, every compared scenario's events (numbered; one only some scenarios
    have says which: :func:`.marks.compared_events`) and, with ``at``, a dashed line at the
    quarter a comparison reads; returns the events drawn (for the key)."""
    span = [quarters.label(o) for o in range(first, last + 1)]
    drawn: list = []
    found = marks.compared_events(
        [r.manifest for r in results], names or [r.manifest.scenario_name for r in results]
    )
    for ax in axes:
        quarter_axis(ax, span, offset=first)  # x: the quarter's ordinal
        if unit:
            ax.set_ylim(0, 1)
        grid(ax)
        drawn = marks.event_markers(ax, None, span, ordinal=True, found=found)
        if at is not None and first <= quarters.parse(at) <= last:
            ax.axvline(quarters.parse(at), color=marks.COMPARED, lw=1.0, ls="--", zorder=1)
            x0 = quarters.parse(at)
            # beside the line where the data leave room: the top (below the event numbers)
            # unless curves or bands reach it there, then the bottom; right of the line (past
            # the shorter scenario's end), left of a line at the panel's right edge
            lo, hi = _data_near(ax, x0)
            top = hi < 0.65 or lo <= 0.35
            right = x0 - first <= 0.85 * max(last - first, 1)
            ax.annotate(
                f"compared at {at}",
                (x0, 1.0 if top else 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(3 if right else -3, -12 if top else 3),
                textcoords="offset points",
                rotation=90,
                ha="left" if right else "right",
                va="top" if top else "bottom",
                fontsize=style.size(6.5),
                color=marks.COMPARED,  # no box: it hid the band it crossed (helper-121), as
                zorder=6,  # marks.compared_line's had hidden curves
            )
    return drawn


def _data_near(ax: Axes, x0: float, reach: float = 2.0) -> tuple[float, float]:
    """The lowest and highest point of the curves and bands drawn in ``ax`` within ``reach``
    quarters of ``x0``, as fractions of the axis height ((1, 0) where nothing is drawn)."""
    ys = []
    for line in ax.get_lines():
        xy = np.asarray(line.get_xydata(), float)
        if len(xy) > 2:  # a curve, not a vertical marker line
            ys.append(xy[np.abs(xy[:, 0] - x0) <= reach, 1])
    for coll in ax.collections:
        for path in coll.get_paths():
            v = path.vertices
            ys.append(v[np.abs(v[:, 0] - x0) <= reach, 1])
    y = np.concatenate(ys) if ys else np.empty(0)
    y = y[np.isfinite(y)]
    if not len(y):
        return 1.0, 0.0
    bottom, top = ax.get_ylim()
    f = (y - bottom) / ((top - bottom) or 1.0)
    return float(f.min()), float(f.max())


def _legend_and_footer(fig: Figure, axes: list[Axes], results: list[Result]) -> None:
    """One legend for the figure and the scenarios' provenance, below the axes (placed by
    ``plots._save`` with the event key)."""
    handles, labels = axes[0].get_legend_handles_labels()
    legend_below(fig, handles, labels)
    fig._alliance_footer = " | ".join(
        f"{r.manifest.scenario_name}: {r.manifest.scenario_hash}, {r.manifest.plan.n_runs:,} runs"
        for r in results
    )


def _pooled(res: Result) -> str:
    """ ", pooled over 6 swept points" for a sweep (a legend read "Kazakhstan squeezed (600
    runs)" of runs pooled over pressure sizes 0 to 1, a figure pasted alone: helper-61)."""
    n = int(res.manifest.plan.n_points)
    return f", pooled over {n:,} swept points" if n > 1 else ""


def _panel_title(fig: Figure, ax: Axes, title: str, share: float) -> None:
    """A panel's title on the left, wrapped to ``share`` of the figure's width."""
    ax.set_title(fit_text(fig, title, title_size(10), share), loc="left", fontsize=title_size(10))


def _ordinals(labels: list[str]) -> np.ndarray:
    return np.array([quarters.parse(q) for q in labels])


def _results(given, who: str) -> list[Result]:
    """``given`` (a list of results or folders, or one) as Results of their own design
    (refine's runs are no sample of the swept space); ValueError if there is none."""
    from alliance_sim.runs.refined import own_design
    from alliance_sim.runs.results import as_result

    given = _as_list(given, who)
    check_compared(len(given), who)
    results = [own_design(as_result(r, who), f"{who}()") for r in given]
    if not results:
        raise ValueError(f"{who}: no result given; pass a list of one or more results")
    return results


def _as_list(x, who: str = "overlay") -> list:
    """``overlay``'s results as a list: a list or tuple as it is, one result (a Result or a
    path) as a list of one (not the letters of a path); anything else a TypeError."""
    if isinstance(x, list | tuple):
        return list(x)
    if isinstance(x, str | os.PathLike) or hasattr(x, "manifest"):
        return [x]
    raise TypeError(f"{who}: expected a list of results or folders, got {type(x).__name__}")


@styled
def overlay(
    results: list[Result | str | os.PathLike],
    path: str | os.PathLike,
    members: list[str] | None = None,
    at: str | None = None,
    names: list[str] | None = None,
) -> Path:
    """Median and 50% band of cohesion and of the chosen members' commitment, one colour per
    scenario, on a shared calendar axis (events: the reference scenario's)."""

    results = _results(results, "overlay")
    members = as_codes(members, "members", ALLIES)  # Russia's commitment is not modelled
    _check_args(results, members, at, names, path)
    _refuse_absent("overlay", members, results)
    fig, grid = _grid(1 + len(members))
    axes = list(grid.flat[: 1 + len(members)])
    first = last = None
    sparse: set[str] = set()  # members some scenario has in too few runs at some quarter
    for k, res in enumerate(results):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        name = names[k] if names else res.manifest.scenario_name
        name += f" ({_pooled(res)[2:]})" if _pooled(res) else ""
        labels, q = agg.alliance_quantiles(res, "cohesion")
        x = _ordinals(labels)
        first = x[0] if first is None else min(first, x[0])
        last = x[-1] if last is None else max(last, x[-1])
        _band_at(axes[0], x, q, colour, name)
        if members:
            mlabels, qm = agg.member_quantiles(res, "commitment")
            _, shares = agg.status_shares(res)
            n_runs = int(res.manifest.plan.n_runs - res.manifest.failed)
            xm = _ordinals(mlabels)
            for ax, code in zip(axes[1:], members, strict=True):
                if code in qm:  # as in commitment.png: a joiner in 2 runs drew a median
                    qc, note = marks.enough_in(qm[code], shares[code], n_runs, exited_count=True)
                    sparse |= {code} if note else set()
                    _band_at(ax, xm, qc, colour, name)

    drawn = _calendar(axes, first, last, results, names, at)
    share = 0.96 if len(axes) == 1 else 0.44  # of the figure's width: one panel's
    axes[0].set_title("Cohesion index", loc="left", fontsize=title_size(10))
    axes[0].text(
        0.01,
        0.02,
        fit_text(fig, marks.COHESION, style.size(6.5), share * 0.75),  # clear of "compared at"
        transform=axes[0].transAxes,
        fontsize=style.size(6.5),
        color="#444444",
        bbox=marks.NOTE_BOX,
        zorder=5,
    )
    for ax, code in zip(axes[1:], members, strict=True):
        few = f"\ndrawn where it has joined in at least {marks.MIN_IN} of a scenario's runs"
        title = f"{NAMES[code]} ({code}): commitment (exited = 0)"
        _panel_title(fig, ax, title + (few if code in sparse else ""), share)
    for ax in grid[:, 0]:
        ax.set_ylabel("median, 50% band of runs")
    fig.suptitle("Scenarios compared: cohesion and commitment", fontsize=title_size(11))
    marks.event_key(fig, drawn)
    _legend_and_footer(fig, axes, results)
    return _save(fig, path, None)


@styled
def exit_overlay(
    results: list[Result],
    path: str | os.PathLike,
    members: list[str] | None = None,
    at: str | None = None,
    names: list[str] | None = None,
) -> Path:
    """P(exit) by quarter: the share of runs in which each member has left with its 95% band
    (runs sharing a seed counted once), one colour per scenario, one panel per member
    (default: every ally that exits in some scenario); the y-axis fits the data; ``at``: the
    quarter a comparison reads, dashed."""
    from alliance_sim.report.plots import probability_axis

    results = _results(results, "exit_overlay")
    members = as_codes(members, "members", ALLIES)
    _check_args(results, members, at, names, path)
    ivs = [agg.status_intervals(r, "exited") for r in results]
    if members:  # one asked for was dropped without a word, ARM drawn instead (helper-95)
        _refuse_absent("exit_overlay", members, results)
    else:
        members = sorted({c for _, iv in ivs for c in iv if np.nanmax(iv[c][0]) > 0})
    members = [m for m in members if any(m in iv for _, iv in ivs)] or ["ARM"]
    fig, grid_ = _grid(len(members))
    axes = list(grid_.flat[: len(members)])
    first = last = None
    top = {code: 0.0 for code in members}
    at_zero: dict[str, list[float]] = {code: [0.0] * len(results) for code in members}
    for k, (res, (labels, iv)) in enumerate(zip(results, ivs, strict=True)):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        x = _ordinals(labels)
        first = x[0] if first is None else min(first, x[0])
        last = x[-1] if last is None else max(last, x[-1])
        n = res.manifest.plan.n_runs - res.manifest.failed
        for ax, code in zip(axes, members, strict=True):
            if code in iv:
                p, lo, hi = iv[code]
                if np.nanmax(p) > 0:  # no band at 0%: it would only stack the same sliver
                    where = above_zero(p)
                    ax.fill_between(x, lo, hi, where=where, color=colour, alpha=0.15, lw=0)
                    top[code] = max(top[code], float(np.nanmax(hi[where])))
                name = names[k] if names else res.name
                at_zero[code][k] = zero_bound({code: iv[code]})  # each scenario's own bound
                label = f"{name} ({n:,} runs{_pooled(res)})"
                ax.plot(x, p, color=colour, lw=1.8, label=label)
    drawn = _calendar(axes, first, last, results, names, at, unit=False)
    for ax, code in zip(axes, members, strict=True):
        probability_axis(ax, top[code])
        title = f"{NAMES.get(code, code)} ({code}): P(has left by that quarter)"
        if any(at_zero[code]):  # one number if the scenarios agree, else in the key's order
            shown = [f"{b:.0%}" if b > 0 else "–" for b in at_zero[code]]
            said = shown[0] if len(set(shown)) == 1 else " | ".join(shown) + " (key's order)"
            # "at 0%, no band drawn" read as if a line that rises later had no band (a trial)
            title += f"\nwhere a line is at 0%, no band; its 95% upper bound there {said}"
        _panel_title(fig, ax, title, 0.96 if len(members) == 1 else 0.44)
    for ax in grid_[:, 0]:
        ax.set_ylabel("share of runs (band: 95% interval)")
    fig.suptitle("P(exit) by quarter across scenarios", fontsize=title_size(11))
    marks.event_key(fig, drawn)
    _legend_and_footer(fig, axes, results)
    return _save(fig, path, None)


def members_in(results: list[Result], among: list[str] | tuple[str, ...] = ALLIES) -> list[str]:
    """Those of ``among`` (default: the allies) that are members in some run of some result
    (joined at some quarter), in ``among``'s order."""
    return [
        c
        for c in among
        if any(f"{c}_commitment" in r.runs and r.runs[f"{c}_commitment"].notna().any()
               for r in results)
    ]  # fmt: skip


def _refuse_absent(who: str, members: list[str], results: list[Result]) -> None:
    """One line for members asked for that are in none of the results' runs (Uzbekistan,
    outside since 2012 in a forecast, drew an empty panel without a word: helper-95)."""
    there = members_in(results)
    missing = [c for c in members if c not in there]
    if missing:
        from alliance_sim.errors import AnalysisError

        raise AnalysisError(
            f"{who}(members=...): {', '.join(missing)} is a member in none of these results' "
            f"runs; allowed: {', '.join(there) or 'none'}"
        )


def _check_args(results: list, members: list[str], at: str | None, names, path) -> None:
    """One line (ValueError) for a quarter or list of names that does not fit ``results``,
    or a ``path`` alliance-sim may not write (a result's own files, a file it did not
    write), before anything is drawn."""
    from alliance_sim.paths import check_not_results
    from alliance_sim.report.saving import figure_path

    if isinstance(path, str | os.PathLike):
        figure_path(check_not_results(path, "path"), "path")
    if isinstance(names, str) or (names is not None and len(names) != len(results)):
        n = 1 if isinstance(names, str) else len(names)
        raise ValueError(
            f"names: {n} given for {len(results)} results; allowed a list, one name per result"
        )
    if at is not None:
        first = min(quarters.parse(r.plan.start) for r in results)
        last = max(quarters.parse(r.plan.end) for r in results)
        if not first <= quarters.parse(at) <= last:
            raise ValueError(
                f"at {at!r}: outside the results' quarters; allowed {quarters.label(first)} "
                f"to {quarters.label(last)}"
            )


def _band_at(ax: Axes, x: np.ndarray, q: np.ndarray, colour: str, label: str) -> None:
    ax.fill_between(x, q[1], q[3], color=colour, alpha=0.25, lw=0)
    ax.plot(x, q[2], color=colour, lw=1.8, label=label)
