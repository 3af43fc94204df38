"""Engines: run a chunk of runs with the Mesa model or the batch engine, as tables.

Both engines return the same trajectory and outcome arrays for the same seeds; this module
turns them into the rows of the result store: one row per run (``runs``), one per run, quarter
and member (``timeseries``) and one per run and quarter (``alliance``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.observations import OBSERVABLES
from alliance_sim.core.outcomes import Trajectory
from alliance_sim.engines.batch import run_batch
from alliance_sim.engines.kernel import PER_RUN_SERIES
from alliance_sim.engines.runspec import RunMeta, RunSpec, check_batch, recorded_steps

ENGINES = ("batch", "mesa")
MEMBER_SERIES = (
    "commitment",
    "credibility",
    "grievance",
    "pressure",
    "western_ties",
    "chinese_ties",
    *OBSERVABLES,
)
ALLIANCE_SERIES = PER_RUN_SERIES  # the per-run series, as the kernel records them


def run_mesa(
    specs: list[RunSpec], seeds: list[int], record_every: int | None = 1
) -> tuple[Trajectory, dict[str, np.ndarray]]:
    """Run each spec in its own :class:`AllianceModel`; same return as ``run_batch``."""
    from alliance_sim.engines.mesa_model import AllianceModel  # Mesa is imported only when used

    n_steps = check_batch(specs)
    keep = recorded_steps(n_steps, record_every)
    trajs, outs = [], []
    for spec, seed in zip(specs, seeds, strict=True):
        m = AllianceModel.from_spec(spec, seed)
        m.run_for(spec.n_steps)
        trajs.append(m.trajectory().at_steps(keep))
        outs.append(m.tracker.result())
    out = {k: np.concatenate([o[k] for o in outs]) for k in outs[0]}
    return Trajectory.concat(trajs), out


def run_chunk(
    specs: list[RunSpec], seeds: list[int], engine: str = "batch", record_every: int | None = 1
) -> tuple[Trajectory, dict[str, np.ndarray]]:
    """Run a chunk with the named engine."""
    if engine == "batch":
        return run_batch(specs, seeds, record_every)
    if engine == "mesa":
        return run_mesa(specs, seeds, record_every)
    raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")


def _column_of(values: list) -> pa.Array:
    """A column of Python values (ints, floats, strings, booleans); strings as
    ``large_string``, the type pandas gives a string column."""
    col = pa.array(values)
    return col.cast(pa.large_string()) if pa.types.is_string(col.type) else col


def runs_table(
    metas: list[RunMeta], out: dict[str, np.ndarray], errors: list[str | None] | None = None
) -> pa.Table:
    """One row per run, built in Arrow: run, run_id, point, replicate, seed, posterior and
    posterior_set (the row it draws and that row's distinct parameter set; -1 for none), the
    swept values, the outcomes ``out`` and ``error`` (null for a run that ran)."""
    R = len(metas)
    cols: dict[str, pa.Array | np.ndarray] = {
        "run": np.fromiter((m.run for m in metas), np.int64, R),
        "run_id": pa.array([m.run_id for m in metas], pa.large_string()),
        "point": np.fromiter((m.point for m in metas), np.int64, R),
        "replicate": np.fromiter((m.replicate for m in metas), np.int64, R),
        "seed": np.fromiter((m.seed for m in metas), np.int64, R),
        "posterior": np.fromiter(
            (-1 if m.posterior is None else m.posterior for m in metas), np.int64, R
        ),
        "posterior_set": np.fromiter(
            (-1 if m.posterior_set is None else m.posterior_set for m in metas), np.int64, R
        ),
    }
    for name in metas[0].values if metas else ():
        cols[name] = _column_of([m.values[name] for m in metas])
    cols.update(out)
    cols["error"] = pa.array(errors if errors is not None else [None] * R, pa.large_string())
    return pa.table(cols)


def _index_type(n: int) -> pa.DataType:
    """The dictionary index type for ``n`` labels: int8 up to 128 (what every result of a
    horizon up to 127 quarters has always stored), int16 beyond (a horizon of up to 400
    quarters: int8 codes wrapped past 127 and every run of such a horizon failed)."""
    return pa.int8() if n <= 128 else pa.int16()


def _dictionary(codes: np.ndarray, names, n: int | None = None) -> pa.DictionaryArray:
    """A dictionary-encoded column from integer ``codes`` into ``names`` (no per-row string);
    ``n``: the number of labels that decides the index type (default: ``len(names)``)."""
    names = list(names)
    kind = _index_type(len(names) if n is None else n)
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(kind.to_pandas_dtype(), copy=False), kind),
        pa.array(names, pa.string()),
    )


def _column(series: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Elements ``flat`` of an (S, R, M) series laid out run by run: ``flat`` indexes its
    (R, S, M) transpose, which is the batch engine's own layout (no copy; the Mesa engine's
    arrays are copied once)."""
    return np.ascontiguousarray(series.transpose(1, 0, 2)).ravel().take(flat)


def tables(
    meta: list[RunMeta], traj: Trajectory, out: dict[str, np.ndarray], start: str
) -> dict[str, pa.Table]:
    """Rows for the store from a chunk's runs (``meta`` as yielded by ``Plan.runs``), as Arrow
    tables.  ``quarter``, ``member`` and ``status`` are dictionary-encoded (categoricals in
    pandas), built from integer codes."""
    R = len(meta)
    steps = traj.steps
    S = len(steps)
    labels = quarters.labels(start, int(steps[-1]))
    labels = [labels[int(s)] for s in steps]  # the recorded quarters, in step order
    run_idx = np.array([m.run for m in meta], dtype=np.int64)
    status = traj["status"]  # (S, R, M)
    allies = mb.ALLY_INDEX
    # rows ordered run, step, member: independent of how runs were chunked
    r_idx, s_idx, m_idx = np.nonzero(status[:, :, allies].transpose(1, 0, 2) > mb.CANDIDATE)
    m_idx = allies[m_idx]
    M = status.shape[2]
    flat = (r_idx * S + s_idx) * M + m_idx  # one index into each series run by run: one take
    ts = pa.table(
        {
            "run": run_idx[r_idx],
            "step": steps[s_idx].astype(np.int32),
            "quarter": _dictionary(s_idx, labels, int(steps[-1]) + 1),
            "member": _dictionary(m_idx, mb.CODES),
            **{k: _column(traj[k], flat) for k in MEMBER_SERIES},
            "status": _dictionary(_column(status, flat), mb.STATUS_NAMES),
        }
    )
    alliance = pa.table(
        {
            "run": np.repeat(run_idx, S),
            "step": np.tile(steps, R).astype(np.int32),
            "quarter": _dictionary(np.tile(np.arange(S), R), labels, int(steps[-1]) + 1),
            **{k: traj[k].T.reshape(-1) for k in ALLIANCE_SERIES},
            **{
                f"n_{name}": ((status == code)[:, :, allies]).sum(-1).T.reshape(-1)
                for code, name in enumerate(mb.STATUS_NAMES)
                if code > 0
            },
        }
    )
    return {
        "runs": runs_table(meta, out),
        "timeseries": ts,
        "alliance": alliance,
    }


def _dict_type(n: int = 0) -> pa.DataType:
    return pa.dictionary(_index_type(n), pa.string())


def empty_table(name: str, n_steps: int = 0) -> pa.Table:
    """A ``timeseries`` or ``alliance`` table with no rows and the right column types for a
    horizon of ``n_steps`` quarters."""
    key = {"run": pa.int64(), "step": pa.int32(), "quarter": _dict_type(n_steps + 1)}
    if name == "timeseries":
        cols = {
            **key,
            "member": _dict_type(),
            **dict.fromkeys(MEMBER_SERIES, pa.float64()),
            "status": _dict_type(),
        }
    else:
        counts = {f"n_{n}": pa.int64() for n in mb.STATUS_NAMES[1:]}
        cols = {**key, **dict.fromkeys(ALLIANCE_SERIES, pa.float64()), **counts}
    return pa.schema(list(cols.items())).empty_table()
