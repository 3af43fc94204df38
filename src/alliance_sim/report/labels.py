"""Labels a reader of a figure understands: a swept quantity's name in words with its unit
(from the parameter registry, the member figures and the event types' fields), and an outcome
with the quarter it refers to ("ARM P(exit by 2034Q4)")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alliance_sim.core import members as mb

NAMES = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))


#: words of identifiers that a reader knows in capitals or in full
_WORDS = {
    "eu": "EU",
    "us": "US",
    "cn": "China",  # an id such as cn_arms read "Cn arms" on an axis (a new user's trial)
    "prc": "PRC",
    "ru": "Russia",
    "rf": "Russia",
    "un": "UN",
    "sco": "SCO",
    "csto": "CSTO",
    "cpc": "CPC",
    "gdp": "GDP",
    "pla": "PLA",
    "nato": "NATO",
    "eaeu": "EAEU",
    "crrf": "CRRF",
    "cis": "CIS",
    "ndn": "NDN",
    "osce": "OSCE",
    "imf": "IMF",
    "wto": "WTO",
    "bri": "BRI",
    "uk": "UK",
    "usa": "USA",
    "az": "Azerbaijan",
    "tr": "Turkey",
    "mech": "mechanism:",
    **{c.lower(): c for c in mb.CODES},
}


def _words(name: str) -> str:
    """``eu_arms_package`` -> ``EU arms package``, ``sco_substitution`` -> ``SCO
    substitution``: an identifier in words, capitalised."""
    text = " ".join(_WORDS.get(w.lower(), w) for w in name.split("_") if w)
    return text[:1].upper() + text[1:]


def _brief(meaning: str) -> tuple[str, str]:
    """(what, unit) of an event field from its meaning: the words before a ``;``, without
    asides; a short parenthesis such as ``(index 0-1)`` is the unit.
    ``"extra pressure (index 0-1)"`` -> ``("extra pressure", "index 0-1")``."""
    import re

    text = meaning.split(";")[0].strip()
    unit = ""
    for aside in re.findall(r"\(([^()]*)\)", text):
        if len(aside) <= 16 and not aside.startswith("default"):
            unit = unit or aside
        text = text.replace(f"({aside})", "")
    text = re.sub(r"^(its|the) ", "", " ".join(text.split()))
    if len(text) > 40:
        text = text[:40].rsplit(" ", 1)[0] + "..."
    return text, unit


@lru_cache(maxsize=256)
def _global_units() -> dict[str, str]:
    from alliance_sim.core.params import parameters

    t = parameters()
    return dict(zip(t["name"], t["unit"], strict=True))


def _event_field(event_id: str, field: str, scenario: dict | None) -> str:
    """An event field in words with its unit, from the event type's declaration (the resolved
    scenario gives the event's type): ``size (ties added, 0-5)``, ``quarter``."""
    from alliance_sim.core.events import EVENT_TYPES

    if field == "at":
        return "quarter"
    kind = ""
    for ev in (scenario or {}).get("events", []) or []:
        if str(ev.get("id")) == event_id:
            kind = str(ev.get("type", ""))
            break
    spec = EVENT_TYPES[kind].FIELDS.get(field) if kind in EVENT_TYPES else None
    name = field.replace("_", " ")
    if spec is None:
        return name
    what, unit = _brief(spec.meaning)
    if not unit and spec.low is not None and spec.high is not None:
        unit = f"{spec.low:g}-{spec.high:g}"
    # a meaning cut at 40 characters read "(evidence the accession adds to every..., 0-5)" on
    # every axis: the unit alone then, as the README promises ("name and unit")
    shown = what if what != name and not what.endswith("...") else ""
    detail = ", ".join(t for t in (shown, unit) if t)
    return f"{name} ({detail})" if detail else name


