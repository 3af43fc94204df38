"""Plain-text summaries of a result directory: the table ``alliance-sim run`` prints."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis.stats import wilson
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.outcomes import ALLIES
from alliance_sim.runs.results import Result


def member_table(
    runs: pd.DataFrame | Result, start: str | None = None, focus: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per ally that joined in any run: final commitment (median and 90% range), shares of
    runs ending active / hedging / suspended / exited, probability of exit with its Wilson 95%
    interval, and the median quarter of exit among runs where it left.  ``runs`` is a
    result's runs table (then ``start`` is its first quarter) or a :class:`Result`."""
    if isinstance(runs, Result):
        runs, start, focus = runs.runs, runs.plan.start, focus or tuple(runs.plan.focus)
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    rows = []
    order = list(focus) + [c for c in ALLIES if c not in focus]
    for code in order:
        c = ok[f"{code}_commitment"]
        joined = c.notna()
        n = int(joined.sum())
        if n == 0:
            continue
        st = ok.loc[joined, f"{code}_status"].astype(int)
        exits = int((st == mb.EXITED).sum())
        lo, hi = wilson(exits, n)
        steps = ok.loc[joined, f"{code}_exit_step"].dropna()
        rows.append(
            {
                "member": code,
                "runs": n,
                "commitment": c[joined].median(),
                "commitment_p5": c[joined].quantile(0.05),
                "commitment_p95": c[joined].quantile(0.95),
                **{name: float((st == k).mean()) for k, name in enumerate(mb.STATUS_NAMES) if k},
                "p_exit": exits / n,
                "p_exit_lo": lo,
                "p_exit_hi": hi,
                "median_exit": quarters.shift(start, int(np.median(steps))) if len(steps) else "",
            }
        )
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame) -> str:
    """The member table as aligned text."""
    head = (
        f"{'member':<8}{'final commitment':>22}   {'active':>6} {'hedging':>7} "
        f"{'suspended':>9}   {'exited [95% CI]':>19}  {'median exit':>11}"
    )
    lines = [head, "-" * len(head)]
    for r in table.itertuples():
        com = f"{r.commitment:.2f} ({r.commitment_p5:.2f}-{r.commitment_p95:.2f})"
        pex = f"{r.p_exit:.1%} [{r.p_exit_lo:.0%}-{r.p_exit_hi:.0%}]"
        lines.append(
            f"{r.member:<8}{com:>22}   {r.active:>6.0%} {r.hedging:>7.0%} "
            f"{r.suspended:>9.0%}   {pex:>19}  {r.median_exit:>11}"
        )
    return "\n".join(lines)


def describe(runs: pd.DataFrame, manifest: dict) -> str:
    """Header, member table and cohesion line for a result directory."""
    plan = manifest.plan
    ok = runs[runs["error"].isna()]
    coh = ok["cohesion_final"]
    head = (
        f"{manifest.scenario_name} - {manifest.scenario_description}\n"
        f"{len(runs)} runs ({plan.n_points} point(s) x {plan.replicates} "
        f"replicates), {plan.start} to {plan.end}, master seed {plan.master_seed}"
        f", scenario {manifest.scenario_hash}, alliance-sim {manifest.package_version}"
    )
    table = format_table(member_table(runs, plan.start, tuple(plan.focus)))
    tail = (
        f"cohesion at {plan.end}: median {coh.median():.2f} "
        f"(90% range {coh.quantile(0.05):.2f}-{coh.quantile(0.95):.2f}); lowest over the "
        f"run: median {ok['cohesion_min'].median():.2f}.\nStatus columns are shares of runs at "
        f"the horizon; 'exited' is the probability of having left by {plan.end}."
    )
    failed = len(runs) - len(ok)
    if failed:
        tail += f"\n{failed} run(s) failed; their errors are in runs.parquet (column 'error')."
    return f"{head}\n\n{table}\n\n{tail}"


# --- tables for reports (with bootstrap intervals) --------------------------------------------


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


def scenario_table(res, focus: tuple[str, ...] = (), seed: int = 0) -> pd.DataFrame:
    """Per member: probability of being suspended and of having exited at each horizon (Wilson
    95% intervals: a bootstrap interval collapses to a point at 0% or 100%), median time to
    exit and commitment at the end (bootstrap 95% intervals), and the runs the exit
    probability needs for an interval of +/- 5 points (``n_for_5pp``)."""
    from alliance_sim.analysis import aggregate as agg
    from alliance_sim.analysis.stats import mean_ci, median_ci, proportion_ci, replicates_needed

    runs, start = res.runs, res.manifest.plan.start
    ok = runs[runs["error"].isna()]
    hs = horizons(agg.recorded_steps(res))
    st = agg.status_at(res, hs)
    st = st[st["run"].isin(set(ok["run"]))]
    rows = []
    for code in list(focus) + [c for c in ALLIES if c not in focus]:
        c = ok[f"{code}_commitment"]
        if c.notna().sum() == 0:
            continue
        row: dict = {"member": code, "runs": int(c.notna().sum())}
        mine = st[st["member"] == code]
        for h in hs:
            at = mine[mine["step"] == h]
            q = quarters.shift(start, h)
            row[f"P(suspended) {q}"] = proportion_ci((at["status"] == "suspended").to_numpy(float))
            row[f"P(exited) {q}"] = proportion_ci((at["status"] == "exited").to_numpy(float))
        exited = ok[f"{code}_exited"].to_numpy(float)
        steps = ok[f"{code}_exit_step"].dropna().to_numpy(float)
        med = median_ci(steps, seed)
        row["time to exit (median quarter)"] = (
            f"{quarters.shift(start, int(med.value))} [{quarters.shift(start, int(med.lo))}, "
            f"{quarters.shift(start, int(med.hi))}]"
            if med.n
            else "no exit"
        )
        row["commitment at end"] = mean_ci(c.to_numpy(float), seed)
        row["n_for_5pp"] = replicates_needed(exited, 0.05, binary=True)
        rows.append(row)
    coh = {
        "member": "cohesion",
        "runs": len(ok),
        "commitment at end": mean_ci(ok["cohesion_final"].to_numpy(float), seed),
        "n_for_5pp": replicates_needed(ok["cohesion_final"].to_numpy(float), 0.05, False),
    }
    rows.append(coh)
    return pd.DataFrame(rows)
