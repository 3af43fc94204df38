"""The model as a plain function, for SALib, EMA Workbench or a user's own loop."""

from __future__ import annotations

from typing import Any

from alliance_sim.model import AllianceModel

DEFAULT_QUARTERS = 40


def simulate(
    scenario: Any = None, seed: int = 0, *, quarters: int = DEFAULT_QUARTERS, **params: Any
) -> dict[str, float]:
    """Run the model once and return its named outcomes (see ``outcomes.outcome_names()``).

    Args:
        scenario: reserved for scenario files (a later issue); None runs the default world
            from 2024Q1.
        seed: the run's seed; the same seed gives the same outcomes.
        quarters: how many quarters to simulate.
        **params: global parameters by name, e.g. ``western_offer=0.6``.
    """
    if scenario is not None:
        raise NotImplementedError("scenario files are not wired up yet")
    model = AllianceModel(rng=seed, **params)
    model.run_for(quarters)
    return model.outcomes()
