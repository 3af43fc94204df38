"""Leaving with the data: a result directory's Parquet tables as CSV, for tools that do not
read Parquet (Excel, Stata, R without arrow).  Tables are streamed batch by batch, so a
22-million-row time series is never one DataFrame in memory; each file is written to a
temporary name and renamed, so an interrupted export leaves no half file."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from alliance_sim.errors import StoreError, UserError
from alliance_sim.runs.atomic import atomic_write_bytes, temp_name
from alliance_sim.runs.results import MANIFEST, TABLES, Result

FORMATS = ("csv",)


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
    for t in TABLES:
        if not (src / f"{t}.parquet").is_file():
            raise StoreError(
                f"{src} has no {t}.parquet (an unfinished sweep? run the same command again "
                "to finish it)"
            )
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in ("runs", "alliance", "timeseries"):
        path = target / f"{t}.csv"
        tmp = temp_name(path)
        pf = pq.ParquetFile(src / f"{t}.parquet")
        try:
            with pacsv.CSVWriter(str(tmp), pf.schema_arrow) as w:
                for batch in pf.iter_batches(batch_size=200_000):
                    w.write_batch(batch)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        paths.append(path)
    atomic_write_bytes(target / MANIFEST, (src / MANIFEST).read_bytes())
    paths.append(target / MANIFEST)
    return paths
