"""A forecast's headline split by a condition on its posterior parameter sets.

    python scripts/headline_by_sets.py [SCENARIO] [--outcome ARM_exited]
        [--condition "exit_below >= suspend_below"] [--replicates 800] [--seed 0]

Runs SCENARIO (default ``baseline``) ``--replicates`` times (replicate k draws posterior set
k mod their number, as every forecast does) and prints the outcome's share over all runs,
over the runs whose set meets ``--condition`` (a pandas query on the posterior's columns) and
over the others, each with a 95% interval clustered by parameter set, and the share of sets
that meet it.  docs/validation.md §10 quotes it for the order of the exit and suspension
thresholds: with ``exit_below`` at or above ``suspend_below`` every suspended member counts
as below the exit threshold, and leaves after ``exit_patience`` quarters with ``exit_hazard``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from alliance_sim import load_scenario
from alliance_sim.analysis.design import clustered_mean
from alliance_sim.runs.evaluate import evaluate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="baseline", help="a calibrated forecast")
    ap.add_argument("--outcome", default="ARM_exited", help="an outcome (0/1 or a number)")
    ap.add_argument(
        "--condition",
        default="exit_below >= suspend_below",
        help="a pandas query on the posterior's columns",
    )
    ap.add_argument("--replicates", type=int, default=800, help="runs (set k mod their number)")
    ap.add_argument("--seed", type=int, default=0, help="master seed")
    a = ap.parse_args()
    sc = load_scenario(a.scenario)
    if sc.posterior is None:
        raise SystemExit(f"{a.scenario} continues no calibrated posterior")
    post = pd.DataFrame(list(sc.posterior.sets))
    meets = np.zeros(len(post), dtype=bool)
    meets[post.query(a.condition).index.to_numpy()] = True
    runs = evaluate(pd.DataFrame(index=range(1)), sc, replicates=a.replicates, seed=a.seed)
    sets = runs["posterior"].to_numpy()
    y = runs[a.outcome].to_numpy(dtype=float)
    end = sc.end
    print(f"{sc.name}: {a.outcome} by {end}, {a.replicates} runs over {len(post)} parameter sets")
    for label, keep in (
        ("all runs", np.ones(len(y), dtype=bool)),
        (f"sets with {a.condition} ({meets.mean():.1%} of sets)", meets[sets]),
        ("the other sets", ~meets[sets]),
    ):
        e = clustered_mean(y[keep], sets[keep])
        print(f"  {label}: {e.value:.1%} [{e.lo:.1%}, {e.hi:.1%}]")


if __name__ == "__main__":
    main()
