"""What a headline rests on: its range over the parameters the data do not pin down.

A shipped forecast draws each replicate's fitted parameters from the calibrated posterior, so
its interval carries their uncertainty -- but only as the fit left it, and not that of the
values a scenario sets by hand.  This module varies, on top of the posterior, every parameter
that calibration does not identify (contraction below 0.25) and every hand-set one, each over
its plausible range, and measures how much of the headline's spread each explains (Sobol
indices from SALib's Saltelli design, with bootstrap confidence) and the range the headline
spans over them (its envelope).  The hand-set ones are the scenario's premises: the statement
names those varied, and ``hold_own`` keeps them at the scenario's values (:attr:`Uncertain.own`).

Which parameters (:func:`uncertain`), each with the range it is sampled over and why:

* fitted but not identified: the calibration prior of the replay the scenario continues
  (``[calibrate.parameters]``; the posterior file records it) -- or the scenario's own
  ``[sweep]`` range where it declares one; a fitted parameter that is identified stays at its
  posterior draw, unless the scenario sets it by hand;
* the registry's other parameters (``core/data/params.toml``) that act on the trajectories
  (not the observation model, not the mechanisms' on/off switches): the scenario's ``[sweep]``
  range if it has one, else the plausible range of ``core/plausible.py``;
* the focus members' assumed figures (``members.toml`` entries with ``low``/``high``; a
  continuation's ``initial_*`` belong to the replay's start and are not varied);
* the scenario's own swept event fields (``events.victory.value``, ``events.victory.at``).

How it is run (:func:`design_runs`): point *i* of the design and replicate *k* use posterior
set *k*, replay *k*'s end state and replicate *k*'s seed, at every point -- common random
numbers, so two points differ by their parameters, not by their draws; a point's outcome is
the mean over its ``replicates`` runs.  ``noise_share`` says how much of the outcome's variance
across points is still replicate noise, which the indices and the envelope include: the
seed-by-point interaction (:func:`~alliance_sim.analysis.noise.replicate_noise`), since
what a replicate adds to every point alike moves no point against another.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import numpy as np

from alliance_sim.analysis.noise import replicate_noise
from alliance_sim.analysis.robustness_record import own_fields, record
from alliance_sim.analysis.robustness_words import (
    NOISY,
    RULE,
    leading,
    noisy,
    restate,
    statement,
    strong,
    unsupported,
    visible,
)
from alliance_sim.analysis.sensitivity import sobol_indices
from alliance_sim.analysis.uncertain import (
    IDENTIFIED,
    OUTCOME_KINDS,
    Uncertain,
    check_forecast,
    check_sizes,
    describe,
    design,
    focus,
    headline_outcomes,
    kept,
    outcome_values,
    point_means,
    span,
    uncertain,
    widths_on,
    with_design,
)
from alliance_sim.errors import AnalysisError
from alliance_sim.scenario.spec import Scenario

__all__ = [
    "IDENTIFIED",
    "NOISY",
    "RULE",
    "analyse",
    "check_sizes",
    "design",
    "design_runs",
    "focus",
    "headline_outcomes",
    "leading",
    "noisy",
    "posterior_answer",
    "restate",
    "statement",
    "strong",
    "summarise",
    "uncertain",
    "unsupported",
    "visible",
]


def design_runs(
    sc: Scenario,
    params: list[Uncertain],
    *,
    samples: int,
    replicates: int,
    seed: int,
    progress: Any = None,
    kind: str = "exit",
) -> tuple[Any, dict[str, np.ndarray], dict[str, float]]:
    """Run the Saltelli design: the design's points (a DataFrame, one row per point) and, per
    headline outcome (of ``kind``: :func:`headline_outcomes`), its mean over the replicates
    at each point (see the module's docstring for how replicates share sets, states and
    seeds) and the replicate noise left in those means (:func:`replicate_noise`)."""
    from alliance_sim.engines.batch import run_batch
    from alliance_sim.scenario.plan import make_plan, points, spec_for
    from alliance_sim.scenario.runspecs import PointValues

    pts = points(with_design(sc, design(sc, params, samples, seed)))
    metas = list(make_plan(sc, replicates=replicates, seed=seed, sweep=False).runs())
    base = [spec_for(sc, None, m.posterior) for m in metas]
    seeds = [m.seed for m in metas]
    cols = [c for c, _ in headline_outcomes(sc, kind)]
    means = {c: np.empty(len(pts)) for c in cols}
    runs = {c: np.empty((len(pts), replicates)) for c in cols}
    rows = pts.to_dict("records")
    step = max(1, 20_000 // replicates)  # points per batch: about 20,000 runs
    for i in range(0, len(rows), step):
        chunk = rows[i : i + step]
        specs = []
        for row in chunk:  # a point read once, put on each posterior set's spec
            at = PointValues.of(sc, row) if row else None
            specs += [at.on(b, widths_on(row, b.params, params)) if at else b for b in base]
        out = run_batch(specs, seeds * len(chunk), record_every=None)[1]
        for c in cols:
            y = outcome_values(out, c)  # NaN: not a member in that run, not counted
            means[c][i : i + len(chunk)] = point_means(y, replicates)
            runs[c][i : i + len(chunk)] = y.reshape(-1, replicates)
        if progress is not None:
            progress(min(i + step, len(rows)), len(rows))
    return pts, means, {c: replicate_noise(runs[c]) for c in cols}


def posterior_answer(
    sc: Scenario, runs: int, seed: int, kind: str = "exit"
) -> dict[str, dict[str, float]]:
    """Today's answer per headline (of ``kind``): the scenario at its own values, ``runs``
    runs (replicate k on posterior row k), with its 95% Wilson interval on the effective
    runs, counting the runs on one distinct parameter set as one unit, as ``run`` does
    (:func:`alliance_sim.analysis.design.clusters`)."""
    from alliance_sim.analysis.design import clustered_mean
    from alliance_sim.engines.batch import run_batch
    from alliance_sim.scenario.plan import make_plan, spec_for

    metas = list(make_plan(sc, replicates=runs, seed=seed, sweep=False).runs())
    out = run_batch(
        [spec_for(sc, None, m.posterior) for m in metas], [m.seed for m in metas], record_every=None
    )[1]
    sets = run_sets(metas)
    answers = {}
    for c, _ in headline_outcomes(sc, kind):
        y = outcome_values(out, c)
        ok = np.isfinite(y)  # the runs in which it was a member, as run counts them
        e = clustered_mean(y[ok], sets[ok], binary=True)
        answers[c] = {
            "p": float(e.value),
            "lo": max(float(e.lo), 0.0),
            "hi": min(float(e.hi), 1.0),
            "runs": int(ok.sum()),
            "n_eff": int(e.n),
        }
    return answers


def run_sets(metas: list) -> np.ndarray:
    """Each run's independent unit: its distinct parameter set (the runs of an answer have
    one seed each, and rows the calibration's resampling repeated share a set)."""
    return np.array(
        [m.run if m.posterior_set is None else m.posterior_set for m in metas], dtype=np.int64
    )


