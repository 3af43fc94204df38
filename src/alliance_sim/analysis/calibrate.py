"""Calibration by approximate Bayesian computation (ABC rejection).

Draw parameter sets from the prior ranges of a scenario's ``[calibrate]`` table (a Latin
hypercube), replay the scenario with each (the batch engine, ``replicates`` seeds each),
measure how far each replay is from what history shows (``patterns.distance``), and keep the
``accept`` share closest: the accepted sets approximate the posterior.  They are written to a
calibrated TOML file that forward scenarios name in ``calibration = "..."``: replicate k of a
forecast uses accepted set k (mod their number), so forecasts carry parameter uncertainty.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim import __version__
from alliance_sim.analysis import patterns as pt
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.runs.execute import make_executor
from alliance_sim.scenario.load import load_scenario
from alliance_sim.scenario.plan import _from_unit, replicate_seed, spec_for
from alliance_sim.scenario.spec import Scenario, SweepAxis

CHUNK = 500  # parameter sets per task


def prior_draws(priors: tuple[SweepAxis, ...], draws: int, seed: int) -> pd.DataFrame:
    """``draws`` parameter sets from the prior ranges (uniform, Latin hypercube)."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(len(priors), rng=np.random.default_rng(seed)).random(draws)
    return pd.DataFrame({a.name: _from_unit(a, u[:, j], False) for j, a in enumerate(priors)})


