"""Figure files alliance-sim writes carry its mark in their metadata (PNG ``Software``, SVG
and PDF ``Creator``: "alliance-sim <version>"), and a file of the same name without it -- a
figure the user made, or any other file -- is never replaced: the write is refused with one
line naming the file and the option."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from alliance_sim.paths import FIGURE, ours_or_new, user_path

MARK = FIGURE  # "alliance-sim VERSION" in the figure's metadata (see alliance_sim.paths)
FORMATS = ("png", "svg", "pdf")
#: the last line of a comparison report alliance-sim writes (a comment in HTML and Markdown)
REPORT_END = "<!-- the end of a report written by alliance-sim: edits are never replaced -->\n"
#: a comparison report as alliance-sim wrote it (HTML or Markdown), from its first bytes to
#: its last line: all it replaces.  A report with notes added to it no longer ends that way,
#: so the notes are not lost to the next ``compare`` (they were, silently: a new user's).
REPORT = re.compile(
    rb"\A(?:<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>|# )"
    rb"Scenario comparison: .*" + re.escape(REPORT_END.encode()) + rb"\Z",
    re.S,
)
_KEY = {"png": "Software", "svg": "Creator", "pdf": "Creator"}


def figure_path(path: str | os.PathLike, option: str = "--out") -> Path:
    """``path`` as the file a figure will be written to: ``.png`` added when it has no
    suffix (as matplotlib does, so the path returned is the file written); refused (one
    line) if its format is not one of :data:`FORMATS` or if it is a file alliance-sim did
    not write (it carries no mark: :data:`alliance_sim.paths.FIGURE`)."""
    p = user_path(path)
    if not p.suffix:
        p = p.with_name(p.name + ".png")
    fmt = p.suffix[1:].lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"{option} {p}: unknown figure format {fmt!r}; allowed {', '.join(FORMATS)}"
        )
    return ours_or_new(p, MARK, "figure", option, whole=True)


def check_figure_folder(folder: Path, report: Path, option: str = "--out") -> None:
    """Refuse (one line) the folder a Markdown ``report`` puts its figures in if it is not a
    folder or holds anything but figures alliance-sim wrote (they would be replaced)."""
    from alliance_sim.errors import UserError
    from alliance_sim.paths import marked

    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UserError(
            f"{option} {report}: its figures go into {folder}, which is not a folder; choose "
            f"another {option}"
        )
    for p in sorted(folder.iterdir()) if folder.is_dir() else []:
        if p.is_symlink() or not p.is_file() or not marked(p, MARK, whole=True):
            raise UserError(
                f"{option} {report}: {folder} holds {p.name}, which no report of alliance-sim "
                f"wrote (its figures would replace it); choose another {option}"
            )


def report_format(out: str | os.PathLike, fmt: str | None) -> str:
    """``html`` or ``md``: ``fmt``, or what ``out``'s suffix says; ValueError for any other,
    or for a ``fmt`` its suffix contradicts."""
    from alliance_sim.errors import UserError

    if not isinstance(out, str | os.PathLike) or not os.fspath(out).strip():  # None, ''
        raise UserError(f"out = {out!r:.80}: allowed a path ending .html or .md")
    if fmt is not None and fmt not in ("html", "md"):  # it read "got .html" for r.html
        raise UserError(f"fmt = {fmt!r:.80}: allowed 'html' or 'md' (or None: from the suffix)")
    suffix = {".html": "html", ".htm": "html", ".md": "md"}.get(Path(out).suffix.lower())
    fmt = fmt or suffix
    if fmt not in ("html", "md"):
        raise ValueError(
            f"{out}: a report is .html or .md (or name fmt='html' or 'md'); got "
            f"{Path(out).suffix or 'no suffix'}"
        )
    if suffix is not None and fmt != suffix:
        raise ValueError(f"fmt={fmt!r} does not match {out} (a .{suffix} file)")
    return fmt


def png_mark() -> dict[str, str]:
    """The mark as ``savefig(..., metadata=)`` of a PNG (a report's embedded figures)."""
    from alliance_sim import __version__

    return {"Software": f"alliance-sim {__version__}"}


def save(
    fig: Any, path: str | os.PathLike, option: str = "--out", checked: bool = False, **kwargs: Any
) -> Path:
    """Write matplotlib figure ``fig`` to ``path`` (see :func:`figure_path`) with the mark;
    ``kwargs`` go to ``savefig``. Returns the path written.  ``checked``: the caller has
    already made sure, before any work, that ``path`` lies in a folder holding only its own
    earlier output (a backtest's, a calibration report's, a robustness analysis's), which
    may predate the mark."""
    from alliance_sim import __version__

    p = user_path(path) if checked else figure_path(path, option)
    fmt = p.suffix[1:].lower()
    fig.savefig(p, metadata={_KEY[fmt]: f"alliance-sim {__version__}"}, **kwargs)
    return p
