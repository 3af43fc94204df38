"""The contract between running and reading: a result directory's typed :class:`Manifest`
and :class:`Result` (the manifest plus its tables, read on first use).

Every reader (summaries, aggregation, sensitivity, figures, reports) takes a ``Result`` and
reads the manifest by attribute, never by string key; ``Manifest.to_dict``/``from_dict`` are
the only places that know the JSON layout of ``manifest.json``.  The module is long because
that contract is one: the manifest's layout, its checks and the reader of what it describes.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from alliance_sim.errors import AnalysisError, StoreError, did_you_mean
from alliance_sim.paths import user_path
from alliance_sim.runs.layout import (
    MANIFEST,
    PART,
    TABLES,
    is_export,
    table_path,
)
from alliance_sim.runs.refined import (  # noqa: F401 (re-exported)
    case_of,
    design_note,
    found_boundary,
)
from alliance_sim.textsafe import shortened


def unfinished(status: str) -> str:
    """How a reader names an unfinished result's status: a manifest left "running" by a kill
    is read under the readers' lock, which no writer holds (it read "the sweep is running"
    where `check` said it had stopped)."""
    if status == "running":
        return "stopped before it finished (killed or interrupted: no process is writing it)"
    return f"is {status}"


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


STATUSES = ("running", "interrupted", "complete")
FORMAT = 2  # 2: parts recorded (rows, bytes, SHA-256) and a checksum of the manifest itself


def _canonical(d: dict[str, Any]) -> str:
    return json.dumps(d, sort_keys=True, default=str)


def _checksum(d: dict[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(_canonical(d).encode()).hexdigest()


def _shape_problem(d: Any) -> str | None:
    """What makes ``d`` not a manifest's JSON, None if its shape is right."""

    def whole(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if not isinstance(d, dict):
        return f"it holds a {type(d).__name__}, not an object"
    plan = d.get("plan")
    if not isinstance(plan, dict):
        return "'plan' is missing or not an object"
    for k in ("n_points", "replicates", "n_runs", "chunk_size"):
        if k in plan and not whole(plan[k]):
            return f"'plan.{k}' is {plan[k]!r}, not a whole number"
    if not whole(plan.get("n_runs")):
        return "'plan.n_runs' is missing"
    for k in ("swept", "focus", "axes"):
        if k in plan and not isinstance(plan[k], list):
            return f"'plan.{k}' is not a list"
    if not all(
        isinstance(a, dict) and isinstance(a.get("name"), str) for a in plan.get("axes", [])
    ):
        return "'plan.axes' holds an entry that is not an axis"
    for k in ("scenario_name", "scenario_hash", "package_version"):
        if not isinstance(d.get(k), str):
            return f"'{k}' is missing or not a string"
    if not isinstance(d.get("model", ""), str):
        return "'model' is not a string"
    if d.get("status") not in STATUSES:
        return f"'status' is {d.get('status')!r}; allowed {', '.join(STATUSES)}"
    seeds = d.get("seeds")
    if not isinstance(seeds, list) or not all(whole(x) for x in seeds):
        return "'seeds' is not a list of whole numbers"
    points = d.get("points", [])
    if not isinstance(points, list) or not all(isinstance(x, dict) for x in points):
        return "'points' is not a list of objects"
    if not whole(d.get("failed", 0)):
        return f"'failed' is {d.get('failed')!r}, not a whole number"
    for k in ("resumes", "rounds"):
        v = d.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            return f"'{k}' is not a list of objects"
    if not isinstance(d.get("scenario", {}), dict):
        return "'scenario' is not an object"
    return None


@dataclass
class Manifest:
    """``manifest.json``: the resolved scenario and its hash, package version, plan, every
    replicate's seed, the design points, start and end time, status and failures, and (format
    2) every stored part's record and a checksum of the manifest itself."""

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
    #: the stamp of the model that wrote the runs (equations, data, replay; see
    #: :mod:`alliance_sim.scenario.stamp`); "" in directories written before it was recorded
    model: str = ""
    points: list[dict[str, Any]] = field(default_factory=list)
    started: str | None = None
    ended: str | None = None
    status: str = "running"
    failed: int = 0
    resumes: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)  # refine: one per round
    #: table -> file name -> PartRecord of every stored part (complete plans); None in result
    #: directories written before format 2
    parts: dict[str, dict[str, Any]] | None = None
    format: int = FORMAT

    @property
    def finished_rounds(self) -> list[dict[str, Any]]:
        """The refine rounds that completed (their runs are in the tables), in order."""
        return [r for r in self.rounds if r.get("status") == "complete"]

    def to_dict(self) -> dict[str, Any]:
        from alliance_sim.runs.integrity import parts_to_json

        d = asdict(self)
        d["parts"] = None if self.parts is None else parts_to_json(self.parts)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = MANIFEST) -> Manifest:
        """The manifest in ``d``; :class:`StoreError` (one line) if its shape is wrong."""
        from alliance_sim.runs.integrity import parts_from_json

        bad = _shape_problem(d)
        if bad:
            raise StoreError(f"{where}: damaged manifest ({bad}); {REDO}")
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        try:
            kw["plan"] = PlanInfo.from_dict(d.get("plan", {}))
        except (TypeError, ValueError) as e:
            raise StoreError(f"{where}: damaged manifest ('plan': {e}); {REDO}") from None
        for k, default in (("fingerprint", ""), ("scenario_description", ""), ("scenario", {})):
            kw.setdefault(k, default)
        kw.setdefault("scenario_path", "")
        kw.setdefault("kind", "sweep")
        kw["format"] = d.get("format", 1)
        if kw.get("parts") is not None:
            kw["parts"] = parts_from_json(kw["parts"], where)
        return cls(**kw)

    def write(self, directory: Path) -> None:
        """Write atomically into ``directory``, with its checksum."""
        from alliance_sim.runs.atomic import atomic_write_bytes

        d = self.to_dict()
        d["checksum"] = _checksum(d)
        atomic_write_bytes(directory / MANIFEST, json.dumps(d, indent=2, default=str).encode())

    @classmethod
    def read(cls, directory: str | os.PathLike) -> Manifest | None:
        """The manifest in ``directory``, None if there is none; :class:`StoreError` (one
        line, saying what to do) if it is damaged or was edited by hand."""
        p = user_path(directory) / MANIFEST
        if not p.is_file():
            return None
        try:
            d = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError, RecursionError) as e:  # (nested 100,000 deep: recursion)
            why = "not valid JSON" if not isinstance(e, OSError) else (e.strerror or str(e))
            raise StoreError(f"{p}: damaged manifest ({why}); {REDO}") from None
        if isinstance(d, dict) and "checksum" in d:
            stated = d.pop("checksum")
            if stated != _checksum(d):
                raise StoreError(
                    f"{p} was changed after alliance-sim wrote it (its checksum differs), so "
                    f"its counts cannot be trusted; {REDO}"
                )
        elif isinstance(d, dict) and not (  # a version before format 2 wrote no checksum and no
            type(d.get("format", 1)) is int and d.get("format", 1) < FORMAT  # records; ours
            and d.get("parts") is None  # with its checksum removed is damaged (red-team)
        ):  # fmt: skip
            raise StoreError(f"{p}: damaged manifest (its checksum is missing); {REDO}")
        return cls.from_dict(d, str(p))


