"""Which figures fit a result directory, and writing them (``alliance-sim plot``)."""

from __future__ import annotations

import itertools
import os
from functools import partial
from pathlib import Path

from alliance_sim.errors import AllianceSimError, UserError, warn_user
from alliance_sim.paths import user_path, writable_dir
from alliance_sim.progress import bar
from alliance_sim.report import plots, sweep_plots
from alliance_sim.report.saving import FORMATS, figure_path
from alliance_sim.runs.refined import own_design
from alliance_sim.runs.results import Result, as_result

KINDS = ("fan", "status", "cohesion", "response", "heatmap", "sensitivity", "pairs")


def default_outcomes(res: Result) -> list[str]:
    """The outcomes worth plotting against swept values: exit probability of the focus
    members (without a focus, of the three allies most likely to leave) and cohesion at the
    horizon."""
    focus = res.manifest.plan.focus or []
    if not focus:  # the (at most three) members most likely to leave
        runs = res.runs
        p = {
            c: runs[f"{c}_exited"].mean()
            for c in plots.ALLIES
            if f"{c}_exited" in runs and runs[f"{c}_exited"].notna().any()
        }
        focus = [c for c in sorted(p, key=p.get, reverse=True) if p[c] > 0][:3]
    return [f"{c}_exited" for c in focus] + ["cohesion_final"]


def fitting_kinds(res: Result) -> list[str]:
    """The kinds of figure this result supports: response curves only where a parameter was
    swept, a heatmap where two were, sensitivity where the design was drawn for it."""
    swept = res.swept
    kinds = [] if skipped_kinds(res) else ["fan", "status", "cohesion"]
    if swept:
        kinds.append("response")
    if len(swept) >= 2:
        kinds.append("heatmap")
    if res.manifest.plan.sampler in ("saltelli", "morris"):
        kinds.append("sensitivity")
    return kinds


SERIES = ("fan", "status", "cohesion")


def empty_outcomes(res: Result, outcomes: list[str]) -> list[str]:
    """The outcomes no run has a value for (Iran's exit when it never joined): no figure of
    them is drawn (it would be an empty frame)."""
    return [o for o in outcomes if o in res.runs and not res.runs[o].notna().any()]


def skipped_kinds(res: Result) -> str:
    """Why the time-series figures (fan, status, cohesion) do not fit ``res`` ("" if they
    do): too few recorded quarters (``--record end``), where their lines would be straight."""
    from alliance_sim.analysis.aggregate import recorded_steps
    from alliance_sim.core import quarters

    n = len(recorded_steps(res))
    if n >= min(plots.MIN_QUARTERS, quarters.steps_between(res.plan.start, res.plan.end) + 1):
        return ""  # enough quarters, or every quarter of a short run
    return (
        f"no {', '.join(SERIES)}: {res.directory} recorded {plots.plural(n, 'quarter')} "
        f"(--record {res.plan.record}); run it with --record all for time series"
    )


def write_figures(
    res: Result | str | os.PathLike,
    out: str | os.PathLike,
    kinds: list[str] | str | None = None,
    fmt: str = "png",
    outcomes: list[str] | str | None = None,
    quiet: bool | None = None,
    style: str | None = None,
) -> list[Path]:
    """Write the figures of ``kinds`` (default: every kind that fits) into directory ``out``;
    return their paths.  Asking for a kind that does not fit raises ValueError (AnalysisError
    for a time-series figure of a result recorded with ``--record end``).  ``style``:
    ``screen`` (default) or ``paper`` (serif, 300 dpi, at most 7 in wide; see
    :mod:`alliance_sim.report.style`).  ``quiet=False`` (None: in Jupyter) shows a progress
    bar counting the figures."""
    from alliance_sim.report.style import check_style, use_style

    if style is not None:
        check_style(style)
    kinds = [kinds] if isinstance(kinds, str) else kinds  # one kind: "fan", not "f", "a", "n"
    if kinds is not None and not list(kinds):
        raise ValueError(f"kinds=[]: allowed one or more of {', '.join(KINDS)}, or None for all")
    outcomes = [outcomes] if isinstance(outcomes, str) else outcomes
    if outcomes is not None and (
        not isinstance(outcomes, list | tuple)
        or not outcomes  # [] drew every outcome, where kinds=[] is refused
        or not all(isinstance(o, str) for o in outcomes)
    ):
        raise UserError(f"outcomes = {outcomes!r}: allowed an outcome's name or a list of them")
    outcomes = list(dict.fromkeys(outcomes)) if outcomes is not None else None  # each once
    # a file in the way ("new/../afile/x": the paths' own reading), "f" * 256, /proc/x
    writable_dir(out, "out")
    with use_style(style):  # refine's runs sit near a boundary: no sample of the swept space
        own = own_design(as_result(res, "write_figures"), "write_figures()")
        paths = _write(own, out, kinds, fmt, outcomes, quiet)
    if note := another_result(user_path(out), own):  # (the command line prints it instead)
        warn_user(note, OtherResultNote)
    return paths


