"""The model as a plain function, for SALib, EMA Workbench or a user's own loop."""

from __future__ import annotations

import os
from typing import Any

from alliance_sim.engines.mesa_model import AllianceModel
from alliance_sim.scenario.load import default_scenario, load_scenario, with_params
from alliance_sim.scenario.plan import spec_for
from alliance_sim.scenario.spec import DEFAULT_QUARTERS, Scenario


def simulate(
    scenario: Scenario | str | os.PathLike | None = None,
    seed: int = 0,
    *,
    quarters: int | None = None,
    **params: Any,
) -> dict[str, float]:
    """Run the Mesa model once and return its named outcomes (``outcomes.outcome_names()``).

    Args:
        scenario: a shipped scenario's name (``"armenia_exits"``), a path to a scenario file,
            a loaded :class:`~alliance_sim.scenario.Scenario`, or None for the world as of
            2024Q1 with default parameters and no scheduled events.
        seed: the run's seed; the same seed gives the same outcomes.  A calibrated scenario
            also takes parameter set ``seed`` (mod their number) from its posterior.
        quarters: horizon in quarters (default: the scenario's ``end``, or 40).
        **params: global parameters by name, e.g. ``western_offer=0.6``, over the scenario's.
    """
    if scenario is None:
        sc = default_scenario(quarters or DEFAULT_QUARTERS)
    elif isinstance(scenario, Scenario):
        sc = scenario
    else:
        sc = load_scenario(scenario)
    if params:
        sc = with_params(sc, params)
    spec = spec_for(sc, posterior=seed if sc.posterior is not None else None)
    model = AllianceModel(
        rng=seed, start=spec.start, members=spec.members, events=spec.events, **spec.params
    )
    model.run_for(quarters if quarters is not None else spec.n_steps)
    return model.outcomes()
