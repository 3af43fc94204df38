"""Which parameters a robustness analysis varies, over which ranges, and the design.

See :mod:`alliance_sim.analysis.robustness` for what is done with them: fitted parameters that
calibration does not identify (over the calibration prior the posterior file records, or the
scenario's own ``[sweep]`` range), the registry's other parameters that act on trajectories
(the scenario's range, else ``core/plausible.py``), the focus members' assumed figures, and
the scenario's own swept event fields and regional values (``region.NAME``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from alliance_sim.analysis.identification import IDENTIFIED, contraction_text
from alliance_sim.core import quarters
from alliance_sim.core.plausible import HYSTERESIS
from alliance_sim.errors import AnalysisError
from alliance_sim.scenario.spec import Scenario, SweepAxis, SweepSpec

DEFAULT_MEMBERS = ("ARM", "KAZ")  # focus of a scenario that names none (as benchmarks/ablation)


@dataclass(frozen=True)
class Uncertain:
    """One varied parameter: its sweep name, range, and what the data say about it."""

    name: str  # as a sweep names it: "exit_below", "members.ARM.pressure_tolerance", ...
    low: float  # an event's `at`: quarter ordinals
    high: float
    why: str  # where the range comes from
    identified: bool  # contraction >= IDENTIFIED in the scenario's posterior
    sourced: bool  # the value is a cited figure, not an assumption
    quarter: bool = False
    #: a recovery threshold sampled as a width above this entry threshold (its value in the
    #: same run): the sampled number is the hysteresis, not the threshold (:func:`absolute`)
    above: str | None = None
    #: a value the scenario sets by hand (``[params]``, ``[members.CODE]``, ``[region]``; not
    #: a ``[sweep]`` axis, whose range the scenario itself declares uncertain): one of its
    #: premises, which ``robustness --hold-own`` keeps at the scenario's value
    own: bool = False

    @property
    def axis(self) -> SweepAxis:
        return SweepAxis(self.name, None, self.low, self.high, self.quarter)


def focus(sc: Scenario) -> tuple[str, ...]:
    """The members whose headlines are analysed: the scenario's focus, else ARM and KAZ."""
    return tuple(sc.focus) or DEFAULT_MEMBERS


#: what a headline asks of each focus member: ``exit`` (has it left by the horizon),
#: ``suspended`` (is it suspended or out at the horizon: "freezes or leaves", the question
#: a reader of Armenia asks first) or ``hedging`` (is it hedging, suspended or out at the
#: horizon: a headline about hedging was shown beside an analysis of exit, the only one
#: there was: helper-71)
OUTCOME_KINDS = ("exit", "suspended", "hedging")
HEDGING_OR_WORSE = "_hedging_or_worse"
SUSPENDED_OR_OUT = "_suspended_or_out"


def headline_outcomes(sc: Scenario, kind: str = "exit") -> list[tuple[str, str]]:
    """(outcome column, words) per headline: a state outside the alliance at a forecast's
    start -- Iran, and Uzbekistan, out since 2012 -- whether it is a member at the horizon;
    the others' exit (``kind`` ``exit``), their suspension or exit at the horizon
    (``suspended``) or their hedging, suspension or exit (``hedging``; the last two columns
    :func:`outcome_values` derives from the status).  Uzbekistan was
    asked whether it "has left", which it never can in a forecast: 0% (helper-72)."""
    from alliance_sim.core import members as mb
    from alliance_sim.core.outcomes import CANDIDATES

    names = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))
    out = []
    for code in focus(sc):
        name = names.get(code, code)
        if code in CANDIDATES:
            out.append((f"{code}_joined", f"{name} is a member at {sc.end}"))
        elif kind == "hedging":
            said = f"{name} is hedging, suspended or out at {sc.end}"
            out.append((f"{code}{HEDGING_OR_WORSE}", said))
        elif kind == "suspended":
            said = f"{name} is suspended or out at {sc.end}"
            out.append((f"{code}{SUSPENDED_OR_OUT}", said))
        else:
            out.append((f"{code}_exited", f"{name} has left by {sc.end}"))
    return out


