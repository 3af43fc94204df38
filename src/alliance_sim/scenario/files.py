"""Scenario files: find (by path or shipped name), read, resolve ``extends``.

A scenario file is data (TOML); nothing in it is executed or imported.  Validation is in
:mod:`alliance_sim.scenario.checks`, loading (read + validate) in :mod:`.load`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from alliance_sim.errors import ScenarioError, did_you_mean, typename

# --- finding and reading files ---------------------------------------------------------------


def scenario_dirs() -> list[Path]:
    """Where shipped scenarios are looked up by name: $ALLIANCE_SIM_SCENARIOS, ./scenarios,
    and the repository's scenarios/ next to the package source."""
    dirs = []
    if env := os.environ.get("ALLIANCE_SIM_SCENARIOS"):
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "scenarios")
    dirs.append(Path(__file__).resolve().parents[3] / "scenarios")
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
        f"no scenario named {str(name_or_path)!r}{did_you_mean(p.name, names)} "
        f"(shipped: {', '.join(names) or 'none found'})"
    )


def list_scenarios() -> list[Path]:
    """Shipped scenario files, first directory that has them."""
    for d in scenario_dirs():
        files = sorted(d.glob("*.toml")) if d.is_dir() else []
        if files:
            return files
    return []


def read_toml(path: Path) -> dict[str, Any]:
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


def resolve(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, real))
        raise ScenarioError(f"cyclic extends in {path} [extends]: {cycle}")
    data = read_toml(path)
    if isinstance(data.get("calibration"), str):  # relative to the file that names it
        data["calibration"] = str((path.parent / data["calibration"]).resolve())
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(
            f"extends in {path} [extends] must be a string path, got {typename(parent)}"
        )
    ppath = path.parent / parent
    if not ppath.is_file():
        raise ScenarioError(f"missing file {parent!r} in {path} [extends] (looked for {ppath})")
    base = resolve(ppath, (*chain, real))
    removed = set(data.get("remove_events", []))
    base["events"] = [e for e in base.get("events", []) if e.get("id") not in removed]
    child = {k: v for k, v in data.items() if k not in ("extends", "remove_events")}
    return _merge({k: v for k, v in base.items() if k != "extends"}, child)
