"""``alliance-sim``: the command line.  Thin: parse, call the public API, print.  The module
is long because it declares every verb's options (one argparse block per verb); what the verbs
do is in :mod:`~alliance_sim.cli.commands` and :mod:`~alliance_sim.cli.fitting`, the locks
and signal handling around them in :mod:`~alliance_sim.cli.guards`.

A user's mistake (a typo in a scenario, a value out of range, a bad option) prints one line
and exits with 2; success exits 0; Ctrl-C exits 130 after saying how to resume.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
import warnings
from typing import NoReturn

from alliance_sim.cli.commands import COMMANDS
from alliance_sim.cli.examples import EPILOG
from alliance_sim.cli.guards import reading_inputs, sigterm_stops_cleanly
from alliance_sim.engines.batch import compile_notice
from alliance_sim.errors import AllianceSimError, did_you_mean
from alliance_sim.limits import MAX_PORT, MAX_SEED
from alliance_sim.scenario.load import FewSetsNote
from alliance_sim.textsafe import shortened, term


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line (no usage block), exit status 2, and
    that takes options by their whole names only (`refine DIR --out X` was read as
    `--outcome X`, a prefix of it, and ran: red-team)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        m = _CHOICE.search(message)  # "invalid choice: 'rn' (choose from 'run', ...)"
        if m:
            message += did_you_mean(m[1], re.findall(r"'([^']*)'", m[2]))
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line parsed; arguments its command does not know are refused by that
    command's parser, which names its own help (``alliance-sim run --help``; the top-level
    parser's ``alliance-sim --help`` lists no command's options) and the option closest to a
    misspelt one."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        own = sub.choices[args.command]
        options = [o[2:] for a in own._actions for o in a.option_strings if o.startswith("--")]
        typed = next((x[2:].split("=")[0] for x in extra if x[:2] == "--"), None)
        guess = (  # "--quiet run ...", "run x -- --out y": an option of the command, misplaced
            f"; --{typed} is an option of {args.command}: give it after the command's name "
            "(and before any '--')"
            if typed in options
            else did_you_mean(typed, options).replace("'", "'--", 1)
            if typed
            else ""
        )
        own.error(f"unrecognized arguments: {' '.join(extra)}{guess}")
    return args


def _whole(minimum: int, what: str, maximum: int | None = None):
    """An argparse type: a whole number from ``minimum`` (to ``maximum``), else one line."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if v < minimum or (maximum is not None and v > maximum):
            raise argparse.ArgumentTypeError(f"{v} must be {what}")
        return v

    return parse


_SCENARIO = "a shipped scenario's name (alliance-sim list scenarios) or a .toml file"
_RESULT = "a result directory (written by alliance-sim run or sweep)"
_positive = _whole(1, "a positive whole number")
_nonneg = _whole(0, "0 or more")
_port = _whole(1, f"a port number from 1 to {MAX_PORT}", MAX_PORT)
_seed = _whole(0, f"from 0 to {MAX_SEED}", MAX_SEED)


