"""What a result directory's parts must be: each Parquet file's row count, size and SHA-256,
recorded when it is written and verified by every reader and every resume.

A part is recorded by the process that writes it (a worker, or the sweep's own process) and
its record travels to the process that keeps the books:

* while a plan runs, each finished chunk's records are appended to ``DIR/chunks.jsonl`` (one
  JSON line per chunk, flushed and fsynced), so a resume knows which chunks are whole;
* when the plan is complete, every record is written into ``manifest.json`` (``parts``) and
  the journal is removed.

A part whose bytes, size or row count differ from its record, a part that is missing, and a
``part-*.parquet`` file that no record names (an extra part) are each reported as one line
naming the file (:class:`alliance_sim.errors.StoreError`); ``alliance-sim check DIR`` lists all
of them, and running the same sweep command again re-runs exactly the damaged chunks.

Hashing costs about 0.7 ms per MB on the reference machine (SHA-256 with the CPU's
instructions): 13 ms for a 1,000-run chunk's time series, against 180 ms to compute it.
Verified files are remembered per process by (path, size, modification time, inode), so a
reader that opens the same table twice hashes it once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance_sim.errors import StoreError
from alliance_sim.runs import layout
from alliance_sim.runs.layout import PART, TABLES, table_path

if TYPE_CHECKING:
    from alliance_sim.runs.results import Manifest

JOURNAL = layout.JOURNAL
_BLOCK = 4 * 2**20


@dataclass(frozen=True)
class PartRecord:
    """One stored Parquet file: its rows, its size in bytes and the SHA-256 of its bytes."""

    rows: int
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "bytes": self.bytes, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, d: Any, where: str) -> PartRecord:
        ok = (
            isinstance(d, Mapping)
            and _whole(d.get("rows"))
            and _whole(d.get("bytes"))
            and isinstance(d.get("sha256"), str)
            and len(d["sha256"]) == 64
        )
        if not ok:
            raise StoreError(f"{where}: a part's record is damaged ({str(d)[:80]})")
        return cls(int(d["rows"]), int(d["bytes"]), d["sha256"])


def _whole(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def digest_file(path: Path) -> tuple[int, str]:
    """(size, SHA-256) of the file at ``path``."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def parquet_rows(path: Path) -> int | None:
    """The row count a Parquet file's footer states, None if it has no readable footer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, pa.ArrowException, ValueError):
        return None


_verified: dict[tuple[str, int, int, int], str] = {}


def problem(path: Path, record: PartRecord) -> str | None:
    """What is wrong with the part at ``path`` against its ``record``, None if nothing."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "is missing"
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if not path.is_file() or path.is_symlink():
        return "is not a file written by alliance-sim"
    if st.st_size == 0:
        return "is empty (0 bytes)"
    if st.st_size != record.bytes:
        return f"has {st.st_size:,} bytes, {record.bytes:,} were written"
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if _verified.get(key) == record.sha256:
        return None
    try:
        _, sha = digest_file(path)
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if sha != record.sha256:
        return "has changed since it was written (its SHA-256 differs)"
    rows = parquet_rows(path)
    if rows != record.rows:
        return f"holds {rows} rows, {record.rows} were written"
    _verified[key] = sha
    return None


