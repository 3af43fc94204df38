"""Figure files alliance-sim writes carry its mark in their metadata (PNG ``Software``, SVG
and PDF ``Creator``: "alliance-sim <version>"), and a file of the same name without it -- a
figure the user made, or any other file -- is never replaced: the write is refused with one
line naming the file and the option."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alliance_sim.paths import ours_or_new, result_folder_of

MARK = b"alliance-sim"
FORMATS = ("png", "svg", "pdf")
_KEY = {"png": "Software", "svg": "Creator", "pdf": "Creator"}


def figure_path(path: str | os.PathLike, option: str = "--out") -> Path:
    """``path`` as the file a figure will be written to: ``.png`` added when it has no
    suffix (as matplotlib does, so the path returned is the file written); refused (one
    line) if its format is not one of :data:`FORMATS` or if it is a file alliance-sim did
    not write.  A result directory's own figure (``commitment.png``) is the tool's."""
    p = Path(path)
    if not p.suffix:
        p = p.with_name(p.name + ".png")
    fmt = p.suffix[1:].lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"{option} {p}: unknown figure format {fmt!r}; allowed {', '.join(FORMATS)}"
        )
    if result_folder_of(p) is not None:
        return p
    return ours_or_new(p, MARK, "figure", option, whole=True)


def save(
    fig: Any, path: str | os.PathLike, option: str = "--out", checked: bool = False, **kwargs: Any
) -> Path:
    """Write matplotlib figure ``fig`` to ``path`` (see :func:`figure_path`) with the mark;
    ``kwargs`` go to ``savefig``. Returns the path written.  ``checked``: the caller has
    already made sure, before any work, that ``path`` lies in a folder holding only its own
    earlier output (a backtest's, a calibration report's, a robustness analysis's), which
    may predate the mark."""
    from alliance_sim import __version__

    p = Path(path) if checked else figure_path(path, option)
    fmt = p.suffix[1:].lower()
    fig.savefig(p, metadata={_KEY[fmt]: f"alliance-sim {__version__}"}, **kwargs)
    return p
