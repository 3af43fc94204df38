"""Each member's status at every year end of a replay, against the record.

    python scripts/status_by_year.py POSTERIOR.parquet [SCENARIO] [--runs 300]

Replays SCENARIO (default: the replay the posterior was fitted to) with the posterior's sets
(run k draws set k) and prints, for each year end and each member in the alliance at the
replay's start, the record's status (in, suspended, exited: ``analysis/record.py``) and the
share of replays in that status ("in" = active or hedging).  docs/validation.md §9 quotes it
for Uzbekistan.
"""

from __future__ import annotations

from replay_sets import OneLineParser, one_line, replay_sets

from alliance_sim.analysis import patterns as pt
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.plan import spec_for


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior")
    ap.add_argument("scenario", nargs="?", help="default: the replay the posterior was fitted to")
    ap.add_argument("--runs", type=int, default=300)
    one_line("status_by_year", report, ap.parse_args())


def report(a) -> None:
    """Print each year end's statuses against the record (the module's docstring)."""
    sc, sets = replay_sets(a.posterior, a.scenario)
    specs = [spec_for(sc, sets[k % len(sets)]) for k in range(a.runs)]
    traj, _ = run_batch(specs, list(range(a.runs)), series=("commitment", "status"))
    by_year: dict[str, list[str]] = {}
    for q, code, want, ok in pt.year_end_matches(sc, traj["status"]):
        by_year.setdefault(q, []).append(f"{code} {want} {ok.mean():.2f}")
    for q, cells in by_year.items():
        print(q, "  ".join(cells))


if __name__ == "__main__":
    main()
