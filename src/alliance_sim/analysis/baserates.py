"""Exit and suspension rates of a result against the alliance's own record.

The reference class (``core/data/observations.toml [base_rates]``, [BRIEF-2014-2024] §2):
4 exits or suspensions (Azerbaijan, Georgia, Uzbekistan 1999; Uzbekistan 2012) in 222
member-years, about 1.8% per member-year (2.25% counting Armenia's 2024 freeze).  A result's
rate: every quarter in which a member is suspended or leaves (or a suspended member leaves) is
an event; member-years are the quarters members spend in the alliance, over 4.

    python -m alliance_sim.analysis.baserates DIR [DIR ...]
"""

from __future__ import annotations

import sys

import numpy as np

from alliance_sim.analysis import record as rc
from alliance_sim.runs.results import Result


def reference() -> dict[str, float]:
    b = rc.raw().get("base_rates", {})
    return {
        "rate": float(b.get("exit_rate_convention_a", np.nan)),
        "rate_with_arm_freeze": float(b.get("exit_rate_convention_a_with_arm_freeze", np.nan)),
        "events": int(b.get("exit_events", 0)),
        "member_years": int(b.get("member_years_convention_a", 0)),
    }


def model_rate(res: Result) -> dict[str, float]:
    """Exits and suspensions per member-year of membership: every quarter in which a member
    that was active or hedging becomes suspended or leaves, or a suspended member leaves, is
    an event (as the reference class counts non-renewals, suspensions and Armenia's freeze);
    member-years are the quarters members spend in the alliance (not exited), over 4.  Iran
    (a candidate) is left out."""
    t = res.arrow("timeseries", ["run", "step", "member", "status"]).to_pandas()
    t = t.assign(member=t["member"].astype(str), status=t["status"].astype(str))
    t = t[t["member"] != "IRN"].sort_values(["run", "member", "step"])
    steps = np.diff(np.sort(t["step"].unique()))
    if len(steps) and (steps != 1).any():
        raise ValueError(f"{res.directory}: base rates need every quarter recorded (--record all)")
    rank = t["status"].map({"active": 0, "hedging": 0, "suspended": 1, "exited": 2}).to_numpy()
    same = (t["run"].to_numpy()[1:] == t["run"].to_numpy()[:-1]) & (
        t["member"].to_numpy()[1:] == t["member"].to_numpy()[:-1]
    )
    events = int((same & (rank[1:] > rank[:-1])).sum())
    quarters_in = int((same & (rank[:-1] < 2)).sum())
    years = quarters_in / 4
    return {"events": events, "member_years": years, "rate": events / max(years, 1e-12)}


def main(argv: list[str] | None = None) -> int:
    """Print the reference class and each result's rate; a folder that is not a finished
    result with every quarter recorded gets one line, exit status 2 (a traceback before)."""
    import argparse

    from alliance_sim.errors import AllianceSimError

    ap = argparse.ArgumentParser(
        prog="python -m alliance_sim.analysis.baserates",
        description="Exit and suspension rates per member-year: the alliance's record, and "
        "each result's (a run or sweep folder written with every quarter, the default)",
    )
    ap.add_argument("dirs", nargs="*", metavar="DIR", help="result folders")
    a = ap.parse_args(argv)
    ref = reference()
    print(
        f"reference class: {ref['events']} exits/suspensions in {ref['member_years']} "
        f"member-years = {ref['rate']:.1%} per member-year "
        f"({ref['rate_with_arm_freeze']:.1%} with Armenia's 2024 freeze)"
    )
    for d in a.dirs:
        try:
            res = Result.open(d)
            r = model_rate(res)
        except (AllianceSimError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(
            f"{res.name} ({res.plan.start}-{res.plan.end}, {res.plan.n_runs} runs): "
            f"{r['events']} exits or suspensions in {r['member_years']:,.0f} member-years = "
            f"{r['rate']:.1%} per member-year"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