def parameter_label(name: str, scenario: dict | None = None) -> str:
    """A swept quantity in words with its unit, from the registries:
    ``western_offer`` -> ``Western offer (ties/quarter)``;
    ``members.ARM.pressure_tolerance`` -> ``Armenia: pressure tolerance (pressure)``;
    ``events.eu_arms.size`` -> ``EU arms: size (ties added, 0-5)`` and ``events.eu_arms.at``
    -> ``EU arms: quarter``; ``region.chinese_offer`` -> ``Chinese offer (...) in KAZ, KGZ,
    TJK, UZB`` (names for one or two members) (``scenario``: the resolved scenario, as a
    manifest holds it, which gives the event's type and the region; without it the field has
    no unit)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "members":
        code, field = parts[1], parts[2]
        spec = mb.MEMBER_FIELDS.get(field)
        unit = f" ({spec.unit})" if spec is not None and spec.unit else ""
        return f"{NAMES.get(code, code)}: {field.replace('_', ' ')}{unit}"
    if len(parts) == 3 and parts[0] == "events":
        return f"{_words(parts[1])}: {_event_field(parts[1], parts[2], scenario)}"
    if len(parts) == 2 and parts[0] == "region":
        codes = ((scenario or {}).get("region") or {}).get("members") or []
        named = [NAMES.get(c, c) for c in codes] if len(codes) <= 2 else codes  # short axes
        where = ", ".join(named) if codes else "the scenario's region"
        return f"{parameter_label(parts[1])} in {where}"
    unit = _global_units().get(name, "")
    return _words(name) + (f" ({unit})" if unit else "")


def plural(n: int, word: str) -> str:
    """``1 point``, ``25 points``, ``1,000 runs``."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def outcome_label(outcome: str, when: str | None = None) -> str:
    """A reader's label for an outcome column, with the quarter it refers to when ``when`` is
    given (``ARM_exited`` -> ``ARM P(exit by 2034Q4)``)."""
    at, by = (f" at {when}", f" by {when}") if when else ("", "")
    code, _, rest = outcome.partition("_")
    if code in NAMES and rest:
        what = {
            "exited": f"P(exit{by})",
            "suspended": f"P(suspended{at or ' at end'})",
            "hedging": f"P(hedging{at or ' at end'})",
            "commitment": f"commitment{at or ' at end'}",
            "exit_step": "quarter of exit (steps from start)",
            "ever_suspended": f"P(ever suspended{by})",
            "min_commitment": f"lowest commitment{by}",
            "credibility": f"credibility{at or ' at end'}",
            "joined": f"P(joined{by})",
            "blocked": f"P(blocked an application{by})",
            "refused": f"P(its application refused{by})",
        }.get(rest, rest.replace("_", " "))
        return f"{code} {what}"
    named = {
        "cohesion_final": f"cohesion{at or ' at end'}",
        "cohesion_min": f"lowest cohesion{by}",
        "cohesion_mean": f"mean cohesion{by}",
    }
    return named.get(outcome, outcome.replace("_", " ") + at)


def scenario_shown(path: str, *, provenance: bool = False) -> str:
    """A scenario file as a shared report names it, in a form every command takes: a shipped
    scenario by its name (``provenance``: "NAME (shipped with alliance-sim)"), a file under
    the working directory relative to it (``west_arm.toml``: a report under /tmp gave the
    whole path), one under the home directory as ``~/...`` (a report sent to a colleague does
    not carry the author's user name), any other as it is."""
    from alliance_sim.scenario.files import shipped_dir

    if not path or path.startswith("<"):
        return path
    p = Path(path)
    shipped = shipped_dir()
    try:
        real = p.resolve()
        if shipped is not None and real.parent == shipped.resolve():
            return f"{p.stem} (shipped with alliance-sim)" if provenance else p.stem
        if real.is_relative_to(Path.cwd().resolve()):
            return real.relative_to(Path.cwd().resolve()).as_posix()
        return "~/" + real.relative_to(Path.home().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # not under home, or no home at all
        return path


def scenario_arg(path: str) -> str:
    """:func:`scenario_shown` as a shell argument: quoted where it holds spaces or other
    characters a shell splits on ("my dir/west arm.toml" pasted as two words), its leading
    ``~/`` left bare so the shell still expands it (``'~/x.toml'`` names a folder "~")."""
    import shlex

    shown = scenario_shown(path)
    if shown.startswith("~/"):
        return "~/" + shlex.quote(shown[2:])
    return shlex.quote(shown)