def _share(text: str) -> float:
    """An argparse type: a share above 0 and at most 1."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < v <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text} must be a share above 0 and at most 1")
    return v


def _command(
    sub: argparse._SubParsersAction, name: str, help_: str, description: str
) -> argparse.ArgumentParser:
    """A sub-command with its one-line help, its description and its examples (EPILOG)."""
    return sub.add_parser(
        name,
        help=help_,
        description=description,
        epilog=EPILOG[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _fit_options(p: argparse.ArgumentParser) -> None:
    """The calibration options ``calibrate`` and ``backtest`` share (defaults: the file's)."""
    p.add_argument(  # (the help said "file's" with no value or range: helper-111)
        "--draws", type=_positive, help="particles per generation, 10 to 1,000,000 (default: the "
        "file's [calibrate] draws)",
    )  # fmt: skip
    p.add_argument(
        "--generations", type=_positive, help="SMC generations, 1 to 50: at most this many, "
        "fewer when a generation accepts too few proposals (default: the file's; 12 in a "
        "backtest with --origins)",
    )  # fmt: skip
    p.add_argument(
        "--replicates", type=_positive, help="seeds per parameter set, 1 to 1,000 (default: the "
        "file's; 16 in a backtest with --origins)",
    )  # fmt: skip
    p.add_argument("--workers", type=_positive, default=2, help="worker processes (default 2)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def _end_option(p: argparse.ArgumentParser) -> None:
    """``--end QUARTER``: run to this quarter instead of the scenario's own end."""
    p.add_argument(
        "--end",
        metavar="QUARTER",
        help="run to this quarter (e.g. 2028Q4) instead of the scenario's end; events after "
        "it are left out",
    )


def _style_option(p: argparse.ArgumentParser) -> None:
    """``--style screen|paper``: how figures look."""
    p.add_argument(
        "--style",
        choices=("screen", "paper"),
        default="screen",
        help="screen (default) or paper: serif type, no grid, 300 dpi, at most 7 in wide",
    )


def _case_options(p: argparse.ArgumentParser) -> None:
    """What counts as a case, for ``discover`` and ``refine``: OUTCOME above (or below) T."""
    p.add_argument("--outcome", required=True, metavar="OUTCOME", help="e.g. ARM_exited")
    p.add_argument(
        "--threshold",
        type=float,
        metavar="T",
        help="cases: OUTCOME > T (default 0.5 for a yes/no outcome; needed otherwise)",
    )
    p.add_argument("--below", action="store_true", help="cases: OUTCOME < T instead")


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = OneLineParser(
        prog="alliance-sim",
        formatter_class=fmt,
        epilog=EPILOG["main"],
        description="Agent-based simulation of CSTO cohesion: run scenarios, sweep "
        "parameters, compare outcomes.",
    )
    from alliance_sim import __version__

    p.add_argument("--version", action="version", version=f"alliance-sim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = _command(
        sub,
        "run",
        "run a scenario many times; print a table, write a figure",
        "Run SCENARIO (a shipped name or a .toml path) at its own "
        "parameter values, K times (--replicates K) with seeds derived from "
        "--seed; print a table per member and write the run "
        "directory and a figure.",
    )
    r.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO)
    r.add_argument("--seed", type=_seed, default=0, help="master seed (default 0)")
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
    r.add_argument(
        "--force", action="store_true", help="replace an earlier result in DIR (its own files only)"
    )
    r.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    _end_option(r)

    s = _command(
        sub,
        "sweep",
        "run a scenario's [sweep]: points x replicates",
        "Run every point of SCENARIO's [sweep] table, each with "
        "REPLICATES seeds, into DIR (Parquet + manifest.json).",
    )
    s.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO)
    s.add_argument("--out", metavar="DIR", required=True, help="output directory")
    s.add_argument("--replicates", type=_positive, metavar="K", help="override the file's")
    s.add_argument("--samples", type=_positive, metavar="N", help="override the file's")
    s.add_argument("--seed", type=_seed, help="override the file's master seed")
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
    s.add_argument(
        "--chunk-size", type=_positive, metavar="N",
        help="runs per task (default: at most 1,000, equal shares for the workers, 25 or more)",
    )  # fmt: skip
    _end_option(s)
    s.add_argument(
        "--force", action="store_true", help="replace an earlier result in DIR (its own files only)"
    )
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no summary")

    v = _command(
        sub, "validate", "check scenario files", "Check each SCENARIO; print one line per file."
    )
    v.add_argument("scenarios", nargs="+", metavar="SCENARIO")

    sh = _command(
        sub,
        "show",
        "print a scenario resolved after extends",
        "Print SCENARIO with its extends chain resolved, as JSON.",
    )
    sh.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO)

    ls = _command(
        sub,
        "list",
        "list scenarios, parameters, event types, mechanisms or sources",
        "List shipped scenarios, the model's parameters (meaning, "
        "unit, default, range, source), the event types, the named mechanisms "
        "(each with the 0/1 parameter that switches it) or the sources data files cite "
        "(the bibliography, docs/sources.md).",
    )
    ls.add_argument(
        "what",
        choices=("scenarios", "parameters", "events", "mechanisms", "sources"),
        help="one of scenarios, parameters, events, mechanisms, sources",
    )

    pl = _command(
        sub,
        "plot",
        "figures of a result directory",
        "Write the figures that fit DIR: fan chart, status "
        "probabilities and cohesion always; a response curve per "
        "swept parameter; a heatmap over two swept parameters; "
        "sensitivity indices for a saltelli or morris sweep.",
    )
    pl.add_argument("directory", metavar="DIR", help=_RESULT)
    pl.add_argument("--out", metavar="FIGDIR", required=True, help="where figures go")
    pl.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="fan, status, cohesion, response, heatmap, sensitivity or pairs "
        "(repeatable; default: every kind that fits, except pairs)",
    )
    pl.add_argument(
        "--outcome",
        action="append",
        metavar="OUTCOME",
        help="outcome column for response/heatmap/sensitivity (repeatable; "
        "default: the focus members' exit and final cohesion)",
    )
    pl.add_argument(
        "--format", default="png", choices=("png", "svg", "pdf"), help="png (default), svg or pdf"
    )
    _style_option(pl)

    se = _command(
        sub,
        "sensitivity",
        "Sobol or Morris indices of a sweep",
        "Compute Sobol (saltelli design) or Morris (morris design) "
        "sensitivity indices of OUTCOME with SALib, print them "
        "and plot them.",
    )
    se.add_argument("directory", metavar="DIR", help=_RESULT)
    se.add_argument(
        "--outcome",
        action="append",
        metavar="OUTCOME",
        help="outcome column (repeatable; default: focus members' exit and final cohesion)",
    )
    se.add_argument("--out", metavar="FIGDIR", help="where the figure and table go (default DIR)")

    co = _command(
        sub,
        "compare",
        "HTML or Markdown report comparing result directories",
        "Compare result directories (the first is the reference): "
        "provenance, per-member tables with 95% intervals, "
        "differences with effect sizes and Holm-corrected tests, "
        "figures.  HTML is one self-contained file.",
    )
    co.add_argument(
        "directories",
        nargs="+",
        metavar="DIR",
        help="result directories (of alliance-sim run or sweep); the first is the reference",
    )
    co.add_argument("--out", metavar="FILE", required=True, help="report.html or report.md")
    co.add_argument(
        "--format",
        choices=("html", "md"),
        help="default: from the --out suffix (.md -> md, .html -> html)",
    )
    _style_option(co)
    co.add_argument(
        "--at",
        metavar="QUARTER",
        help="compare at this quarter (default: the last quarter every scenario reaches)",
    )
    co.add_argument(
        "--robustness",
        action="append",
        metavar="DIR",
        help="a robustness analysis you ran of one of the scenarios (alliance-sim robustness "
        "--out DIR; repeatable): the report says what it rests on from it",
    )

    ca = _command(
        sub,
        "calibrate",
        "fit a replay's uncertain parameters to the record (ABC-SMC)",
        "Approximate Bayesian computation (ABC-SMC, or rejection) over the prior ranges in "
        "SCENARIO's [calibrate] table; the distance adds the record's patterns (the five of "
        "2020-2024; in the 2006-2024 replay also Uzbekistan's exit and the year-end statuses) and "
        "the Brier score of the observables (UN votes, summits, exercises, budget).  Writes "
        "the posterior (Parquet) to OUT and a report (reproduction rates, contraction, "
        "posterior plots) beside it.",
    )
    ca.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO)
    ca.add_argument("--out", metavar="FILE", required=True, help="posterior .parquet to write")
    ca.add_argument("--method", choices=("smc", "rejection"), help="default: the file's")
    _fit_options(ca)
    ca.add_argument("--seed", type=_seed, help="master seed (default: the file's [calibrate] seed)")
    ca.add_argument("--fit-until", metavar="QUARTER", help="fit only the record up to this quarter")
    ca.add_argument(
        "--report", metavar="DIR", help="report directory (default: OUT's stem + _report)"
    )
    ca.add_argument(
        "--force", action="store_true", help="replace a posterior alliance-sim wrote at OUT"
    )

    bt = _command(
        sub,
        "backtest",
        "fit on the past, forecast what came after, score it against naive forecasters",
        "Calibrate SCENARIO (a replay) on the record up to --fit-until, forecast the rest of "
        "its period from each posterior set's replay state at the cut (events after the cut "
        "are not given to the model), and score the forecast of observable outcomes (status, "
        "UN votes, summit attendance, exercises, budget; per member and occasion) with the "
        "Brier and log scores against five rivals fitted on the same window (persistence, "
        "hedged persistence, each member's own rate, the base rate, a logistic regression). "
        "With --origins, refit and forecast at each origin and pool the scores (a "
        "rolling-origin backtest).  Writes DIR/backtest.json, DIR/backtest.md and a figure.",
    )
    bt.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO)
    when = bt.add_mutually_exclusive_group(required=True)
    when.add_argument("--fit-until", metavar="QUARTER", help="one origin, e.g. 2022Q4")
    when.add_argument(
        "--origins",
        metavar="QUARTERS",
        help="a rolling-origin backtest: refit at each origin (at most 12 generations, 16 "
        "seeds per set unless --generations/--replicates say otherwise) and forecast the next "
        "--horizon quarters, e.g. 2010Q4,2012Q4,2014Q4,2016Q4,2018Q4,2020Q4,2022Q4",
    )
    bt.add_argument(
        "--horizon",
        type=_positive,
        metavar="QUARTERS",
        help="with --origins: quarters forecast from each origin (default 8)",
    )
    bt.add_argument("--out", metavar="DIR", required=True, help="output directory")
    _fit_options(bt)
    bt.add_argument("--runs", type=_positive, default=400, help="forecast runs (default 400)")
    bt.add_argument(
        "--max-unmatched",
        type=_share,
        metavar="SHARE",
        help="refuse a fit in which more than this share of posterior sets reach none of the "
        "statuses recorded at the cut (default 0.05; a larger share scores the backtest but "
        "marks it invalid; with --origins the default is 1: an origin over 0.05 is scored, "
        "marked invalid and left out of the pooled scores)",
    )
    bt.add_argument(
        "--force", action="store_true", help="replace a backtest alliance-sim wrote in DIR"
    )
    bt.add_argument(
        "--known-events",
        action="store_true",
        help="also give the model the "
        "scheduled events after the cut (a scenario-conditional forecast)",
    )

    di = _command(
        sub,
        "discover",
        "where in the swept parameters an outcome happens (PRIM, CART)",
        "Scenario discovery on a sweep: PRIM boxes (EMA Workbench) with their peeling "
        "trajectory (coverage, density, mass) and a CART tree (scikit-learn).  Prints the "
        "chosen box in words; writes boxes.csv, tradeoff.png, box_limits.png, cart.txt. "
        "Extra [discovery].",
    )
    di.add_argument("directory", metavar="DIR", help=_RESULT)
    _case_options(di)
    di.add_argument("--box", type=_nonneg, metavar="N", help="box N of the peeling trajectory")
    di.add_argument(
        "--per-point",
        action="store_true",
        help="aggregate replicates per point first (mean of OUTCOME > T)",
    )
    di.add_argument("--out", metavar="D", help="output directory (default DIR/discover_OUTCOME)")

    ro = _command(
        sub,
        "robustness",
        "what a headline rests on: its range over what the data do not pin down",
        "Vary, on top of the calibrated posterior, every parameter calibration does not "
        "identify and every hand-set one over its plausible range (a Saltelli design), and "
        "measure how much of each headline's spread each explains (Sobol indices, SALib) and "
        "the range it spans (the envelope).  Writes DIR/robustness.json, robustness.md and "
        "drivers.png.",
    )
    ro.add_argument("scenario", metavar="SCENARIO", help=_SCENARIO)
    ro.add_argument("--out", metavar="DIR", required=True, help="output directory")
    ro.add_argument(
        "--samples",
        type=_positive,
        default=64,
        metavar="N",
        help="Saltelli base samples, a power of two (default 64: N x (parameters + 2) points)",
    )
    ro.add_argument(
        "--replicates",
        type=_positive,
        default=32,
        metavar="K",
        help="runs per design point, on posterior sets 0..K-1 (default 32)",
    )
    ro.add_argument("--seed", type=_seed, default=0, help="design and run seed (default 0)")
    ro.add_argument(
        "--against",
        metavar="BASE",
        help="analyse the difference SCENARIO minus BASE (a forecast of the same posterior, "
        "start and horizon, e.g. baseline): what the scenario's effect rests on",
    )
    ro.add_argument(
        "--hold-own",
        action="store_true",
        help="keep the values the scenario sets by hand ([params], [members], [region]: its "
        "premises) at its values instead of varying them over their plausible ranges",
    )
    ro.add_argument(
        "--outcome",
        choices=("exit", "suspended", "hedging"),
        default="exit",
        help="what each headline asks of a focus member: exit (has it left by the horizon; "
        "the default), suspended (is it suspended or out at the horizon: frozen or gone) or "
        "hedging (is it hedging, suspended or out at the horizon)",
    )
    ro.add_argument(
        "--force",
        action="store_true",
        help="replace an earlier robustness analysis in DIR run with other settings",
    )
    _end_option(ro)
    ro.add_argument("-q", "--quiet", action="store_true", help="no progress line")

    ck = _command(
        sub,
        "check",
        "a result directory's health: manifest, status, every part against its record",
        "Verify DIR: the manifest's shape and checksum, the sweep's status, and every stored "
        "part (Parquet file) against the row count, size and SHA-256 recorded when it was "
        "written.  Names each missing, extra, empty or changed part and says how to repair "
        "it.  Exit status 0 if healthy, 1 if not.",
    )
    ck.add_argument("directory", metavar="DIR", help=_RESULT)

    ex = _command(
        sub,
        "export",
        "a result directory's tables as CSV",
        "Write DIR's Parquet tables (runs, alliance, timeseries) as CSV files with a copy of "
        "manifest.json, for tools that do not read Parquet.",
    )
    ex.add_argument("directory", metavar="DIR", help=_RESULT)
    ex.add_argument("--format", choices=("csv",), default="csv", help="csv (default)")
    ex.add_argument("--out", metavar="D", help="output directory (default DIR/csv)")
    ex.add_argument("--force", action="store_true", help="replace files exported before")
    ex.add_argument(
        "--partial",
        action="store_true",
        help="export an interrupted sweep's stored chunks (PARTIAL.txt says how many)",
    )

    rf = _command(
        sub,
        "refine",
        "adaptive sampling: new runs where the outcome is most uncertain",
        "Fit a random-forest classifier to DIR's runs, propose points where "
        "P(OUTCOME) is nearest 0.5 (the tipping point), run them into DIR (existing "
        "runs untouched; the round recorded in manifest.json; resumable) and report how "
        "the boundary estimate changed.  Repeatable.  Extra [discovery].",
    )
    rf.add_argument("directory", metavar="DIR", help=_RESULT)
    _case_options(rf)
    rf.add_argument("--runs", type=_positive, required=True, metavar="N", help="new runs")
    rf.add_argument(
        "--replicates", type=_positive, metavar="K", help="seeds per new point (default: DIR's)"
    )
    rf.add_argument("--workers", type=_positive, default=1, metavar="N", help="default 1")
    rf.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    vz = _command(
        sub,
        "viz",
        "watch the model step by step in the browser (extra [viz])",
        "Serve a Mesa SolaraViz page for SCENARIO (default: the "
        "2020Q1 world with default parameters): sliders for the key parameters, Step / "
        "Play / Reset, the members around Russia and their "
        "commitment over time.  Ctrl-C stops it.",
    )
    vz.add_argument("scenario", nargs="?", metavar="SCENARIO")
    vz.add_argument("--port", type=_port, default=8765, help="default 8765 (1 to 65535)")
    vz.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only)",
    )
    vz.add_argument("--no-browser", action="store_true", help="do not open a browser")
    return p


