"""Running scenarios: ``run_scenario`` (one point, many replicates) and ``sweep`` (the
scenario's sweep), both writing a result directory and returning a :class:`Result`.

A run's result never depends on worker count, chunking or order: each run's seed comes from
the plan, and each chunk's file is named by its place in the plan (read in that order).
Started again with the same arguments, an interrupted sweep computes only the missing chunks.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from alliance_sim import __version__, limits
from alliance_sim.engines.chunk import ENGINES
from alliance_sim.errors import StoreError, UserError
from alliance_sim.limits import check_count, check_run_options, check_seed
from alliance_sim.paths import check_result_dir, writable_dir
from alliance_sim.progress import default_quiet
from alliance_sim.runs.execute import (
    Progress,
    check_executor,
    default_chunk_size,
    execute,
    make_executor,
    record_every,
)
from alliance_sim.runs.foreign import refuse_odd_parts
from alliance_sim.runs.identity import differs, fingerprint, replacing
from alliance_sim.runs.integrity import ROUND_LOST, PartRecord, damaged_parts, merge
from alliance_sim.runs.results import Axis, Manifest, PlanInfo, Result
from alliance_sim.runs.room import check_room
from alliance_sim.runs.store import Store
from alliance_sim.scenario import load as loading
from alliance_sim.scenario.load import consistent, load_scenario, with_end
from alliance_sim.scenario.plan import Plan, make_plan
from alliance_sim.scenario.spec import Scenario
from alliance_sim.scenario.stamp import code_stamp


def _scenario(
    s: Scenario | str | os.PathLike, end: str | None = None, sweep: bool = True
) -> Scenario:
    """The scenario to run: loaded if a name or path, run to ``end`` if given (``sweep``:
    keep its [sweep] table; a run does not use it), warning of what ``end`` leaves out."""
    sc = consistent(s) if isinstance(s, Scenario) else load_scenario(s)
    return sc if end is None else with_end(sc, end, where="end", sweep=sweep, warn=4)


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
    quiet: bool | None = None,
    chunk_size: int | None = None,
    start_method: str = "auto",
) -> Result:
    """Execute ``plan`` into directory ``out`` (resuming it if it holds the same plan).
    ``out`` may not be the current directory or a parent of it, ``/``, the home directory or
    the scenario's folder; while the plan runs the directory is locked against a second writer."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    target = check_result_dir(out, plan.scenario.path, nested=kind == "refine")
    if kind != "refine":  # (a round's folder lies in its result's own files)
        writable_dir(target)
    quiet = default_quiet(quiet)  # the API's None: a bar in Jupyter, silence elsewhere
    every = record_every(record)
    check_run_options(
        workers=workers, executor=executor, chunk_size=chunk_size, scheduler=scheduler
    )
    if not isinstance(force, bool):  # "no" replaced a finished result
        raise UserError(f"force = {force!r}: allowed True or False")
    check_executor(start_method, executor, scheduler)  # a 10 s probe: last, before a write
    with (store := Store(target)).locked():
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
    fp = fingerprint(plan, record, kind)
    before = store.read_manifest_quietly() if force else None
    old = store.prepare(fp, force=force, differs=lambda m: differs(m, plan, record, kind))
    if before is not None and old is None and not quiet:
        print(replacing(before, store.dir, store.beside()), flush=True)
    n = plan.n_runs
    if old is not None:
        chunk = int(old.plan.chunk_size) or chunk_size or default_chunk_size(n, workers)
    else:
        chunk = chunk_size or default_chunk_size(n, workers)
    n_chunks = -(-n // chunk)
    kept: dict[str, dict[str, PartRecord]] = {}  # parts that are not chunks (refine rounds)
    if old is not None and old.status == "complete":
        bad = damaged_parts(store.dir, old)
        if not bad:
            store.drop_journal()  # left by a kill right after the manifest said complete
            store.drop_chunks()  # a chunks/ folder of a version that merged at the end
            if not quiet:
                print(
                    f"{store.dir} already holds this {kind}, complete ({old.plan.n_runs} runs, "
                    f"finished {old.ended}): nothing to run (--force runs it again)",
                    flush=True,
                )
            return Result(store.dir, old, reused=True)
        stored, kept = _repairable(store, old, bad, n_chunks)  # (a folder where a part goes:
        refuse_odd_parts(store.dir, [i for i in range(n_chunks) if i not in stored], True)
        manifest = old  # refused before "repairing" is said or the journal is rewritten)
        manifest.status, manifest.ended, manifest.parts = "running", None, None
        manifest.resumes.append({"at": _now(), "repaired": sorted({str(p) for p, _ in bad})})
        if not quiet:
            print(
                f"repairing {store.dir}: {len(bad)} damaged part(s), e.g. {bad[0][0].name} "
                f"{bad[0][1]}; re-running {n_chunks - len(stored)} chunk(s)",
                flush=True,
            )
        store.rewrite_journal(stored)
        manifest.parts = kept or None  # the rounds' records wait here until the end
    else:
        stored = store.stored_chunks(n_chunks, legacy=old.format < 2) if old is not None else {}
        if old is not None and old.rounds:  # a repair of a refined directory, resumed
            kept = dict(old.parts or {})
        rounds = {name for files in kept.values() for name in files}
        extra = [p for p in store.extra_parts(n_chunks) if p.name not in rounds]
        if extra:
            raise StoreError(
                f"{extra[0]} is not a part of this {kind} (numbered past its {n_chunks} chunks, "
                f"or of a refine round it does not know); move it out of {store.dir} "
                "(alliance-sim deletes only what it wrote) and run the same command again"
            )
        if old is not None and old.rounds:
            manifest = old
            manifest.status = "running"
        else:
            manifest = _new_manifest(plan, kind, fp, chunk, record, engine, old)
        if old is not None:
            if old.format < 2:  # the chunks a version before format 2 stored: recorded now
                store.rewrite_journal(stored)
            manifest.resumes.append({"at": _now(), "runs_done": _runs_in(stored, chunk, n)})
    runs_done = _runs_in(stored, chunk, n)
    refuse_odd_parts(store.dir, [i for i in range(n_chunks) if i not in stored], folders=True)
    sc = plan.scenario

    def chunks():
        for i in range(n_chunks):
            if i not in stored:
                yield i, list(plan.runs(i * chunk, (i + 1) * chunk))

    def on_done(i: int, tables: dict[str, Any] | None, records, runs: int, failed: int) -> None:
        if tables is not None:
            records = store.write_chunk(i, tables)
        store.record_chunk(i, records)
        stored[i] = records
        check_room(store.dir, stored, n_chunks)  # one line, and resumable, before a full disk
        progress.update(runs)

    progress = None
    written = False
    try:
        with make_executor(executor, workers, scheduler, start_method) as ex:
            # written once the workers are there (an unanswered Dask scheduler left "interrupted")
            if old is not None and not quiet and old.status != "complete":
                print(f"resuming {store.dir}: {runs_done} of {n} runs already stored", flush=True)
            store.write_manifest(manifest)
            written = True
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
                code=code_stamp(),
            )
    except BaseException:
        if progress is not None:
            progress.close()
        if written:
            manifest.status = "interrupted"
            store.write_manifest(manifest)
        raise
    progress.close()
    # every chunk is in place where it stays (nothing is merged or rewritten): the manifest
    # saying complete, with every part's record, is the last step, so a kill at any point
    # resumes or finds it complete
    parts = merge([*(stored[i] for i in sorted(stored)), kept])
    manifest.failed = _failed_runs(store, parts["runs"])
    manifest.status, manifest.ended, manifest.parts = "complete", _now(), parts
    store.write_manifest(manifest)
    store.drop_journal()
    store.drop_chunks()  # only a chunks/ folder left by a version that merged at the end
    return Result(store.dir, manifest)


