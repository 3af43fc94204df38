"""The backtest report: ``backtest.md`` (scores of the model and its rivals with the skill's
intervals, by kind of outcome, and every scored outcome) and ``backtest.png`` (Brier score by
kind; the model's probability against what happened; its reliability)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np

from alliance_sim import __version__
from alliance_sim.analysis.rivals import FORECASTERS as ALL
from alliance_sim.analysis.rivals import LABELS, RIVALS
from alliance_sim.errors import UserError
from alliance_sim.paths import FIGURE, check_not_results, ours_or_new
from alliance_sim.report import style
from alliance_sim.report.plots import subplots
from alliance_sim.report.saving import save
from alliance_sim.scenario.history import MAX_UNMATCHED

COLOURS = {  # one colour per forecaster, in every backtest figure
    "model": "#377eb8",
    "persistence": "#999999",
    "hedged_persistence": "#984ea3",
    "climatology": "#4daf4a",
    "base_rate": "#e6ab02",
    "logistic": "#e41a1c",
}


def invalid_line(s: dict, fit_until: str) -> str:
    """The warning an invalid fit's report and figure carry ('' for a valid fit)."""
    if s["valid"]:
        return ""
    return (
        f"INVALID FIT: {s['unmatched_share']:.0%} of the posterior sets reach none of the "
        f"statuses recorded at {fit_until} (at most {MAX_UNMATCHED:.0%} allowed); "
        "these scores are not evidence"
    )


