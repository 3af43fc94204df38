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
20,000 runs (and ``--big`` to check that its cost is linear in runs).  Peak memory of the batch
engine is each size's resident set size in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace

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


def batch_memory(n: int) -> tuple[float, float]:
    code = (
        "import json, resource, sys\n"
        "sys.path.insert(0, 'benchmarks')\n"
        "import bench_engines as b\n"
        f"rate = b.project_rate({n}, 'batch')\n"
        "print(json.dumps([rate, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rate, rss = json.loads(out.stdout.strip().splitlines()[-1])
    return rate, rss


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--mesa-runs", type=int, default=200)
    ap.add_argument("--big", type=int, default=200_000)
    a = ap.parse_args()
    print(f"armenia_exits sweep, {QUARTERS} quarters, one process")
    mbr = mesa_batch_run_rate(a.mesa_runs)
    print(f"  mesa.batch_run (1 process):   {mbr:10,.1f} runs/s  ({a.mesa_runs} runs)")
    mes = project_rate(a.mesa_runs, "mesa")
    print(f"  project Mesa engine:          {mes:10,.1f} runs/s  ({a.mesa_runs} runs)")
    rows = {}
    for n in (2000, 20000, a.big):
        rate, rss = batch_memory(n)
        rows[n] = (rate, rss)
        print(f"  batch engine, {n:>7,} runs:   {rate:10,.1f} runs/s  (peak RSS {rss:,.0f} MB)")
    r2k, r20k = rows[2000][0], rows[20000][0]
    print("ratios")
    print(f"  batch (2,000) / mesa.batch_run:  {r2k / mbr:8,.0f}x")
    print(f"  batch (20,000) / mesa.batch_run: {r20k / mbr:8,.0f}x")
    print(f"  batch (20,000) / project Mesa:   {r20k / mes:8,.0f}x")
    print(f"  project Mesa / mesa.batch_run:   {mes / mbr:8.2f}x")
    print(
        f"  batch runs/s at {a.big:,} vs 2,000 runs: {rows[a.big][0] / r2k:.2f} "
        f"(linear cost: within 0.8-1.2); peak RSS {rows[a.big][1] / rows[2000][1]:.2f}x"
    )


if __name__ == "__main__":
    main()
