"""``python -m alliance_sim`` is ``alliance-sim``."""

from alliance_sim.cli.main import run

run()
