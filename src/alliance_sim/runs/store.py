"""The result store: a directory of Parquet tables and a manifest, written so that an
interrupted sweep loses nothing it had finished.

Layout::

    DIR/manifest.json        resolved scenario, hash, version, plan, points, seeds, status
    DIR/runs.parquet/        one row per run: ids, seed, swept values, outcomes, error
    DIR/timeseries.parquet/  one row per run, quarter and member
    DIR/alliance.parquet/    one row per run and quarter (cohesion, influence, counts)

Each table is a folder of Parquet files, ``part-NNNNNN.parquet`` for chunk NNNNNN of the plan
(then ``part-round-NNN.parquet`` per refine round), which pandas, pyarrow, DuckDB, Polars or
R's arrow open as one table in row order (:func:`alliance_sim.runs.results.open_dataset`).
Chunks are written where they stay: finishing a sweep rewrites nothing.

Every file is written to a hidden temporary name and renamed into place (atomic on POSIX;
readers skip hidden files); a chunk counts as done only when all three of its files are
there (``runs`` is written last).  The manifest says ``complete`` only after every chunk is
stored, so a kill at any moment leaves a state the same command resumes to identical data.
While a process writes, it holds ``DIR/.alliance-sim.lock`` (:mod:`filelock`); a second
writer is refused with one line.

``--force`` replaces only what this tool wrote (recognised by a readable ``manifest.json``):
the manifest, the tables' part and temporary files (a table folder goes only when nothing else
is in it), the ``chunks/`` folder of result directories written before 0.2 and the run
figure.  Other files are left alone, and symbolic links are never followed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa

from alliance_sim.errors import StoreError
from alliance_sim.paths import RESULT_OUTPUTS, marked, user_path
from alliance_sim.runs.atomic import atomic_parquet
from alliance_sim.runs.foreign import FORCE_AFTER, refuse_foreign_files, refuse_odd_parts
from alliance_sim.runs.integrity import (
    JOURNAL,
    PartRecord,
    append_journal,
    digest_file,
    fsync_dir,
    journal_is_ours,
    parquet_rows,
    problem,
    read_journal,
)
from alliance_sim.runs.locks import LOCK, writer
from alliance_sim.runs.results import MANIFEST, PART, TABLES, Manifest, table_path

_NAMES = "|".join(
    [re.escape(MANIFEST), r"part-(?:\d{6}|round-\d{3})\.parquet"]
    + [rf"{t}(?:-\d{{6}})?\.parquet" for t in TABLES]
)
_TEMP = re.compile(rf"^\.(?:{_NAMES})\.tmp\d+$")  # atomic.temp_name of our files
#: files of a result directory that this tool writes (and so may replace with --force)
OWNED = (
    MANIFEST,
    *(f"{t}.parquet" for t in TABLES),
    JOURNAL,
    "commitment.png",
    "summary.json",
    "by_point.csv",
)
#: before 0.2, chunks were written to DIR/chunks/ and merged into single-file tables
_CHUNK = re.compile(r"^(?:" + "|".join(TABLES) + r")-\d{6}\.parquet$")


def _unlink(p: Path) -> None:
    """Remove a file or a symbolic link (never what a link points to); gone already is fine."""
    try:
        if p.is_symlink() or p.is_file():
            p.unlink()
    except FileNotFoundError:
        pass


def _not_a_sweep(directory: Path, foreign: list[str], ours: bool = False) -> StoreError:
    if ours:  # its tables or journal without the manifest that says what they hold
        return StoreError(
            f"{directory} holds a result's tables but no manifest.json, so what they hold "
            "cannot be known; add --force to replace them (only alliance-sim's own files are "
            "removed) or choose another --out"
        )
    return StoreError(
        f"{directory} holds files that are not a result (no manifest.json), e.g. "
        f"{sorted(foreign)[0]!r}; choose another --out (--force only replaces "
        "a result directory written by alliance-sim)"
    )


class Store:
    """One result directory."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.dir = user_path(directory)
        self.chunks = self.dir / "chunks"

    # --- manifest ---------------------------------------------------------------------------
    def read_manifest(self) -> Manifest | None:
        return Manifest.read(self.dir)

    def read_manifest_quietly(self) -> Manifest | None:
        """The manifest, or None if there is none or it cannot be read (no error)."""
        try:
            return Manifest.read(self.dir)
        except StoreError:
            return None

    def write_manifest(self, manifest: Manifest) -> None:
        manifest.write(self.dir)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the directory's write lock (created if need be); a second writer gets one
        line (:class:`StoreError`) instead of a race."""
        if self.dir.is_symlink() and not self.dir.exists():
            raise StoreError(f"{self.dir} is a broken symbolic link; choose another --out")
        if self.dir.exists() and not self.dir.is_dir():
            raise StoreError(f"{self.dir} exists and is a file; --out needs a folder")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"{self.dir}: cannot write here ({e.strerror})") from None
        if not (self.dir / MANIFEST).exists() and not (self.dir / LOCK).exists():
            foreign = [p.name for p in self.dir.iterdir() if not _TEMP.match(p.name)]
            if foreign and not self._looks_ours():  # refused before the lock file is made
                raise _not_a_sweep(self.dir, foreign)
        made = not (self.dir / LOCK).exists()
        try:
            with writer(self.dir):
                yield
        finally:  # a lock file made in a folder that is no result (a refusal): not left there
            if made and not (self.dir / "runs.parquet").is_dir() and not self._looks_ours():
                _unlink(self.dir / LOCK)

    def prepare(
        self,
        fingerprint: str,
        force: bool = False,
        differs: Callable[[Manifest], str] | None = None,
    ) -> Manifest | None:
        """Make the (locked) directory ready for the sweep with ``fingerprint``.

        Returns the existing manifest when the directory holds the same sweep (resume), None
        when it is new.  A directory holding anything else is refused unless ``force``, and
        even then only a result directory of this tool is replaced (only its own files);
        ``differs(old)`` says in words what the directory holds instead.
        """
        refuse_foreign_files(self.dir)  # a user's chunks.jsonl, a folder as manifest.json
        try:
            old = self.read_manifest()
        except StoreError as e:
            if not (force and self._looks_ours()):
                if self._looks_ours():  # what --force would refuse, said now (one step)
                    refuse_odd_parts(self.dir, then=FORCE_AFTER)
                advice = (
                    "add --force to replace it (only alliance-sim's own files are removed)"
                    if self._looks_ours()
                    else "choose another --out"
                )
                raise StoreError(
                    f"{self.dir / MANIFEST} cannot be used ({str(e).split('; ')[0]}); {advice}"
                ) from None
            self.clear()  # --force on a result directory of ours whose manifest is damaged
            return None
        names = [p.name for p in self.dir.iterdir() if p.name != LOCK]
        if old is not None or all(_TEMP.match(n) for n in names):
            self.drop_temps()  # left by a killed writer of ours; we hold the lock
        if old is not None and old.fingerprint == fingerprint and not force:
            return old
        foreign = [p.name for p in self.dir.iterdir() if p.name != LOCK]
        if foreign:
            if old is None:
                if not (force and self._looks_ours()):
                    if self._looks_ours():  # what --force would refuse, said now (one step)
                        refuse_odd_parts(self.dir, then=FORCE_AFTER)
                    raise _not_a_sweep(self.dir, foreign, self._looks_ours())
                self.clear()  # --force on a result directory of ours whose manifest was lost
                return None
            if not force:
                what = (
                    differs(old)
                    if differs is not None
                    else f"{old.kind} of {old.scenario_name!r}, {old.plan.n_runs} runs"
                )
                raise StoreError(
                    f"{self.dir} holds another {what}; choose another --out or add --force "
                    "to replace it"
                )
            self.clear(old)
        return None

    def beside(self) -> list[str]:
        """What the directory holds that is not the result's own (an export's ``csv/``, a
        report, a user's notes): ``--force`` keeps it, and it may describe the result it
        replaced."""
        own = {*OWNED, LOCK, self.chunks.name}
        return sorted(
            p.name + ("/" if p.is_dir() else "")
            for p in self.dir.iterdir()
            if p.name not in own and not _TEMP.match(p.name)
        )

    def _looks_ours(self) -> bool:
        """A folder alliance-sim wrote, though its manifest is damaged or lost: its journal,
        or a table folder holding a part named as alliance-sim names them
        (``part-000000.parquet``; a folder called ``runs.parquet`` alone proves nothing:
        Spark and pyarrow datasets are folders of that kind too)."""
        if journal_is_ours(self.dir / JOURNAL, evidence=True):
            return True
        for t in TABLES:
            d = self.dir / f"{t}.parquet"
            if d.is_dir() and not d.is_symlink() and any(PART.match(p.name) for p in d.iterdir()):
                return True
        return False

    def clear(self, old: Manifest | None = None) -> None:
        """Delete what this tool wrote here (manifest last), leaving every other file.  With
        the ``old`` manifest, a table folder loses only the parts its plan wrote (a file
        named like a part that the plan did not write -- an extra copy -- stays); without one
        (a damaged manifest), every file named like a part."""
        from alliance_sim.runs.integrity import expected_parts

        refuse_foreign_files(self.dir)
        # before deleting anything, not halfway through; a file where a format-2 result's
        # table folder goes is someone else's (a merged runs.parquet), manifest or none
        refuse_odd_parts(self.dir, folders=old is not None and old.format >= 2)
        wrote = expected_parts(old) if old is not None else None
        if wrote is not None:  # an interrupted refine round's parts are ours too
            rounds = {f"part-round-{int(r['round']):03d}.parquet" for r in old.rounds
                      if isinstance(r.get("round"), int)}  # fmt: skip
            wrote = {t: names | rounds for t, names in wrote.items()}
        if wrote is not None:
            for t in TABLES:  # refuse before deleting anything, not halfway through
                d = table_path(self.dir, t)
                stray = sorted(
                    p.name for p in d.iterdir() if PART.match(p.name) and p.name not in wrote[t]
                ) if d.is_dir() and not d.is_symlink() else []  # fmt: skip
                if stray:
                    raise StoreError(
                        f"{d / stray[0]} is not a part the {old.kind} in {self.dir} wrote; move it "
                        "out (alliance-sim deletes only what it wrote) and run the same command "
                        "again"
                    )
        self.drop_chunks()
        self.drop_temps()
        for name in OWNED[::-1]:  # manifest.json is first in OWNED: removed last
            p = self.dir / name
            table = next((t for t in TABLES if table_path(self.dir, t) == p), None)
            if p.is_dir() and not p.is_symlink():  # a folder of another name is not ours
                if table is not None:
                    self._drop_table_dir(p, None if wrote is None else wrote.get(table, set()))
            elif name not in RESULT_OUTPUTS or (p.is_file() and marked(p, RESULT_OUTPUTS[name])):
                _unlink(p)  # a summary.json, by_point.csv, commitment.png of someone else's stays

    def remove(self) -> None:
        """Delete what this tool wrote here, then the folder if nothing else is in it (a
        finished refine round's staging folder: a file someone else put there stays)."""
        with contextlib.suppress(StoreError):  # a part its plan did not write: kept
            self.clear(self.read_manifest_quietly())
        _unlink(self.dir / LOCK)
        if not any(self.dir.iterdir()):
            self.dir.rmdir()

    def _drop_table_dir(self, d: Path, wrote: set[str] | None = None) -> None:
        """Delete a table folder's part files -- those in ``wrote`` when given -- (the first
        chunk's ``runs`` part is not special here: the manifest is still there and says what
        to resume), then the folder if nothing else is in it."""
        for p in sorted(d.iterdir(), key=lambda p: p.name):
            if _TEMP.match(p.name) or (PART.match(p.name) and (wrote is None or p.name in wrote)):
                _unlink(p)
        with contextlib.suppress(OSError):  # it holds files we did not write: leave them
            d.rmdir()

    def _table_dirs(self) -> list[Path]:
        dirs = [table_path(self.dir, t) for t in TABLES]
        return [d for d in dirs if d.is_dir() and not d.is_symlink()]

    def drop_temps(self) -> None:
        """Remove temporary files left by a killed writer (only with the lock held)."""
        for d in (self.dir, self.chunks, *self._table_dirs()):
            if d.is_dir() and not d.is_symlink():
                for p in d.iterdir():
                    if _TEMP.match(p.name):
                        _unlink(p)

    def drop_chunks(self) -> None:
        """Delete the ``chunks/`` folder of a result directory written before 0.2 (chunk files
        merged at the end), each chunk's ``runs`` file first, then the folder if nothing else
        is in it."""
        if self.chunks.is_symlink():  # a link someone made: not ours to delete
            return
        if not self.chunks.is_dir():
            return
        ids = {int(p.stem.split("-")[1]) for p in self.chunks.iterdir() if _CHUNK.match(p.name)}
        for i in sorted(ids):
            for t in ("runs", *(t for t in TABLES if t != "runs")):
                _unlink(self.chunks / f"{t}-{i:06d}.parquet")
        for p in self.chunks.iterdir():
            if _TEMP.match(p.name):
                _unlink(p)
        with contextlib.suppress(OSError):
            self.chunks.rmdir()

    # --- chunks -----------------------------------------------------------------------------
    def part(self, table: str, i: int) -> Path:
        """The file of chunk ``i`` of ``table``."""
        return table_path(self.dir, table) / f"part-{i:06d}.parquet"

    def done_chunks(self) -> set[int]:
        """Chunks stored completely: all three of their files are present."""
        found = []
        for t in TABLES:
            d = table_path(self.dir, t)
            if not d.is_dir() or d.is_symlink():
                return set()
            found.append(
                {
                    int(p.name[5:11])
                    for p in d.iterdir()
                    if re.match(r"^part-\d{6}\.parquet$", p.name)
                }
            )
        return set.intersection(*found)

    def write_chunk(
        self, i: int, tables: dict[str, pa.Table | pd.DataFrame]
    ) -> dict[str, dict[str, PartRecord]]:
        """Store chunk ``i`` (each file written, fsynced and renamed into place, then the
        folder fsynced) and return its records, table -> file name -> record.  The chunk
        counts as stored only once its records are in the journal (:meth:`record_chunk`)."""
        records: dict[str, dict[str, PartRecord]] = {}
        for t in TABLES:  # ("timeseries", "alliance", "runs")
            d = table_path(self.dir, t)
            if d.is_symlink() or (d.exists() and not d.is_dir()):
                raise StoreError(
                    f"{d} is not a folder written by alliance-sim; choose another --out"
                )
            if not d.is_dir():
                d.mkdir(exist_ok=True)  # two workers may make it at once
                fsync_dir(self.dir)
            path = self.part(t, i)
            records[t] = {path.name: atomic_parquet(path, tables[t])}
        return records

    def record_chunk(self, i: int, records: dict[str, dict[str, PartRecord]]) -> None:
        """Add chunk ``i``'s records to the journal of the running plan."""
        append_journal(self.dir, i, records)

    def rewrite_journal(self, chunks: dict[int, dict[str, dict[str, PartRecord]]]) -> None:
        """Start the journal afresh with ``chunks`` (a resume of a directory written before
        format 2, or a repair)."""
        self.drop_journal()
        for i in sorted(chunks):
            append_journal(self.dir, i, chunks[i])

    def drop_journal(self) -> None:
        if journal_is_ours(self.dir / JOURNAL):  # a user's file of that name stays
            _unlink(self.dir / JOURNAL)

    def stored_chunks(
        self, n_chunks: int, legacy: bool = False
    ) -> dict[int, dict[str, dict[str, PartRecord]]]:
        """The chunks of a running or interrupted plan that are stored whole: recorded in the
        journal, every file there and unchanged.  Chunks written by a version before format 2
        (``legacy``: no journal) count when all three files are there, not empty and readable;
        they are recorded now, as they are."""
        journal = read_journal(self.dir)
        out = {}
        for i, rec in journal.items():
            own = {f"part-{i:06d}.parquet"}  # a record naming another chunk's part is not
            if i >= n_chunks or set(rec) != set(TABLES) or any(set(f) != own for f in rec.values()):
                continue  # this chunk's (a copied line made a sweep skip a chunk: red-team)
            ok = all(
                problem(table_path(self.dir, t) / name, r) is None
                for t, files in rec.items()
                for name, r in files.items()
            )
            if ok:
                out[i] = rec
        if legacy:
            for i in self.done_chunks():
                if i >= n_chunks or i in out:
                    continue
                paths = {t: self.part(t, i) for t in TABLES}
                if any(p.stat().st_size == 0 for p in paths.values()):
                    continue
                rec = {}
                for t, p in paths.items():
                    size, sha = digest_file(p)
                    rows = parquet_rows(p)
                    if rows is None:
                        break
                    rec[t] = {p.name: PartRecord(rows, size, sha)}
                else:
                    out[i] = rec
        return out

    def extra_parts(self, n_chunks: int) -> list[Path]:
        """Part files of this plan's tables that no chunk of it can have written (numbered
        past its last chunk, or of a refine round the manifest does not know)."""
        extra = []
        for d in self._table_dirs():
            for p in sorted(d.iterdir()):
                if PART.match(p.name) and not (
                    p.name.startswith("part-0") and int(p.name[5:11]) < n_chunks
                ):
                    extra.append(p)
        return extra
