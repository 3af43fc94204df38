"""What a forecast says one could observe: each member's probability of voting with Russia at
the UN, attending CSTO summits, sending troops to exercises and paying into the budget (the
observation model, ``core/observations.py``), at the start and the horizon of a result."""

from __future__ import annotations

import pandas as pd

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.observations import OBSERVABLES
from alliance_sim.errors import StoreError
from alliance_sim.runs.results import Result, open_dataset

LABELS = {
    "p_vote_with_russia": "votes with Russia (Ukraine text)",
    "p_vote_abstain": "abstains (Ukraine text)",
    "p_vote_against": "votes against Russia (Ukraine text)",
    "p_crimea_with_russia": "votes with Russia (Crimea text)",
    "p_attend_summit": "leader attends the summit",
    "p_join_exercise": "sends troops to exercises",
    "p_pay_budget": "pays into the budget",
}
#: the table's title in a report (its runs columns: a mean of 1 run of 300 read as of all)
OBSERVE = (
    "What one could observe (the observation model; mean over the runs in which the state is "
    "or has been a member by then, one that has left counting as not taking part; their "
    "number in each quarter's runs column)"
)


def observable_table(res: Result) -> pd.DataFrame:
    """Per member: the mean over runs of each observable's probability at the first and the
    last recorded quarter (members that have left count as 0 for taking part), over the runs
    that record the member then (a joiner: those in which it joined), with their number
    (``runs {quarter}``; a mean of 1 of 300 runs read as Iran's had looked like all of them)."""
    cols = ["step", "member", *OBSERVABLES]
    try:
        data = open_dataset(res.directory, "timeseries")
    except StoreError:
        return pd.DataFrame()
    if not set(OBSERVABLES) <= set(data.schema.names):
        return pd.DataFrame()
    cached = res.loaded("timeseries")
    t = cached[cols] if cached is not None else res.arrow("timeseries", cols).to_pandas()
    first, last = t["step"].min(), t["step"].max()
    rows = []
    for code in mb.ALLIES:
        mine = t[t["member"] == code]
        if mine.empty:
            continue
        row = {"member": code}
        for step in (first, last):
            q = quarters.shift(res.plan.start, int(step))
            at = mine[mine["step"] == step]
            row[f"runs {q}"] = len(at)
            for k in ("p_vote_with_russia", "p_attend_summit", "p_join_exercise", "p_pay_budget"):
                row[f"P({LABELS[k]}) {q}, mean"] = float(at[k].fillna(0).mean())
        rows.append(row)
    return pd.DataFrame(rows)
