"""An honest backtest: fit on the past, forecast what came after, score against naive forecasters.

1. **Fit** the replay's ``[calibrate]`` parameters on what was known up to ``fit_until``: the
   patterns measured on the replay cut there and the observables dated up to it
   (:func:`alliance_sim.analysis.calibrate.calibrate` with ``until``), with the member
   figures public at the cut (:mod:`alliance_sim.core.vintage`: a trade share reported after
   the cut is not read; the fit, the replay to the cut and the forecast all read the same).
2. **State at the cut**: replay *k* (posterior set *k*) runs from the replay's start to the
   cut with the events known by then, keeping the first of a few seeds whose statuses match
   the record at the cut (:func:`alliance_sim.scenario.history.replay_states`).
3. **Forecast** from the cut to the replay's end, run *k* from state *k*.  By default the model
   is given no event after the cut (no scheduled appeal, offer or shock: attacks and unrest
   come from the members' hazards in ``members.toml``), as a forecaster at the cut would have
   been; ``known_events`` gives it the dated events (a scenario-conditional forecast).
4. **Score** every observable outcome after the cut (``analysis/record.py``: statuses at year
   ends, UN votes, summits, exercises, budget; per member and occasion) with the Brier score of
   the model's probability (its mean over runs), of **persistence** (the member's last observed
   value of the same kind before the cut; nothing changes) and of the **base rate** (the share
   of that kind's outcomes in the fit period over all members; for statuses, the alliance's
   own reference-class rate of exits per member-year as known at the cut,
   :func:`~alliance_sim.analysis.record.exit_rate`), and of three fitted rivals (hedged
   persistence, each member's own rate, a logistic regression on lagged observables:
   :mod:`.rivals`), with the Brier and the log score, the model's skill against each with an
   interval that resamples occasions, and its calibration (ECE).  Skill = 1 - model / rival.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.analysis import record as rc
from alliance_sim.analysis import rivals as rv
from alliance_sim.analysis.calibrate import Calibration, calibrate
from alliance_sim.analysis.obsfit import apply_offsets
from alliance_sim.core import members as mb
from alliance_sim.core import quarters, vintage
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.limits import MAX_FORECAST_RUNS, check_count
from alliance_sim.scenario.history import MAX_UNMATCHED, check_matched, replay_states
from alliance_sim.scenario.load import load_scenario
from alliance_sim.scenario.plan import replicate_seed, spec_for
from alliance_sim.scenario.posterior import Posterior
from alliance_sim.scenario.spec import Scenario

RANDOM_HAZARDS = ("attack_hazard", "unrest_hazard")  # scheduled in a replay, random after it


@dataclass
class Backtest:
    scenario: Scenario
    fit_until: str
    first: str
    last: str
    calibration: Calibration
    rows: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    known_events: bool = False
    runs: int = 0


def end_status_at(quarter: str, since: str | None = None) -> dict[str, str]:
    """The statuses the record shows at ``quarter`` (``analysis/record.py``, from the
    membership rows: Armenia's freeze counts from 2024Q1, when it was announced; Uzbekistan
    suspended from 2012Q2 and out from 2012Q4), as a replay's ``end_status`` (``"in"``,
    ``"suspended"``, ``"exited"``); with ``since`` (the replay's start), only the members that
    were in the alliance then; every other state is ``"candidate"``: the record has no
    application in 2006-2024 (Iran never applied, Uzbekistan did not ask to return), so a
    replay in which one joined of its own accord does not match it."""
    status = rc.statuses_at(quarter, since)
    return {**status, **{c: "candidate" for c in mb.ALLIES if c not in status}}


def naive_forecasts(obs: pd.DataFrame, fit: pd.DataFrame, cut: str) -> pd.DataFrame:
    """Persistence and base-rate probabilities for each observation after the cut."""
    per_year = rc.exit_rate(cut)[0]  # exits and member-years known at the cut
    base = fit.groupby("kind")["observed"].mean()
    last = fit.sort_values("ordinal").groupby(["kind", "member"])["observed"].last()
    pers, br = [], []
    for r in obs.itertuples():
        if r.kind == "status":
            years = (quarters.parse(r.quarter) - quarters.parse(cut)) / 4
            br.append(1 - (1 - per_year) ** years)
            pers.append(float(rc.status_at(r.member, cut) != "in"))
            continue
        b = float(base.get(r.kind, np.nan))
        br.append(b)
        pers.append(float(last.get((r.kind, r.member), b)))
    return obs.assign(persistence=pers, base_rate=br)


def backtest(
    scenario: Scenario | str | os.PathLike,
    *,
    fit_until: str,
    draws: int | None = None,
    generations: int | None = None,
    replicates: int | None = None,
    runs: int = 400,
    workers: int = 1,
    known_events: bool = False,
    seed: int | None = None,
    quiet: bool | None = None,
    max_unmatched: float = MAX_UNMATCHED,
    last: str | None = None,
) -> Backtest:
    """Fit ``scenario`` (a replay with a ``[calibrate]`` table) up to ``fit_until``, forecast
    the rest of its period (or up to ``last``) and score it (see the module docstring).

    A fit more than ``max_unmatched`` of whose posterior sets reach none of the statuses
    recorded at the cut (in :data:`~alliance_sim.scenario.history.ATTEMPTS` seeds each) is
    refused with a :class:`ScenarioError`; allowed more (a quick check of the machinery with
    a tiny fit), the backtest is scored but marked ``valid: false`` in its summary."""
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    check_count("runs", runs, 1, MAX_FORECAST_RUNS)
    try:
        if not isinstance(fit_until, str):
            raise ValueError
        cut = quarters.parse(fit_until.strip().upper())
    except ValueError:
        raise ScenarioError(f"--fit-until {fit_until!r} is not a quarter; e.g. 2022Q4") from None
    fit_until = quarters.label(cut)  # 2010q4 as 2010Q4, as --origins takes it
    if not quarters.parse(sc.start) < cut < quarters.parse(sc.end):
        raise ScenarioError(
            f"--fit-until {fit_until}: allowed after {sc.start} and before {sc.end} "
            f"(the period of {Path(sc.path).name})"
        )
    last = sc.end if last is None else _checked_last(last, fit_until, sc)
    if not len(scorable(sc, fit_until, last)):
        raise ScenarioError(
            f"{fit_until}: the record holds no outcome to score from {quarters.shift(fit_until, 1)}"
            f" to {last} (of a kind observed before it); allowed a cut with something after it"
        )
    check_share("max_unmatched", max_unmatched)
    # the member figures public at the cut, in the fit, the replay to the cut and the forecast
    sc = replace(sc, vintage=fit_until)
    cal = calibrate(
        sc,
        draws=draws,
        generations=generations,
        replicates=replicates,
        seed=seed,
        workers=workers,
        until=fit_until,
        quiet=quiet,
    )
    master = cal.seed + 1
    post = Posterior(
        path=f"<backtest posterior, fitted to {fit_until}>",
        sha256="",
        sets=tuple(cal.posterior[cal.names].to_dict("records")),
        meta={"start": sc.start, "end": fit_until, "replay_seed": master},
    )
    before = [(i, e) for i, e in sc.events if quarters.parse(e.at) <= cut]
    after = [(i, e) for i, e in sc.events if cut < quarters.parse(e.at) <= quarters.parse(last)]
    to_cut = replace(
        sc,
        end=fit_until,
        events=tuple(before),
        posterior=post,
        end_status=end_status_at(fit_until, sc.start),
    )
    states = replay_states(to_cut, master)
    check_matched(
        states,
        f"the fit to {fit_until}",
        max_unmatched,
        "refit with more draws or generations, or give --max-unmatched to score it marked invalid",
    )
    members = sc.members
    if not known_events:  # the hazards the replay switched off because it scheduled the events
        members = {
            c: {k: v for k, v in f.items() if k not in RANDOM_HAZARDS} for c, f in members.items()
        }
    params = {k: v for k, v in sc.params.items() if k != "russian_bandwidth"}
    ahead = replace(
        sc,
        start=fit_until,
        end=last,
        events=tuple(after) if known_events else (),
        members=members,
        params=params,
        posterior=None,
        sweep=None,
    )
    specs, seeds = [], []
    for k in range(runs):
        point = {n: v for n, v in post.set_of(k).items() if ".initial_" not in n}
        specs.append(replace(spec_for(ahead, point), initial=states.of(k)))
        seeds.append(replicate_seed(master + 1, k))
    traj, _ = run_batch(specs, seeds)
    first = quarters.shift(fit_until, 1)
    obs = rc.window(first, last).reset_index(drop=True)
    fit = rc.window(quarters.shift(sc.start, 1), fit_until)
    p_runs = rc.predicted(obs, traj, fit_until)
    # the member offsets, fitted on the window only, move what commitment drives (not a
    # suspended member's boycott, not a status)
    model = apply_offsets(obs, p_runs, cal.obs_offsets, rc.movable(obs, traj, fit_until)).mean(0)
    rows = naive_forecasts(obs.assign(model=model, model_common=p_runs.mean(0)), fit, fit_until)
    # an outcome of a kind never observed before the cut (the 2024 budget) has no persistence
    # or base rate: the forecasters are compared on the outcomes all three can forecast
    unscorable = rows[["persistence", "base_rate"]].isna().any(axis=1)
    rows = rows[~unscorable].reset_index(drop=True)
    rows, fitted = rv.rival_forecasts(rows, fit, rows["persistence"], rows["base_rate"])
    bt = Backtest(sc, fit_until, first, last, cal, rows, known_events=known_events, runs=runs)
    bt.summary = summarise(rows) | rv.scores(rows, seed=cal.seed) | {"rivals_fitted": fitted}
    bt.summary["unmatched_states"] = states.unmatched
    bt.summary["unmatched_share"] = states.unmatched_share
    bt.summary["valid"] = states.unmatched_share <= MAX_UNMATCHED
    bt.summary["not_scored"] = int(unscorable.sum())
    bt.summary["brier_without_member_offsets"] = brier(rows["model_common"], rows["observed"])
    bt.summary["out_within_4_quarters"] = out_within(traj, fit_until, 4)
    bt.summary["member_figures_as_of"] = fit_until
    bt.summary["member_figures"] = vintage.describe(fit_until)
    bt.summary["member_figures_not_yet_public"] = vintage.carried_back(fit_until)
    return bt


def scorable(sc: Scenario, cut: str, last: str) -> pd.DataFrame:
    """The recorded outcomes after ``cut`` up to ``last`` that every forecaster can forecast:
    statuses, and kinds observed in the fit window (persistence and the base rate need one)."""
    fit_kinds = set(rc.window(quarters.shift(sc.start, 1), cut)["kind"])
    obs = rc.window(quarters.shift(cut, 1), last)
    return obs[(obs["kind"] == "status") | obs["kind"].isin(fit_kinds)]


def _checked_last(last: object, cut: str, sc: Scenario) -> str:
    if not isinstance(last, str):
        raise ScenarioError(f"last = {last!r}: allowed a quarter such as 2024Q4")
    try:
        t = quarters.parse(last)
    except ValueError:
        raise ScenarioError(f"last = {last!r}: allowed a quarter such as 2024Q4") from None
    if not quarters.parse(cut) < t <= quarters.parse(sc.end):
        raise ScenarioError(f"last = {last}: allowed after {cut} and up to {sc.end}")
    return quarters.label(t)


def check_share(name: str, value: object) -> float:
    """``value`` as a share in (0, 1] (``max_unmatched``), or one line saying what is allowed."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not 0 < value <= 1:  # NaN fails the comparison
        raise ScenarioError(f"{name} = {value!r}: allowed a share above 0 and at most 1")
    return float(value)


def out_within(traj, cut: str, ahead: int = 4) -> dict[str, dict[str, Any]]:
    """Per member: the share of forecast runs in which it is suspended or has left at some
    quarter of the ``ahead`` after ``cut`` (the question a reader asks first: will Armenia
    freeze or leave within a year?), and whether the record shows it did."""
    n = min(ahead, int(traj.steps[-1]))
    st = traj["status"][np.searchsorted(traj.steps, np.arange(1, n + 1))]  # (n, R, M)
    gone = ((st == mb.SUSPENDED) | (st == mb.EXITED)).any(axis=0)
    last = quarters.shift(cut, n)
    return {
        code: {
            "probability": float(gone[:, mb.INDEX[code]].mean()),
            "happened": rc.status_at(code, last) != "in",
            "by": last,
        }
        for code, now in rc.statuses_at(cut).items()
        if now != "exited"
    }


def brier(p: pd.Series, y: pd.Series) -> float:
    return float(((p - y) ** 2).mean())


def summarise(rows: pd.DataFrame) -> dict[str, Any]:
    """Brier scores of the three forecasters overall and by kind, and the skill scores."""
    y = rows["observed"]
    out: dict[str, Any] = {
        "n": len(rows),
        "model_brier": brier(rows["model"], y),
        "persistence_brier": brier(rows["persistence"], y),
        "base_rate_brier": brier(rows["base_rate"], y),
    }
    out["skill_vs_persistence"] = 1 - out["model_brier"] / max(out["persistence_brier"], 1e-12)
    out["skill_vs_base_rate"] = 1 - out["model_brier"] / max(out["base_rate_brier"], 1e-12)
    out["by_kind"] = {
        kind: {"n": len(g)} | {f: brier(g[f], g["observed"]) for f in rv.FORECASTERS if f in g}
        for kind, g in rows.groupby("kind")
    }
    return out
