"""The rolling-origin backtest's report: ``backtest.json`` (pooled and per-origin scores, every
scored outcome), ``backtest.md`` and ``backtest.png`` (Brier score per origin for the model and
its rivals; pooled scores; the pooled reliability diagram)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import numpy as np

from alliance_sim import __version__
from alliance_sim.analysis.rivals import FORECASTERS, LABELS, RIVALS
from alliance_sim.report import style
from alliance_sim.report.backtest import COLOURS, finite, publish, score_table, skill_text
from alliance_sim.report.plots import subplots
from alliance_sim.report.saving import save
from alliance_sim.scenario.history import MAX_UNMATCHED


def _number(v) -> bool:
    return isinstance(v, int | float) and bool(np.isfinite(v))


def figure(roll, path: Path) -> Path:
    """Write :func:`draw`'s figure to ``path``."""
    return save(draw(roll), path, checked=True, dpi=110)  # backtest.check_out


def draw(roll):
    """The rolling backtest's figure (a matplotlib Figure): each forecaster's Brier score per
    origin, the pooled scores, the pooled reliability of the model."""
    s = roll.summary
    per = s["origins"]
    with matplotlib.rc_context(style.current().rc):
        fig, (a1, a2, a3) = subplots(1, 3, figsize=(15, 4.4))
        x = np.arange(len(per))
        for f in FORECASTERS:
            a1.plot(
                x,
                [o["brier"][f] for o in per],
                "o-" if f == "model" else ".--",
                color=COLOURS[f],
                lw=2 if f == "model" else 1,
                label=LABELS[f].split(" (")[0],
            )
        a1.set_xticks(x)
        a1.set_xticklabels(
            [f"{o['origin']}\n(n={o['n_scored']}){'' if o['valid'] else '\ninvalid'}" for o in per],
            fontsize=7,
        )
        a1.set_ylabel("Brier score (lower is better)")
        a1.set_title(f"Each origin: the next {roll.horizon} quarters")
        top = max((v for o in per for v in o["brier"].values() if _number(v)), default=1.0)
        a1.set_ylim(0, max(top, 0.01) * 1.6)  # room for the legend above the lines
        a1.legend(frameon=False, fontsize=7, ncol=2, loc="upper center")
        if s["brier"]:
            vals = [s["brier"][f] for f in FORECASTERS]
            a2.bar(np.arange(len(vals)), vals, color=[COLOURS[f] for f in FORECASTERS])
            a2.set_xticks(np.arange(len(vals)))
            a2.set_xticklabels([LABELS[f].split(" (")[0] for f in FORECASTERS], rotation=30,
                               ha="right", fontsize=7.5)  # fmt: skip
            a2.set_title(f"Pooled over {s['n_scored']} outcomes")
            a2.set_ylabel("Brier score")
            bins = s["reliability"]
            a3.plot([0, 1], [0, 1], color="black", lw=0.6, ls=":")
            a3.plot([b["mean_p"] for b in bins], [b["rate"] for b in bins], "o-", color="#377eb8")
            for b in bins:
                a3.annotate(str(b["n"]), (b["mean_p"], b["rate"]), fontsize=7, xytext=(3, 3),
                            textcoords="offset points")  # fmt: skip
            a3.set_title(f"Reliability of the model (ECE {s['ece']:.3f}; n per bin)")
        else:
            for ax in (a2, a3):
                ax.text(0.5, 0.5, "no valid origin to pool", ha="center", va="center")
        a3.set_xlim(0, 1)
        a3.set_ylim(-0.03, 1.03)
        a3.set_xlabel("model probability (mean in its bin of width 0.1)")
        a3.set_ylabel("share that happened")
        fig.text(
            0.01,
            0.005,
            f"alliance-sim {__version__} | {roll.scenario.name} | rolling origins, refitted at "
            "each; no event after an origin given",
            fontsize=6.5,
            color="#555555",
        )
        fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def write_report(roll, d: Path) -> Path:
    figure(roll, d / "backtest.png")
    s = roll.summary
    lines = [
        f"# Rolling-origin backtest of {roll.scenario.name}",
        "",
        f"Refitted at each of {len(s['origins'])} origins on the record, events and member "
        f"figures up to the origin only, and forecast for the {roll.horizon} quarters after it "
        f"with no later event given; {roll.seconds / 60:.1f} minutes.",
        "",
    ]
    if s["invalid_origins"]:
        lines += [
            f"**Left out of the pooled scores (invalid fits: more than {MAX_UNMATCHED:.0%} of "
            "the posterior sets reach none of the statuses recorded at the origin): "
            + ", ".join(s["invalid_origins"])
            + ".**",
            "",
        ]
    if not s["enough_outcomes"]:
        lines += [
            f"Only {s['n_scored']} outcomes scored in the valid origins (fewer than the 300 "
            "asked of a backtest that can tell forecasters apart).",
            "",
        ]
    if s["brier"]:
        lines += [
            f"Pooled: {s['n_scored']} outcomes on {s['occasions']} occasions. Lower scores are "
            "better; skill = 1 - Brier(model) / Brier(rival), its 95% interval from resampling "
            "occasions (not outcomes); every rival fitted on the same window as the model at "
            "each origin (`analysis/rivals.py`).",
            "",
            *score_table(s),
        ]
        lines += [
            "",
            f"Calibration of the model, pooled: expected calibration error {s['ece']:.3f}.",
            "",
        ]
    lines += [
        "| origin | forecast | valid | n | model | "
        + " | ".join(LABELS[f].split(" (")[0] for f in RIVALS)
        + " | ECE | skill vs best rival |",
        "|---|---|---|---|---|" + "---|" * len(RIVALS) + "---|---|",
    ]
    for o in s["origins"]:
        best = min(RIVALS, key=lambda f: o["brier"][f])
        lines.append(
            f"| {o['origin']} | {o['forecast'][0]}-{o['forecast'][1]} | "
            f"{'yes' if o['valid'] else 'no'} | {o['n_scored']} | {o['brier']['model']:.3f} | "
            + " | ".join(f"{o['brier'][f]:.3f}" for f in RIVALS)
            + f" | {o['ece']:.3f} | {skill_text(o['skill_vs'][best])} ({best.replace('_', ' ')}) |"
        )
    lines += ["", "![backtest](backtest.png)", ""]
    if s.get("by_kind"):
        lines += [
            "| kind | n | " + " | ".join(LABELS[f].split(" (")[0] for f in FORECASTERS) + " |",
            "|---|---|" + "---|" * len(FORECASTERS),
        ]
        for kind, v in s["by_kind"].items():
            lines.append(
                f"| {kind} | {v['n']} | " + " | ".join(f"{v[f]:.3f}" for f in FORECASTERS) + " |"
            )
        lines.append("")
    lines += ["Suspended or out within four quarters of each origin (model; what happened):", ""]
    for o in s["origins"]:
        w = o["out_within_4_quarters"]
        lines.append(
            f"- {o['origin']}: "
            + ", ".join(
                f"{c} {v['probability']:.2f} ({'yes' if v['happened'] else 'no'})"
                for c, v in w.items()
            )
        )
    out = d / "backtest.md"
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


def write_rolling(roll, out: str | os.PathLike) -> Path:
    """``DIR/backtest.json``, ``DIR/backtest.md`` and ``DIR/backtest.png``."""
    doc = {
        **roll.summary,
        "scenario": Path(roll.scenario.path).name,
        "package_version": __version__,
        "rows": [
            {
                "origin": r.origin,
                "member": r.member,
                "period": r.quarter,
                "kind": r.kind,
                "occasion": r.event,
                "outcome": int(r.observed),
                "valid_origin": bool(r.valid),
                **{f: round(float(getattr(r, f)), 6) for f in FORECASTERS},
                "model_without_member_offsets": round(float(r.model_common), 6),
            }
            for r in roll.rows.itertuples()
        ],
    }
    text = json.dumps(finite(doc), indent=2, allow_nan=False)

    def write(d: Path) -> None:
        (d / "backtest.json").write_text(text, "utf-8")
        write_report(roll, d)

    return publish(out, write)
