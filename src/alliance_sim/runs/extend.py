"""Growing a result directory: appending the tables of a later round of runs (``refine``)
without touching the rows already there.  Kept apart from :mod:`alliance_sim.runs.store`,
which writes a plan's own chunks."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from alliance_sim.runs.atomic import temp_name


def append_round(directory: Path, table: str, round_dir: Path, run0: int, point0: int) -> None:
    """Rewrite ``directory/table.parquet`` as its rows with run < ``run0`` (those before this
    round, copied unchanged) followed by the round's rows renumbered; idempotent, atomic."""
    target = directory / f"{table}.parquet"
    old = pq.ParquetFile(target)
    schema = old.schema_arrow
    new = pq.read_table(round_dir / f"{table}.parquet")
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
    new = pa.table(cols, schema=schema)
    tmp = temp_name(target)
    with pq.ParquetWriter(tmp, schema) as w:
        for batch in old.iter_batches(batch_size=500_000):
            keep = batch.filter(pc.less(batch.column("run"), run0))
            if keep.num_rows:
                w.write_batch(keep)
        w.write_table(new)
    os.replace(tmp, target)
