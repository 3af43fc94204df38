"""The calibration report: ``calibration.md`` with reproduction rates before and after and
plots of prior and posterior (what ``alliance-sim calibrate --report DIR`` writes)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

from alliance_sim import __version__
from alliance_sim.analysis import patterns as pt
from alliance_sim.analysis.calibrate import Calibration
from alliance_sim.report.plots import STYLE, subplots


def write_report(cal: Calibration, directory: str | os.PathLike) -> Path:
    """``calibration.md`` with the reproduction rates before and after and posterior plots."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    priors = cal.scenario.calibrate.priors
    with matplotlib.rc_context(STYLE):
        cols = 4
        rows = -(-len(priors) // cols)
        fig, axes = subplots(rows, cols, figsize=(12, 2.4 * rows), squeeze=False)
        for ax, a in zip(axes.flat, priors, strict=False):
            ax.hist(
                cal.draws[a.name],
                bins=30,
                range=(a.low, a.high),
                color="#cccccc",
                density=True,
                label="prior draws",
            )
            ax.hist(
                cal.accepted[a.name],
                bins=30,
                range=(a.low, a.high),
                color="#377eb8",
                alpha=0.8,
                density=True,
                label="accepted",
            )
            ax.set_title(a.name, fontsize=9)
            ax.set_yticks([])
        for ax in axes.flat[len(priors) :]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7, frameon=False)
        fig.suptitle(
            f"Posterior of {cal.scenario.name} (ABC rejection, {len(cal.accepted)} of "
            f"{len(cal.draws)} draws)"
        )
        fig.tight_layout()
        fig.savefig(d / "posterior.png", dpi=110)
    lines = [
        f"# Calibration of {cal.scenario.name}",
        "",
        f"ABC rejection: {len(cal.draws):,} prior draws (Latin hypercube over the ranges "
        f"below) x {cal.replicates} replicate(s); the {len(cal.accepted)} closest to the "
        f"historical patterns kept (distance <= {cal.epsilon:.3f}); "
        f"{cal.seconds:.0f} s; alliance-sim {__version__}.",
        "",
        "| pattern | reproduced before | after |",
        "|---|---|---|",
    ]
    for p in pt.PATTERNS:
        if p.key in cal.after:
            lines.append(f"| {p.text} | {cal.before[p.key]:.0%} | {cal.after[p.key]:.0%} |")
    lines += ["", "| parameter | prior | posterior median | 90% interval |", "|---|---|---|---|"]
    for a in priors:
        q = cal.accepted[a.name].quantile([0.05, 0.5, 0.95])
        lines.append(
            f"| `{a.name}` | {a.low:g} – {a.high:g} | {q[0.5]:.3g} | "
            f"{q[0.05]:.3g} – {q[0.95]:.3g} |"
        )
    lines += ["", "![posterior](posterior.png)", ""]
    out = d / "calibration.md"
    out.write_text("\n".join(lines), "utf-8")
    return out