class ReplacedFiguresNote(UserWarning):
    """Figures of another result in the folder were replaced (its figures name their result)."""


class OtherResultNote(UserWarning):
    """Figures were written into the folder of another result (:func:`another_result`)."""


def another_result(out: Path, res) -> str:
    """What a figure folder says of another result it holds (``plot out/sweep --out out/base``
    put the sweep's status.png beside the baseline's commitment.png without a word, and a
    reader of out/base took it for the baseline's: helper-61); "" for its own or none.
    :func:`write_figures` warns with it (:class:`OtherResultNote`); the command line prints it."""
    from alliance_sim.runs.results import Manifest

    try:
        m = Manifest.read(out)
    except AllianceSimError:
        return ""
    if m is None or out.resolve() == Path(res.directory).resolve():
        return ""
    if m.fingerprint and m.fingerprint == res.manifest.fingerprint:  # the same runs (a copy)
        return ""
    mine, theirs = res.manifest, m
    same = theirs.scenario_name == mine.scenario_name  # then say what differs (helper-63)
    seeds = f", master seed {theirs.plan.master_seed}" if same else ""
    ours = f", master seed {mine.plan.master_seed}" if same else ""
    return (
        f"{out} holds {'another' if same else 'the'} result of {theirs.scenario_name!r} "
        f"({theirs.plan.n_runs:,} runs{seeds}); the figures written there are of "
        f"{mine.scenario_name!r} ({res.directory}: {mine.plan.n_runs:,} runs{ours}), and each "
        "says so in its title and footer"
    )


def sensitivity_over_others(res, out: Path, outcomes: list[str]) -> dict[str | None, str]:
    """Refuse (one line) if ``out`` is another result's folder holding a sensitivity table
    or figure of ``outcomes`` that is not this result's; return what is said, by outcome, of
    files there that another result wrote, replaced as asked, and under ``None`` what ``plot``
    says of a folder that holds another result (``sensitivity --out F`` had replaced them
    without a word: helper-100, and its table in another result's folder: red team).  A
    table is this result's when the figure beside it is."""
    from alliance_sim.report.saving import source_of
    from alliance_sim.report.sweep_plots import check_sensitivity_out

    check_sensitivity_out(out, outcomes)  # never over a file alliance-sim did not write
    if Path(out).resolve() == Path(res.directory).resolve():
        return {}  # its own folder: its own tables
    own, said, theirs = res.manifest.fingerprint, {}, []
    for o in outcomes:
        png, csv = out / f"sensitivity_{o}.png", out / f"sensitivity_{o}.csv"
        whose = source_of(png) if png.exists() else None  # None: unknown (or no figure)
        there = [f.name for f in (png, csv) if f.exists() and not (own and whose == own)]
        theirs += there
        if there:
            said[o] = (f"{' and '.join(there)} {'was' if len(there) == 1 else 'were'} written "
                       "for another result (or a run that names none)")  # fmt: skip
    _not_over_another(res, out, theirs)
    if note := another_result(out, res):
        said[None] = note
    return said


def _not_over_another(res, out: Path, files: list[str]) -> None:
    """Refuse (one line) to replace figures in the folder of another result: ``plot out/sweep
    --out out/base`` replaced the baseline's fan.png with the sweep's, and said so only after."""
    from alliance_sim.report.saving import source_of
    from alliance_sim.runs.results import Manifest

    mine = res.manifest.fingerprint  # this result's own figures there may be drawn again
    taken = [f for f in files if (out / f).exists() and not (mine and source_of(out / f) == mine)]
    if not taken:
        return
    try:
        theirs = Manifest.read(out)
    except AllianceSimError:  # a damaged result is still a result (its figures were replaced)
        if out.resolve() == Path(res.directory).resolve():
            return
        whose = "a result whose manifest.json cannot be read"
    else:
        if not another_result(out, res):
            return
        whose = f"the result of {theirs.scenario_name!r} ({theirs.plan.n_runs:,} runs)"
    raise UserError(  # figures from before the mark name no result: "there", not "its"
        f"{out} holds {whose}, and {_first_three(taken)} there: figures of {res.directory} "
        "would replace them; write them to another folder"
    )


