"""Engines compared on one sweep: mesa.batch_run, the project's Mesa engine, the batch engine.

    python benchmarks/bench_engines.py [--mesa-runs 200] [--big 200000]

The sweep is armenia_exits.toml's (5 x 5 grid of western_offer x russian_pressure, with its
events) cut to 40 quarters.  All three engines run in this one process, one core:

* ``mesa.batch_run(AllianceModel, ...)`` with ``number_processes=1``, collecting the model's
  reporters at the end (its default);
* the project's Mesa engine (``engine.run_mesa``: one AllianceModel per run, full trajectory);
* the batch engine (``batch.run_batch``: chunks of runs in lockstep, full trajectory and the
  same outcomes).

The Mesa engines cost the same per run however many runs there are, so they are timed on
``--mesa-runs`` runs spread over the sweep's points; the batch engine is timed on 2,000 and
20,000 runs (and ``--big``, against 20,000, to check that its cost is linear in runs; 2,000
runs also pay a fresh process's first touches of its buffers, printed apart), each in a fresh
process after a warm-up of 50 runs (loading the compiled kernel from numba's cache and replaying the
calibrated history once for the posterior's end states: one-time costs of a process, reported
apart).  Peak memory of the batch engine is each size's resident set size in that process.

The compiled kernel's compile time is measured apart too: a fresh process with an empty
numba cache directory compiles it; a second process loads it from that cache.

Identical trajectories: the batch engine and the project's Mesa engine (the reference) run
the same 25 runs (one per point), and every recorded series is compared bit for bit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

import numpy as np

from alliance_sim import load_scenario
from alliance_sim.core import quarters
from alliance_sim.scenario.plan import make_plan, spec_for, specs_for

QUARTERS = 40
CHUNK = 2000


def plan_for(n_runs: int):
    sc = load_scenario("armenia_exits")
    end = quarters.shift(sc.start, QUARTERS)
    sc = replace(sc, end=end, data={**sc.data, "end": end})
    return make_plan(sc, replicates=max(1, n_runs // 25))


def mesa_batch_run_rate(n: int) -> float:
    import mesa

    from alliance_sim.engines.mesa_model import AllianceModel

    plan = plan_for(25 * max(1, n // 25))
    sc = plan.scenario
    base = spec_for(sc)
    params = {
        k: [v] for k, v in base.params.items() if k not in ("western_offer", "russian_pressure")
    }
    params.update(
        {
            "western_offer": list(plan.points["western_offer"].unique()),
            "russian_pressure": list(plan.points["russian_pressure"].unique()),
            "start": [sc.start],
            "members": [base.members],
            "events": [base.events],
        }
    )
    seeds = plan.seeds()
    t = time.perf_counter()
    res = mesa.batch_run(
        AllianceModel,
        parameters=params,
        rng=seeds,
        max_steps=QUARTERS,
        number_processes=1,
        display_progress=False,
    )
    dt = time.perf_counter() - t
    assert len({r["RunId"] for r in res}) == plan.n_runs
    return plan.n_runs / dt


def project_rate(n: int, engine: str) -> float:
    from alliance_sim.engines import chunk as eng

    plan = plan_for(n)
    t = time.perf_counter()
    done = 0
    for start in range(0, plan.n_runs, CHUNK):
        metas = list(plan.runs(start, start + CHUNK))
        specs = specs_for(plan.scenario, metas)
        eng.run_chunk(specs, [m.seed for m in metas], engine, 1)
        done += len(metas)
    return done / (time.perf_counter() - t)


def batch_memory(n: int) -> tuple[float, float, float]:
    """Runs/s of the batch engine on ``n`` runs in a fresh process after a 50-run warm-up,
    the peak RSS (MB) and the warm-up's seconds."""
    code = (
        "import json, resource, sys, time\n"
        "sys.path.insert(0, 'benchmarks')\n"
        "import bench_engines as b\n"
        "t = time.perf_counter(); b.project_rate(50, 'batch'); warm = time.perf_counter() - t\n"
        f"rate = b.project_rate({n}, 'batch')\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps([rate, rss, warm]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rate, rss, warm = json.loads(out.stdout.strip().splitlines()[-1])
    return rate, rss, warm


def compile_seconds() -> tuple[float, float]:
    """Seconds to compile the kernel into an empty cache, and to load it from that cache
    (each the first 1-run batch of a fresh process, less the same batch run again)."""
    code = (
        "import time\n"
        "from alliance_sim import load_scenario\n"
        "from alliance_sim.engines.batch import run_batch\n"
        "from alliance_sim.scenario.plan import spec_for\n"
        "spec = spec_for(load_scenario('history_2020_2024'))\n"
        "t = time.perf_counter(); run_batch([spec], [1]); first = time.perf_counter() - t\n"
        "t = time.perf_counter(); run_batch([spec], [1]); again = time.perf_counter() - t\n"
        "print(first - again)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        times = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
            )
            times.append(float(out.stdout.strip().splitlines()[-1]))
    return times[0], times[1]


def identical(n_points: int = 25) -> tuple[bool, int]:
    """Whether the batch engine and the Mesa engine give bit-identical trajectories and
    outcomes on one run per point of the sweep; and how many values were compared."""
    from alliance_sim.engines.batch import run_batch
    from alliance_sim.engines.chunk import run_mesa

    plan = plan_for(25)
    metas = list(plan.runs(0, n_points))
    specs, seeds = specs_for(plan.scenario, metas), [m.seed for m in metas]
    tb, ob = run_batch(specs, seeds)
    tm, om = run_mesa(specs, seeds)
    same = set(tb) == set(tm) and all(
        np.array_equal(tb[k], tm[k], equal_nan=tb[k].dtype.kind == "f") for k in tb
    )
    same &= all(np.array_equal(ob[k], om[k], equal_nan=True) for k in ob)
    return bool(same), sum(tb[k].size for k in tb) + sum(ob[k].size for k in ob)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--mesa-runs", type=int, default=200)
    ap.add_argument("--big", type=int, default=200_000)
    a = ap.parse_args()
    print(f"armenia_exits sweep, {QUARTERS} quarters, one process")
    compiled, loaded = compile_seconds()
    print(
        f"  batch kernel: compile {compiled:.1f} s (once per installation), "
        f"cache load {loaded:.2f} s"
    )
    same, values = identical()
    print(f"  batch vs project Mesa engine, 25 runs: {'identical' if same else 'DIFFERENT'}"
          f" ({values:,} values compared bit for bit)")  # fmt: skip
    mbr = mesa_batch_run_rate(a.mesa_runs)
    print(f"  mesa.batch_run (1 process):   {mbr:10,.1f} runs/s  ({a.mesa_runs} runs)")
    mes = project_rate(a.mesa_runs, "mesa")
    print(f"  project Mesa engine:          {mes:10,.1f} runs/s  ({a.mesa_runs} runs)")
    rows = {}
    for n in (2000, 20000, a.big):
        rate, rss, warm = batch_memory(n)
        rows[n] = (rate, rss)
        print(
            f"  batch engine, {n:>7,} runs:   {rate:10,.1f} runs/s  (peak RSS {rss:,.0f} MB; "
            f"warm-up {warm:.1f} s)"
        )
    r2k, r20k = rows[2000][0], rows[20000][0]
    print("ratios")
    print(f"  batch (2,000) / mesa.batch_run:  {r2k / mbr:8,.0f}x")
    print(f"  batch (20,000) / mesa.batch_run: {r20k / mbr:8,.0f}x")
    print(f"  batch (20,000) / project Mesa:   {r20k / mes:8,.0f}x")
    print(f"  project Mesa / mesa.batch_run:   {mes / mbr:8.2f}x")
    # linear cost is a claim about many runs; 2,000 runs in a fresh process also pay its fixed
    # costs (first touches of the output buffers, the first chunk's streams), shown apart
    fixed = 2000 / r2k - 2000 / r20k
    print(
        f"  batch runs/s at {a.big:,} vs 20,000 runs: {rows[a.big][0] / r20k:.2f} "
        f"(linear cost: within 0.8-1.2); peak RSS {rows[a.big][1] / rows[20000][1]:.2f}x"
    )
    print(f"  a fresh process's fixed cost (2,000 runs' time less their share at 20,000): "
          f"{fixed:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
