"""Labels a reader of a figure understands: a swept quantity's name in words with its unit
(from the parameter registry, the member figures and the event types' fields), and an outcome
with the quarter it refers to ("ARM P(exit by 2034Q4)")."""

from __future__ import annotations

from functools import lru_cache

from alliance_sim.core import members as mb

NAMES = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))


def _words(name: str) -> str:
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=256)
def _global_units() -> dict[str, str]:
    from alliance_sim.core.params import parameters

    t = parameters()
    return dict(zip(t["name"], t["unit"], strict=True))


def _event_field(event_id: str, field: str, scenario: dict | None) -> tuple[str, str]:
    """(event type, unit or meaning in brief) of an event's field, from the resolved scenario."""
    from alliance_sim.core.events import EVENT_TYPES

    kind = ""
    for ev in (scenario or {}).get("events", []) or []:
        if str(ev.get("id")) == event_id:
            kind = str(ev.get("type", ""))
            break
    if field == "at":
        return kind, "quarter"
    spec = EVENT_TYPES[kind].FIELDS.get(field) if kind in EVENT_TYPES else None
    if spec is None or spec.low is None:
        return kind, ""
    return kind, f"{spec.low:g}-{spec.high:g}"


def parameter_label(name: str, scenario: dict | None = None) -> str:
    """``western_offer`` -> ``Western offer (ties/quarter)``;
    ``members.ARM.pressure_tolerance`` -> ``Armenia: pressure tolerance (pressure)``;
    ``events.eu_arms.size`` -> ``eu_arms (offer): size (0-5)`` (``scenario``: the resolved
    scenario, as a manifest holds it, to find the event's type)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "members":
        code, field = parts[1], parts[2]
        spec = mb.MEMBER_FIELDS.get(field)
        unit = f" ({spec.unit})" if spec is not None and spec.unit else ""
        return f"{NAMES.get(code, code)}: {field.replace('_', ' ')}{unit}"
    if len(parts) == 3 and parts[0] == "events":
        kind, unit = _event_field(parts[1], parts[2], scenario)
        what = f"{parts[1]} ({kind})" if kind else parts[1]
        return f"{what}: {parts[2]}" + (f" ({unit})" if unit else "")
    unit = _global_units().get(name, "")
    return _words(name) + (f" ({unit})" if unit else "")


def outcome_label(outcome: str, when: str | None = None) -> str:
    """A reader's label for an outcome column, with the quarter it refers to when ``when`` is
    given (``ARM_exited`` -> ``ARM P(exit by 2034Q4)``)."""
    at, by = (f" at {when}", f" by {when}") if when else ("", "")
    code, _, rest = outcome.partition("_")
    if code in NAMES and rest:
        what = {
            "exited": f"P(exit{by})",
            "suspended": f"P(suspended{at or ' at end'})",
            "commitment": f"commitment{at or ' at end'}",
            "exit_step": "quarter of exit (steps from start)",
            "ever_suspended": f"P(ever suspended{by})",
            "min_commitment": f"lowest commitment{by}",
            "credibility": f"credibility{at or ' at end'}",
            "joined": f"P(joined{by})",
            "blocked": f"P(blocked an application{by})",
        }.get(rest, rest.replace("_", " "))
        return f"{code} {what}"
    named = {
        "cohesion_final": f"cohesion{at or ' at end'}",
        "cohesion_min": f"lowest cohesion{by}",
        "cohesion_mean": f"mean cohesion{by}",
    }
    return named.get(outcome, outcome.replace("_", " ") + at)