# --- the journal of a running plan -------------------------------------------------------------
def append_journal(directory: Path, chunk: int, records: Mapping[str, Mapping[str, PartRecord]]):
    """Record that chunk ``chunk`` is stored: ``records`` maps table -> file name -> record."""
    line = json.dumps(
        {
            "chunk": chunk,
            "parts": {
                t: {name: r.to_dict() for name, r in files.items()} for t, files in records.items()
            },
        },
        sort_keys=True,
    )
    path = directory / JOURNAL
    if path.is_symlink():  # (a sweep refuses one before it starts: runs/store.py)
        raise StoreError(f"{path} is a symbolic link, not a journal alliance-sim wrote")
    try:
        with open(path, "ab+") as f:  # appends go to the end wherever the file is read
            if f.seek(0, os.SEEK_END) > 0:  # a record cut by a full disk or a kill before it:
                f.seek(-1, os.SEEK_END)  # this one goes on a line of its own
                line = "\n" * (f.read(1) != b"\n") + line
            f.write((line + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:  # a full disk or a file-size limit: the error names the journal
        if e.filename:
            raise
        raise OSError(e.errno, e.strerror or str(e), str(path)) from None


def read_journal(directory: Path) -> dict[int, dict[str, dict[str, PartRecord]]]:
    """The chunks a running plan has recorded (the last record of a chunk wins).  A line cut
    by a kill, or damaged, is ignored: its chunk is simply not counted as stored."""
    path = directory / JOURNAL
    out: dict[int, dict[str, dict[str, PartRecord]]] = {}
    try:
        text = path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        try:
            d = json.loads(line)
            parts = {
                t: {n: PartRecord.from_dict(r, str(path)) for n, r in files.items()}
                for t, files in d["parts"].items()
            }
            chunk = d["chunk"]
            if not _whole(chunk):
                continue
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError, StoreError):
            continue
        out[int(chunk)] = parts
    return out


def journal_is_ours(path: Path, evidence: bool = False) -> bool:
    """Whether the file at ``path`` is a journal this tool wrote (so may delete or extend):
    every line one chunk's record (``{"chunk": ..., "parts": ...}``) or one cut by a kill or
    a full disk (the start of a record); an empty file is one a kill left before its first
    line.  A file of the same name that a user put there is not, and is neither deleted nor
    appended to.  ``evidence``: whether it proves that a folder without a manifest is a result
    of ours (``--force`` may then clear it): that takes at least one whole record."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, "rb") as f:
            raw = f.read(64 * 2**20 + 1)
    except OSError:
        return False
    if len(raw) > 64 * 2**20:  # a million chunks' records is not a journal of ours
        return False
    head = '{"chunk"'  # every record starts so (sorted keys); a cut one with some of it
    records = zeros = 0
    for line in raw.decode("utf-8", errors="replace").split("\n"):
        try:
            d = json.loads(line)
        except (ValueError, RecursionError):  # a cut record is the start of one
            if line and not line.strip("\0"):  # the zeros a power cut leaves in a file
                zeros += 1  # whose length was written before its data
            elif line and not (line.startswith(head) or head.startswith(line)):
                return False
            continue
        if not (isinstance(d, dict) and set(d) == {"chunk", "parts"}):
            return False
        records += 1
    if zeros and not records:  # zeros alone say nothing of who wrote the file
        return False
    return records > 0 or not evidence


def merge(
    chunks: Iterable[Mapping[str, Mapping[str, PartRecord]]],
) -> dict[str, dict[str, PartRecord]]:
    """Many chunks' records as one table -> file name -> record mapping."""
    out: dict[str, dict[str, PartRecord]] = {}
    for rec in chunks:
        for t, files in rec.items():
            out.setdefault(t, {}).update(files)
    return out


def parts_to_json(parts: Mapping[str, Mapping[str, PartRecord]]) -> dict[str, Any]:
    return {t: {n: r.to_dict() for n, r in sorted(files.items())} for t, files in parts.items()}


def parts_from_json(d: Any, where: str) -> dict[str, dict[str, PartRecord]]:
    if not isinstance(d, Mapping) or not all(isinstance(v, Mapping) for v in d.values()):
        raise StoreError(f"{where}: 'parts' is damaged (expected table -> file -> record)")
    return {
        str(t): {str(n): PartRecord.from_dict(r, where) for n, r in files.items()}
        for t, files in d.items()
    }


# --- a finished directory's parts against its manifest -----------------------------------------
ROUND_LOST = (
    "a refine round's part holds runs that no command computes again (a sweep refuses while "
    "one is damaged): restore it from a backup, or start over: run the sweep into a new --out "
    "(or again with --force, which replaces this result) and refine that"
)


def repair_advice(
    directory: Path, why: str, part: Path | None = None, in_check=False, kind: str = "sweep"
) -> str:
    """What to do about a part that ``why`` describes (``part``: its path, which says whether
    it holds a sweep's chunk, which the same sweep command re-runs, or a refine round's runs,
    which nothing re-runs).  ``in_check``: for ``check``'s own list (no pointer to itself; ""
    where ``why`` already says what to do).  ``kind``: the manifest's, the command that
    wrote the result (``run`` or ``sweep``)."""
    tail = "" if in_check else f"; 'alliance-sim check {directory}' lists every damaged part"
    if "extra file" in why:
        return f"move it out of {directory} (alliance-sim deletes only what it wrote){tail}"
    if "not a file written" in why or "where its parts go" in why:  # not ours to delete
        return (
            f"move it out of {directory} (alliance-sim deletes only what it wrote), then run the "
            f"same {kind} command again to re-run its chunks{tail}"
        )
    if "refine round" in why:  # an interrupted round: ``why`` says how to finish it
        return tail[2:]
    if part is not None and part.name.startswith("part-round-"):
        return ROUND_LOST + tail
    return f"run the same {kind} command again to re-run exactly the damaged chunks" + tail


def expected_parts(manifest: Manifest) -> dict[str, set[str]] | None:
    """The part files each table must hold by the plan (chunks, then refine rounds), or None
    where the plan does not say (no chunk size recorded)."""
    plan = manifest.plan
    if not plan.chunk_size:
        return None
    base = plan.n_runs - sum(int(r.get("n_runs", 0)) for r in manifest.rounds)
    n_chunks = -(-max(base, 0) // int(plan.chunk_size))
    names = {f"part-{i:06d}.parquet" for i in range(n_chunks)}
    names |= {
        f"part-round-{int(r['round']):03d}.parquet"
        for r in manifest.rounds
        if r.get("status") == "complete" and isinstance(r.get("round"), int)
    }
    return {t: set(names) for t in TABLES}


def damaged_parts(
    directory: Path,
    manifest: Manifest,
    tables: list[str] | tuple[str, ...] = TABLES,
    files: dict[str, list[Path]] | None = None,
) -> list[tuple[Path, str]]:
    """Every part of ``tables`` that is missing, extra, empty or changed, as (path, what is
    wrong), for a finished result directory.  Directories written before format 2 have no
    records: there only missing, extra, empty and unreadable (truncated) parts can be found."""
    out: list[tuple[Path, str]] = []
    expected = expected_parts(manifest)
    for t in tables:
        folder = table_path(directory, t)
        if folder.is_file():  # a single-file table of a version before 0.2, unless this
            if manifest.parts is not None and manifest.parts.get(t):  # result wrote parts
                out.append(
                    (folder, f"is not what this {manifest.kind} wrote (a file where its parts go)")
                )
            continue
        if files is None or t not in files:
            there = (
                sorted(p for p in folder.iterdir() if PART.match(p.name)) if folder.is_dir() else []
            )
        else:
            there = files[t]
        names = {p.name for p in there}
        records = None if manifest.parts is None else manifest.parts.get(t, {})
        wanted = set(records) if records is not None else (expected or {}).get(t, names)
        for name in sorted(wanted - names):
            out.append((folder / name, "is missing"))
        unrecorded = (expected or {}).get(t, set()) - wanted  # a chunk of the plan
        for name in sorted(unrecorded):
            out.append((folder / name, "has no record in the manifest (its chunk's runs are "
                        "missing from the result)"))  # fmt: skip
        pending = {
            f"part-round-{int(r['round']):03d}.parquet"
            for r in manifest.rounds
            if r.get("status") != "complete" and isinstance(r.get("round"), int)
        }
        for name in sorted(names - wanted - unrecorded):
            why = (
                "belongs to a refine round that was interrupted (run the same refine "
                "command again to finish it)"
                if name in pending
                else f"is not a part this {manifest.kind} wrote (an extra file)"
            )
            out.append((folder / name, why))
        for p in there:
            if p.name not in wanted:  # (extra, or unrecorded: said above)
                continue
            if records is not None:
                why = problem(p, records[p.name])
            else:
                why = "is empty (0 bytes)" if p.stat().st_size == 0 else _unreadable(p)
            if why:
                out.append((p, why))
    return out


def _unreadable(path: Path) -> str | None:
    """Why a part without a record cannot be Parquet (its footer is gone: a truncated or
    overwritten file), or None.  Damage inside a data page is found only by reading it."""
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except (OSError, ValueError) as e:
        return f"cannot be read as Parquet (truncated or damaged: {str(e).splitlines()[0][:80]})"
    return None
