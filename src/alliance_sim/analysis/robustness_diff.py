"""What a scenario's *effect* rests on: the robustness of a difference between two forecasts.

A "what if?" is answered by a difference -- Kyrgyzstan's chance of leaving with China's
security push, minus its chance without -- and the robustness of each scenario's own level
does not say what that difference rests on: a parameter can move both levels together and
leave the effect alone, or move only one of them.  This module varies the parameters of
:func:`~alliance_sim.analysis.uncertain.uncertain` for both scenarios at once and measures the
spread and the drivers of the difference itself (``alliance-sim robustness NAME --against
BASE``).

The design (:func:`merged`): one Saltelli design over every parameter either scenario varies.

* A parameter both vary and give the same value (the unidentified fitted ones, the
  registry's, the focus members' figures; a value both set by hand to one number, as a file
  that ``extends`` baseline inherits its ``russian_bandwidth``) is one column, the same value
  in both runs of a point: what the record leaves open acts on both worlds alike (over the
  range one of them declares uncertain in its ``[sweep]``, where one does).
* What tells the two apart -- a value the scenarios give differently, one of them setting it
  by hand (a premise, :attr:`Uncertain.own`), and the parameters only one of them has (its
  own events' fields, its ``[region]``) -- is varied on each side apart, a column per side
  named ``NAME [scenario's name]``.  ``hold_own`` keeps the premises at each scenario's
  values.

How it is run: point *i* and replicate *k* use posterior set *k*, replay *k*'s end state and
replicate *k*'s seed in both scenarios -- common random numbers, so the difference at a point
is paired run by run; its replicate noise (``noise_share``) is the seed-by-point interaction
of the paired differences, not a binomial's: a replicate that moves the difference at every
point alike moves no point against another.  The answer with the fitted model is the
mean paired difference over ``answer_runs`` runs with a 95% normal interval, beside each
scenario's own share.
"""

from __future__ import annotations

import shlex
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from alliance_sim.analysis.noise import replicate_noise
from alliance_sim.analysis.robustness import _reference, summarise
from alliance_sim.analysis.robustness_record import METHOD, own_fields, record
from alliance_sim.analysis.robustness_words import statement
from alliance_sim.analysis.uncertain import (
    OUTCOME_KINDS,
    Uncertain,
    check_forecast,
    check_sizes,
    design,
    focus,
    headline_outcomes,
    kept,
    outcome_values,
    point_means,
    uncertain,
    widths_on,
    with_design,
)
from alliance_sim.errors import AnalysisError
from alliance_sim.scenario.spec import Scenario

SIDES = ("scenario", "base")


def check_pair(sc: Scenario, base: Scenario) -> None:
    """Refuse a pair whose difference is not an effect: not two forecasts of the same
    calibrated posterior, start and horizon, or the same scenario twice."""
    check_forecast(sc)
    check_forecast(base)
    where = f"--against {Path(base.path).name}"
    if base.hash == sc.hash:
        raise AnalysisError(f"{where}: the same scenario as {sc.name}; allowed another scenario")
    if sc.posterior.sha256 != base.posterior.sha256:
        raise AnalysisError(
            f"{where}: continues another calibration ({base.posterior.path}, not "
            f"{sc.posterior.path}); allowed a forecast of the same posterior"
        )
    if (sc.start, sc.end) != (base.start, base.end):
        raise AnalysisError(
            f"{where}: runs {base.start}-{base.end}, {sc.name} {sc.start}-{sc.end}; allowed a "
            f"scenario with the same start and horizon (--end {sc.end} ends both; a file with "
            f'extends = "{_reference(base)}" and end = "{sc.end}"; with_end() in Python)'
        )


def as_focused(base: Scenario, sc: Scenario) -> Scenario:
    """``base`` with ``sc``'s focus members: the headlines are the scenario's, and their
    figures, facts of the world, are varied alike on both sides (baseline's own focus, Armenia
    and Kazakhstan, had Kyrgyzstan's figures varied on the scenario's side only)."""
    return replace(base, focus=tuple(focus(sc)))


