"""A calibration of the 2020-2024 replay at issue 24's settings, timed: the whole command, the
SMC (as the calibration reports it) and the sampler's serial step between generations.

    python benchmarks/bench_calibration.py [--generations 10] [--workers 2] [--seed S]

Runs ``alliance-sim calibrate history_2020_2024 --generations G --workers W --quiet`` in this
process into a temporary folder, with ``analysis.smc._log_kernel_mix`` (each kept set's
density under the last population's kernel mixture, computed while the workers wait) timed.
Issue 24's target: 4x faster than 162 s, i.e. 40.5 s.  One calibration per run of the script:
the machine's own spread is several seconds, so compare two versions alternately.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--generations", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=None, help="default: the file's, as calibrate")
    a = ap.parse_args()

    import alliance_sim.analysis.smc as smc
    from alliance_sim.cli.main import main as cli

    plain, spent = smc._log_kernel_mix, [0.0, 0]

    def timed(*args, **kw):
        t = time.perf_counter()
        try:
            return plain(*args, **kw)
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += 1

    smc._log_kernel_mix = timed
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "fit.parquet"
        argv = ["calibrate", "history_2020_2024", "--out", str(out), "--quiet"]
        argv += ["--generations", str(a.generations), "--workers", str(a.workers)]
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the fit's report: not measured here
            ok = cli([*argv, *(["--seed", str(a.seed)] if a.seed is not None else [])]) == 0
        if not ok:
            sys.exit("the calibration failed")
        wall = time.perf_counter() - t
        report = (Path(d) / "fit_report" / "calibration.md").read_text()
    line = next(ln for ln in report.splitlines() if ln.startswith(("ABC-SMC", "ABC rejection")))
    smc_s = re.search(r"; (\d+) s;", line)
    print(line.split(";")[0] + ";" + line.split(";")[1])
    print(f"  the command:                {wall:6.1f} s")
    print(f"  the SMC (its report):       {smc_s.group(1) if smc_s else '?':>6} s")
    print(f"  kernel density ({spent[1]} calls): {spent[0]:6.1f} s (serial, workers waiting)")


if __name__ == "__main__":
    main()
