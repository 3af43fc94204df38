"""The values of one run of a scenario: which parameters, member figures and events, from
the scenario, its calibrated posterior and a sweep point (:func:`assemble`).  The plan adds a
continued initial state (:func:`alliance_sim.scenario.plan.spec_for`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    return PointValues.of(sc, point).on(spec)


@dataclass(frozen=True, slots=True)
class PointValues:
    """A sweep point read once (:meth:`of`) and put on any number of a scenario's specs
    (:meth:`on`): a design of 2,720 points x 32 posterior sets read each point's 83 names
    87,040 times, half the time of a robustness analysis.  ``params``: run-level values;
    ``members``: (member, field, value) in the order they are set, the whole region's first
    (a member's own value -- the file's or this point's -- wins); ``events``: event id ->
    field -> value."""

    params: dict[str, Any]
    members: tuple[tuple[str, str, Any], ...]
    events: dict[str, dict[str, Any]]
    event_ids: tuple[str, ...] = ()  # the scenario's, in the order of a spec's events

    @classmethod
    def of(cls, sc: Scenario, point: dict[str, Any]) -> PointValues:
        params: dict[str, Any] = {}
        members: list[tuple[str, str, Any]] = []
        events: dict[str, dict[str, Any]] = {}
        for name, value in sorted(point.items(), key=lambda kv: not kv[0].startswith("region.")):
            parts = name.split(".")
            if len(parts) == 1:
                params[name] = value
            elif parts[0] == "region":  # the whole region (a member's own value still wins)
                if sc.region is None:
                    raise ScenarioError(
                        f"{name} needs a [region] table naming members in {sc.path} [region]"
                    )
                own = sc.data.get("members", {})
                members += [(c, parts[1], value) for c in sc.region.reaches(parts[1], own)]
            elif parts[0] == "members":
                members.append((parts[1], parts[2], value))
            else:
                events.setdefault(parts[1], {})[parts[2]] = value
        ids = tuple(k for k, _ in sc.events) if events else ()
        unknown = set(events) - set(ids)
        if unknown:  # validate names every event a point sets: a KeyError, as ever
            raise KeyError(sorted(unknown)[0])
        return cls(params, tuple(members), events, ids)

    def on(self, spec: RunSpec, extra: dict[str, Any] | None = None) -> RunSpec:
        """``spec`` at this point, and at ``extra``'s run-level values after it (a hysteresis
        made absolute on this spec's own entry threshold: ``uncertain.absolute``)."""
        params = {**spec.params, **self.params, **(extra or {})}
        members = spec.members
        if self.members:  # copied once, when the point changes a member
            members = {c: dict(f) for c, f in spec.members.items()}
            for code, field_, value in self.members:
                members.setdefault(code, {})[field_] = value
        evs = spec.events
        if self.events:
            evs = tuple(
                replace(e, **self.events[k]) if k in self.events else e
                for k, e in zip(self.event_ids, spec.events, strict=True)
            )
        return RunSpec(spec.start, spec.n_steps, params, members, evs, spec.initial, spec.vintage)
