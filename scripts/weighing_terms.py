"""What turns a member's weighing, quarter by quarter, in the replay a posterior was fitted to?

    python scripts/weighing_terms.py POSTERIOR.parquet [--member UZB] [--runs 100]
        [--every 4] [--to 2012Q4]

Replays the history the posterior was fitted to with its sets (run k draws set k, seed k:
as ``scripts/exit_timing.py`` does) on the Mesa model, the reference, and prints for one
member, at every ``--every``-th quarter up to ``--to``, the median over the runs of each term
of its weighing (:func:`alliance_sim.core.dynamics.pulls`, in utility units: security,
dependence, regime, inducement, pressure, west, china, grievance, contagion, patron,
entrapment), the target they give (``weigh``: the logistic of their sum and
``commitment_bias``), its commitment after the quarter, and the shares of runs in which it is
suspended and has left.  A member whose target falls years before the record's exit leaves
for a reason the model gives it early; one whose commitment lags far behind its target
leaves slowly.  Runs in which the member has left are left out of the medians (nothing reads
its weighing then).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from replay_sets import OneLineParser, one_line, replay_sets

from alliance_sim.core import dynamics as dyn
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.engines.mesa_model import AllianceModel
from alliance_sim.scenario.checks import quarter_at
from alliance_sim.scenario.plan import spec_for


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior", help="a posterior written by alliance-sim calibrate")
    ap.add_argument("--member", default="UZB", help="member code (default UZB)")
    ap.add_argument("--runs", type=int, default=100, help="replays (set k and seed k)")
    ap.add_argument("--every", type=int, default=4, help="print every N-th quarter")
    ap.add_argument("--to", help="last quarter printed (default: the replay's end)")
    one_line("weighing_terms", report, ap.parse_args())


def report(a: argparse.Namespace) -> None:
    """Print the member's weighing terms by quarter (the module's docstring)."""
    sc, sets = replay_sets(a.posterior)
    to = quarter_at(a.to or sc.end, "--to", after=sc.start, upto=sc.end)  # 2012: 2012Q4?
    if not 1 <= a.runs <= 2_000:
        raise ValueError(f"--runs {a.runs}: allowed 1 to 2,000")
    if not 1 <= a.every <= 40:
        raise ValueError(f"--every {a.every}: allowed 1 to 40")
    last = quarters.steps_between(sc.start, to)
    if not 1 <= last <= sc.n_steps:
        raise ValueError(f"--to {to}: allowed after {sc.start} up to {sc.end} (the replay's)")
    first = AllianceModel.from_spec(spec_for(sc, sets[0]), 0).state.status[0]
    members = [c for c in mb.ALLIES if first[mb.INDEX[c]] != mb.CANDIDATE]  # not Iran
    if a.member not in members:  # the allowed list named Iran, then refused it (a red-team)
        outside = " (a candidate, not a member, at its start)" if a.member in mb.ALLIES else ""
        raise ValueError(
            f"--member {a.member}{outside}: allowed a member at {sc.start}: {', '.join(members)}"
        )
    j = mb.INDEX[a.member]
    seen: dict[str, float] = {}
    original, weighing = dyn.pulls, dyn.weigh
    inside = [False]  # pulls is called by weigh (the decision) and again, after the quarter,
    # by the record's influence shares: only the decision's terms are kept (a red-team)

    def weigh(*args, **kwargs):
        inside[0] = True
        try:
            return weighing(*args, **kwargs)
        finally:
            inside[0] = False

    def kept(s, P, pressure, cols=dyn.ALL):  # the Mesa model weighs one member at a time
        terms = original(s, P, pressure, cols)
        here = list(np.arange(s.status.shape[1])[cols])
        if inside[0] and j in here:
            i = here.index(j)
            seen.update({k: float(np.asarray(v)[0, i]) for k, v in terms.items()})
            seen["target"] = float(
                dyn.expit(P.commitment_bias[0, 0] + sum(float(np.asarray(v)[0, i])
                                                       for v in terms.values()))
            )  # fmt: skip
        return terms

    shown = [t for t in range(1, last + 1) if t % a.every == 0 or t == last]
    rows: list[dict] = []
    dyn.pulls, dyn.weigh = kept, weigh
    try:
        for k in range(a.runs):
            model = AllianceModel.from_spec(spec_for(sc, sets[k % len(sets)]), k)
            for t in range(1, last + 1):
                seen.clear()
                model.step()
                if t in shown:
                    st = int(model.state.status[0, j])
                    c = float(model.state.commitment[0, j])
                    left = st == mb.EXITED
                    row = {"step": t, **seen, "commitment": c, "suspended": st == mb.SUSPENDED}
                    rows.append({**row, "left": left})
    finally:
        dyn.pulls, dyn.weigh = original, weighing
    df = pd.DataFrame(rows)
    terms = [c for c in df.columns if c not in ("step", "suspended", "left")]
    print(f"{a.member}, {a.runs} replays of {sc.name} with the posterior's sets: medians over "
          "the runs in which it has not left")  # fmt: skip
    print("| quarter | " + " | ".join(terms) + " | suspended | left |")
    print("|---" * (len(terms) + 3) + "|")
    for t, g in df.groupby("step"):
        inside = g[~g["left"]]
        cells = [f"{inside[c].median():+.2f}" if len(inside) else "—" for c in terms]
        print(f"| {quarters.shift(sc.start, int(t))} | " + " | ".join(cells)
              + f" | {g['suspended'].mean():.2f} | {g['left'].mean():.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