def indices(y: np.ndarray, params: list[Uncertain], seed: int) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices of the point means ``y`` (NaN if ``y`` does not
    vary), with their 95% bootstrap half-widths."""
    d = len(params)
    if not np.ptp(y) > 0:
        nan = np.full(d, np.nan)
        return {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
    return sobol_indices([p.name for p in params], y, seed)


def summarise(
    y: np.ndarray,
    unit: np.ndarray,
    params: list[Uncertain],
    answer: dict[str, float],
    replicates: int,
    seed: int,
    binomial: bool = True,
    noise: float | None = None,
) -> dict[str, Any]:
    """One headline's envelope, drivers and the rule (S1 >= 0.1 is identified or sourced).
    ``noise``: the replicate noise left in the point means (:func:`design_runs`); without
    it, the binomial variance of a share of ``replicates`` runs, which also counts what a
    replicate adds to every point alike under common random numbers (and is biased down at
    two or three replicates)."""
    si = indices(y, params, seed)
    order = np.argsort(-np.nan_to_num(si["S1"], nan=-1.0))
    drivers = [
        {
            "parameter": params[j].name,
            "S1": _num(si["S1"][j]),
            "S1_conf": _num(si["S1_conf"][j]),
            "ST": _num(si["ST"][j]),
            "ST_conf": _num(si["ST_conf"][j]),
            "identified": params[j].identified,
            "sourced": params[j].sourced,
            "low": params[j].low,
            "high": params[j].high,
            "range": span(params[j]),
        }
        for j in order
    ]
    var = float(np.var(y))
    if noise is None:
        noise = float(np.mean(y * (1 - y)) / replicates)
    lo, hi = (float(v) for v in np.quantile(y, [0.05, 0.95]))
    out: dict[str, Any] = {
        "posterior": answer,
        "envelope": {
            "lo": lo,
            "hi": hi,
            "min": float(y.min()),
            "max": float(y.max()),
            "quantiles": [0.05, 0.95],
        },
        "noise_share": min(noise / var, 1.0) if var > 0 and np.isfinite(noise) else None,
        **({"noise_unmeasured": True} if replicates < 2 else {}),
        "drivers": drivers,
    }
    if binomial:  # each point's share is of this many runs: the range's resolution
        out["point_runs"] = int(replicates)
    out["unsupported"] = unsupported(drivers)
    if drivers and drivers[0]["S1"] is not None:
        # the leader: the first strong driver whose two ends differ visibly, else the first
        # strong one (or the first), which the statement then does not call a driver
        runs = replicates if binomial else None  # a difference is not a share of runs
        tops = [_top(k, order, drivers, params, y, unit, seed, runs) for k in _candidates(drivers)]
        out["top_driver"] = next((t for t in tops if visible(t)), tops[0])
    return out


def _candidates(drivers: list[dict[str, Any]]) -> list[int]:
    """Where in ``drivers`` the leader may be: every strong driver, in order, else the
    first (see :func:`~.robustness_words.leading`)."""
    names = {d["parameter"] for d in strong(drivers)}
    return [k for k, d in enumerate(drivers) if d["parameter"] in names] or [leading(drivers)]


def _top(k, order, drivers, params, y, unit, seed, runs=None) -> dict[str, Any]:
    j = int(order[k])
    return {
        "parameter": params[j].name,
        "S1": drivers[k]["S1"],
        "low": describe(params[j].low, params[j]),
        "high": describe(params[j].high, params[j]),
        **ends(y, unit[:, j], len(params), seed, runs=runs),
    }


def ends(
    y: np.ndarray, u: np.ndarray, d: int, seed: int, boot: int = 1000, runs: int | None = None
) -> dict[str, Any]:
    """The headline where a parameter sits in the lowest and the highest fifth of its range
    (``u``: its design column on [0, 1]), ``at_low`` and ``at_high``, each with a 95% interval
    (``*_ci``) from a bootstrap over the design's ``N`` base points: the ``d + 2`` rows of a
    base point (A, one row per parameter, B) share all but one value, so a row is not an
    independent draw; at ``--samples 16`` a fifth holds a handful of base points.  ``runs``:
    the runs behind each point's share, where ``y`` is one; the interval is then never
    narrower than the Wilson interval of the runs pooled in that fifth."""
    from alliance_sim.analysis.stats import wilson

    rows = y.reshape(-1, d + 2), u.reshape(-1, d + 2)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(rows[0]), (boot, len(rows[0])))
    out: dict[str, Any] = {}
    for key, inside in (("at_low", rows[1] <= 0.2), ("at_high", rows[1] >= 0.8)):
        total, count = (rows[0] * inside).sum(axis=1), inside.sum(axis=1)
        if not count.sum():
            out[key], out[f"{key}_ci"] = None, None
            continue
        out[key] = float(total.sum() / count.sum())
        n = count[pick].sum(axis=1)
        means = total[pick].sum(axis=1)[n > 0] / n[n > 0]
        lo, hi = (float(v) for v in np.quantile(means, [0.025, 0.975]))
        if runs:  # never narrower than the runs themselves allow: "0% [0%, 0%]" of points that
            # each ran 8 runs without an exit read as certain (helper-75)
            k, m = out[key] * count.sum() * runs, count.sum() * runs
            w = wilson(k, m)
            lo, hi = min(lo, max(w[0], 0.0)), max(hi, min(w[1], 1.0))
        out[f"{key}_ci"] = [lo, hi]
    return out


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def analyse(
    sc: Scenario,
    *,
    samples: int = 64,
    replicates: int = 32,
    seed: int = 0,
    answer_runs: int = 400,
    progress: Any = None,
    ref: str | None = None,
    hold_own: bool = False,
    outcome: str = "exit",
    options: str = "",
) -> dict[str, Any]:
    """The robustness of ``sc``'s headlines (see the module's docstring): a dict ready for
    ``robustness.json``, the lead headline's fields at the top (``ref``: the scenario as the
    command that reruns it names it; default its name if shipped, else its path;
    ``options``: what that command needs beside it, e.g. `` --end 2028Q4``).
    ``hold_own``: keep the values the scenario sets by hand (:attr:`Uncertain.own`, its
    premises) at the scenario's values instead of varying them over their plausible ranges.
    ``outcome``: what each headline asks of a focus member, ``exit`` (left by the horizon) or
    ``hedging`` (hedging, suspended or out at the horizon); Iran's is always its accession."""
    import time

    from alliance_sim.scenario.plan import unit_samples

    check_sizes(samples, replicates)
    check_forecast(sc)
    if outcome not in OUTCOME_KINDS:
        raise AnalysisError(f"--outcome {outcome!r}: allowed {', '.join(OUTCOME_KINDS)}")
    t0 = time.perf_counter()
    params = uncertain(sc)
    fixed = kept(sc, params)  # set by hand and not varied at all, each with why
    held = [p for p in params if p.own] if hold_own else []
    params = [p for p in params if p not in held]
    if not params:
        raise AnalysisError(
            f"{sc.path}: --hold-own leaves no parameter to vary (the scenario sets every one "
            "by hand); allowed: the analysis without --hold-own"
        )
    check_sizes(samples, replicates, len(params))
    pts, means, noise = design_runs(
        sc, params, samples=samples, replicates=replicates, seed=seed, progress=progress,
        kind=outcome,
    )  # fmt: skip
    unit = unit_samples(design(sc, params, samples, seed))
    answers = posterior_answer(sc, answer_runs, seed, outcome)
    heads = []
    for col, label in headline_outcomes(sc, outcome):
        h = {"outcome": col, "label": label, "horizon": sc.end}
        h |= summarise(means[col], unit, params, answers[col], replicates, seed, noise=noise[col])
        h |= own_fields(params, [p.name for p in held], fixed)
        h["statement"] = statement(label, h)
        heads.append(h)
    return record(
        sc, heads, params, [p.name for p in held], points=len(pts), runs=len(pts) * replicates,
        samples=samples, replicates=replicates, seed=seed, hold_own=hold_own, outcome=outcome,
        t0=t0, command=f"alliance-sim robustness {shlex.quote(ref or _reference(sc))}{options}",
    )  # fmt: skip


def shipped(name: str) -> dict[str, Any] | None:
    """The robustness analysis shipped for scenario ``name`` (``docs/robustness/NAME``; in the
    wheel ``alliance_sim/docs/robustness/NAME``), or None."""
    from importlib import resources

    try:
        p = resources.files("alliance_sim").joinpath("docs", "robustness", name, "robustness.json")
        if p.is_file():
            return json.loads(p.read_text("utf-8"))
    except (ModuleNotFoundError, NotADirectoryError, TypeError):
        pass
    repo = Path(__file__).resolve().parents[3] / "docs" / "robustness" / name / "robustness.json"
    return json.loads(repo.read_text("utf-8")) if repo.is_file() else None


def _reference(sc: Scenario) -> str:
    """A shipped scenario by its name, any other by its path."""
    from alliance_sim.scenario.files import shipped_dir

    path = Path(sc.path).resolve()
    ship = shipped_dir()
    repo = Path(__file__).resolve().parents[3] / "scenarios"
    for d in (ship, repo):
        if d is not None and path.parent == Path(d).resolve():
            return path.stem
    return str(sc.path)
