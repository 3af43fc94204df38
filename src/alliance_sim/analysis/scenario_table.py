"""The scenario table of a comparison report: per member, the probabilities of suspension and
exit at a few horizons, the median quarter of exit and the mean commitment, each with a 95%
interval that treats runs sharing a seed as one unit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import clustered_mean, clusters, distinct_sets
from alliance_sim.analysis.summary import UNIT
from alliance_sim.analysis.units import units_needed
from alliance_sim.core import quarters
from alliance_sim.core.outcomes import ALLIES
from alliance_sim.runs.results import Result


def horizons(steps: list[int] | np.ndarray, n: int = 3) -> list[int]:
    """Up to ``n`` recorded steps spread over the run, always including the last."""
    steps = sorted(set(int(s) for s in steps if s > 0))
    if not steps:
        return []
    picks = {steps[-1]}
    for frac in np.linspace(0, 1, n + 1)[1:-1]:
        target = steps[-1] * frac
        picks.add(min(steps, key=lambda s: abs(s - target)))
    return sorted(picks)


def scenario_table(
    res, focus: tuple[str, ...] = (), seed: int = 0, at: str | None = None
) -> pd.DataFrame:
    """Per member: probability of being suspended and of having exited at each horizon, the
    median quarter of exit among runs where the member left, the mean commitment at the end,
    each with a 95% interval that treats runs sharing a seed as one unit (Wilson on the
    effective runs for probabilities, a t interval for means, a seed bootstrap for the median;
    ``Estimate.n`` is the effective number of independent runs), and the seeds the exit
    probability needs for an interval of +/- 5 points at this design's design effect
    (``design.seeds_needed``).  ``at``: a quarter
    the horizons must include (a comparison's), when it is recorded."""
    from alliance_sim.analysis import aggregate as agg
    from alliance_sim.analysis.design import cluster_bootstrap, seeds_needed

    res = res.design()  # refine's runs sit near a boundary: no sample of the swept space
    runs, start = res.runs, res.manifest.plan.start
    ok = runs[runs["error"].isna()]
    cl = clusters(ok)
    seed_of = pd.Series(cl, index=ok["run"].to_numpy())
    recorded = agg.recorded_steps(res)
    hs = horizons(recorded)
    if at is not None and (step := quarters.steps_between(start, at)) in set(recorded.tolist()):
        hs = sorted({*hs, step}) if step > 0 else hs
    st = agg.status_at(res, hs)
    st = st[st["run"].isin(set(ok["run"]))]
    rows = []
    end = quarters.shift(start, hs[-1]) if hs else res.manifest.plan.end
    for code in list(focus) + [c for c in ALLIES if c not in focus]:
        c = ok[f"{code}_commitment"]
        if c.notna().sum() == 0:
            continue
        row: dict = {"member": code, "runs": int(c.notna().sum())}
        mine = st[st["member"] == code]
        for h in hs:
            at = mine[mine["step"] == h]
            q = quarters.shift(start, h)
            g = seed_of.loc[at["run"].to_numpy()].to_numpy()
            for status in ("suspended", "exited"):
                x = (at["status"] == status).to_numpy(float)
                row[f"P({status}) {q}"] = clustered_mean(x, g, binary=True)
        joined = c.notna().to_numpy()
        exited = ok.loc[joined, f"{code}_exited"].to_numpy(float)
        left = ok[f"{code}_exit_step"].notna().to_numpy()
        med = cluster_bootstrap(
            ok.loc[left, f"{code}_exit_step"].to_numpy(float), cl[left], np.median, seed=seed
        )
        row["median quarter of exit (runs that exit)"] = (
            QuarterEstimate(start, med) if med.n else "no exit"
        )
        row[f"mean commitment {end}"] = clustered_mean(
            c[joined].to_numpy(float), cl[joined], bounds=UNIT
        )
        # a member in only some runs (a joiner): seeds enough that its runs have enough
        need = seeds_needed(exited, cl[joined], 0.05, binary=True)
        share = len(np.unique(cl[joined])) / len(np.unique(cl))
        need = None if need is None else int(np.ceil(need / share - 1e-9))
        row["seeds for ±5 pts"] = "–" if need is None else units_needed(ok, need)
        rows.append(row)
    coh = ok["cohesion_final"].to_numpy(float)
    coh_est = clustered_mean(coh, cl, bounds=UNIT)
    need = seeds_needed(coh, cl, 0.05, binary=False)
    rows.append(
        {
            "member": "cohesion",
            "runs": len(ok),
            f"mean commitment {end}": coh_est,
            "seeds for ±5 pts": units_needed(ok, need) if need else "–",
        }
    )
    return pd.DataFrame(rows)


class QuarterEstimate:
    """A median quarter with its interval, shown as calendar quarters: the median step
    rounded down, as the run table's "median exit" (the quarter by which half of the runs
    that left had left; with exits at steps 15 and 16 in the middle, round() gave 16 here and
    the table 15: helper-71), and the interval widened to whole quarters."""

    def __init__(self, start: str, est) -> None:
        self.start, self.est = start, est
        self.n = est.n

    def __str__(self) -> str:
        e, q = self.est, lambda v: quarters.shift(self.start, int(v))
        return f"{q(math.floor(e.value))} [{q(math.floor(e.lo))}, {q(math.ceil(e.hi))}]"


def independent_unit(res: Result) -> str:
    """What an interval of ``res`` counts as one: the seed, or the parameter set replicates
    share (a run of 800 replicates of 400 sets was said to rest on 800 seeds: helper-100)."""
    m, runs = res.manifest, res.runs
    sets = distinct_sets(runs)
    shared = f", each shared by the {m.plan.n_points} points" if m.plan.n_points > 1 else ""
    if "posterior" in runs and (runs["posterior"] >= 0).all() and "posterior_set" not in runs:
        return (  # (a comparison's differences count the sets of the side that has them)
            "the posterior row: written before runs recorded their distinct parameter set, so "
            "rows that repeat a set count apart and its intervals are too narrow where the set "
            "decides the answer (docs/validation.md section 8); run it again"
        )
    if sets and sets < len(m.seeds):
        return (
            f"the parameter set: {len(m.seeds)} replicate seeds draw {sets} distinct parameter "
            f"sets of the calibration{shared}"
        )
    return f"the seed: {len(m.seeds)} replicate seeds{shared}"