def outcome_values(outcomes: dict[str, Any], col: str) -> np.ndarray:
    """Column ``col`` of a batch's outcomes as 0/1 floats per run, NaN in a run in which the
    member never was one (an exit is counted over the runs it could leave in, as ``run``
    counts it); ``CODE_hedging_or_worse`` is 1 unless the member is active at the horizon --
    hedging, suspended, left, or outside from the start (Uzbekistan since 2012, a member the
    replay lost), which counted 0 (red-team); ``CODE_suspended_or_out`` likewise unless it is
    active or hedging; a candidate's ``_joined`` is 0 or 1."""
    from alliance_sim.core import members as mb

    if col.endswith(HEDGING_OR_WORSE):
        status = np.asarray(outcomes[f"{col[:3]}_status"], float)
        return (status != mb.ACTIVE).astype(float)  # (NaN: not in the alliance)
    if col.endswith(SUSPENDED_OR_OUT):
        status = np.asarray(outcomes[f"{col[:3]}_status"], float)
        return (~np.isin(status, (mb.ACTIVE, mb.HEDGING))).astype(float)  # (NaN: out)
    return np.asarray(outcomes[col], float)  # NaN: not a member in that run (see below)


def point_means(y: np.ndarray, replicates: int, refusal: str | None = None) -> np.ndarray:
    """The mean of each point's ``replicates`` runs (consecutive in ``y``) over the runs in
    which the member was one at the start, as ``run`` and ``compare`` count (Armenia out of
    the alliance before 2024Q4 in 3 of 400 replays counted "not left": 116 of 400 where the
    run table gave 72.5% of 397: helper-77).  A point none of whose runs has the member is
    refused (``refusal``: the line that says why, where not this): its share is not a number."""
    y = np.asarray(y, float).reshape(-1, replicates)
    seen = np.isfinite(y).sum(axis=1)
    if not seen.all():
        raise AnalysisError(
            refusal
            or "a headline's member is outside the alliance at the start in every replicate of "
            "a design point; allowed: more --replicates (posterior sets in which it is a member)"
        )
    return np.nansum(y, axis=1) / seen


def _scenario_ranges(sc: Scenario) -> dict[str, SweepAxis]:
    """The scenario's own ``[sweep]`` axes as ranges (a list of numbers: its least and
    greatest; a list of quarters: their ordinals), where it declares them."""
    out = {}
    for a in sc.sweep.axes if sc.sweep is not None else ():
        if a.values is not None:
            try:
                vals = [quarters.parse(v) if a.quarter else float(v) for v in a.values]
            except (TypeError, ValueError):
                continue  # not numbers: the plausible range applies instead
            a = SweepAxis(a.name, None, min(vals), max(vals), a.quarter)
        out[a.name] = a
    return out


def _leaf_settings(sc: Scenario) -> set[str]:
    """The values the scenario's own file sets by hand when its ``[sweep]`` is inherited
    (``extends`` and no ``[sweep]`` of its own): the parent's range for such a value declared
    the parent's uncertainty, not this file's premise (a file extending baseline with its own
    ``russian_bandwidth = 0.5`` had it varied over baseline's 0.2-0.7, unnamed: red-team)."""
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.scenario.files import read_toml

    try:
        leaf = read_toml(Path(sc.path))
    except (AllianceSimError, OSError, TypeError):
        return set()
    if "sweep" in leaf or not leaf.get("extends"):
        return set()
    members = leaf.get("members") or {}
    return set(leaf.get("params") or {}) | {
        f"members.{c}.{f}" for c, fs in members.items() if isinstance(fs, dict) for f in fs
    }


def _fitted(sc: Scenario) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    if sc.posterior is None:
        return {}, {}
    meta = sc.posterior.meta
    contraction = {r["parameter"]: float(r["contraction"]) for r in meta.get("contraction", [])}
    priors = {n: (float(p["low"]), float(p["high"])) for n, p in meta.get("priors", {}).items()}
    for r in meta.get("contraction", []):  # a prior cut to ordered thresholds spans less
        if r.get("allowed_low") is not None and r["parameter"] in priors:
            priors[r["parameter"]] = (float(r["allowed_low"]), float(r["allowed_high"]))
    return contraction, priors


def _hand_set(sc: Scenario) -> list[str]:
    """The names of the values ``sc`` sets by hand: ``[params]`` and ``[members.CODE]``."""
    return [*sc.params, *(f"members.{c}.{f}" for c, fs in sc.members.items() for f in fs)]


