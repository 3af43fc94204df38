"""Is the observation model calibrated member by member?  Each member's predicted rate of each
kind of observable in the replay against its recorded rate.

For every member and kind of observation in the fit window (UN votes with Russia, summit
attendance, exercise contingents, budget payments, statuses), the recorded rate is the share
of the member's recorded occasions that came out 1; the predicted rate is the mean, over the
same occasions and over fresh replay runs of the posterior, of the model's probability.  A
fitted model that tracks the record member by member has every gap within ``TOLERANCE``
(the issue's ±0.1); the table says where it does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis import record as rc
from alliance_sim.core import quarters
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.plan import replicate_seed, spec_for
from alliance_sim.scenario.spec import Scenario

TOLERANCE = 0.1


def member_rates(
    sc: Scenario,
    sets: list[dict[str, float]] | None,
    runs: int = 400,
    seed: int = 0,
    until: int | None = None,
) -> pd.DataFrame:
    """Rows ``member, kind, n, recorded, predicted, gap, within`` over the replay's window
    (to step ``until``), ``sets`` cycled over ``runs`` fresh seeds (None: the file's values)."""
    last = sc.end if until is None else quarters.shift(sc.start, until)
    obs = rc.window(quarters.shift(sc.start, 1), last).reset_index(drop=True)
    if obs.empty:
        return pd.DataFrame(
            columns=["member", "kind", "n", "recorded", "predicted", "gap", "within"]
        )
    points = [sets[k % len(sets)] if sets else {} for k in range(runs)]
    seeds = [replicate_seed(seed + 104729, k) for k in range(runs)]
    series = ("commitment", "status", *(s for s in rc.SERIES.values() if s != "out"))
    traj, _ = run_batch([spec_for(sc, p) for p in points], seeds, series=series)
    p = rc.predicted(obs, traj, sc.start).mean(0)
    t = obs.assign(predicted=p)
    out = (
        t.groupby(["member", "kind"])
        .agg(n=("observed", "size"), recorded=("observed", "mean"), predicted=("predicted", "mean"))
        .reset_index()
    )
    out["gap"] = out["predicted"] - out["recorded"]
    out["within"] = np.abs(out["gap"]) <= TOLERANCE
    return out
