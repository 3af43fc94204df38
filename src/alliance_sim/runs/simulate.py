"""The model as a plain function, for SALib, EMA Workbench or a user's own loop.

``simulate`` runs one run on the batch engine (the same trajectory as the Mesa model for the
same seed, about a hundred times faster for a single call); ``engine="mesa"`` runs
:class:`~alliance_sim.engines.mesa_model.AllianceModel` itself.  For many runs at once use
:func:`alliance_sim.evaluate`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from alliance_sim.engines.chunk import ENGINES, run_chunk
from alliance_sim.errors import ScenarioError
from alliance_sim.limits import MAX_QUARTERS, MAX_SEED, check_count, check_seed
from alliance_sim.scenario.design import check_point
from alliance_sim.scenario.load import default_scenario
from alliance_sim.scenario.plan import spec_for
from alliance_sim.scenario.spec import DEFAULT_QUARTERS, Scenario


def simulate(
    scenario: Scenario | str | os.PathLike | None = None,
    seed: int = 0,
    *,
    quarters: int | None = None,
    engine: str = "batch",
    posterior: int | None = None,
    **params: Any,
) -> dict[str, float]:
    """Run the model once and return its named outcomes (``outcomes.outcome_names()``).

    Args:
        scenario: a shipped scenario's name (``"armenia_exits"``), a path to a scenario file,
            a loaded :class:`~alliance_sim.scenario.Scenario`, or None for the world as of
            2020Q1 (members.toml) with default parameters and no scheduled events.
        seed: the run's seed, a whole number from 0 to 2**63 - 1 (numpy integers too); the
            same seed gives the same outcomes on either engine.
        quarters: horizon in quarters, 1 to 400 (default: the scenario's ``end``, or 40).
        engine: ``batch`` (default, fast) or ``mesa`` (the reference Mesa model); both give
            the same outcomes for the same seed.
        posterior: which parameter set of a calibrated scenario's posterior to use (mod
            their number); default ``seed``.  ``evaluate`` gives replicate ``k`` set ``k``
            and reports it in its ``posterior`` column.
        **params: values over the scenario's, named as in a sweep: global parameters
            (``western_offer=0.6``), member figures
            (``**{"members.ARM.pressure_tolerance": 0.1}``) or event fields
            (``**{"events.ID.size": 0.5}``), each within its ``parameters()`` range.
    """
    if engine not in ENGINES:
        raise ScenarioError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    seed = check_seed(seed)
    if quarters is not None:
        quarters = check_count("quarters", quarters, 1, MAX_QUARTERS)
    if posterior is not None:
        posterior = check_count("posterior", posterior, 0, MAX_SEED)
    if scenario is None:
        sc = default_scenario(quarters or DEFAULT_QUARTERS)
    else:
        from alliance_sim.runs.evaluate import resolve_scenario

        sc = resolve_scenario(scenario)
    point = check_point(sc, params, "simulate()")
    which = None
    if sc.posterior:  # parameter set `posterior` of the calibration, by default set `seed`
        which = seed if posterior is None else posterior
    spec = spec_for(sc, point, posterior=which)
    if quarters is not None:
        spec = replace(spec, n_steps=int(quarters))
    _, out = run_chunk([spec], [seed], engine, None)
    return {k: float(v[0]) for k, v in out.items()}


def model_for(
    scenario: Scenario | str | os.PathLike = "baseline",
    replicate: int = 0,
    *,
    seed: int = 0,
    **params: Any,
):
    """The Mesa model of replicate ``replicate`` of ``scenario`` (default: the calibrated
    baseline forecast), ready to step: for a calibrated scenario its parameter set and, for a
    forecast that continues the calibrated history, its starting state are replay
    ``replicate``'s, exactly as in ``run_scenario(scenario, seed=seed)``'s replicate
    ``replicate`` (same seed, same trajectory).  ``**params`` override values as in
    :func:`simulate` (``western_offer=0.12``); for notebooks and the live view."""
    from alliance_sim.engines.mesa_model import AllianceModel
    from alliance_sim.runs.evaluate import resolve_scenario
    from alliance_sim.scenario.plan import replicate_seed

    sc = resolve_scenario(scenario)
    replicate = check_count("replicate", replicate, 0, MAX_SEED)
    point = check_point(sc, params, "model_for()")
    spec = spec_for(sc, point, posterior=replicate if sc.posterior else None)
    return AllianceModel.from_spec(spec, replicate_seed(check_seed(seed), replicate))