def kept(sc: Scenario, varied: list[Uncertain]) -> dict[str, str]:
    """The values ``sc`` sets by hand that are not varied at all, each with why: a member
    figure the record sources has no plausible range (a user's ``remittances_from_russia =
    0.6`` for Kyrgyzstan was neither varied nor said to be kept: helper-67); the figures of a
    member that is not a focus member are not varied, nor is a mechanism's switch, nor are the
    dates and figures of the scenario's events (a ``[sweep]`` range on ``events.ID.FIELD``
    varies one).  A
    continuation's ``initial_*`` figures belong to the replay's start; the observation
    model's parameters do not act on a headline."""
    from alliance_sim.core.plausible import plausible_range

    names = {u.name for u in varied}
    out: dict[str, str] = {}
    for n in _hand_set(sc):
        if n in names or f"region.{n.rpartition('.')[2]}" in names:  # [region]'s: region.X
            continue
        if (sc.continues and ".initial_" in n) or n.startswith("obs_"):
            continue
        r = plausible_range(n) if not n.startswith("mech_") else None
        out[n] = (
            "a mechanism's switch"
            if n.startswith("mech_")
            else "not a focus member's figure"
            if n.startswith("members.") and n.split(".")[1] not in focus(sc)
            else "no plausible range"
            if r is None or not r.high > r.low
            else "not varied"
        )
    for key, e in sc.events:  # its events' dates and sizes: premises that no range covers
        for f in fields(e):  # (a user's twenty Chinese offers, which moved Kyrgyzstan's exit
            v = getattr(e, f.name)  # from 1% to 34% across sizes, went unnamed: helper-75)
            n = f"events.{key}.{f.name}"
            number = isinstance(v, int | float) and not isinstance(v, bool)
            number = number and v != f.default  # a field the file leaves at its default
            if n not in names and (f.name == "at" or number):
                out[n] = "an event's date" if f.name == "at" else "an event's figure"
    return out


def uncertain(sc: Scenario) -> list[Uncertain]:
    """The parameters to vary for scenario ``sc`` (see the module's docstring), in a fixed
    order: fitted, registry, member figures, events."""
    from alliance_sim.core.params import REGISTRY
    from alliance_sim.core.plausible import plausible_range

    own = _scenario_ranges(sc)
    contraction, priors = _fitted(sc)
    hand = set(_hand_set(sc))
    premise = _leaf_settings(sc)  # the file's own values under a [sweep] it inherits
    out: list[Uncertain] = []
    seen: set[str] = set()

    def add(name: str, low: float, high: float, why: str, sourced: bool) -> None:
        if name in seen or not high > low:
            return
        c = contraction.get(name)
        ident = c is not None and c >= IDENTIFIED and name not in hand  # set by hand: not fitted
        seen.add(name)
        mine = (name not in own or name in premise) and (name in hand or name.startswith("region."))
        out.append(Uncertain(name, float(low), float(high), why, ident, sourced, own=mine))

    from alliance_sim.core.params import BY_NAME

    for name, (lo, hi) in priors.items():
        if sc.continues and name.startswith("members.") and ".initial_" in name:
            continue  # the replay's starting state: a forecast starts from its end
        if getattr(BY_NAME.get(name), "group", "") == "observation":
            continue  # what one sees of the state, not the state: no effect on a headline
        c = contraction.get(name, 0.0)
        if c >= IDENTIFIED and name not in hand:
            continue  # pinned down by the record: held at the posterior draw
        if name in own:
            a = own[name]
            add(name, a.low, a.high, "the scenario's [sweep] range", False)
        else:
            add(name, lo, hi, f"calibration prior (contraction {contraction_text(c)})", False)
    for p in REGISTRY:
        if p.group == "observation" or p.name.startswith("mech_") or p.name in priors:
            continue  # fitted ones are above: varied if not identified, else held
        if p.name.endswith("_initial") and sc.continues:
            continue  # read when a run builds its first state; a forecast starts from a replay's
        sourced = p.source != "assumption"
        if p.name in own:
            a = own[p.name]
            add(p.name, a.low, a.high, "the scenario's [sweep] range", sourced)
            continue
        r = plausible_range(p.name)
        if r is not None:
            add(p.name, r.low, r.high, f"plausible range: {r.source}", sourced)
    for code in focus(sc):
        from alliance_sim.core import members as mb

        for field in mb._raw().get(code, {}):
            name = f"members.{code}.{field}"
            if (field.startswith("initial_") and sc.continues) or name in priors:
                continue
            if name in own:
                a = own[name]
                add(name, a.low, a.high, "the scenario's [sweep] range", False)
                continue
            r = plausible_range(name)
            if r is not None:
                add(name, r.low, r.high, r.source, False)
    for param in sc.region.values if sc.region is not None else ():  # hand-set, regional
        name, r = f"region.{param}", plausible_range(param)
        if name not in own and r is not None:
            add(name, r.low, r.high, f"plausible range: {r.source}", False)
    for name, a in own.items():  # event fields and regional values: the scenario's ranges
        if name.startswith(("events.", "region.")) and a.low is not None and a.high is not None:
            u = Uncertain(
                name,
                float(a.low),
                float(a.high),
                "the scenario's [sweep] range",
                False,
                False,
                a.quarter,
            )
            if u.high > u.low and name not in seen:
                seen.add(name)
                out.append(u)
    if not out:
        raise AnalysisError(f"{sc.path}: no parameter to vary (every one is identified or fixed)")
    return [_as_width(u) if u.name in HYSTERESIS and u.name not in own else u for u in out]


