"""The calibration report: ``calibration.md`` with the reproduction of each pattern and of all
five together before and after, the observables' Brier score, the tolerance of each
generation, the contraction of every parameter from prior to posterior (and which ones the
data do not identify), and ``posterior.png`` (prior range against posterior histogram)."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

from alliance_sim import __version__
from alliance_sim.analysis import patterns as pt
from alliance_sim.analysis.calibrate import Calibration, _method_text
from alliance_sim.analysis.identification import contraction_text
from alliance_sim.paths import check_not_results
from alliance_sim.report import style
from alliance_sim.report.plots import subplots
from alliance_sim.report.saving import save
from alliance_sim.scenario.semantics import ORDER_TEXT


def posterior_figure(cal: Calibration, path: Path) -> Path:
    priors = cal.priors
    with matplotlib.rc_context(style.current().rc):
        cols = 4
        rows = -(-len(priors) // cols)
        fig, axes = subplots(rows, cols, figsize=(12, 2.3 * rows), squeeze=False)
        for ax, a in zip(axes.flat, priors, strict=False):
            ax.axhspan(0, 1 / (a.high - a.low), color="#dddddd", label="prior (uniform)")
            ax.hist(
                cal.posterior[a.name],
                bins=30,
                range=(a.low, a.high),
                color="#377eb8",
                alpha=0.85,
                density=True,
                label="posterior",
            )
            c = cal.contraction.set_index("parameter").loc[a.name, "contraction"]
            ax.set_title(f"{a.name}\ncontraction {contraction_text(c)}", fontsize=8)
            ax.set_xlim(a.low, a.high)
            ax.set_yticks([])
        for ax in axes.flat[len(priors) :]:
            ax.axis("off")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        spare = axes.flat[len(priors)] if len(priors) < axes.size else None
        if spare is not None:  # the key in an empty panel, off the bars
            spare.legend(handles, labels, fontsize=8, frameon=False, loc="center")
        else:
            fig.legend(handles, labels, fontsize=7, frameon=False, loc="upper right")
        fig.suptitle(
            f"Posterior of {cal.scenario.name} ({cal.method.upper()}, fitted to {cal.until}); "
            "contraction = 1 - posterior sd / prior sd",
            fontsize=10,
        )
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / (2.3 * rows)))  # room for the title
        path = save(fig, path, checked=True, dpi=110)  # check_report_dir
    return path


TITLE = "# Calibration of "  # the first line of every calibration.md alliance-sim writes


def check_report_dir(directory: str | os.PathLike) -> Path:
    """``directory`` if ``write_report`` may write there: its calibration.md, if any, is one
    alliance-sim wrote, and a posterior.png stands only beside such a report (alliance-sim
    replaces only its own reports).  One line naming ``--report`` otherwise."""
    from alliance_sim.errors import UserError

    d = check_not_results(directory, "--report")
    md, png = d / "calibration.md", d / "posterior.png"
    ours = md.is_file() and md.read_bytes()[:200].startswith(TITLE.encode())
    if (md.exists() and not ours) or (png.exists() and not ours):
        raise UserError(
            f"--report {d} holds {'calibration.md' if md.exists() else 'posterior.png'} that "
            "alliance-sim did not write; allowed a new folder or one holding an earlier "
            "calibration report (choose another --report)"
        )
    return d


def write_report(cal: Calibration, directory: str | os.PathLike) -> Path:
    """Write ``calibration.md`` and ``posterior.png`` into ``directory``."""
    d = check_report_dir(directory)
    d.mkdir(parents=True, exist_ok=True)
    posterior_figure(cal, d / "posterior.png")
    n = cal.noise
    lines = [
        f"{TITLE}{cal.scenario.name}",
        "",
        f"{_method_text(cal)}; fitted to the record up to {cal.until}; {cal.seconds:.0f} s; "
        f"alliance-sim {__version__}.",
        "",
        "Tolerance by generation from the first (generation 0 samples the prior, with no "
        "tolerance): "
        + (", ".join(f"{g.epsilon:.3f}" for g in cal.result.generations[1:]) or "none")
        + " (parameter sets scored per generation: "
        + ", ".join(f"{g.simulations:,}" for g in cal.result.generations)
        + ").",
        "",
        f"Seeds per parameter set: {cal.replicates}. A single seed's distance has a standard "
        f"deviation of {n.get('single_seed_sd', float('nan')):.3f} around a good set's mean; "
        f"with {cal.replicates} seeds its standard error is "
        f"{n.get('se_with_seeds', float('nan')):.3f}, against a spread of "
        f"{n.get('spread_between_sets', float('nan')):.3f} between the 8 best sets' means.",
        "",
        "| pattern (1,000 new replays of the fitted period, fresh seeds: in-sample) "
        "| before (the file's values) | after |",
        "|---|---|---|",
    ]
    for p in pt.PATTERNS:
        if p.key in cal.after:
            lines.append(f"| {p.text} | {cal.before[p.key]:.0%} | {cal.after[p.key]:.0%} |")
    lines += [
        f"| **all {pt.count_words(cal.after)} in the same run** | {cal.before['all']:.0%} | "
        f"{cal.after['all']:.0%} |",
        f"| Brier score of the observables (lower is better) | {cal.before['brier']:.3f} | "
        f"{cal.after['brier']:.3f} |",
        *(
            f"| {'statuses as recorded at every year end' if k == 'statuses_every_year' else k}"
            f" | {cal.before[k]:.0%} | {cal.after[k]:.0%} |"
            for k in cal.after
            if " by " in k or k == "statuses_every_year"
        ),
        "",
        "| parameter | prior | posterior median | 90% interval | contraction | identified |",
        "|---|---|---|---|---|---|",
    ]
    cut = False
    for r in cal.contraction.itertuples():
        prior = f"{r.prior_low:g} – {r.prior_high:g}"
        lo, hi = getattr(r, "allowed_low", r.prior_low), getattr(r, "allowed_high", r.prior_high)
        if (lo, hi) != (r.prior_low, r.prior_high):
            prior += f" (ordered: {lo:.3g} – {hi:.3g})"
            cut = True
        lines.append(
            f"| `{r.parameter}` | {prior} | {r.median:.3g} | "
            f"{r.p5:.3g} – {r.p95:.3g} | {contraction_text(r.contraction)} | "
            f"{'yes' if r.identified else 'no'} |"
        )
    not_id = cal.contraction.loc[~cal.contraction["identified"], "parameter"].tolist()
    ordered_note = (
        " The prior is the box of `[calibrate.parameters]` cut to the sets that keep the status "
        f"thresholds in order ({ORDER_TEXT}); a cut parameter's contraction is measured "
        "against the cut prior, whose range is shown as 'ordered'."
        if cut
        else ""
    )
    lines += [
        "",
        "Not identified by these data (posterior sd more than 75% of the prior's): "
        + (", ".join(f"`{x}`" for x in not_id) or "none")
        + ". Forecasts carry their uncertainty through the per-replicate draw."
        + ordered_note,
        *(["", f"**Warning:** {note}."] if (note := cal.collapse_note()) else []),
        *(["", f"**Note:** {note}."] if (note := cal.worse_note()) else []),
        "",
        "![posterior](posterior.png)",
        "",
    ]
    mr = cal.member_rates
    if len(mr):
        off = {(r.member, r.kind): r.offset for r in cal.obs_offsets.itertuples()}
        common = int((abs(mr["common"] - mr["recorded"]) <= 0.1).sum())
        lines += [
            "Member by member, the posterior's predicted rate of each kind of observable in "
            f"the fit window against the record: {int(mr['within'].sum())} of {len(mr)} within "
            f"±0.1 with each member's offsets, {common} of {len(mr)} with the cut-points "
            "common to all members (`analysis/obsfit.py`; the offsets are fitted on this "
            "window, so the first count is in-sample — the backtest scores them out of "
            "sample):",
            "",
            "| member | kind | occasions | recorded | predicted | gap | common model | offset |",
            "|---|---|---|---|---|---|---|---|",
            *(
                f"| {r.member} | {r.kind} | {r.n} | {r.recorded:.2f} | {r.predicted:.2f} | "
                f"{r.gap:+.2f}{'' if r.within else ' **'} | {r.common:.2f} | "
                + (f"{off[(r.member, r.kind)]:+.2f}" if (r.member, r.kind) in off else "—")
                + " |"
                for r in mr.itertuples()
            ),
            "",
        ]
    out = d / "calibration.md"
    out.write_text("\n".join(lines), "utf-8")
    return out
