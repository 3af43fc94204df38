"""What a scenario scripts and what the model decides, read off the scenario itself.

A headline means something different when its cause is scheduled ("Iran applies in 2026Q1")
than when the model produced it ("the members refuse"). Every scheduled event of the resolved
scenario is scripted, and so is every value it sets by hand (``[params]``, ``[members.CODE]``,
``[region]``) -- with its outcome where the file fixes it (an appeal left unanswered);
what the model decides is listed with it: each member's commitment and status, Russia's
pressure and inducements, and every outcome the file leaves to the model (an appeal with
``answered = "model"``, the members' consent to an application).  Derived from the events, the
list cannot drift from the file; reports print it under the headline.
"""

from __future__ import annotations

from typing import Any

from alliance_sim.core import quarters
from alliance_sim.core.params import BY_NAME
from alliance_sim.report.marks import _event_label

ALWAYS = (
    "each member's commitment, and whether and when it hedges, suspends or leaves",
    "Russia's pressure and inducements each quarter, within its bandwidth",
)


def script(scenario: dict[str, Any], swept: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """(scripted, decided) for a resolved scenario table (a manifest's ``scenario``);
    ``swept``: the quantities a sweep varies (an event whose quarter or size it varies says
    so: "2026Q1 IRN application" read as if every pooled run applied then)."""
    scripted: list[str] = []
    decided: list[str] = list(ALWAYS)
    evs = [e for e in scenario.get("events", []) or [] if e.get("at")]
    for ev in sorted(evs, key=lambda e: quarters.parse(str(e["at"]))):
        who = ev.get("member") or "/".join(ev.get("members", []) or [])
        moved = [s.split(".")[2] for s in swept if s.startswith(f"events.{ev.get('id')}.")]
        shown = _with_defaults(ev)  # an offer without `kind` still says who offers (red-team)
        label, size = _event_label(shown, who), _magnitude(shown, moved)
        if size:  # "ARM offer (west arms, size 0.4)", "KAZ pressure (size 0.5, for 16 quarters)"
            label = f"{label[:-1]}, {size})" if label.endswith(")") else f"{label} ({size})"
        if moved:  # one bracket: "(credibility signal 0.5; quarter, commitment swept)"
            what = ", ".join("quarter" if f == "at" else f.replace("_", " ") for f in moved)
            what += " swept"
            label = f"{label[:-1]}; {what})" if label.endswith(")") else f"{label} ({what})"
        text = f"{ev['at']} {label}"
        kind = ev.get("type")
        at, swept_at = (f"{ev['at']} ", "") if "at" not in moved else ("", " (its quarter swept)")
        if kind in ("appeal", "unrest"):
            answered = ev.get("answered", "model")
            if answered == "model":
                decided.append(f"whether Russia answers the {at}{who} {kind}{swept_at}")
            else:
                text += ", answered" if answered is True else ", left unanswered"
        if kind == "application":
            decided.append(f"whether the members consent to {who}'s {at}application{swept_at}")
        scripted.append(text)
    switch = "mech_own_application"
    if (scenario.get("params") or {}).get(switch, BY_NAME[switch].default):
        # a scripted accession: the choice is left only before it (a user read "the model
        # decides whether Iran applies" under a scenario that made Iran join)
        iran = [e for e in evs if (e.get("type"), e.get("member")) == ("accession", "IRN")]
        joins = [str(e["at"]) for e in iran]
        first = min(joins, key=quarters.parse) if joins else ""
        if any(f"events.{e.get('id')}.at" in swept for e in iran):  # its quarter is no fact
            first = "its quarter swept"
        until = f" before its scripted accession ({first})" if joins else ""
        decided.append(
            f"whether a state outside the alliance (Iran) applies of its own accord{until}, and "
            "the members' consent to it (mechanism own_application)"
        )
    if not evs:
        scripted.append("no event (the status quo)")

    def shown(values: dict[str, Any], prefix: str) -> str:
        """``name value``, and "(swept)" after a value the sweep varies (the file's value is
        then only the sweep's base point)."""
        mark = {s.removeprefix(prefix) for s in swept if s.startswith(prefix)}
        return ", ".join(f"{k} {v}" + (" (swept)" if k in mark else "") for k, v in values.items())

    params = scenario.get("params") or {}
    if params:  # values the file sets by hand, as much a part of the script as its events
        scripted.append(f"sets {shown(params, '')} ([params])")
    for code, fields_ in (scenario.get("members") or {}).items():
        if fields_:
            own = shown(fields_, f"members.{code}.")
            scripted.append(f"sets for {code}: {own} ([members.{code}])")
    region = scenario.get("region")
    if isinstance(region, dict) and region.get("members"):
        values = shown({k: v for k, v in region.items() if k not in ("members", "why")}, "region.")
        where = "/".join(str(c) for c in region["members"])
        scripted.append(f"for {where} only: {values} ([region])")
    return scripted, decided


def _magnitude(ev: dict[str, Any], moved: list[str]) -> str:
    """How big and how long an event is, as the file (or the event's default) says: "size
    0.5, for 16 quarters"; a swept field is left to the "(size swept)" that follows (a report
    said "2025Q1 KAZ pressure" of a campaign whose size decided the headline: helper-61)."""
    from alliance_sim.core.events import EVENT_TYPES

    fields = getattr(EVENT_TYPES.get(str(ev.get("type"))), "FIELDS", {})
    out = []
    shown = (
        ("size", "size {}"),
        ("value", "to {}"),
        ("change", "by {:+g}"),
        ("duration", "for {} quarters"),
        ("credibility_signal", "credibility signal {}"),
    )
    for name, words in shown:
        if name not in fields or name in moved:
            continue
        v = ev.get(name, fields[name].default)
        if name == "credibility_signal" and not v:  # said only where the event sends one
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(words.format(v if name == "change" else _value(v)))
    return ", ".join(out)


def _with_defaults(ev: dict[str, Any]) -> dict[str, Any]:
    """An offer's event with its default ``kind`` filled in (its label names the source only
    beside a kind: "KAZ offer (size 0.3)" of a Chinese offer said nothing of China)."""
    from alliance_sim.core.events import EVENT_TYPES

    if ev.get("type") != "offer" or ev.get("kind"):
        return ev
    return {**ev, "kind": EVENT_TYPES["offer"].FIELDS["kind"].default}


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def axis_text(axis: Any) -> str:
    """One swept quantity as a reader can rebuild it: ``name at v1, v2, ...`` (a grid or list
    of values; the first two and the last of more than six) or ``name from low to high``."""
    values = getattr(axis, "values", None)
    if values:
        shown = [_value(v) for v in values]
        if len(shown) > 6:
            shown = [*shown[:2], "...", shown[-1], f"({len(values)} values)"]
        return f"{axis.name} at {', '.join(shown)}".replace(", (", " (")
    if getattr(axis, "low", None) is not None:
        lo, hi = axis.low, axis.high
        if getattr(axis, "quarter", False):  # an event's quarter: labels, not ordinals (8101)
            lo, hi = quarters.label(round(lo)), quarters.label(round(hi))
        return f"{axis.name} from {_value(lo)} to {_value(hi)}"
    return str(axis.name)


#: each sampler's design in words (a report read "a saltelli of 40 points")
DESIGNS = {
    "grid": "grid",
    "random": "random sample",
    "lhs": "Latin hypercube",
    "sobol": "Sobol sequence",
    "saltelli": "Saltelli design",
    "morris": "Morris design",
}


def design_text(plan: Any, article: str = "") -> str:
    """What a sweep varied, for a report: every axis with its values or range, then the design
    (``grid of 25 points x 2 replicates``, after ``article``); "" for a result that swept
    nothing."""
    axes = list(getattr(plan, "axes", None) or [])
    if not axes and not getattr(plan, "swept", None):
        return ""
    shown = "; ".join(axis_text(a) for a in axes) if axes else ", ".join(plan.swept)
    kind = DESIGNS.get(plan.sampler, f"{plan.sampler} design")
    design = f"{kind} of {plan.n_points} points x {plan.replicates} replicates"
    return f"{shown} ({article}{design})"


def sentence(name: str, scenario: dict[str, Any], plan: Any = None) -> str:
    """One line for a report: ``NAME scripts: ...; the model decides: ...``; for a sweep
    (``plan``: its manifest's plan), what it varied, and that the values set above are its
    base point (a report printed them alone, as if every pooled run had used them)."""
    swept = tuple(getattr(plan, "swept", None) or ())
    scripted, decided = script(scenario, swept)
    s = "; ".join(scripted) if scripted else "no event (the status quo)"
    design = design_text(plan, "a ") if plan is not None else ""
    if design:
        s += (
            f"; and sweeps {design}, pooled: where a value set above is swept, the runs use "
            "the sweep's values, not the file's"
        )
    return f"{name} scripts: {s}. The model decides: {'; '.join(decided)}."
