"""What a verb says beside its answer: where a scenario's ``[sweep]`` and ``focus`` come from
(``validate``).  (Whose figures a folder of another result receives is said by
``report.figures``.)"""

from __future__ import annotations

from pathlib import Path

from alliance_sim.errors import AllianceSimError


def inherited_sweep(sc) -> str:
    """ ", inherited from NAME (extends)" when the scenario's ``[sweep]`` is not in its own file
    but comes down its ``extends`` chain (a file of one's own that extends ``baseline`` sweeps
    baseline's levers, which ``run`` ignores and ``sweep`` and ``robustness`` use: a new user
    did not know, helper-61); "" otherwise."""
    from alliance_sim.scenario.files import read_toml

    try:
        own = read_toml(Path(sc.path))
    except (AllianceSimError, OSError):
        return ""
    parent = own.get("extends")
    if "sweep" in own or not parent:
        return ""
    return f", inherited from {parent} (extends; give the file its own [sweep] to change it)"


def focus_aside(sc) -> str:
    """ ", focus KGZ, ARM (...)": whom the scenario's tables and headlines lead with, and
    where that comes from when the file does not say it itself (the members it names, or
    the file it extends); "" for no focus."""
    from alliance_sim.scenario.files import named_members, read_toml

    if not sc.focus:
        return ""
    codes = ", ".join(sc.focus)
    try:
        own = read_toml(Path(sc.path))
    except (AllianceSimError, OSError):
        return f", focus {codes}"
    if "focus" in own or not own.get("extends"):
        return f", focus {codes}"
    if named_members(own):
        return f", focus {codes} (the members this file names, then its parent's)"
    return f", focus {codes} (that of {own['extends']}, which it extends)"