def _value(sc: Scenario, name: str) -> Any:
    """What ``sc`` gives ``name`` in effect: the value it sets by hand (``[params]``,
    ``[members.CODE]``), its ``[region]``'s value with the members it reaches, its event's
    field; else the posterior's draws for a fitted parameter, the registry's default, the
    member's profile figure.  A value set equal to its default is the default (a file setting
    ``western_offer = 0.06``, the default, differed from baseline by up to 25 points at
    points where nothing differed: red-team), and a ``[region]`` value counts (two offers of
    0.05 and 0.6 read as one shared column, and their difference vanished: red-team)."""
    from alliance_sim.core import members as mb
    from alliance_sim.core.params import BY_NAME

    kind, _, rest = name.partition(".")
    if kind == "region":
        if sc.region is None or rest not in sc.region.values:
            return None
        return (sc.region.values[rest], tuple(sc.region.reaches(rest, sc.data.get("members", {}))))
    if kind == "events":
        key, _, field = rest.partition(".")
        return next((getattr(e, field, None) for k, e in sc.events if k == key), None)
    if kind == "members":
        code, _, field = rest.partition(".")
        if field in sc.members.get(code, {}):
            return sc.members[code][field]
    elif name in sc.params:
        return sc.params[name]
    priors = sc.posterior.meta.get("priors", {}) if sc.posterior is not None else {}
    if name in priors:
        return "posterior"
    if kind == "members":
        values = mb.load_profiles().values.get(field)
        return None if values is None else float(values[mb.INDEX[code]])
    p = BY_NAME.get(name)
    return None if p is None else p.default


def merged(
    sc: Scenario, base: Scenario, hold_own: bool = False
) -> tuple[list[Uncertain], dict[str, list[tuple[str, Uncertain]]], list[str]]:
    """The design's columns (as :class:`Uncertain`, each named as the figure shows it), the
    columns each side reads (``{"scenario": [(column, parameter as that scenario names it)],
    "base": [...]}``) and the premises held (``hold_own``), as the module's docstring says."""
    mine = {u.name: u for u in uncertain(sc)}
    theirs = {u.name: u for u in uncertain(as_focused(base, sc))}
    cols: list[Uncertain] = []
    sides: dict[str, list[tuple[str, Uncertain]]] = {s: [] for s in SIDES}
    held: list[str] = []
    label = {"scenario": sc.name, "base": base.name}
    for name in dict.fromkeys([*mine, *theirs]):
        s, b = mine.get(name), theirs.get(name)
        # both vary it and give it the same value (neither sets it, or both to one number):
        # not what tells the two worlds apart, so one column -- over the range declared
        # uncertain where one of them declares it ([sweep]) rather than sets it by hand
        shared = s is not None and b is not None and _value(sc, name) == _value(base, name)
        # and read alike: a recovery threshold a [sweep] range gives as a level on one side
        # and the other varies as a width above its entry threshold is two (red-team)
        shared = shared and (s.above, s.quarter) == (b.above, b.quarter)
        if shared:
            u = b if s.own and not b.own else s
            if s.own and b.own and hold_own:
                held.append(name)
                continue
            cols.append(u)
            sides["scenario"].append((name, s))
            sides["base"].append((name, b))
            continue
        for side, u in (("scenario", s), ("base", b)):
            if u is None:
                continue
            if u.own and hold_own:
                held.append(f"{name} [{label[side]}]")
                continue
            col = f"{name} [{label[side]}]"
            cols.append(replace(u, name=col))
            sides[side].append((col, u))
    if not cols:
        raise AnalysisError(
            f"{sc.path}: nothing to vary for the difference (every parameter is identified or "
            "held); allowed: the analysis without --hold-own"
        )
    return cols, sides, held


def _outcomes(sc, specs, seeds, cols) -> dict[str, np.ndarray]:
    from alliance_sim.engines.batch import run_batch

    out = run_batch(specs, seeds, record_every=None)[1]
    return {c: outcome_values(out, c) for c in cols}


