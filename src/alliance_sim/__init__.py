"""alliance-sim: an agent-based simulator of CSTO cohesion.

Public API::

    from alliance_sim import AllianceModel, simulate, parameters, load_scenario, sweep
"""

__version__ = "0.1.0"

from alliance_sim.members import member_profiles
from alliance_sim.model import AllianceModel
from alliance_sim.params import parameters
from alliance_sim.runner import Result, run_scenario, sweep
from alliance_sim.scenario import ScenarioError, load_scenario
from alliance_sim.simulate import simulate

__all__ = [
    "AllianceModel",
    "Result",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "member_profiles",
    "parameters",
    "run_scenario",
    "simulate",
    "sweep",
]
