"""Sweep engine throughput and memory.

    python benchmarks/bench_sweep.py            # runs/s with 1 and 2 workers (2,000 runs),
                                                # peak RSS for 20,000 vs 100,000 runs

Throughput: the baseline scenario's LHS sweep (43 quarters, every quarter recorded) with
2,000 runs, timed end to end (plan, execute, store, merge) with 1 and 2 local workers.
Memory: the same sweep with 20,000 and 100,000 runs, each in a fresh process with one worker,
reporting that process's peak resident set size (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

CHILD = """
import json, resource, sys, time
from alliance_sim import sweep
out, samples, reps, workers, record = sys.argv[1:6]
t = time.perf_counter()
r = sweep("baseline", out, samples=int(samples), replicates=int(reps), workers=int(workers),
          record=record, force=True)
dt = time.perf_counter() - t
n = len(r.runs)
print(json.dumps({"runs": n, "seconds": dt,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(samples: int, reps: int, workers: int, record: str) -> dict:
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                f"{d}/out",
                str(samples),
                str(reps),
                str(workers),
                record,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(p.stdout.strip().splitlines()[-1])


def throughput(samples: int, record: str) -> None:
    """Runs/s of a baseline sweep of ``samples`` x 10 runs with 1 and 2 workers."""
    print(f"throughput: baseline sweep, {samples * 10:,} runs, record={record}")
    rates = {}
    for w in (1, 2):
        r = measure(samples, 10, w, record)
        rates[w] = r["runs"] / r["seconds"]
        print(f"  workers={w}: {r['runs']} runs in {r['seconds']:.1f} s = {rates[w]:,.0f} runs/s")
    print(f"  speed-up with 2 workers: {rates[2] / rates[1]:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--record", default="all", help="time series kept (all, end, every:N)")
    ap.add_argument("--skip-memory", action="store_true")
    a = ap.parse_args()
    for samples in (200, 2000):  # x 10 replicates: 2,000 and 20,000 runs
        throughput(samples, a.record)
    if a.skip_memory:
        return
    print(f"memory: peak RSS of one worker process, record={a.record}")
    peaks = {}
    for samples in (2000, 10000):
        t = time.perf_counter()
        r = measure(samples, 10, 1, a.record)
        peaks[r["runs"]] = r["peak_rss_mb"]
        print(
            f"  {r['runs']:>7,} runs: peak RSS {r['peak_rss_mb']:,.0f} MB "
            f"({r['runs'] / r['seconds']:,.0f} runs/s, {time.perf_counter() - t:.0f} s)"
        )
    lo, hi = peaks[20000], peaks[100000]
    print(f"  100,000 vs 20,000 runs: peak RSS x{hi / lo:.2f}")


if __name__ == "__main__":
    main()
