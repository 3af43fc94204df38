"""Two compared results that hold the same runs: allowed (a check of a report), but every
difference between them is zero by construction, and a reader should be told."""

from __future__ import annotations

from pathlib import Path

from alliance_sim.runs.results import Result


class SameRunsNote(UserWarning):
    """Two of the compared results hold the same runs: every difference is zero."""


def same_runs_note(results: list[Result]) -> None:
    """A note (:class:`SameRunsNote`) where two results hold the same runs (scenario, model,
    seeds): allowed, a check of a report, but it answers no question; the command line said
    so and Python did not (``compare_results([a, a])``)."""
    from alliance_sim.errors import warn_user

    seen: dict[tuple, Result] = {}
    for r in results:
        m = r.manifest
        key = (m.scenario_hash, m.model, tuple(m.seeds), m.plan.n_runs)
        if key in seen:
            first = seen[key]
            what = (
                f"{r.directory} is named twice"
                if Path(r.directory).resolve() == Path(first.directory).resolve()
                else f"{r.directory} holds the same runs as {first.directory} (scenario, model "
                "and seeds)"
            )
            warn_user(f"{what}: every difference between them is zero by construction",
                      SameRunsNote)  # fmt: skip
        seen.setdefault(key, r)
