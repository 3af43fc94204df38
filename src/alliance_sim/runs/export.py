"""Leaving with the data: a result directory's Parquet tables as CSV, for tools that do not
read Parquet (Excel, Stata, R without arrow).  Tables are streamed batch by batch, so a
22-million-row time series is never one DataFrame in memory; each file is written to a
temporary name and renamed, so an interrupted export leaves no half file."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from alliance_sim.errors import StoreError, UserError
from alliance_sim.paths import (
    _shown,
    check_not_results,
    ours_or_new,
    result_folder_of,
    user_path,
    writable_dir,
)
from alliance_sim.runs import layout
from alliance_sim.runs.atomic import atomic_write_bytes, temp_name
from alliance_sim.runs.results import (
    MANIFEST,
    TABLES,
    Result,
    open_dataset,
    unfinished,
)

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
    partial: bool = False,
) -> list[Path]:
    """Write ``runs``, ``timeseries`` and ``alliance`` of result ``directory`` as
    ``out/<table>.csv`` (default ``out = directory/csv``) with a copy of ``manifest.json``;
    return the paths.  Existing files of those names are replaced only with ``force``.

    A sweep that is running or was interrupted is refused unless ``partial``: then the chunks
    stored whole are exported and ``PARTIAL.txt`` beside them says how many runs of the plan
    they hold."""
    from alliance_sim.runs.locks import reading

    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: allowed {', '.join(FORMATS)}")
    res = Result.open(directory)  # one clear line if it is not a result directory
    src = user_path(directory)
    target = writable_dir(out) if out is not None else src / "csv"  # one line if it cannot be
    names = [f"{t}.csv" for t in ("runs", "alliance", "timeseries")] + [MANIFEST, PARTIAL]
    if out is None and (target.is_symlink() or (target.exists() and not target.is_dir())):
        raise UserError(  # it said "r/csv: File exists" (red team)
            f"the default export folder {_shown(target)} is not a folder; export elsewhere "
            "with --out"
        )
    if (hit := result_folder_of(target / MANIFEST)) is not None and hit[1] == MANIFEST:
        if out is None:  # it named "--out 'None'" and offered the folder it refused (red team)
            raise UserError(
                f"the default export folder {_shown(target)} is a result directory: the "
                "export's manifest.json would write over its own; export elsewhere with --out"
            )
        # it quoted 'out/base/manifest.json', a path nobody typed, and offered out/base/figures
        raise UserError(
            f"--out {str(out)!r} is the result directory {hit[0]}: the export's manifest.json "
            f"would write over its own; allowed a folder of its own, e.g. {src / 'csv'} (the "
            "default) or one elsewhere"
        )
    try:
        for n in names:  # never over a result directory's own files (its manifest, say)
            check_not_results(target / n, "--out")
        for n, marker in MARKS.items():  # even with --force: only files an export wrote
            if (target / n).exists() or (target / n).is_symlink():
                ours_or_new(target / n, marker, "exported file")
    except UserError as e:
        if out is not None:
            raise
        # the folder was export's own choice: "--out DIR/csv/runs.csv ... choose another
        # --out" named an option nobody gave (helper-100's list)
        said = str(e).removeprefix("--out ").replace("choose another --out", "export elsewhere "
                                                     "with --out")  # fmt: skip
        raise UserError(f"the default export folder {_shown(target)}: {said}") from None
    if not force:
        there = [n for n in names if (target / n).exists()]
        # a script run twice: its own export of the same result, written again (trusting the
        # files there passed a runs.csv cut to its header as "nothing written": red team)
        if there and not _same_export(res, src, target):
            raise StoreError(
                f"{target} already holds {there[0]}{_whose(target, res)}; choose another --out or "
                "add --force to replace the exported files"
            )
    with reading(src):
        files, note = _files(res, partial)
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for t in ("runs", "alliance", "timeseries"):
            path = target / f"{t}.csv"
            _write_csv(files[t], path)
            paths.append(path)
        atomic_write_bytes(target / MANIFEST, (src / MANIFEST).read_bytes())
        paths.append(target / MANIFEST)
    if note:
        atomic_write_bytes(target / PARTIAL, (note + "\n").encode())
        paths.append(target / PARTIAL)
    else:
        (target / PARTIAL).unlink(missing_ok=True)  # ours, from an earlier partial export
    return paths


def _same_export(res: Result, src: Path, target: Path) -> bool:
    """Whether ``target`` holds an export of this complete result as it is now (its copy of
    the manifest the same bytes, every table there, no partial note), which a second `export`
    writes again without ``force``: it refused with "already holds runs.csv" where `run` and
    `sweep` say there is nothing to do (a new user's script)."""
    if res.manifest.status != "complete" or (target / PARTIAL).exists():
        return False
    if not (target / MANIFEST).is_file():  # a FIFO there hung the export (red team)
        return False
    if not all((target / f"{t}.csv").is_file() for t in ("runs", "alliance", "timeseries")):
        return False
    try:
        return (target / MANIFEST).read_bytes() == (src / MANIFEST).read_bytes()
    except OSError:
        return False


def stale_export(target: Path, m) -> str | None:
    """What the export in ``target`` is of, where its copy of the manifest says it is not of
    the runs of manifest ``m``: "made before a refine round added runs", or "of other runs
    than these (...)" (the runs a ``--force`` replaced, or another folder's); None where it holds no
    readable export or one of these very runs.  ``export`` says it when it refuses to replace
    one, ``check`` of a result folder's own ``csv/`` (helper-99)."""
    from alliance_sim.runs.results import Manifest, _identity

    try:
        old = Manifest.read(target)
    except (StoreError, OSError):
        return None
    if old is None or _identity(old) == _identity(m):
        return None
    if old.fingerprint and old.fingerprint == m.fingerprint:  # the same design, refined since
        return "made before a refine round added runs"
    return (
        f"of other runs than these ({old.kind} of {old.scenario_name!r:.60}, "
        f"{old.plan.n_runs:,} runs to {old.plan.end})"
    )


def _whose(target: Path, res: Result) -> str:
    what = stale_export(target, res.manifest)
    return f", an export {what}" if what else ""


PARTIAL = layout.PARTIAL
MARKS = {  # how each file an export writes begins (its header): what marks it as ours
    **layout.EXPORT_HEADERS,
    MANIFEST: b'{\n  "kind": "',
    PARTIAL: b"PARTIAL EXPORT:",
}


def _files(res: Result, partial: bool) -> tuple[dict[str, ds.Dataset], str]:
    """Each table's dataset to export and, for a partial export, the note that says so."""
    m = res.manifest
    if m.status == "complete":
        return {t: open_dataset(res.directory, t) for t in TABLES}, ""
    if not partial:
        raise StoreError(
            f"{res.directory}: the {m.kind} {unfinished(m.status)}; run the same command again to "
            "finish it, or add --partial to export the chunks stored so far (marked partial)"
        )
    from alliance_sim.runs.store import Store

    store = Store(res.directory)
    chunk = int(m.plan.chunk_size) or 1
    stored = store.stored_chunks(-(-m.plan.n_runs // chunk), legacy=m.format < 2)
    if not stored:
        raise StoreError(f"{res.directory}: the {m.kind} is {m.status} and no chunk is stored yet")
    rows = sum(min(chunk, m.plan.n_runs - i * chunk) for i in stored)
    files = {
        t: ds.dataset(
            [str(store.part(t, i)) for i in sorted(stored)],
            schema=open_dataset_schema([store.part(t, i) for i in sorted(stored)]),
            format="parquet",
        )
        for t in TABLES
    }
    note = (
        f"PARTIAL EXPORT: the {m.kind} in {res.directory} is {m.status}; these files hold "
        f"{rows:,} of its {m.plan.n_runs:,} runs ({len(stored)} of "
        f"{-(-m.plan.n_runs // chunk)} chunks)."
    )
    print(note)
    return files, note


def open_dataset_schema(files: list[Path]) -> pa.Schema:
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(f) for f in files]
    return pa.unify_schemas(
        [s.remove_metadata() for s in schemas], promote_options="permissive"
    ).with_metadata(schemas[0].metadata)


def _empty_for_nan(batch: pa.RecordBatch) -> pa.RecordBatch:
    """NaN (a value that does not exist: the commitment of a member outside the alliance, the
    exit quarter of one that never left) as an empty cell, which Stata, R and Excel read as
    missing; written as ``nan`` they read the column as text."""
    import pyarrow.compute as pc

    cols = [
        pc.if_else(pc.is_nan(c), pa.scalar(None, c.type), c) if pa.types.is_floating(c.type) else c
        for c in batch.columns
    ]
    return pa.RecordBatch.from_arrays(cols, schema=batch.schema)


def _write_csv(data: ds.Dataset, path: Path) -> None:
    tmp = temp_name(path)
    plain = pa.schema([pa.field(f.name, _plain(f.type)) for f in data.schema])
    try:
        with pacsv.CSVWriter(str(tmp), plain) as w:
            for batch in data.to_batches(batch_size=200_000):
                w.write_batch(_empty_for_nan(batch.cast(plain)))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
