"""The contract between running and reading: a result directory's typed :class:`Manifest`
and :class:`Result` (the manifest plus its tables, read on first use).

Every reader (summaries, aggregation, sensitivity, figures, reports) takes a ``Result`` and
reads the manifest by attribute, never by string key; ``Manifest.to_dict``/``from_dict`` are
the only places that know the JSON layout of ``manifest.json``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from alliance_sim.errors import AnalysisError, StoreError

MANIFEST = "manifest.json"
TABLES = ("timeseries", "alliance", "runs")


@dataclass(frozen=True)
class Axis:
    """One swept quantity as recorded (enough to rebuild the design for sensitivity)."""

    name: str
    low: float | None = None
    high: float | None = None
    values: list[Any] | None = None
    quarter: bool = False


@dataclass(frozen=True)
class PlanInfo:
    """What was run: the design, the replicates and their seeds' master, the horizon."""

    sampler: str = "none"
    swept: list[str] = field(default_factory=list)
    n_points: int = 1
    replicates: int = 1
    n_runs: int = 1
    master_seed: int = 0
    chunk_size: int = 0
    record: str = "all"
    engine: str = "batch"
    start: str = ""
    end: str = ""
    focus: list[str] = field(default_factory=list)
    samples: int | None = None
    levels: int | None = None
    design_seed: int | None = None
    axes: list[Axis] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlanInfo:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["axes"] = [a if isinstance(a, Axis) else Axis(**a) for a in d.get("axes", [])]
        return cls(**kw)


@dataclass
class Manifest:
    """``manifest.json``: the resolved scenario and its hash, package version, plan, every
    replicate's seed, the design points, start and end time, status and failures."""

    kind: str
    fingerprint: str
    scenario_name: str
    scenario_description: str
    scenario_path: str
    scenario_hash: str
    scenario: dict[str, Any]
    package_version: str
    plan: PlanInfo
    seeds: list[int]
    points: list[dict[str, Any]] = field(default_factory=list)
    started: str | None = None
    ended: str | None = None
    status: str = "running"
    failed: int = 0
    resumes: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)  # refine: one per round

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["plan"] = PlanInfo.from_dict(d.get("plan", {}))
        for k, default in (("fingerprint", ""), ("scenario_description", ""), ("scenario", {})):
            kw.setdefault(k, default)
        kw.setdefault("scenario_path", "")
        kw.setdefault("kind", "sweep")
        return cls(**kw)

    def write(self, directory: Path) -> None:
        """Write atomically into ``directory``."""
        from alliance_sim.runs.atomic import atomic_write_bytes

        text = json.dumps(self.to_dict(), indent=2, default=str)
        atomic_write_bytes(directory / MANIFEST, text.encode())

    @classmethod
    def read(cls, directory: str | os.PathLike) -> Manifest | None:
        """The manifest in ``directory``, None if there is none."""
        p = Path(directory) / MANIFEST
        if not p.is_file():
            return None
        try:
            return cls.from_dict(json.loads(p.read_text("utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            raise StoreError(f"{p}: unreadable manifest; use --force to start over") from None


PART = re.compile(r"^part-(?:\d{6}|round-\d{3})\.parquet$")  # a table's files, in row order


def table_path(directory: str | os.PathLike, table: str) -> Path:
    """Where ``table`` lives: ``DIR/<table>.parquet``, a folder of Parquet files (one per
    chunk of runs, then one per refine round) read as one table, or, in result directories
    written before version 0.2, a single file."""
    return Path(directory) / f"{table}.parquet"


def table_files(directory: str | os.PathLike, table: str) -> list[Path]:
    """The Parquet files of ``table`` in row order (hidden temporary files never count)."""
    path = table_path(directory, table)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise StoreError(
            f"{directory} has no {table}.parquet (an unfinished sweep? run "
            "the same command again to finish it)"
        )
    return sorted((p for p in path.iterdir() if PART.match(p.name)), key=lambda p: p.name)


def open_dataset(directory: str | os.PathLike, table: str):
    """``table`` of a result directory as one :class:`pyarrow.dataset.Dataset` (its files
    in row order, their schemas unified) -- the one way every reader opens stored rows."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    files = table_files(directory, table)
    if not files:
        raise StoreError(f"{table_path(directory, table)} holds no rows")
    try:
        schemas = [pq.read_schema(f) for f in files]
        schema = pa.unify_schemas(
            [s.remove_metadata() for s in schemas], promote_options="permissive"
        ).with_metadata(schemas[0].metadata)  # pandas dtypes (e.g. of ``error``)
        return ds.dataset([str(f) for f in files], schema=schema, format="parquet")
    except (OSError, pa.ArrowInvalid) as e:
        raise StoreError(f"{table_path(directory, table)}: unreadable ({e})") from None


def read_table(
    directory: str | os.PathLike,
    table: str,
    columns: list[str] | None = None,
    filter=None,
):
    """``table`` of a result directory as one :class:`pyarrow.Table` (``columns`` only, rows
    matching the ``pyarrow.dataset`` expression ``filter`` only)."""
    return open_dataset(directory, table).to_table(columns=columns, filter=filter)


@dataclass
class Result:
    """A result directory: its manifest and its tables as DataFrames (read on first use)."""

    directory: Path
    manifest: Manifest = field(repr=False)

    @classmethod
    def open(cls, directory: str | os.PathLike) -> Result:
        manifest = Manifest.read(directory)
        if manifest is None:
            raise StoreError(f"{directory}: not a result directory (no manifest.json)")
        return cls(Path(directory), manifest)

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One stored table (``runs``, ``timeseries``, ``alliance``), optionally some columns;
        ``quarter``, ``member`` and ``status`` come back as categoricals."""
        if self.manifest.status != "complete":
            raise StoreError(
                f"{self.directory}: the sweep is {self.manifest.status} (run the same command "
                "again to finish it)"
            )
        frame = read_table(self.directory, table, columns).to_pandas()
        if "error" in frame:  # one dtype whichever version wrote the first file: pandas'
            frame["error"] = frame["error"].astype("string")  # nullable string (NA: ran)
        return frame

    @cached_property
    def runs(self) -> pd.DataFrame:
        return self.read("runs")

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        return self.read("timeseries")

    @cached_property
    def alliance(self) -> pd.DataFrame:
        return self.read("alliance")

    def loaded(self, table: str) -> pd.DataFrame | None:
        """The table if it has already been read into pandas, else None (readers that can
        work from the Parquet file directly use this to avoid a second copy)."""
        return self.__dict__.get(table)

    @property
    def plan(self) -> PlanInfo:
        return self.manifest.plan

    @property
    def name(self) -> str:
        return self.manifest.scenario_name

    @property
    def n_failed(self) -> int:
        return int(self.manifest.failed)

    def check_some_ran(self, doing: str) -> None:
        """Raise AnalysisError (one line: the first error, where all are) if every run
        failed, so there is nothing for ``doing`` (summarise, plot, compare) to use."""
        n = int(self.plan.n_runs)
        if n and self.n_failed >= n:
            errors = self.read("runs", ["error"])["error"].dropna()
            first = str(errors.iloc[0])[:200] if len(errors) else "unknown"
            raise AnalysisError(
                f"all {n} runs in {self.directory} failed, so there is nothing to {doing}; "
                f"first error: {first} (every error is in {self.directory}/runs.parquet)"
            )

    @property
    def swept(self) -> list[str]:
        return list(self.plan.swept)