def _quarter_key(q: str) -> int:
    """A quarter label's place in time (its categories are sorted by it)."""
    from alliance_sim.core.quarters import parse

    return parse(q)


def _identity(m: Manifest) -> str:
    """What tells one result from another in a folder: its fingerprint (scenario, design,
    seeds, model, what it records), its runs and refine rounds -- not when it ended or what a
    repair resumed (a repaired result was refused as another: red team)."""
    if not m.fingerprint:  # a manifest of a version before fingerprints
        return _checksum(m.to_dict())
    return json.dumps([m.fingerprint, m.plan.n_runs, m.rounds], sort_keys=True, default=str)


def _stat(directory: Path) -> tuple[int, int, int] | None:
    """What tells a rewritten manifest file from the one read: inode, size, time."""
    try:
        st = os.stat(Path(directory) / MANIFEST)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


REDO = "restore it, or rerun the command that made this folder with --force to start over (it \
replaces only alliance-sim's own files and refine rounds' runs; a folder with others: refused)"


def table_files(directory: str | os.PathLike, table: str) -> list[Path]:
    """The Parquet files of ``table`` in row order (hidden temporary files never count), each
    verified against the manifest's record of it (:func:`verify_table`)."""
    path = table_path(directory, table)
    if not (path.is_file() or path.is_dir()):
        raise StoreError(
            f"{directory} has no {table}.parquet (unfinished, or deleted: run the same command "
            "again to finish it, or with --force to start over)"
        )
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if PART.match(p.name))
    manifest = Manifest.read(directory)  # (one file: a table of a version before 0.2)
    if manifest is not None:
        from alliance_sim.runs.integrity import damaged_parts, repair_advice

        bad = damaged_parts(Path(directory), manifest, [table], files={table: files})
        if bad:
            name, why = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            advice = repair_advice(Path(directory), why, name, kind=manifest.kind)
            raise StoreError(f"{name} {why}{more}; {advice}")
    return files


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