def _runs_in(stored: dict[int, Any], chunk: int, n: int) -> int:
    return sum(min(chunk, n - i * chunk) for i in stored)


def _new_manifest(
    plan: Plan, kind: str, fp: str, chunk: int, record: str, engine: str, old: Manifest | None
) -> Manifest:
    sc = plan.scenario
    return Manifest(
        kind=kind,
        fingerprint=fp,
        scenario_name=sc.name,
        scenario_description=sc.description,
        scenario_path=_absolute(sc.path),
        scenario_hash=sc.hash,
        scenario=sc.data,
        package_version=__version__,
        model=plan.model,
        plan=PlanInfo(
            sampler=sc.sweep.sampler if (sc.sweep and kind == "sweep") else "none",
            swept=list(plan.points.columns),
            n_points=len(plan.points),
            replicates=plan.replicates,
            n_runs=plan.n_runs,
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


def _repairable(
    store: Store, old: Manifest, bad: list[tuple[Path, str]], n_chunks: int
) -> tuple[dict[int, dict[str, dict[str, PartRecord]]], dict[str, dict[str, PartRecord]]]:
    """For a finished directory with damaged parts: the chunks still whole (to keep) and the
    records of its refine rounds' parts, or one line saying why it cannot be repaired."""
    from alliance_sim.runs.results import TABLES

    damaged: set[int] = set()
    for path, why in bad:
        chunk = re.fullmatch(r"part-(\d{6})\.parquet", path.name)
        if chunk is None or int(chunk.group(1)) >= n_chunks:
            if "extra" in why or "where its parts go" in why:  # a file not ours: moved out
                raise StoreError(
                    f"{path} {why}; move it out of {store.dir} (alliance-sim deletes only "
                    "what it wrote) and run the same command again"
                )
            raise StoreError(f"{path} {why}; {ROUND_LOST}")
        damaged.add(int(chunk.group(1)))
    if old.parts is None:  # before format 2: record the whole chunks as they are
        legacy = store.stored_chunks(n_chunks, legacy=True)
        return {i: r for i, r in legacy.items() if i not in damaged}, {}
    stored, kept = {}, {}
    for i in range(n_chunks):
        if i in damaged:
            continue
        name = f"part-{i:06d}.parquet"
        stored[i] = {t: {name: old.parts[t][name]} for t in TABLES}
    for t, files in old.parts.items():
        for name, rec in files.items():
            if name.startswith("part-round-"):
                kept.setdefault(t, {})[name] = rec
    return stored, kept


def _failed_runs(store: Store, runs_parts: dict[str, PartRecord]) -> int:
    """Runs stored with an error, counted in the ``runs`` parts themselves."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from alliance_sim.runs.results import table_path

    total = 0
    for name in runs_parts:
        errors = pq.read_table(table_path(store.dir, "runs") / name, columns=["error"])
        total += int(pc.sum(pc.is_valid(errors.column("error"))).as_py() or 0)
    return total


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
    quiet: bool | None = None,
    chunk_size: int | None = None,
    start_method: str = "auto",
    end: str | None = None,
) -> Result:
    """Run the scenario's ``[sweep]``: every point x replicate, into directory ``out``.

    ``replicates``/``samples``/``seed`` override the file's.  ``workers`` local processes, or
    ``executor="dask"`` (``scheduler`` an address, or None for a LocalCluster).  ``record``:
    ``all``, ``end`` or ``every:N`` quarters in the time series.  ``start_method``: how local
    workers start -- ``auto`` (fork on Linux when no other thread runs, else spawn), ``fork``
    or ``spawn``.  ``end``: run to this quarter instead of the scenario's own end (events
    after it are left out; see :func:`alliance_sim.scenario.load.with_end`).
    """
    sc = _scenario(scenario, end)
    if sc.sweep is None:
        raise ValueError(
            f"{sc.path} has no [sweep] table; use run_scenario() / "
            "'alliance-sim run' for a single point"
        )
    if samples is not None:
        from alliance_sim.scenario.checks import check_samples

        check_samples(samples, sc.sweep.sampler, sc.path)
    reps, samples, seed = (None if v is None else check_count(n, v, 1 if n != "seed" else 0, hi)
                           for n, v, hi in (("replicates", replicates, limits.MAX_REPLICATES),
                                            ("samples", samples, limits.MAX_POINTS),
                                            ("seed", seed, limits.MAX_SEED)))  # fmt: skip
    plan = make_plan(sc, replicates=reps, samples=samples, seed=seed, sweep=True)
    loading.warn_few_sets(sc)  # (once its arguments are checked: helper-119)
    return execute_plan(plan, out, kind="sweep", workers=workers, executor=executor,
                        scheduler=scheduler, engine=engine, record=record, force=force,
                        quiet=quiet, chunk_size=chunk_size, start_method=start_method)  # fmt: skip


def run_scenario(
    scenario: Scenario | str | os.PathLike,
    out: str | os.PathLike,
    *,
    replicates: int = 200,
    seed: int = 0,
    engine: str = "batch",
    record: str = "all",
    force: bool = False,
    quiet: bool | None = None,
    workers: int = 1,
    end: str | None = None,
) -> Result:
    """Run the scenario at its own parameter values (no sweep) into directory ``out``, and
    return the :class:`Result` (its tables, member table and figures).

    ``scenario``: a shipped name (``"baseline"``), a TOML path or a loaded Scenario.
    ``replicates``: runs, each with its own seed derived from ``seed`` (a whole number: the
    same seed gives the same runs on any machine; a calibrated forecast draws posterior set
    k for replicate k).  ``engine``: ``batch`` or ``mesa`` (the same trajectories).
    ``record``: ``all``, ``end`` or ``every:N`` quarters kept in the time series.
    ``force``: replace a finished result in ``out`` (only alliance-sim's own files); without
    it a finished result is refused and an interrupted one resumed.  ``quiet``: no progress
    bar (None: a bar in Jupyter only).  ``workers``: local processes.  ``end``: run to this
    quarter instead of the scenario's own (later events are left out)."""
    sc = _scenario(scenario, end, sweep=False)  # seed=None ran with 0 without a word
    reps = check_count("replicates", replicates, 1, limits.MAX_REPLICATES)  # (None: the [sweep]'s)
    plan = make_plan(sc, replicates=reps, seed=check_seed(seed), sweep=False)
    loading.warn_few_sets(sc)
    return execute_plan(plan, out, kind="run", workers=workers, engine=engine, record=record,
                        force=force, quiet=quiet)  # fmt: skip


def _absolute(path: str) -> str:
    """A scenario file's absolute path (``check`` and ``refine`` find it from any folder, and
    look for its trailing parts when the project has moved: runs/identity.py); a scenario that
    is not a file (``<simulate>``) as it is."""
    p = Path(path)
    return str(p.resolve()) if path and not path.startswith("<") and p.is_file() else path
