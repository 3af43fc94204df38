"""A forecast's headline split by a condition on its posterior parameter sets.

    python scripts/headline_by_sets.py [SCENARIO] [--outcome ARM_exited]
        [--condition "exit_below >= suspend_below"] [--vary exit_below=0.05,0.1,0.2,0.3]
        [--replicates 800] [--seed 0]

Runs SCENARIO (default ``baseline``) ``--replicates`` times (replicate k draws posterior row
k mod their number, as every forecast does) and prints the outcome's share over all runs,
over the runs whose set meets ``--condition`` (a pandas query on the posterior's columns) and
over the others, each with a 95% interval clustered by distinct parameter set (the rows
repeat the likelier sets), and the share of rows that meet it.  Such a split describes the
posterior; other parameters travel with the condition, so it is not the condition's own
effect.  ``--vary NAME=v1,v2,...`` measures that: every set run again (same seeds) with NAME
forced to each value in turn.  docs/validation.md §10 quotes both for the exit threshold.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from alliance_sim import load_scenario
from alliance_sim.analysis.design import clustered_mean
from alliance_sim.core.outcomes import outcome_names
from alliance_sim.runs.evaluate import evaluate

#: outcome suffixes that are 0/1 per run (shares are printed in percent)
BINARY = ("exited", "suspended", "ever_suspended", "blocked", "joined", "refused")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="baseline", help="a calibrated forecast")
    ap.add_argument("--outcome", default="ARM_exited", help="an outcome (0/1 or a number)")
    ap.add_argument(
        "--condition",
        default="exit_below >= suspend_below",
        help="a pandas query on the posterior's columns",
    )
    ap.add_argument(
        "--vary", default="exit_below=0.05,0.1,0.15,0.2,0.3", metavar="NAME=V1,V2,...",
        help="a parameter forced to each value in every set (same seeds); '' for none",
    )  # fmt: skip
    ap.add_argument("--replicates", type=int, default=800, help="runs (set k mod their number)")
    ap.add_argument("--seed", type=int, default=0, help="master seed")
    a = ap.parse_args()
    try:
        sc = load_scenario(a.scenario)
        if sc.posterior is None:
            raise ValueError(f"{a.scenario} continues no calibrated posterior")
        if a.outcome not in outcome_names():
            raise ValueError(f"--outcome {a.outcome}: not an outcome (alliance-sim list outcomes)")
        if a.outcome.endswith("_exit_step") or a.outcome.split("_", 1)[-1] not in BINARY:
            raise ValueError(f"--outcome {a.outcome}: allowed a 0/1 outcome ({', '.join(BINARY)})")
        post = pd.DataFrame(list(sc.posterior.sets))
        meets = np.zeros(len(post), dtype=bool)
        try:
            meets[post.query(a.condition).index.to_numpy()] = True
        except Exception as e:  # pandas' own words, after the option's name
            raise ValueError(f"--condition {a.condition!r}: {e}") from None
        runs = evaluate(pd.DataFrame(index=range(1)), sc, replicates=a.replicates, seed=a.seed)
        name, _, values = a.vary.partition("=")
        try:
            levels = [float(v) for v in values.split(",")] if a.vary else []
        except ValueError:
            raise ValueError(f"--vary {a.vary}: allowed NAME=V1,V2,... (numbers)") from None
        forced = (
            evaluate(pd.DataFrame({name: levels}), sc, replicates=a.replicates, seed=a.seed)
            if a.vary
            else None
        )
    except Exception as e:  # one line, status 2, as the command line does
        print(f"headline_by_sets: {str(e).splitlines()[0]}", file=sys.stderr)
        raise SystemExit(2) from None
    sets = runs["posterior"].to_numpy()
    one_set = runs["posterior_set"].to_numpy()  # runs on one distinct set: one unit
    y = runs[a.outcome].to_numpy(dtype=float)
    end = sc.end
    distinct = len(np.unique(one_set))
    print(f"{sc.name}: {a.outcome} by {end}, {a.replicates} runs on {len(post)} posterior rows "
          f"(they draw {distinct} distinct parameter sets)")  # fmt: skip
    for label, keep in (
        ("all runs", np.ones(len(y), dtype=bool)),
        (f"sets with {a.condition} ({meets.mean():.1%} of rows)", meets[sets]),
        ("the other sets", ~meets[sets]),
    ):
        if not keep.any():
            print(f"  {label}: no run")
            continue
        e = clustered_mean(y[keep], one_set[keep])
        print(f"  {label}: {e.value:.1%} [{e.lo:.1%}, {e.hi:.1%}]")
    if forced is not None:
        print(f"  every set with {name} forced to (same seeds):")
        for value, rows in forced.groupby(name, sort=True):
            e = clustered_mean(rows[a.outcome].to_numpy(float), rows["posterior_set"].to_numpy())
            print(f"    {value:g}: {e.value:.1%} [{e.lo:.1%}, {e.hi:.1%}]")


if __name__ == "__main__":
    main()
