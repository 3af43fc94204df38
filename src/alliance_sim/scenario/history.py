"""One chain from history to forecast: the end states of the calibrated replay.

Replay *k* is the replay scenario the posterior was fitted to (``history_2020_2024``), run on
the batch engine with posterior set *k*.  Its seed is drawn from the posterior's
``replay_seed``: attempt *j* of replay *k* uses ``SeedSequence(replay_seed, spawn_key=(k, j))``,
and the first attempt whose members end in the statuses the record shows at the replay's end
(the replay scenario's ``end_status``: Armenia suspended, the others in) is kept — the forecast
starts from a state consistent with what is known, not from any state the parameters allow
(data assimilation by rejection).  If none of ``ATTEMPTS`` attempts matches, attempt 0 is kept
and counted in :attr:`HistoryStates.unmatched`; a posterior more than ``MAX_UNMATCHED`` of whose
sets reach no recorded status at the cut does not reproduce the record there, and a forecast
that would continue it is refused (:func:`check_matched`), never run silently.

The end states depend only on the posterior file (its content hash), the replay scenario and
this package's version, so they are computed once per process and reused; a forecast's
replicate *k* starts from end state *k* (mod their number) — the same numbers in every
forecast, every run and every worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from alliance_sim.core import members as mb
from alliance_sim.core.state import State
from alliance_sim.scenario.posterior import Posterior
from alliance_sim.scenario.runspecs import assemble
from alliance_sim.scenario.spec import Scenario

ATTEMPTS = 8  # seeds tried per posterior set to match the statuses observed at the end
MAX_UNMATCHED = 0.05  # share of posterior sets allowed to reach no recorded status at the cut


def replay_seed(master: int, k: int, attempt: int) -> int:
    """Seed of attempt ``attempt`` of replay ``k`` (63-bit, from SeedSequence)."""
    s = np.random.SeedSequence(entropy=int(master), spawn_key=(int(k), int(attempt)))
    a, b = s.generate_state(2, np.uint32)
    return int((int(b) << 32 | int(a)) >> 1)


@dataclass(frozen=True)
class HistoryStates:
    """End states of the replay, one run per posterior set (``state`` has R = len(sets))."""

    state: State
    seeds: tuple[int, ...]  # the seed each kept replay ran with
    unmatched: int  # posterior sets none of whose attempts matched the observed end statuses
    end: str

    _rows: dict[int, State] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def unmatched_share(self) -> float:
        """The share of posterior sets none of whose attempts reached the recorded statuses."""
        return self.unmatched / max(self.state.status.shape[0], 1)

    def of(self, k: int) -> State:
        """Replay ``k``'s end state (a one-run state; sets cycle), a read-only view made once
        per set: every run of a forecast asks for its replay's."""
        i = k % self.state.status.shape[0]
        if i not in self._rows:
            row = self.state.select(slice(i, i + 1))
            for f in fields(row):  # shared by every run that continues replay i
                getattr(row, f.name).flags.writeable = False
            self._rows[i] = row
        return self._rows[i]


def check_matched(
    states: HistoryStates,
    what: str,
    limit: float = MAX_UNMATCHED,
    remedy: str = "refit with more draws or generations",
) -> None:
    """Refuse (one line) a replay in which more than ``limit`` of the posterior sets reach no
    recorded status at its end (``what`` names the posterior or the fit)."""
    if states.unmatched_share > limit:
        from alliance_sim.errors import ScenarioError

        n = states.state.status.shape[0]
        raise ScenarioError(
            f"{what}: {states.unmatched} of {n} posterior sets "
            f"({states.unmatched_share:.1%}) reach none of the statuses recorded at "
            f"{states.end} in {ATTEMPTS} tries; allowed: at most {limit:.0%} (the fit does "
            f"not reproduce the record at the cut: {remedy})"
        )


def matches(state: State, wanted: dict[str, str]) -> np.ndarray:
    """Which runs of ``state`` end in the wanted statuses (``"in"`` = active or hedging;
    ``"candidate"`` = still outside and never refused: the record has no application)."""
    status = state.status
    ok = np.ones(status.shape[0], dtype=bool)
    for code, want in wanted.items():
        st = status[:, mb.INDEX[code]]
        if want == "in":
            ok &= (st == mb.ACTIVE) | (st == mb.HEDGING)
        elif want == "candidate":
            ok &= (st == mb.CANDIDATE) & ~state.refused[:, mb.INDEX[code]]
        else:
            ok &= st == mb.STATUS_CODES[want]
    return ok


def end_states(posterior: Posterior) -> HistoryStates:
    """The replay's end state for every set of ``posterior``, computed once per posterior
    (a file read twice is one posterior, and a worker keeps one copy: see
    :mod:`alliance_sim.scenario.posterior`).  A posterior with other sets
    (``dataclasses.replace``) gets its own replays, not its file's."""
    return posterior.derived("end_states", _end_states)


def _end_states(post: Posterior) -> HistoryStates:
    from alliance_sim.scenario.load import load_scenario

    if post.replay_path is None or not post.replay_path.is_file():
        from alliance_sim.errors import ScenarioError

        raise ScenarioError(
            f"{post.path}: the replay it was fitted to ({post.replay_path}) is missing"
        )
    replay = replace(load_scenario(post.replay_path), posterior=post)
    states = replay_states(replay, post.replay_seed)
    check_matched(states, str(post.path))
    return states


def _outside(state: State, cols: list[int]) -> None:
    """Members ``cols`` that left during the replay become states outside the alliance (the
    patron never leaves)."""
    for i in cols:
        gone = state.status[:, i] == mb.EXITED
        state.status[gone, i] = mb.CANDIDATE
        state.exit_step[gone, i] = -1
        for counter in (state.down_count, state.up_count, state.exit_count):
            counter[gone, i] = 0


def replay_states(replay: Scenario, master_seed: int) -> HistoryStates:
    """Run ``replay`` (a scenario with its posterior, in replay mode) once per posterior set,
    keeping for each the first of ``ATTEMPTS`` seeds whose end statuses match
    ``replay.end_status``.  Attempt j runs only for the sets no earlier attempt matched (most
    match at once), which gives the same states as running every attempt.

    A member that left during the replay (Uzbekistan, suspended in 2012, as the record has it;
    in a replay that reached no recorded status, possibly another) enters the forecast as a
    state outside the alliance — the model's ``candidate``, as in the profiles of 2020Q1 — not
    as a member that leaves at step 0: its exit is history, not an outcome of the forecast."""
    from alliance_sim.engines.batch import final_states

    n = len(replay.posterior)
    specs = [assemble(replay, posterior=k) for k in range(n)]
    chosen: list[State | None] = [None] * n
    seeds = [replay_seed(master_seed, k, 0) for k in range(n)]
    todo = np.arange(n)
    for j in range(ATTEMPTS):
        tried = [replay_seed(master_seed, int(k), j) for k in todo]
        state = final_states([specs[k] for k in todo], tried)
        ok = matches(state, replay.end_status)
        for row, k in enumerate(todo):
            if ok[row] or j == 0:  # attempt 0 stands in until (unless) a later one matches
                chosen[k] = state.select(slice(row, row + 1))
                seeds[k] = tried[row]
        todo = todo[~ok]
        if len(todo) == 0:
            break
    kept = State.concat(chosen)
    kept.exit_step = np.where(kept.exit_step >= 0, 0, -1).astype(kept.exit_step.dtype)
    _outside(kept, list(range(kept.status.shape[1])))
    return HistoryStates(state=kept, seeds=tuple(seeds), unmatched=len(todo), end=replay.end)
