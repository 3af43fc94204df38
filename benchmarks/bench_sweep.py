"""A whole ``alliance-sim sweep`` against ``mesa.batch_run`` and the bare batch engine, peak
memory of 20,000 vs 200,000 runs, and start-up time of the command line -- in one run, so the
ratios compare numbers taken under the same load.

    python benchmarks/bench_sweep.py [--runs 20000] [--big 200000] [--mesa-runs 100] [--repeat 5]

* ``mesa.batch_run(AllianceModel, ...)``, one process (``number_processes=1``), on
  ``--mesa-runs`` runs spread over armenia_exits' 25 sweep points, its whole horizon;
* the bare batch engine (``engines.chunk.run_chunk``, every quarter kept, no tables, no disk),
  one process, on ``--runs`` runs in chunks of 1,000 (the chunk size the sweep picks);
* ``alliance-sim sweep armenia_exits --replicates R --workers W --quiet`` (every quarter
  stored), ``--runs`` runs, timed from the command's start to its exit (interpreter start-up,
  plan, workers, Parquet files, summary) with 2 workers and with 1;
* the first three in ``--repeat`` rounds, back to back: the ratios are taken within a round
  (the same load on the machine) and reported as the median round and the range;
* 2 workers against 1 on smaller sweeps (2,000, 5,000 and 10,000 runs): where a second
  worker starts to pay off;
* what a worker spends on a 1,000-run chunk: specifications, engine, tables, writing;
* the same command with one run per point (its fixed cost), and with ``--big`` runs and 2
  workers (the ratios once that fixed cost is spread; the bare engine is measured right
  before and right after it, ``mesa.batch_run`` right after);
* peak resident set size of ``sweep(..., workers=2)`` for ``--runs`` and ``--big`` runs, each
  in a fresh process: the main process when the sweep returns (``VmHWM``, which starts afresh
  at exec, unlike ``ru_maxrss``), the largest worker (``ru_maxrss`` of its children), and the
  main process after reading the ``runs`` table into pandas (one row per run: that one grows
  with the runs, as it must);
* ``alliance-sim --help`` and ``alliance-sim list scenarios``: median wall time of 5 starts,
  and as a ratio to ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

EXE = shutil.which("alliance-sim") or str(Path(sys.executable).with_name("alliance-sim"))
POINTS = 25  # armenia_exits: a 5 x 5 grid
WRAP = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True)
dt = time.perf_counter() - t
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": dt, "peak_rss_mb": max(me, kids) / 1024}))
"""


def mesa_batch_run_rate(n: int) -> float:
    """Runs/s of mesa.batch_run over armenia_exits' points (40 quarters, its whole horizon),
    one process: the same measurement as ``bench_engines.py`` (this script's folder is on
    ``sys.path`` when it runs)."""
    from bench_engines import mesa_batch_run_rate as rate

    return rate(n)


