"""The batch engine's cache of drawn streams under a sweep's cyclic visits of its seeds."""

import numpy as np

from alliance_sim.core.state import Stream
from alliance_sim.engines.batch import _Streams

T = 8  # quarters


def one_stream_bytes() -> int:
    probe = _Streams()
    u, z = probe.get(1, T)
    return u.nbytes + z.nbytes


def cycle(cache: _Streams, seeds, rounds: int) -> list[int]:
    """Per round, how many streams came from the cache (the same object handed out again)."""
    seen: dict[int, object] = {}
    hits = []
    for _ in range(rounds):
        n = 0
        for s in seeds:
            u, _ = cache.get(s, T)
            n += seen.get(s) is u
            seen[s] = u
        hits.append(n)
    return hits


def test_a_cycle_longer_than_the_budget_grows_it_and_then_hits():
    """Five seeds in a cycle through a cache of three: a plain least-recently-used cache
    drew every stream again in every round (200,000 runs went at half the rate of 20,000)."""
    b = one_stream_bytes()
    cache = _Streams(budget=3 * b, ceiling=64 * b)
    hits = cycle(cache, range(10, 15), 4)
    assert hits[-1] == 5 and cache.budget < 64 * b, (hits, cache.budget / b)


def test_at_the_ceiling_the_cache_keeps_its_share_of_a_longer_cycle():
    b = one_stream_bytes()
    cache = _Streams(budget=3 * b, ceiling=3 * b)
    hits = cycle(cache, range(10, 15), 4)
    assert hits[-1] == 3 and cache.size <= 3 * b, hits  # not 0: it keeps three of five
    # a new sweep's seeds still enter the cache, least recently used first out
    hits_new = cycle(cache, range(100, 103), 2)
    assert hits_new == [0, 3], hits_new


def test_the_cache_hands_out_the_streams_the_mesa_model_draws():
    cache = _Streams(budget=2 * one_stream_bytes(), ceiling=2 * one_stream_bytes())
    for _ in range(3):
        for s in (5, 6, 7):
            u, z = cache.get(s, T)
            assert np.array_equal(u, Stream(s).next(T))
            assert not u.flags.writeable and not z.flags.writeable


def test_the_cache_fills_its_ceiling_and_sees_cycles_far_longer_than_itself():
    """Red team: at the ceiling a stream asked for again was never kept even with room (5 of
    10 seeds held under a ceiling of 8), and a cycle more than five times the cache outran
    the list of forgotten keys and never grew it (16 seeds through a cache of 3: no hit)."""
    b = one_stream_bytes()
    assert cycle(_Streams(budget=3 * b, ceiling=8 * b), range(10, 20), 4)[-1] == 8
    long_cycle = _Streams(budget=3 * b, ceiling=64 * b)
    assert cycle(long_cycle, range(10, 50), 4)[-1] == 40  # 40 seeds: all held in the end
    assert long_cycle.size <= 64 * b
