"""The batch engine: many runs advanced in lockstep through the same quarter.

Each run draws from its own generator (``numpy.random.default_rng(seed)``) the same uniforms,
in the same order, as the Mesa model does step by step, so for the same seed both engines give
the same trajectory.  Runs in one batch share a start quarter and horizon (one scenario); their
parameters, member figures and event fields and quarters may differ run by run (a sweep).

A quarter's scheduled events and applications for membership are applied in numpy
(:mod:`alliance_sim.core.events`, in the quarters they happen); everything else in the quarter,
the record of the series and the outcome tracker run in the compiled kernel
(:mod:`alliance_sim.engines.kernel`), which repeats the equations of
:mod:`alliance_sim.core.dynamics` operation for operation.  The state lives in a few packed
arrays; the :class:`~alliance_sim.core.state.State` the events change holds views of them.
"""

from __future__ import annotations

import os
import sys
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core.events import Forcing
from alliance_sim.core.outcomes import Tracker, Trajectory
from alliance_sim.core.quarter import applications
from alliance_sim.core.state import DRAW_NOISE, N_DRAWS, Params, State, Stream
from alliance_sim.engines import kernel as kn
from alliance_sim.engines.runspec import (
    RunSpec,
    build_initial,
    build_params,
    build_schedule,
    check_batch,
    recorded_steps,
)


