"""evaluate() on a user's design versus simulate() on the Mesa model, per run.

    python benchmarks/bench_evaluate.py              # 2,000-row design, 20 Mesa runs
    python benchmarks/bench_evaluate.py --rows 5000 --mesa-runs 40 --workers 2

The design: a Latin hypercube over western_offer (0.02-0.16), russian_pressure (0.1-0.7) and
members.ARM.pressure_tolerance (0.05-0.4) for the armenia_exits scenario (calibrated: each
replicate draws its posterior set).  Timed: ``evaluate`` of the whole design end to end
(checking, chunking, running, assembling the DataFrame), one process (or ``--workers``);
``simulate(scenario, ..., engine="mesa")`` on the first ``--mesa-runs`` rows one call at a
time (the way SALib or EMA Workbench called it before), with the scenario loaded once (the
fair case) and by name (each call parses the file, as a naive loop does); and ``simulate`` on
the batch engine (the new default) with the loaded scenario.  Import time is not counted;
the first call of each is a warm-up.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from scipy.stats import qmc

from alliance_sim import evaluate, load_scenario, simulate

RANGES = {
    "western_offer": (0.02, 0.16),
    "russian_pressure": (0.1, 0.7),
    "members.ARM.pressure_tolerance": (0.05, 0.4),
}


def lhs(n: int, seed: int = 0) -> pd.DataFrame:
    u = qmc.LatinHypercube(len(RANGES), rng=np.random.default_rng(seed)).random(n)
    return pd.DataFrame(
        {k: lo + u[:, j] * (hi - lo) for j, (k, (lo, hi)) in enumerate(RANGES.items())}
    )


def per_call(rows: pd.DataFrame, engine: str, scenario) -> float:
    simulate(scenario, seed=0, engine=engine, **rows.iloc[0].to_dict())  # warm-up
    t = time.perf_counter()
    for i, (_, row) in enumerate(rows.iterrows()):
        simulate(scenario, seed=i, engine=engine, **row.to_dict())
    return (time.perf_counter() - t) / len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--mesa-runs", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    design = lhs(a.rows)
    evaluate(design.head(10), "armenia_exits")  # warm-up (imports, scenario parsing)
    t = time.perf_counter()
    out = evaluate(design, "armenia_exits", workers=a.workers)
    dt = time.perf_counter() - t
    assert len(out) == a.rows and out["error"].isna().all()
    sc = load_scenario("armenia_exits")  # loaded once: the fairest case for simulate
    mesa = per_call(design.head(a.mesa_runs), "mesa", sc)
    mesa_by_name = per_call(design.head(a.mesa_runs), "mesa", "armenia_exits")
    batch_one = per_call(design.head(a.mesa_runs), "batch", sc)
    per_run = dt / a.rows
    print(
        json.dumps(
            {
                "evaluate_rows": a.rows,
                "evaluate_workers": a.workers,
                "evaluate_seconds": round(dt, 3),
                "evaluate_runs_per_s": round(a.rows / dt, 1),
                "simulate_mesa_s_per_run": round(mesa, 4),
                "simulate_mesa_by_name_s_per_run": round(mesa_by_name, 4),
                "simulate_batch_s_per_run": round(batch_one, 4),
                "speedup_evaluate_vs_mesa_simulate": round(mesa / per_run, 1),
                "speedup_evaluate_vs_mesa_simulate_by_name": round(mesa_by_name / per_run, 1),
                "speedup_simulate_batch_vs_mesa": round(mesa / batch_one, 1),
                "armenia_exit_share": round(float(out["ARM_exited"].mean()), 3),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
