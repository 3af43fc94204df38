"""What alliance-sim refuses to touch in a result directory because it did not write it: a
file of its own name that is someone else's (a ``chunks.jsonl`` of one's notes, a link), or a
folder or link where a part goes.  Each is one line before anything is written or deleted,
saying to move it out (alliance-sim deletes only what it wrote)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alliance_sim.errors import StoreError
from alliance_sim.runs.integrity import JOURNAL, journal_is_ours
from alliance_sim.runs.layout import PART, TABLES, is_export, table_path


def plain(p: Path) -> bool:
    """A file, not a link or a folder: what alliance-sim writes."""
    return p.is_file() and not p.is_symlink()


AGAIN = "run the same command again"
#: what to do after moving a user's file out of a result whose manifest is lost or damaged
FORCE_AFTER = "then run the same command with --force (the manifest is lost or damaged)"


def _refuse(
    p: Path, directory: Path, what: str = "a file written by alliance-sim", then: str = AGAIN
) -> None:
    raise StoreError(
        f"{p} is not {what}; move it out of {directory} (alliance-sim deletes only what it "
        f"wrote) and {then}"
    )


def refuse_foreign_manifest(directory: Path) -> None:
    """One line if ``DIR/manifest.json`` is there and is not a file (a folder, a link): read
    as no manifest, it was replaced with --force, which then failed on the folder (red-team)."""
    m = directory / "manifest.json"
    if (m.exists() or m.is_symlink()) and not plain(m):
        _refuse(m, directory, "a manifest written by alliance-sim", FORCE_AFTER)


def refuse_foreign_files(directory: Path) -> None:
    """:func:`refuse_foreign_manifest`, :func:`refuse_foreign_journal`, and a folder where a
    result's summary or figure goes (``summary.json`` as a folder: a finished run said
    "nothing to run", then failed with "Is a directory"; with --force, after re-running every
    run: red-team)."""
    refuse_foreign_manifest(directory)
    refuse_foreign_journal(directory)
    if is_export(directory):  # its copy of the manifest read as a finished or other sweep
        raise StoreError(
            f"{directory} holds a CSV export (alliance-sim export wrote it), not a result; "
            "allowed: another --out (an export is never resumed or replaced by a run)"
        )
    for name in ("summary.json", "by_point.csv", "commitment.png"):
        if (directory / name).is_dir():
            _refuse(directory / name, directory)


def refuse_foreign_journal(directory: Path) -> None:
    """One line if ``DIR/chunks.jsonl`` is there and is not a journal alliance-sim wrote (a
    user's file, a link, a folder): it would be appended to, or deleted."""
    j = directory / JOURNAL
    if (j.exists() or j.is_symlink()) and not journal_is_ours(j):
        _refuse(j, directory, "the journal of a sweep alliance-sim wrote")


def refuse_odd_parts(
    directory: Path, chunks: Iterable[int] | None = None, folders: bool = False, then: str = AGAIN
) -> None:
    """One line if a folder or a link sits where a part goes: of the ``chunks`` to be
    written, or (None) anywhere in the table folders; and if a file sits where a table folder
    goes, when ``folders`` (the result's tables are folders of parts: format 2) or another
    table is one (a user's merged ``runs.parquet`` beside ``timeseries.parquet/``; a result
    of a version before format 2 has every table as one file)."""
    chunks = None if chunks is None else list(chunks)  # read once per table, not once in all
    paths = [table_path(directory, t) for t in TABLES]
    folders = folders or any(d.is_dir() and not d.is_symlink() for d in paths)
    for t in TABLES:
        d = table_path(directory, t)
        if d.is_symlink():  # a table folder that is a link: ours are folders (--force unlinked it)
            _refuse(d, directory, "a folder written by alliance-sim", then)
        if folders and d.is_file():
            _refuse(d, directory, "what alliance-sim wrote there (a folder of parts)", then)
        if not d.is_dir():
            continue
        if chunks is None:
            odd = sorted(p for p in d.iterdir() if PART.match(p.name) and not plain(p))
        else:
            names = (d / f"part-{i:06d}.parquet" for i in chunks)
            odd = [p for p in names if p.is_symlink() or p.is_dir()]
        if odd:
            _refuse(odd[0], directory, then=then)
