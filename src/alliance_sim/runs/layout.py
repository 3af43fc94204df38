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


#: how each table an export writes begins (``alliance-sim export``, :mod:`.export`): what
#: marks a CSV file as an export's
EXPORT_HEADERS = {
    "runs.csv": b'"run","run_id"',
    "alliance.csv": b'"run","step","quarter","cohesion"',
    "timeseries.csv": b'"run","step","quarter","member"',
}
JOURNAL = "chunks.jsonl"  # a sweep's record of its stored chunks (:mod:`.integrity`)
PARTIAL = "PARTIAL.txt"  # beside a partial export: how many runs it holds (:mod:`.export`)


def is_export(directory: Path) -> bool:
    """Whether ``directory`` holds an export: one of its CSV tables (any: an export whose
    runs.csv was deleted had been filled in by ``run`` as a damaged result, helper-113), its
    copy of a finished result's manifest, and no stored table or sweep journal of its own (a
    run killed before its first chunk, with a copy of an export's runs.csv beside it, is a
    result: helper-112)."""
    import json

    ours = False
    for name, header in EXPORT_HEADERS.items():
        try:
            with open(directory / name, "rb") as f:
                ours = ours or f.read(len(header)) == header
        except OSError:  # missing, a folder, unreadable
            pass
    if not ours:  # (the manifest read only then: a damaged one is its readers' to name)
        return False
    try:
        status = json.loads((directory / MANIFEST).read_text("utf-8")).get("status")
    except (OSError, ValueError, AttributeError, RecursionError):
        return False
    finished = status == "complete" or (directory / PARTIAL).is_file()
    stored = any(table_path(directory, t).exists() for t in TABLES)
    return finished and not stored and not (directory / JOURNAL).exists()
