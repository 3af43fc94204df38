"""Bring your own design: ``evaluate(design)`` runs every row of a DataFrame of parameter
values, ``replicates`` times, on the batch engine and returns one row of outcomes per run.

This is the fast path for SALib, EMA Workbench or a hand-made Latin hypercube: the design's
columns are parameter names as in a sweep (``western_offer``, ``members.ARM.pressure_tolerance``,
``events.ID.field``), checked with the sweep's rules; the answers are exactly those of
``simulate(scenario, seed=row.seed, **row)`` (and of the Mesa model with the same seed).
"""

from __future__ import annotations

import os
import traceback
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.core.outcomes import outcome_names
from alliance_sim.engines.chunk import run_chunk
from alliance_sim.errors import ScenarioError, typename
from alliance_sim.limits import (
    MAX_REPLICATES,
    check_count,
    check_plan_size,
    check_run_options,
    check_seed,
)
from alliance_sim.runs.execute import default_chunk_size
from alliance_sim.scenario.design import check_design
from alliance_sim.scenario.load import default_scenario, load_scenario
from alliance_sim.scenario.plan import replicate_seed, spec_for
from alliance_sim.scenario.spec import Scenario

RESERVED = ("point", "replicate", "seed", "posterior", "posterior_set", "error")


def resolve_scenario(scenario: Scenario | str | os.PathLike | None) -> Scenario:
    """A loaded scenario from a name, a path, a Scenario, or None (the 2020Q1 default);
    anything else is one line (:class:`ScenarioError`)."""
    if scenario is None:
        return default_scenario()
    if isinstance(scenario, Scenario):
        from alliance_sim.scenario.load import consistent

        return consistent(scenario)
    if not isinstance(scenario, str | os.PathLike):
        shown = repr(scenario) if isinstance(scenario, int | float) else f"a {typename(scenario)}"
        swapped = (
            " (evaluate takes the design first: evaluate(design, scenario))"
            if isinstance(scenario, pd.DataFrame)
            else ""
        )
        raise ScenarioError(
            f"scenario = {shown}: allowed a shipped scenario's name, a path to a .toml "
            f"file, a loaded Scenario or None (the world as of 2024Q1){swapped}"
        )
    return load_scenario(scenario)


def _outcomes_chunk(
    sc: Scenario, points: list[dict[str, Any]], seeds: list[int], posteriors: list[int | None]
) -> tuple[dict[str, np.ndarray], list[str | None]]:
    """Outcomes of a chunk of runs (a worker task).  If the chunk raises, its runs are retried
    one by one; a run that still raises gets NaN outcomes and its error message."""
    specs = [spec_for(sc, p, k) for p, k in zip(points, posteriors, strict=True)]
    try:
        _, out = run_chunk(specs, seeds, "batch", None)
        return out, [None] * len(specs)
    except MemoryError:
        raise  # never retried run by run
    except Exception:
        pass
    names = outcome_names()
    out = {k: np.full(len(specs), np.nan) for k in names}
    errors: list[str | None] = []
    for i, (spec, seed) in enumerate(zip(specs, seeds, strict=True)):
        try:
            _, one = run_chunk([spec], [seed], "batch", None)
            for k in names:
                out[k][i] = one[k][0]
            errors.append(None)
        except MemoryError:
            raise
        except Exception as e:
            last = traceback.extract_tb(e.__traceback__)[-1]
            errors.append(f"{type(e).__name__}: {e} ({last.filename}:{last.lineno})")
    return out, errors


