"""Executing a plan: chunks of runs on local cores or a Dask cluster, with progress.

Everything is coded against the ``concurrent.futures.Executor`` interface: a local process
pool (``ProcessPoolExecutor``; see :func:`start_method_for` for how its processes start), a Dask
``Client.get_executor()``, or in-process for one worker.  Each task is a chunk of runs, so
start-up costs are paid once per worker; at most a few chunks are in flight, so memory stays
bounded however many runs the plan has.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TextIO

import numpy as np
import pyarrow as pa

from alliance_sim.core.outcomes import outcome_names
from alliance_sim.engines import chunk as eng
from alliance_sim.engines.runspec import RunMeta
from alliance_sim.errors import UserError, WorkerError
from alliance_sim.runs.lifeline import die_with_parent
from alliance_sim.scenario.plan import specs_for
from alliance_sim.scenario.spec import Scenario

EXECUTORS = ("local", "dask")
# no forkserver: its workers are the server's children, so they cannot follow the sweep's
# process when it dies (die_with_parent) -- the guarantee against orphans comes first
START_METHODS = ("auto", "fork", "spawn")
SCHEDULER_TIMEOUT = 10  # seconds to wait for a Dask scheduler to answer


CHUNK = 1000  # runs per task at most by default: the batch engine's fastest size here


def default_chunk_size(n_runs: int, workers: int = 1) -> int:
    """Runs per task when the user gives none: at most :data:`CHUNK`, at least 25, and the
    same number of tasks for every worker (give or take one when the runs are few), at least
    two each.

    On the reference machine a 1,000-run chunk costs 149 microseconds a run in the engine, a
    250-run chunk 238: small sweeps gain from fewer, larger chunks (2,000 runs on 2 workers:
    500 a chunk, not 250; 9% less wall time).  Equal shares keep the last worker from
    finishing alone (21,000 runs on 2 workers: 22 chunks of 955, not 21 of 1,000).  Two
    tasks each let a worker start its next chunk while the first is being stored."""
    workers = max(int(workers), 1)
    per_worker = max(2, -(-n_runs // (CHUNK * workers)))
    return max(25, -(-n_runs // (per_worker * workers)))


RECORDS = "all, end or every:N (N a positive integer)"
NO_DASK = "executor = 'dask' (--executor dask) needs the dask extra: pip install -e '.[dask]'"


def record_every(record: str) -> int | None:
    """``all`` -> 1, ``end`` -> None, ``every:N`` -> N.  Raises ValueError otherwise."""
    if not isinstance(record, str):  # None raised an AttributeError
        raise ValueError(f"record = {record!r} (--record): allowed {RECORDS}")
    if record == "all":
        return 1
    if record == "end":
        return None
    if record.startswith("every:") and record[6:].isdigit() and int(record[6:]) > 0:
        return int(record[6:])
    raise ValueError(f"record = {record!r} (--record): allowed {RECORDS}")


def run_task(
    scenario: Scenario,
    metas: list[RunMeta],
    engine: str,
    every: int | None,
    store_dir: str | None = None,
    index: int = 0,
    code: str | None = None,
) -> tuple[dict[str, pa.Table] | None, dict[str, Any] | None, int, int]:
    """Run chunk ``index`` (in a worker) and return ``(tables, records, runs, failed)``.
    With ``store_dir`` (workers that share the disk) the worker writes the chunk itself and
    returns its files' records instead of the tables, which spares sending them between
    processes; otherwise ``records`` is None.  ``code``: the client's code stamp
    (:func:`~alliance_sim.scenario.stamp.code_stamp`); a worker with another model installed
    (a remote Dask worker) refuses the chunk rather than store another model's runs under the
    client's stamp."""
    if code is not None:
        from alliance_sim.scenario.stamp import code_stamp

        if code_stamp() != code:
            raise WorkerError(
                f"a worker runs another model (its code stamp {code_stamp()[:16]}, this "
                f"command's {code[:16]}): install the same alliance-sim on every worker"
            )
    tables, failed = chunk_tables(scenario, metas, engine, every)
    if store_dir is not None:
        from alliance_sim.runs.store import Store

        records = Store(store_dir).write_chunk(index, tables)
        return None, records, len(metas), failed
    return tables, None, len(metas), failed


