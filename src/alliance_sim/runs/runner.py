"""Running scenarios: ``run_scenario`` (one point, many replicates) and ``sweep`` (the
scenario's sweep), both writing a result directory and returning a :class:`Result`.

A run's result never depends on worker count, chunking or order: each run's seed comes from
the plan, and each chunk's file is named by its place in the plan (read in that order).
Started again with the same arguments, an interrupted sweep computes only the missing chunks.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any

from alliance_sim import __version__
from alliance_sim.engines.chunk import ENGINES
from alliance_sim.limits import check_run_options
from alliance_sim.paths import check_result_dir
from alliance_sim.runs.execute import (
    Progress,
    check_start_method,
    default_chunk_size,
    execute,
    make_executor,
    record_every,
)
from alliance_sim.runs.results import Axis, Manifest, PlanInfo, Result
from alliance_sim.runs.store import Store
from alliance_sim.scenario.load import load_scenario
from alliance_sim.scenario.plan import Plan, make_plan
from alliance_sim.scenario.spec import Scenario


def _scenario(s: Scenario | str | os.PathLike) -> Scenario:
    return s if isinstance(s, Scenario) else load_scenario(s)


def _fingerprint(plan: Plan, record: str, kind: str) -> str:
    blob = json.dumps(
        [
            plan.scenario.hash,
            plan.points.to_dict("list"),
            plan.replicates,
            plan.seed,
            plan.version,
            record,
            kind,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _design(sc: Scenario, kind: str) -> dict[str, Any]:
    """What it takes to rebuild the sweep's design (for sensitivity analysis)."""
    if kind != "sweep" or sc.sweep is None:
        return {"axes": []}
    spec = sc.sweep
    return {
        "samples": spec.samples,
        "levels": spec.levels,
        "design_seed": spec.seed,
        "axes": [
            Axis(a.name, a.low, a.high, list(a.values) if a.values is not None else None, a.quarter)
            for a in spec.axes
        ],
    }


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def execute_plan(
    plan: Plan,
    out: str | os.PathLike,
    *,
    kind: str = "sweep",
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    engine: str = "batch",
    record: str = "all",
    force: bool = False,
    quiet: bool = True,
    chunk_size: int | None = None,
    start_method: str = "auto",
) -> Result:
    """Execute ``plan`` into directory ``out`` (resuming it if it holds the same plan).

    ``out`` may not be the current directory or a parent of it, ``/``, the home directory or
    the scenario's folder; while the plan runs the directory is locked against a second
    writer."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    check_start_method(start_method)  # before the directory is touched, whatever executes
    every = record_every(record)
    check_run_options(workers=workers, executor=executor, chunk_size=chunk_size)
    store = Store(check_result_dir(out, plan.scenario.path))
    with store.locked():
        return _execute_locked(
            plan, store, kind, workers, executor, scheduler, engine, record, every, force,
            quiet, chunk_size, start_method,
        )  # fmt: skip


def _execute_locked(
    plan: Plan,
    store: Store,
    kind: str,
    workers: int,
    executor: str,
    scheduler: str | None,
    engine: str,
    record: str,
    every: int | None,
    force: bool,
    quiet: bool,
    chunk_size: int | None,
    start_method: str,
) -> Result:
    fp = _fingerprint(plan, record, kind)
    old = store.prepare(fp, force=force)
    if old is not None and old.status == "complete":
        store.drop_chunks()  # a chunks/ folder of a version that merged at the end
        return Result(store.dir, old)
    n = plan.n_runs
    if old is not None:
        chunk = int(old.plan.chunk_size)
    else:
        chunk = chunk_size or default_chunk_size(n, workers)
    n_chunks = -(-n // chunk)
    sc = plan.scenario
    manifest = Manifest(
        kind=kind,
        fingerprint=fp,
        scenario_name=sc.name,
        scenario_description=sc.description,
        scenario_path=sc.path,
        scenario_hash=sc.hash,
        scenario=sc.data,
        package_version=__version__,
        plan=PlanInfo(
            sampler=sc.sweep.sampler if (sc.sweep and kind == "sweep") else "none",
            swept=list(plan.points.columns),
            n_points=len(plan.points),
            replicates=plan.replicates,
            n_runs=n,
            master_seed=plan.seed,
            chunk_size=chunk,
            record=record,
            engine=engine,
            start=sc.start,
            end=sc.end,
            focus=list(sc.focus),
            **_design(sc, kind),
        ),
        seeds=plan.seeds(),
        points=plan.points.reset_index().to_dict("records"),
        started=old.started if old else _now(),
        resumes=list(old.resumes) if old else [],
    )
    done = store.done_chunks() if old is not None else set()
    runs_done = sum(min(chunk, n - i * chunk) for i in done)
    if old is not None:  # failures already stored stay counted once
        manifest.failed = int(sum(store_chunk_failed(store, i) for i in done))
        manifest.resumes.append({"at": _now(), "runs_done": runs_done})
        if not quiet:
            print(f"resuming {store.dir}: {runs_done} of {n} runs already stored", flush=True)
    store.write_manifest(manifest)

    def chunks():
        for i in range(n_chunks):
            if i not in done:
                yield i, list(plan.runs(i * chunk, (i + 1) * chunk))

    def on_done(i: int, tables: dict[str, Any] | None, runs: int, failed: int) -> None:
        if tables is not None:
            store.write_chunk(i, tables)
        manifest.failed += failed
        progress.update(runs)

    progress = None
    try:
        with make_executor(executor, workers, scheduler, start_method) as ex:
            # the bar after the workers: its monitor thread would make ``auto`` pick spawn
            progress = Progress(n, done=runs_done, quiet=quiet)
            execute(
                chunks(),
                sc,
                on_done,
                executor=ex,
                engine=engine,
                every=every,
                window=max(2, 2 * workers),
                store_dir=str(store.dir) if executor == "local" else None,
            )
    except BaseException:
        if progress is not None:
            progress.close()
        manifest.status = "interrupted"
        store.write_manifest(manifest)
        raise
    progress.close()
    # every chunk is in place where it stays (nothing is merged or rewritten): the manifest
    # saying complete is the last step, so a kill at any point resumes or finds it complete
    manifest.status, manifest.ended = "complete", _now()
    store.write_manifest(manifest)
    store.drop_chunks()  # only a chunks/ folder left by a version that merged at the end
    return Result(store.dir, manifest)


def store_chunk_failed(store: Store, i: int) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    errors = pq.read_table(store.part("runs", i), columns=["error"]).column("error")
    return int(pc.sum(pc.is_valid(errors)).as_py() or 0)


def sweep(
    scenario: Scenario | str | os.PathLike,
    out: str | os.PathLike,
    *,
    replicates: int | None = None,
    samples: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    engine: str = "batch",
    record: str = "all",
    force: bool = False,
    quiet: bool = True,
    chunk_size: int | None = None,
    start_method: str = "auto",
) -> Result:
    """Run the scenario's ``[sweep]``: every point x replicate, into directory ``out``.

    ``replicates``/``samples``/``seed`` override the file's.  ``workers`` local processes, or
    ``executor="dask"`` (``scheduler`` an address, or None for a LocalCluster).  ``record``:
    ``all``, ``end`` or ``every:N`` quarters in the time series.  ``start_method``: how local
    workers start -- ``auto`` (fork on Linux when no other thread runs, else spawn), ``fork``
    or ``spawn``.
    """
    sc = _scenario(scenario)
    if sc.sweep is None:
        raise ValueError(
            f"{sc.path} has no [sweep] table; use run_scenario() / "
            "'alliance-sim run' for a single point"
        )
    plan = make_plan(sc, replicates=replicates, samples=samples, seed=seed, sweep=True)
    return execute_plan(
        plan,
        out,
        kind="sweep",
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        engine=engine,
        record=record,
        force=force,
        quiet=quiet,
        chunk_size=chunk_size,
        start_method=start_method,
    )


def run_scenario(
    scenario: Scenario | str | os.PathLike,
    out: str | os.PathLike,
    *,
    replicates: int = 200,
    seed: int = 0,
    engine: str = "batch",
    record: str = "all",
    force: bool = False,
    quiet: bool = True,
    workers: int = 1,
) -> Result:
    """Run the scenario at its own parameter values (no sweep), ``replicates`` times."""
    sc = _scenario(scenario)
    plan = make_plan(sc, replicates=replicates, seed=seed, sweep=False)
    return execute_plan(
        plan,
        out,
        kind="run",
        workers=workers,
        engine=engine,
        record=record,
        force=force,
        quiet=quiet,
    )
