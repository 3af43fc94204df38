"""What ``robustness.json`` holds of an analysis, of a scenario's level
(:mod:`~alliance_sim.analysis.robustness`) or of a difference between two scenarios
(:mod:`~alliance_sim.analysis.robustness_diff`): one writing of the record for both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alliance_sim.analysis.uncertain import Uncertain, span
from alliance_sim.scenario.spec import Scenario
from alliance_sim.scenario.stamp import model_stamp

METHOD = (
    "Sobol indices (SALib): a Saltelli design of first-order (S1) and total (ST) indices with "
    "95% bootstrap confidence, on the mean over the replicates at each point; envelope: the 5th "
    "and 95th percentiles of those point means over the design (uniform over every range); "
    "a leader 'near' either end of its range: the mean over the design points with it in the "
    "lowest or highest fifth, with a 95% interval from resampling the design's base points."
)


def own_fields(params: list[Uncertain], held: list[str], fixed: dict[str, str]) -> dict:
    """A headline's premises: varied (set by hand and in the design), held (``--hold-own``)
    and kept (set by hand and not varied, each with why)."""
    return {
        "own_varied": [p.name for p in params if p.own],
        "own_held": held,
        "own_fixed": list(fixed),
        "own_fixed_why": fixed,
    }


def record(
    sc: Scenario,
    heads: list[dict[str, Any]],
    params: list[Uncertain],
    held: list[str],
    *,
    points: int,
    runs: int,
    samples: int,
    replicates: int,
    seed: int,
    hold_own: bool,
    outcome: str,
    t0: float,
    command: str,
    method: str = METHOD,
) -> dict[str, Any]:
    """What ``robustness.json`` holds of an analysis of ``sc`` (of a level, or of a
    difference: :mod:`~.robustness_diff` adds its base): ``command`` is the command up to its
    options, which are added here."""
    import time

    from alliance_sim import __version__

    lead = heads[0]
    return {
        "scenario": sc.name,
        "file": Path(sc.path).name,
        "scenario_hash": sc.hash,
        "alliance_sim": __version__,
        "model": model_stamp(sc),  # the equations that made it: a scenario's hash does not say
        "posterior_file": Path(sc.posterior.path).name if sc.posterior is not None else None,
        "posterior_sha256": sc.posterior.sha256 if sc.posterior is not None else None,
        "samples": samples,
        "replicates": replicates,
        "points": points,
        "runs": runs,
        "seed": seed,
        "hold_own": hold_own,
        "outcome_kind": outcome,
        "seconds": time.perf_counter() - t0,
        "command": f"{command} --out DIR --samples {samples} --replicates {replicates} --seed "
        f"{seed}"
        + (" --hold-own" if hold_own else "")
        + (f" --outcome {outcome}" if outcome != "exit" else ""),
        "held": [{"name": n, "why": "set by the scenario (--hold-own)"} for n in held],
        "method": method,
        **{k: lead[k] for k in ("outcome", "horizon", "posterior", "envelope", "drivers")},
        "headlines": heads,
        "parameters": [
            {
                "name": p.name,
                "low": p.low,
                "high": p.high,
                "range": span(p),
                "why": p.why,
                "identified": p.identified,
                "sourced": p.sourced,
                "own": p.own,
            }
            for p in params
        ],
    }
