"""``alliance-sim``: the command line.  Thin: parse, call the public API, print.

A user's mistake (a typo in a scenario, a value out of range, a bad option) prints one line
and exits with 2; success exits 0; Ctrl-C exits 130 after saying how to resume.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from alliance_sim.scenario import ScenarioError
from alliance_sim.sensitivity import AnalysisError
from alliance_sim.store import StoreError

EPILOG = {
    "main": """examples:
  alliance-sim run armenia_exits                 # 200 runs, a table and a figure
  alliance-sim sweep armenia_exits --out out/arm --workers 2
  alliance-sim validate scenarios/*.toml
  alliance-sim list parameters""",
    "run": """examples:
  alliance-sim run armenia_exits
  alliance-sim run scenarios/iran_joins.toml --replicates 500 --seed 3 --out out/iran""",
    "sweep": """examples:
  alliance-sim sweep armenia_exits --out out/arm-sweep
  alliance-sim sweep baseline --out out/base --samples 16 --replicates 2   # a quick look
  alliance-sim sweep baseline --out out/base --executor dask --scheduler tcp://host:8786
An interrupted sweep resumes when the same command is run again.""",
    "validate": "example:\n  alliance-sim validate scenarios/*.toml",
    "show": "example:\n  alliance-sim show armenia_exits",
    "list": "examples:\n  alliance-sim list scenarios\n  alliance-sim list parameters\n"
    "  alliance-sim list events",
    "plot": """examples:
  alliance-sim plot out/arm-sweep --out figures/arm
  alliance-sim plot out/arm-sweep --out figs --kind heatmap --outcome ARM_exited --format svg""",
    "sensitivity": """example:
  alliance-sim sweep china_security_push --out out/china   # after setting sampler = "saltelli"
  alliance-sim sensitivity out/china --outcome KAZ_exited --out figures/china""",
    "calibrate": """examples:
  alliance-sim calibrate history_2020_2024 --out scenarios/calibrated/history_2020_2024.toml
  alliance-sim calibrate history_2020_2024 --out /tmp/quick.toml --draws 20000 --accept 0.01""",
    "viz": """examples:
  alliance-sim viz armenia_exits                 # opens http://127.0.0.1:8765/
  alliance-sim viz scenarios/iran_joins.toml --port 9000 --no-browser""",
    "compare": """examples:
  alliance-sim run baseline --out out/base && alliance-sim run armenia_exits --out out/arm
  alliance-sim compare out/base out/arm --out report.html
  alliance-sim compare out/base out/arm --out paper/report.md --format md""",
}


class UserError(Exception):
    """A mistake by the user: one line, exit 2."""


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{v} must be a positive whole number")
    return v


def _nonneg(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"{v} must be 0 or more")
    return v


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(
        prog="alliance-sim",
        formatter_class=fmt,
        epilog=EPILOG["main"],
        description="Agent-based simulation of CSTO cohesion: run scenarios, sweep "
        "parameters, compare outcomes.",
    )
    from alliance_sim import __version__

    p.add_argument("--version", action="version", version=f"alliance-sim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser(
        "run",
        help="run a scenario many times; print a table, write a figure",
        formatter_class=fmt,
        epilog=EPILOG["run"],
        description="Run SCENARIO (a shipped name or a .toml path) at its own "
        "parameter values, REPLICATES times with seeds derived from "
        "--seed; print a table per member and write the run "
        "directory and a figure.",
    )
    r.add_argument("scenario", metavar="SCENARIO")
    r.add_argument("--seed", type=_nonneg, default=0, help="master seed (default 0)")
    r.add_argument(
        "--replicates",
        type=_positive,
        default=200,
        metavar="K",
        help="number of runs (default 200)",
    )
    r.add_argument("--out", metavar="DIR", help="output directory (default out/SCENARIO)")
    r.add_argument(
        "--engine",
        choices=("batch", "mesa"),
        default="batch",
        help="batch (fast, default) or mesa (the reference model)",
    )
    r.add_argument("--force", action="store_true", help="replace what DIR holds")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")

    s = sub.add_parser(
        "sweep",
        help="run a scenario's [sweep]: points x replicates",
        formatter_class=fmt,
        epilog=EPILOG["sweep"],
        description="Run every point of SCENARIO's [sweep] table, each with "
        "REPLICATES seeds, into DIR (Parquet + manifest.json).",
    )
    s.add_argument("scenario", metavar="SCENARIO")
    s.add_argument("--out", metavar="DIR", required=True, help="output directory")
    s.add_argument("--replicates", type=_positive, metavar="K", help="override the file's")
    s.add_argument("--samples", type=_positive, metavar="N", help="override the file's")
    s.add_argument("--seed", type=_nonneg, help="override the file's master seed")
    s.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="local worker processes (default 1)",
    )
    s.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask cluster",
    )
    s.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address; without it --executor dask starts a LocalCluster",
    )
    s.add_argument(
        "--engine", choices=("batch", "mesa"), default="batch", help="batch (default) or mesa"
    )
    s.add_argument(
        "--record",
        default="all",
        metavar="all|end|every:N",
        help="quarters kept in the time series (default all)",
    )
    s.add_argument("--chunk-size", type=_positive, metavar="N", help="runs per task")
    s.add_argument("--force", action="store_true", help="replace what DIR holds")
    s.add_argument("--quiet", action="store_true", help="no progress bar, no summary")

    v = sub.add_parser(
        "validate",
        help="check scenario files",
        formatter_class=fmt,
        epilog=EPILOG["validate"],
        description="Check each SCENARIO; print one line per file.",
    )
    v.add_argument("scenarios", nargs="+", metavar="SCENARIO")

    sh = sub.add_parser(
        "show",
        help="print a scenario resolved after extends",
        formatter_class=fmt,
        epilog=EPILOG["show"],
        description="Print SCENARIO with its extends chain resolved, as JSON.",
    )
    sh.add_argument("scenario", metavar="SCENARIO")

    ls = sub.add_parser(
        "list",
        help="list scenarios, parameters or event types",
        formatter_class=fmt,
        epilog=EPILOG["list"],
        description="List shipped scenarios, the model's parameters (meaning, "
        "unit, default, range, source) or the event types.",
    )
    ls.add_argument("what", choices=("scenarios", "parameters", "events"))

    pl = sub.add_parser(
        "plot",
        help="figures of a result directory",
        formatter_class=fmt,
        epilog=EPILOG["plot"],
        description="Write the figures that fit DIR: fan chart, status "
        "probabilities and cohesion always; a response curve per "
        "swept parameter; a heatmap over two swept parameters; "
        "sensitivity indices for a saltelli or morris sweep.",
    )
    pl.add_argument("directory", metavar="DIR")
    pl.add_argument("--out", metavar="FIGDIR", required=True, help="where figures go")
    pl.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="fan, status, cohesion, response, heatmap or sensitivity "
        "(repeatable; default: every kind that fits)",
    )
    pl.add_argument(
        "--outcome",
        action="append",
        metavar="OUTCOME",
        help="outcome column for response/heatmap/sensitivity (repeatable; "
        "default: the focus members' exit and final cohesion)",
    )
    pl.add_argument("--format", default="png", choices=("png", "svg", "pdf"))

    se = sub.add_parser(
        "sensitivity",
        help="Sobol or Morris indices of a sweep",
        formatter_class=fmt,
        epilog=EPILOG["sensitivity"],
        description="Compute Sobol (saltelli design) or Morris (morris design) "
        "sensitivity indices of OUTCOME with SALib, print them "
        "and plot them.",
    )
    se.add_argument("directory", metavar="DIR")
    se.add_argument(
        "--outcome",
        action="append",
        metavar="OUTCOME",
        help="outcome column (repeatable; default: focus members' exit and final cohesion)",
    )
    se.add_argument("--out", metavar="FIGDIR", help="where the figure goes (default DIR)")

    co = sub.add_parser(
        "compare",
        help="HTML or Markdown report comparing result directories",
        formatter_class=fmt,
        epilog=EPILOG["compare"],
        description="Compare result directories (the first is the reference): "
        "provenance, per-member tables with 95% intervals, "
        "differences with effect sizes and Holm-corrected tests, "
        "figures.  HTML is one self-contained file.",
    )
    co.add_argument("directories", nargs="+", metavar="DIR")
    co.add_argument("--out", metavar="FILE", required=True, help="report.html or report.md")
    co.add_argument(
        "--format",
        choices=("html", "md"),
        help="default: from the --out suffix (.md -> md, else html)",
    )

    ca = sub.add_parser(
        "calibrate",
        help="fit a replay's uncertain parameters to history (ABC)",
        formatter_class=fmt,
        epilog=EPILOG["calibrate"],
        description="Approximate Bayesian computation (rejection) over the "
        "prior ranges in SCENARIO's [calibrate] table, with a "
        "distance built from the five patterns of 2020-2024; "
        "writes the accepted parameter sets to OUT and a report "
        "(reproduction rates, posterior plots) beside it.",
    )
    ca.add_argument("scenario", metavar="SCENARIO")
    ca.add_argument("--out", metavar="FILE", required=True, help="calibrated .toml to write")
    ca.add_argument("--draws", type=_positive, help="prior draws (default: the file's)")
    ca.add_argument("--accept", type=float, help="share of draws kept (default: the file's)")
    ca.add_argument("--replicates", type=_positive, help="seeds per draw")
    ca.add_argument("--seed", type=_nonneg, help="master seed")
    ca.add_argument("--workers", type=_positive, default=2, help="worker processes (default 2)")
    ca.add_argument(
        "--report", metavar="DIR", help="report directory (default: OUT's stem + _report)"
    )

    vz = sub.add_parser(
        "viz",
        help="watch the model step by step in the browser (extra [viz])",
        formatter_class=fmt,
        epilog=EPILOG["viz"],
        description="Serve a Mesa SolaraViz page for SCENARIO (default: the "
        "2024Q1 world): sliders for the key parameters, Step / "
        "Play / Reset, the members around Russia and their "
        "commitment over time.  Ctrl-C stops it.",
    )
    vz.add_argument("scenario", nargs="?", metavar="SCENARIO")
    vz.add_argument("--port", type=_positive, default=8765, help="default 8765")
    vz.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only)",
    )
    vz.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return p


# --- commands ---------------------------------------------------------------------------------


def cmd_run(a: argparse.Namespace) -> int:
    from alliance_sim.plots import fan_chart
    from alliance_sim.runner import run_scenario
    from alliance_sim.scenario import find_scenario, load_scenario
    from alliance_sim.summary import describe

    sc = load_scenario(a.scenario)
    out = Path(a.out or Path("out") / find_scenario(a.scenario).stem)
    res = run_scenario(
        sc, out, replicates=a.replicates, seed=a.seed, engine=a.engine, force=a.force, quiet=a.quiet
    )
    fig = fan_chart(res, out / "commitment.png")
    if not a.quiet:
        print(describe(res.runs, res.manifest))
        print(
            f"\nwrote {out}/: manifest.json runs.parquet timeseries.parquet alliance.parquet "
            f"{fig.name}"
        )
    return 0


def cmd_sweep(a: argparse.Namespace) -> int:
    from alliance_sim.runner import sweep
    from alliance_sim.scenario import load_scenario
    from alliance_sim.summary import describe

    sc = load_scenario(a.scenario)
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
        print(
            f"\ninterrupted: finished chunks are kept in {a.out}; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        return 130
    if not a.quiet:
        print(describe(res.runs, res.manifest))
        print(f"\nwrote {a.out}/: manifest.json runs.parquet timeseries.parquet alliance.parquet")
        if res.n_failed:
            print(f"{res.n_failed} of {len(res.runs)} runs failed (see runs.parquet 'error')")
    return 0


def cmd_validate(a: argparse.Namespace) -> int:
    from alliance_sim.scenario import load_scenario

    bad = 0
    for name in a.scenarios:
        try:
            sc = load_scenario(name)
        except ScenarioError as e:
            print(f"error: {e}", file=sys.stderr)
            bad += 1
            continue
        sweep = (
            f", sweep: {sc.sweep.sampler} over {len(sc.sweep.axes)} parameter(s)"
            if sc.sweep
            else ""
        )
        print(f"ok: {sc.path} - {sc.name} ({sc.start} to {sc.end}, {len(sc.events)} events{sweep})")
    return 2 if bad else 0


def cmd_show(a: argparse.Namespace) -> int:
    from alliance_sim.scenario import load_scenario

    sc = load_scenario(a.scenario)
    print(json.dumps({"hash": sc.hash, **sc.data}, indent=2, default=str))
    return 0


def cmd_list(a: argparse.Namespace) -> int:
    if a.what == "scenarios":
        from alliance_sim.scenario import list_scenarios, load_scenario

        for f in list_scenarios():
            sc = load_scenario(f)
            print(f"{f.stem:<26} {sc.description}")
    elif a.what == "parameters":
        from alliance_sim.params import parameters

        for r in parameters().itertuples():
            default = "per member" if r.scope == "member" else f"{r.default:g}"
            print(
                f"{r.name}  [{r.scope}]  default {default}  range {r.low:g}-{r.high:g} "
                f"{r.unit}\n"
                + textwrap.indent(textwrap.fill(r.meaning, 92), "    ")
                + f"\n    source: {r.source}"
            )
    else:
        from alliance_sim.events import EVENT_TYPES

        for name, cls in EVENT_TYPES.items():
            print(f"{name}: {cls.summary}")
            for fname, spec in cls.FIELDS.items():
                req = "required" if spec.required else f"optional, default {spec.default}"
                rng = f", {spec.low:g} to {spec.high:g}" if spec.low is not None else ""
                choices = f", one of {', '.join(spec.choices)}" if spec.choices else ""
                print(f"    {fname} ({spec.kind}{rng}{choices}; {req}): {spec.meaning}")
    return 0


def cmd_plot(a: argparse.Namespace) -> int:
    from alliance_sim.figures import write_figures
    from alliance_sim.runner import Result

    res = Result.open(a.directory)
    paths = write_figures(res, a.out, a.kind, a.format, a.outcome)
    for p in paths:
        print(p)
    return 0


def cmd_sensitivity(a: argparse.Namespace) -> int:
    from alliance_sim.figures import default_outcomes
    from alliance_sim.plots import sensitivity_chart
    from alliance_sim.runner import Result
    from alliance_sim.sensitivity import analyse

    res = Result.open(a.directory)
    out = Path(a.out or a.directory)
    out.mkdir(parents=True, exist_ok=True)
    for outcome in a.outcome or default_outcomes(res):
        table = analyse(res, outcome)
        print(
            f"{table.attrs['method']} indices of {outcome} ({table.attrs['points']} design "
            f"points x {table.attrs['replicates']} replicates; *_conf: 95% half-widths)"
        )
        print(table.to_string(float_format=lambda v: f"{v:8.3f}"))
        print(sensitivity_chart(table, res.manifest, out / f"sensitivity_{outcome}.png"))
        print()
    return 0


def cmd_compare(a: argparse.Namespace) -> int:
    from alliance_sim.report import build_report

    fmt = a.format or ("md" if a.out.endswith(".md") else "html")
    if len(a.directories) < 2:
        raise UserError("compare needs at least two result directories")
    print(build_report(a.directories, a.out, fmt=fmt))
    return 0


def cmd_calibrate(a: argparse.Namespace) -> int:
    from alliance_sim.calibrate import calibrate, write_calibration, write_report
    from alliance_sim.patterns import PATTERNS

    if a.accept is not None and not 0 < a.accept <= 1:
        raise UserError(f"--accept {a.accept}: allowed a share above 0 and at most 1")
    cal = calibrate(
        a.scenario,
        draws=a.draws,
        accept=a.accept,
        replicates=a.replicates,
        seed=a.seed,
        workers=a.workers,
    )
    out = write_calibration(cal, a.out)
    report = write_report(cal, a.report or out.with_name(out.stem + "_report"))
    print(
        f"{len(cal.draws):,} draws x {cal.replicates} replicate(s) in {cal.seconds:.0f} s; "
        f"kept {len(cal.accepted)} (distance <= {cal.epsilon:.3f})"
    )
    print(f"{'pattern':<34}{'before':>8}{'after':>8}")
    for p in PATTERNS:
        if p.key in cal.after:
            print(f"{p.key:<34}{cal.before[p.key]:>8.0%}{cal.after[p.key]:>8.0%}")
    print(f"wrote {out} and {report}")
    return 0


def cmd_viz(a: argparse.Namespace) -> int:
    import importlib.util
    import os
    import subprocess

    if importlib.util.find_spec("solara") is None:
        raise UserError("alliance-sim viz needs the viz extra: pip install -e '.[viz]'")
    from alliance_sim.scenario import find_scenario, load_scenario

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
        "alliance_sim.viz",
        "--host",
        a.host,
        "--port",
        str(a.port),
        "--production",
        "--no-check-version",
        "--no-open" if a.no_browser else "--open",
    ]
    print(f"alliance-sim viz: serving on http://{a.host}:{a.port}/ (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


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
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ScenarioError, StoreError, UserError, AnalysisError) as e:
        print(f"alliance-sim: error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:  # bad option values caught by the API (record spec, engine)
        print(f"alliance-sim: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
