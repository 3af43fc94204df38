"""The batch engine: many runs advanced in lockstep through the same quarter.

Each run draws from its own generator (``numpy.random.default_rng(seed)``) the same uniforms,
in the same order, as the Mesa model does step by step, so for the same seed both engines give
the same trajectory.  Runs in one batch share a start quarter and horizon (one scenario); their
parameters, member figures and event fields and quarters may differ run by run (a sweep).
"""

from __future__ import annotations

import numpy as np

from alliance_sim.core import members as mb
from alliance_sim.core.outcomes import Tracker, Trajectory, snapshot
from alliance_sim.core.quarter import quarter
from alliance_sim.core.state import N_DRAWS, State
from alliance_sim.engines.runspec import (
    RunSpec,
    build_initial,
    build_params,
    build_schedule,
    check_batch,
    recorded_steps,
)


def draws(seeds: list[int], n_steps: int) -> np.ndarray:
    """Every run's uniforms for the whole horizon, shape (T, R, N_DRAWS, M): run r's stream
    is ``default_rng(seeds[r]).random((T, N_DRAWS, M))``, the Mesa model's draws in order."""
    M = len(mb.CODES)
    u = np.empty((n_steps, len(seeds), N_DRAWS, M))
    for r, seed in enumerate(seeds):
        u[:, r] = np.random.default_rng(seed).random((n_steps, N_DRAWS, M))
    return u


def run_batch(
    specs: list[RunSpec], seeds: list[int], record_every: int | None = 1
) -> tuple[Trajectory, dict[str, np.ndarray]]:
    """Run ``specs`` (one seed each) together.

    Returns ``(trajectory, outcomes)``: the trajectory has time first (``(S, R, M)`` per
    member, ``(S, R)`` per run) at the steps :func:`~.runspec.recorded_steps` keeps.
    Outcomes are exact whatever is recorded.
    """
    n_steps = check_batch(specs)
    P = build_params(specs)
    s = build_initial(specs, P)
    schedule = build_schedule(specs)
    u = draws(seeds, n_steps)
    tracker = Tracker(s, P)
    keep = set(recorded_steps(n_steps, record_every).tolist())
    hist, steps = [snapshot(s, P)], [0]
    for t in range(1, n_steps + 1):
        quarter(s, P, u[t - 1], schedule, t)
        tracker.update(s)
        if t in keep:
            hist.append(snapshot(s, P))
            steps.append(t)
    return Trajectory.stack(hist, steps), tracker.result()


def final_states(specs: list[RunSpec], seeds: list[int]) -> State:
    """Run ``specs`` to their horizon and return the state they end in (nothing recorded)."""
    n_steps = check_batch(specs)
    P = build_params(specs)
    s = build_initial(specs, P)
    schedule = build_schedule(specs)
    u = draws(seeds, n_steps)
    for t in range(1, n_steps + 1):
        quarter(s, P, u[t - 1], schedule, t)
    return s
