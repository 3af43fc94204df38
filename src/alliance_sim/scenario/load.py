"""Loading scenarios: ``load_scenario`` (read, resolve ``extends``, validate), the default
scenario, and parameter overrides given to the API.

``load_scenario(path)`` returns a validated :class:`Scenario` or raises
:class:`ScenarioError`, whose message names the file, the key and what is allowed, e.g.::

    unknown parameter 'westrn_offer' in scenarios/x.toml [params]; did you mean 'western_offer'?
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from alliance_sim.core import quarters
from alliance_sim.scenario.checks import Checker, check_params, validate
from alliance_sim.scenario.files import find_scenario, resolve
from alliance_sim.scenario.spec import DEFAULT_QUARTERS, DEFAULT_START, Scenario


def load_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """Load a scenario by path or shipped name, resolving ``extends`` and validating it."""
    path = find_scenario(name_or_path)
    return validate(resolve(path), path)


def default_scenario(quarters_: int = DEFAULT_QUARTERS) -> Scenario:
    """The world as of 2024Q1 with default parameters and no scheduled events."""
    end = quarters.shift(DEFAULT_START, quarters_)
    data = {
        "name": "default",
        "description": "default parameters, no scheduled events",
        "start": DEFAULT_START,
        "end": end,
    }
    return Scenario(
        name="default",
        description=data["description"],
        path="<default>",
        start=DEFAULT_START,
        end=end,
        data=data,
    )


def with_params(sc: Scenario, params: dict[str, Any], where: str = "keyword arguments") -> Scenario:
    """A copy of ``sc`` with global parameters (validated against the registry) overridden;
    ``where`` names their origin in error messages."""
    merged = {**sc.params, **check_params(Checker(Path(where)), params)}
    return replace(sc, params=merged, data={**sc.data, "params": merged})
