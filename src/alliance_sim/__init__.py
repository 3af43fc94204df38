"""alliance-sim: an agent-based simulator of CSTO cohesion.

Public API::

    from alliance_sim import AllianceModel, simulate, parameters, load_scenario, sweep
    from alliance_sim import run_scenario, Result, member_table, write_figures, overlay
    from alliance_sim import build_report, compare_results, sensitivity_indices, by_point
    from alliance_sim import outcomes_at, with_end, with_params, model_for, summary_dict
    from alliance_sim import evaluate, discover, plausible_range, robustness

The package's folders are the stages a scenario flows through, imports pointing one way:
``core`` (the model) <- ``engines`` (Mesa and batch drivers) <- ``scenario`` (files, checks,
plans) <- ``runs`` (executing plans into result stores) <- ``analysis`` <- ``report`` <-
``cli``; ``errors`` holds every user-facing error.

Names are imported on first use, so a worker process that only needs the batch engine does
not pay for importing Mesa.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "AllianceModel": "alliance_sim.engines.mesa_model",
    "build_report": "alliance_sim.report.html",
    "by_point": "alliance_sim.analysis.by_point",
    "compare_results": "alliance_sim.analysis.comparison",
    "comparison_numbers": "alliance_sim.analysis.comparison",
    "discover": "alliance_sim.analysis.discover",
    "evaluate": "alliance_sim.runs.evaluate",
    "member_table": "alliance_sim.analysis.summary",
    "model_for": "alliance_sim.runs.simulate",
    "sensitivity_indices": "alliance_sim.analysis.sensitivity",
    "write_figures": "alliance_sim.report.figures",
    "Result": "alliance_sim.runs.results",
    "ScenarioError": "alliance_sim.errors",
    "load_scenario": "alliance_sim.scenario.load",
    "member_profiles": "alliance_sim.core.members",
    "outcomes_at": "alliance_sim.analysis.horizon",
    "overlay": "alliance_sim.report.overlays",
    "parameters": "alliance_sim.core.params",
    "plausible_range": "alliance_sim.analysis.ranges",
    "robustness": "alliance_sim.report.robustness_api",
    "run_scenario": "alliance_sim.runs.runner",
    "simulate": "alliance_sim.runs.simulate",
    "summary_dict": "alliance_sim.analysis.summary",
    "sweep": "alliance_sim.runs.runner",
    "with_end": "alliance_sim.scenario.load",
    "with_params": "alliance_sim.scenario.load",
}
__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        if inspect.isfunction(value):  # a misspelt keyword: one line with the nearest one
            from alliance_sim.errors import keywords_checked
            from alliance_sim.voice import python_words  # refusals name out=, not --out

            value = python_words(keywords_checked(value))
            value.__module__ = __name__  # pickled as alliance_sim.NAME: this very wrapper
        globals()[name] = value
        return value
    raise AttributeError(f"module 'alliance_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
