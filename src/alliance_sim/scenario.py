"""Scenario files: find, read, resolve ``extends``; the validated :class:`Scenario`.

Validation lives in :mod:`alliance_sim.checks`.

A scenario file is data (TOML); nothing in it is executed or imported.  ``load_scenario(path)``
returns a validated :class:`Scenario` or raises :class:`ScenarioError`, whose message names the
file, the key and what is allowed, e.g.::

    unknown parameter 'westrn_offer' in scenarios/x.toml [params]; did you mean 'western_offer'?
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from alliance_sim import quarters
from alliance_sim.events import Event

DEFAULT_START, DEFAULT_END = "2024Q1", "2033Q4"
_HINT = re.compile(r"; did you mean '[^']*'\?")


class ScenarioError(ValueError):
    """A mistake in a scenario file; ``str(err)`` is one line for the user."""


def _hint(name: str, allowed: Any) -> str:
    """'; did you mean X?' for the closest allowed name (ties go to the longer common
    prefix: ARN -> ARM, not IRN), or '' if none is close."""
    name = str(name)
    close = difflib.get_close_matches(name, [str(a) for a in allowed], n=5, cutoff=0.6)
    if not close:
        return ""

    def score(c: str) -> tuple[float, int]:
        prefix = next(
            (k for k, (a, b) in enumerate(zip(name.lower(), c.lower(), strict=False)) if a != b),
            min(len(name), len(c)),
        )
        return (round(difflib.SequenceMatcher(None, name, c).ratio(), 6), prefix)

    return f"; did you mean {max(close, key=score)!r}?"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _typename(v: Any) -> str:
    return {str: "string", bool: "boolean", list: "list", dict: "table"}.get(
        type(v), type(v).__name__
    )


@dataclass(frozen=True)
class SweepAxis:
    """One swept quantity: a list of ``values`` or a ``low``-``high`` range."""

    name: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    quarter: bool = False  # an event's `at`: values are quarter labels, ranges are ordinals


@dataclass(frozen=True)
class SweepSpec:
    sampler: str
    samples: int
    replicates: int
    seed: int
    levels: int
    axes: tuple[SweepAxis, ...]


@dataclass(frozen=True)
class CalibrateSpec:
    """ABC rejection settings: ``draws`` prior draws, the best ``accept`` share kept."""

    draws: int
    accept: float
    replicates: int
    seed: int
    priors: tuple[SweepAxis, ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with its ``extends`` chain resolved."""

    name: str
    description: str
    path: str
    start: str
    end: str
    sources: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    params: dict[str, float] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: tuple[tuple[str, Event], ...] = ()  # (id, event)
    sweep: SweepSpec | None = None
    calibrate: CalibrateSpec | None = None  # how to fit this scenario (the replay)
    posterior: tuple[dict[str, float], ...] = ()  # parameter sets a forecast draws from
    calibration_file: str = ""
    posterior_start: str = ""  # start of the replay the posterior was fitted to
    data: dict[str, Any] = field(default_factory=dict)  # the resolved file, for show/manifest

    @property
    def n_steps(self) -> int:
        return quarters.steps_between(self.start, self.end)

    @property
    def hash(self) -> str:
        """Fingerprint of the resolved scenario (what runs depend on), 16 hex digits."""
        blob = json.dumps(self.data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def event_list(self) -> list[Event]:
        return [e for _, e in self.events]


# --- finding and reading files ---------------------------------------------------------------


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios are looked up by name: $ALLIANCE_SIM_SCENARIOS, ./scenarios,
    and the repository's scenarios/ next to the package source."""
    dirs = []
    if env := os.environ.get("ALLIANCE_SIM_SCENARIOS"):
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "scenarios")
    dirs.append(Path(__file__).resolve().parents[2] / "scenarios")
    return dirs


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """A scenario's file from a path or a shipped scenario's name (``armenia_exits``)."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise ScenarioError(f"{p}: no such scenario file")
        return p
    for d in scenario_dirs():
        if (d / f"{p.name}.toml").is_file():
            return d / f"{p.name}.toml"
    names = sorted({f.stem for d in scenario_dirs() if d.is_dir() for f in d.glob("*.toml")})
    raise ScenarioError(
        f"no scenario named {str(name_or_path)!r}{_hint(p.name, names)} "
        f"(shipped: {', '.join(names) or 'none found'})"
    )


def list_scenarios() -> list[Path]:
    """Shipped scenario files, first directory that has them."""
    for d in scenario_dirs():
        files = sorted(d.glob("*.toml")) if d.is_dir() else []
        if files:
            return files
    return []


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text("utf-8")
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read ({e.strerror})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: malformed TOML: {e}") from None


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``child`` over ``base``: params and members merge key by key, events append (a child
    may drop inherited ones with ``remove_events``), everything else is replaced."""
    out = dict(base)
    for k, v in child.items():
        if k in ("params",):
            out[k] = {**base.get(k, {}), **v}
        elif k == "members":
            merged = {c: dict(f) for c, f in base.get(k, {}).items()}
            for code, fields in v.items():
                merged[code] = (
                    {**merged.get(code, {}), **fields} if isinstance(fields, dict) else fields
                )
            out[k] = merged
        elif k == "events":
            out[k] = list(base.get(k, [])) + list(v)
        elif k == "sources":
            out[k] = list(dict.fromkeys(list(base.get(k, [])) + list(v)))
        else:
            out[k] = v
    return out


def _resolve(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, real))
        raise ScenarioError(f"cyclic extends in {path} [extends]: {cycle}")
    data = _read(path)
    if isinstance(data.get("calibration"), str):  # relative to the file that names it
        data["calibration"] = str((path.parent / data["calibration"]).resolve())
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(
            f"extends in {path} [extends] must be a string path, got {_typename(parent)}"
        )
    ppath = path.parent / parent
    if not ppath.is_file():
        raise ScenarioError(f"missing file {parent!r} in {path} [extends] (looked for {ppath})")
    base = _resolve(ppath, (*chain, real))
    removed = set(data.get("remove_events", []))
    base["events"] = [e for e in base.get("events", []) if e.get("id") not in removed]
    child = {k: v for k, v in data.items() if k not in ("extends", "remove_events")}
    return _merge({k: v for k, v in base.items() if k != "extends"}, child)


# --- validation ---------------------------------------------------------------------------


def load_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """Load a scenario by path or shipped name, resolving ``extends`` and validating it."""
    from alliance_sim.checks import validate

    path = find_scenario(name_or_path)
    return validate(_resolve(path), path)


def default_scenario(quarters_: int = 40) -> Scenario:
    """The world as of 2024Q1 with default parameters and no scheduled events."""
    end = quarters.shift(DEFAULT_START, quarters_)
    data = {
        "name": "default",
        "description": "default parameters, no scheduled events",
        "start": DEFAULT_START,
        "end": end,
    }
    return Scenario(
        name="default",
        description=data["description"],
        path="<default>",
        start=DEFAULT_START,
        end=end,
        data=data,
    )


def with_params(sc: Scenario, params: dict[str, Any], where: str = "keyword arguments") -> Scenario:
    """A copy of ``sc`` with global parameters (validated against the registry) overridden;
    ``where`` names their origin in error messages."""
    from alliance_sim.checks import _check_params, _Checker

    ck = _Checker(Path(where))
    merged = {**sc.params, **_check_params(ck, params)}
    return replace(sc, params=merged, data={**sc.data, "params": merged})
