"""Figure styles: ``screen`` (the default: small sans-serif type, light grid, 130 dpi) and
``paper`` (``alliance-sim plot --style paper``, ``compare --style paper``,
``write_figures(..., style="paper")``): serif type, no grid, 300 dpi, figures at most 7 in
wide (6.5 in for a single panel, a journal's text width), so they go into a manuscript
unscaled.

A style is chosen for a block of drawing with :func:`use_style`; the drawing functions read it
(:func:`current`), so one switch covers every figure of a ``plot`` or a report.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Style:
    """``rc``: matplotlib settings; ``dpi``: of a saved file; ``max_width``: inches (None:
    as drawn), ``single_width`` for a one-panel figure; ``grid``: light grid lines."""

    name: str
    rc: dict[str, Any] = field(default_factory=dict)
    dpi: int = 130
    max_width: float | None = None
    single_width: float | None = None
    grid: bool = True


BASE = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.parse_math": False,  # scenario names are text: "$5bn deal$" is not maths
    # TrueType (Type 42) fonts in PDF and PostScript, not Type 3: journals' submission
    # checks refuse Type 3, and its text cannot be searched or edited
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
}
STYLES = {
    "screen": Style("screen", {**BASE, "font.size": 9, "axes.titlesize": 10}),
    "paper": Style(
        "paper",
        {
            **BASE,
            "font.family": "serif",
            "font.serif": ["DejaVu Serif", "Times New Roman", "Times"],
            "font.size": 8,
            "axes.titlesize": 8.5,
            "axes.labelsize": 8,
            "xtick.labelsize": 7,
            "ytick.labelsize": 7,
            "legend.fontsize": 7,
            "lines.linewidth": 1.2,
            "axes.linewidth": 0.6,
        },
        dpi=300,
        max_width=7.0,
        single_width=6.5,
        grid=False,
    ),
}
_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("style", default="screen")


def check_style(name: str) -> str:
    if name not in STYLES:
        raise ValueError(f"unknown figure style {name!r}; allowed: {', '.join(STYLES)}")
    return name


@contextlib.contextmanager
def use_style(name: str | None) -> Iterator[Style]:
    """Draw the figures made inside the block in style ``name`` (None: leave it as it is)."""
    if name is None:
        yield current()
        return
    token = _CURRENT.set(check_style(name))
    try:
        yield STYLES[name]
    finally:
        _CURRENT.reset(token)


def current() -> Style:
    return STYLES[_CURRENT.get()]


def fit_size(
    figsize: tuple[float, float] | None,
    panels: int,
    paper: tuple[float, float] | None = None,
) -> tuple[float, float] | None:
    """``figsize`` scaled to the style's width (keeping its shape), or the figure's own
    ``paper`` size on paper; as given on screen."""
    s = current()
    if figsize is None or s.max_width is None:
        return figsize
    if paper is not None:
        return paper
    width = s.single_width if panels <= 1 and s.single_width else s.max_width
    w, h = figsize
    return (width, h * width / w) if w > width else (w, h)


def size(points: float) -> float:
    """A small text's font size: as given on screen, at least 6.5 pt on paper (the smallest
    type a journal prints legibly)."""
    return points if current().name == "screen" else max(points, 6.5)
