"""Sections of a comparison report that say what its numbers rest on: each scenario's range
over what the record does not pin down (the shipped robustness analysis, at its own horizon),
and what each scenario scripts and what the model decides.  Lines starting "- " nest under
the line before them."""

from __future__ import annotations

from pathlib import Path

from alliance_sim.analysis.comparison import display_names
from alliance_sim.core.outcomes import CANDIDATES
from alliance_sim.runs.results import Result


def nested_html(lines: list[str]) -> list[str]:
    """``<li>`` items, a line starting "- " nested under the line before it."""
    from html import escape as esc

    out: list[str] = []
    for x in lines:
        if x.startswith("- ") and out:
            inner = f"<li>{esc(x[2:])}</li>"
            if out[-1].endswith("</ul></li>"):
                out[-1] = out[-1].removesuffix("</ul></li>") + inner + "</ul></li>"
            else:
                out[-1] = out[-1].removesuffix("</li>") + f"<ul>{inner}</ul></li>"
        else:
            out.append(f"<li>{esc(x.removeprefix('- '))}</li>")
    return out


def rests_on_lines(
    results: list[Result], when: str | None = None, analyses: dict | None = None
) -> list[str]:
    """Each compared scenario's range over what the record does not pin down (an analysis of
    that very scenario: the user's in ``analyses``, by scenario hash, else the shipped one;
    read at its own horizon, which ``when`` -- the quarter compared -- is set beside), or the
    command that would measure it; none for a sweep, but a line saying why an analysis the
    user gave for one is not shown (it was left out without a word: helper-100)."""
    from pathlib import Path

    from alliance_sim.report.robustness import rests_on

    found: list[str] = []
    hints: list[str] = []  # what to run: after what was found (the section opened with the
    names = display_names(results)  # reference's instruction, the user's analysis below it:
    for r, shown in zip(results, names, strict=True):  # helper-71)
        if r.swept:  # a sweep's spread is its own design
            h = r.manifest.scenario_hash
            ran = [n for x, n in zip(results, names, strict=True) if not x.swept
                   and x.manifest.scenario_hash == h]  # fmt: skip
            where = f"shown beside {ran[0]}, a run of the scenario, not" if ran else "not shown"
            then = "" if ran else "; compare a run of the scenario to read it beside that"
            for path, _ in (analyses or {}).get(h, []):
                hints.append(
                    f"{shown} (a sweep, {r.directory}): the robustness analysis {path} is "
                    f"{where} beside this sweep (it is of the scenario's values as its file "
                    f"sets them; a sweep pools its design points{then}); its own report: "
                    f"{_md_of(path)}"
                )
            continue
        m = r.manifest
        name, path = Path(m.scenario_path).stem, m.scenario_path
        for given in (analyses or {}).get(m.scenario_hash) or [None]:  # (exit and hedging)
            said = rests_on(
                name, path, m.scenario_hash, m.plan.end, compared_at=when, given=given,
                model=m.model,
            )  # fmt: skip
            (found if len(said) > 1 else hints).extend(said)
    lines = found + hints + _effects(results, when)
    return lines or ["Sweeps only: their spread over their own design is what they answer."]


def _md_of(path: str) -> str:
    """The robustness.md beside an analysis given as its folder or its robustness.json."""
    p = Path(path)
    return str((p.parent if p.suffix == ".json" else p) / "robustness.md")


def _effects(results: list[Result], when: str | None = None) -> list[str]:
    """The command that measures what each difference from the reference rests on (a new
    user asked which assumptions a comparison with the baseline rests on: helper-75), for
    runs of two forecasts of one posterior to one horizon; none where there is no such pair.
    ``when``: the quarter compared, named with ``--end`` where it is before the runs' end
    (the command had analysed their end: helper-99)."""
    from alliance_sim.report.labels import scenario_arg

    runs = [r for r in results if not r.swept]
    if len(runs) < 2 or runs[0] is not results[0]:
        return []

    def forecast(m):  # the file as run (or cut by --end), a forecast of a posterior
        from alliance_sim.errors import AllianceSimError
        from alliance_sim.scenario.load import load_scenario, with_end

        try:
            sc = load_scenario(m.scenario_path)
            if sc.hash != m.scenario_hash and sc.continues and m.plan.end != sc.end:
                sc = with_end(sc, m.plan.end, sweep=False, warn=0)  # a run cut by --end (it
        except (AllianceSimError, OSError, ValueError):  # named nothing: helper-117)
            return None
        return sc if sc.hash == m.scenario_hash and sc.continues else None

    ref = forecast(runs[0].manifest)
    if ref is None:  # (a replay: the command would be refused: red-team)
        return []
    same = []
    for r in runs[1:]:
        sc = forecast(r.manifest)
        alike = sc is not None and sc.start == ref.start  # (read at one quarter: `when`)
        if alike and sc.hash != ref.hash and sc.posterior.sha256 == ref.posterior.sha256:
            same.append(r.manifest)
    if not same:
        return []
    base = scenario_arg(runs[0].manifest.scenario_path)
    when = when or ref.end  # the quarter compared, or the runs' end: named unless both files
    from alliance_sim.report.robustness import _file_end  # the file's own end, not a run's

    own = _file_end(runs[0].manifest.scenario_path)[0]  # end there (a file ending elsewhere was
    made = "; ".join(  # refused: "allowed a scenario with the same start and horizon")
        f"alliance-sim robustness {scenario_arg(m.scenario_path)} --against {base}"
        f"{'' if when == own == _file_end(m.scenario_path)[0] else f' --end {when}'} --out DIR"
        for m in same
    )
    return [
        "What each difference from the reference rests on (the robustness of the effect, "
        f"both scenarios run alike at each design point): {made}"
    ]


