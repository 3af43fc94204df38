"""Which figures fit a result directory, and writing them (``alliance-sim plot``)."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from alliance_sim.report import plots, sweep_plots
from alliance_sim.runs.results import Result

KINDS = ("fan", "status", "cohesion", "response", "heatmap", "sensitivity", "pairs")
FORMATS = ("png", "svg", "pdf")


def default_outcomes(res: Result) -> list[str]:
    """The outcomes worth plotting against swept values: exit probability of the focus
    members (without a focus, of the three allies most likely to leave) and cohesion at the
    horizon."""
    focus = res.manifest.plan.focus or []
    if not focus:  # the (at most three) members most likely to leave
        runs = res.runs
        p = {
            c: runs[f"{c}_exited"].mean()
            for c in plots.ALLIES
            if f"{c}_exited" in runs and runs[f"{c}_exited"].notna().any()
        }
        focus = [c for c in sorted(p, key=p.get, reverse=True) if p[c] > 0][:3]
    return [f"{c}_exited" for c in focus] + ["cohesion_final"]


def fitting_kinds(res: Result) -> list[str]:
    """The kinds of figure this result supports: response curves only where a parameter was
    swept, a heatmap where two were, sensitivity where the design was drawn for it."""
    swept = res.swept
    kinds = ["fan", "status", "cohesion"]
    if swept:
        kinds.append("response")
    if len(swept) >= 2:
        kinds.append("heatmap")
    if res.manifest.plan.sampler in ("saltelli", "morris"):
        kinds.append("sensitivity")
    return kinds


def write_figures(
    res: Result,
    out: str | os.PathLike,
    kinds: list[str] | None = None,
    fmt: str = "png",
    outcomes: list[str] | None = None,
) -> list[Path]:
    """Write the figures of ``kinds`` (default: every kind that fits) into directory ``out``;
    return their paths.  Asking for a kind that does not fit raises ValueError."""
    fits = fitting_kinds(res)
    kinds = kinds or fits
    if len(res.swept) >= 2:  # on request only: one figure per outcome over every pair
        fits = [*fits, "pairs"]
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"unknown figure kind {k!r}; allowed: {', '.join(KINDS)}")
        if k not in fits:
            why = {
                "response": "no parameter was swept",
                "heatmap": "fewer than two parameters were swept",
                "sensitivity": "the sweep was not sampled with saltelli or morris",
                "pairs": "fewer than two parameters were swept",
            }[k]
            raise ValueError(f"{res.directory}: no {k} figure: {why}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    m = res.manifest
    outcomes = outcomes or default_outcomes(res)
    for o in outcomes:
        if o not in res.runs:
            from alliance_sim.analysis.sensitivity import outcome_columns
            from alliance_sim.errors import did_you_mean

            raise ValueError(
                f"{res.directory}: no outcome {o!r} in runs.parquet"
                f"{did_you_mean(o, outcome_columns(res))}"
            )
    paths: list[Path] = []
    if "fan" in kinds:
        paths.append(plots.fan_chart(res, out / f"fan.{fmt}"))
    if "status" in kinds:
        paths.append(plots.status_probability(res, out / f"status.{fmt}"))
    if "cohesion" in kinds:
        paths.append(plots.cohesion_chart(res, out / f"cohesion.{fmt}"))
    if "response" in kinds:
        for p, o in itertools.product(res.swept, outcomes):
            paths.append(
                sweep_plots.response(res.runs, m, p, o, out / f"response_{_safe(p)}_{o}.{fmt}")
            )
    if "heatmap" in kinds:
        p1, p2 = res.swept[:2]
        for o in outcomes:
            paths.append(sweep_plots.heatmap(res.runs, m, p1, p2, o, out / f"heatmap_{o}.{fmt}"))
    if "sensitivity" in kinds:
        from alliance_sim.analysis.reliability import constant_outcome
        from alliance_sim.analysis.sensitivity import analyse

        for o in outcomes:
            if constant_outcome(res, o):  # nothing to attribute: no figure of zeros
                continue
            table = analyse(res, o)
            paths.append(sweep_plots.sensitivity_chart(table, m, out / f"sensitivity_{o}.{fmt}"))
    if "pairs" in kinds:
        from alliance_sim.report.pairs import pairs_plot

        for o in outcomes:
            paths.append(pairs_plot(res.runs, m, res.swept, o, out / f"pairs_{o}.{fmt}"))
    return paths


def _safe(name: str) -> str:
    return name.replace(".", "-")
