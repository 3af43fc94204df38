"""alliance-sim: an agent-based simulator of CSTO cohesion.

Public API::

    from alliance_sim import AllianceModel, simulate, parameters
"""

from alliance_sim.members import member_profiles
from alliance_sim.model import AllianceModel
from alliance_sim.params import parameters
from alliance_sim.simulate import simulate

__version__ = "0.1.0"
__all__ = ["AllianceModel", "__version__", "member_profiles", "parameters", "simulate"]