def nested_md(lines: list[str]) -> list[str]:
    """Markdown list items, a line starting "- " nested under the line before it."""
    from alliance_sim.textsafe import md

    return [f"  - {md(x[2:])}" if x.startswith("- ") else f"- {md(x)}" for x in lines]


def scripted_lines(results: list[Result], when: str | None = None) -> list[str]:
    """Per compared scenario, its scheduled events and what the model decides, and under it
    each event up to ``when`` (the quarter compared) aimed at a member that a quarter or more
    of the runs no longer have by then."""
    from alliance_sim.report.scripted import sentence

    names = display_names(results)
    out: list[str] = []
    for n, r in zip(names, results, strict=True):
        out.append(sentence(n, r.manifest.scenario or {}, r.manifest.plan))
        out += [f"- {x}" for x in gone_before(r, n, when)]
    return out


#: an event aimed at a member gone from this share of runs or more is pointed out
GONE = 0.25
#: events that act on a member that has left, or on a state before it joins: not pointed out
NOT_ON_MEMBERS = ("application", "accession", "rejoin")


def gone_before(r: Result, name: str | None = None, when: str | None = None) -> list[str]:
    """Events of ``r`` (named ``name`` in the report) up to ``when`` (default: its end)
    aimed at one member that had left, as the event's quarter opens, in :data:`GONE` of the
    runs or more: the event reaches the others only (a report listed a 2030 offer to Armenia
    as scripted in a scenario where Armenia had left in most runs by then).  Read from the
    statuses recorded the quarter before; where that quarter is not recorded, from each run's
    exit quarter -- unless the scenario brings the member back (``rejoin``), which that
    cannot tell.  An event whose quarter a sweep varies is left out: it has no one quarter."""
    from alliance_sim.core import quarters

    plan = r.plan
    last = quarters.steps_between(plan.start, when or plan.end)
    swept = {a.name for a in plan.axes}
    events = (r.manifest.scenario or {}).get("events", []) or []
    back = {e.get("member") for e in events if e.get("type") == "rejoin"}
    out = []
    for ev in events:
        at, kind = str(ev.get("at", "")), str(ev.get("type"))
        codes = [ev["member"]] if ev.get("member") else list(ev.get("members") or [])
        if kind in NOT_ON_MEMBERS or not at or f"events.{ev.get('id')}.at" in swept:
            continue  # (a swept quarter: no one quarter to read)
        try:
            step = quarters.steps_between(plan.start, at)
        except ValueError:  # not a quarter: the scenario check has said so
            continue
        for code in codes if 0 < step <= last else ():  # a clash names two members
            count = _left_before(r, code, step, code in back)
            if count is None:
                continue
            k, n = count
            if n and k / n >= GONE:
                out.append(_gone_words(code, at, kind, k, n, name or r.name))
            elif not n and code in CANDIDATES:  # Uzbekistan, out since 2012, in a forecast
                out.append(
                    f"{_name(code)} is outside the alliance as {at} opens in every run of "
                    f"{name or r.name}: its {at} {kind} acts on a state outside it"
                )
    return out


def _left_before(r: Result, code: str, step: int, back: bool) -> tuple[int, int] | None:
    """(runs in which ``code`` had left as step ``step`` opens, runs in which it was a member
    then or had been), or None if the stored tables cannot tell."""
    from alliance_sim.analysis.aggregate import recorded_steps, status_at

    ok = r.runs[r.runs["error"].isna()] if "error" in r.runs else r.runs  # raised: no outcome
    if step - 1 in set(recorded_steps(r).tolist()):
        st = status_at(r, [step - 1])
        st = st[(st["member"].astype(str) == code) & st["run"].isin(ok["run"])]
        st = st["status"].astype(str)
        st = st[st != "candidate"]
        return int((st == "exited").sum()), len(st)
    if back or code in CANDIDATES or not {f"{code}_exit_step", f"{code}_commitment"} <= set(ok):
        return None  # brought back: its exit quarter is its last; a joiner: joined when?
    joined = ok[f"{code}_commitment"].notna()
    return int((ok.loc[joined, f"{code}_exit_step"] < step).sum()), int(joined.sum())


def _gone_words(code: str, at: str, kind: str, k: int, n: int, name: str) -> str:
    """ "Armenia has left before 2033Q1 in 35 of the 40 runs of Late offer (88%): its 2033Q1
    offer acts in the other 5 only"."""
    who = _name(code)
    if k == n:
        return f"{who} has left before {at} in all {n} runs of {name}: its {at} {kind} acts in none"
    return (
        f"{who} has left before {at} in {k} of the {n} runs of {name} ({k / n:.0%}): its {at} "
        f"{kind} acts in the other {n - k} only"
    )


def _name(code: str) -> str:
    from alliance_sim.report.headline import NAMES

    return NAMES.get(code, code)
