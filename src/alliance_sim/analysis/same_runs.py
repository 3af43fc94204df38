"""Two compared results that hold the same runs: allowed (a check of a report), but every
difference between them is zero by construction, and a reader should be told.  So are two
results of which one is the other cut short (``base`` and ``base --end 2028Q4``: the same
seeds run the same quarters to 2028Q4), compared at or before the shorter one's end."""

from __future__ import annotations

from pathlib import Path

from alliance_sim.runs.results import Result


class SameRunsNote(UserWarning):
    """Two of the compared results hold the same runs: every difference is zero."""


def same_runs_notes(results: list[Result], names: list[str] | None = None) -> list[str]:
    """One line for each result that holds the runs of one named before it: the same runs
    (scenario, model and seeds), the same folder named twice, or the earlier one's runs cut
    at its ``--end`` (or the other way round).  ``names``: how each result is named to the
    user (its folder as typed; default its directory)."""
    names = names or [str(r.directory) for r in results]
    seen: dict[tuple, str] = {}
    earlier: list[tuple[Result, str]] = []
    notes = []
    for r, name in zip(results, names, strict=True):
        m = r.manifest
        key = (m.scenario_hash, *_design(m))
        if key in seen:
            first = seen[key]
            what = (
                f"{name} is named twice"
                if Path(r.directory).resolve() == Path(_dir(results, names, first)).resolve()
                else f"{name} holds the same runs as {first} (scenario, model and seeds)"
            )
            notes.append(f"{what}: every difference between them is zero by construction")
        else:
            for other, oname in earlier:
                if (cut := _cut(other, r)) is not None:
                    short, long_ = (name, oname) if cut == r.plan.end else (oname, name)
                    notes.append(
                        f"{short} holds the runs of {long_} to {cut} (the same scenario, "
                        f"model and seeds, cut at --end {cut}): every difference between "
                        f"them to {cut} is zero by construction"
                    )
                    break
        seen.setdefault(key, name)
        earlier.append((r, name))
    return notes


def _design(m) -> tuple:
    """What, beside the scenario, makes two results' runs the same: the model, the seeds, the
    runs, and a run or a sweep of so many points (a one-point sweep of the baseline samples
    values of its own, which a run of it does not: the same hash, seeds and runs: red team)."""
    return (m.model, tuple(m.seeds), m.plan.n_runs, m.kind, m.plan.n_points)


def _dir(results: list[Result], names: list[str], name: str) -> str:
    return str(results[names.index(name)].directory)


def _cut(a: Result, b: Result) -> str | None:
    """The end of the shorter of ``a`` and ``b`` when its runs are the longer one's cut there
    (the longer one's scenario file, read again and run to that end, has the shorter one's
    hash; the same model, seeds and runs); else None."""
    from alliance_sim.core.quarters import steps_between
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.runs.identity import scenario_as_run
    from alliance_sim.scenario.load import with_end

    ma, mb_ = a.manifest, b.manifest
    if _design(ma) != _design(mb_) or ma.plan.end == mb_.plan.end:
        return None
    long_, short = (a, b) if steps_between(mb_.plan.end, ma.plan.end) > 0 else (b, a)
    ms = short.manifest
    try:
        own, _ = scenario_as_run(long_.manifest, long_.directory)
        if own is None:
            return None
        cut = with_end(own, ms.plan.end, sweep=ms.kind != "run", warn=0)
    except (AllianceSimError, ValueError, OSError):
        return None
    return ms.plan.end if cut.hash == ms.scenario_hash else None


def same_runs_note(results: list[Result]) -> None:
    """A note (:class:`SameRunsNote`) for each line of :func:`same_runs_notes`: allowed, a
    check of a report, but it answers no question; the command line said so and Python did
    not (``compare_results([a, a])``)."""
    from alliance_sim.errors import warn_user

    for note in same_runs_notes(results):
        warn_user(note, SameRunsNote)
