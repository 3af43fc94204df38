"""Where a result directory keeps what: the names every stage of reading and writing agrees on."""

from __future__ import annotations

import os
import re
from pathlib import Path

from alliance_sim.paths import user_path

MANIFEST = "manifest.json"
TABLES = ("timeseries", "alliance", "runs")  # written in this order: ``runs`` last
PART = re.compile(r"^part-(?:\d{6}|round-\d{3})\.parquet$")  # a table's files, in row order


def table_path(directory: str | os.PathLike, table: str) -> Path:
    """Where ``table`` lives: ``DIR/<table>.parquet``, a folder of Parquet files (one per
    chunk of runs, then one per refine round) read as one table, or, in result directories
    written before version 0.2, a single file."""
    return user_path(directory) / f"{table}.parquet"


#: how the runs table of an export begins (``alliance-sim export``, :mod:`.export`)
EXPORT_RUNS_HEADER = b'"run","run_id"'
JOURNAL = "chunks.jsonl"  # a sweep's record of its stored chunks (:mod:`.integrity`)
PARTIAL = "PARTIAL.txt"  # beside a partial export: how many runs it holds (:mod:`.export`)


def is_export(directory: Path) -> bool:
    """Whether ``directory`` holds an export: its CSV runs table, its copy of a finished
    result's manifest, and no stored table or sweep journal of its own (a run killed before
    its first chunk, with a copy of an export's runs.csv beside it, is a result: helper-112)."""
    import json

    try:
        with open(directory / "runs.csv", "rb") as f:
            ours = f.read(len(EXPORT_RUNS_HEADER)) == EXPORT_RUNS_HEADER
        status = json.loads((directory / MANIFEST).read_text("utf-8")).get("status")
    except (OSError, ValueError, AttributeError):
        return False
    finished = status == "complete" or (directory / PARTIAL).is_file()
    stored = any(table_path(directory, t).exists() for t in TABLES)
    return ours and finished and not stored and not (directory / JOURNAL).exists()
