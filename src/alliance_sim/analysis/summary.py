"""Summaries of a result directory: the member table ``alliance-sim run`` and ``sweep`` print
(and write as ``summary.json``), and the per-scenario tables of comparison reports.

Every interval here respects the design: runs that share a seed (a sweep's replicate at each
of its points) count as one independent unit (:mod:`alliance_sim.analysis.design`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.analysis.cases import as_codes
from alliance_sim.analysis.design import FEW, clustered_mean, clusters, distinct_sets
from alliance_sim.analysis.stats import percent, percent_interval
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.outcomes import ALLIES, CANDIDATES
from alliance_sim.errors import AnalysisError
from alliance_sim.runs.atomic import atomic_write_bytes
from alliance_sim.runs.refined import own_design
from alliance_sim.runs.results import Result, as_result
from alliance_sim.scenario.checks import quarter_at

UNIT = (0.0, 1.0)  # commitment and cohesion: indices from 0 to 1


def member_table(
    runs: pd.DataFrame | Result,
    start: str | None = None,
    focus: tuple[str, ...] = (),
    at: str | None = None,
) -> pd.DataFrame:
    """Per ally that joined in any run, at quarter ``quarter`` (a column, and
    ``attrs["quarter"]``): commitment (median, 5th and 95th percentiles over runs, and the
    mean with its 95% interval), shares of runs active / hedging / suspended / exited, the
    probability of having left with its 95% interval, the effective number of independent
    runs behind it (``n_effective``, :mod:`alliance_sim.analysis.design`) and the median
    quarter of exit where it left.  ``runs``: a :class:`Result`, or a runs table with
    ``start``, its first quarter (a result has its own).  ``focus``: member codes listed
    first (one that is a member in none of the runs is refused).  ``at``: the quarter to
    describe (default: the result's end; a quarter before it is read from the stored
    statuses, :func:`~alliance_sim.analysis.horizon.outcomes_at`); for a bare runs table, the
    quarter its outcomes describe, if known (two tables of a notebook, at 2034Q4 and 2030Q4,
    had read alike)."""
    asked = list(dict.fromkeys(as_codes(focus, "focus", ALLIES)))  # ARM twice: one row
    quarter, own, focus = None, None, asked
    if not isinstance(runs, pd.DataFrame):
        own = own_design(as_result(runs, "member_table"), "member_table()")
    elif runs.attrs.get("start") and runs.attrs.get("quarter"):  # outcomes_at(res, Q)'s table
        from alliance_sim.analysis.horizon import as_read

        start, at = as_read(runs.attrs, start, at)  # says what it is (red team)
    if isinstance(runs, pd.DataFrame) and start is not None:  # '2024q4': one line (red-team)
        start = quarter_at(start, "member_table(start=...):")
    if at is not None:  # (a year is offered its last quarter where the result reaches it)
        from alliance_sim.analysis.horizon import read_quarter

        where = "member_table(at=...):"
        quarter = read_quarter([own], at, where) if own else quarter_at(at, where, after=start)
    if own is not None and start is not None and str(start).strip().upper() != own.plan.start:
        raise AnalysisError(  # it was replaced by the result's own start without a word
            f"member_table(start={start!r}): a result counts its quarters from its own start, "
            f"{own.plan.start}; start= is for a bare runs table (to describe a later quarter: "
            "at=...)"
        )
    if own is not None:
        start, focus = own.plan.start, focus or tuple(own.plan.focus)
        quarter = quarter or own.plan.end
        if quarter != own.plan.end:
            from alliance_sim.analysis.horizon import outcomes_at

            runs = outcomes_at(own, quarter)
        else:
            runs = own.runs
    elif start is None:  # a bare table does not say where its quarters are counted from
        raise TypeError("member_table(runs_table): give start=, its first quarter ('2024Q4')")
    last = None if quarter is None else quarters.steps_between(start, quarter)
    if last is not None and last <= 0:  # a bare table's at=2020Q1 read its end as of then
        raise AnalysisError(f"member_table(at={quarter!r}): not after the runs' start {start}")
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    cl = clusters(ok)
    focus = list(dict.fromkeys(as_codes(focus, "focus", ALLIES)))  # "ARM", not "A", "R", "M"
    rows, order = [], focus + [c for c in ALLIES if c not in focus]
    if not any(f"{code}_commitment" in ok for code in order):  # a bare KeyError before
        raise AnalysisError(
            "member_table(runs_table): no member columns in it (BLR_commitment, BLR_status, "
            "...); allowed: a result's runs table (result.runs)"
        )
    for code in order:
        if f"{code}_commitment" not in ok:
            continue
        c = ok[f"{code}_commitment"]
        joined = c.notna().to_numpy()
        n = int(joined.sum())
        if n == 0:
            continue
        st = ok.loc[joined, f"{code}_status"].astype(int)
        p_exit = clustered_mean((st == mb.EXITED).to_numpy(float), cl[joined], binary=True)
        mean = clustered_mean(c[joined].to_numpy(float), cl[joined], binary=False, bounds=UNIT)
        steps = ok.loc[joined, f"{code}_exit_step"].dropna()
        steps = steps[steps <= last] if last is not None else steps  # left by that quarter
        rows.append(
            {
                "member": code,
                "quarter": quarter,
                "runs": n,
                "n_effective": p_exit.n,
                "commitment_median": float(c[joined].median()),
                "commitment_p5": float(c[joined].quantile(0.05)),
                "commitment_p95": float(c[joined].quantile(0.95)),
                "commitment_mean": mean.value,
                "commitment_mean_lo": mean.lo,
                "commitment_mean_hi": mean.hi,
                **{name: float((st == k).mean()) for k, name in enumerate(mb.STATUS_NAMES) if k},
                "p_exit": p_exit.value,
                "p_exit_lo": p_exit.lo,
                "p_exit_hi": p_exit.hi,
                # the median step rounded down: the quarter by which half of those that left had
                "median_exit": quarters.shift(start, int(np.median(steps))) if len(steps) else "",
            }
        )
    absent = [code for code in asked if code not in {r["member"] for r in rows}]
    if absent:  # the table came back without the member asked about, and said nothing
        raise AnalysisError(
            f"member_table(focus={list(asked)}): {', '.join(absent)} is a member "
            + (f"at {quarter} " if quarter else "")
            + "in none of these runs (it left before they start, or had not joined); allowed: "
            + ", ".join(r["member"] for r in rows)
        )
    table = pd.DataFrame(rows)
    table.attrs["quarter"] = quarter
    return table


def _present(runs: pd.DataFrame, focus) -> tuple[str, ...]:
    """The scenario's focus members that are members in some run (a scenario may focus on
    Iran in runs where it never joins; only a focus the user asks for is refused)."""
    return tuple(
        c for c in focus if f"{c}_commitment" in runs and runs[f"{c}_commitment"].notna().any()
    )


#: runs a member must be in for its commitment's median and range to be given (the table) or
#: drawn (the figures' bands)
MIN_IN = 10


def format_table(table: pd.DataFrame) -> str:
    """The member table as aligned text (a commitment from fewer than :data:`MIN_IN` runs in:
    not summarised)."""
    head = (
        f"{'member':<8}{'median commitment (p5-p95)':>27}   {'active':>6} {'hedging':>7} "
        f"{'suspended':>9}   {'exited [95% CI]':>19} {'n_eff':>6}  {'median exit':>11}"
    )
    lines = [head, "-" * len(head)]
    for r in table.itertuples():
        com = (  # a median "0.70 (0.70-0.70)" of Iran's one run in (a new user's trial)
            f"{r.commitment_median:.2f} ({r.commitment_p5:.2f}-{r.commitment_p95:.2f})"
            if r.runs >= MIN_IN
            else f"- (in {r.runs} run{'' if r.runs == 1 else 's'}; too few)"
        )
        pex = percent_interval(r.p_exit, r.p_exit_lo, r.p_exit_hi, "-", est_digits=1)
        few = "*" if r.n_effective < FEW else " "
        # a share of one run in 200 read "0%" beside the report's 0.5% (a new user's trial)
        act, hed, sus = percent(r.active), percent(r.hedging), percent(r.suspended)
        lines.append(
            f"{r.member:<8}{com:>27}   {act:>6} {hed:>7} "
            f"{sus:>9}   {pex:>19} {r.n_effective:>5}{few}  {r.median_exit:>11}"
        )
    return "\n".join(lines)


def _unit_note(runs: pd.DataFrame, plan) -> str:
    sets = distinct_sets(runs)
    reused = sets > 0
    if plan.n_points > 1:
        units = (
            f"{plan.replicates} independent seeds: intervals are clustered by seed"
            if not reused or sets >= plan.replicates
            else f"{plan.replicates} seeds, which draw {sets} distinct parameter sets of the "
            f"calibration, so at most {sets} independent units: intervals are clustered by "
            "parameter set"
        )
        return (
            f"Pooled over all {plan.n_points} design points (each run weighted equally; "
            "by_point.csv has each point's P(exit) and P(suspended) with its interval).\n"
            f"Replicate k shares its seed at all {plan.n_points} points, so the {len(runs)} runs "
            f"rest on {units}, and n_eff is the effective number of independent runs (up to "
            "the runs; it can fall below the units where they hold unequal numbers of runs)."
        )
    if reused and sets < len(runs):
        most = int(np.unique(clusters(runs), return_counts=True)[1].max())
        return (
            f"The {len(runs)} replicates draw {sets} distinct parameter sets of the calibration "
            "(its resampling repeats the likelier ones): runs sharing a set form one cluster, "
            "which n_eff counts once where the set decides the outcome and more where its runs "
            f"differ; as one set holds up to {most} runs, n_eff can fall below {sets}, and "
            "replicates beyond the posterior's rows add seeds, not sets."
        )
    return "Every run has its own seed: n_eff is the number of runs."


def _swept(points: list[dict[str, Any]]) -> str:
    """What a sweep varied, for its header: each name with its values (up to six) or its
    range (``region.western_offer 0.06, 0.12, 0.24``; ``exit_below 0.02-0.3``)."""

    def show(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    out = []
    for name in points[0] if points else {}:
        if name == "point":  # the design point's index, not a parameter
            continue
        vals = list({p[name] for p in points if p.get(name) is not None})
        try:
            vals.sort()
        except TypeError:
            vals.sort(key=str)
        if len(vals) <= 6:
            out.append(f"{name} " + ", ".join(show(v) for v in vals))
        else:
            out.append(f"{name} {show(vals[0])}-{show(vals[-1])}")
    return "; ".join(out)


def describe(runs: pd.DataFrame, manifest) -> str:
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
    swept = _swept(getattr(manifest, "points", None) or [])
    if swept:
        head += f"\nswept: {swept}"
    table = member_table(runs, plan.start, _present(runs, plan.focus), at=plan.end)
    tail = (
        f"cohesion at {plan.end}: median {coh.median():.2f} "
        f"(90% range {coh.quantile(0.05):.2f}-{coh.quantile(0.95):.2f}); lowest over the "
        f"run: median {ok['cohesion_min'].median():.2f}.\nStatus columns are shares of runs at "
        f"the horizon; 'exited' is the probability of having left by {plan.end} (Wilson 95% "
        "interval on n_eff runs); commitment counts a member that has left as 0 (the figure "
        f"draws the runs in which it is still in).\n{_unit_note(ok, plan)}"
    )
    tail += _outside_note(ok, table, plan.end, plan.start)
    shown = set(table["member"]) if len(table) else set()
    for code in (c for c in plan.focus if c not in shown):  # it vanished without a word
        tail += f"\n{code} (in focus): a member in none of the {len(ok)} runs, so no row."
    if len(ok):
        tail += _joint_line(ok, plan.end)
    if len(table) and (table["n_effective"] < FEW).any():
        tail += f"\n* fewer than {FEW} independent runs: read that interval as a rough guide."
    failed = len(runs) - len(ok)
    if failed:
        tail += f"\n{failed} run(s) failed; their errors are in runs.parquet (column 'error')."
    return f"{head}\n\n{format_table(table)}\n\n{tail}"


def _outside_note(ok: pd.DataFrame, table: pd.DataFrame, end: str, start: str = "") -> str:
    """A line for each row that counts only some runs (a state that joined in some, Iran or
    Uzbekistan), and each candidate's admission and refusal rates, also when it never got
    in (:func:`_candidate_note`)."""
    out = ""
    for row in table.itertuples() if len(table) else ():
        if row.runs < len(ok):
            others = (  # a candidate never got in; a member had left in the replay it continues
                "it stayed outside in the others"
                if row.member in CANDIDATES
                else f"in the others it had left before {start or 'the start'} (in the replay of "
                "the calibrated history those runs continue)"
            )
            out += (
                f"\n{row.member} row: over the {row.runs} of {len(ok)} runs in which it was a "
                f"member; {others}."
            )
    for code in ("IRN", "UZB"):
        out += _candidate_note(ok, table, end, code)
    return out


def _candidate_note(ok: pd.DataFrame, table: pd.DataFrame, end: str, code: str) -> str:
    """A candidate's admission and refusal rates (``CODE_joined``, ``CODE_refused``), when it
    applied or got in in some run; a folder written before the columns existed says so."""
    col = f"{code}_refused"
    known = ok[col].dropna() if col in ok else pd.Series(dtype=float)
    if not ((known > 0).any() or (len(table) and (table["member"] == code).any())):
        return ""
    joined = ok[f"{code}_joined"].fillna(0).astype(float).mean() if f"{code}_joined" in ok else 0
    if col in ok.attrs.get("left_out", ()):  # outcomes_at(res, Q): counted to the end
        said = f"refusals of its application are counted over whole runs, not up to {end}"
    elif len(known) == 0:  # a folder written before the column existed
        said = "whether the members refused its application is not recorded in these runs"
    else:
        said = f"the members refused its application at least once in {known.mean():.1%}"
        if len(known) < len(ok):
            said += f" of the {len(known)} runs that record it"
    return (
        f"\n{code}: a member at {end} in {joined:.1%} of all runs ({code}_joined); {said} ({col})."
    )


SUMMARY = "summary.json"
COHESION = "cohesion = mean commitment of the allies, a suspended or exited ally counted as 0"


def joint_exits(ok: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Joint rates beside the single ones: the share of runs in which at least one, and two or
    more, of the states allied to Russia left during the run (``*_exited``: a member outside
    at the start does not count), with seed-clustered 95% Wilson intervals."""
    cols = [f"{c}_exited" for c in ALLIES if f"{c}_exited" in ok]
    n_out = np.nansum(ok[cols].to_numpy(float), axis=1) if cols else np.zeros(len(ok))
    cl = clusters(ok)
    out = {}
    for key, k in (("any", 1), ("two_or_more", 2)):
        e = clustered_mean((n_out >= k).astype(float), cl, binary=True)
        out[key] = {"p": e.value, "lo": e.lo, "hi": e.hi, "n_effective": e.n}
    return out


