"""``alliance-sim check DIR``: a result directory's health -- its manifest (shape and
checksum), its status and every stored part against its record (missing, extra, empty or
changed parts, each named), and what to do about what is wrong."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from alliance_sim.runs.integrity import damaged_parts, repair_advice
from alliance_sim.runs.locks import reading
from alliance_sim.runs.results import TABLES, Result


@dataclass
class Health:
    """What :func:`check` found: ``lines`` to print, ``problems`` (each names a file)."""

    directory: Path
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        n = sum(not p.startswith("to repair:") for p in self.problems)  # advice is no problem
        verdict = ["ok"] if self.ok else [f"{n} problem(s):", *self.problems]
        return "\n".join([*self.lines, *verdict])


def check(directory: str | os.PathLike) -> Health:
    """Check result ``directory``; a directory that is not one, or whose manifest is damaged,
    raises :class:`alliance_sim.errors.StoreError` (one line saying what to do)."""
    from alliance_sim.paths import user_path

    directory = user_path(directory)  # '~/DIR': its lock and outputs too, not only its tables
    res = Result.open(directory)  # the manifest's shape and checksum
    m = res.manifest
    h = Health(Path(directory))
    chunk = int(m.plan.chunk_size) or 0
    rounds = m.finished_rounds
    h.lines.append(
        f"{directory}: {m.kind} of {m.scenario_name!r}, {m.plan.n_runs:,} runs"
        + (f" in chunks of {chunk:,}" if chunk else "")
        + (f" and {len(rounds)} refine round(s)" if rounds else "")
        + f", {m.status}, written by alliance-sim {m.package_version}"
    )
    h.lines.append(
        "manifest: checksum verified"
        if m.format >= 2
        else "manifest: written before format 2 "
        "(no checksum, no part records: only missing, extra, empty and unreadable parts "
        "can be found)"
    )
    line, same_model = _model_line(m, directory)
    h.lines.append(line)
    with reading(directory):
        if m.status != "complete":
            from alliance_sim.errors import StoreError
            from alliance_sim.runs.foreign import refuse_foreign_journal, refuse_odd_parts
            from alliance_sim.runs.store import Store

            n_chunks = -(-m.plan.n_runs // chunk) if chunk else 0
            stored = Store(directory).stored_chunks(n_chunks, legacy=m.format < 2)
            try:  # what the same command refuses: no advice to run it again
                refuse_foreign_journal(Path(directory))
                todo = [i for i in range(n_chunks) if i not in stored]
                refuse_odd_parts(Path(directory), todo, folders=m.format >= 2)
            except StoreError as e:
                h.lines.append(f"chunks stored whole: {len(stored)} of {n_chunks}")
                h.problems.append(str(e))
                return h
            h.lines.append(f"chunks stored whole: {len(stored)} of {n_chunks}")
            finish = {
                True: "run the same command again to finish it",
                None: "run the same command again to finish it (refused if another model "
                "wrote it: the model could not be compared, see above)",
                False: "another model wrote it, so the same command is refused: run it into a "
                "new --out, or add --force to start it over",
            }[same_model]
            state = (
                "stopped before it finished (no process is writing it: it was killed or "
                "interrupted)"
                if m.status == "running"  # we hold the shared lock: no writer holds it
                else m.status
            )
            h.problems.append(
                f"the {m.kind} {'is ' if state == m.status else ''}{state}: {finish} "
                "(readers refuse it until then; 'export --partial' exports what is stored)"
            )
            return h
        bad = damaged_parts(Path(directory), m, TABLES)
        if m.parts is not None:
            n = sum(len(files) for files in m.parts.values())
            ours = {(t, f) for t, files in m.parts.items() for f in files}  # extra files aside:
            hit = sum((Path(p).parent.name.removesuffix(".parquet"), Path(p).name) in ours
                      for p, _ in bad)  # fmt: skip  # ("parts: -99 of 3 verified")
            # a file where a table's folder goes: none of that table's parts was verified
            hit += sum(len(m.parts.get(Path(p).name.removesuffix(".parquet"), ()))
                       for p, _ in bad if Path(p).parent == Path(directory))  # fmt: skip
            h.lines.append(f"parts: {n - hit} of {n} verified (rows, bytes, SHA-256)")
        refused = "(another model wrote this folder, so refine is refused: move the file out)"
        for path, why in bad:
            if same_model is False:  # its advice to finish the round would be refused
                why = why.replace("(run the same refine command again to finish it)", refused)
            h.problems.append(f"{path} {why}")
        # a damaged refine-round part makes a sweep refuse: then no advice to re-run chunks
        rounds_hit = any(p.name.startswith("part-round-") for p, _ in bad)
        advice = [
            repair_advice(Path(directory), why, path, in_check=True, kind=m.kind)
            for path, why in bad
            if not (rounds_hit and re.fullmatch(r"part-\d{6}\.parquet", path.name))
        ]
        for a in dict.fromkeys(advice):  # a chunk and a refine round need different repairs
            if a:
                h.problems.append(f"to repair: {a}")
        runs_dir = Path(directory) / "runs.parquet"
        if any(
            (runs_dir / f"part-round-{int(r['round']):03d}.parquet").is_file()
            for r in m.rounds
            if r.get("status") != "complete" and isinstance(r.get("round"), int)
        ):
            finish = refused if same_model is False else "run the same refine command again"
            h.problems.append(  # an interrupted round whose rows were already appended
                f"a refine round is unfinished, though its runs are stored: {finish} "
                "(readers leave its runs out of pooled numbers)"
            )
        else:
            for r in (r for r in m.rounds if r.get("status") != "complete"):
                h.lines.append(  # nothing of it in the tables: the result reads as it was
                    f"note: refine round {r.get('round')} ({r.get('outcome')}, "
                    f"{r.get('n_runs')} runs) was interrupted before its runs were added; "
                    f"the tables do not hold them; the next refine of {directory} finishes it"
                )
    h.problems += _outputs_in_the_way(Path(directory))
    h.lines += _figures_of_another(Path(directory), m.fingerprint)
    h.lines += _export_of_another(Path(directory), m)
    h.lines += _tables_before(Path(directory), m.started)
    if m.failed:
        h.lines.append(f"{m.failed} of {m.plan.n_runs} runs failed (their errors are in runs)")
    return h


def _outputs_in_the_way(d: Path) -> list[str]:
    """A result's own outputs beside its tables (``summary.json``, ``commitment.png``,
    ``by_point.csv``) that alliance-sim did not write -- a folder, a link or a file of that
    name -- which the same command then refused while ``check`` said "ok"."""
    from alliance_sim.paths import RESULT_OUTPUTS, foreign
    from alliance_sim.runs.locks import LOCK

    out = []
    if what := foreign(d / LOCK):  # a folder or a link: every writer refuses the folder
        out.append(f"{d / LOCK} is {what}, not the lock alliance-sim makes: move it out of {d}")
    for name, marker in RESULT_OUTPUTS.items():
        p = d / name
        if what := foreign(p, marker):
            out.append(
                f"{p} is {what} alliance-sim did not write, where the result's own {name} "
                f"goes (the same command refuses the folder): move it out of {d}"
            )
    return out


def _figures_of_another(d: Path, own: str | None) -> list[str]:
    """A note naming the figures in the folder that were drawn from other runs (``plot
    out/sweep --out out/base``, or a plot of the runs a ``--force`` replaced): ``check``
    said nothing of them, and a reader of the folder took them for its own (red team)."""
    from alliance_sim.paths import source_of

    if not own:
        return []
    names = sorted(p.name for p in d.iterdir() if p.suffix in (".png", ".svg", ".pdf"))
    other = [n for n in names if (src := source_of(d / n)) is not None and src != own]
    if not other:
        return []
    return [
        f"note: {_listed(other, d)} drawn from other runs than these (another result plotted "
        "here, or runs a --force replaced); each names its result in its title and footer"
    ]


def _export_of_another(d: Path, m) -> list[str]:
    """A note when the folder's own export (``csv/``, ``export``'s default) is of other runs
    than these: after a ``--force``, ``check`` said "ok" beside a runs.csv of the 200 runs it
    replaced (helper-99)."""
    from alliance_sim.runs.export import stale_export

    what = stale_export(d / "csv", m)
    if what is None:
        return []
    return [
        f"note: {d / 'csv'} holds an export {what}; export again: alliance-sim export {d} --force"
    ]


def _tables_before(d: Path, started: str) -> list[str]:
    """A note naming the ``sensitivity`` and ``discover`` tables in the folder written before
    these runs began (a ``--force`` since): they carry no mark of their result, and ``check``
    said "ok" beside them (helper-100).  Read from the files' times: a copy that reset them
    is not told."""
    import datetime as dt

    try:
        began = dt.datetime.strptime(started, "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except (TypeError, ValueError):
        return []
    files = [*d.glob("sensitivity_*.csv"), *d.glob("discover_*/boxes.csv")]
    old = sorted(str(f.relative_to(d)) for f in files if f.is_file() and f.stat().st_mtime < began)
    if not old:
        return []
    return [
        f"note: {_listed(old, d)} written before these runs began ({started}): of the runs "
        "a --force replaced; run that command again"
    ]


def _listed(names: list[str], d: Path) -> str:
    """Up to six names of files in ``d`` (and how many more), with their verb: "x.png in D
    was", "x.png, y.png in D were"."""
    more = f" and {len(names) - 6} more" if len(names) > 6 else ""
    return f"{', '.join(names[:6])}{more} in {d} {'was' if len(names) == 1 else 'were'}"


def _model_line(m, directory) -> tuple[str, bool | None]:
    """Whether the installed model wrote these runs (a resume or refine needs it to): the
    scenario file is read again as the run read it (its ``--end``) to find its replay."""
    if not m.model:
        return "model: not recorded (written before results recorded their model)", False
    from alliance_sim.runs.identity import scenario_as_run
    from alliance_sim.scenario.stamp import model_stamp

    stamp = f"stamp {m.model}: its equations, data and replay"
    if m.scenario_path.startswith("<"):
        return f"model: {stamp}; not compared (its scenario was not read from a file)", None
    sc, why = scenario_as_run(m, directory)
    if sc is None:
        line = f"model: {stamp}; not compared with the installed model (its scenario file {why})"
        return line, None
    now = model_stamp(sc)
    if now == m.model:
        return f"model: the installed one ({stamp})", True
    return (
        f"model: not the installed one ({stamp}; installed {now}): the equations, data or "
        "replay changed since. The runs are as written, but a resume or refine is refused",
        False,
    )
