"""Each member's status at every year end of a replay, against the record.

    python scripts/status_by_year.py POSTERIOR.parquet [SCENARIO] [--runs 300]

Replays SCENARIO (default ``history_2006_2024``) with the posterior's sets (run k draws set k)
and prints, for each year end and each member in the alliance at the replay's start, the
record's status (in, suspended, exited: ``analysis/record.py``) and the share of replays in
that status ("in" = active or hedging).  docs/validation.md §9 quotes it for Uzbekistan.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from alliance_sim.analysis import record as rc
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.load import load_scenario
from alliance_sim.scenario.plan import spec_for

CODE = {"suspended": mb.SUSPENDED, "exited": mb.EXITED}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior")
    ap.add_argument("scenario", nargs="?", default="history_2006_2024")
    ap.add_argument("--runs", type=int, default=300)
    a = ap.parse_args()
    sc = load_scenario(a.scenario)
    post = pd.read_parquet(a.posterior)
    names = [p.name for p in sc.calibrate.priors if p.name in post.columns]
    sets = post[names].to_dict("records")
    specs = [spec_for(sc, sets[k % len(sets)]) for k in range(a.runs)]
    traj, _ = run_batch(specs, list(range(a.runs)), series=("commitment", "status"))
    first = int(sc.start[:4])
    for year in range(first, int(sc.end[:4]) + 1):
        q = f"{year}Q4"
        st = traj["status"][quarters.steps_between(sc.start, q)]
        cells = []
        for code, want in rc.statuses_at(q, sc.start).items():
            s = st[:, mb.INDEX[code]]
            ok = np.isin(s, (mb.ACTIVE, mb.HEDGING)) if want == "in" else s == CODE[want]
            cells.append(f"{code} {want} {ok.mean():.2f}")
        print(q, "  ".join(cells))


if __name__ == "__main__":
    main()