def _joint_line(ok: pd.DataFrame, end: str) -> str:
    j = joint_exits(ok)
    one, two = (j[k] for k in ("any", "two_or_more"))
    return (
        f"\nJoint: at least one member has left by {end} in "
        f"{percent_interval(one['p'], one['lo'], one['hi'])} of runs, two or more in "
        f"{percent_interval(two['p'], two['lo'], two['hi'])}."
    )


def summary_dict(res) -> dict:
    """The member table and cohesion of a result as plain data (what ``summary.json`` holds):
    of the sweep's own design, without runs a refine round placed (``refine`` says which)."""
    res = as_result(res, "summary_dict").design()  # a folder's path too, as member_table takes
    runs, m = res.runs, res.manifest
    plan = m.plan
    ok = runs[runs["error"].isna()]
    table = member_table(runs, plan.start, _present(runs, plan.focus), at=plan.end)
    cl = clusters(ok)
    coh = ok["cohesion_final"].to_numpy(float)
    coh_mean = clustered_mean(coh, cl, binary=False, bounds=UNIT)
    members = {
        r["member"]: {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
        for r in table.to_dict("records")
    }
    return {
        "scenario": m.scenario_name,
        "scenario_hash": m.scenario_hash,
        "alliance_sim": m.package_version,
        "model": m.model,
        "start": plan.start,
        "horizon": plan.end,
        "runs": len(runs),
        "failed": len(runs) - len(ok),
        "points": plan.n_points,
        "replicates": plan.replicates,
        "independent_seeds": len(np.unique(cl)),  # (kept: the name results have carried)
        "independent_units": len(np.unique(cl)),
        "definitions": {
            "p_exit": f"share of runs in which the member has left by {plan.end}",
            "p_exit_lo/p_exit_hi": "95% Wilson interval computed on n_effective runs",
            "n_effective": "effective number of independent runs (runs sharing a seed, or a "
            "parameter set of the calibration, are correlated; Kish's n from the clustered "
            "variance)",
            "independent_units": "the independent units the intervals rest on: the replicate "
            "seeds, or the distinct parameter sets of the calibration they draw where fewer",
            "independent_seeds": "independent_units, as results before 2026-12-08 named it",
            "commitment_*": f"commitment (0-1) at {plan.end} over runs where the member joined: "
            "median, 5th/95th percentiles, mean with its clustered 95% interval",
            "active/hedging/suspended/exited": f"shares of runs in each status at {plan.end}",
            "median_exit": "median quarter of exit among runs where the member left",
            "quarter": "the quarter a member's row describes (the horizon)",
            "joint_exits": f"share of runs in which at least one ('any') or two or more "
            f"('two_or_more') members allied to Russia left by {plan.end} (a member already "
            "outside at the start does not count), clustered 95% Wilson interval",
            "cohesion": COHESION,
            "pooled": "every share and mean is over all runs of all design points (each run "
            "weighted equally); by_point.csv has each point's P(exit) and P(suspended)"
            if plan.n_points > 1
            else "one design point: nothing pooled",
            "refine": "null, or the refine rounds whose runs (placed where an outcome seemed "
            "nearest to tipping, no sample of the swept space) every share here leaves out; "
            "by_point.csv has them",
        },
        # None: no refine round; else what the shares leave out (its file's keys as before)
        "refine": res.left_out and {k: v for k, v in res.left_out.items() if k != "no_boundary"},
        "members": members,
        "joint_exits": joint_exits(ok) if len(ok) else None,
        "cohesion": {
            "median": float(np.median(coh)) if len(coh) else None,
            "p5": float(np.quantile(coh, 0.05)) if len(coh) else None,
            "p95": float(np.quantile(coh, 0.95)) if len(coh) else None,
            "mean": coh_mean.value,
            "mean_lo": coh_mean.lo,
            "mean_hi": coh_mean.hi,
            "n_effective": coh_mean.n,
        },
    }


def write_summary(res) -> Path:
    """Write ``summary.json`` (see :func:`summary_dict`) into the result directory."""

    def clean(v):
        return None if isinstance(v, float) and not np.isfinite(v) else v

    data = summary_dict(res)
    for row in data["members"].values():
        row.update({k: clean(v) for k, v in row.items()})
    data["cohesion"] = {k: clean(v) for k, v in data["cohesion"].items()}
    path = Path(res.directory) / SUMMARY
    atomic_write_bytes(path, (json.dumps(data, indent=2) + "\n").encode())
    return path