def design_runs(
    pair: dict[str, Scenario],
    cols: list[Uncertain],
    sides: dict[str, list[tuple[str, Uncertain]]],
    *,
    samples: int,
    replicates: int,
    seed: int,
    kind: str,
    progress: Any = None,
) -> tuple[Any, dict[str, dict[str, np.ndarray]], dict[str, float]]:
    """Run the design on both sides: the points, each side's mean per point and headline
    (``{"scenario": {col: means}, "base": ...}``) with, under ``"difference"``, each point's
    mean paired difference (:func:`paired_means`), and each headline's paired replicate noise
    (the seed-by-point interaction of the paired differences,
    :func:`~alliance_sim.analysis.noise.replicate_noise`)."""
    from alliance_sim.scenario.plan import make_plan, points, spec_for
    from alliance_sim.scenario.runspecs import PointValues

    sc = pair["scenario"]
    pts = points(with_design(sc, design(sc, cols, samples, seed)))
    metas = list(make_plan(sc, replicates=replicates, seed=seed, sweep=False).runs())
    seeds = [m.seed for m in metas]
    bases = {s: [spec_for(pair[s], None, m.posterior) for m in metas] for s in SIDES}
    heads = [c for c, _ in headline_outcomes(sc, kind)]
    means = {s: {c: np.empty(len(pts)) for c in heads} for s in (*SIDES, "difference")}
    diffs = {c: np.empty((len(pts), replicates)) for c in heads}
    rows = pts.to_dict("records")
    step = max(1, 10_000 // replicates)  # points per batch: about 20,000 runs for both sides
    for i in range(0, len(rows), step):
        chunk = rows[i : i + step]
        ys = {}
        for s in SIDES:
            reads = sides[s]
            reals = [u for _, u in reads]
            specs = []
            for row in chunk:  # each side reads its own columns, by the names it knows
                mine = {u.name: row[col] for col, u in reads}
                at = PointValues.of(pair[s], mine) if mine else None
                specs += [at.on(b, widths_on(mine, b.params, reals)) if at else b for b in bases[s]]
            ys[s] = _outcomes(pair[s], specs, seeds * len(chunk), heads)
        for c in heads:
            for s in SIDES:  # each side's level, over the runs in which it has the member
                means[s][c][i : i + len(chunk)] = point_means(ys[s][c], replicates)
            d = ys["scenario"][c] - ys["base"][c]
            means["difference"][c][i : i + len(chunk)] = paired_means(d, replicates, c)
            diffs[c][i : i + len(chunk)] = d.reshape(-1, replicates)
        if progress is not None:
            progress(min(i + step, len(rows)), len(rows))
    return pts, means, {c: replicate_noise(diffs[c]) for c in heads}


def paired_means(d: np.ndarray, replicates: int, outcome: str = "a headline") -> np.ndarray:
    """Each design point's mean paired difference (``d``: scenario minus base, run by run,
    ``replicates`` consecutive runs a point) over the runs in which both sides have the
    member, as :func:`posterior_effect` counts it.  Not the difference of the two sides'
    means: where a member is one in some runs of one side only (it rejoins at some points of
    one scenario), those are means over different runs, and their difference is not an
    effect of the scenario.  A point with no run in which both have the member is refused
    (``outcome`` names the headline)."""
    return point_means(
        d,
        replicates,
        f"{outcome}: at a design point no replicate has the member in both scenarios (each has "
        "it in other runs), so no run is paired; allowed: more --replicates (posterior sets in "
        "which both have it)",
    )


def posterior_effect(
    pair: dict[str, Scenario], runs: int, seed: int, kind: str
) -> dict[str, dict[str, float]]:
    """The effect with the fitted model per headline: the mean paired difference over
    ``runs`` runs (replicate k on posterior row k in both scenarios) with its 95% t interval
    counting the pairs on one distinct parameter set as one unit (as ``compare`` does), and
    each scenario's own share."""
    from alliance_sim.analysis.design import clustered_mean
    from alliance_sim.analysis.robustness import run_sets
    from alliance_sim.scenario.plan import make_plan, spec_for

    sc = pair["scenario"]
    metas = list(make_plan(sc, replicates=runs, seed=seed, sweep=False).runs())
    seeds = [m.seed for m in metas]
    heads = [c for c, _ in headline_outcomes(sc, kind)]
    ys = {
        s: _outcomes(pair[s], [spec_for(pair[s], None, m.posterior) for m in metas], seeds, heads)
        for s in SIDES
    }
    sets = run_sets(metas)
    out = {}
    for c in heads:
        d = ys["scenario"][c] - ys["base"][c]
        ok = np.isfinite(d)  # the runs in which the member was one, as run counts them
        d, cl = d[ok], sets[ok]
        e = clustered_mean(d, cl, binary=False)
        lo, hi = float(e.lo), float(e.hi)
        up, down = (d > 0).astype(float), (d < 0).astype(float)  # the discordant pairs
        if up.sum() + down.sum() < 10:  # too few for a t interval: "0 points [0, 0]" of 400
            # runs without an exit read as certain (red-team); bounds from each share's Wilson
            u, w = clustered_mean(up, cl, binary=True), clustered_mean(down, cl, binary=True)
            lo, hi = min(lo, u.lo - w.hi), max(hi, u.hi - w.lo)
        out[c] = {
            "p": float(d.mean()),
            "lo": lo,
            "hi": hi,
            "runs": len(d),
            "n_eff": int(e.n),
            "scenario": float(np.nanmean(ys["scenario"][c])),
            "base": float(np.nanmean(ys["base"][c])),
        }
    return out


def analyse_difference(
    sc: Scenario,
    base: Scenario,
    *,
    samples: int = 64,
    replicates: int = 32,
    seed: int = 0,
    answer_runs: int = 400,
    progress: Any = None,
    ref: str | None = None,
    base_ref: str | None = None,
    hold_own: bool = False,
    outcome: str = "exit",
    options: str = "",
) -> dict[str, Any]:
    """The robustness of ``sc``'s effect against ``base`` (the module's docstring): a dict
    for ``robustness.json`` in the shape of :func:`~.robustness.analyse`'s, each headline's
    ``posterior`` and ``envelope`` a difference (``sc`` minus ``base``, a share of runs), with
    ``against`` naming the base and ``difference`` true."""
    from alliance_sim.scenario.plan import unit_samples

    check_sizes(samples, replicates)
    check_pair(sc, base)
    if outcome not in OUTCOME_KINDS:
        raise AnalysisError(f"--outcome {outcome!r}: allowed {', '.join(OUTCOME_KINDS)}")
    t0 = time.perf_counter()
    cols, sides, held = merged(sc, base, hold_own)
    runs = samples * (len(cols) + 2) * replicates * 2  # each point runs in both scenarios
    from alliance_sim.limits import MAX_RUNS

    if runs > MAX_RUNS:  # (check_sizes counted the columns twice: red-team)
        raise AnalysisError(
            f"--samples {samples} x ({len(cols)} parameters + 2) x --replicates {replicates} x "
            f"2 scenarios = {runs:,} runs; allowed at most {MAX_RUNS:,} (fewer samples or "
            "replicates)"
        )
    pair = {"scenario": sc, "base": base}
    pts, means, noise = design_runs(
        pair, cols, sides, samples=samples, replicates=replicates, seed=seed, kind=outcome,
        progress=progress,
    )  # fmt: skip
    unit = unit_samples(design(sc, cols, samples, seed))
    answers = posterior_effect(pair, answer_runs, seed, outcome)
    # (the premises --hold-own holds are not "kept as set": they were listed again under the
    # names a [region] gives its members, values the user never wrote: helper-77)
    fixed = {f"{n} [{sc.name}]": w for n, w in kept(sc, uncertain(sc)).items()}
    based = kept(as_focused(base, sc), uncertain(as_focused(base, sc)))
    fixed |= {f"{n} [{base.name}]": w for n, w in based.items()}
    heads = []
    for col, label in headline_outcomes(sc, outcome):
        y = means["difference"][col]
        h = {"outcome": col, "label": label, "horizon": sc.end, "difference": True}
        h |= summarise(y, unit, cols, answers[col], replicates, seed, False, noise[col])
        h["sign"] = {"above": float((y > 0).mean()), "below": float((y < 0).mean())}
        h["levels"] = {
            s: {"lo": float(np.quantile(means[s][col], 0.05)),
                "hi": float(np.quantile(means[s][col], 0.95))}
            for s in SIDES
        }  # fmt: skip
        h |= own_fields(cols, held, fixed)
        h["against"] = base.name
        h["scenario"] = sc.name
        h["statement"] = statement(label, h)
        heads.append(h)
    out = record(
        sc, heads, cols, held, points=len(pts), runs=2 * len(pts) * replicates,
        samples=samples, replicates=replicates, seed=seed, hold_own=hold_own, outcome=outcome,
        t0=t0, command=f"alliance-sim robustness {shlex.quote(ref or _reference(sc))} --against "
        f"{shlex.quote(base_ref or _reference(base))}{options}",
        method=METHOD.replace("on the mean over the replicates at each point",
                              "on the mean paired difference over the replicates at each point"),
    )  # fmt: skip
    out |= {"against": base.name, "against_file": Path(base.path).name}
    out |= {"against_hash": base.hash, "difference": True}
    for p in out["parameters"]:  # which side reads each column
        p["sides"] = [s for s in SIDES if any(c == p["name"] for c, _ in sides[s])]
    return out
