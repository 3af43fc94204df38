"""Figures of scenario discovery (``alliance-sim discover``): the PRIM peeling trajectory as
a coverage-density trade-off, and the chosen box's limits against the sampled ranges.  Same
style as :mod:`alliance_sim.report.plots`: no pyplot, provenance in a footer."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from alliance_sim.analysis.stats import percent
from alliance_sim.paths import check_not_results, ours_or_new
from alliance_sim.report.labels import parameter_label
from alliance_sim.report.plots import _save, styled, subplots

if TYPE_CHECKING:
    from alliance_sim.analysis.discover import Discovery


@styled
def tradeoff_chart(d: Discovery, path: str | os.PathLike) -> Path:
    """Coverage against density for every box of the peeling trajectory, coloured by how many
    parameters it restricts; the chosen box marked."""
    t = d.trajectory
    fig, ax = subplots(figsize=(8.0, 4.8))
    top = int(t["res_dim"].max())
    cmap = matplotlib.colormaps["viridis"].resampled(top + 1)
    sc = ax.scatter(
        t["coverage"],
        t["density"],
        c=t["res_dim"],
        cmap=cmap,
        vmin=-0.5,
        vmax=top + 0.5,
        s=16,
        zorder=3,
        lw=0,
    )
    ax.plot(t["coverage"], t["density"], color="#bbbbbb", lw=0.8, zorder=2)
    sel = t.loc[d.selected]
    ax.scatter(
        [sel["coverage"]],
        [sel["density"]],
        s=110,
        facecolors="none",
        edgecolors="#e41a1c",
        lw=1.6,
        zorder=4,
        label=f"box {d.selected} (chosen)",
    )
    if len(d.box) != int(sel["res_dim"]):
        ax.scatter(
            [d.stats["coverage"]],
            [d.stats["density"]],
            marker="x",
            color="#e41a1c",
            zorder=4,
            label=f"box {d.selected} without invisible restrictions",
        )
    base = d.stats["k_total"] / d.stats["n_total"]
    ax.axhline(base, color="#555555", lw=0.8, ls=":", label=f"share overall ({percent(base)})")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of all cases inside the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    cb = fig.colorbar(sc, ax=ax, ticks=range(top + 1))
    cb.set_label("restricted parameters")
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.set_title(f"PRIM peeling trajectory: {d.condition}{_when(d)}")
    return _save(fig, path, d.manifest)


@styled
def box_limits_chart(d: Discovery, path: str | os.PathLike) -> Path:
    """Each restricted parameter of the chosen box: its limits (bar) within the sampled range
    (grey), both on a 0-1 scale of the sampled range, with the numbers written beside."""
    box = d.box
    n = max(len(box), 1)
    fig, ax = subplots(figsize=(8.0, 0.55 * n + 1.9))
    for i, p in enumerate(box.itertuples()):
        lo, hi = d.ranges[p.parameter]
        span = hi - lo or 1.0
        a, b = (p.low - lo) / span, (p.high - lo) / span
        ax.add_patch(Rectangle((0, i - 0.3), 1, 0.6, color="#dddddd", lw=0))
        ax.add_patch(Rectangle((a, i - 0.3), b - a, 0.6, color="#377eb8", lw=0))
        fmt = d._condition(p)
        ax.text(1.02, i, fmt, va="center", fontsize=7.5)
        ax.text(0.0, i - 0.42, _v(d, p.parameter, lo), fontsize=6.5, color="#555555")
        ax.text(1.0, i - 0.42, _v(d, p.parameter, hi), fontsize=6.5, color="#555555", ha="right")
    if box.empty:
        ax.text(0.5, 0, "no visible restriction", ha="center", va="center")
    ax.set_yticks(np.arange(len(box)))
    scenario = d.manifest.scenario if d.manifest is not None else None
    ax.set_yticklabels([parameter_label(p, scenario) for p in box["parameter"]], fontsize=7)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(0, 1.6)
    ax.set_xticks([0, 0.5, 1])
    ax.set_xticklabels(["sampled low", "", "sampled high"])
    s = d.stats
    ax.set_title(
        f"Box {d.selected}: density {percent(s['density'])}, coverage "
        f"{percent(s['coverage'])}, mass {percent(s['mass'])} ({d.condition}{_when(d)})"
    )
    return _save(fig, path, d.manifest)


def _when(d: Discovery) -> str:
    """`` at 2034Q4``: the quarter an end-of-run outcome refers to (empty without a manifest,
    as for ``evaluate``'s rows)."""
    return f", at {d.manifest.plan.end}" if d.manifest is not None else ""


def _v(d: Discovery, name: str, v: float) -> str:
    if name in d.quarter_inputs:
        from alliance_sim.core import quarters

        return quarters.label(round(v))
    return f"{v:.3g}"


SIGNED = re.compile(rb"\nwritten by alliance-sim \S+ \(discover\)\n\Z")  # box.txt, cart.txt


def write_discovery(d: Discovery, out: str | os.PathLike) -> list[Path]:
    """Write ``boxes.csv``, ``tradeoff.png``, ``box_limits.png``, ``cart.txt`` and ``box.txt``
    (the box in words) into directory ``out``; return their paths."""
    from alliance_sim import __version__
    from alliance_sim.report.saving import figure_path
    from alliance_sim.runs.atomic import atomic_write_bytes

    out = check_not_results(out)
    boxes, words, cart = out / "boxes.csv", out / "box.txt", out / "cart.txt"
    # before anything is written: each file there is one alliance-sim wrote (never another's)
    ours_or_new(boxes, b"box,parameter,low,high", "box table")
    for p in (words, cart):
        ours_or_new(p, SIGNED, "discover text", whole=True)  # its last line
    figure_path(out / "tradeoff.png")
    figure_path(out / "box_limits.png")
    sign = f"\nwritten by alliance-sim {__version__} (discover)\n"
    atomic_write_bytes(boxes, d.table().to_csv(index=False).encode())
    atomic_write_bytes(words, (d.in_words() + "\n\n" + d.summary() + "\n" + sign).encode())
    atomic_write_bytes(cart, (d.cart.rstrip("\n") + "\n" + sign).encode())
    return [
        boxes,
        tradeoff_chart(d, out / "tradeoff.png"),
        box_limits_chart(d, out / "box_limits.png"),
        cart,
        words,
    ]
