"""Ablation of the named mechanisms: each switch off vs all on, on every shipped forecast.

    python benchmarks/ablation.py [--replicates 200] [--seed 0] [--scenarios a b ...]

For each shipped scenario (its own parameter values, no sweep, parameter sets drawn from its
calibrated posterior as a forecast does) it runs ``--replicates`` runs on the batch engine
with every mechanism on (the defaults), with each mechanism's switch (``mech_<name>``, see
``alliance-sim list mechanisms``) set to 0 in turn, and with all switches at 0 (the model
before the mechanisms).  All variants share the same seeds (paired: the differences are the
mechanisms', not the draws').  It prints a Markdown table of the headline outcomes: the
probability that each focus member has exited at the horizon (for ``IRN``: that it has joined,
where that outcome exists), with the Wilson 95% interval of the all-on column on its effective
runs (runs on one distinct parameter set of the posterior counted once, as ``run`` counts).

The forecasts start from the calibrated replay's end states, computed with every mechanism
on; a switch set to 0 acts from the forecast's start.  A second table does the same for the
calibrated replay the forecasts continue (``--replay``, default the 2006-2024 one; each switch
off for the whole replay): the share of runs reproducing each of the five patterns and all five
together, and the Brier score of the observables against the record (``analysis/record.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

import numpy as np

from alliance_sim import load_scenario
from alliance_sim.analysis import patterns as pt
from alliance_sim.analysis import record as rc
from alliance_sim.analysis.design import clustered_mean
from alliance_sim.analysis.robustness import run_sets
from alliance_sim.core import quarters
from alliance_sim.core.mechanisms import MECHANISMS
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.files import list_scenarios
from alliance_sim.scenario.plan import make_plan, spec_for


def outcome(code: str, out: dict[str, np.ndarray]) -> tuple[str, np.ndarray]:
    """The headline outcome of member ``code`` run by run: joined (IRN, if tracked) or
    exited (0 where the member never joined)."""
    if code == "IRN" and "IRN_joined" in out:
        return "joined", np.nan_to_num(out["IRN_joined"], nan=0.0).astype(float)
    return "exited", np.nan_to_num(out[f"{code}_exited"], nan=0.0).astype(float)


def headline(code: str, out: dict[str, np.ndarray]) -> tuple[str, float]:
    """The headline outcome of member ``code``: its share of runs."""
    what, y = outcome(code, out)
    return what, float(y.mean())


def paired(on: np.ndarray, off: np.ndarray, sets: np.ndarray, seed: int, n: int = 2000) -> str:
    """off - on with a 95% interval from a bootstrap over parameter sets: each run is one seed
    and one posterior row under both variants, and the runs on one distinct set (rows the
    calibration's resampling repeated) are one unit, resampled whole."""
    d = off - on
    _, idx = np.unique(sets, return_inverse=True)
    sums, counts = np.bincount(idx, weights=d), np.bincount(idx).astype(float)
    rng = np.random.default_rng(seed)
    draw = rng.integers(0, len(sums), (n, len(sums)))
    means = sums[draw].sum(axis=1) / counts[draw].sum(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return f"{d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]"


def variants() -> list[tuple[str, dict[str, int]]]:
    off_all = {m.switch: 0 for m in MECHANISMS}
    return (
        [("all on", {})]
        + [(f"{m.name} off", {m.switch: 0}) for m in MECHANISMS]
        + [("all off", off_all)]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scenarios", nargs="*", default=None)
    ap.add_argument("--replay", default="history_2006_2024_calibrated")
    ap.add_argument(
        "--paired",
        action="store_true",
        help="also print each switch's effect (off - on) with a paired 95%% interval",
    )
    a = ap.parse_args(argv)
    try:
        return _run(a)
    except ScenarioError as e:  # a misspelt scenario or replay: one line, exit 2
        print(f"ablation: {e}", file=sys.stderr)
        return 2


def _run(a: argparse.Namespace) -> int:
    for name in [*(a.scenarios or []), a.replay]:
        load_scenario(name)  # checked before anything runs
    names = a.scenarios or [f.stem for f in list_scenarios() if not f.stem.startswith("history_")]
    vs = variants()
    print(
        "| scenario | member | outcome | "
        + " | ".join(v for v, _ in vs)
        + " |\n|"
        + "---|" * (3 + len(vs))
    )
    t0 = time.perf_counter()
    effects: list[str] = []
    for name in names:
        sc = load_scenario(name)
        plan = make_plan(sc, replicates=a.replicates, seed=a.seed, sweep=False)
        metas = list(plan.runs())
        base = [spec_for(sc, m.values, m.posterior) for m in metas]
        seeds = [m.seed for m in metas]
        sets = run_sets(metas)  # the independent unit: a distinct parameter set
        results = {}
        for label, switches in vs:
            specs = [replace(s, params={**s.params, **switches}) for s in base]
            results[label] = run_batch(specs, seeds, record_every=None)[1]
        for code in sc.focus or ("ARM", "KAZ"):
            cells = []
            for label, _ in vs:
                what, p = headline(code, results[label])
                cell = f"{p:.2f}"
                if label == "all on":  # Wilson on the effective runs, a set counted once
                    e = clustered_mean(outcome(code, results[label])[1], sets, binary=True)
                    cell += f" [{e.lo:.2f}, {e.hi:.2f}]"
                cells.append(cell)
            print(f"| {name} | {code} | P({what}) | " + " | ".join(cells) + " |")
            if a.paired:
                on = outcome(code, results["all on"])[1]
                diffs = [paired(on, outcome(code, results[v])[1], sets, a.seed) for v, _ in vs[1:]]
                effects.append(f"| {name} | {code} | P({what}) | " + " | ".join(diffs) + " |")
    if a.paired:
        print("\nEach switch's effect, off - on, paired 95% interval (bootstrap over sets):\n")
        print("| scenario | member | outcome | " + " | ".join(v for v, _ in vs[1:]) + " |")
        print("|" + "---|" * (3 + len(vs) - 1))
        print("\n".join(effects))
    replay_table(a.replay, a.replicates, a.seed, vs)
    print(
        f"\n{a.replicates} runs per cell, seed {a.seed}, batch engine, "
        f"{time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    return 0


def replay_table(name: str, runs: int, seed: int, vs: list[tuple[str, dict[str, int]]]) -> None:
    sc = load_scenario(name)
    plan = make_plan(sc, replicates=runs, seed=seed, sweep=False)
    metas = list(plan.runs())
    base = [spec_for(sc, m.values, m.posterior) for m in metas]
    seeds = [m.seed for m in metas]
    obs = rc.window(quarters.shift(sc.start, 1), sc.end)
    keys = [*pt.KEYS, "five", "all"]
    if quarters.steps_between(sc.start, pt.PERIOD[0]) <= 0:  # no years before 2020: no record
        keys = [k for k in keys if k not in (pt.MEMBERSHIP.key, "five")]
    print(f"\n| {name} | " + " | ".join(keys) + " | Brier |\n|" + "---|" * (len(keys) + 2))
    for label, switches in vs:
        specs = [replace(s, params={**s.params, **switches}) for s in base]
        traj, _ = run_batch(specs, seeds)
        res = pt.measure(sc, traj["commitment"], traj["status"])
        rates = pt.rates(res)
        five = {k: r for k, r in res.items() if k != pt.MEMBERSHIP.key}  # those of 2020-2024
        rates["five"] = float(np.mean(pt.joint(five)))
        brier = rc.brier(obs, traj, sc.start).mean()
        cells = " | ".join(f"{rates[k]:.2f}" for k in keys)
        print(f"| {label} | {cells} | {brier:.3f} |")


if __name__ == "__main__":
    raise SystemExit(main())