def chunk_tables(
    scenario: Scenario, metas: list[RunMeta], engine: str, every: int | None
) -> tuple[dict[str, pa.Table], int]:
    """Run a chunk.  If it raises, its runs are retried one by one and each run that still
    raises gets a row with its error and NaN outcomes.  Returns the chunk's tables and how
    many runs failed."""
    specs = specs_for(scenario, metas)
    seeds = [m.seed for m in metas]
    try:
        traj, out = eng.run_chunk(specs, seeds, engine, every)
        return eng.tables(metas, traj, out, scenario.start), 0
    except MemoryError:
        raise  # never retried run by run: that took minutes and failed the same way
    except Exception:
        pass
    parts, errors = [], []
    for meta, spec, seed in zip(metas, specs, seeds, strict=True):
        try:
            traj, out = eng.run_chunk([spec], [seed], engine, every)
            parts.append(eng.tables([meta], traj, out, scenario.start))
        except MemoryError:
            raise
        except Exception as e:
            last = traceback.extract_tb(e.__traceback__)[-1]
            errors.append((meta, f"{type(e).__name__}: {e} ({last.filename}:{last.lineno})"))
    tables: dict[str, pa.Table | None] = {
        k: pa.concat_tables([p[k] for p in parts]) if parts else None
        for k in ("runs", "timeseries", "alliance")
    }
    if errors:
        nan = {k: np.full(len(errors), np.nan) for k in outcome_names()}
        failed = eng.runs_table([m for m, _ in errors], nan, [msg for _, msg in errors])
        if tables["runs"] is not None:
            failed = pa.concat_tables([tables["runs"], failed])
        tables["runs"] = failed.sort_by("run")
    for k in ("timeseries", "alliance"):
        if tables[k] is None:  # every run of the chunk failed
            tables[k] = eng.empty_table(k, scenario.n_steps)
    return tables, len(errors)


class InlineExecutor(Executor):
    """Runs each task when submitted, in this process (one worker, no pool)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:
            f.set_exception(e)
        return f


def _noop() -> None:
    return None


@contextmanager
def _main_hidden() -> Iterator[None]:
    """Hide the caller's ``__main__`` while worker processes start.

    Under ``spawn`` a child re-runs the parent's main script (or module) before it can take
    tasks: from a notebook, stdin or an unguarded script that fails or recurses - the reason
    ``mesa.batch_run`` and EMA Workbench hang in Jupyter.  Our tasks live in this package and
    need nothing from ``__main__``, so the children are started without it.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    try:
        main.__dict__.pop("__file__", None)
        main.__dict__["__spec__"] = None
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def check_start_method(start_method: str) -> None:
    """Raise ValueError unless ``start_method`` is one of :data:`START_METHODS`."""
    if start_method not in START_METHODS:
        raise ValueError(
            f"unknown start method {start_method!r}; allowed: {', '.join(START_METHODS)}"
        )


def check_executor(start_method: str, executor: str, scheduler: str | None) -> None:
    """Before a result directory is touched: the start method, and a Dask scheduler that
    answers (with ``--force``, a finished result was deleted before the scheduler was asked,
    and the command then stopped on it: a bad address must lose nothing)."""
    check_start_method(start_method)
    if executor == "dask" and scheduler:
        with _connect(scheduler) as client:  # a scheduler without workers ran nothing, and
            try:  # with --force the result had gone (red-team)
                client.wait_for_workers(1, timeout=SCHEDULER_TIMEOUT)
            except (OSError, TimeoutError):
                raise UserError(
                    f"scheduler = {scheduler!r} (--scheduler): the scheduler answered but has no "
                    f"worker (waited {SCHEDULER_TIMEOUT} s); allowed a scheduler with workers"
                ) from None


def _connect(scheduler: str):
    """A Dask client of ``scheduler``, or one line saying why there is none."""
    try:
        from distributed import Client
    except ImportError:
        raise RuntimeError(NO_DASK) from None
    import gc

    # a client whose start failed is garbage with its loop; collected while the next client
    # starts its own loop thread, its __del__ stopped that loop and the start hung for good
    # (a test run deadlocked in Client.__init__ -> Client.__del__): collect it first
    gc.collect()
    try:
        return Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (ValueError, TypeError):
        raise UserError(
            f"scheduler = {scheduler!r} (--scheduler) is not a Dask address; allowed e.g. tcp://host:8786"
        ) from None
    except (OSError, TimeoutError, AssertionError) as e:  # AssertionError: distributed's own
        # word for a client loop that did not start within 10 s (a loaded machine; CI saw it)
        raise UserError(
            f"scheduler = {scheduler!r} (--scheduler): no Dask scheduler answered within "
            f"{SCHEDULER_TIMEOUT} s ({type(e).__name__}); allowed an address such as "
            "tcp://host:8786 of a running scheduler"
        ) from None


