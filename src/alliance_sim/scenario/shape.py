"""The shape of a scenario file: container types, checked before any value is looked at.

Each file of an ``extends`` chain is checked on its own, before it is merged with its parent,
so a list where a string or a table is expected (``start = ["2024Q1"]``, ``members = "ARM"``,
``params = 5``, an event that is not a table) is one line naming the file and the key rather
than a traceback from the merge or the value checks.  Values (ranges, names, quarters) are
checked afterwards by :mod:`alliance_sim.scenario.checks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alliance_sim.errors import ScenarioError, typename

_STR, _LIST, _TABLE = "a string", "a list", "a table"
_STRINGS = "a list of strings"

#: top-level key -> expected container ("a list of strings": each element a string too)
TOP: dict[str, str] = {
    "name": _STR,
    "description": _STR,
    "sources": _STRINGS,
    "extends": _STR,
    "start": _STR,
    "end": _STR,
    "focus": _STRINGS,
    "params": _TABLE,
    "members": _TABLE,
    "events": "an array of tables ([[events]])",
    "sweep": _TABLE,
    "calibrate": _TABLE,
    "calibration": _STR,
    "remove_events": _STRINGS,
}
EVENT_STRINGS = ("type", "at", "id", "note")
SWEEP: dict[str, str] = {"sampler": _STR, "parameters": _TABLE}
CALIBRATE: dict[str, str] = {"parameters": _TABLE}


def _fits(v: Any, expected: str) -> bool:
    if expected == _STR:
        return isinstance(v, str)
    if expected == _TABLE:
        return isinstance(v, dict)
    if expected == _STRINGS:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)  # array of tables


def _fail(path: Path, key: str, name: str, expected: str, v: Any) -> None:
    got = typename(v)
    if expected == _STRINGS and isinstance(v, list):
        got = "a list holding " + typename(next(x for x in v if not isinstance(x, str)))
    elif expected.startswith("an array") and isinstance(v, list):
        got = "a list holding " + typename(next(x for x in v if not isinstance(x, dict)))
    if name in ("start", "end", "at") and expected == _STR:  # end = 2029
        expected = 'a quarter in quotes (a string such as "2029Q4")'
    raise ScenarioError(f"{name} should be {expected}, got {got} in {path} [{key}]")


def check_shape(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """``data`` unchanged if every container has the expected type; else one line."""
    for key, expected in TOP.items():
        if key in data and not _fits(data[key], expected):
            _fail(path, key, key, expected, data[key])
    for code, fields in data.get("members", {}).items():
        key = f"members.{code}"
        if not isinstance(fields, dict):
            _fail(path, key, key, "a table of member figures", fields)
        if "initial_status" in fields and not isinstance(fields["initial_status"], str):
            _fail(path, key, "initial_status", _STR, fields["initial_status"])
    for n, event in enumerate(data.get("events", [])):
        for name in EVENT_STRINGS:
            if name in event and not isinstance(event[name], str):
                _fail(path, f"events[{n}]", name, _STR, event[name])
    for section, spec in (("sweep", SWEEP), ("calibrate", CALIBRATE)):
        for name, expected in spec.items():
            v = data.get(section, {}).get(name)
            if v is not None and not _fits(v, expected):
                _fail(path, f"{section}.{name}", name, expected, v)
    for name, spec in data.get("sweep", {}).get("parameters", {}).items():
        if not isinstance(spec, list | dict):
            _fail(
                path,
                f"sweep.parameters.{name}",
                name,
                "a list of values or a table {low = ..., high = ...}",
                spec,
            )
    for name, spec in data.get("calibrate", {}).get("parameters", {}).items():
        if not isinstance(spec, dict):
            _fail(
                path, f"calibrate.parameters.{name}", name, "a table {low = ..., high = ...}", spec
            )
    return data
