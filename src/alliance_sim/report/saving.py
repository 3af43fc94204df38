"""Figure files alliance-sim writes carry its mark in their metadata (PNG ``Software``, SVG
and PDF ``Creator``: "alliance-sim <version>"), and a file of the same name without it -- a
figure the user made, or any other file -- is never replaced: the write is refused with one
line naming the file and the option."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

# where a figure names its result (in paths: runs/health, before report/, reads it too)
from alliance_sim.paths import (
    FIGURE,
    _shown,
    marked,
    ours_or_new,
    source_of,  # noqa: F401
    user_path,
)

MARK = FIGURE  # "alliance-sim VERSION" in the figure's metadata (see alliance_sim.paths)
FORMATS = ("png", "svg", "pdf")
#: how a comparison report alliance-sim writes begins (HTML or Markdown)
REPORT = re.compile(
    rb"\A(?:<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>|# )"
    rb"Scenario comparison: "
)
#: its last line, a comment in HTML and Markdown, sealing every byte above it: a report is
#: replaced only while the seal holds, so notes added anywhere in it are never lost to the
#: next ``compare`` (they were, silently: a new user's trial)
SEAL = re.compile(rb"<!-- sealed by alliance-sim: sha256 ([0-9a-f]{64}) of all above -->\n\Z")


def sealed(data: bytes) -> bool:
    """Whether ``data`` is a comparison report exactly as alliance-sim wrote it."""
    end = SEAL.search(data[-200:])
    if not REPORT.match(data) or end is None:
        return False
    body = data[: len(data) - len(end.group(0))]
    return hashlib.sha256(body).hexdigest().encode() == end.group(1)


def write_report(out: Path, text: str) -> Path:
    """Write the report ``text`` to ``out`` with its seal, atomically (a write cut short left a
    file no later ``compare`` would replace) and byte for byte (no newline translation)."""
    from alliance_sim.runs.atomic import atomic_write_bytes

    body = text.encode("utf-8")
    seal = (
        f"<!-- sealed by alliance-sim: sha256 {hashlib.sha256(body).hexdigest()} of all above -->\n"
    )
    atomic_write_bytes(out, body + seal.encode())
    return out


def report_out(out: Path, option: str = "--out") -> Path:
    """``out`` as a report to write: refused (one line) if a file there is not a report
    alliance-sim wrote, or is one that has been changed since (or predates the seal)."""
    from alliance_sim.errors import UserError
    from alliance_sim.paths import writable_file

    writable_file(out, option)  # from Python too: /proc/x/r.html raised FileNotFoundError
    if out.is_file() and not out.is_symlink() and marked(out, REPORT) and not _sealed(out):
        raise UserError(
            f"{option} {_shown(out)} is a report alliance-sim wrote, changed since (notes "
            "added, cut short, or written before reports were sealed): alliance-sim does not "
            "replace it; "
            f"rename or remove it, or choose another {option}"
        )
    return ours_or_new(out, REPORT, "report", option)


def _sealed(path: Path) -> bool:
    with open(path, "rb") as f:
        return sealed(f.read())


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


_SOURCE = {"png": "Source", "svg": "Source", "pdf": "Subject"}


def source_mark(fingerprint: str) -> bytes:
    """How a figure names the result it draws, in its metadata (stored uncompressed in PNG,
    SVG and PDF alike), so that a figure of this result is told from another's."""
    return f"alliance-sim result {fingerprint}".encode()


def save(
    fig: Any,
    path: str | os.PathLike,
    option: str = "--out",
    checked: bool = False,
    source: str | None = None,
    **kwargs: Any,
) -> Path:
    """Write matplotlib figure ``fig`` to ``path`` (see :func:`figure_path`) with the mark;
    ``kwargs`` go to ``savefig``. Returns the path written.  ``checked``: the caller has
    already made sure, before any work, that ``path`` lies in a folder holding only its own
    earlier output (a backtest's, a calibration report's, a robustness analysis's), which
    may predate the mark.  ``source``: the fingerprint of the result drawn, kept in the
    figure's metadata (:func:`source_mark`)."""
    from alliance_sim import __version__

    p = user_path(path) if checked else figure_path(path, option)
    fmt = p.suffix[1:].lower()
    meta = {_KEY[fmt]: f"alliance-sim {__version__}"}
    if source:
        meta[_SOURCE[fmt]] = source_mark(source).decode()
    fig.savefig(p, metadata=meta, **kwargs)
    return p
