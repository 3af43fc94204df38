"""Growing a result directory: adding the tables of a later round of runs (``refine``) without
touching the rows already there.  Kept apart from :mod:`alliance_sim.runs.store`, which writes
a plan's own chunks."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from alliance_sim.runs.atomic import atomic_parquet, temp_name
from alliance_sim.runs.integrity import PartRecord
from alliance_sim.runs.layout import PART
from alliance_sim.runs.results import open_dataset, read_table, table_path


def _renumbered(new: pa.Table, schema: pa.Schema, table: str, run0: int, point0: int) -> pa.Table:
    n = new.num_rows
    cols = {}
    for f in schema:
        if f.name == "run":
            col = pc.add(new.column("run").cast(pa.int64()), run0)
        elif f.name == "point" and table == "runs":
            col = pc.add(new.column("point").cast(pa.int64()), point0)
        elif f.name in new.column_names:
            col = new.column(f.name)
        else:
            col = pa.nulls(n, f.type)
        cols[f.name] = col.cast(f.type)
    return pa.table(cols, schema=schema)


def _schema(directory: Path, table: str, recorded: list[str] | None, skip: str) -> pa.Schema:
    """The schema of ``table``'s parts already in ``directory`` (those the manifest records,
    or every part but ``skip`` in a directory written before format 2)."""
    folder = table_path(directory, table)
    names = (
        recorded
        if recorded is not None
        else [p.name for p in folder.iterdir() if PART.match(p.name) and p.name != skip]
    )
    schemas = [pq.read_schema(folder / n) for n in sorted(names)]
    return pa.unify_schemas(
        [s.remove_metadata() for s in schemas], promote_options="permissive"
    ).with_metadata(schemas[0].metadata)


def append_round(
    directory: Path,
    table: str,
    round_dir: Path,
    run0: int,
    point0: int,
    recorded: list[str] | None = None,
) -> PartRecord | None:
    """Add the rows of ``round_dir`` (a result directory ``refine/round-NNN``), renumbered
    from run ``run0`` and point ``point0``, to ``directory``'s ``table`` as the file
    ``part-round-NNN.parquet`` and return its record; idempotent (a second call replaces that
    file), atomic.  ``recorded``: the table's parts the manifest records (None before
    format 2).

    A table stored as one file (result directories written before 0.2) is rewritten instead:
    its rows with run < ``run0`` followed by the round's (no record: None)."""
    target = table_path(directory, table)
    name = f"part-{round_dir.name}.parquet"
    if target.is_dir():
        schema = _schema(directory, table, recorded, name)
    else:
        schema = open_dataset(directory, table).schema
    new = _renumbered(read_table(round_dir, table), schema, table, run0, point0)
    if target.is_dir():
        return atomic_parquet(target / name, new)
    old = pq.ParquetFile(target)
    tmp = temp_name(target)
    with pq.ParquetWriter(tmp, schema) as w:
        for batch in old.iter_batches(batch_size=500_000):
            keep = batch.filter(pc.less(batch.column("run"), run0))
            if keep.num_rows:
                w.write_batch(keep)
        w.write_table(new)
    os.replace(tmp, target)
    return None
