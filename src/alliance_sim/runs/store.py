"""The result store: a directory of Parquet tables and a manifest, written so that an
interrupted sweep loses nothing it had finished.

Layout::

    DIR/manifest.json        resolved scenario, hash, version, plan, points, seeds, status
    DIR/runs.parquet         one row per run: ids, seed, swept values, outcomes, error
    DIR/timeseries.parquet   one row per run, quarter and member
    DIR/alliance.parquet     one row per run and quarter (cohesion, influence, counts)
    DIR/chunks/              chunk files while a sweep runs; merged into the above at the end

Every file is written to a temporary name and renamed into place (atomic on POSIX), and a
chunk's ``runs`` file is renamed last, so a chunk counts as done only when all of it is there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from alliance_sim.errors import StoreError
from alliance_sim.runs.atomic import atomic_parquet, temp_name
from alliance_sim.runs.results import TABLES, Manifest


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

    def prepare(self, fingerprint: str, force: bool = False) -> Manifest | None:
        """Make the directory ready for the sweep with ``fingerprint``.

        Returns the existing manifest when the directory holds the same sweep (resume), None
        when it is new.  A directory holding anything else is refused unless ``force``.
        """
        if self.dir.exists() and not self.dir.is_dir():
            raise StoreError(f"{self.dir} exists and is not a directory")
        old = self.read_manifest() if self.dir.is_dir() and not force else None
        if old is not None and old.fingerprint == fingerprint:
            return old
        if self.dir.is_dir() and any(self.dir.iterdir()):
            if not force:
                what = (
                    f"a different sweep ({old.scenario_name!r}, {old.plan.n_runs} runs)"
                    if old
                    else "files that are not a sweep"
                )
                raise StoreError(
                    f"{self.dir} holds {what}; choose another --out or add --force to replace it"
                )
            for child in self.dir.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        self.dir.mkdir(parents=True, exist_ok=True)
        return None

    # --- chunks -----------------------------------------------------------------------------
    def _chunk(self, table: str, i: int) -> Path:
        return self.chunks / f"{table}-{i:06d}.parquet"

    def done_chunks(self) -> set[int]:
        """Chunks stored completely (their ``runs`` file, written last, is present)."""
        if not self.chunks.is_dir():
            return set()
        return {int(p.stem.split("-")[1]) for p in self.chunks.glob("runs-*.parquet")}

    def write_chunk(self, i: int, tables: dict[str, pd.DataFrame]) -> None:
        self.chunks.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            atomic_parquet(self._chunk(t, i), tables[t])

    def finalize(self, n_chunks: int) -> None:
        """Merge the chunk files, in chunk order, into the three tables (streaming: one chunk
        in memory at a time), then remove the chunks."""
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
        shutil.rmtree(self.chunks, ignore_errors=True)


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
