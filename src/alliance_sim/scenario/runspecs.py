"""The values of one run of a scenario: which parameters, member figures and events, from
the scenario, its calibrated posterior and a sweep point (:func:`assemble`).  The plan adds a
continued initial state (:func:`alliance_sim.scenario.plan.spec_for`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from alliance_sim.engines.runspec import RunSpec
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.spec import Scenario


def assemble(
    sc: Scenario, point: dict[str, Any] | None = None, posterior: int | None = None
) -> RunSpec:
    """The values of a run of scenario ``sc`` at sweep point ``point``, in replicate
    ``posterior`` of its calibration (if it has one), without a continued initial state.

    A replay of the calibrated period (``sc.replays``): the calibrated set replaces the
    scenario's values, as it did during calibration; the point still wins.  A forecast that
    continues the calibrated history (``sc.continues``; its initial state is set by
    :func:`alliance_sim.scenario.plan.spec_for`): the precedence of values is, lowest first,
    defaults, the calibrated set, the scenario's own ``[params]``/``[members]``, the
    point; the set's ``initial_*`` belong to the replay's start and are not used."""
    params: dict[str, Any] = dict(sc.params)
    members: dict[str, dict[str, Any]] = {c: dict(f) for c, f in sc.members.items()}
    if posterior is not None and sc.posterior is not None:
        replays = sc.replays  # a property: asked once per run
        # the set's ``initial_*`` belong to the replay's start: a forecast does not use them
        fitted = sc.posterior.split_of(posterior, initial=replays)
        if replays:  # the calibrated period: the fitted values replace its assumptions
            params.update(fitted.params)
            for code, figures in fitted.members.items():
                members[code] = members.get(code, {}) | figures
        else:  # a forecast: its own explicit values win
            for name, value in fitted.params.items():
                params.setdefault(name, value)
            for code, figures in fitted.members.items():
                own = members.setdefault(code, {})  # a copy made above, or a new dict
                for field_, value in figures.items():
                    own.setdefault(field_, value)
    events = tuple(e for _, e in sc.events)
    base = RunSpec(sc.start, sc.n_steps, params, members, events, vintage=sc.vintage)
    return at_point(sc, base, point)


def at_point(sc: Scenario, spec: RunSpec, point: dict[str, Any] | None) -> RunSpec:
    """``spec`` (a run of ``sc`` without a point: :func:`assemble` with ``point=None``) at
    sweep point ``point``: the point's values win over everything else.  ``spec`` itself is
    not changed, so one spec per posterior replicate serves every point."""
    if not point:
        return spec
    params = dict(spec.params)
    members = spec.members
    events: dict[str, Any] | None = None
    # the whole region first: a member's own value -- the file's or this point's -- wins
    for name, value in sorted(point.items(), key=lambda kv: not kv[0].startswith("region.")):
        parts = name.split(".")
        if len(parts) == 1:
            params[name] = value
        elif parts[0] in ("members", "region"):
            if members is spec.members:  # copied once, when a point changes a member
                members = {c: dict(f) for c, f in spec.members.items()}
            if parts[0] == "region":  # the whole region (a member's own value still wins)
                if sc.region is None:
                    raise ScenarioError(
                        f"{name} needs a [region] table naming members in {sc.path} [region]"
                    )
                own = sc.data.get("members", {})
                for code in sc.region.reaches(parts[1], own):
                    members.setdefault(code, {})[parts[1]] = value
            else:
                _put(params, members, name, value)
        else:
            if events is None:
                events = dict(zip((k for k, _ in sc.events), spec.events, strict=True))
            events[parts[1]] = replace(events[parts[1]], **{parts[2]: value})
    evs = spec.events if events is None else tuple(events.values())
    return RunSpec(spec.start, spec.n_steps, params, members, evs, spec.initial, spec.vintage)


def _put(params: dict, members: dict, name: str, value: Any) -> None:
    parts = name.split(".")
    if len(parts) == 1:
        params[name] = value
    else:
        members.setdefault(parts[1], {})[parts[2]] = value