def draw(bt):
    """The backtest figure (a matplotlib Figure): every forecaster's Brier score by kind of
    outcome, the model's probability against what happened, its reliability; an invalid
    fit says so across the top."""
    by = bt.summary["by_kind"]
    kinds = list(by)
    warn = invalid_line(bt.summary, bt.fit_until)
    with matplotlib.rc_context(style.current().rc):
        fig, (a1, a2, a3) = subplots(1, 3, figsize=(15, 4.6 if warn else 4.4))
        x = np.arange(len(kinds) + 1)
        wd = 0.84 / len(ALL)
        for j, key in enumerate(ALL):
            vals = [by[k][key] for k in kinds] + [bt.summary["brier"][key]]
            a1.bar(
                x + (j - (len(ALL) - 1) / 2) * wd,
                vals,
                wd,
                color=COLOURS[key],
                label=LABELS[key].split(" (")[0],
            )
        a1.set_xticks(x)
        a1.set_xticklabels(
            [f"{k.replace('_', '\n')}\n(n={by[k]['n']})" for k in kinds] + ["all"], fontsize=7.5
        )
        a1.set_ylabel("Brier score (lower is better)")
        top = max([bt.summary["brier"][f] for f in ALL] + [by[k][f] for k in kinds for f in ALL])
        a1.set_ylim(0, top * 1.6)  # room for the legend above the bars
        a1.legend(frameon=False, fontsize=7, ncol=2, loc="upper center")
        a1.set_title(f"Forecast of {bt.first}-{bt.last}, fitted to {bt.fit_until}")
        r = bt.rows
        jitter = np.random.default_rng(0).uniform(-0.06, 0.06, len(r))
        for kind, marker in zip(kinds, "osD^v<>", strict=False):
            sel = (r["kind"] == kind).to_numpy()
            a2.scatter(
                r["model"][sel], r["observed"][sel] + jitter[sel], s=14, marker=marker, label=kind
            )
        a2.plot([0, 1], [0, 1], color="black", lw=0.6, ls=":")
        a2.set_xlabel("model probability")
        a2.set_ylabel("what happened (0/1, jittered)")
        a2.set_title("Each scored outcome")
        a2.legend(frameon=False, fontsize=7, loc="center right")
        bins = bt.summary["reliability"]
        a3.plot([0, 1], [0, 1], color="black", lw=0.6, ls=":")
        a3.plot([b["mean_p"] for b in bins], [b["rate"] for b in bins], "o-", color="#377eb8")
        for b in bins:
            a3.annotate(str(b["n"]), (b["mean_p"], b["rate"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
        a3.set_xlim(0, 1)
        a3.set_ylim(-0.03, 1.03)
        a3.set_xlabel("model probability (mean in its bin of width 0.1)")
        a3.set_ylabel("share that happened")
        a3.set_title(f"Reliability (ECE {bt.summary['ece']:.3f}; n per bin)")
        if warn:
            fig.suptitle(warn, color="#b2182b", fontsize=10, fontweight="bold")
        fig.text(
            0.01,
            0.005,
            f"alliance-sim {__version__} | {bt.scenario.name} | {bt.runs} forecast runs | "
            + ("events after the cut given" if bt.known_events else "no event after the cut given"),
            fontsize=6.5,
            color="#555555",
        )
        fig.tight_layout(rect=(0, 0.03, 1, 0.94 if warn else 1))
    return fig


def figure(bt, path: Path) -> Path:
    """Write :func:`draw`'s figure to ``path``."""
    save(draw(bt), path, checked=True, dpi=110)  # check_out, before the run
    return path


def skill_text(k: dict) -> str:
    """``+0.40 [+0.10, +0.59]``; n/a where the rival made no error (the skill is undefined)."""
    if k["estimate"] is None or not np.isfinite(k["estimate"]):
        return "n/a (the rival made no error)"
    return f"{k['estimate']:+.2f} [{k['lo']:+.2f}, {k['hi']:+.2f}]"


def score_table(s: dict) -> list[str]:
    """Markdown rows: each forecaster's Brier and log score, the model's skill against it."""
    lines = [
        "| forecaster | Brier score | log score | skill of the model against it [95%] |",
        "|---|---|---|---|",
        f"| model | {s['brier']['model']:.3f} | {s['log_score']['model']:.3f} | |",
    ]
    for f in RIVALS:
        lines.append(
            f"| {LABELS[f]} | {s['brier'][f]:.3f} | {s['log_score'][f]:.3f} | "
            f"{skill_text(s['skill_vs'][f])} |"
        )
    return lines


def write_report(bt, d: Path) -> Path:
    figure(bt, d / "backtest.png")
    s = bt.summary
    lines = [
        f"# Backtest of {bt.scenario.name}",
        "",
        *(
            []
            if s["valid"]
            else [
                f"**Invalid fit: {s['unmatched_share']:.0%} of the posterior sets reach none of "
                f"the statuses recorded at {bt.fit_until} (at most {MAX_UNMATCHED:.0%} "
                "allowed). The scores below are not evidence.**",
                "",
            ]
        ),
        f"Fitted to the record up to {bt.fit_until} ({bt.calibration.method}, "
        f"{bt.calibration.result.simulations:,} parameter sets x {bt.calibration.replicates} "
        f"seeds); forecast {bt.first} to {bt.last} with {bt.runs} runs, "
        + (
            "given the dated events after the cut."
            if bt.known_events
            else "given no event after the cut (attacks and unrest from the hazards)."
        ),
        "",
        f"{s['n_scored']} outcomes on {s['occasions']} occasions. Lower scores are better; "
        "skill = 1 - Brier(model) / Brier(rival), its 95% interval from resampling occasions "
        "(not outcomes); log score: mean -ln p(what happened), p clipped to [0.01, 0.99]; "
        "every rival fitted on the same window as the model (`analysis/rivals.py`).",
        "",
        *score_table(s),
    ]
    lines += [
        "",
        f"Calibration of the model: expected calibration error {s['ece']:.3f} over ten bins "
        "(right-hand panel). Hedged persistence puts weight "
        f"{s['rivals_fitted']['hedge_weight']:.2f} on persistence, fitted on the window.",
        "",
        "Suspended or out at some quarter up to "
        + next(iter(s["out_within_4_quarters"].values()))["by"]
        + " (the model's share of runs; what happened): "
        + ", ".join(
            f"{c} {v['probability']:.2f} ({'yes' if v['happened'] else 'no'})"
            for c, v in s["out_within_4_quarters"].items()
        )
        + ".",
        "",
        "| kind | n | " + " | ".join(LABELS[f].split(" (")[0] for f in ALL) + " |",
        "|---|---|" + "---|" * len(ALL),
    ]
    for kind, v in s["by_kind"].items():
        lines.append(f"| {kind} | {v['n']} | " + " | ".join(f"{v[f]:.3f}" for f in ALL) + " |")
    lines += [
        "",
        "![backtest](backtest.png)",
        "",
        "| member | quarter | kind | occasion | happened | "
        + " | ".join(LABELS[f].split(" (")[0] for f in ALL)
        + " |",
        "|---|---|---|---|---|" + "---|" * len(ALL),
    ]
    for r in bt.rows.itertuples():
        lines.append(
            f"| {r.member} | {r.quarter} | {r.kind} | {r.event} | {int(r.observed)} | "
            + " | ".join(f"{getattr(r, f):.2f}" for f in ALL)
            + " |"
        )
    out = d / "backtest.md"
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


OUTPUTS = {  # what a backtest writes, and what marks a file as one alliance-sim wrote
    "backtest.json": re.compile(rb'\A\{\s*"[^{]*"n_scored": '),  # first keys of both writers
    "backtest.md": re.compile(  # the title, then the first sentence each writer puts below it
        rb"\A# (?:Backtest of [^\n]*\n\n[\s\S]{0,600}?Fitted to the record up to "
        rb"|Rolling-origin backtest of [^\n]*\n\nRefitted at each of )"
    ),
    "backtest.png": FIGURE,
}


def check_out(out: str | os.PathLike, option: str = "--out") -> Path:
    """``out`` as a folder a backtest may write into, refused (one line, before any work) if
    it is or lies inside a result directory, or holds a ``backtest.*`` file alliance-sim did
    not write: a backtest replaces only its own earlier output."""
    d = check_not_results(out, option)
    if (d / "manifest.json").is_file():
        raise UserError(
            f"{option} {d} is a result directory (it holds manifest.json); allowed a new "
            "folder or one holding an earlier backtest"
        )
    for name, marker in OUTPUTS.items():
        if (d / name).exists() or (d / name).is_symlink():
            ours_or_new(d / name, marker, "backtest output", option)
    return d


LOCK = ".backtest.lock"


@contextmanager
def held(out: str | os.PathLike, option: str = "--out") -> Iterator[Path]:
    """Hold ``out/.backtest.lock`` for a whole backtest (the folder created if need be): a
    second backtest into the same folder is refused with one line at its start, instead of
    moving its files in among this one's."""
    import filelock

    d = check_out(out, option)
    made = [p for p in (d, *d.parents) if not p.exists()]  # deepest first
    d.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(d / LOCK, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise UserError(
            f"{option} {d} is being written by another backtest; wait for it to finish or "
            f"choose another {option}"
        ) from None
    try:
        yield d
    finally:
        lock.release()  # the lock file stays (deleting a lock file races with its next user)
        if made and [f.name for f in d.iterdir()] == [LOCK]:  # folders it made, left empty
            (d / LOCK).unlink()
            for p in made:
                if any(p.iterdir()):
                    break
                p.rmdir()


def publish(out: str | os.PathLike, write) -> Path:
    """Call ``write(folder)`` on a fresh temporary folder inside ``out``, then move its files
    over the old ones together: an interrupted backtest leaves the previous output whole, never
    a mix of old and new files.  Returns ``out/backtest.json``."""
    d = check_out(out)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".backtest.tmp{os.getpid()}"
    tmp.mkdir()
    try:
        write(tmp)
        for name in OUTPUTS:
            os.replace(tmp / name, d / name)
    finally:
        for f in tmp.iterdir():  # only what this call wrote
            f.unlink()
        tmp.rmdir()
    return d / "backtest.json"


def finite(x):
    """``x`` with every NaN or infinity as ``None``: JSON has no NaN (a skill against a rival
    that made no error is undefined, written null)."""
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [finite(v) for v in x]
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def write_backtest(bt, out: str | os.PathLike) -> Path:
    """``DIR/backtest.json`` (scores and one row per scored outcome), ``DIR/backtest.md`` and
    ``DIR/backtest.png``."""
    cal = bt.calibration
    doc = {
        **{k: v for k, v in bt.summary.items() if k != "by_kind"},
        "by_kind": bt.summary["by_kind"],
        "scenario": Path(bt.scenario.path).name,
        "fit_until": bt.fit_until,
        "forecast": [bt.first, bt.last],
        "known_events": bt.known_events,
        "forecast_runs": bt.runs,
        "calibration": {
            "method": cal.method,
            "parameter_sets_scored": cal.result.simulations,
            "seeds_per_set": cal.replicates,
            "reproduction_in_fit_period": cal.after,
        },
        "package_version": __version__,
        "rows": [
            {
                "member": r.member,
                "period": r.quarter,
                "kind": r.kind,
                "occasion": r.event,
                "outcome": int(r.observed),
                "model_probability": round(float(r.model), 6),
                "model_without_member_offsets": round(float(r.model_common), 6),
                "persistence": float(r.persistence),
                "base_rate": round(float(r.base_rate), 6),
                **{
                    f: round(float(getattr(r, f)), 6)
                    for f in ("hedged_persistence", "climatology", "logistic")
                },
            }
            for r in bt.rows.itertuples()
        ],
    }
    text = json.dumps(finite(doc), indent=2, allow_nan=False)

    def write(d: Path) -> None:
        (d / "backtest.json").write_text(text, "utf-8")
        write_report(bt, d)

    return publish(out, write)
