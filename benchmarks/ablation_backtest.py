"""The out-of-sample backtest with each mechanism switched off (fit and forecast alike).

    python benchmarks/ablation_backtest.py [--draws 500] [--generations 10] [--replicates 32]

For each variant (all on, each ``mech_*`` switch at 0, all off) the replay is calibrated up to
2022Q4 and forecast to 2024Q4 exactly as ``alliance-sim backtest history_2020_2024
--fit-until 2022Q4`` does (analysis/backtest.py), by default with the replay's own calibration
settings (smaller ones are quicker but the fits then differ more between variants than the
mechanisms do); it prints the Brier scores of the model, persistence and the base
rate and the model's skill against both.  Same seeds for every variant.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

from alliance_sim import load_scenario
from alliance_sim.analysis.backtest import backtest
from alliance_sim.core.mechanisms import MECHANISMS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--generations", type=int, default=10)
    ap.add_argument("--replicates", type=int, default=32)
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    sc = load_scenario("history_2020_2024")
    variants = [("all on", {})] + [(f"{m.name} off", {m.switch: 0}) for m in MECHANISMS]
    variants.append(("all off", {m.switch: 0 for m in MECHANISMS}))
    print(
        "| variant | model Brier | persistence | base rate | skill vs persistence | vs base rate |"
    )
    print("|---|---|---|---|---|---|")
    t0 = time.perf_counter()
    for label, switches in variants:
        bt = backtest(
            replace(sc, params={**sc.params, **switches}),
            fit_until="2022Q4",
            draws=a.draws,
            generations=a.generations,
            replicates=a.replicates,
            runs=a.runs,
            workers=a.workers,
        )
        s = bt.summary
        print(
            f"| {label} | {s['model_brier']:.3f} | {s['persistence_brier']:.3f} | "
            f"{s['base_rate_brier']:.3f} | {s['skill_vs_persistence']:+.2f} | "
            f"{s['skill_vs_base_rate']:+.2f} |",
            flush=True,
        )
    print(
        f"\n{a.draws} particles x {a.generations} generations x {a.replicates} seeds per fit, "
        f"{a.runs} forecast runs; {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
