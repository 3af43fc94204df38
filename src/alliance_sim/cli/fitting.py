"""The ``alliance-sim`` verbs that fit, test and explore: calibrate, backtest, robustness,
discover, refine, export (the others are in :mod:`alliance_sim.cli.commands`).  The module is
long because it holds the command-line glue of six verbs, each with its refusals before work."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

from alliance_sim.errors import UserError
from alliance_sim.paths import user_path, writable_dir, writable_file


def interrupted(where: object) -> int:
    """After Ctrl-C in a sweep or a refine round: say where the finished chunks are and how to
    resume; exit status 130."""
    print(
        f"\ninterrupted: finished chunks are kept in {where}; run the same command again to resume",
        file=sys.stderr,
    )
    return 130


def stopped_fit(verb: str, out: object) -> int:
    """After Ctrl-C during a fit (``calibrate``, ``backtest``): nothing is resumable and
    nothing was written; exit status 130."""
    kept = f"{out} is as it was" if os.path.exists(str(out)) else f"{out} was not created"
    print(
        f"\ninterrupted: a {verb} does not resume, and nothing was written ({kept}); run the "
        "same command again to start afresh",
        file=sys.stderr,
    )
    return 130


def kept(there: bool, option: str, what: str) -> None:
    """Refuse (one line) to replace ``what`` alliance-sim wrote at ``option`` without --force:
    a fit or backtest of minutes had been lost to a re-run with other settings (helper-111)."""
    if there:
        raise UserError(
            f"{option} holds {what} alliance-sim wrote; add --force to replace it, or choose "
            f"another {option.split()[0]}"
        )


def _fit(a: argparse.Namespace) -> dict:
    """The calibration settings ``calibrate`` and ``backtest`` share (cli.main._fit_options),
    with the worker count checked against this machine."""
    from alliance_sim.limits import check_run_options

    check_run_options(workers=a.workers)
    return dict(
        draws=a.draws,
        generations=a.generations,
        replicates=a.replicates,
        workers=a.workers,
        quiet=a.quiet,
    )


def cmd_calibrate(a: argparse.Namespace) -> int:
    from alliance_sim.runs.locks import drawing

    # held from the checks to the last write: two calibrates into one --out both passed the
    # check before either wrote, and the first fit was lost without --force (helper-113)
    with drawing(writable_file(a.out, "--out"), "a posterior", "writing"):
        return _calibrate(a)


def _calibrate(a: argparse.Namespace) -> int:
    from alliance_sim.analysis.calibrate import calibrate, write_calibration
    from alliance_sim.analysis.patterns import PATTERNS, count_words
    from alliance_sim.report.calibration import check_report_dir, write_report
    from alliance_sim.scenario.posterior import is_ours

    out = writable_file(a.out, "--out")
    if out.exists() and not is_ours(out):
        raise UserError(
            f"--out {a.out} exists and is not a posterior alliance-sim wrote; choose another "
            "--out (alliance-sim replaces only its own .parquet posteriors)"
        )
    kept(out.exists() and not a.force, f"--out {a.out}", "a posterior")
    report = a.report if a.report is not None else out.with_name(out.stem + "_report")
    writable_dir(report, "--report")
    ours = (check_report_dir(report) / "calibration.md").is_file()  # (foreign: refused)
    kept(ours and not a.force, f"--report {report}", "a calibration report")
    try:
        cal = calibrate(a.scenario, seed=a.seed, method=a.method, until=a.fit_until, **_fit(a))
    except KeyboardInterrupt:
        return stopped_fit("calibration", a.out)
    out = write_calibration(cal, a.out)
    report = write_report(cal, report)
    print(
        f"{cal.result.simulations:,} parameter sets x {cal.replicates} seeds in "
        f"{cal.seconds:.0f} s ({cal.method}); {len(cal.posterior)} posterior sets written"
    )
    # new replays of the fitted period itself: an in-sample check, not a forecast
    changes = [k for k in cal.after if " by " in k or k == "statuses_every_year"]
    w = max([39, *(len(k) + 2 for k in changes)])  # (a joint row's label is the longest)
    print(f"{'pattern (1,000 new replays, in-sample)':<{w}}{'before':>8}{'after':>8}")
    for p in PATTERNS:
        if p.key in cal.after:
            print(f"{p.key:<{w}}{cal.before[p.key]:>8.0%}{cal.after[p.key]:>8.0%}")
    every = f"all {count_words(cal.after)} in the same run"
    print(f"{every:<{w}}{cal.before['all']:>8.0%}{cal.after['all']:>8.0%}")
    b0, b1 = cal.before["brier"], cal.after["brier"]
    print(f"{'Brier score of the observables':<{w}}{b0:>8.3f}{b1:>8.3f}")
    for k in changes:
        label = "statuses as recorded, every year" if k == "statuses_every_year" else k
        print(f"{label:<{w}}{cal.before[k]:>8.0%}{cal.after[k]:>8.0%}")
    weak = cal.contraction.loc[~cal.contraction["identified"], "parameter"].tolist()
    print(f"not identified by the data: {', '.join(weak) or 'none'}")
    if (note := cal.collapse_note()) is not None:
        print(f"warning: {note}")
    if (note := cal.worse_note()) is not None:
        print(f"note: {note}")
    print(f"wrote {out} and {report}")
    return 0


def cmd_backtest(a: argparse.Namespace) -> int:
    from alliance_sim.report.backtest import check_out, held

    writable_dir(a.out, "--out")
    check_out(a.out)  # before the fit: a folder it may not write into is refused now
    there = (user_path(a.out) / "backtest.json").is_file()
    kept(there and not a.force, f"--out {a.out}", "a backtest")
    with held(a.out):  # and no second backtest writes into it meanwhile
        return _rolling(a) if a.origins is not None else _single(a)


def _single(a: argparse.Namespace) -> int:
    from alliance_sim.analysis.backtest import backtest
    from alliance_sim.report.backtest import write_backtest
    from alliance_sim.scenario.history import MAX_UNMATCHED

    if a.horizon is not None:
        from alliance_sim.errors import ScenarioError

        raise ScenarioError(
            "--horizon: allowed with --origins only (a backtest from --fit-until forecasts to "
            "the end of the replay)"
        )
    try:
        bt = backtest(
            a.scenario,
            fit_until=a.fit_until,
            runs=a.runs,
            known_events=a.known_events,
            **({} if a.max_unmatched is None else {"max_unmatched": a.max_unmatched}),
            **_fit(a),
        )
    except KeyboardInterrupt:
        return stopped_fit("backtest", a.out)
    path = write_backtest(bt, a.out)
    s = bt.summary
    if not s["valid"]:
        print(
            f"INVALID: {s['unmatched_share']:.0%} of the posterior sets reach none of the "
            f"statuses recorded at {bt.fit_until} (more than {MAX_UNMATCHED:.0%}); the scores "
            "below are not evidence"
        )
    print(
        f"backtest of {bt.scenario.name}: fitted to {bt.fit_until}, forecast "
        f"{bt.first} .. {bt.last}, {len(bt.rows)} scored outcomes"
    )
    _print_scores(s)
    print(f"wrote {path}, {path.with_name('backtest.md')} and {path.with_name('backtest.png')}")
    return 0


def _print_scores(s: dict) -> None:
    """Every forecaster's Brier and log score and the model's skill against it, as the first
    table of backtest.md (it printed the Brier scores and one skill only), what the skill
    intervals say in words, and the ECE."""
    from alliance_sim.analysis.rivals import LABELS  # the words the figure and report use

    b, log, k = s["brier"], s.get("log_score", {}), s["skill_vs"]
    width = max(len("forecaster"), *(len(LABELS.get(f, f)) for f in b))
    print(f"{'forecaster':<{width}}  Brier  log score  skill of the model against it [95%]")
    none = {f for f in k if not b.get(f) and b["model"] > 0}  # a rival with no error: no skill
    for f, v in b.items():
        i = k.get(f)
        skill = f"{_signed(i['estimate'])} [{_signed(i['lo'])}, {_signed(i['hi'])}]" if i else ""
        skill = "n/a (the rival made no error)" if f in none else skill  # as backtest.md
        ls = log.get(f)
        ls = "n/a" if ls is None or ls != ls else f"{ls:.3f}"
        print(f"{LABELS.get(f, f):<{width}}  {v:.3f}  {ls:>9}  {skill}")
    said = {"better than": [f for f in k if f not in none and (k[f]["lo"] or 0) > 0]}
    said["worse than"] = [f for f in k if f in none or (k[f]["hi"] or 0) < 0]
    said["not told apart from"] = [
        f for f in k if f not in {*said["better than"], *said["worse than"]}
    ]
    verdict = (
        "; ".join(f"{w} {', '.join(LABELS.get(f, f) for f in fs)}" for w, fs in said.items() if fs)
        or "scored against no rival"
    )
    print(f"the model is {verdict} (skill intervals resample occasions); expected calibration "
          f"error {s['ece']:.3f}")  # fmt: skip


def _signed(x: float | None) -> str:
    """A skill at two places, or as many as it takes for a value clear of zero not to print
    as zero (at most six); 0 as "+0.00", never "-0.00"."""
    if x is None or x != x:
        return "n/a"
    places = 2 if x == 0 or abs(x) >= 0.005 else min(6, -math.floor(math.log10(abs(x))))
    return "+0.00" if x == 0 else f"{x:+.{places}f}"


def _rolling(a: argparse.Namespace) -> int:
    from alliance_sim.analysis.rolling import rolling_backtest
    from alliance_sim.report.rolling import write_rolling
    from alliance_sim.scenario.history import MAX_UNMATCHED

    if a.known_events:
        from alliance_sim.errors import ScenarioError

        raise ScenarioError(
            "--known-events: allowed with --fit-until only (a rolling backtest gives the model "
            "no event after an origin)"
        )
    try:
        roll = rolling_backtest(
            a.scenario,
            origins=a.origins,
            horizon=8 if a.horizon is None else a.horizon,
            runs=a.runs,
            **({} if a.max_unmatched is None else {"max_unmatched": a.max_unmatched}),
            **_fit(a),
        )
    except KeyboardInterrupt:
        return stopped_fit("rolling backtest", a.out)
    path = write_rolling(roll, a.out)
    s = roll.summary
    for o in s["origins"]:
        flag = "" if o["valid"] else f"  INVALID ({o['unmatched_share']:.0%} unmatched)"
        print(
            f"origin {o['origin']}: {o['n_scored']} outcomes, Brier model "
            f"{o['brier']['model']:.3f}, best rival "
            f"{min(v for f, v in o['brier'].items() if f != 'model'):.3f}{flag}"
        )
    if s["invalid_origins"]:
        print(
            f"left out of the pooled scores (more than {MAX_UNMATCHED:.0%} of the posterior sets "
            f"reach none of the recorded statuses): {', '.join(s['invalid_origins'])}"
        )
    if s["brier"]:
        print(f"pooled over {s['n_scored']} outcomes ({s['occasions']} occasions):")
        _print_scores(s)
    print(
        f"wrote {path}, {path.with_name('backtest.md')} and {path.with_name('backtest.png')} "
        f"({roll.seconds / 60:.1f} min)"
    )
    return 0


def cmd_discover(a: argparse.Namespace) -> int:
    from alliance_sim.analysis.discover import discover
    from alliance_sim.report.discover_plots import write_discovery

    out = writable_dir(user_path(a.directory) / f"discover_{a.outcome}" if a.out is None else a.out)
    d = discover(
        a.directory,
        a.outcome,
        a.threshold,
        below=a.below,
        box=a.box,
        per_point=a.per_point,
    )
    paths = write_discovery(d, out)
    print(d.in_words())
    print()
    print(d.summary())
    print()
    unit = "points" if d.per_point else "runs"
    print(f"CART tree (a second view; leaves: {unit}, cases, share):")
    print(d.cart)
    print("wrote " + " ".join(str(p) for p in paths))
    return 0


def cmd_export(a: argparse.Namespace) -> int:
    from alliance_sim.runs.export import export

    for p in export(a.directory, a.out, a.format, force=a.force, partial=a.partial):
        print(p)
    from alliance_sim.runs.results import Manifest, Result

    m = Manifest.read(a.directory)
    left = Result.open(a.directory).design().left_out if m and m.status == "complete" else None
    if left:  # the export holds every run: say which are no sample of the swept space
        print(
            f"note: runs {left['design_runs']:,} and up ({left['runs']:,} runs at "
            f"{left['points']:,} points) come from {left['rounds']} refine round(s) placed where "
            "an outcome seemed nearest to tipping, not spread over the swept space: pool the "
            "runs below them "
            "for shares of the design (by_point.csv marks each point's round)"
        )
    return 0


def cmd_refine(a: argparse.Namespace) -> int:
    from alliance_sim.analysis.refine import refine

    try:
        record = refine(
            a.directory,
            a.outcome,
            a.runs,
            threshold=a.threshold,
            below=a.below,
            replicates=a.replicates,
            workers=a.workers,
            quiet=a.quiet,
        )
    except KeyboardInterrupt:
        print("\ninterrupted: " + _refine_stopped(user_path(a.directory)), file=sys.stderr)
        return 130
    print(describe_round(record))
    from alliance_sim.analysis.by_point import write_by_point
    from alliance_sim.analysis.summary import write_summary
    from alliance_sim.runs.results import Result

    res = Result.open(a.directory)  # its summary says what it leaves out; by_point has all
    print(f"wrote {write_summary(res)} (the sweep's own runs) and {write_by_point(res)}")
    return 0


def _refine_stopped(d: Path) -> str:
    """What a Ctrl-C left of a refine round, and what the same command will do."""
    from alliance_sim.runs.layout import table_path
    from alliance_sim.runs.results import Manifest

    m = Manifest.read(d)
    open_ = [r for r in (m.rounds if m else []) if r.get("status") != "complete"]
    again = "run the same refine command again to "
    if open_:
        part = table_path(d, "runs") / f"part-round-{int(open_[-1]['round']):03d}.parquet"
        if part.exists():
            unfinished = f"the round's runs are in {d}'s tables but its record is unfinished"
            return f"{unfinished}; {again}finish it"
    rounds = sorted((d / "refine").glob("round-*"))
    kept = f"; the round's finished chunks are in {rounds[-1]}" if rounds else ""
    if open_:
        points = "(its points are in manifest.json)"
        return f"{d}'s tables are unchanged{kept}; {again}resume the round {points}"
    return f"{d}'s tables are unchanged; {again}start it"


def cmd_robustness(a: argparse.Namespace) -> int:
    from alliance_sim.analysis.robustness import check_sizes
    from alliance_sim.analysis.robustness_words import noise_said, noisy
    from alliance_sim.report.robustness_api import analyse_into, end_both
    from alliance_sim.scenario.load import load_scenario

    check_sizes(a.samples, a.replicates)
    sc = load_scenario(a.scenario)
    base = load_scenario(a.against) if a.against is not None else None
    notes, options = [], ""
    if a.end is not None:  # both to that quarter, as `run --end` (the same scenario hash)
        sc, base, notes = end_both(sc, base, a.end, "--end")
        options = f" --end {sc.end}"  # (the base may need it where the scenario does not)

    def progress(done: int, total: int) -> None:
        if not sys.stderr.isatty():  # a log or a pipe: "\r" ran the updates together there
            if done == total:  # ("design points 2,500 of 2,848design points ...": helper-75)
                print(f"design points {done:,} of {total:,}", file=sys.stderr, flush=True)
            return
        print(f"\rdesign points {done:,} of {total:,}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)

    result, d, replaced = analyse_into(  # --out checked before anything runs
        sc,
        a.out,
        samples=a.samples,
        replicates=a.replicates,
        seed=a.seed,
        hold_own=a.hold_own,
        force=a.force,
        progress=None if a.quiet else progress,
        ref=a.scenario,
        outcome=a.outcome,
        against=base,
        against_ref=a.against,
        options=options,
    )
    for note in [] if a.quiet else notes:  # after the run, as `run --end` says them
        print(note, file=sys.stderr)
    for h in result["headlines"]:
        print(h["statement"] + ".")
        if h["unsupported"]:  # the caveat on its own line too: the list was read alone
            maybe = f" ({noise_said(h, 'the spread')}: may be noise)" if noisy(h) else ""
            print(
                "  not pinned down and not sourced, S1 >= 0.1: "
                + ", ".join(h["unsupported"])
                + maybe
            )
    print(
        f"{result['runs']:,} runs ({result['points']:,} points x {result['replicates']} "
        f"replicates{' x 2 scenarios' if result.get('against') else ''}) over "
        f"{len(result['parameters'])} parameters in {result['seconds']:.0f} s; "
        f"wrote {d}/robustness.json, robustness.md, drivers.png"
    )
    if replaced:
        print(f"replaced the earlier analysis {replaced}")
    return 0


def describe_round(record: dict[str, Any]) -> str:
    """A round's record as a few lines for the terminal."""
    b0, b1 = record["boundary_before"], record["boundary_after"]
    p = record["predicted_p"]
    from alliance_sim.analysis.refine import asked

    case = asked(record["outcome"], record.get("threshold"), bool(record.get("below")))
    return "\n".join(
        [
            f"round {record['round']}: {record['n_runs']} runs at {record['n_points']} new "
            f"points (runs {record['run_start']}-{record['run_start'] + record['n_runs'] - 1}), "
            f"where the classifier put P({case}) at {min(p):.2f}-{max(p):.2f}; "
            f"observed there: {record['observed_share']:.0%}",
            "boundary estimate over the swept space (4,096 reference points):",
            f"  share with P > 0.5:          {b0['region']:6.1%} -> {b1['region']:6.1%}",
            f"  toss-up (0.25 < P < 0.75):   {b0['uncertain_band']:6.1%} -> "
            f"{b1['uncertain_band']:6.1%}",
            f"  changed side:                {record['changed_side']:6.1%}",
            *_no_boundary(record, case),
        ]
    )


def _no_boundary(record: dict[str, Any], case: str) -> list[str]:
    """A line when the classifier finds no tipping point inside the swept ranges (it read
    "P at 0.15-0.15", "0.0% -> 0.0%" and left the reader to infer it), with the way to look
    for one: wider ranges, or the threshold that makes the cases commoner (or rarer)."""
    b1 = record["boundary_after"]
    if b1["uncertain_band"] > 0 or 0 < b1["region"] < 1:
        return []
    rare = b1["region"] == 0  # P below 0.5 everywhere: the cases are rare in the space
    zero_one = str(record["outcome"]).endswith(("_exited", "_suspended", "_joined"))
    if record.get("threshold") is None or zero_one:  # a 0/1 outcome: no threshold to move
        how = "widen the swept ranges"
    else:  # "> T" cases get commoner as T falls, "< T" cases as T rises
        lower = rare != bool(record.get("below"))
        how = f"widen the swept ranges, or ask about a {'lower' if lower else 'higher'} threshold"
    return [
        f"the classifier finds no tipping point inside the swept ranges: it puts P({case}) "
        f"{'below' if rare else 'above'} 0.5 everywhere in them ({how})"
    ]
