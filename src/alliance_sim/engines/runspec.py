"""One path from a run's description into either engine.

A :class:`RunSpec` is everything one run needs but its seed.  ``build_params`` and
``build_schedule`` turn a list of specs (one for the Mesa model, many for the batch engine)
into the arrays the equations read; ``recorded_steps`` is the one rule for which quarters a
thinned time series keeps.  Both drivers use these and nothing else, so they cannot be fed
differently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from numbers import Integral, Real
from operator import itemgetter
from typing import Any

import numpy as np

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Event, Schedule
from alliance_sim.core.params import BY_NAME, REGIONAL, check_value
from alliance_sim.core.quarters import steps_between
from alliance_sim.core.state import Params, State
from alliance_sim.errors import ScenarioError, did_you_mean, typename


@dataclass(frozen=True, slots=True)
class RunSpec:
    """Everything one run needs but its seed.

    ``start`` is the quarter the initial state describes (step 0), ``n_steps`` the number of
    quarters simulated, ``params`` global parameters by registry name, ``members`` per-member
    figures ``{"ARM": {"pressure_tolerance": 0.1}}`` over ``data/members.toml``, ``events``
    the scheduled events; ``initial`` the state at step 0 (one run) when the run continues
    another (a forecast continuing replay k), else None (the profiles' ``initial_*``);
    ``vintage`` the quarter whose public figures the run reads (a fit or forecast made then:
    :mod:`alliance_sim.core.vintage`), None for the latest.
    """

    start: str
    n_steps: int
    params: dict[str, float]
    members: dict[str, dict[str, Any]]
    events: tuple[Event, ...]
    initial: State | None = field(default=None, compare=False, repr=False)
    vintage: str | None = None


@dataclass(frozen=True, slots=True)
class RunMeta:
    """A run's identity in a plan: its index ``run`` (point-major), ``run_id`` (hash of
    scenario, values, seed and version), design ``point``, ``replicate``, ``seed``, the swept
    ``values`` at its point, the ``posterior`` row it draws (None without a calibration) and
    that row's distinct parameter set ``posterior_set`` (rows the calibration's resampling
    repeated share one; the independent unit of its intervals)."""

    run: int
    run_id: str
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    posterior: int | None = None
    posterior_set: int | None = None


def _distinct(values: list[Any]) -> Iterator[Any]:
    """Each distinct value once, in order of first appearance (so a check names the first bad
    run's value); keyed by type too, so that ``True`` does not pass as ``1``.  An unhashable
    value (a list, an array) is yielded every time, for the check to reject."""
    seen: set[tuple[type, Any]] = set()
    for v in values:
        try:
            key = (type(v), v)
            if key in seen:
                continue
            seen.add(key)
        except TypeError:
            pass
        yield v


def distinct(items: list[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct objects of ``items`` (by identity, in order of first appearance) and the
    index of each item among them: the replicates of a sweep point share one spec, and the
    builders below read it once."""
    ids = list(map(id, items))
    index: dict[int, int] = {}
    which = np.array([index.setdefault(i, len(index)) for i in ids], dtype=np.int64)
    uniq = list(dict(zip(ids, items, strict=True)).values())  # in order of first appearance
    return uniq, which.reshape(len(items))


def _checked(names: list[str], rows: list[tuple]) -> np.ndarray:
    """The global parameters of distinct runs as a (runs, names) float array, every value
    checked: a column of floats within its parameter's range at once (the usual case), any
    other column -- a whole-number parameter, a value of another type, one out of range --
    value by value (each distinct value once, so an error names the first bad run's)."""
    params = [BY_NAME.get(n) for n in names]
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    table = np.empty((len(rows), len(names)))
    for j, (name, p, col) in enumerate(zip(names, params, cols, strict=True)):
        if p is not None and not p.integer and set(map(type, col)) <= {float}:
            x = table[:, j] = np.fromiter(col, dtype=float, count=len(col))
            if ((x >= p.low) & (x <= p.high)).all():
                continue
        for v in _distinct(list(col)):
            check_value(name, v)
        table[:, j] = np.array(col, dtype=float)
    return table


def build_params(specs: list[RunSpec], profiles: mb.Profiles | None = None) -> Params:
    """The parameters of ``len(specs)`` runs: globals as ``(R, 1)`` arrays (defaults where a
    spec does not set one), member figures as ``(R, M)`` arrays (the profiles where a spec does
    not override them).  A status given by name (``"suspended"``) becomes its code."""
    R = len(specs)
    vintages = {s.vintage for s in specs}
    if len(vintages) > 1:
        raise ValueError("runs in one batch must read the figures of one vintage")
    profiles = profiles or mb.load_profiles(as_of=vintages.pop())
    uniq, which = distinct(specs)
    globals_: dict[str, np.ndarray] = {}
    names = sorted(set().union(*(s.params.keys() for s in uniq)))
    if names:
        defaults = {n: BY_NAME[n].default if n in BY_NAME else None for n in names}
        pick = itemgetter(*names)
        n = len(names)  # a spec that sets every name (its keys are among them) needs no defaults
        rows = [pick(s.params) if len(s.params) == n else pick({**defaults, **s.params})
                for s in uniq]  # fmt: skip
        if len(names) == 1:
            rows = [(v,) for v in rows]
        table = _checked(names, rows)
        for j, name in enumerate(names):
            globals_[name] = table[which, j]
    M = len(mb.CODES)
    # the specs of a posterior set's points share its member figures (one dict): read once
    held, of_spec = distinct([s.members for s in uniq])
    which_m = of_spec[which]
    where: dict[str, list[tuple[int, Any]]] = {}  # field -> [(run * M + member, value)]
    for r, members in enumerate(held):  # one pass over the values the specs set
        for code, fields_ in _checked_members(members):
            k = r * M + mb.INDEX[code]
            for f, v in fields_.items():
                at = where.get(f)
                if at is None:
                    at = where[f] = []
                at.append((k, v))
    member_values: dict[str, np.ndarray] = {}
    for f in sorted(where):
        flat, values = zip(*where[f], strict=True)
        _check_figures(f, values, where[f], M)
        if f in REGIONAL:  # a global set for some members: NaN elsewhere, which
            for k, v in _distinct_at(where[f]):  # Params.build fills with the run's global
                check_value(f, v, f"members[{mb.CODES[k % M]!r}]")
            arr = np.full((len(held), M), np.nan)
        else:
            arr = np.broadcast_to(profiles.values[f], (len(held), M)).copy()
        got = np.asarray(values)
        if got.dtype.kind in "UO":  # a status given by name
            got = [mb.STATUS_CODES[v] if isinstance(v, str) else v for v in values]
        arr.reshape(-1)[list(flat)] = got  # each (run, member) once: one value in a spec's dict
        member_values[f] = arr[which_m]
    return Params.build(R, globals_, profiles, member_values)


def _distinct_at(at: list[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """The (place, value) pairs of ``at`` whose values :func:`_distinct` yields, in order."""
    seen: set[tuple[type, Any]] = set()
    for k, v in at:
        try:
            if (type(v), v) in seen:
                continue
            seen.add((type(v), v))
        except TypeError:
            pass
        yield k, v


def _checked_members(members: Any) -> Iterator[tuple[str, dict]]:
    """The (code, figures) pairs of one spec's member overrides, ``{"ARM": {"exit_cost": 0.1}}``,
    each code a member's and each figures a table (the Python API takes them unchecked by a
    scenario file's loader: a misspelt code had raised a bare ``KeyError``)."""
    if not isinstance(members, Mapping):
        raise ScenarioError(
            f"members should map member codes to their figures, got {typename(members)}"
        )
    for code, figures in members.items():
        if code not in mb.INDEX:
            hint = mb.code_hint(code) or did_you_mean(code, mb.CODES)
            raise ScenarioError(
                f"members: unknown member code {code!r}{hint} (allowed: {', '.join(mb.CODES)})"
            )
        if not isinstance(figures, Mapping):
            raise ScenarioError(
                f"members[{code!r}] should map figure names to values, got {typename(figures)}"
            )
        yield code, figures


def _check_figures(name: str, values: tuple, at: list[tuple[int, Any]], M: int) -> None:
    """Every value the specs give member figure ``name`` within what it can take (its unit's
    range in ``members.MEMBER_FIELDS``; a status by name or code), or a :class:`ScenarioError`
    naming the first bad one's member: ``{"ARM": {"pressure_tolerance": 7}}`` had run."""
    if name in REGIONAL:
        return  # each distinct value checked as its global where it is read, below
    spec = mb.MEMBER_FIELDS.get(name)
    if spec is None:
        allowed = [*mb.MEMBER_FIELDS, *REGIONAL]
        code = mb.CODES[at[0][0] % M]
        raise ScenarioError(
            f"members[{code!r}]: unknown member field {name!r}{did_you_mean(name, allowed)}; "
            f"allowed: {', '.join(allowed)}"
        )
    if spec.numeric:
        ok = all(type(v) is not bool and isinstance(v, Real) for v in values)
        try:
            got = np.asarray(values, dtype=float) if ok else None
        except OverflowError:  # an int beyond floats (10**400): named below
            got = None
        if got is not None and ((got >= spec.low) & (got <= spec.high)).all():
            return
    elif all(map(_is_status, values)):
        return
    for k, v in at:  # the first bad value, named
        where = f"members[{mb.CODES[k % M]!r}][{name!r}]"
        if not spec.numeric:
            if not _is_status(v):
                raise ScenarioError(
                    f"{where} = {v!r} is not a status; allowed: {', '.join(mb.STATUS_NAMES)}"
                )
        elif type(v) is bool or not isinstance(v, Real):
            raise ScenarioError(f"{where} should be a number ({spec.unit}), got {typename(v)}")
        elif not spec.low <= v <= spec.high:
            raise ScenarioError(
                f"{where} = {v!r} is outside what it can take: {spec.low:g} to {spec.high:g} "
                f"({spec.unit})"
            )


def _is_status(v: Any) -> bool:
    """A status by name (``"suspended"``) or by its code."""
    if isinstance(v, str):
        return v in mb.STATUS_CODES
    if type(v) is bool or not isinstance(v, Real):
        return False  # a code, as an int or as a whole-number float (a posterior's column)
    return v in range(len(mb.STATUS_NAMES)) if isinstance(v, Integral) else (
        float(v).is_integer() and 0 <= v < len(mb.STATUS_NAMES))  # fmt: skip


def build_initial(specs: list[RunSpec], P: Params) -> State:
    """The state at step 0 of every run: the profiles' ``initial_*`` (a replay, or a run
    without history), or each spec's ``initial`` state (a forecast continuing the calibrated
    replay).  A continued state keeps everything the replay reached, except Russia's
    bandwidth, which is the forecast's own ``russian_bandwidth`` (the baseline's 0.4 is the
    replay's post-invasion value)."""
    given = [s.initial is not None for s in specs]
    if not any(given):
        return dyn.initial_state(P)
    if not all(given):
        raise ValueError("runs in one batch must all continue a history or none")
    states, which = distinct([sp.initial for sp in specs])
    s = _side_by_side(states).select(which)
    uniq, of_spec = distinct(specs)
    own = np.array(["russian_bandwidth" in sp.params for sp in uniq], dtype=bool)[of_spec]
    s.bandwidth = np.where(own, P.russian_bandwidth[:, 0], s.bandwidth)
    return s


#: the last read-only states put side by side (a sweep's chunks continue the same replays)
_SIDE: list = [(), None, []]


def _side_by_side(states: list[State]) -> State:
    """``State.concat(states)``, kept for the next call with the same states when none of
    them can be changed (a replay's end states are read-only views: ``HistoryStates.of``)."""
    key = tuple(map(id, states))
    if _SIDE[0] == key and all(a is b for a, b in zip(_SIDE[2], states, strict=True)):
        return _SIDE[1]
    both = State.concat(states)
    if all(not getattr(x, f.name).flags.writeable for x in states for f in fields(x)):
        _SIDE[:] = [key, both, list(states)]  # the states held, so that their ids stay theirs
    return both


def build_schedule(specs: list[RunSpec]) -> Schedule:
    """Stack the runs' events: each event's step per run, and field values that differ between
    runs as arrays (a sweep may move an event's quarter or size run by run)."""
    first = specs[0].events
    if any(len(s.events) != len(first) for s in specs):
        raise ValueError("runs in one batch must schedule the same events")
    uniq, which = distinct(specs)
    entries = []
    for k, e in enumerate(first):
        evs: list[Event] = [s.events[k] for s in uniq]
        if all(x is e for x in evs):  # one event object shared by every run (the usual case)
            entries.append((e, np.full(len(specs), steps_between(specs[0].start, e.at))))
            continue
        if any(type(x) is not type(e) for x in evs):
            raise ValueError("runs in one batch must schedule the same event types")
        steps = np.array([steps_between(specs[0].start, x.at) for x in evs])[which]
        changes: dict[str, Any] = {}
        for f in fields(e):
            if f.name == "at":
                continue
            vals = [getattr(x, f.name) for x in evs]
            if any(v != vals[0] for v in vals):
                changes[f.name] = np.asarray(vals)[which]
        entries.append((replace(e, **changes) if changes else e, steps))
    return Schedule(tuple(entries))


def check_batch(specs: list[RunSpec]) -> int:
    """The common horizon of runs advanced together; they must share start and horizon."""
    n_steps = specs[0].n_steps
    if any(s.n_steps != n_steps or s.start != specs[0].start for s in specs):
        raise ValueError("runs in one batch must share start and horizon")
    return n_steps


def recorded_steps(n_steps: int, every: int | None) -> np.ndarray:
    """The steps a time series keeps: every ``every``-th quarter plus the first and the last,
    or (``every`` None) only the first and the last."""
    keep = [
        t for t in range(n_steps + 1) if t in (0, n_steps) or (every is not None and t % every == 0)
    ]
    return np.array(keep)
