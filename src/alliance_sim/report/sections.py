"""Sections of a comparison report that say what its numbers rest on: each scenario's range
over what the record does not pin down (the shipped robustness analysis, at its own horizon),
and what each scenario scripts and what the model decides.  Lines starting "- " nest under
the line before them."""

from __future__ import annotations

from alliance_sim.analysis.comparison import display_names
from alliance_sim.runs.results import Result


def nested_html(lines: list[str]) -> list[str]:
    """``<li>`` items, a line starting "- " nested under the line before it."""
    from html import escape as esc

    out: list[str] = []
    for x in lines:
        if x.startswith("- ") and out:
            inner = f"<li>{esc(x[2:])}</li>"
            if out[-1].endswith("</ul></li>"):
                out[-1] = out[-1].removesuffix("</ul></li>") + inner + "</ul></li>"
            else:
                out[-1] = out[-1].removesuffix("</li>") + f"<ul>{inner}</ul></li>"
        else:
            out.append(f"<li>{esc(x.removeprefix('- '))}</li>")
    return out


def rests_on_lines(results: list[Result], when: str | None = None) -> list[str]:
    """Each compared scenario's range over what the record does not pin down (the shipped
    robustness analysis of that very scenario, read at its own horizon, which ``when`` -- the
    quarter compared -- is set beside), or the command that would measure it; none for a
    sweep."""
    from pathlib import Path

    from alliance_sim.report.robustness import rests_on

    lines: list[str] = []
    for r in results:
        if r.swept:  # a sweep's spread is its own design
            continue
        m = r.manifest
        name, path = Path(m.scenario_path).stem, m.scenario_path
        lines += rests_on(name, path, m.scenario_hash, m.plan.end, compared_at=when)
    return lines or ["Sweeps only: their spread over their own design is what they answer."]


def nested_md(lines: list[str]) -> list[str]:
    """Markdown list items, a line starting "- " nested under the line before it."""
    from alliance_sim.textsafe import md

    return [f"  - {md(x[2:])}" if x.startswith("- ") else f"- {md(x)}" for x in lines]


def scripted_lines(results: list[Result]) -> list[str]:
    """Per compared scenario, its scheduled events and what the model decides, and under it
    each event aimed at a member that most runs no longer have by then."""
    from alliance_sim.report.scripted import sentence

    names = display_names(results)
    out: list[str] = []
    for n, r in zip(names, results, strict=True):
        out.append(sentence(n, r.manifest.scenario or {}, r.manifest.plan))
        out += [f"- {x}" for x in gone_before(r, n)]
    return out


#: an event aimed at a member gone from this share of runs or more is pointed out
GONE = 0.25


def gone_before(r: Result, name: str | None = None) -> list[str]:
    """Events of ``r`` (named ``name`` in the report) aimed at one member that had left,
    before the event's quarter, in :data:`GONE` of the runs or more: the event reaches the
    others only (a report listed a 2030 offer to Armenia as scripted in a scenario where
    Armenia had left in most runs by then).  An event whose quarter a sweep varies is left
    out: it has no one quarter."""
    from alliance_sim.core import quarters
    from alliance_sim.report.headline import NAMES

    plan, runs = r.plan, None
    swept = {a.name for a in plan.axes}
    out = []
    for ev in (r.manifest.scenario or {}).get("events", []) or []:
        code, at = ev.get("member"), str(ev.get("at", ""))
        if ev.get("type") in ("application", "accession") or not code or not at:
            continue
        if f"events.{ev.get('id')}.at" in swept:
            continue
        try:
            step = quarters.steps_between(plan.start, at)
        except ValueError:  # not a quarter: the scenario check has said so
            continue
        if not 0 < step <= quarters.steps_between(plan.start, plan.end):
            continue
        if runs is None:  # runs that raised have no outcome
            runs = r.runs[r.runs["error"].isna()] if "error" in r.runs else r.runs
        if f"{code}_exit_step" not in runs or f"{code}_commitment" not in runs:
            continue
        joined = runs[f"{code}_commitment"].notna()
        if not joined.any():
            continue
        left = float((runs.loc[joined, f"{code}_exit_step"] < step).mean())
        if left >= GONE:
            who = NAMES.get(code, code)
            out.append(
                f"{who} has left before {at} in {left:.0%} of {name or r.name}'s runs: its {at} "
                f"{ev.get('type')} acts in the other {1 - left:.0%} only"
            )
    return out
