"""Response surfaces a reader can defend: a headline along each of its driving parameters.

For a shipped forecast, each parameter that drives a headline (first-order Sobol index of 0.1
or more with its interval above zero in the scenario's shipped robustness analysis,
``docs/robustness/NAME``, else its largest total index) is swept alone over its plausible
range -- 11 evenly spaced values, the others at the scenario's own values and the posterior's
draws -- with the same ``replicates`` seeds and posterior sets at every value (common random
numbers).  Two things are flagged:

* **a jump**: the headline moves by more than 20 points between neighbouring values, a tenth of
  the range apart -- a threshold crossing rather than a response;
* **a reversal**: the curve rises by more than ``VISIBLE`` somewhere and falls by more than
  ``VISIBLE`` somewhere else (each measured from its running extreme), beyond what replicate
  noise does at these sizes -- a response a reader cannot explain by one mechanism.

A flag is either fixed in the mechanism or explained in the scenario file, in its
``[explained]`` table (``"exit_below" = "why the response jumps"``); the test
``tests/test_surfaces.py`` holds every shipped scenario to that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliance_sim.analysis.uncertain import (
    Uncertain,
    absolute,
    describe,
    headline_outcomes,
    uncertain,
)
from alliance_sim.scenario.spec import Scenario

POINTS = 11  # values along a parameter's range: neighbours a tenth of the range apart
JUMP = 0.20  # the largest move between neighbours a defensible response makes
VISIBLE = 0.05  # a rise or fall smaller than this is within replicate noise at 200 runs


@dataclass(frozen=True)
class Curve:
    """A headline along one parameter: ``x`` its values, ``p`` the headline at each."""

    outcome: str
    parameter: Uncertain
    x: np.ndarray
    p: np.ndarray

    @property
    def jump(self) -> float:
        return float(np.max(np.abs(np.diff(self.p)))) if len(self.p) > 1 else 0.0

    @property
    def reversal(self) -> tuple[float, float]:
        """The largest rise and the largest fall, each from the curve's running extreme."""
        rise = float(np.max(self.p - np.minimum.accumulate(self.p)))
        fall = float(np.max(np.maximum.accumulate(self.p) - self.p))
        return rise, fall

    @property
    def flags(self) -> list[str]:
        out = []
        if self.jump > JUMP:
            i = int(np.argmax(np.abs(np.diff(self.p))))
            lo, hi = describe(self.x[i], self.parameter), describe(self.x[i + 1], self.parameter)
            out.append(f"jumps {self.p[i]:.0%} -> {self.p[i + 1]:.0%} between {lo} and {hi}")
        rise, fall = self.reversal
        if rise > VISIBLE and fall > VISIBLE:
            out.append(f"not monotone: rises by {rise:.0%} and falls by {fall:.0%}")
        return out

    def describe(self) -> str:
        pts = ", ".join(
            f"{describe(v, self.parameter)}: {q:.0%}" for v, q in zip(self.x, self.p, strict=True)
        )
        return f"{self.outcome} along {self.parameter.name}: {pts}"


def drivers(sc: Scenario, shipped: dict | None) -> dict[str, list[Uncertain]]:
    """Per headline outcome, the parameters that drive it in ``shipped`` (a robustness.json):
    every one with S1 of 0.1 or more, else the one with the largest total index."""
    by_name = {p.name: p for p in uncertain(sc)}
    out: dict[str, list[Uncertain]] = {}
    for h in shipped["headlines"] if shipped else []:
        from alliance_sim.analysis.robustness import strong as visible

        rows = [d for d in h["drivers"] if d["S1"] is not None]
        strong = [d["parameter"] for d in visible(rows)]
        if not strong and rows:
            strong = [max(rows, key=lambda d: d["ST"] or 0.0)["parameter"]]
        out[h["outcome"]] = [by_name[n] for n in strong if n in by_name]
    return out


def curve(sc: Scenario, outcome: str, u: Uncertain, replicates: int, seed: int = 0) -> Curve:
    """``outcome`` (a headline's column) along ``u``'s range, ``POINTS`` values."""
    from alliance_sim.engines.batch import run_batch
    from alliance_sim.scenario.plan import make_plan, spec_for
    from alliance_sim.scenario.runspecs import at_point

    x = np.linspace(u.low, u.high, POINTS)
    if u.quarter:
        x = np.unique(np.rint(x))
    metas = list(make_plan(sc, replicates=replicates, seed=seed, sweep=False).runs())
    base = [spec_for(sc, None, m.posterior) for m in metas]
    seeds = [m.seed for m in metas]
    values = [describe(v, u) if u.quarter else float(v) for v in x]
    specs = [at_point(sc, b, absolute({u.name: v}, b.params, [u])) for v in values for b in base]
    out = run_batch(specs, seeds * len(values), record_every=None)[1]
    y = np.nan_to_num(np.asarray(out[outcome], float), nan=0.0)
    return Curve(outcome, u, x, y.reshape(len(values), replicates).mean(axis=1))


def curves(sc: Scenario, shipped: dict | None, replicates: int = 200) -> list[Curve]:
    """Every headline of ``sc`` along each of its drivers."""
    labels = dict(headline_outcomes(sc))
    return [
        curve(sc, outcome, u, replicates)
        for outcome, us in drivers(sc, shipped).items()
        if outcome in labels
        for u in us
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m alliance_sim.analysis.surfaces NAME...``: each headline along each driver,
    its flags, and the scenario's explanation of each flag (exit 1 if one is unexplained)."""
    import sys

    from alliance_sim.analysis.robustness import shipped
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.scenario.load import load_scenario

    names = sys.argv[1:] if argv is None else argv
    if not names:
        print("usage: python -m alliance_sim.analysis.surfaces SCENARIO...", file=sys.stderr)
        return 2
    unexplained = 0
    for name in names:
        try:
            sc = load_scenario(name)
        except AllianceSimError as e:
            print(f"surfaces: {e}", file=sys.stderr)
            return 2
        found = shipped(name)
        if found is None:
            print(f"{name}: no shipped robustness analysis (docs/robustness/{name})")
            continue
        for c in curves(sc, found):
            print(f"{name}: {c.describe()}")
            for f in c.flags:
                why = sc.explained.get(c.parameter.name)
                unexplained += why is None
                print(f"  FLAG {f}: " + (f"explained: {why}" if why else "NOT EXPLAINED"))
    return 1 if unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
