"""What each ``alliance-sim`` verb does: call the public API, print.  Parsing is in
:mod:`alliance_sim.cli.main`; a user's mistake raises :class:`UserError` (or a ScenarioError,
StoreError, AnalysisError), which the CLI prints as one line with exit status 2."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance_sim.analysis import known_limits
from alliance_sim.cli.asides import focus_aside, inherited_sweep
from alliance_sim.cli.compare import cmd_compare
from alliance_sim.cli.fitting import (
    cmd_backtest,
    cmd_calibrate,
    cmd_discover,
    cmd_export,
    cmd_refine,
    cmd_robustness,
    interrupted,
)
from alliance_sim.cli.sensitivity import cmd_sensitivity
from alliance_sim.errors import AllianceSimError, ScenarioError, UserError
from alliance_sim.paths import check_result_dir, user_path, writable_dir
from alliance_sim.textsafe import term

if TYPE_CHECKING:
    from alliance_sim.runs.results import Result


def cmd_run(a: argparse.Namespace) -> int:
    from alliance_sim.report.plots import fan_chart
    from alliance_sim.runs.runner import run_scenario
    from alliance_sim.scenario.files import find_scenario
    from alliance_sim.scenario.load import load_scenario

    sc, notes = _ended(load_scenario(a.scenario), a.end, a.quiet, sweep=False)
    out = a.out if a.out is not None else Path("out") / find_scenario(a.scenario).stem
    out = check_result_dir(out, sc.path)  # (as typed: `--out ''` was refused as '.')
    writable_dir(out)
    try:
        res = run_scenario(
            sc, out, replicates=a.replicates, seed=a.seed, engine=a.engine, force=a.force,
            quiet=a.quiet,
        )  # fmt: skip
    except KeyboardInterrupt:  # a run is a sweep of one point: it resumes the same way
        return interrupted(out)
    _say(notes)
    res.check_some_ran("summarise or plot")
    fig = fan_chart(res, out / "commitment.png")
    _summarise(res, out, a.quiet, fig.name)
    return 0


def _ended(sc, end: str | None, quiet: bool, sweep: bool = True) -> tuple[Any, list[str]]:
    """``sc`` run to ``--end`` (if given), and the notes on which of its events that leaves
    out (``sweep=False``: for ``run``, which does not use the [sweep] table), for
    :func:`_say` once the command has run: said before, they made a refusal two lines."""
    from alliance_sim.scenario.load import end_notes, posterior_notes, with_end

    notes = [] if quiet else posterior_notes(sc)  # a collapsed fit's few sets (helper-111)
    if end is None:
        return sc, notes
    ended = with_end(sc, end, where="--end", sweep=sweep, warn=0)
    return ended, notes + ([] if quiet else end_notes(sc, ended))


def _say(notes: list[str]) -> None:
    """Notes on the input, not results: on stderr, so that the printed table stays clean."""
    for note in notes:
        print(note, file=sys.stderr)


def _summarise(res: Result, out: str | Path, quiet: bool, *more: str) -> None:
    """Write ``summary.json`` of a finished run or sweep and, unless ``quiet``, print its
    member table and the files written (``more``: files beyond the tables and summary)."""
    from alliance_sim.analysis.summary import describe, write_summary
    from alliance_sim.runs.results import design_note

    res.check_some_ran("summarise")
    written = [write_summary(res).name]
    if res.plan.n_points > 1:
        from alliance_sim.analysis.by_point import write_by_point

        written.append(write_by_point(res).name)
    if quiet:
        return
    own = res.design()  # refine's runs: no sample of the swept space
    print(term(describe(own.runs, own.manifest)))
    if note := design_note(own):
        print(note)
    if res.plan.n_points > 1:
        from alliance_sim.analysis.by_point import inert_parameters, seeds_the_levers_move

        print("\n".join([*seeds_the_levers_move(own), *inert_parameters(own)]))
    m = res.manifest
    if not res.swept:  # a sweep's spread is its own design
        from alliance_sim.report.robustness import rests_on

        stem = Path(m.scenario_path).stem
        end = m.scenario.get("end") if isinstance(m.scenario, dict) else None
        lines = rests_on(stem, m.scenario_path, m.scenario_hash, end)
        print("\n" + term("\n".join(lines)))
    files = [] if res.reused else ["manifest.json", "runs.parquet", "timeseries.parquet"]
    files += [] if res.reused else ["alliance.parquet"]
    kept = " (its tables kept as they were)" if res.reused else ""
    print(f"\nwrote {term(out)}/: {' '.join([*files, *written, *more])}{kept}")
    if res.n_failed:
        print(f"{res.n_failed} of {len(res.runs)} runs failed (see runs.parquet 'error')")
    print("\n" + known_limits.footer(width=100))


def cmd_sweep(a: argparse.Namespace) -> int:
    from alliance_sim.runs.runner import sweep
    from alliance_sim.scenario.load import load_scenario

    sc = load_scenario(a.scenario)
    writable_dir(check_result_dir(a.out, sc.path))
    notes: list[str] = []
    if sc.sweep is not None:
        sc, notes = _ended(sc, a.end, a.quiet)
    if sc.sweep is None:
        raise UserError(
            f"{sc.path} has no [sweep] table; use 'alliance-sim run' for one "
            "point, or add [sweep] with [sweep.parameters]"
        )
    try:
        res = sweep(
            sc,
            a.out,
            replicates=a.replicates,
            samples=a.samples,
            seed=a.seed,
            workers=a.workers,
            executor=a.executor,
            scheduler=a.scheduler,
            engine=a.engine,
            record=a.record,
            force=a.force,
            quiet=a.quiet,
            chunk_size=a.chunk_size,
        )
    except KeyboardInterrupt:
        return interrupted(a.out)
    _say(notes)
    _summarise(res, a.out, a.quiet)
    return 0


def cmd_validate(a: argparse.Namespace) -> int:
    from alliance_sim.report.labels import plural  # "1 event", not "1 events"
    from alliance_sim.scenario.load import load_scenario

    bad = 0
    for name in a.scenarios:
        try:
            sc = load_scenario(name)
        except AllianceSimError as e:  # every file is checked, each mistake one line
            print(f"alliance-sim: error: {term(e, keep_newlines=False)}", file=sys.stderr)
            bad += 1
            continue
        sweep = ""
        if sc.sweep:
            names = [ax.name for ax in sc.sweep.axes]
            shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
            sweep = f", sweep: {sc.sweep.sampler} over {plural(len(names), 'parameter')}"
            sweep += f" ({shown})" + inherited_sweep(sc)
        print(
            f"ok: {term(sc.path)} - {term(sc.name)} ({sc.start} to {sc.end}, "
            f"{plural(len(sc.events), 'event')}{focus_aside(sc)}{sweep})"
        )
    return 2 if bad else 0


def cmd_show(a: argparse.Namespace) -> int:
    from alliance_sim.scenario.load import load_scenario

    sc = load_scenario(a.scenario)
    print(json.dumps({"hash": sc.hash, **sc.data}, indent=2, default=str))
    return 0


def cmd_list(a: argparse.Namespace) -> int:
    if a.what == "scenarios":
        from alliance_sim.scenario.files import list_scenarios, shipped_dir
        from alliance_sim.scenario.load import load_scenario

        files, ours = list_scenarios(), shipped_dir()
        width = max((len(f.stem) for f in files), default=0) + 2  # the longest name, aligned
        for f in files:
            try:
                text = load_scenario(f).description
            except ScenarioError as e:  # one file of one's own that does not load: say so
                text = f"(does not load: {str(e).splitlines()[0]})"
            hides = " (hides the shipped one)" * bool(ours and (ours / f.name).is_file())
            where = "" if f.parent == ours else f"  [{f.parent}]{hides}"
            print(f"{term(f.stem):<{width}}{term(text)}{term(where)}")
    elif a.what == "parameters":
        from alliance_sim.cli.listing import print_parameters

        print_parameters()
    elif a.what == "sources":
        from alliance_sim.cli import bibliography

        print(bibliography.text(), end="")
    elif a.what == "mechanisms":
        from alliance_sim.core.mechanisms import MECHANISMS

        for m in MECHANISMS:
            print(
                f"{m.name}  (switch {m.switch}: 1 on, 0 off)\n"
                + textwrap.indent(textwrap.fill(m.summary, 92), "    ")
                + f"\n    equations: {', '.join(m.equations)} (core/dynamics.py)"
            )
    else:
        from alliance_sim.core.events import EVENT_TYPES

        for name, cls in EVENT_TYPES.items():
            print(f"{name}: {cls.summary}")
            for fname, spec in cls.FIELDS.items():
                req = "required" if spec.required else f"optional, default {spec.default}"
                rng = f", {spec.low:g} to {spec.high:g}" if spec.low is not None else ""
                choices = f", one of {', '.join(spec.choices)}" if spec.choices else ""
                print(f"    {fname} ({spec.kind}{rng}{choices}; {req}): {spec.meaning}")
        print(
            "\nAn offer's or a campaign's size beside each member's ties and pressure where a "
            "forecast starts:\ndocs/usage.md, 'How big is an event's size?' "
            "(python scripts/event_scale.py in a clone)."
        )
    return 0


def cmd_plot(a: argparse.Namespace) -> int:
    from alliance_sim.report.figures import (
        OtherResultNote,
        ReplacedFiguresNote,
        another_result,
        default_outcomes,
        empty_outcomes,
        skipped_kinds,
        write_figures,
    )
    from alliance_sim.runs.results import Result, design_note

    res = Result.open(a.directory).design()  # refine's runs: no sample of the swept space
    res.check_some_ran("plot")
    writable_dir(a.out, "--out")
    with warnings.catch_warnings(record=True) as said:  # the notes: below, after the paths
        warnings.simplefilter("ignore", OtherResultNote)
        warnings.simplefilter("always", ReplacedFiguresNote)
        try:
            paths = write_figures(res, a.out, a.kind, a.format, a.outcome, False, a.style)
        finally:  # any other warning as it would have been, also before an error (red team)
            mine = [w for w in said if issubclass(w.category, ReplacedFiguresNote)]
            for w in (w for w in said if w not in mine):
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    for line in [*paths, *(f"note: {w.message}" for w in mine)]:
        print(line)
    if not a.kind and (why := skipped_kinds(res)):
        print(f"note: {why}")
    if empty := empty_outcomes(res, a.outcome or default_outcomes(res)):
        print(f"note: no figure of {', '.join(empty)}: no run has a value for it")
    if note := design_note(res):
        print(note)
    if other := another_result(user_path(a.out), res):
        print(f"note: {other}")
    return 0


def cmd_check(a: argparse.Namespace) -> int:
    from alliance_sim.errors import StoreError
    from alliance_sim.runs.health import check
    from alliance_sim.runs.results import is_export

    try:
        h = check(a.directory)
    except StoreError as e:  # a damaged manifest is a finding (1); no result folder, usage (2)
        manifest = user_path(a.directory) / "manifest.json"
        if not manifest.is_file() or manifest.is_symlink() or is_export(manifest.parent):
            raise
        print(term(f"{a.directory}: its manifest cannot be trusted\n1 problem(s):\n{e}"))
        return 1
    print(term(h.report()))
    return 0 if h.ok else 1


def cmd_viz(a: argparse.Namespace) -> int:
    import importlib.util
    import os
    import signal
    import subprocess

    if importlib.util.find_spec("solara") is None:
        raise UserError("alliance-sim viz needs the viz extra: pip install -e '.[viz]'")
    from alliance_sim.scenario.files import find_scenario
    from alliance_sim.scenario.load import load_scenario

    path = ""
    if a.scenario:
        load_scenario(a.scenario)  # one clear line for a bad scenario, before the server starts
        path = str(find_scenario(a.scenario).resolve())
    env = {
        **os.environ,
        "ALLIANCE_SIM_VIZ_SCENARIO": path,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "alliance_sim.report.viz",
        "--host",
        a.host,
        "--port",
        str(a.port),
        "--production",
        "--no-check-version",
        "--no-open" if a.no_browser else "--open",
    ]
    print(f"alliance-sim viz: serving on http://{a.host}:{a.port}/ (Ctrl-C to stop)", flush=True)
    from alliance_sim.runs.lifeline import pdeathsig_only

    # the server dies with us: SIGTERM/SIGHUP stop it, and on Linux so does our kill -9
    child = subprocess.Popen(cmd, env=env, preexec_fn=pdeathsig_only)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    old = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return child.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


COMMANDS = {
    "run": cmd_run,
    "sweep": cmd_sweep,
    "validate": cmd_validate,
    "show": cmd_show,
    "list": cmd_list,
    "plot": cmd_plot,
    "sensitivity": cmd_sensitivity,
    "compare": cmd_compare,
    "viz": cmd_viz,
    "calibrate": cmd_calibrate,
    "backtest": cmd_backtest,
    "discover": cmd_discover,
    "export": cmd_export,
    "check": cmd_check,
    "refine": cmd_refine,
    "robustness": cmd_robustness,
}
