"""``python -m alliance_sim`` is ``alliance-sim`` (exiting normally, so that profilers and
``runpy`` callers see the end of the command)."""

from alliance_sim.cli.main import main

raise SystemExit(main())