def as_result(x: Any, what: str = "a result") -> Result:
    """``x`` as a :class:`Result`: itself, or the result directory it names (str or path);
    anything else is a TypeError saying what is expected."""
    if isinstance(x, Result):
        return x
    if isinstance(x, str | os.PathLike):
        return Result.open(x)
    raise TypeError(
        f"{what}: expected a Result (as run_scenario() or sweep() return) or the path of a "
        f"result folder, got {type(x).__name__}"
    )


def _scenario_hint(directory: str | os.PathLike) -> str:
    """What to do when a scenario was named where a result folder goes (a notebook's
    ``compare_results(["baseline", "iran_joins"])`` got "baseline: no such folder")."""
    import shlex

    from alliance_sim.scenario.files import _names

    name = str(directory)
    shipped = name in _names()
    a_file = name.lower().endswith(".toml") and Path(name).is_file()
    if Path(name).is_dir() or not (shipped or a_file):
        return ""  # a file that is not there: following the hint would fail too
    out = f"out/{Path(name).stem}"
    return (
        f"; {name!r} is a scenario, not a result: run it first (run_scenario({name!r}, "
        f"{out!r}) or alliance-sim run {shlex.quote(name)} --out {shlex.quote(out)}) and give "
        "that folder"
    )


def _beside_hint(directory: str | os.PathLike) -> str:
    """``"; did you mean 'out/kaz'?"`` for a result folder beside a missing one whose name is
    close (``out/kazz`` got only "no such folder", where every other misspelling is answered)."""
    import difflib
    from itertools import islice

    p = Path(directory)
    if p.exists() or p.is_symlink() or not p.parent.is_dir():
        return ""
    try:  # names first (a folder of 100,000 files took 1.6 s when each was looked into)
        with os.scandir(p.parent) as entries:
            names = [e.name for e in islice(entries, 200_000)]
    except OSError:
        return ""
    near = []
    for name in difflib.get_close_matches(p.name, names, n=5, cutoff=0.6):
        try:
            if (p.parent / name / MANIFEST).is_file():
                near.append(name)
        except OSError:  # one folder we may not look into does not silence the others
            continue
    said = did_you_mean(p.name, near)
    for name in near:  # the same words, with the folder it is in
        if said == f"; did you mean {name!r}?":
            return f"; did you mean {str(p.with_name(name))!r}?"
    return ""