#: an option named as the Python API names it: ``replicates = 100001: allowed ...``
_KEYWORD = re.compile(r"^([a-z_]+) = (.+?)(?: \(--[a-z-]+\))?: allowed")


def _as_option(text: str, args: argparse.Namespace) -> str:
    """``text`` with a keyword the API named (``replicates = 100001``) named as this command's
    option (``--replicates 100001``): the command line has no keywords, and the same value
    out of range read ``--replicates 0`` one way and ``replicates = 100001`` the other."""
    m = _KEYWORD.match(text)
    if m is None or not hasattr(args, m[1]) or m[1] in ("command", "scenario"):
        return text
    return f"--{m[1].replace('_', '-')} {m[2]}: allowed{text[m.end() :]}"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    compile_notice(not getattr(args, "quiet", False))
    try:
        with sigterm_stops_cleanly(args.command), reading_inputs(args), warnings.catch_warnings():
            warnings.simplefilter("ignore", FewSetsNote)  # `run`/`sweep` print it as a note
            return COMMANDS[args.command](args)
    except (AllianceSimError, ValueError) as e:  # ValueError: option values the API caught
        said = _as_option(term(e, keep_newlines=False), args)
        print(f"alliance-sim: error: {said}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:  # a disk full, a folder removed under us: one line, not a traceback
        where = f"{shortened(e.filename, 120)}: " if e.filename else ""
        resume = (
            "; what was finished is kept: free space (or raise the limit) and run the same "
            "command again to resume"
            if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
            else ""
        )
        print(f"alliance-sim: error: {where}{e.strerror or e}{resume}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(
            "alliance-sim: error: out of memory; what was finished is kept (a sweep resumes "
            "when the same command is run again): ask for fewer runs, points or replicates, "
            "or use --record end",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
