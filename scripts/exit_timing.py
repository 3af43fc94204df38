"""Does the fitted model let a member leave when the record says it left, or drift it out?

    python scripts/exit_timing.py POSTERIOR.parquet [--member UZB] [--before 2011Q4]
        [--after 2012Q4] [--to exited|suspended] [--runs 400] [--set NAME=VALUE ...]
        [--scenario REPLAY]

Replays SCENARIO with the posterior's sets (run k draws set k, seed k) and prints, for one
member, the share of replays in which it is still in the alliance (active or hedging) at
``--before``, the share in which it is in status ``--to`` (exited; or suspended, Armenia's
freeze of February 2024) at ``--after``, and the JOINT share of both: the record's sequence
(Uzbekistan attended the Council in December 2011, sent its note in June 2012 and was
suspended by the Council in December 2012: [BRIEF-2006-2014] §5).  A model that gets the
single shares right but not the joint one moves the member out at the wrong time.  ``--set``
overrides a parameter in every set (to see a mechanism's effect).  The replay is the one the
posterior was fitted to (its file says which) unless ``--scenario`` names another.
"""

from __future__ import annotations

import argparse
import sys

from replay_sets import one_line, replay_sets

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.params import BY_NAME
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.plan import spec_for


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior", help="a posterior written by alliance-sim calibrate")
    ap.add_argument("--scenario", help="the replay (default: the one the posterior was fitted to)")
    ap.add_argument("--member", default="UZB", help="member code (default UZB)")
    ap.add_argument("--before", default="2011Q4", help="quarter it is still in (active/hedging)")
    ap.add_argument("--after", default="2012Q4", help="quarter by which it has left")
    ap.add_argument(
        "--to", choices=("exited", "suspended"), default="exited", help="its status at --after"
    )
    ap.add_argument("--runs", type=int, default=400, help="replays (set k and seed k)")
    ap.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override in every set"
    )
    one_line("exit_timing", report, ap.parse_args())


def report(a: argparse.Namespace) -> None:
    """Print the member's single and joint shares (the module's docstring)."""
    sc, sets = replay_sets(a.posterior, a.scenario)
    bad = [
        f"--{k} {q}: allowed {sc.start} to {sc.end} (the replay's quarters)"
        for k, q in (("before", a.before), ("after", a.after))
        if not _within(q, sc.start, sc.end)
    ]
    if a.member not in mb.ALLIES:
        bad.append(f"--member {a.member}: allowed {', '.join(mb.ALLIES)}")
    if not 1 <= a.runs <= 20_000:
        bad.append(f"--runs {a.runs}: allowed 1 to 20,000")
    if bad:
        print(f"exit_timing: {bad[0]}", file=sys.stderr)
        raise SystemExit(2)
    extra = {}
    for item in a.set:
        name, eq, value = item.partition("=")
        try:
            extra[name] = float(value)
        except ValueError:
            raise ValueError(f"--set {item}: allowed NAME=NUMBER") from None
        if not eq or name not in BY_NAME:
            raise ValueError(f"--set {item}: {name!r} is not a global parameter")
    specs = [spec_for(sc, {**sets[k % len(sets)], **extra}) for k in range(a.runs)]
    traj, _ = run_batch(specs, list(range(a.runs)), series=("status",))
    status = traj["status"][:, :, mb.INDEX[a.member]]

    def at(q: str):
        return status[quarters.steps_between(sc.start, q)]

    inside = (at(a.before) >= mb.ACTIVE) & (at(a.before) < mb.SUSPENDED)
    out = at(a.after) == (mb.EXITED if a.to == "exited" else mb.SUSPENDED)
    shown = ", ".join(f"{k}={v:g}" for k, v in extra.items()) or "as fitted"
    when = "by" if a.to == "exited" else "at"  # an exit is final; a freeze can end
    print(
        f"{a.member} ({a.runs} replays, {shown}): in at {a.before} {inside.mean():.2f}; "
        f"{a.to} {when} {a.after} {out.mean():.2f}; both (the record) {(inside & out).mean():.2f}"
    )


def _within(q: str, start: str, end: str) -> bool:
    try:
        return quarters.parse(start) <= quarters.parse(q) <= quarters.parse(end)
    except ValueError:
        return False


if __name__ == "__main__":
    main()
