"""Calibration of the historical replay by approximate Bayesian computation.

A parameter set is scored by replaying the scenario (``history_2020_2024``) with it on the
batch engine, ``replicates`` seeds per set (common random numbers: the same seeds for every
set), and measuring how far the replays are from what history shows:

    distance = sum over the five patterns of (violation score + 0.5 if it does not hold)
               + OBS_WEIGHT x Brier score of the observables (votes, attendance, drills,
                 budget, statuses of the record, ``analysis/record.py``)

averaged over the seeds.  ``OBS_WEIGHT`` = 5 makes a Brier score of 0.1 (the order of a
fitted model's) weigh as much as one missed pattern.  The sampler is ABC-SMC
(:mod:`alliance_sim.analysis.smc`; ``method = "rejection"`` for plain rejection on the same
interface).  ``until`` fits only what was knowable by a quarter (a backtest).

The posterior — the last population, resampled to equal weights — is written to a Parquet
file (:mod:`alliance_sim.scenario.posterior`) that forward scenarios name in
``calibration = ...``: replicate k draws set k and continues replay k.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim import __version__
from alliance_sim.analysis import patterns as pt
from alliance_sim.analysis import record as rc
from alliance_sim.analysis.identification import collapsed, contraction, worse_than_file
from alliance_sim.analysis.obsfit import member_rates
from alliance_sim.analysis.smc import (
    EmptyPrior,
    SMCResult,
    Whole,
    abc_smc,
    rejection,
    resample,
)
from alliance_sim.core import quarters
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.limits import (
    MAX_FORECAST_RUNS,
    check_count,
    check_fit_size,
    check_run_options,
    check_seed,
)
from alliance_sim.paths import check_not_results
from alliance_sim.runs.execute import make_executor
from alliance_sim.scenario.load import load_scenario
from alliance_sim.scenario.plan import replicate_seed, spec_for
from alliance_sim.scenario.posterior import write_posterior
from alliance_sim.scenario.semantics import ordered
from alliance_sim.scenario.spec import Scenario, SweepAxis

OBS_WEIGHT = 5.0
# what scoring reads of a replay: the patterns' commitment and status, and the observables
# the record is scored against (the engine records nothing else: time goes to simulation)
SCORED = ("commitment", "status", *(s for s in rc.SERIES.values() if s != "out"))
CHUNK = 200  # parameter sets per task
POSTERIOR_SETS = 400  # equal-weight sets written (forecast replicate k draws set k mod 400)


def history_distance(
    sc: Scenario, traj, obs: pd.DataFrame, until: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run: the distance, whether each pattern holds (R, P), and the Brier score."""
    res = pt.measure(sc, traj["commitment"], traj["status"], until)
    R = traj["commitment"].shape[1]
    holds = np.column_stack([res[k]["holds"] for k in pt.KEYS if k in res] or [np.ones((R, 0))])
    b = rc.brier(obs, traj, sc.start) if len(obs) else np.zeros(R)
    return pt.distance(res, R) + OBS_WEIGHT * b, holds.astype(bool), b


def _score_task(
    sc: Scenario,
    names: list[str],
    rows: np.ndarray,
    seeds: list[int],
    obs: pd.DataFrame,
    until: int | None,
) -> np.ndarray:
    specs = [spec_for(sc, dict(zip(names, map(float, r), strict=True))) for r in rows]
    traj, _ = run_batch(
        [s for s in specs for _ in seeds], [x for _ in specs for x in seeds], series=SCORED
    )
    d, _, _ = history_distance(sc, traj, obs, until)
    return d.reshape(len(rows), len(seeds)).mean(1)


