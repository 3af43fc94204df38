"""The result store: a directory of Parquet tables and a manifest, written so that an
interrupted sweep loses nothing it had finished.

Layout::

    DIR/manifest.json        resolved scenario, hash, version, plan, points, seeds, status
    DIR/runs.parquet         one row per run: ids, seed, swept values, outcomes, error
    DIR/timeseries.parquet   one row per run, quarter and member
    DIR/alliance.parquet     one row per run and quarter (cohesion, influence, counts)
    DIR/chunks/              chunk files while a sweep runs; merged into the above at the end

Every file is written to a temporary name and renamed into place (atomic on POSIX); a chunk
counts as done only when all three of its files are there.  Finishing is ordered so that a kill
at any moment leaves a state the same command resumes to identical data: the merged tables are
written first (chunks untouched), then the manifest is marked complete, then the chunks are
deleted (``runs`` file first).  While a process writes, it holds ``DIR/.alliance-sim.lock``
(:mod:`filelock`); a second writer is refused with one line.

``--force`` replaces only what this tool wrote (recognised by a readable ``manifest.json``):
the manifest, the three tables, chunk and temporary files and the run figure.  Other files are
left alone, and symbolic links are never followed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from alliance_sim.errors import StoreError
from alliance_sim.runs.atomic import atomic_parquet, temp_name
from alliance_sim.runs.results import MANIFEST, TABLES, Manifest

LOCK = ".alliance-sim.lock"
_NAMES = "|".join([re.escape(MANIFEST), *(rf"{t}(?:-\d{{6}})?\.parquet" for t in TABLES)])
_TEMP = re.compile(rf"^\.(?:{_NAMES})\.tmp\d+$")  # atomic.temp_name of our files
_CHUNK = re.compile(r"^(?:" + "|".join(TABLES) + r")-\d{6}\.parquet$")
#: files of a result directory that this tool writes (and so may replace with --force)
OWNED = (MANIFEST, *(f"{t}.parquet" for t in TABLES), "commitment.png")


def _unlink(p: Path) -> None:
    """Remove a file or a symbolic link (never what a link points to); gone already is fine."""
    try:
        if p.is_symlink() or p.is_file():
            p.unlink()
    except FileNotFoundError:
        pass


class Store:
    """One result directory."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.dir = Path(directory)
        self.chunks = self.dir / "chunks"

    # --- manifest ---------------------------------------------------------------------------
    def read_manifest(self) -> Manifest | None:
        return Manifest.read(self.dir)

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
            lock = filelock.FileLock(self.dir / LOCK, timeout=0)
            lock.acquire()
        except filelock.Timeout:
            raise StoreError(
                f"{self.dir} is being written by another alliance-sim process; wait for it "
                "to finish or choose another --out"
            ) from None
        except OSError as e:
            raise StoreError(f"{self.dir}: cannot write here ({e.strerror})") from None
        try:
            yield
        finally:
            lock.release()

    def prepare(self, fingerprint: str, force: bool = False) -> Manifest | None:
        """Make the (locked) directory ready for the sweep with ``fingerprint``.

        Returns the existing manifest when the directory holds the same sweep (resume), None
        when it is new.  A directory holding anything else is refused unless ``force``, and
        even then only a result directory of this tool is replaced (only its own files).
        """
        try:
            old = self.read_manifest()
        except StoreError:
            raise StoreError(
                f"{self.dir / MANIFEST} is unreadable (damaged, or not written by "
                "alliance-sim); choose another --out"
            ) from None
        names = [p.name for p in self.dir.iterdir() if p.name != LOCK]
        if old is not None or all(_TEMP.match(n) for n in names):
            self.drop_temps()  # left by a killed writer of ours; we hold the lock
        if old is not None and old.fingerprint == fingerprint and not force:
            return old
        foreign = [p.name for p in self.dir.iterdir() if p.name != LOCK]
        if foreign:
            if old is None:
                raise StoreError(
                    f"{self.dir} holds files that are not a sweep (no manifest.json), e.g. "
                    f"{sorted(foreign)[0]!r}; choose another --out (--force only replaces "
                    "a result directory written by alliance-sim)"
                )
            if not force:
                raise StoreError(
                    f"{self.dir} holds a different sweep ({old.scenario_name!r}, "
                    f"{old.plan.n_runs} runs); choose another --out or add --force to replace it"
                )
            self.clear()
        return None

    def clear(self) -> None:
        """Delete what this tool wrote here (manifest last), leaving every other file."""
        self.drop_chunks()
        self.drop_temps()
        for name in OWNED[::-1]:  # manifest.json is first in OWNED: removed last
            _unlink(self.dir / name)

    def drop_temps(self) -> None:
        """Remove temporary files left by a killed writer (only with the lock held)."""
        for d in (self.dir, self.chunks):
            if d.is_dir() and not d.is_symlink():
                for p in d.iterdir():
                    if _TEMP.match(p.name):
                        _unlink(p)

    def drop_chunks(self) -> None:
        """Delete the chunk files, each chunk's ``runs`` file first (so a chunk that is half
        deleted counts as not done), then the folder if nothing else is in it."""
        if self.chunks.is_symlink():
            self.chunks.unlink()
            return
        if not self.chunks.is_dir():
            return
        for i in sorted(self._chunk_ids(all_files=True)):
            for t in ("runs", *(t for t in TABLES if t != "runs")):
                _unlink(self._chunk(t, i))
        for p in self.chunks.iterdir():
            if _TEMP.match(p.name):
                _unlink(p)
        with contextlib.suppress(OSError):  # it holds files we did not write: leave them
            self.chunks.rmdir()

    # --- chunks -----------------------------------------------------------------------------
    def _chunk(self, table: str, i: int) -> Path:
        return self.chunks / f"{table}-{i:06d}.parquet"

    def _chunk_ids(self, all_files: bool = False) -> set[int]:
        if not self.chunks.is_dir() or self.chunks.is_symlink():
            return set()
        ids = {int(p.stem.split("-")[1]) for p in self.chunks.iterdir() if _CHUNK.match(p.name)}
        if all_files:
            return ids
        return {i for i in ids if all(self._chunk(t, i).is_file() for t in TABLES)}

    def done_chunks(self) -> set[int]:
        """Chunks stored completely: all three of their files are present."""
        return self._chunk_ids()

    def write_chunk(self, i: int, tables: dict[str, pd.DataFrame]) -> None:
        self.chunks.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            atomic_parquet(self._chunk(t, i), tables[t])

    def finalize(self, n_chunks: int) -> None:
        """Merge the chunk files, in chunk order, into the three tables (streaming: one chunk
        in memory at a time).  The chunks stay until the caller has marked the manifest
        complete and calls :meth:`drop_chunks`."""
        for t in TABLES:
            target = self.dir / f"{t}.parquet"
            tmp = temp_name(target)
            writer = None
            schema = None
            for i in range(n_chunks):
                table = pq.read_table(self._chunk(t, i))
                if schema is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(tmp, schema)
                else:
                    table = _conform(table, schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()
                os.replace(tmp, target)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Cast a chunk to the first chunk's schema (a column all-null in one chunk may have been
    typed differently)."""
    cols = []
    for field in schema:
        col = (
            table.column(field.name)
            if field.name in table.column_names
            else pa.nulls(table.num_rows, field.type)
        )
        cols.append(col.cast(field.type) if col.type != field.type else col)
    return pa.Table.from_arrays(cols, schema=schema)
