"""Calibrated posteriors: the parameter sets a calibration accepted, in a columnar file.

A posterior file (``scenarios/calibrated/*.parquet``) holds one row per accepted parameter set
(a column per parameter, plus ``distance`` and ``weight``) and, in the Parquet schema's
metadata under ``alliance_sim``, a JSON record of how it was made: the replay scenario it was
fitted to (``replay``, relative to the file), that replay's ``start`` and ``end``, the
``replay_seed`` from which replay *k*'s seed derives, the method, the reproduction rates and
the package version.  It is read once per process (cached by path and content hash).

Forecasts draw parameter set *k* in replicate *k*, and a forecast that starts where the replay
ends continues replay *k*'s end state (:mod:`alliance_sim.scenario.history`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from alliance_sim.core import members as mb
from alliance_sim.core.params import BY_NAME
from alliance_sim.errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

META_KEY = b"alliance_sim"
T = TypeVar("T")
NOT_PARAMETERS = ("distance", "weight")


@dataclass(frozen=True)
class Split:
    """A parameter set as global parameters and per-member figures (read-only: shared)."""

    params: dict[str, float]
    members: dict[str, dict[str, float]]


@dataclass(frozen=True)
class Posterior:
    """Accepted parameter sets and what they were fitted to.

    The sets are read-only mappings: each set's split into parameters and member figures is
    cached (:meth:`split_of`), so a changed set is a new posterior
    (``dataclasses.replace(post, sets=...)``); editing one in place raises TypeError."""

    path: str
    sha256: str
    sets: tuple[Mapping[str, float], ...]
    meta: dict[str, Any] = field(default_factory=dict)
    _split: dict[tuple[int, bool], Split] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        sets = tuple(MappingProxyType(dict(s)) for s in self.sets)
        object.__setattr__(self, "sets", sets)  # a frozen dataclass sets its own field

    @property
    def start(self) -> str:
        """First quarter of the replay the sets were fitted to (its initial state)."""
        return str(self.meta.get("start", ""))

    @property
    def end(self) -> str:
        """Last quarter of that replay: where a forecast that continues it starts."""
        return str(self.meta.get("end", ""))

    @property
    def replay_path(self) -> Path | None:
        """The replay scenario file the sets were fitted to."""
        rel = self.meta.get("replay")
        return (Path(self.path).parent / rel).resolve() if rel else None

    @property
    def replay_seed(self) -> int:
        return int(self.meta.get("replay_seed", 0))

    def __len__(self) -> int:
        return len(self.sets)

    def _plain_sets(self) -> tuple[dict[str, float], ...]:
        return tuple(dict(s) for s in self.sets)

    def __copy__(self) -> Posterior:
        return Posterior(self.path, self.sha256, self.sets, self.meta)

    def __deepcopy__(self, memo: dict) -> Posterior:
        import copy

        return Posterior(self.path, self.sha256, self._plain_sets(), copy.deepcopy(self.meta, memo))

    def __reduce__(self) -> tuple:
        # sent to a worker with every chunk: the values, never the caches, and a worker keeps
        # one copy per file content (:func:`_revive`), so its caches outlive the chunk
        return (_revive, (self.path, self.sha256, self._plain_sets(), self.meta))

    def derived(self, name: str, make: Callable[[Posterior], T]) -> T:
        """``make(self)``, computed on the first call for ``name`` and kept with this posterior
        (what depends on its sets only, such as the replays' end states)."""
        if name not in self._derived:
            self._derived[name] = make(self)
        return self._derived[name]

    @property
    def set_ids(self) -> tuple[int, ...]:
        """For each row, the number of its distinct parameter set (0, 1, ... in order of first
        appearance): the SMC's resampling repeats the likelier sets (153 distinct in the 400
        rows of the shipped fit), and the runs on one set are one independent unit of a
        forecast's intervals (:func:`alliance_sim.analysis.design.clusters`)."""
        return self.derived("set_ids", _set_ids)

    def set_of(self, replicate: int) -> Mapping[str, float]:
        """The parameter set replicate ``replicate`` draws (sets cycle)."""
        return self.sets[replicate % len(self.sets)]

    def split_of(self, replicate: int, initial: bool = True) -> Split:
        """Replicate ``replicate``'s set split into global parameters ``{name: value}`` and
        member figures ``{code: {field: value}}``; ``initial=False`` leaves out the members'
        ``initial_*`` figures (a state at the replay's start, which a forecast does not use).
        Computed once per set: every run of a sweep asks for its set."""
        key = (replicate % len(self.sets), initial)
        if key not in self._split:
            params: dict[str, float] = {}
            members: dict[str, dict[str, float]] = {}
            for name, value in self.sets[key[0]].items():
                parts = name.split(".")
                if len(parts) == 1:
                    params[name] = value
                elif initial or not parts[2].startswith("initial_"):
                    members.setdefault(parts[1], {})[parts[2]] = value
            self._split[key] = Split(params, members)
        return self._split[key]


_REVIVED: dict[tuple[str, str], Posterior] = {}


def _revive(
    path: str, sha256: str, sets: tuple[Mapping[str, float], ...], meta: dict[str, Any]
) -> Posterior:
    """A posterior arriving in a process (unpickled): the copy this process already revived
    with the same values from the same file (path and hash) if there is one, else a new one
    (kept, at most 8).  A posterior that was not read from a file (no hash) is always new; so
    is one whose sets or record differ from the kept copy's (``dataclasses.replace`` keeps
    the path and hash): the comparison costs a fraction of a millisecond a chunk."""
    if not sha256:
        return Posterior(path, sha256, sets, meta)
    key = (path, sha256)
    kept = _REVIVED.get(key)
    if kept is None or kept.sets != sets or _record(kept.meta) != _record(meta):
        if kept is None and len(_REVIVED) >= 8:
            _REVIVED.pop(next(iter(_REVIVED)))
        kept = _REVIVED[key] = Posterior(path, sha256, sets, meta)
    return kept


def _record(meta: dict[str, Any]) -> str:
    """A posterior's record as text, for comparing two (NaN, which a short fit may record as
    a score, equals itself here)."""
    return json.dumps(meta, sort_keys=True, default=str)


def file_hash(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def read_posterior(path: str | os.PathLike) -> Posterior:
    """Read and check a posterior file; raise :class:`ScenarioError` (one line) if it is not
    one: missing, unreadable, no rows, an unknown parameter, a value that is not a finite
    number."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(
            f"missing calibration file {p.name!r} (looked for {p}); create it with: "
            f"alliance-sim calibrate {p.stem} --out {p} (the replay scenario it is named after)"
        )
    return _read(str(p.resolve()), file_hash(p))


@lru_cache(maxsize=8)
def _read(path: str, sha: str) -> Posterior:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path).read()  # not pq.read_table: that loads pandas
    except Exception as e:
        raise ScenarioError(f"{path}: not a posterior file ({type(e).__name__})") from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    meta = json.loads(raw) if raw else {}
    if table.num_rows == 0:
        raise ScenarioError(f"{path}: the posterior has no parameter sets")
    columns = {}
    for name in table.column_names:
        if name in NOT_PARAMETERS or name.startswith("__index_level_"):
            continue
        parts = name.split(".")
        known = (len(parts) == 1 and name in BY_NAME) or (
            len(parts) == 3
            and parts[0] == "members"
            and parts[1] in mb.CODES
            and parts[2] in mb.MEMBER_FIELDS
        )
        if not known:
            raise ScenarioError(f"{path}: unknown parameter {name!r} in the posterior")
        values = table.column(name).to_pylist()
        bad = [v for v in values if not (isinstance(v, int | float) and math.isfinite(v))]
        if bad:
            raise ScenarioError(
                f"{path}: {name} = {bad[0]!r} in the posterior is not a finite number"
            )
        columns[name] = values
    names = list(columns)
    sets = tuple(
        {n: float(v) for n, v in zip(names, row, strict=True)}
        for row in zip(*columns.values(), strict=True)
    )
    return Posterior(path, sha, sets, meta)


def is_ours(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a Parquet file carrying the posterior metadata alliance-sim writes
    (the only kind of existing file ``calibrate --out`` replaces)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):  # not Parquet (pyarrow raises ArrowInvalid, a ValueError)
        return False
    return META_KEY in meta


def write_posterior(path: str | os.PathLike, table: pd.DataFrame, meta: dict[str, Any]) -> Path:
    """Write accepted sets (a column per parameter, ``distance``, ``weight``) with ``meta``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    t = pa.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
    t = t.replace_schema_metadata({META_KEY: json.dumps(meta, default=str).encode()})
    pq.write_table(t, out)
    return out


def _set_ids(post: Posterior) -> tuple[int, ...]:
    ids: dict[tuple, int] = {}
    return tuple(ids.setdefault(tuple(sorted(s.items())), len(ids)) for s in post.sets)
