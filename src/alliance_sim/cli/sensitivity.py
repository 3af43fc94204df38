"""``alliance-sim sensitivity DIR``: Sobol or Morris indices of a sweep's outcomes, a table
and a chart each (:mod:`alliance_sim.analysis.sensitivity`), with what the indices cannot
carry said beside the table it concerns (:mod:`alliance_sim.analysis.reliability`)."""

from __future__ import annotations

import argparse

from alliance_sim.paths import writable_dir


def cmd_sensitivity(a: argparse.Namespace) -> int:
    from alliance_sim.analysis import reliability
    from alliance_sim.analysis.sensitivity import check_design, check_outcome
    from alliance_sim.runs.locks import drawing
    from alliance_sim.runs.results import Result, design_note

    res = Result.open(a.directory).design()  # the sampler's own points, not refine's
    if note := design_note(res):
        print(note)
    res.check_some_ran("analyse")
    check_design(res)  # a sweep not sampled for sensitivity analysis: one line, exit 2
    out = writable_dir(a.out if a.out is not None else a.directory, "--out")
    outcomes, beside = a.outcome, {}
    check_outcome(res, *(outcomes or ()))  # one line before anything is written
    if not outcomes:
        outcomes, notes = reliability.default_outcomes(res)
        for outcome, note in notes:  # a default replaced: said beside the table that replaces it
            if outcome is None:
                print(note)
            else:
                beside[outcome] = note
    if not outcomes:
        print(
            f"{a.directory}: no focus member's exit or commitment, nor cohesion, varies over "
            "the design; name an outcome with --outcome"
        )
        return 0
    # another sensitivity (or plot) into this folder at once: refused in one line; two writers
    # had left one sweep's tables beside another's charts, each checked before either wrote
    with drawing(out, "sensitivity tables and charts"):
        return _write(a, res, out, outcomes, beside)


def _write(a: argparse.Namespace, res, out, outcomes: list[str], beside: dict[str, str]) -> int:
    """Each outcome's indices: printed, and written to ``out`` as a CSV table and a chart."""
    from alliance_sim.analysis import reliability
    from alliance_sim.analysis.sensitivity import analyse
    from alliance_sim.progress import bar
    from alliance_sim.report.figures import sensitivity_over_others
    from alliance_sim.report.sweep_plots import sensitivity_chart
    from alliance_sim.runs.atomic import atomic_write_bytes

    theirs = sensitivity_over_others(res, out, outcomes)  # before any work: refusals, notes
    if None in theirs:
        print(f"note: {theirs[None]}")
    progress = bar(len(outcomes), "outcomes", unit="outcome", initial=0)
    for outcome in outcomes:
        progress.set_postfix_str(outcome)
        skip = reliability.constant_outcome(res, outcome)
        if skip:
            progress.write(skip)
            progress.update(1)
            continue
        table = analyse(res, outcome)
        progress.update(1)
        if outcome in beside:
            print(f"note: {beside[outcome]}")
        print("\n".join(reliability.printed(res, table, outcome)))
        csv = out / f"sensitivity_{outcome}.csv"  # the table as printed, to cite or plot anew
        atomic_write_bytes(csv, table.to_csv(float_format="%.6g").encode())
        print(csv)
        print(sensitivity_chart(table, res.manifest, out / f"sensitivity_{outcome}.png"))
        if outcome in theirs:
            print(f"note: {out}: {theirs[outcome]}, now replaced by {a.directory}'s")
        print()
    progress.close()
    return 0