def _memory_ceiling() -> int:
    """The most the stream cache may grow to: a sixteenth of the machine's memory, at most
    1 GiB (and 128 MB where the memory cannot be read)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 128 * 2**20
    return int(min(2**30, max(128 * 2**20, total // 16)))


class _Streams:
    """Recently drawn streams, by (seed, quarters), with their normal commitment shocks, up to
    ``budget`` bytes: the runs of a sweep's chunks share their seeds (each replicate's seed is
    the same at every point), and a stream costs more to draw (a generator seeded through its
    SeedSequence, and ``ndtri``) than to copy.

    A sweep visits its replicate seeds in a cycle, point after point; a cycle longer than the
    cache made the least recently used stream the next one asked for, so every stream was
    drawn again (200,000 runs of 8,000 seeds at 40 quarters ran at half the rate of 20,000:
    ``benchmarks/bench_engines.py``).  So a stream asked for again after it was forgotten
    raises the budget to twice what is held, up to ``ceiling``; at the ceiling such a stream
    is handed out but not kept, and the streams held stay to be used in the next cycle (a
    longer cycle then finds the cache's share of its seeds, not none)."""

    def __init__(self, budget: int = 128 * 2**20, ceiling: int | None = None) -> None:
        self.budget = budget
        self.ceiling = max(budget, _memory_ceiling() if ceiling is None else ceiling)
        self.kept: OrderedDict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.forgotten: OrderedDict[tuple[int, int], None] = OrderedDict()  # keys only
        self.size = 0

    def get(self, seed: int, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
        key = (seed, n_steps)
        got = self.kept.get(key)
        if got is not None:
            self.kept.move_to_end(key)
            return got
        u = Stream(seed).next(n_steps)
        z = ndtri(u[:, DRAW_NOISE, :])
        u.flags.writeable = z.flags.writeable = False
        nbytes = u.nbytes + z.nbytes
        if key in self.forgotten:
            if self.budget < self.ceiling:
                self.budget = min(max(self.budget, 2 * self.size), self.ceiling)
            elif self.size + nbytes > self.budget:
                self.forgotten.move_to_end(key)
                return u, z  # the cache holds what it can of a cycle longer than itself
            del self.forgotten[key]
        self.kept[key] = (u, z)
        self.size += nbytes
        # the keys of forgotten streams, as many as the ceiling could hold (a cycle five
        # times the cache had outrun a shorter list, and never grew it: red team)
        remember = max(4 * len(self.kept), self.ceiling // max(nbytes, 1))
        while self.size > self.budget and len(self.kept) > 1:
            gone, (a, b) = self.kept.popitem(last=False)
            self.size -= a.nbytes + b.nbytes
            self.forgotten[gone] = None
            while len(self.forgotten) > remember:
                self.forgotten.popitem(last=False)
        return u, z


_STREAMS = _Streams()


class _Pool:
    """Large output buffers reused from one batch to the next, up to ``budget`` bytes.

    A buffer is handed out again only when nothing else refers to it (the trajectory a caller
    kept holds views of it, so a kept result is never overwritten); every element of a buffer
    is written before it is read.  Fresh memory costs a page fault per 4 KiB on first touch,
    which on a virtual machine made up a third of a chunk's time (``docs/performance.md``)."""

    def __init__(self, budget: int = 256 * 2**20) -> None:
        self.budget = budget
        self.arrays: list[np.ndarray] = []

    def empty(self, shape: tuple[int, ...], dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        for a in self.arrays:
            # referred to by the list, the loop variable and getrefcount's argument: free
            if a.shape == shape and a.dtype == dtype and sys.getrefcount(a) <= 3:
                return a
        a = np.empty(shape, dtype)
        held = sum(x.nbytes for x in self.arrays)
        if held + a.nbytes > self.budget:  # forget free buffers, oldest first
            kept = []
            for x in self.arrays:  # (by identity: == on arrays compares elements)
                if held + a.nbytes > self.budget and sys.getrefcount(x) <= 3:
                    held -= x.nbytes
                    continue
                kept.append(x)
            self.arrays = kept
        if held + a.nbytes <= self.budget:
            self.arrays.append(a)
        return a


_POOL = _Pool()


def draws(seeds: list[int], n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every run's uniforms for the whole horizon: ``(streams, shocks, which)`` where
    ``streams`` has shape (distinct seeds, T, N_DRAWS, M), ``shocks`` (distinct seeds, T, M)
    the standard normal commitment shocks (``ndtri`` of the ``DRAW_NOISE`` uniforms), and run r
    reads ``streams[which[r]]``, which is ``Stream(seeds[r]).next(T)``,
    the Mesa model's draws in order.  Runs that share a seed (the common random numbers of a
    calibration, the replicates of a sweep) share one stream."""
    M = len(mb.CODES)
    distinct, which = np.unique(np.asarray(seeds, dtype=np.int64), return_inverse=True)
    streams = _POOL.empty((len(distinct), n_steps, N_DRAWS, M), np.float64)
    shocks = _POOL.empty((len(distinct), n_steps, M), np.float64)
    for i, seed in enumerate(distinct.tolist()):
        streams[i], shocks[i] = _STREAMS.get(seed, n_steps)
    return streams, shocks, which.astype(np.int64).reshape(-1)


def _pack(s: State, names: tuple[str, ...], dtype) -> np.ndarray:
    """The state fields ``names`` copied into one array, and the fields made views of it (so
    that events, which change the state in place, change what the kernel reads)."""
    packed = np.empty((len(names), *getattr(s, names[0]).shape), dtype=dtype)
    for i, name in enumerate(names):
        packed[i] = getattr(s, name)
        setattr(s, name, packed[i])
    return packed


@dataclass
class Packed:
    """The arrays the kernel reads and writes for one batch (see ``kernel.quarter``)."""

    SF: np.ndarray
    SR: np.ndarray
    ST: np.ndarray
    SC: np.ndarray
    SX: np.ndarray
    SB: np.ndarray
    G: np.ndarray
    MF: np.ndarray
    patron: np.ndarray
    pairs: np.ndarray

    @classmethod
    def of(cls, s: State, P: Params) -> Packed:
        R, M = s.status.shape
        s.status = np.ascontiguousarray(s.status, dtype=np.int8).copy()
        s.exit_step = np.ascontiguousarray(s.exit_step, dtype=np.int32).copy()
        derived = {
            "dependence": P.dependence,
            "remittance_part": P.remittance_part,
            "exit_cost": P.exit_cost,
            "war_risk": dyn.war_risk(P),
        }
        MF = np.empty((len(kn.MEMBER_FIGURES), R, M))
        for i, k in enumerate(kn.MEMBER_FIGURES):
            MF[i] = derived[k] if k in derived else P.m[k]
        return cls(
            SF=_pack(s, kn.FLOAT_STATE, np.float64),
            SR=_pack(s, kn.RUN_STATE, np.float64),
            ST=s.status,
            SC=_pack(s, kn.COUNT_STATE, np.int16),
            SX=s.exit_step,
            SB=_pack(s, kn.FLAG_STATE, np.bool_),
            G=np.ascontiguousarray(np.column_stack([P.g[k][:, 0] for k in kn.GLOBALS])),
            MF=MF,
            patron=np.ascontiguousarray(P.patron, dtype=np.bool_),
            pairs=np.array([list(p) for p in P.clash_pairs], dtype=np.float64).reshape(-1, 3),
        )

    def views_intact(self, s: State) -> bool:
        """Whether the state still holds views of the packed arrays (an event that replaced
        a field instead of changing it would be lost to the kernel)."""
        packs = ((self.SF, kn.FLOAT_STATE), (self.SR, kn.RUN_STATE), (self.SC, kn.COUNT_STATE))
        return (
            all(getattr(s, n).base is a for a, names in packs for n in names)
            and all(getattr(s, n).base is self.SB for n in kn.FLAG_STATE)
            and s.status is self.ST
            and s.exit_step is self.SX
        )


@dataclass
class Record:
    """Recorded series: per-member floats ``OF``, per-run ``OR``, status ``OS``, appeals and
    answers ``OB``; ``sl`` gives each series of ``kernel.SERIES`` its place (-1: not kept)."""

    names: tuple[str, ...]
    OF: np.ndarray
    OR: np.ndarray
    OS: np.ndarray
    OB: np.ndarray
    sl: np.ndarray

    @classmethod
    def empty(cls, n_slots: int, R: int, wanted: Iterable[str] | None) -> Record:
        M = len(mb.CODES)
        if isinstance(wanted, str):  # one name, not its letters
            wanted = (wanted,)
        want = set(kn.SERIES if wanted is None else wanted)
        unknown = sorted(want - set(kn.SERIES))
        if unknown:  # a misspelt series would silently be missing from the trajectory
            raise ValueError(
                f"series {', '.join(unknown)}: unknown; allowed: {', '.join(kn.SERIES)}"
            )
        for group in kn.GROUPS:
            if want & set(group):
                want |= set(group)
        names = tuple(k for k in kn.SERIES if k in want)
        sl = np.full(len(kn.SERIES), -1, dtype=np.int64)
        packs = {"float": [], "run": [], "flag": []}
        for k in names:
            kind = "run" if k in kn.PER_RUN_SERIES else "flag" if k in kn.FLAG_STATE else "float"
            if k != "status":
                sl[kn.SERIES.index(k)] = len(packs[kind])
                packs[kind].append(k)
            else:
                sl[kn.SERIES.index(k)] = 0
        has_status = "status" in want
        return cls(  # every slot of every series kept is written by the kernel
            names,
            _POOL.empty((len(packs["float"]), R, n_slots, M), np.float64),
            _POOL.empty((len(packs["run"]), R, n_slots), np.float64),
            _POOL.empty((R if has_status else 0, n_slots, M), np.int8),
            _POOL.empty((len(packs["flag"]), R, n_slots, M), np.bool_),
            sl,
        )

    def series(self) -> dict[str, np.ndarray]:
        out = {}
        for k in self.names:
            i = self.sl[kn.SERIES.index(k)]
            if k == "status":
                out[k] = self.OS.transpose(1, 0, 2)
            elif k in kn.PER_RUN_SERIES:
                out[k] = self.OR[i].T
            elif k in kn.FLAG_STATE:
                out[k] = self.OB[i].transpose(1, 0, 2)
            else:
                out[k] = self.OF[i].transpose(1, 0, 2)
        return out


def _say_if_compiling() -> None:
    """One line on stderr before the kernel is compiled on this machine (the first batch
    after installing or changing it: about 20 s, then read from numba's cache in 0.3 s), so
    that a first run does not look stuck."""
    global _CHECKED
    if _CHECKED or not _NOTICE:
        return
    _CHECKED = True
    if not _cached():
        print(
            "alliance-sim: compiling the batch engine for this installation (once, about 20 s)",
            file=sys.stderr,
            flush=True,
        )


def _cached() -> bool:
    """Whether numba's cache holds the compiled kernel for this layout (a stale index, of an
    earlier kernel.py or registry, reads as empty; another numba's cache layout: True, so
    that nothing is said)."""
    try:
        return all(bool(f._cache._cache_file._load_index()) for f in kn.ENTRY_POINTS)
    except (AttributeError, OSError):
        return True
    except Exception:  # an unreadable index: numba recompiles, so say so
        return False


_CHECKED = False
_NOTICE = True


def compile_notice(on: bool) -> None:
    """Whether the first batch of an installation says on stderr that it is compiling the kernel
    (the command line turns it off under ``--quiet``, which prints nothing but errors)."""
    global _NOTICE
    _NOTICE = bool(on)


def _advance(
    specs: list[RunSpec], seeds: list[int], keep: np.ndarray, wanted: Iterable[str] | None
) -> tuple[State, Params, Record, tuple[np.ndarray, ...], int]:
    """Run ``specs`` to their horizon, recording the steps ``keep``."""
    n_steps = check_batch(specs)
    _say_if_compiling()
    R, M = len(specs), len(mb.CODES)
    P = build_params(specs)
    s = build_initial(specs, P)
    schedule = build_schedule(specs)
    streams, shocks, which = draws(seeds, n_steps)
    k = Packed.of(s, P)
    slots = np.full(n_steps + 1, -1, dtype=np.int64)  # step -> its place in the record
    slots[keep] = np.arange(len(keep))
    rec = Record.empty(len(keep), R, wanted)
    TB = np.zeros((2, R, M), np.bool_)  # joined, ever suspended
    TM = np.full((R, M), np.inf)  # lowest commitment
    TR = np.zeros((2, R))  # lowest cohesion, sum of cohesion
    TR[0] = np.inf
    work_f, work_b, work_i = np.zeros((4, M)), np.zeros((4, M), np.bool_), np.zeros(M, np.int8)
    kn.start(
        k.SF, k.SR, k.ST, k.SB, k.G, k.MF, k.patron, slots[0],
        rec.OF, rec.OR, rec.OS, rec.OB, rec.sl, TB, TM, TR, work_f,
    )  # fmt: skip
    due = sorted({int(t) for _, steps in schedule.entries for t in np.unique(steps)})
    due = [t for t in due if 1 <= t <= n_steps]
    starts = sorted({1, *due})
    pending = np.full(R, -1, dtype=np.int64)
    for first, nxt in zip(starts, [*starts[1:], n_steps + 1], strict=True):
        FA = np.zeros((3, R, M), np.bool_)
        FN = np.full((R, M), -1, np.int8)
        if first in due or first == 1:  # events and applications in numpy, then the kernel
            fx = schedule.apply(s, P, first)
            applications(s, P, streams[which, first - 1], fx)
            if not k.views_intact(s):
                raise RuntimeError("an event replaced a state array instead of changing it")
            FA = np.ascontiguousarray(np.stack([fx.appeal, fx.unrest, fx.clash]), dtype=np.bool_)
            FN = np.ascontiguousarray(fx.answer, dtype=np.int8)
        begin = np.full(R, first, dtype=np.int64)
        while True:  # a run in which a candidate applies stops there for numpy to decide it
            pending[:] = -1
            kn.advance(
                k.SF, k.SR, k.ST, k.SC, k.SX, k.SB, k.G, k.MF, k.patron, k.pairs,
                streams, shocks, which, first, nxt - 1, begin, pending, FA, FN, slots,
                rec.OF, rec.OR, rec.OS, rec.OB, rec.sl, TB, TM, TR, work_f, work_b, work_i,
            )  # fmt: skip
            stopped = pending >= 0
            if not stopped.any():
                break
            # every stopped run at once, each with the draws of the quarter it stopped at
            # (the runs do not touch one another: one call, not one per quarter)
            u = streams[which, np.where(stopped, pending, 1) - 1]
            applications(s, P, u, Forcing.none(s.status.shape), stopped)
            begin = np.where(stopped, pending, nxt)  # the others are done with this stretch
    s.appealed, s.answered = k.SB[0], k.SB[1]
    return s, P, rec, (TB[0], TB[1], TM, TR[0], TR[1]), n_steps + 1


def run_batch(
    specs: list[RunSpec],
    seeds: list[int],
    record_every: int | None = 1,
    series: Iterable[str] | None = None,
) -> tuple[Trajectory, dict[str, np.ndarray]]:
    """Run ``specs`` (one seed each) together.

    Returns ``(trajectory, outcomes)``: the trajectory has time first (``(S, R, M)`` per
    member, ``(S, R)`` per run) at the steps :func:`~.runspec.recorded_steps` keeps, with the
    ``series`` named (default: every series of :func:`~alliance_sim.core.outcomes.snapshot`;
    the influence shares and the observables come as groups).  Outcomes are exact whatever is
    recorded.
    """
    n_steps = check_batch(specs)
    keep = recorded_steps(n_steps, record_every)
    s, P, rec, tracked, n_seen = _advance(specs, seeds, keep, series)
    tracker = Tracker.from_arrays(s, P, *tracked, n=n_seen)
    return Trajectory(rec.series(), keep), tracker.result()


def final_states(specs: list[RunSpec], seeds: list[int]) -> State:
    """Run ``specs`` to their horizon and return the state they end in (nothing recorded)."""
    s, *_ = _advance(specs, seeds, np.array([], dtype=np.int64), ())
    return s
