"""Figures of a sweep's design: an outcome against one swept parameter (response curves), over
two (heatmaps), and sensitivity indices (Sobol bars, Morris mu* against sigma)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_sim.report import marks, style
from alliance_sim.report.labels import parameter_label
from alliance_sim.report.plots import (
    COLOURS,
    _save,
    fit_text,
    grid,
    outcome_label,
    percent_ticks,
    probability_axis,
    probability_limit,
    styled,
    subplots,
    title_size,
)


def _groups(runs: pd.DataFrame, param: str, bins: int = 8) -> pd.Series:
    """Group runs by a swept value: its own values if few, else equal-count bins."""
    v = runs[param]
    if v.nunique() <= 12:
        return v
    return pd.qcut(v.astype(float), bins, duplicates="drop").map(lambda iv: iv.mid)


@styled
def response(
    runs: pd.DataFrame, manifest: dict, param: str, outcome: str, path: str | os.PathLike
) -> Path:
    """Mean outcome against one swept parameter, averaged over the other swept parameters and
    the replicates, with 95% intervals that count runs sharing a seed once (Wilson on the
    effective runs for a 0/1 outcome, a seed-clustered t interval otherwise); the effective
    number of independent runs is written at each point."""
    from alliance_sim.analysis.design import FEW, clustered_mean, clusters, outcome_bounds
    from alliance_sim.analysis.stats import is_binary

    ok = runs[runs["error"].isna()]
    g = _groups(ok, param)
    cl = clusters(ok)
    binary = is_binary(ok[outcome].to_numpy(float))
    rows = [
        (
            k,
            clustered_mean(
                ok.loc[(g == k).to_numpy(), outcome].to_numpy(float),
                cl[(g == k).to_numpy()],
                binary,
                outcome_bounds(outcome),
            ),
        )
        for k in sorted(g.unique())
    ]
    labels = isinstance(rows[0][0], str)
    x = _positions([r[0] for r in rows]) if labels else np.array([r[0] for r in rows], float)
    est = np.array([[e.value, e.lo, e.hi] for _, e in rows])
    fig, ax = subplots(figsize=(6.8, 4.2))
    member = outcome.split("_")[0]
    colour = COLOURS.get(member, "black")
    ax.fill_between(x, est[:, 1], est[:, 2], color=colour, alpha=0.2, lw=0, label="95% CI")
    ax.plot(x, est[:, 0], "o-", color=colour, lw=1.8, ms=4, label="mean")
    few = any(e.n < FEW for _, e in rows)
    for xi, (_, e) in zip(x, rows, strict=True):
        ax.annotate(
            f"n={e.n}" + ("!" if e.n < FEW else ""),
            (xi, e.hi),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=style.size(6),
            color="#555555",
        )
    if labels:
        ax.set_xticks(x)
        ax.set_xticklabels([r[0] for r in rows])
    if binary:
        probability_axis(ax, float(np.nanmax(est[:, 2])))
    elif outcome.endswith(("_commitment", "_credibility")) or "cohesion" in outcome:
        ax.set_ylim(0, 1.05)
    when = manifest.plan.end
    ax.set_xlabel(parameter_label(param, manifest.scenario))
    ax.set_ylabel(outcome_label(outcome, when))
    grid(ax)
    ax.legend(frameon=False, fontsize=style.size(8), loc="best")
    ax.set_title(
        fit_text(
            fig,
            f"{manifest.scenario_name}: {outcome_label(outcome, when)}\n"
            f"{marks.averaged_over(manifest, [param])}; n = effective independent runs"
            + (f" (! fewer than {FEW})" if few else ""),
            8.5,
            0.85,  # centred over the axes, which the y label pushes right
        ),
        fontsize=8.5,
    )
    return _save(fig, path, manifest)


def _positions(values: list[str]) -> np.ndarray:
    """x positions of labelled values: quarters on a calendar scale (2028Q1 and 2030Q1 two
    years apart, not neighbours), anything else evenly."""
    from alliance_sim.core import quarters

    try:
        return np.array([quarters.parse(v) for v in values], float)
    except ValueError:
        return np.arange(len(values), dtype=float)


UNIT_RANGE = ("_exited", "_suspended", "_commitment", "_credibility", "ever_suspended")
EMPTY = "#d9d9d9"  # a heatmap cell without runs


@styled
def heatmap(
    runs: pd.DataFrame, manifest: dict, p1: str, p2: str, outcome: str, path: str | os.PathLike
) -> Path:
    """Mean outcome over two swept parameters.  Commitment and cohesion use a fixed 0-1 colour
    scale (a small spread does not fill the palette); probabilities one from 0% to a round
    value above the highest cell (5% and 15% are not both dark on a 0-100% scale); any other
    outcome's range is the data's.  The colour bar says which; the title names what each
    cell averages over."""
    from alliance_sim.analysis.stats import is_binary, percent

    ok = runs[runs["error"].isna()].assign(_a=lambda d: _groups(d, p1), _b=lambda d: _groups(d, p2))
    table = ok.groupby(["_b", "_a"])[outcome].mean().unstack()
    values = table.to_numpy(float)
    probability = is_binary(ok[outcome].to_numpy(float))
    unit = outcome.endswith(UNIT_RANGE) or outcome.startswith("cohesion")
    if probability:
        vmin, vmax = 0.0, probability_limit(float(np.nanmax(values)) if values.size else 0.0)
        scale = "scale 0-100%" if vmax == 1 else f"scale 0-{vmax:.0%}, fitted to the data"
    elif unit:
        vmin, vmax, scale = 0.0, 1.0, "fixed scale 0-1"
    else:
        vmin, vmax = float(np.nanmin(values)), float(np.nanmax(values))
        scale = f"scale: data range {vmin:.3g}-{vmax:.3g}"
    import matplotlib

    fig, ax = subplots(figsize=(6.8, 5.2), paper=(6.5, 5.0))
    # a cell no design point fell in: grey (white, unexplained beside 0%: helper-75)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad=EMPTY)
    im = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    empty = int(np.isnan(values).sum())
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([_fmt(v) for v in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels([_fmt(v) for v in table.index])
    ax.set_xlabel(parameter_label(p1, manifest.scenario))
    ax.set_ylabel(fit_text(fig, parameter_label(p2, manifest.scenario), 9, 0.6))
    mid = (vmin + vmax) / 2
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v) and table.size <= 100:
            ax.text(
                j,
                i,
                percent(v) if probability else f"{v:.2f}",  # 92.5% not 92%; 0.4% not 0%
                ha="center",
                va="center",
                fontsize=style.size(7),
                color="white" if v < mid else "black",
            )
    when = manifest.plan.end
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(fit_text(fig, f"{outcome_label(outcome, when)} ({scale})", 9, 0.6))
    if probability:
        percent_ticks(cb.ax.yaxis, vmax)
    ax.set_title(
        fit_text(
            fig,
            f"{manifest.scenario_name}: {outcome_label(outcome, when)}\n"
            f"each cell: {marks.averaged_over(manifest, [p1, p2])}"
            + (
                f"; grey: no design point fell in that cell ({empty} of {values.size})"
                if empty
                else ""
            ),
            8.5,
            0.8,
        ),
        fontsize=8.5,
    )
    return _save(fig, path, manifest)


def _fmt(v: object) -> str:
    return f"{v:.3g}" if isinstance(v, float | np.floating) else str(v)


@styled
def check_sensitivity_out(out: Path, outcomes: list[str]) -> None:
    """Refuse (one line, naming ``--out``) before any analysis if ``out`` holds a
    ``sensitivity_<outcome>.csv`` or ``.png`` that alliance-sim did not write."""
    from alliance_sim.paths import ours_or_new
    from alliance_sim.report.saving import figure_path

    for o in outcomes:
        ours_or_new(out / f"sensitivity_{o}.csv", b"parameter,", "sensitivity table")
        figure_path(out / f"sensitivity_{o}.png")


def sensitivity_chart(table: pd.DataFrame, manifest: dict | None, path: str | os.PathLike) -> Path:
    """Sobol S1 and ST with 95% intervals, or Morris mu* against sigma."""
    method, outcome = table.attrs.get("method", "Sobol"), table.attrs.get("outcome", "")
    fig, ax = subplots(figsize=(7, 0.6 * len(table) + 2.2))
    if method == "Sobol":
        y = np.arange(len(table))
        for shift, key, colour, label in (
            (0.2, "S1", "#377eb8", "first order S1"),
            (-0.2, "ST", "#e41a1c", "total ST"),
        ):
            ax.barh(
                y + shift,
                table[key],
                0.4,
                xerr=table[f"{key}_conf"],
                color=colour,
                label=label,
                capsize=2,
            )
        ax.set_yticks(y)
        scenario = manifest.scenario if manifest is not None else None
        ax.set_yticklabels([textwrap.fill(parameter_label(n, scenario), 28) for n in table.index])
        ax.set_xlabel("Sobol index (share of variance; bars: 95% CI)")
        ax.axvline(0, color="black", lw=0.6)
        ax.legend(frameon=False, fontsize=8)
    else:
        mu, conf = table["mu_star"].to_numpy(float), table["mu_star_conf"].to_numpy(float)
        ax.errorbar(
            mu,
            table["sigma"],
            xerr=[np.minimum(conf, mu), conf],  # mu* is a mean of |effects|: cut at 0
            fmt="o",
            color="#377eb8",
            capsize=2,
        )
        scenario = manifest.scenario if manifest is not None else None
        middle = (table["mu_star"].min() + table["mu_star"].max()) / 2
        for names, (x, y) in _near(table):  # points that (nearly) coincide: one label
            right = x > middle  # label on the inner side: it stays in the frame
            ax.annotate(
                "\n".join(textwrap.fill(parameter_label(n, scenario), 34) for n in names),
                (x, y),
                fontsize=style.size(7.5),
                xytext=(-4 if right else 4, 3),
                textcoords="offset points",
                ha="right" if right else "left",
            )
        ax.set_xlabel("mu* (mean |elementary effect|, per swept range; bars: 95% CI, cut at 0)")
        ax.set_xlim(left=0)
        ax.set_ylabel("sigma (interaction / non-linearity)")
    grid(ax)
    _unreliable(fig, ax, table)
    when = manifest.plan.end if manifest is not None else None
    name = f"{manifest.scenario_name}: " if manifest is not None else ""
    title = f"{name}{method} sensitivity of {outcome_label(outcome, when)}"
    # over the figure, at the size it was fitted at (centred on the axes, at the default
    # size, it ran past the right edge: "Sobol sensitivity of KGZ P(exit by 20")
    fig.suptitle(fit_text(fig, title, title_size(10)), fontsize=title_size(10))
    return _save(fig, path, manifest)


def _near(table: pd.DataFrame, dx: float = 0.05, dy: float = 0.06) -> list[tuple[list, tuple]]:
    """The Morris points grouped where they nearly coincide (within ``dx`` of the mu* range
    and ``dy`` of the sigma range), each group with its first point, in the table's order:
    two parameters at one point had their labels printed over each other."""
    x, y = table["mu_star"].to_numpy(float), table["sigma"].to_numpy(float)
    sx, sy = max(np.ptp(x), 1e-12), max(np.ptp(y), 1e-12)
    groups: list[tuple[list, tuple]] = []
    for name, xi, yi in zip(table.index, x, y, strict=True):
        for names, (gx, gy) in groups:
            if abs(xi - gx) <= dx * sx and abs(yi - gy) <= dy * sy:
                names.append(name)
                break
        else:
            groups.append(([name], (xi, yi)))
    return groups


def _unreliable(fig, ax, table: pd.DataFrame) -> None:
    """The terminal's warnings on the figure, which is what reaches a paper: an ST above 1
    and intervals wider than their index were drawn without a mark."""
    from alliance_sim.analysis.reliability import warnings

    # an impossible index first (ST > 1, S1 > ST): a box of two interval widths and "3 more"
    # left an ST of 1.14 unmarked (red-team); above the axes, off the bars
    lines = sorted(warnings(table), key=lambda w: not ("impossible" in w or "exceed" in w))
    if not lines:
        return
    # "(printed by sensitivity)" also on the figures of `plot`, which prints none of them
    more = (
        f"; {len(lines) - 2} more (alliance-sim sensitivity prints them)" if len(lines) > 2 else ""
    )
    text = "Not reliable at this design's size (more --samples): " + "; ".join(lines[:2]) + more
    size = style.size(7)
    ax.set_title(fit_text(fig, text, size, 0.55), fontsize=size, color="#cb181d")
