"""What the replay diagnostics share (``exit_timing.py``, ``status_by_year.py``,
``weighing_terms.py``): a posterior's replay and its parameter sets, and errors in one line.

Not a command of its own: the scripts import it (``scripts/`` is first on their path)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd

from alliance_sim.scenario.load import load_scenario
from alliance_sim.scenario.posterior import read_posterior
from alliance_sim.scenario.spec import Scenario

ALLOWED = "allowed a posterior written by alliance-sim calibrate"


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors in one line, ``NAME: message``, status 2 (not the usage)."""

    def error(self, message: str):
        print(f"{os.path.basename(self.prog).removesuffix('.py')}: {message}", file=sys.stderr)
        raise SystemExit(2)


def one_line(name: str, report: Callable[[Any], None], args: Any) -> None:
    """``report(args)``, any error said in one line ``NAME: message``, status 2, as the
    command line does."""
    try:
        report(args)
    except Exception as e:
        from alliance_sim.textsafe import term  # (a path's ESC bytes and newlines: helper-119)

        print(f"{name}: {term(e, keep_newlines=False) or type(e).__name__}", file=sys.stderr)
        raise SystemExit(2) from None


def replay_sets(posterior: str, scenario: str | None = None) -> tuple[Scenario, list[dict]]:
    """The replay ``posterior`` was fitted to (or ``scenario``) and the posterior's parameter
    sets of that calibration, one dict per set; ValueError (one line) for a file that is not
    such a posterior."""
    if not os.path.isfile(posterior):
        what = "a folder" if os.path.isdir(posterior) else "no such file"
        raise ValueError(f"{posterior}: {what} ({ALLOWED})")
    replay = scenario or read_posterior(posterior).replay_path
    if replay is None:
        raise ValueError(f"{posterior}: names no replay ({ALLOWED})")
    sc = load_scenario(replay)
    post = pd.read_parquet(posterior)
    names = [p.name for p in sc.calibrate.priors if p.name in post.columns]
    if not names or post.empty:
        raise ValueError(
            f"{posterior}: no parameter set of {sc.name}'s calibration in it ({ALLOWED})"
        )
    extra = [c for c in post.columns if c not in names and c not in ("distance", "weight")]
    if extra:  # dropped, the sets would replay without what was fitted (a red team's find)
        raise ValueError(
            f"{posterior}: parameter {extra[0]!r} is not in {sc.path}'s [calibrate.parameters]; "
            "allowed: the replay the posterior was fitted to (--scenario FILE)"
        )
    return sc, post[names].to_dict("records")
