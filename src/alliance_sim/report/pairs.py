"""A pairs plot of a sweep: every pair of swept parameters (once: a corner plot) as a scatter
of the design's points, coloured by an outcome's mean over each point's replicates
(``alliance-sim plot --kind pairs``).  The diagonal shows the outcome's point means against
each parameter alone.
Replicate ``k`` uses the same seed at every point, so colours differ by the parameters, not by
luck of the draw (the footer gives the replicate count)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from alliance_sim.core import quarters
from alliance_sim.report.plots import (
    _save,
    fit_text,
    outcome_label,
    plural,
    styled,
    subplots,
)

MAX_PARAMETERS = 6


def _numeric(col: pd.Series) -> tuple[np.ndarray, bool]:
    """Values as numbers; event quarters as ordinals (flag True)."""
    if not pd.api.types.is_numeric_dtype(col):  # quarter labels (object or string dtype)
        return col.map(lambda q: float(quarters.parse(q))).to_numpy(), True
    return pd.to_numeric(col, errors="coerce").to_numpy(float), False


def _label(name: str, manifest) -> str:
    """A swept parameter's label with its unit, wrapped to fit under one panel."""
    from alliance_sim.report.labels import parameter_label

    return _fill(parameter_label(name, manifest.scenario), 24)


def _fill(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` characters, a unit in parentheses kept on one line."""
    import re
    import textwrap

    kept = re.sub(r"\(([^()]*)\)", lambda m: m.group(0).replace(" ", "\u00a0"), text)
    return textwrap.fill(kept, width)


def _quarter_ticks(ax, axis: str, values: np.ndarray) -> None:
    ticks = np.unique(np.round(np.linspace(values.min(), values.max(), 3)))
    labels = [quarters.label(int(t)) for t in ticks]
    if axis == "x":
        ax.set_xticks(ticks)
        ax.set_xticklabels(labels)
    else:
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels)


@styled
def pairs_plot(
    runs: pd.DataFrame, manifest, swept: list[str], outcome: str, path: str | os.PathLike
) -> Path:
    """Scatter matrix of the first six swept parameters, points coloured by the mean of
    ``outcome`` over their replicates."""
    names = swept[:MAX_PARAMETERS]
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    means = ok.groupby("point")[outcome].mean()
    pts = ok.groupby("point")[names].first().loc[means.index]
    k = len(names)
    size = 1.55 * k + 1.6
    fig, axes = subplots(k, k, figsize=(size + 1.0, size), squeeze=False)
    cols = {n: _numeric(pts[n]) for n in names}
    c = means.to_numpy(float)
    finite = c[np.isfinite(c)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0, 1)
    from alliance_sim.analysis.stats import is_binary

    # a share in % as on every other figure (its colour bar read 0-0.2: a new user's trial)
    probability = is_binary(ok[outcome].to_numpy(float))
    if probability:  # 0 to a round value above the highest point, as the heatmap (90%-92.5%
        from alliance_sim.report.plots import probability_limit  # filled the palette: one

        vmin, vmax = 0.0, probability_limit(float(vmax))  # run in 40 read purple vs yellow)
        scale = "scale 0 to 100%" if vmax == 1 else f"scale 0 to {vmax:.0%}, fitted to the data"
    else:  # ("0-60%" wrapped to "-60%" in the colour bar's label)
        scale = f"scale: data range {vmin:.3g} to {vmax:.3g}"
    digits = 0 if vmax - vmin >= 0.05 else 1  # (a formatter per axis: matplotlib binds it)
    dot = max(4, min(30, 3000 / max(len(pts), 1)))
    sc = None
    for i, yname in enumerate(names):
        for j, xname in enumerate(names):
            ax = axes[i][j]
            x, xq = cols[xname]
            if j > i:  # a corner plot: each pair once
                ax.set_visible(False)
                continue
            if i == j:
                ax.scatter(x, c, s=dot, color="#377eb8", alpha=0.6, lw=0)
                ax.set_facecolor("#f4f4f4")
                ax.yaxis.tick_right()
                if probability:  # the colour bar's range (autoscaled, it read 96%-104%)
                    pad = 0.04 * (vmax - vmin)
                    ax.set_ylim(vmin - pad, vmax + pad)
                    ax.yaxis.set_major_formatter(PercentFormatter(1.0, digits))
                ax.spines["right"].set_visible(True)
                ax.spines["left"].set_visible(False)
            else:
                y, yq = cols[yname]
                sc = ax.scatter(x, y, c=c, s=dot, cmap="viridis", vmin=vmin, vmax=vmax, lw=0)
                if yq:
                    _quarter_ticks(ax, "y", y)
                if j == 0:
                    ax.set_ylabel(_label(yname, manifest), fontsize=6.5)
            if xq:
                _quarter_ticks(ax, "x", x)
            if i == k - 1:
                ax.set_xlabel(_label(xname, manifest), fontsize=6.5)
            else:
                ax.set_xticklabels([])
            if j > 0 and i != j:
                ax.set_yticklabels([])
            ax.tick_params(labelsize=6)
    reps = int(ok.groupby("point").size().median()) if len(ok) else 0
    what = outcome_label(outcome, manifest.plan.end)
    title = f"{manifest.scenario_name}: swept parameters coloured by {what}"
    if len(swept) > MAX_PARAMETERS:
        title += f" (first {MAX_PARAMETERS} of {len(swept)} parameters)"
    title += (
        f"\neach point: mean of {plural(reps, 'replicate')}; diagonal (blue dots on grey, "
        f"scale on the right): {what} against one parameter"
    )
    title = fit_text(fig, title, 9.5)
    height = fig.get_size_inches()[1]
    top = 1 - ((title.count("\n") + 1) * 9.5 * 1.25 / 72 + 0.25) / height  # below the title
    fig.subplots_adjust(bottom=0.15, top=top, left=0.12, right=0.74, wspace=0.3, hspace=0.1)
    if sc is not None:
        cax = fig.add_axes((0.83, 0.2, 0.02, top - 0.24))
        cb = fig.colorbar(sc, cax=cax)
        cb.set_label(_fill(f"{what} ({scale})", 30))
        if probability:
            cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0, digits))
    fig.suptitle(title, fontsize=9.5)
    return _save(fig, path, manifest, layout=False)  # laid out by hand: the shared colour bar
