"""Leaving with the data: a result directory's Parquet tables as CSV, for tools that do not
read Parquet (Excel, Stata, R without arrow).  Tables are streamed batch by batch, so a
22-million-row time series is never one DataFrame in memory; each file is written to a
temporary name and renamed, so an interrupted export leaves no half file."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from alliance_sim.errors import StoreError, UserError
from alliance_sim.runs.atomic import atomic_write_bytes, temp_name
from alliance_sim.runs.results import MANIFEST, TABLES, Result, open_dataset

FORMATS = ("csv",)


def _plain(t: pa.DataType) -> pa.DataType:
    """The type a column is written to CSV as (categories as their labels)."""
    return t.value_type if pa.types.is_dictionary(t) else t


def export(
    directory: str | os.PathLike,
    out: str | os.PathLike | None = None,
    fmt: str = "csv",
    *,
    force: bool = False,
) -> list[Path]:
    """Write ``runs``, ``timeseries`` and ``alliance`` of result ``directory`` as
    ``out/<table>.csv`` (default ``out = directory/csv``) with a copy of ``manifest.json``;
    return the paths.  Existing files of those names are replaced only with ``force``."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: allowed {', '.join(FORMATS)}")
    Result.open(directory)  # one clear line if it is not a result directory
    src = Path(directory)
    target = Path(out) if out is not None else src / "csv"
    names = [f"{t}.csv" for t in ("runs", "alliance", "timeseries")] + [MANIFEST]
    if not force:
        there = [n for n in names if (target / n).exists()]
        if there:
            raise StoreError(
                f"{target} already holds {there[0]}; choose another --out or add --force to "
                "replace the exported files"
            )
    datasets = {t: open_dataset(src, t) for t in TABLES}  # one clear line if one is missing
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in ("runs", "alliance", "timeseries"):
        path = target / f"{t}.csv"
        tmp = temp_name(path)
        data = datasets[t]
        plain = pa.schema([pa.field(f.name, _plain(f.type)) for f in data.schema])
        try:
            with pacsv.CSVWriter(str(tmp), plain) as w:
                for batch in data.to_batches(batch_size=200_000):
                    w.write_batch(batch.cast(plain))
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        paths.append(path)
    atomic_write_bytes(target / MANIFEST, (src / MANIFEST).read_bytes())
    paths.append(target / MANIFEST)
    return paths