@dataclass
class Result:
    """A result directory: its manifest and its tables as DataFrames (read on first use)."""

    directory: Path
    manifest: Manifest = field(repr=False)
    #: the command found this result complete and ran nothing (its tables are not new)
    reused: bool = field(default=False, compare=False)
    #: rows read only for runs below this number (:meth:`design`: the plan's own runs)
    run_limit: int | None = field(default=None, compare=False)
    #: what :meth:`design` left out: refine rounds, their runs and points, the full counts
    left_out: dict[str, Any] | None = field(default=None, compare=False)
    #: the manifest file as it was when this result was read (:meth:`_still_here`)
    disk: tuple[Any, str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.disk is None:
            self.disk = (_stat(self.directory), _identity(self.manifest))

    def _still_here(self) -> None:
        """One line if the folder no longer holds the result this object was read from (a
        ``force=True`` run or a refine round since): a ``Result`` kept in a notebook read the
        new runs under the old manifest, and mixed two results silently (helper-95)."""
        seen, ident = self.disk
        now = _stat(self.directory)
        if now == seen:
            return
        try:
            m = Manifest.read(self.directory)
        except StoreError:
            m = None
        if m is not None and _identity(m) == ident:  # rewritten (a repair), the same runs
            if m.status != "complete":  # a repair under way or cut short: parts missing
                raise StoreError(
                    f"{self.directory}: the result this was read from {unfinished(m.status)} "
                    "(run the same command again to finish it)"
                )
            self.disk = (now, ident)
            return
        if m is None and not Path(self.directory).is_dir():  # "read it again" could not work
            raise StoreError(
                f"{self.directory}: the folder this result was read from is gone (deleted or "
                "moved); its tables cannot be read"
            )
        what = (
            f"it now holds a {m.kind} of {m.scenario_name!r:.60}, {m.plan.n_runs:,} runs"
            if m is not None
            else f"its {MANIFEST} is gone or damaged"
        )
        raise StoreError(
            f"{self.directory} changed after this result was read from it ({what}: a run with "
            "force=True or a refine round since?); its tables are not this result's any more: "
            f"read it again with Result.open('{self.directory}')"
        )

    @classmethod
    def open(cls, directory: str | os.PathLike) -> Result:
        """The result stored in ``directory`` (a folder ``run``, ``sweep`` or ``refine``
        wrote), read lazily; one line if it is not one, or is incomplete or damaged."""
        directory = user_path(directory)  # (pyarrow reads "~/b" as the home folder's b)
        # a link named manifest.json was read as this folder's (another result's: red-team)
        try:
            manifest = None if (directory / MANIFEST).is_symlink() else Manifest.read(directory)
        except OSError as e:  # a name too long for the file system: one line, its end kept
            raise StoreError(
                f"{shortened(directory)}: {e.strerror}; allowed a result folder"
            ) from None
        if manifest is None:
            hint = (  # check reads run and sweep results; the other verbs' folders are files
                "; it holds a robustness analysis (robustness.json), which is read as it is"
                if (Path(directory) / "robustness.json").is_file()
                else "; it holds a backtest (backtest.json), which is read as it is"
                if (Path(directory) / "backtest.json").is_file()
                else ""
            )
            no = "not a result directory (no manifest.json)" if Path(directory).is_dir() else ""
            if (Path(directory) / MANIFEST).exists() or (Path(directory) / MANIFEST).is_symlink():
                no = f"not a result directory ({MANIFEST} is not a file alliance-sim wrote)"
            no = no or "a file, not a result directory" * Path(directory).is_file()
            hint = hint or _scenario_hint(directory) or _beside_hint(directory)
            raise StoreError(f"{directory}: {no or 'no such folder'}{hint}")
        if is_export(Path(directory)):  # its copy of the manifest read as a damaged sweep, and
            src = Path(directory).parent  # "run the same command again" wrote a result into
            was = " (its parent folder)" if (src / MANIFEST).is_file() else ""  # it (helper-110)
            raise StoreError(
                f"{directory}: a CSV export of {manifest.scenario_name!r} (alliance-sim export "
                f"wrote it: its tables are .csv files), not a result directory; allowed: the "
                f"result folder it was exported from{was}"
            )
        return cls(Path(directory), manifest)

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One stored table (``runs``, ``timeseries``, ``alliance``), optionally some columns;
        ``quarter``, ``member`` and ``status`` come back as categoricals, ``quarter``'s
        ordered in time (``.max()`` raised "Categorical is not ordered")."""
        frame = self.arrow(table, columns).to_pandas()
        if isinstance(frame.get("quarter"), pd.Series) and frame["quarter"].dtype == "category":
            cats = frame["quarter"].cat.categories
            frame["quarter"] = frame["quarter"].cat.reorder_categories(
                sorted(cats, key=_quarter_key), ordered=True
            )
        if "error" in frame:  # one dtype whichever version wrote the first file: pandas'
            frame["error"] = frame["error"].astype("string")  # nullable string (NA: ran)
        return frame

    def arrow(self, table: str, columns: list[str] | None = None, filter=None):
        """One stored table as a :class:`pyarrow.Table` (``columns`` only, rows matching the
        ``pyarrow.dataset`` expression ``filter`` only; of :meth:`design`'s runs only).  An
        unfinished run or sweep is refused in one line saying so (its missing chunks are not
        damage).  Read under the readers' lock: while another process rewrote the folder
        (``sweep --force``), a read without it was told a part was missing, "damaged"."""
        from alliance_sim.runs.locks import reading

        if self.manifest.status != "complete":
            raise StoreError(
                f"{self.directory}: the {self.manifest.kind} "
                f"{unfinished(self.manifest.status)} (run the same command again to finish it; "
                "'export --partial' exports what is stored)"
            )
        if table not in TABLES:  # "has no timeserie.parquet (unfinished, or deleted ...)"
            raise StoreError(
                f"table {table!r:.40}: allowed {', '.join(map(repr, sorted(TABLES)))}"
                + did_you_mean(str(table), TABLES)
            )
        if self.run_limit is not None:
            import pyarrow.dataset as ds

            mine = ds.field("run") < self.run_limit
            filter = mine if filter is None else filter & mine
        with reading(self.directory):
            self._still_here()
            if columns is not None:  # pyarrow's "No match for FieldRef" and the schema (red team)
                have = open_dataset(self.directory, table).schema.names
                if missing := [c for c in columns if c not in have]:
                    raise StoreError(
                        f"{table}: no column {missing[0]!r:.60}{did_you_mean(missing[0], have)}; "
                        f"allowed: {', '.join(have[:12])}{' ...' if len(have) > 12 else ''}"
                    )
            return read_table(self.directory, table, columns, filter)

    def design(self) -> Result:
        """This result without the runs ``refine`` added (they sit near an outcome's boundary,
        not over the swept space), for pooled shares, figures, comparisons and sensitivity
        indices; itself when no round's runs are stored.  ``left_out``: what was set aside."""
        import pyarrow.dataset as ds  # every round: an interrupted one's rows may be stored

        rounds = [r for r in self.manifest.rounds if "run_start" in r]
        if not rounds or self.run_limit is not None:
            return self
        run0 = min(int(r["run_start"]) for r in rounds)
        point0 = min(int(r["point_start"]) for r in rounds)
        added = self.arrow("runs", ["run", "point"], filter=ds.field("run") >= run0)
        if not added.num_rows:  # no round's rows are stored: nothing to leave out
            return self
        plan = replace(self.manifest.plan, n_runs=run0, n_points=point0)
        kept = replace(self.manifest, plan=plan, points=self.manifest.points[:point0], rounds=[])
        left = {"rounds": len(rounds), "runs": added.num_rows}
        left |= {"points": len(set(added.column("point").to_pylist())), "design_runs": run0}
        left["cases"] = sorted({case_of(r) for r in rounds})
        last = {case_of(r): r for r in rounds}  # each case's latest round says if it tips
        left["no_boundary"] = sorted(c for c, r in last.items() if not found_boundary(r))
        res = Result(self.directory, kept, self.reused, run0, left, self.disk)
        errors = res.arrow("runs", ["error"]).column("error")
        kept.failed = len(errors) - errors.null_count
        return res

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
