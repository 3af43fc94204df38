"""The batch engine: many runs advanced in lockstep through the same equations.

Each run draws from its own generator (``numpy.random.default_rng(seed)``) the same uniforms,
in the same order, as the Mesa model does step by step, so for the same seed both engines give
the same trajectory.  Runs in one batch share a start quarter and horizon (one scenario); their
parameters, member figures and event fields and quarters may differ run by run (a sweep).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Event, Schedule
from alliance_sim.core.outcomes import Tracker, snapshot
from alliance_sim.core.quarters import steps_between
from alliance_sim.core.state import N_DRAWS, Params, State
from alliance_sim.scenario.plan import RunSpec


def _params(specs: list[RunSpec]) -> Params:
    R = len(specs)
    profiles = mb.load_profiles()
    names = sorted({k for s in specs for k in s.params})
    globals_ = {}
    for k in names:
        vals = [s.params.get(k) for s in specs]
        if any(v is None for v in vals):
            from alliance_sim.core.params import BY_NAME

            vals = [BY_NAME[k].default if v is None else v for v in vals]
        globals_[k] = np.asarray(vals, dtype=float)
    member_values = {}
    touched = {f for s in specs for fields_ in s.members.values() for f in fields_}
    for f in touched:
        arr = np.broadcast_to(profiles.values[f], (R, len(mb.CODES))).copy()
        for r, s in enumerate(specs):
            for code, fields_ in s.members.items():
                if f in fields_:
                    v = fields_[f]
                    arr[r, mb.INDEX[code]] = mb.STATUS_CODES[v] if isinstance(v, str) else v
        member_values[f] = arr
    return Params.build(R, globals_, profiles, member_values)


def _schedule(specs: list[RunSpec]) -> Schedule:
    """Stack the runs' events: field values that differ between runs become arrays."""
    first = specs[0].events
    if any(len(s.events) != len(first) for s in specs):
        raise ValueError("runs in one batch must schedule the same events")
    entries = []
    for k, e in enumerate(first):
        evs: list[Event] = [s.events[k] for s in specs]
        if any(type(x) is not type(e) for x in evs):
            raise ValueError("runs in one batch must schedule the same event types")
        steps = np.array([steps_between(specs[0].start, x.at) for x in evs])
        changes: dict[str, Any] = {}
        for f in fields(e):
            if f.name == "at":
                continue
            vals = [getattr(x, f.name) for x in evs]
            if any(v != vals[0] for v in vals):
                changes[f.name] = np.asarray(vals)
        entries.append((replace(e, **changes) if changes else e, steps))
    return Schedule(tuple(entries))


def draws(seeds: list[int], n_steps: int) -> np.ndarray:
    """Every run's uniforms for the whole horizon, shape (T, R, N_DRAWS, M)."""
    M = len(mb.CODES)
    u = np.empty((n_steps, len(seeds), N_DRAWS, M))
    for r, seed in enumerate(seeds):
        u[:, r] = np.random.default_rng(seed).random((n_steps, N_DRAWS, M))
    return u


def quarter(s: State, P: Params, u: np.ndarray, schedule: Schedule, t: int) -> None:
    """Advance every run by one quarter, in the Mesa model's order (see ``model.py``)."""
    fx = schedule.apply(s, P, t)
    s.pressure = dyn.russian_pressure(s, P)
    s.western_ties = dyn.renewed_western_ties(s, P)
    s.chinese_ties = dyn.renewed_chinese_ties(s, P)
    appeal, answered, hit, _ = dyn.resolve_appeals(s, P, u, fx)
    dyn.update_credibility(s, P, appeal, answered)
    dyn.update_grievance_and_threat(s, P, s.pressure, appeal, answered, hit)
    s.appealed, s.answered = appeal, answered
    s.commitment = dyn.move_commitment(s, P, dyn.weigh(s, P, s.pressure), u)
    old_status = s.status.copy()
    for name, value in dyn.next_status(s, P, s.commitment, u, t).items():
        setattr(s, name, value)
    s.defection = dyn.defection_signal(s, P, old_status)
    dyn.end_campaigns(s)


def run_batch(
    specs: list[RunSpec], seeds: list[int], record_every: int | None = 1
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run ``specs`` (one seed each) together.

    Returns ``(trajectory, outcomes)``: the trajectory has time first (``(S, R, M)`` per
    member, ``(S, R)`` per run) with its recorded steps in ``trajectory["step"]``: every
    ``record_every``-th quarter plus the first and last, or (``None``) only the first and last.
    Outcomes are exact whatever is recorded.
    """
    n_steps = specs[0].n_steps
    if any(s.n_steps != n_steps or s.start != specs[0].start for s in specs):
        raise ValueError("runs in one batch must share start and horizon")
    P = _params(specs)
    s = dyn.initial_state(P)
    schedule = _schedule(specs)
    u = draws(seeds, n_steps)
    tracker = Tracker(s, P)
    hist, steps = [snapshot(s, P)], [0]
    for t in range(1, n_steps + 1):
        quarter(s, P, u[t - 1], schedule, t)
        tracker.update(s)
        if t == n_steps or (record_every is not None and t % record_every == 0):
            hist.append(snapshot(s, P))
            steps.append(t)
    traj = {k: np.stack([h[k] for h in hist]) for k in hist[0]}
    traj["step"] = np.array(steps)
    return traj, tracker.result()