def engine_rate(n: int, chunk: int = 1000) -> float:
    """Runs/s of the bare batch engine (every quarter kept), one process."""
    from alliance_sim import load_scenario
    from alliance_sim.engines import chunk as eng
    from alliance_sim.scenario.plan import make_plan, specs_for

    plan = make_plan(load_scenario("armenia_exits"), replicates=max(1, n // POINTS))
    t = time.perf_counter()
    for start in range(0, plan.n_runs, chunk):
        metas = list(plan.runs(start, start + chunk))
        specs = specs_for(plan.scenario, metas)  # as a sweep's worker builds them
        eng.run_chunk(specs, [m.seed for m in metas], "batch", 1)
    return plan.n_runs / (time.perf_counter() - t)


def chunk_anatomy(chunks: int = 10, size: int = 1000) -> dict[str, float]:
    """Seconds per chunk of what a worker does (mean over ``chunks`` chunks after a first,
    warm-up one): the runs' specifications, the engine, building the tables, writing them."""
    from alliance_sim import load_scenario
    from alliance_sim.engines import chunk as eng
    from alliance_sim.runs.store import Store
    from alliance_sim.scenario.plan import make_plan, specs_for

    sc = load_scenario("armenia_exits")
    plan = make_plan(sc, replicates=(chunks + 1) * size // POINTS + 1)
    acc = dict.fromkeys(("specifications", "engine", "tables", "write"), 0.0)
    with tempfile.TemporaryDirectory() as d:
        store = Store(d)
        for i in range(chunks + 1):
            metas = list(plan.runs(i * size, (i + 1) * size))
            t0 = time.perf_counter()
            specs = specs_for(sc, metas)  # as a sweep's worker builds them
            t1 = time.perf_counter()
            traj, out = eng.run_chunk(specs, [m.seed for m in metas], "batch", 1)
            t2 = time.perf_counter()
            tables = eng.tables(metas, traj, out, sc.start)
            t3 = time.perf_counter()
            store.write_chunk(i, tables)
            t4 = time.perf_counter()
            if i:
                for k, dt in zip(acc, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    acc[k] += dt / chunks
    return acc


def cli_sweep(n: int, workers: int) -> dict:
    """Wall time and peak RSS of ``alliance-sim sweep`` of ``n`` armenia_exits runs."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [EXE, "sweep", "armenia_exits", "--out", f"{d}/out", "--quiet"]
        cmd += ["--replicates", str(n // POINTS), "--workers", str(workers)]
        p = subprocess.run(
            [sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, check=True
        )
        rows = sum(1 for _ in Path(f"{d}/out/timeseries.parquet").glob("part-*.parquet"))
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["runs"] = POINTS * (n // POINTS)
    r["files"] = rows
    return r


MEM = """
import json, resource, sys
from pathlib import Path
from alliance_sim import sweep

def peak_self():
    # VmHWM starts afresh at exec; ru_maxrss (Linux) keeps the high-water mark of the
    # process that started us, here the benchmark itself
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

n, out = int(sys.argv[1]), sys.argv[2]
r = sweep("armenia_exits", out, replicates=n // 25, workers=2)
main, workers = peak_self(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
len(r.runs)
print(json.dumps({"main": main, "workers": workers, "with_runs": peak_self()}))
"""


def sweep_memory(n: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(
            [sys.executable, "-c", MEM, str(n), f"{d}/out"],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(p.stdout.strip().splitlines()[-1])


def start_time(cmd: list[str], k: int = 5) -> float:
    times = []
    for _ in range(k):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=20_000)
    ap.add_argument("--big", type=int, default=200_000)
    ap.add_argument("--mesa-runs", type=int, default=100)
    ap.add_argument(
        "--repeat", type=int, default=5, help="rounds of (mesa.batch_run, bare engine, sweep)"
    )
    a = ap.parse_args()
    print("start-up (median of 5)")
    base = start_time([sys.executable, "-c", "pass"])
    helpt = start_time([EXE, "--help"])
    listt = start_time([EXE, "list", "scenarios"])
    print(f"  python -c pass:                {base:6.2f} s")
    print(f"  alliance-sim --help:           {helpt:6.2f} s  ({helpt / base:.1f}x python -c pass)")
    print(f"  alliance-sim list scenarios:   {listt:6.2f} s  ({listt / base:.1f}x python -c pass)")
    print(f"armenia_exits sweep, every quarter stored, {a.runs:,} runs")
    # rounds of (mesa.batch_run, bare engine, sweep with 2 workers) back to back: each round's
    # ratios compare numbers taken under the same load, so a machine that drifts (a shared
    # virtual machine does) moves all three together; the median round and the range are shown
    rounds = []
    for _ in range(a.repeat):
        mbr = mesa_batch_run_rate(a.mesa_runs)
        eng = engine_rate(a.runs)
        r = cli_sweep(a.runs, 2)
        s2 = r["runs"] / r["seconds"]
        rounds.append({"mesa": mbr, "bare": eng, "sweep": s2, "r": r})
    for k in ("mesa", "bare", "sweep"):
        vals = [x[k] for x in rounds]
        print(f"  {k:5s} runs/s per round: " + ", ".join(f"{v:,.1f}" for v in vals))
    mid = sorted(rounds, key=lambda x: x["sweep"] / x["mesa"])[len(rounds) // 2]
    mbr, eng, s2, r2 = mid["mesa"], mid["bare"], mid["sweep"], mid["r"]
    print(f"  mesa.batch_run (1 process):    {mbr:10,.1f} runs/s  ({a.mesa_runs} runs)")
    print(f"  bare batch engine (1 process): {eng:10,.1f} runs/s")
    print(
        f"  alliance-sim sweep --workers 2: {s2:10,.1f} runs/s  ({r2['seconds']:.1f} s, "
        f"{r2['files']} chunk files per table, peak RSS {r2['peak_rss_mb']:,.0f} MB)"
    )
    r1 = cli_sweep(a.runs, 1)
    s1 = r1["runs"] / r1["seconds"]
    print(
        f"  alliance-sim sweep --workers 1: {s1:10,.1f} runs/s  ({r1['seconds']:.1f} s, "
        f"peak RSS {r1['peak_rss_mb']:,.0f} MB)"
    )
    vs_mesa = sorted(x["sweep"] / x["mesa"] for x in rounds)
    vs_bare = sorted(2 * x["bare"] / x["sweep"] for x in rounds)
    print(f"ratios (median round; range over {a.repeat} rounds)")
    print(
        f"  sweep (2 workers) / mesa.batch_run:          {statistics.median(vs_mesa):8,.0f}x"
        f"  ({vs_mesa[0]:,.0f}-{vs_mesa[-1]:,.0f})"
    )
    print(
        f"  bare engine x 2 workers / sweep (2 workers): {statistics.median(vs_bare):8.2f}x"
        f"  ({vs_bare[0]:.2f}-{vs_bare[-1]:.2f})"
    )
    print(f"  sweep 2 workers / 1 worker:                  {s2 / s1:8.2f}x")
    small = []
    for n in (2_000, 5_000, 10_000):  # where a second worker starts to pay off
        t1, t2 = (cli_sweep(n, w)["seconds"] for w in (1, 2))
        small.append(f"{n:,}: {t1 / t2:.2f}x")
    print("  sweep 2 workers / 1 worker at " + ", ".join(small))
    parts = chunk_anatomy()
    total = sum(parts.values())
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in parts.items())
    print(f"a 1,000-run chunk in a worker: {total:.3f} s = {shares}")
    fixed = cli_sweep(POINTS, 2)["seconds"]  # one run per point: what any sweep pays
    print(
        f"fixed cost of a sweep command ({POINTS} runs, 2 workers: interpreter, imports, "
        f"replaying the calibrated history, summary): {fixed:.2f} s"
    )
    # the big sweep runs for half a minute: the bare engine right before and right after it
    # (their mean) and mesa.batch_run right after, so the ratios share its minutes
    before = engine_rate(a.runs)
    big = cli_sweep(a.big, 2)
    after = engine_rate(a.runs)
    mbr_big = mesa_batch_run_rate(a.mesa_runs)
    eng_big = (before + after) / 2
    sb = big["runs"] / big["seconds"]
    print(f"armenia_exits sweep, every quarter stored, {a.big:,} runs, 2 workers")
    print(f"  alliance-sim sweep --workers 2: {sb:10,.1f} runs/s  ({big['seconds']:.1f} s)")
    print(
        f"  bare engine before / after it:  {before:10,.1f} / {after:,.1f} runs/s; "
        f"mesa.batch_run after it: {mbr_big:,.1f} runs/s"
    )
    print(f"  sweep / mesa.batch_run:                      {sb / mbr_big:8,.0f}x")
    print(f"  bare engine x 2 workers / sweep:             {2 * eng_big / sb:8.2f}x")
    print("memory: peak RSS of sweep(..., workers=2), each size in a fresh process")
    mem = {n: sweep_memory(n) for n in (a.runs, a.big)}
    for n, m in mem.items():
        print(
            f"  {n:>9,} runs: main {m['main']:,.0f} MB, largest worker {m['workers']:,.0f} MB, "
            f"main after reading runs {m['with_runs']:,.0f} MB"
        )
    lo, hi = mem[a.runs], mem[a.big]
    print(
        f"  {a.big:,} vs {a.runs:,}: main x{hi['main'] / lo['main']:.2f}, "
        f"worker x{hi['workers'] / lo['workers']:.2f}, after reading runs "
        f"x{hi['with_runs'] / lo['with_runs']:.2f}"
    )


if __name__ == "__main__":
    main()
