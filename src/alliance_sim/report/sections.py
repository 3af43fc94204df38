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


def scripted_lines(results: list[Result]) -> list[str]:
    """Per compared scenario, its scheduled events and what the model decides."""
    from alliance_sim.report.scripted import sentence

    names = display_names(results)
    return [
        sentence(n, r.manifest.scenario or {}, r.manifest.plan)
        for n, r in zip(names, results, strict=True)
    ]