def evaluate(
    design: pd.DataFrame,
    scenario: Scenario | str | os.PathLike | None = "baseline",
    replicates: int = 1,
    seed: int = 0,
    workers: int = 1,
    *,
    executor: str = "local",
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """Run every row of ``design`` ``replicates`` times on the batch engine.

    Args:
        design: one row per point, one column per parameter: a global parameter
            (``western_offer``), a member figure (``members.ARM.pressure_tolerance``) or an
            event's numeric field or quarter (``events.ID.field``, ``events.ID.at``), values in
            the ranges ``parameters()`` lists as ``low``/``high`` (sample within
            ``plausible_low``/``plausible_high``).  A design with rows but no columns runs
            the scenario as it is, once per row; a design with no rows, or with a column
            twice, is refused.  At most 200,000 rows.
        scenario: a shipped scenario's name, a path, a loaded Scenario, or None for the 2020Q1
            world with default parameters; design values override the scenario's own.
        replicates: runs per design row (1 to 100,000; rows x replicates at most 2,000,000).
        seed: master seed, a whole number from 0 to 2**63 - 1 (numpy integers too; None is
            refused: a run is reproducible from its seed alone); replicate ``k`` of every
            row uses ``replicate_seed(seed, k)``
            (common random numbers across rows, as in sweeps).  A calibrated scenario also
            gives replicate ``k`` its posterior parameter set ``k`` (mod their number).
        workers: local worker processes (1 runs in this process).
        executor: ``local`` or ``dask`` (as for sweeps).
        chunk_size: runs per task (default: the sweep's rule,
            :func:`alliance_sim.runs.execute.default_chunk_size`).

    Returns:
        A DataFrame, one row per design row x replicate (row-major): ``point`` (the design
        row's position), the design's columns, ``replicate``, ``seed``, ``posterior`` (only
        for a calibrated scenario), every outcome (``outcome_names()``) and ``error`` (None
        unless that run raised).  ``point`` counts design rows from 0 in their order,
        whatever the design's index (error messages name a bad row by its index label).
    """
    from alliance_sim.runs.execute import make_executor

    sc = resolve_scenario(scenario)
    if not isinstance(design, pd.DataFrame):
        raise ScenarioError(
            f"design = {type(design).__name__}: allowed a pandas DataFrame (one row per point, "
            "one column per parameter)"
        )
    replicates = check_count("replicates", replicates, 1, MAX_REPLICATES)
    seed = check_seed(seed)
    check_run_options(workers=workers, executor=executor, chunk_size=chunk_size)
    clash = [c for c in design.columns if c in RESERVED]
    if clash:
        raise ScenarioError(
            f"design column {clash[0]!r} is reserved for the result; rename it "
            f"(reserved: {', '.join(RESERVED)})"
        )
    if len(design) == 0:
        raise ScenarioError(
            "design has no rows; allowed one row per point (a one-row DataFrame with no "
            "columns runs the scenario as it is)"
        )
    check_plan_size(len(design), replicates, "evaluate()")
    checked = check_design(sc, design)
    n_points = len(checked)
    n = n_points * replicates
    seeds_k = [replicate_seed(seed, k) for k in range(replicates)]
    n_post = len(sc.posterior) if sc.posterior is not None else 0
    post_k = [k % n_post if n_post else None for k in range(replicates)]
    cols = list(checked.columns)
    values = checked.to_numpy(dtype=object)

    def point(p: int) -> dict[str, Any]:
        return {c: _plain(values[p][j]) for j, c in enumerate(cols)} if cols else {}

    chunk = chunk_size or default_chunk_size(n, workers)
    tasks = []
    for lo in range(0, n, chunk):
        runs = range(lo, min(lo + chunk, n))
        tasks.append(
            (
                [point(r // replicates) for r in runs],
                [seeds_k[r % replicates] for r in runs],
                [post_k[r % replicates] for r in runs],
            )
        )
    with make_executor(executor, workers) as ex:
        futures = [ex.submit(_outcomes_chunk, sc, *t) for t in tasks]
        results = [f.result() for f in futures]
    names = outcome_names()
    runs_p = np.repeat(np.arange(n_points), replicates)
    runs_k = np.tile(np.arange(replicates), n_points)
    frame: dict[str, Any] = {"point": runs_p}
    for c in cols:
        frame[c] = checked[c].to_numpy()[runs_p]
    frame["replicate"] = runs_k
    frame["seed"] = np.array(seeds_k, dtype=np.int64)[runs_k]
    if n_post:
        frame["posterior"] = np.array(post_k, dtype=np.int64)[runs_k]
        frame["posterior_set"] = np.array(sc.posterior.set_ids, dtype=np.int64)[frame["posterior"]]
    for k in names:
        frame[k] = np.concatenate([r[0][k] for r in results]) if results else np.array([])
    frame["error"] = pd.Series([e for r in results for e in r[1]], dtype="string")
    return pd.DataFrame(frame)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