def _first_three(names: list[str]) -> str:
    """File names in a line: up to three, then how many more."""
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _write(res, out, kinds, fmt, outcomes, quiet) -> list[Path]:
    fits = fitting_kinds(res)
    kinds = kinds or fits
    if not kinds:
        from alliance_sim.errors import AnalysisError

        raise AnalysisError(f"{res.directory}: nothing to plot: {skipped_kinds(res)}")
    if len(res.swept) >= 2:  # on request only: one figure per outcome over every pair
        fits = [*fits, "pairs"]
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"unknown figure kind {k!r}; allowed: {', '.join(KINDS)}")
        if k in SERIES and (why := skipped_kinds(res)):
            from alliance_sim.errors import AnalysisError

            raise AnalysisError(f"{res.directory}: no {k} figure: {why.split(': ', 1)[1]}")
        if k not in fits:
            why = {
                "response": "no parameter was swept",
                "heatmap": "fewer than two parameters were swept",
                "sensitivity": "the sweep was not sampled with saltelli or morris",
                "pairs": "fewer than two parameters were swept",
            }[k]
            raise ValueError(f"{res.directory}: no {k} figure: {why}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    out = user_path(out)
    m = res.manifest
    outcomes = outcomes or default_outcomes(res)
    from alliance_sim.analysis.sensitivity import check_outcome

    check_outcome(res, *outcomes)  # missing, bookkeeping, swept, text: one line (ValueError)
    made = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    out.mkdir(parents=True, exist_ok=True)  # after the checks: a refused plot left it empty
    from alliance_sim.runs.locks import drawing

    try:
        with drawing(out):  # another plot into this folder at once: refused in one line
            return _draw(res, out, kinds, fmt, outcomes, quiet, m)
    except BaseException:  # a part found missing while drawing: the folders it made, left empty
        for p in made:  # only folders this call made, and only while empty
            if any(p.iterdir()):
                break
            p.rmdir()
        raise


def _draw(res, out, kinds, fmt, outcomes, quiet, m) -> list[Path]:
    tasks = []  # (figure, how to draw it): counted first, so the bar knows the total
    if "fan" in kinds:
        tasks.append(("fan", lambda: plots.fan_chart(res, out / f"fan.{fmt}")))
    if "status" in kinds:
        tasks.append(("status", lambda: plots.status_probability(res, out / f"status.{fmt}")))
    if "cohesion" in kinds:
        tasks.append(("cohesion", lambda: plots.cohesion_chart(res, out / f"cohesion.{fmt}")))
    outcomes = [o for o in outcomes if o not in empty_outcomes(res, outcomes)]
    if "response" in kinds:
        for p, o in itertools.product(res.swept, outcomes):
            path = out / f"response_{_safe(p)}_{o}.{fmt}"
            tasks.append((path.stem, partial(sweep_plots.response, res.runs, m, p, o, path)))
    if "heatmap" in kinds:
        p1, p2 = res.swept[:2]
        for o in outcomes:
            path = out / f"heatmap_{o}.{fmt}"
            tasks.append((path.stem, partial(sweep_plots.heatmap, res.runs, m, p1, p2, o, path)))
    if "sensitivity" in kinds:
        for o in outcomes:
            tasks.append(
                (f"sensitivity_{o}", partial(_sensitivity, res, o, out / f"sensitivity_{o}.{fmt}"))
            )
    if "pairs" in kinds:
        from alliance_sim.report.pairs import pairs_plot

        for o in outcomes:
            path = out / f"pairs_{o}.{fmt}"
            tasks.append((path.stem, partial(pairs_plot, res.runs, m, res.swept, o, path)))
    for name, _ in tasks:  # before any is drawn: never over a file alliance-sim did not write
        figure_path(out / f"{name}.{fmt}")
    _not_over_another(res, out, [f"{name}.{fmt}" for name, _ in tasks])
    from alliance_sim.report.saving import source_of

    sources = {f"{name}.{fmt}": source_of(out / f"{name}.{fmt}") for name, _ in tasks}
    # in a folder of figures: replaced, as asked, but said (a new user's trial)
    before = {f for f, s in sources.items() if s not in (None, res.manifest.fingerprint)}
    paths: list[Path] = []
    with bar(len(tasks), "figures", unit="fig", quiet=quiet) as progress:
        for name, draw in tasks:
            progress.set_postfix_str(name, refresh=False)
            path = draw()
            if path is not None:
                paths.append(path)
            progress.update(1)
    # only those drawn: a figure skipped (an outcome that never varies) was not replaced
    theirs = [p.name for p in paths if p.name in before]
    if theirs:
        warn_user(
            f"{out}: {_first_three(theirs)} "
            f"{'was a figure' if len(theirs) == 1 else 'were figures'} of another result, now "
            f"replaced by {res.directory}'s",
            ReplacedFiguresNote,
        )
    return paths


def _sensitivity(res: Result, outcome: str, path: Path) -> Path | None:
    """The sensitivity chart of ``outcome``; None for an outcome that never varies (nothing
    to attribute: no figure of zeros)."""
    from alliance_sim.analysis.reliability import constant_outcome
    from alliance_sim.analysis.sensitivity import analyse

    if constant_outcome(res, outcome):
        return None
    return sweep_plots.sensitivity_chart(analyse(res, outcome), res.manifest, path)


def _safe(name: str) -> str:
    return name.replace(".", "-")
