"""Size limits, stated once: what a scenario file, a plan and the run options may ask for.

Each limit keeps a mistake (``replicates = 10**12``, a 10^10-point grid, ``--workers 1000``,
a horizon of centuries, a file nested 100,000 levels deep) from hanging the machine or
filling the disk; the error names the key and the limit.  The limits are far above what the
model is meant for (a 10-year forecast of a few thousand runs per point).
"""

from __future__ import annotations

import os

from alliance_sim.errors import UserError

MAX_REPLICATES = 100_000  # seeds per point
MAX_POINTS = 200_000  # design points of one sweep
MAX_RUNS = 2_000_000  # points x replicates of one plan (a few GB of time series at most)
MAX_QUARTERS = 400  # horizon: 100 years of quarters
MIN_YEAR, MAX_YEAR = 1900, 2200  # calendar of start, end and event quarters
MAX_FILE_BYTES = 16 * 2**20  # a scenario or calibration file (the shipped posterior: 0.3 MB)
MAX_DEPTH = 32  # nesting of tables and arrays in a TOML file
MAX_CHUNK = 100_000  # runs per task
MAX_SEED = 2**63 - 1
MAX_PORT = 65_535


def max_workers() -> int:
    """Local worker processes allowed: this machine's cores (more only adds overhead)."""
    return max(os.cpu_count() or 1, 1)


def _whole(v: object) -> bool:
    import numpy as np

    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


MAX_DESIGN_ROWS = MAX_POINTS  # rows of a design given to evaluate()
MIN_DISTINCT_SETS = 40  # fewer distinct sets in a posterior: the fit collapsed
#: a calibration's particles x generations x seeds (the shipped fit: 500 x 6 x 32, about 100,000)
MAX_FIT_WORK = 50_000_000
MAX_FORECAST_RUNS = 100_000  # backtest forecast runs


def check_fit_size(draws: object, generations: object, replicates: object) -> None:
    """Refuse calibration settings past the limits a scenario file has (draws 10 to
    1,000,000, generations 1 to 50, replicates 1 to 1,000) or whose product passes
    :data:`MAX_FIT_WORK` -- days of simulation on the reference machine."""
    d = check_count("draws", draws, 10, 10**6)
    g = check_count("generations", generations, 1, 50)
    r = check_count("replicates", replicates, 1, 1000)
    if d * g * r > MAX_FIT_WORK:
        raise UserError(
            f"draws x generations x replicates = {d:,} x {g:,} x {r:,} = {d * g * r:,}; allowed "
            f"at most {MAX_FIT_WORK:,} (the shipped calibration is about 100,000)"
        )


def check_seed(v: object, name: str = "seed") -> int:
    """``v`` as an int if it is a whole number from 0 to :data:`MAX_SEED` (numpy integers
    too); else one line.  None is refused: a run must be reproducible from its seed."""
    if not _whole(v) or not 0 <= v <= MAX_SEED:  # type: ignore[operator]
        raise UserError(
            f"{name} = {v!r}: allowed a whole number from 0 to {MAX_SEED:,} (a run is "
            "reproducible from its seed alone, so there is no random default)"
        )
    return int(v)  # type: ignore[arg-type]


def check_count(name: str, v: object, low: int, high: int) -> int:
    """``v`` if it is a whole number from ``low`` to ``high``; else one line naming ``name``."""
    if not _whole(v) or not low <= v <= high:  # type: ignore[operator]
        raise UserError(f"{name} = {v!r}: allowed a whole number from {low:,} to {high:,}")
    return int(v)  # type: ignore[arg-type]


def check_run_options(
    *,
    workers: int = 1,
    executor: str = "local",
    chunk_size: int | None = None,
    scheduler: str | None = None,
) -> None:
    """Refuse executors, worker counts and chunk sizes out of range, and a scheduler address
    that would be ignored or read as none (API and CLI alike)."""
    if executor not in ("local", "dask"):
        raise UserError(f"unknown executor {executor!r}; allowed: local, dask")
    if scheduler is not None and executor != "dask":  # it ran locally without a word
        raise UserError(
            f"scheduler = {scheduler!r} is used only with the dask executor (--executor dask)"
        )
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise UserError(
            f"scheduler = {scheduler!r}: allowed an address such as tcp://HOST:8786, or no "
            "--scheduler for a local Dask cluster"
        )
    if executor == "local":
        n = max_workers()
        if not _whole(workers) or not 1 <= workers <= n:
            raise UserError(
                f"workers = {workers!r}: allowed a whole number from 1 to {n} "
                f"(this machine's {n} cores)"
            )
    else:
        check_count("workers", workers, 1, 1024)
    if chunk_size is not None:
        check_count("chunk_size", chunk_size, 1, MAX_CHUNK)


def check_plan_size(n_points: int, replicates: int, where: str = "") -> None:
    """Refuse plans with more points, replicates or runs than the limits."""
    at = f" ({where})" if where else ""
    if n_points > MAX_POINTS:
        raise UserError(
            f"the sweep has {n_points:,} points{at}; allowed at most {MAX_POINTS:,} "
            "(fewer values per parameter, fewer samples or fewer levels)"
        )
    if replicates > MAX_REPLICATES:
        raise UserError(f"replicates = {replicates:,}{at}; allowed at most {MAX_REPLICATES:,}")
    if n_points * replicates > MAX_RUNS:
        raise UserError(
            f"{n_points:,} points x {replicates:,} replicates = {n_points * replicates:,} "
            f"runs{at}; allowed at most {MAX_RUNS:,} runs per plan"
        )
