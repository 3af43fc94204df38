"""How much wider a forecast's intervals are when runs on one parameter set count once.

    python scripts/set_clusters.py DIR [DIR ...]

DIR: the result of ``alliance-sim run`` of a calibrated forecast (``baseline`` and what
extends it).  Replicate k draws row k of the posterior's rows (400 in the shipped fit), which
hold fewer distinct parameter sets (153 in the ninth fit): the SMC's resampling repeats the
likelier ones.  The intervals ``run`` prints treat the rows as independent draws (one unit per
seed up to the number of rows); this prints, for each member's P(exit by the horizon), the
95% interval and effective runs that way and with runs on identical parameter sets as one
cluster (the same estimator, ``analysis.design.clustered_mean``), and the widths' ratio.
Where the parameters decide the answer (Armenia's exit rule), the ratio is about 2:
docs/validation.md section 8.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay_sets import OneLineParser, one_line

from alliance_sim.analysis.design import clustered_mean, clusters
from alliance_sim.core.members import ALLIES
from alliance_sim.runs.locks import reading
from alliance_sim.runs.results import Result
from alliance_sim.scenario.load import load_scenario, set_ids, with_end


def report(args) -> None:
    for d in args.dirs:
        with reading(d):  # a folder being written: said so, not read as a stopped run
            _one(d)


def _one(d: str) -> None:
    """The table of one result folder ``d``."""
    res = Result.open(d)
    if res.manifest.kind != "run":  # a sweep pools its points: not what `run` prints
        raise ValueError(f"{d}: a sweep, not a run; allowed the folder of alliance-sim run")
    runs = res.runs
    sc = load_scenario(res.manifest.scenario_path)
    if sc.posterior is None or "posterior" not in runs:
        raise ValueError(f"{d}: not a run of a calibrated forecast")
    if res.manifest.plan.end != sc.end:  # a run cut by --end
        sc = with_end(sc, res.manifest.plan.end, sweep=False, warn=0)
    if sc.hash != res.manifest.scenario_hash:
        raise ValueError(f"{d}: its scenario file (or posterior) has changed since the run")
    content = set_ids(sc.posterior)
    sets = content[runs["posterior"].to_numpy() % len(content)]
    print(f"{d}: {len(runs)} runs on {len(np.unique(sets))} distinct parameter sets "
          f"({len(sc.posterior.sets)} rows)")  # fmt: skip
    rows = []
    for code in ALLIES:
        col = f"{code}_exited"
        if col not in runs:
            continue
        keep = runs[col].notna().to_numpy()
        y = runs[col].to_numpy(float)[keep]
        if y.size == 0 or y.min() == y.max():
            continue
        a = clustered_mean(y, clusters(runs[keep]))  # as `run` counts (helper-118)
        b = clustered_mean(y, sets[keep])
        ratio = (b.hi - b.lo) / (a.hi - a.lo)
        rows.append((code, f"{y.mean():.1%}", f"[{a.lo:.1%}, {a.hi:.1%}]", a.n,
                     f"[{b.lo:.1%}, {b.hi:.1%}]", b.n, ratio))  # fmt: skip
    if not rows:
        print("no member's exit varies over these runs: nothing to widen")
        return
    cols = ["member", "P(exit)", "as run prints", "n_eff", "one unit per set", "n_eff",
            "width ratio"]  # fmt: skip
    print(pd.DataFrame(rows, columns=cols).to_string(index=False, float_format="{:.2f}".format))


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+")
    one_line("set_clusters", report, ap.parse_args())


if __name__ == "__main__":
    main()
