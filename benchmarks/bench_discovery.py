"""Scenario discovery and refinement on armenia_exits, end to end, with timings.

    python benchmarks/bench_discovery.py [--samples 200] [--replicates 20] [--rounds 2]

Writes a scenario that extends the shipped armenia_exits with a Latin hypercube over
western_offer (0.02-0.16), russian_pressure (0.1-0.7) and members.ARM.pressure_tolerance
(0.05-0.4), sweeps it (``--record end``), runs ``alliance-sim discover`` (box in words) and
``--rounds`` rounds of ``alliance-sim refine --runs 400``, each timed as a fresh process (so
import time counts, as a user sees it).  Then, from runs.parquet, the mean |P(exit) - 0.5|
per point of the original design and of each round's points (P = share of a point's
replicates in which Armenia exits).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "alliance_sim", *args], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - t, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        sc = Path(d) / "arm_lhs.toml"
        sc.write_text(
            'name = "Armenia exits? (LHS over three levers)"\n'
            'description = "armenia_exits with a Latin hypercube over three levers."\n'
            f'extends = "{ROOT / "scenarios" / "armenia_exits.toml"}"\n'
            f'[sweep]\nsampler = "lhs"\nsamples = {a.samples}\nreplicates = {a.replicates}\n'
            "seed = 7\n[sweep.parameters]\nwestern_offer = { low = 0.02, high = 0.16 }\n"
            "russian_pressure = { low = 0.1, high = 0.7 }\n"
            '"members.ARM.pressure_tolerance" = { low = 0.05, high = 0.4 }\n',
            "utf-8",
        )
        out = Path(d) / "arm"
        s, _ = cli("sweep", str(sc), "--out", str(out), "--record", "end", "--quiet")
        print(f"sweep: {a.samples * a.replicates:,} runs in {s:.1f} s")
        s, text = cli("discover", str(out), "--outcome", "ARM_exited")
        print(f"discover: {s:.1f} s\n{text.split(chr(10))[0]}\n")
        for _ in range(a.rounds):
            s, text = cli("refine", str(out), "--outcome", "ARM_exited", "--runs", "400")
            print(f"refine: {s:.1f} s\n{text}")
        runs = pd.read_parquet(out / "runs.parquet", columns=["point", "ARM_exited"])
        p = runs.groupby("point")["ARM_exited"].mean()
        new = (400 // a.replicates) or 1
        groups = {"original design": p.index < a.samples}
        for r in range(a.rounds):
            lo = a.samples + r * new
            groups[f"round {r + 1}"] = (p.index >= lo) & (p.index < lo + new)
        for name, sel in groups.items():
            x = p[sel]
            band = ((x > 0.25) & (x < 0.75)).mean()
            print(
                f"{name:<16} {len(x):>4} points  mean |P(exit) - 0.5| = "
                f"{(x - 0.5).abs().mean():.3f}  share with 0.25 < P < 0.75: {band:.0%}"
            )


if __name__ == "__main__":
    main()
