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
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from alliance_sim.analysis import aggregate as agg
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.outcomes import ALLIES

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


def _save(fig: Figure, path: str | os.PathLike, manifest: dict | None) -> Path:
    if manifest is not None:
        footer(fig, manifest)
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
    """Each member's commitment over time (median, 50% and 90% bands across runs) and the
    cohesion index, one panel each."""
    labels, qm = agg.member_quantiles(res, "commitment")
    _, qc = agg.alliance_quantiles(res, "cohesion")
    present = [c for c in ALLIES if c in qm]
    members = [m for m in (members or present) if m in present]
    n = len(members) + 1
    cols = 3
    rows = -(-n // cols)
    fig, axes = subplots(rows, cols, figsize=(11, 2.9 * rows), sharey=True, squeeze=False)
    for ax, code in zip(axes.flat, [*members, "cohesion"], strict=False):
        if code == "cohesion":
            q, colour, title = qc, "black", "Cohesion index"
        else:
            q, colour, title = qm[code], COLOURS[code], f"{NAMES[code]} ({code})"
        _band(ax, q, colour)
        ax.set_title(title)
        quarter_axis(ax, labels)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("commitment (0-1)")
    handles = [
        Rectangle((0, 0), 1, 1, color="grey", alpha=0.13),
        Rectangle((0, 0), 1, 1, color="grey", alpha=0.4),
        Line2D([], [], color="grey", lw=1.8),
    ]
    axes.flat[0].legend(
        handles,
        ["90% of runs", "50% of runs", "median"],
        loc="lower left",
        fontsize=7.5,
        frameon=False,
    )
    fig.suptitle(f"{res.manifest.scenario_name}: commitment to the CSTO", fontsize=11)
    return _save(fig, path, res.manifest)


@styled
def status_probability(res: Result, path: str | os.PathLike) -> Path:
    """Probability, by quarter, that each member is suspended and that it has exited."""
    labels, shares = agg.status_shares(res)
    fig, axes = subplots(1, 2, figsize=(11, 3.6), sharey=True)
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
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of runs")
    axes[1].legend(fontsize=8, frameon=False, loc="upper left", ncols=2)
    fig.suptitle(f"{res.manifest.scenario_name}: suspension and exit by quarter", fontsize=11)
    return _save(fig, path, res.manifest)


@styled
def cohesion_chart(res: Result, path: str | os.PathLike) -> Path:
    """The cohesion index over time: median, 50% and 90% bands across runs."""
    labels, q = agg.alliance_quantiles(res, "cohesion")
    fig, ax = subplots(figsize=(7, 3.6))
    _band(ax, q, "black", "median")
    quarter_axis(ax, labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("cohesion index (0-1)")
    ax.grid(alpha=0.3)
    ax.set_title(f"{res.manifest.scenario_name}: cohesion (bands: 50% and 90% of runs)")
    return _save(fig, path, res.manifest)


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
    """Mean outcome against one swept parameter, with 95% intervals (Wilson for a 0/1
    outcome, bootstrap otherwise)."""
    from alliance_sim.analysis.stats import is_binary, mean_ci, proportion_ci

    ok = runs[runs["error"].isna()]
    g = _groups(ok, param)
    ci = proportion_ci if is_binary(ok[outcome].to_numpy(float)) else mean_ci
    rows = [(k, ci(ok.loc[g == k, outcome].to_numpy(float))) for k in sorted(g.unique())]
    x = (
        np.arange(len(rows))
        if isinstance(rows[0][0], str)
        else np.array([r[0] for r in rows], float)
    )
    est = np.array([[e.value, e.lo, e.hi] for _, e in rows])
    fig, ax = subplots(figsize=(6.5, 3.8))
    member = outcome.split("_")[0]
    colour = COLOURS.get(member, "black")
    ax.fill_between(x, est[:, 1], est[:, 2], color=colour, alpha=0.2, lw=0, label="95% CI")
    ax.plot(x, est[:, 0], "o-", color=colour, lw=1.8, ms=4, label="mean over runs")
    if isinstance(rows[0][0], str):
        ax.set_xticks(x)
        ax.set_xticklabels([r[0] for r in rows])
    ax.set_xlabel(param)
    ax.set_ylabel(outcome_label(outcome))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(f"{manifest.scenario_name}: {outcome_label(outcome)} vs {param}")
    return _save(fig, path, manifest)


@styled
def heatmap(
    runs: pd.DataFrame, manifest: dict, p1: str, p2: str, outcome: str, path: str | os.PathLike
) -> Path:
    """Mean outcome over two swept parameters."""
    ok = runs[runs["error"].isna()].assign(_a=lambda d: _groups(d, p1), _b=lambda d: _groups(d, p2))
    table = ok.groupby(["_b", "_a"])[outcome].mean().unstack()
    fig, ax = subplots(figsize=(6.5, 4.8))
    im = ax.imshow(table.to_numpy(float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([_fmt(v) for v in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels([_fmt(v) for v in table.index])
    ax.set_xlabel(p1)
    ax.set_ylabel(p2)
    for (i, j), v in np.ndenumerate(table.to_numpy(float)):
        if np.isfinite(v) and table.size <= 100:
            ax.text(
                j,
                i,
                f"{v:.2f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v < np.nanmean(table.to_numpy(float)) else "black",
            )
    fig.colorbar(im, ax=ax, label=outcome_label(outcome))
    ax.set_title(f"{manifest.scenario_name}: {outcome_label(outcome)}")
    return _save(fig, path, manifest)


def _fmt(v: object) -> str:
    return f"{v:.3g}" if isinstance(v, float | np.floating) else str(v)


@styled
def sensitivity_chart(table: pd.DataFrame, manifest: dict | None, path: str | os.PathLike) -> Path:
    """Sobol S1 and ST with 95% intervals, or Morris mu* against sigma."""
    method, outcome = table.attrs.get("method", "Sobol"), table.attrs.get("outcome", "")
    fig, ax = subplots(figsize=(7, 0.5 * len(table) + 2.2))
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
        ax.set_yticklabels(table.index)
        ax.set_xlabel("Sobol index (share of variance; bars: 95% CI)")
        ax.axvline(0, color="black", lw=0.6)
        ax.legend(frameon=False, fontsize=8)
    else:
        ax.errorbar(
            table["mu_star"],
            table["sigma"],
            xerr=table["mu_star_conf"],
            fmt="o",
            color="#377eb8",
            capsize=2,
        )
        for name, r in table.iterrows():
            ax.annotate(
                name,
                (r["mu_star"], r["sigma"]),
                fontsize=8,
                xytext=(4, 3),
                textcoords="offset points",
            )
        ax.set_xlabel("mu* (mean |elementary effect|, per swept range)")
        ax.set_ylabel("sigma (interaction / non-linearity)")
    ax.grid(alpha=0.3)
    ax.set_title(f"{method} sensitivity of {outcome_label(outcome)}")
    return _save(fig, path, manifest)


@styled
def overlay(
    results: list[Result], path: str | os.PathLike, members: list[str] | None = None
) -> Path:
    """Two or more scenarios on one figure: median and 50% band of cohesion and of the chosen
    members' commitment, one colour per scenario, on a shared calendar axis."""
    members = members or []
    n = 1 + len(members)
    fig, axes = subplots(1, n, figsize=(4.6 * n, 3.8), squeeze=False, sharey=True)
    first, last = None, None
    for k, res in enumerate(results):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        name = res.manifest.scenario_name
        labels, q = agg.alliance_quantiles(res, "cohesion")
        x = np.array([quarters.parse(q_) for q_ in labels])
        first = x[0] if first is None else min(first, x[0])
        last = x[-1] if last is None else max(last, x[-1])
        _band_at(axes[0, 0], x, q, colour, name)
        if members:
            mlabels, qm = agg.member_quantiles(res, "commitment")
            xm = np.array([quarters.parse(q_) for q_ in mlabels])
            for ax, code in zip(axes[0, 1:], members, strict=True):
                if code in qm:
                    _band_at(ax, xm, qm[code], colour, name)
    span = [quarters.label(o) for o in range(first, last + 1)]
    for ax in axes[0]:
        quarter_axis(ax, span)  # ticks at indices into span: shift them to ordinals
        ticks, labels = ax.get_xticks(), [t.get_text() for t in ax.get_xticklabels()]
        ax.set_xticks([first + t for t in ticks], labels)
        ax.set_xlim(first, last)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0, 0].set_title("Cohesion index")
    for ax, code in zip(axes[0, 1:], members, strict=True):
        ax.set_title(f"{NAMES[code]} ({code}): commitment")
    axes[0, 0].set_ylabel("median and 50% band of runs")
    axes[0, 0].legend(frameon=False, fontsize=8, loc="lower left")
    fig.suptitle("Scenarios compared", fontsize=11)
    text = " | ".join(
        f"{r.manifest.scenario_name}: {r.manifest.scenario_hash}, {r.manifest.plan.n_runs:,} runs"
        for r in results
    )
    fig.text(0.01, 0.005, text, fontsize=6.5, color="#555555", ha="left", va="bottom")
    return _save(fig, path, None)


def _band_at(ax: Axes, x: np.ndarray, q: np.ndarray, colour: str, label: str) -> None:
    ax.fill_between(x, q[1], q[3], color=colour, alpha=0.25, lw=0)
    ax.plot(x, q[2], color=colour, lw=1.8, label=label)


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
