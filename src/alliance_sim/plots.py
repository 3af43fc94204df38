"""Figures (matplotlib): one colour per member everywhere, calendar quarters on the time axis,
the scenario and the provenance of the data in a small footer."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from alliance_sim import members as mb
from alliance_sim.outcomes import ALLIES

COLOURS = {
    "RUS": "#7f7f7f",
    "BLR": "#d62728",
    "KAZ": "#1f77b4",
    "KGZ": "#ff7f0e",
    "TJK": "#2ca02c",
    "ARM": "#9467bd",
    "IRN": "#8c564b",
}
NAMES = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))


def footer(fig: plt.Figure, manifest: dict) -> None:
    """Scenario name and provenance in small type at the bottom of the figure."""
    plan = manifest["plan"]
    text = (
        f"{manifest['scenario_name']} | scenario {manifest['scenario_hash']} | "
        f"alliance-sim {manifest['package_version']} | {plan['n_runs']} runs, master seed "
        f"{plan['master_seed']}"
    )
    fig.text(0.01, 0.005, text, fontsize=7, color="#555555", ha="left", va="bottom")


def _quarter_axis(ax: plt.Axes, labels: list[str]) -> None:
    """Ticks at first quarters of years, at most five of them, labelled like 2026Q1."""
    firsts = [i for i, q in enumerate(labels) if q.endswith("Q1")] or [0]
    every = next(k for k in (1, 2, 3, 4, 5, 10, 20, 50) if len(firsts[::k]) <= 5)
    ticks = firsts[::every]
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[i] for i in ticks], fontsize=8)
    ax.set_xlim(0, max(len(labels) - 1, 1))


def quantiles_by_quarter(ts: pd.DataFrame, value: str, by: list[str]) -> pd.DataFrame:
    """5/25/50/75/95% quantiles of ``value`` per quarter (and ``by``): aggregate before
    drawing, so a 100,000-run sweep plots in seconds."""
    q = ts.groupby(["step", "quarter", *by])[value].quantile([0.05, 0.25, 0.5, 0.75, 0.95])
    return q.unstack().reset_index()


def fan_chart(
    timeseries: pd.DataFrame,
    alliance: pd.DataFrame,
    manifest: dict,
    path: str | os.PathLike,
    members: list[str] | None = None,
) -> Path:
    """Each member's commitment over time (median, 50% and 90% bands) and the cohesion
    index, one panel each."""
    present = [c for c in ALLIES if c in set(timeseries["member"].unique())]
    members = members or present
    q = quantiles_by_quarter(timeseries, "commitment", ["member"])
    qc = quantiles_by_quarter(alliance, "cohesion", [])
    labels = list(qc.sort_values("step")["quarter"])
    steps = list(qc.sort_values("step")["step"])
    pos = {s: i for i, s in enumerate(steps)}
    n = len(members) + 1
    cols = 3
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.0 * rows), sharey=True, squeeze=False)
    for ax, code in zip(axes.flat, [*members, "cohesion"], strict=False):
        d = qc if code == "cohesion" else q[q["member"] == code]
        d = d.sort_values("step")
        x = np.array([pos[s] for s in d["step"]])
        colour = "black" if code == "cohesion" else COLOURS[code]
        ax.fill_between(x, d[0.05], d[0.95], color=colour, alpha=0.15, lw=0, label="90%")
        ax.fill_between(x, d[0.25], d[0.75], color=colour, alpha=0.3, lw=0, label="50%")
        ax.plot(x, d[0.5], color=colour, lw=2, label="median")
        ax.set_title(
            "Cohesion index" if code == "cohesion" else f"{NAMES[code]} ({code})", fontsize=10
        )
        _quarter_axis(ax, labels)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("commitment (0-1)")
    axes.flat[0].legend(loc="lower left", fontsize=8, frameon=False)
    fig.suptitle(f"{manifest['scenario_name']}: commitment to the CSTO", fontsize=12)
    footer(fig, manifest)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