def _worker_start(parent: int) -> None:
    """First thing in a local worker: Ctrl-C is the parent's to handle (it stops the workers;
    a worker interrupted while waiting for work printed a traceback), and the worker dies with
    its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler is not ours here
    die_with_parent(parent)


def _stop_workers(ex: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now (after Ctrl-C or an error): no new task starts, and running
    ones are terminated -- their chunks were not stored, so a resume computes them again."""
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()


def start_method_for(start_method: str = "auto") -> str:
    """How local worker processes start: ``auto`` is ``fork`` on Linux when this process runs
    a single thread, else ``spawn``.

    ``fork`` costs milliseconds: the workers inherit everything already imported and loaded
    (numpy, pyarrow, pandas, the scenario, the posterior), where ``spawn`` starts a fresh
    interpreter per worker that imports them again (about 0.6 s each on the reference
    machine, a quarter of a 20,000-run sweep).  Forking a process that runs other threads can
    deadlock the child (a lock held by a thread that does not exist there), and on macOS
    system libraries are not fork-safe, so there -- and in Jupyter, whose kernel runs several
    threads -- ``auto`` uses ``spawn``, which needs nothing from ``__main__`` (see
    :func:`_main_hidden`).
    """
    check_start_method(start_method)
    if start_method != "auto":
        return start_method
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and can_fork and threading.active_count() == 1:
        return "fork"
    return "spawn"


@contextmanager
def make_executor(
    kind: str = "local", workers: int = 1, scheduler: str | None = None, start_method: str = "auto"
) -> Iterator[Executor]:
    """An executor for ``kind`` (``local`` or ``dask``).  ``dask`` with no ``scheduler``
    address starts a ``LocalCluster`` of ``workers`` processes.  ``start_method``: how local
    workers start (:func:`start_method_for`)."""
    if kind == "local":
        if workers <= 1:
            yield InlineExecutor()
            return
        ctx = multiprocessing.get_context(start_method_for(start_method))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_worker_start,  # no orphans if the caller is killed; no Ctrl-C
            initargs=(os.getpid(),),
        ) as ex:
            try:
                with _main_hidden():  # start every worker now: one per task submitted at once
                    wait([ex.submit(_noop) for _ in range(workers)])
                yield ex
            except BrokenProcessPool:
                raise WorkerError(
                    "a worker process died (killed, or out of memory); the chunks already "
                    "stored are kept: run the same command again to resume"
                ) from None
            except BaseException:
                _stop_workers(ex)
                raise
        return
    if kind == "dask":
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError(NO_DASK) from None
        if scheduler:
            with _connect(scheduler) as client:
                yield client.get_executor()
        else:
            with _main_hidden():  # the cluster's worker processes start here
                cluster = LocalCluster(
                    n_workers=max(workers, 1),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # no dashboard, and its HTTP server (health routes) on a free port: on 8787,
                    # the default, a user's own Dask dashboard made it warn in five lines
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    host="127.0.0.1",
                    silence_logs=logging.CRITICAL,  # no heartbeat tracebacks when we stop
                )
            with cluster, Client(cluster) as client:
                yield client.get_executor()
        return
    raise ValueError(f"unknown executor {kind!r}; allowed: {', '.join(EXECUTORS)}")


class Progress:
    """Runs done of a plan, as a :func:`alliance_sim.progress.bar` (runs/s and time left)."""

    def __init__(
        self, total: int, done: int = 0, quiet: bool = False, stream: TextIO | None = None
    ) -> None:
        from alliance_sim.progress import bar

        self.bar = bar(total, "runs", unit="run", quiet=quiet, initial=done, stream=stream)

    def update(self, n: int) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


def execute(
    chunks: Iterator[tuple[int, list[RunMeta]]],
    scenario: Scenario,
    on_done: Callable[[int, dict[str, pa.Table] | None, dict[str, Any] | None, int, int], None],
    *,
    executor: Executor,
    engine: str,
    every: int | None,
    window: int,
    store_dir: str | None = None,
    code: str | None = None,
) -> None:
    """Submit chunks to ``executor`` with at most ``window`` in flight; call ``on_done(index,
    tables, records, n_runs, n_failed)`` for each as it completes (tables None and records
    given if the worker wrote them to ``store_dir``)."""
    pending: dict[Future, int] = {}
    for i, metas in chunks:
        if len(pending) >= window:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                on_done(pending.pop(f), *f.result())
        task = (scenario, metas, engine, every, store_dir, i, code)
        pending[executor.submit(run_task, *task)] = i
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for f in done:
            on_done(pending.pop(f), *f.result())