def _as_width(u: Uncertain) -> Uncertain:
    """A recovery threshold, varied as its hysteresis above its entry threshold
    (:data:`~alliance_sim.core.plausible.HYSTERESIS`; a scenario's own ``[sweep]`` range, which
    ``validate`` keeps in order, stays as it is)."""
    entry, r = HYSTERESIS[u.name]
    return replace(u, low=r.low, high=r.high, why=f"hysteresis above {entry}: {r.source}",
                   above=entry)  # fmt: skip


def absolute(row: dict[str, Any], run: dict[str, Any], params: list[Uncertain]) -> dict[str, Any]:
    """A design point ``row`` as a run's values: each hysteresis width (:attr:`Uncertain.above`)
    becomes its recovery threshold, the entry threshold's value in this run -- the point's, else
    the run's own ``run`` (its posterior set and scenario values), else the registry's default --
    plus the width.  ``row`` itself is not changed."""
    made = widths_on(row, run, params)
    return {**row, **made} if made else row


def widths_on(row: dict[str, Any], run: dict[str, Any], params: list[Uncertain]) -> dict[str, Any]:
    """Only the recovery thresholds :func:`absolute` makes of ``row``'s widths on ``run``."""
    from alliance_sim.core.params import BY_NAME

    out = {}
    for u in params:
        if u.above is not None and u.name in row:
            entry = row.get(u.above, run.get(u.above, BY_NAME[u.above].default))
            out[u.name] = float(entry) + float(row[u.name])
    return out


def design(sc: Scenario, params: list[Uncertain], samples: int, seed: int) -> SweepSpec:
    """The Saltelli design over ``params`` (``samples`` base points: ``samples * (D + 2)``
    points in all, first-order and total indices only)."""
    return SweepSpec("saltelli", samples, 1, seed, 4, tuple(p.axis for p in params))


def describe(value: float, u: Uncertain) -> str:
    """A value of ``u`` as a reader would write it (a quarter for an event's date, a
    hysteresis as the width above its entry threshold)."""
    if u.above is not None:
        return f"{u.above} + {value:.3g}"
    return quarters.label(round(value)) if u.quarter else f"{value:.3g}"


def span(u: Uncertain) -> str:
    """``u``'s range as a reader would write it."""
    if u.above is not None:
        return f"{u.above} + {u.low:.3g} to {u.high:.3g}"
    return f"{describe(u.low, u)} to {describe(u.high, u)}"  # "-0.5-2" would read as a sum


def with_design(sc: Scenario, spec: SweepSpec) -> Scenario:
    """``sc`` with ``spec`` as its sweep (the design is part of what the result depends on)."""
    data: dict[str, Any] = dict(sc.data)
    data["robustness_design"] = {
        "samples": spec.samples,
        "seed": spec.seed,
        "axes": [[a.name, a.low, a.high, a.quarter] for a in spec.axes],
    }
    return replace(sc, sweep=spec, data=data)


def check_sizes(samples: int, replicates: int, n_params: int | None = None) -> None:
    """Refuse designs SALib cannot analyse, that say nothing, or that exceed the limits of a
    plan (one line naming the option)."""
    from alliance_sim.limits import MAX_RUNS

    if samples < 8 or samples & (samples - 1):
        raise AnalysisError(f"--samples {samples}: allowed a power of two, 8 or more (Saltelli)")
    if replicates < 1:
        raise AnalysisError(f"--replicates {replicates}: allowed 1 or more")
    if n_params is not None and samples * (n_params + 2) * replicates > MAX_RUNS:
        runs = samples * (n_params + 2) * replicates
        raise AnalysisError(
            f"--samples {samples} x ({n_params} parameters + 2) x --replicates {replicates} = "
            f"{runs:,} runs; allowed at most {MAX_RUNS:,} (fewer samples or replicates)"
        )


def check_forecast(sc: Scenario) -> None:
    """Refuse a scenario that does not continue a calibrated posterior (a replay, a file of
    one's own without ``calibration``): its headlines have no fitted model to rest on."""
    if sc.posterior is None or not sc.continues:
        raise AnalysisError(
            f"{sc.path}: robustness needs a forecast that continues a calibrated posterior (one "
            "that extends baseline, or names calibration and starts where its replay ends); "
            "this one does not"
        )
