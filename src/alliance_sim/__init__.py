"""alliance-sim: an agent-based simulator of CSTO cohesion.

Public API::

    from alliance_sim import AllianceModel, simulate, parameters, load_scenario, sweep
    from alliance_sim import run_scenario, Result, member_table, write_figures
    from alliance_sim import build_report, compare_results, sensitivity_indices

Names are imported on first use, so a worker process that only needs the batch engine does
not pay for importing Mesa.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "AllianceModel": "alliance_sim.model",
    "build_report": "alliance_sim.report",
    "compare_results": "alliance_sim.report",
    "member_table": "alliance_sim.summary",
    "sensitivity_indices": "alliance_sim.sensitivity",
    "write_figures": "alliance_sim.figures",
    "Result": "alliance_sim.runner",
    "ScenarioError": "alliance_sim.scenario",
    "load_scenario": "alliance_sim.scenario",
    "member_profiles": "alliance_sim.members",
    "parameters": "alliance_sim.params",
    "run_scenario": "alliance_sim.runner",
    "simulate": "alliance_sim.simulate",
    "sweep": "alliance_sim.runner",
}
__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'alliance_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