def pattern_distance(sc: Scenario, traj: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distance of each run from the historical patterns, and which patterns hold (R, 5)."""
    res = pt.measure(sc, traj["commitment"], traj["status"])
    holds = np.column_stack([res[k]["holds"] for k in pt.KEYS if k in res])
    return pt.distance(res), holds


def _task(
    sc: Scenario, points: list[dict[str, float]], seeds: list[int], distance: Callable
) -> tuple[np.ndarray, np.ndarray]:
    specs = [spec_for(sc, p) for p in points for _ in seeds]
    traj, _ = run_batch(specs, [s for _ in points for s in seeds])
    d, holds = distance(sc, traj)
    n = len(points)
    return d.reshape(n, len(seeds)).mean(1), holds.reshape(n, len(seeds), -1).mean(1)


@dataclass
class Calibration:
    """The result of a calibration: prior draws with their distances, the accepted ones."""

    scenario: Scenario
    draws: pd.DataFrame  # parameters, "distance", pattern hold rates
    accepted: pd.DataFrame
    epsilon: float
    seed: int
    replicates: int
    seconds: float
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)


def abc_rejection(
    sc: Scenario,
    priors: tuple[SweepAxis, ...],
    *,
    draws: int,
    accept: float,
    replicates: int = 1,
    seed: int = 0,
    workers: int = 1,
    distance: Callable = pattern_distance,
) -> Calibration:
    """ABC rejection over ``priors``; ``distance(sc, trajectory) -> (distances, holds)``."""
    t = time.perf_counter()
    table = prior_draws(priors, draws, seed)
    seeds = [replicate_seed(seed, k) for k in range(replicates)]
    rows = table.to_dict("records")
    dist = np.empty(len(rows))
    holds = None
    with make_executor("local", workers) as ex:
        futures = [
            (i, ex.submit(_task, sc, rows[i : i + CHUNK], seeds, distance))
            for i in range(0, len(rows), CHUNK)
        ]
        for i, f in futures:
            d, h = f.result()
            dist[i : i + len(d)] = d
            if holds is None:
                holds = np.zeros((len(rows), h.shape[1]))
            holds[i : i + len(d)] = h
    table["distance"] = dist
    for j in range(holds.shape[1]):
        table[f"holds_{pt.KEYS[j] if j < len(pt.KEYS) else j}"] = holds[:, j]
    n_keep = max(1, int(np.ceil(accept * draws)))
    accepted = table.nsmallest(n_keep, "distance", keep="first").reset_index(drop=True)
    return Calibration(
        sc,
        table,
        accepted,
        float(accepted["distance"].max()),
        seed,
        replicates,
        time.perf_counter() - t,
    )


def reproduction(
    sc: Scenario, sets: list[dict[str, float]] | None, runs: int, seed: int
) -> dict[str, float]:
    """Share of replay runs reproducing each pattern: with the scenario's own parameters
    (``sets`` None) or cycling through the parameter sets ``sets``, one seed per run."""
    points = [sets[k % len(sets)] if sets else {} for k in range(runs)]
    seeds = [replicate_seed(seed + 1, k) for k in range(runs)]
    traj, _ = run_batch([spec_for(sc, p) for p in points], seeds)
    return pt.rates(pt.measure(sc, traj["commitment"], traj["status"]))


def calibrate(
    scenario: Scenario | str | os.PathLike,
    *,
    draws: int | None = None,
    accept: float | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    check_runs: int = 1000,
) -> Calibration:
    """Fit the scenario's ``[calibrate]`` parameters to the historical patterns."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    spec = sc.calibrate
    if spec is None:
        raise ScenarioError(
            f"{sc.path} has no [calibrate] table naming the parameters to fit "
            "and their prior ranges (see history_2020_2024.toml)"
        )
    spec = replace(
        spec,
        **{
            k: v
            for k, v in dict(draws=draws, accept=accept, replicates=replicates, seed=seed).items()
            if v is not None
        },
    )
    cal = abc_rejection(
        sc,
        spec.priors,
        draws=spec.draws,
        accept=spec.accept,
        replicates=spec.replicates,
        seed=spec.seed,
        workers=workers,
    )
    names = [a.name for a in spec.priors]
    cal.before = reproduction(sc, None, check_runs, spec.seed)
    cal.after = reproduction(sc, cal.accepted[names].to_dict("records"), check_runs, spec.seed)
    return cal


# --- output ----------------------------------------------------------------------------------


def _toml_value(v: Any) -> str:
    """A TOML value: JSON's string escapes are valid TOML basic-string escapes."""
    return json.dumps(v) if isinstance(v, str) else repr(float(v))


def write_calibration(cal: Calibration, out: str | os.PathLike) -> Path:
    """The calibrated file: provenance, prior ranges, reproduction rates, accepted sets."""
    sc = cal.scenario
    names = [a.name for a in sc.calibrate.priors]
    lines = [
        f"# Calibrated posterior written by alliance-sim {__version__}; do not edit by hand.",
        '# Forward scenarios use it with:  calibration = "<path to this file>"',
        f"name = {_toml_value('Calibrated posterior: ' + sc.name)}",
        f'method = "ABC rejection ({len(cal.draws)} prior draws x {cal.replicates} '
        f'replicate(s), best {len(cal.accepted)} kept)"',
        f"source_scenario = {_toml_value(Path(sc.path).name)}",
        f'scenario_hash = "{sc.hash}"',
        f'package_version = "{__version__}"',
        f'start = "{sc.start}"  # the replay\'s start: its initial states apply only there',
        f"seed = {cal.seed}",
        f"epsilon = {cal.epsilon!r}",
        f"seconds = {cal.seconds:.1f}",
        f'created = "{time.strftime("%Y-%m-%dT%H:%M:%S%z")}"',
        "",
        "[reproduction_before]",
        *(f"{k} = {v!r}" for k, v in cal.before.items()),
        "",
        "[reproduction_after]",
        *(f"{k} = {v!r}" for k, v in cal.after.items()),
        "",
        "[priors]",
        *(f'"{a.name}" = {{ low = {a.low!r}, high = {a.high!r} }}' for a in sc.calibrate.priors),
    ]
    for _, row in cal.accepted.iterrows():
        lines += [
            "",
            "[[posterior]]",
            *(f'"{n}" = {float(row[n])!r}' for n in names),
            f"distance = {float(row['distance'])!r}",
        ]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out