class Scorer:
    """``score(theta)``: mean distance over the seeds of each parameter set, in chunks on an
    executor (local worker processes or in-process); ``workers`` sets the chunks' size: at
    most ``CHUNK`` sets, and at least two equal chunks per worker, so that no worker waits
    while another scores the odd chunk left over (a generation's batch is 500 sets).
    ``whole`` floors the whole-number parameters (:class:`Whole`) before scoring."""

    def __init__(
        self, sc, names, seeds, obs, until, executor, workers: int = 1, whole=None
    ) -> None:
        self.sc, self.names, self.seeds = sc, names, seeds
        self.obs, self.until, self.ex = obs, until, executor
        self.workers = max(1, workers)
        self.whole = whole
        self.calls = 0

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        if self.whole is not None:
            theta = self.whole.decode(theta)
        n_tasks = max(-(-len(theta) // CHUNK), 2 * self.workers if self.workers > 1 else 1)
        size = max(1, -(-len(theta) // n_tasks))
        futures = [
            self.ex.submit(
                _score_task,
                self.sc,
                self.names,
                theta[i : i + size],
                self.seeds,
                self.obs,
                self.until,
            )
            for i in range(0, len(theta), size)
        ]
        self.calls += len(theta)
        return np.concatenate([f.result() for f in futures])


@dataclass
class Calibration:
    """The result of a calibration."""

    scenario: Scenario
    priors: tuple[SweepAxis, ...]
    method: str
    result: SMCResult
    posterior: pd.DataFrame  # equal-weight sets (resampled), with their distances
    seed: int
    replicates: int
    seconds: float
    until: str
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    contraction: pd.DataFrame = field(default_factory=pd.DataFrame)
    member_rates: pd.DataFrame = field(default_factory=pd.DataFrame)  # analysis/obsfit.py
    obs_offsets: pd.DataFrame = field(default_factory=pd.DataFrame)  # member offsets, same
    noise: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.priors]

    def collapse_note(self) -> str | None:
        """A warning when the fit collapsed onto few sets (:func:`.identification.collapsed`)."""
        return collapsed(self.posterior[self.names], self.result.population.ess)

    def worse_note(self) -> str | None:
        """A warning when the posterior reproduces the record worse than the file's values."""
        return worse_than_file(self.before, self.after)


def reproduction(
    sc: Scenario,
    sets: list[dict[str, float]] | None,
    runs: int,
    seed: int,
    until: int | None = None,
) -> dict[str, float]:
    """Share of replay runs reproducing each pattern and all together, and the mean Brier
    score of the observables: with the scenario's own parameters (``sets`` None) or cycling
    through ``sets``; fresh seeds (not those of the fit)."""
    points = [sets[k % len(sets)] if sets else {} for k in range(runs)]
    seeds = [replicate_seed(seed + 7919, k) for k in range(runs)]
    traj, _ = run_batch([spec_for(sc, p) for p in points], seeds, series=SCORED)
    obs = _observations(sc, until)
    res = pt.measure(sc, traj["commitment"], traj["status"], until)
    out = pt.rates(res)
    out["brier"] = float(rc.brier(obs, traj, sc.start).mean()) if len(obs) else float("nan")
    out |= pt.membership_reproduced(sc, traj["status"], until)
    return out


def _observations(sc: Scenario, until: int | None) -> pd.DataFrame:
    last = sc.end if until is None else quarters.shift(sc.start, until)
    return rc.to_fit(quarters.shift(sc.start, 1), last, sc.path).reset_index(drop=True)


def distance_noise(score_one, theta: np.ndarray, seeds: int) -> dict[str, float]:
    """How noisy a set's distance is: the sd of single-seed distances of ``theta``'s sets,
    the standard error with ``seeds`` seeds, and the spread between the sets' means."""
    per_seed = np.array([score_one(t) for t in theta])  # (sets, many seeds)
    sd = float(per_seed.std(axis=1, ddof=1).mean())
    return {
        "single_seed_sd": sd,
        "se_with_seeds": sd / np.sqrt(seeds),
        "seeds": seeds,
        "spread_between_sets": float(per_seed.mean(1).std(ddof=1)),
    }


def calibrate(
    scenario: Scenario | str | os.PathLike,
    *,
    draws: int | None = None,
    generations: int | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    method: str | None = None,
    until: str | None = None,
    check_runs: int = 1000,
    quiet: bool | None = None,
) -> Calibration:
    """Fit the scenario's ``[calibrate]`` parameters to history (up to quarter ``until``);
    ``quiet=None``: a progress bar in Jupyter only."""
    from alliance_sim.progress import default_quiet

    quiet = default_quiet(quiet)
    if isinstance(scenario, Scenario):  # (a backtest's cut sets its vintage)
        from alliance_sim.scenario.load import consistent

        sc = consistent(scenario, allow=("vintage", "calibrate"))
    else:
        sc = load_scenario(scenario)
    if sc.calibrate is None and sc.posterior is not None:  # fit_spec named the 2020-2024 replay
        stem = Path(sc.posterior.replay_path or sc.posterior.path).stem  # to a 2006-2024 forecast
        raise ScenarioError(
            f"{sc.path}: a forecast that draws from a posterior has no [calibrate] table of its "
            f"own; allowed: calibrate the replay its posterior was fitted to, {stem}"
        )
    spec = sc.fit_spec()
    draws = spec.draws if draws is None else draws
    generations = spec.generations if generations is None else generations
    reps = spec.replicates if replicates is None else replicates
    check_fit_size(draws, generations, reps)
    seed = spec.seed if seed is None else check_seed(seed)
    check_run_options(workers=workers)
    check_count("check_runs", check_runs, 1, MAX_FORECAST_RUNS)
    method = method or spec.method
    if method not in ("smc", "rejection"):
        raise ScenarioError(f"method = {method!r}: allowed smc, rejection")
    if until is not None:
        try:
            until = quarters.label(quarters.parse(str(until).strip().upper()))
        except ValueError:
            raise ScenarioError(f"--fit-until {until!r} is not a quarter; e.g. 2022Q4") from None
    until_step = None if until is None else quarters.steps_between(sc.start, until)
    if until_step is not None and not 0 < until_step <= sc.n_steps:
        first = quarters.shift(sc.start, 1)  # a fit needs at least one quarter of the record
        raise ScenarioError(f"--fit-until {until}: allowed {first} to {sc.end}")
    names = [a.name for a in spec.priors]
    low = np.array([a.low for a in spec.priors])
    high = np.array([a.high for a in spec.priors])
    whole = Whole(names, high)

    def allowed(theta: np.ndarray) -> np.ndarray:  # the prior: the box cut to ordered thresholds
        return ordered(names, whole.decode(theta), sc.params)

    seeds = [replicate_seed(seed, k) for k in range(reps)]
    obs = _observations(sc, until_step)
    t0 = time.perf_counter()
    with make_executor("local", workers) as ex:
        score = Scorer(sc, names, seeds, obs, until_step, ex, workers, whole)

        from alliance_sim.progress import bar

        progress = bar(generations if method == "smc" else 1, "generations", quiet=quiet)

        def log(g, pop):
            progress.update(1)
            if not quiet:
                progress.write(
                    f"generation {g}: tolerance {pop.epsilon:.3f}, {len(pop.theta)} kept of "
                    f"{pop.simulations} scored, median distance {np.median(pop.distances):.3f}, "
                    f"effective sample size {pop.ess:.0f}",
                    file=sys.stdout,
                )
                sys.stdout.flush()

        try:
            if method == "smc":
                result = abc_smc(
                    score,
                    low,
                    whole.latent_high,
                    n=draws,
                    generations=generations,
                    seed=seed,
                    on_generation=log,
                    allowed=allowed,
                )
            else:
                n_draws = max(draws, round(draws / spec.accept))
                result = rejection(
                    score, low, whole.latent_high, draws=n_draws, keep=draws, seed=seed,
                    allowed=allowed,
                )  # fmt: skip
                progress.update(1)
        except EmptyPrior as e:
            raise ScenarioError(
                f"{sc.path} [calibrate.parameters]: {e} (sets that keep suspend_below < "
                "hedge_below < hedge_recover and suspend_below < suspend_recover)"
            ) from None
        progress.close()
        pop = result.population
        best = whole.decode(pop.theta[np.argsort(pop.distances)[:8]])
        many = [replicate_seed(seed + 1, k) for k in range(32)]
        single = Scorer(sc, names, many, obs, until_step, ex, workers, whole)
        noise = distance_noise(lambda t: _per_seed(single, t), best, reps)
    idx = resample(pop, POSTERIOR_SETS, seed)
    posterior = pd.DataFrame(whole.decode(pop.theta[idx]), columns=names)
    posterior["distance"] = pop.distances[idx]
    posterior["weight"] = 1.0 / len(posterior)
    cal = Calibration(
        scenario=sc,
        priors=spec.priors,
        method=method,
        result=result,
        posterior=posterior,
        seed=seed,
        replicates=reps,
        seconds=time.perf_counter() - t0,
        until=until or sc.end,
        noise=noise,
    )
    cal.before = reproduction(sc, None, check_runs, seed, until_step)
    cal.after = reproduction(sc, posterior[names].to_dict("records"), check_runs, seed, until_step)
    cal.contraction = contraction(spec.priors, posterior, sc.params)
    cal.member_rates, cal.obs_offsets = member_rates(
        sc, posterior[names].to_dict("records"), min(check_runs, 400), seed, until_step
    )
    return cal


def _per_seed(scorer: Scorer, theta: np.ndarray) -> np.ndarray:
    """The distance of one set under each of the scorer's seeds (not averaged)."""
    point = dict(zip(scorer.names, map(float, theta), strict=True))
    spec = spec_for(scorer.sc, point)
    traj, _ = run_batch([spec] * len(scorer.seeds), scorer.seeds, series=SCORED)
    return history_distance(scorer.sc, traj, scorer.obs, scorer.until)[0]


def write_calibration(cal: Calibration, out: str | os.PathLike) -> Path:
    """The posterior file (Parquet) with its provenance in the metadata."""
    sc = cal.scenario
    out = check_not_results(out)
    replay = os.path.relpath(Path(sc.path).resolve(), out.resolve().parent)
    meta: dict[str, Any] = {
        "name": f"Calibrated posterior: {sc.name}",
        "method": _method_text(cal),
        "replay": replay,
        "scenario_hash": sc.hash,
        "package_version": __version__,
        "start": sc.start,
        "end": cal.until,
        "seed": cal.seed,
        "replay_seed": cal.seed + 1,
        "seeds_per_set": cal.replicates,
        "distance": "pattern violations + 0.5 per missed pattern + "
        f"{OBS_WEIGHT:g} x Brier score of the observables",
        "tolerances": [g.epsilon for g in cal.result.generations],
        "simulations": cal.result.simulations * cal.replicates,
        "seconds": round(cal.seconds, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "reproduction_before": cal.before,
        "reproduction_after": cal.after,
        "distance_noise": cal.noise,
        "priors": {a.name: {"low": a.low, "high": a.high} for a in cal.priors},
        "contraction": json.loads(cal.contraction.to_json(orient="records")),
        "member_rates": json.loads(cal.member_rates.to_json(orient="records")),
        "observation_offsets": json.loads(cal.obs_offsets.to_json(orient="records")),
    }
    return write_posterior(out, cal.posterior, meta)


def _method_text(cal: Calibration) -> str:
    g = cal.result.generations
    if cal.method == "smc":
        return (
            f"ABC-SMC: {len(g)} generations of {len(g[-1].theta)} particles, "
            f"{cal.result.simulations:,} parameter sets scored x {cal.replicates} seeds; "
            f"final tolerance {g[-1].epsilon:.3f}; resampled to {len(cal.posterior)} sets"
        )
    return (
        f"ABC rejection: {cal.result.simulations:,} prior draws x {cal.replicates} seeds, "
        f"the {len(g[-1].theta)} closest kept; resampled to {len(cal.posterior)} sets"
    )


def with_priors(sc: Scenario, **changes: Any) -> Scenario:
    """``sc`` with its ``[calibrate]`` settings changed (tests, backtests)."""
    return replace(sc, calibrate=replace(sc.calibrate, **changes))
