"""How close does a candidate come to applying of its own accord (mechanism own_application)?

    python scripts/candidate_weighing.py [--runs 400]

For the baseline and ``iran_joins`` (forecasts from the calibrated 2006-2024 replay, the same
seeds and posterior sets in every variant) it prints, at 2034Q4, Iran's and Uzbekistan's
weighing of membership (their ``inclination``; median and 90% range over the runs in which
they are still outside), the share of runs in which each applied of its own accord (refused
or admitted; in ``iran_joins`` Iran's scheduled application is not counted) and Iran's share
as a member: with the shipped values (``application_hazard`` 0.02, ``application_above``
0.6), at the corner of their plausible ranges most favourable to applying (0.05, 0.5), and
with the mechanism off.
"""

from __future__ import annotations

import argparse

import numpy as np

from alliance_sim import load_scenario
from alliance_sim.core import members as mb
from alliance_sim.engines.batch import final_states
from alliance_sim.scenario.plan import spec_for

VARIANTS = {
    "shipped (0.02, 0.6)": {},
    "favourable corner (0.05, 0.5)": {"application_hazard": 0.05, "application_above": 0.5},
    "own_application off": {"mech_own_application": 0},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=400)
    a = ap.parse_args()
    seeds = list(range(a.runs))
    print(f"at 2034Q4, {a.runs} paired runs per variant")
    print(
        "| scenario | variant | state | weighing, median [90%] | applied of its own accord "
        "| Iran a member |"
    )
    print("|---|---|---|---|---|---|")
    for name in ("baseline", "iran_joins"):
        sc = load_scenario(name)
        n_sets = len(sc.posterior.sets) if sc.posterior is not None else 1
        scheduled = any(e.type == "application" for _, e in sc.events)
        for label, point in VARIANTS.items():
            specs = [spec_for(sc, point or None, k % n_sets) for k in range(a.runs)]
            s = final_states(specs, seeds)
            irn_in = (s.status[:, mb.INDEX["IRN"]] > mb.CANDIDATE) & (
                s.status[:, mb.INDEX["IRN"]] != mb.EXITED
            )
            for code in ("IRN", "UZB"):
                i = mb.INDEX[code]
                outside = s.status[:, i] == mb.CANDIDATE
                v = s.inclination[outside, i]
                lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95]) if v.size else (np.nan,) * 3
                if code == "IRN" and scheduled:
                    own = "(scheduled)"
                else:
                    applied = s.refused[:, i] | (s.status[:, i] != mb.CANDIDATE)
                    own = f"{applied.mean():.1%}"
                print(
                    f"| {name} | {label} | {code} | {med:.2f} [{lo:.2f}, {hi:.2f}] | {own} | "
                    + (f"{irn_in.mean():.1%} |" if code == "IRN" else "|")
                )


if __name__ == "__main__":
    main()
