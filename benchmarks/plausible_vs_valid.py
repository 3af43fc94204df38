"""How much the sampling range matters: every global parameter drawn uniformly from its
validity range versus its plausible range (``parameters()``), baseline scenario.

    python benchmarks/plausible_vs_valid.py [--rows 2000]

Prints the share of runs in which Armenia exits and in which any ally exits, and the same at
the scenario's own values, with 95% Wilson intervals.  The status thresholds must stay in order
in every row (``suspend_below < hedge_below < hedge_recover``, ``suspend_below <
suspend_recover``): rows drawn out of order are drawn again, so each design is uniform over
the ordered part of its box (the share kept is printed).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from alliance_sim import evaluate, load_scenario, parameters
from alliance_sim.scenario.semantics import ordered


def share(x: pd.Series) -> str:
    k, n = int(x.sum()), len(x)
    ci = binomtest(k, n).proportion_ci(method="wilson")
    return f"{k / n:.2f} [{ci.low:.2f}, {ci.high:.2f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    a = ap.parse_args()
    t = parameters()
    g = t[t["scope"] == "global"].set_index("name")
    g = g[~g.index.str.startswith("mech_")]  # the mechanisms' switches stay on
    rng = np.random.default_rng(0)
    own = evaluate(pd.DataFrame(index=range(1)), "baseline", replicates=a.rows, seed=0)
    print(
        f"{'baseline as it is':<22} ARM exits {share(own.ARM_exited)}  any exit "
        f"{share(own.n_exited > 0)}"
    )
    for label, lo, hi in (
        ("validity range", "low", "high"),
        ("plausible range", "plausible_low", "plausible_high"),
    ):
        d, in_order = draw(g, lo, hi, a.rows, rng)
        out = evaluate(d, "baseline", seed=0)
        print(
            f"{label:<22} ARM exits {share(out.ARM_exited)}  any exit {share(out.n_exited > 0)}"
            f"  ({in_order:.0%} of rows drawn had the thresholds in order)"
        )


def draw(g: pd.DataFrame, lo: str, hi: str, rows: int, rng) -> tuple[pd.DataFrame, float]:
    """``rows`` rows, each parameter uniform on [g[lo], g[hi]], the thresholds in order (rows
    out of order drawn again); and the share of rows drawn that were in order."""
    params = load_scenario("baseline").params
    kept, drawn = [], 0
    while sum(len(k) for k in kept) < rows:
        d = pd.DataFrame({n: rng.uniform(g.loc[n, lo], g.loc[n, hi], rows) for n in g.index})
        for n in ("status_patience", "exit_patience"):
            d[n] = np.round(d[n])
        drawn += len(d)
        kept.append(d[ordered(list(d.columns), d.to_numpy(), params)])
    d = pd.concat(kept, ignore_index=True)
    return d.iloc[:rows].reset_index(drop=True), len(d) / drawn


if __name__ == "__main__":
    main()
