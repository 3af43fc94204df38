"""How long the figures of a 100,000-run sweep take.

    python benchmarks/bench_plots.py [--dir DIR]

Runs the baseline sweep with 10,000 LHS points x 10 replicates (every quarter stored) into DIR
(default: a temporary directory; an existing complete DIR is reused), then times
``write_figures`` (fan chart, status probabilities, cohesion, response curves, heatmaps),
reading the Parquet files from disk, and the peak resident memory of this process (the sweep's
workers are other processes; the figures read the member series in batches of rows).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from alliance_sim import Result, sweep
from alliance_sim.report.figures import write_figures


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--dir", help="sweep directory to create or reuse")
    a = ap.parse_args()
    base = Path(a.dir or tempfile.mkdtemp())
    out = base / "sweep"
    t = time.perf_counter()
    sweep("baseline", out, samples=10_000, replicates=10, workers=2)
    print(f"sweep of 100,000 runs ready in {time.perf_counter() - t:.0f} s ({out})")
    import resource

    from alliance_sim.runs.results import open_dataset

    res = Result.open(out)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    paths = write_figures(res, base / "figures")
    took = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = open_dataset(out, "timeseries").count_rows()
    print(
        f"{len(paths)} figures of {len(res.runs):,} runs ({rows:,} time-series rows) in "
        f"{took:.1f} s (including reading the Parquet files); peak RSS {peak:,.0f} MB "
        f"({before:,.0f} MB before the figures)"
    )


if __name__ == "__main__":
    main()
