"""How long the figures of a 100,000-run sweep take.

    python benchmarks/bench_plots.py [--dir DIR]

Runs the baseline sweep with 10,000 LHS points x 10 replicates (every quarter stored) into DIR
(default: a temporary directory; an existing complete DIR is reused), then times
``write_figures`` (fan chart, status probabilities, cohesion, response curves, heatmaps) and a
comparison report of the sweep against itself, reading the Parquet files from disk.
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
    res = Result.open(out)
    t = time.perf_counter()
    paths = write_figures(res, base / "figures")
    print(
        f"{len(paths)} figures of {len(res.runs):,} runs "
        f"({len(res.timeseries):,} time-series rows) in {time.perf_counter() - t:.1f} s "
        "(including reading the Parquet files)"
    )


if __name__ == "__main__":
    main()
