"""Scenario files: find (by path or shipped name), read, resolve ``extends``.

A scenario file is data (TOML); nothing in it is executed or imported.  Validation is in
:mod:`alliance_sim.scenario.checks`, loading (read + validate) in :mod:`.load`.
"""

from __future__ import annotations

import errno
import os
import tomllib
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alliance_sim.errors import ScenarioError, did_you_mean, typename
from alliance_sim.limits import MAX_DEPTH, MAX_FILE_BYTES
from alliance_sim.paths import user_path
from alliance_sim.scenario.shape import check_shape
from alliance_sim.textsafe import shortened

MAX_LINE = 10_000  # characters per line of a TOML file (bounds dotted keys' depth)

# --- finding and reading files ---------------------------------------------------------------


def shipped_dir() -> Path | None:
    """The scenarios shipped with the package: package data of an installed wheel
    (``alliance_sim/scenarios``, read with :mod:`importlib.resources`), else the repository's
    top-level ``scenarios/`` beside the source of an editable install."""
    try:
        data = resources.files("alliance_sim").joinpath("scenarios")
        if data.is_dir():
            return Path(str(data))
    except (ModuleNotFoundError, NotADirectoryError, TypeError):
        pass
    repo = Path(__file__).resolve().parents[3] / "scenarios"
    return repo if repo.is_dir() else None


def scenario_dirs() -> list[Path]:
    """Where scenarios are looked up by name, first match wins: $ALLIANCE_SIM_SCENARIOS,
    ./scenarios, then the shipped scenarios (:func:`shipped_dir`)."""
    dirs = []
    if env := os.environ.get("ALLIANCE_SIM_SCENARIOS"):
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "scenarios")
    if (shipped := shipped_dir()) is not None:
        dirs.append(shipped)
    return dirs


_SAID: set[Path] = set()  # local files already named as shadowing a shipped one


def _by_name(name: str, besides: Path | None = None) -> Path | None:
    """The file a scenario name finds (a folder of one's own first), passing over
    ``besides`` (a file that extends the scenario of its own name extends the next one)."""
    for d in scenario_dirs():
        found = d / f"{name}.toml"
        if found.is_file() and not (besides is not None and found.resolve() == besides.resolve()):
            _say_if_shadowing(found)
            return found
    return None


def _say_if_shadowing(found: Path) -> None:
    """One line on stderr (once per file and process) when a name finds a file of one's own
    that differs from the shipped scenario of that name: results would otherwise be cited as
    the shipped scenario's while they are not."""
    shipped = shipped_dir()
    if shipped is None or found.resolve() in _SAID:
        return
    twin = shipped / found.name
    if not twin.is_file() or twin.resolve() == found.resolve():
        return
    if twin.read_bytes() == found.read_bytes():
        return
    _pend(
        found.resolve(),
        f"note: {found.stem!r} is {found}, not the shipped scenario of that name (which it "
        f"differs from); name the shipped one by its path, {twin}",
    )


def _pend(key: Path, line: str) -> None:
    """Say ``line`` once per ``key`` and process: now, or when the scenario loading defers its
    notes (:data:`PENDING`) has loaded."""
    import sys

    _SAID.add(key)
    PENDING.append((key, line))
    if not _DEFER:
        say_notes(sys.stderr)


def _say_if_beside(path: Path, parent: str, found: Path) -> None:
    """One line on stderr when ``extends = "baseline"`` finds a scenario by name while a
    ``baseline.toml`` of another content lies beside the file: a user who had copied the
    shipped baseline there to edit it got the shipped one without a word."""
    beside = path.parent / f"{parent}.toml"
    try:
        if parent.endswith(".toml") or not beside.is_file() or beside.samefile(path):
            return
        if beside.read_bytes() == found.read_bytes():
            return
    except OSError:  # a file it does not read must not stop the scenario that names the other
        return
    key = Path(f"{path.resolve()}\0{beside.resolve()}")  # once per file that extends by name
    if key not in _SAID:
        _pend(
            key,
            f"note: extends = {parent!r} in {path} reads the scenario named {parent!r} "
            f'({found}), not {beside} beside it; write extends = "{parent}.toml" to extend '
            "that file",
        )


#: notes waiting for the scenario that raised them to load: one that fails to load says one
#: line, its error, which names the file (the note and the error were two lines)
PENDING: list[tuple[Path, str]] = []
_DEFER: list[bool] = []


@contextmanager
def deferred_notes():
    """Hold the notes raised inside the block: said when the outermost block ends well,
    dropped when it raises (to be said when the file next loads)."""
    _DEFER.append(True)
    try:
        yield
    except BaseException:
        say_notes(keep=False)
        raise
    finally:
        _DEFER.pop()
    if not _DEFER:
        say_notes()


def say_notes(stream=None, keep: bool = True) -> None:
    """Print the pending notes and forget them (``keep=False``: drop them, to be said when
    the file next loads)."""
    import sys

    for found, line in PENDING:
        if keep:
            print(line, file=stream or sys.stderr)
        else:
            _SAID.discard(found)
    PENDING.clear()


def _names() -> list[str]:
    return sorted({f.stem for d in scenario_dirs() if d.is_dir() for f in d.glob("*.toml")})


def find_scenario(name_or_path: str | os.PathLike) -> Path:
    """A scenario's file from a path or a shipped scenario's name (``armenia_exits``)."""
    allowed = "allowed a shipped name (see: alliance-sim list scenarios) or a .toml path"
    if not isinstance(name_or_path, str | os.PathLike):  # None, 5, a Scenario: say so in a line
        shown = "None" if name_or_path is None else f"of type {typename(name_or_path)}"
        raise ScenarioError(f"scenario {shown}: {allowed}")
    try:
        return _find(name_or_path, allowed)
    except OSError as e:  # a name too long for the file system, a path it cannot read
        shown = repr(shortened(name_or_path))
        tail = f"; {allowed}" if e.errno == errno.ENAMETOOLONG else ""
        raise ScenarioError(f"scenario {shown}: {e.strerror}{tail}") from None


def _find(name_or_path: str | os.PathLike, allowed: str) -> Path:
    p = user_path(name_or_path)  # "~/my.toml": the home folder's, as in the shell
    if not str(name_or_path).strip():
        raise ScenarioError(f"scenario '': {allowed}")
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            what = (
                "is a folder, not a scenario file"
                if p.is_dir()
                else "not a regular file (a device or a pipe); allowed a .toml scenario file"
                if p.exists()
                else "no such scenario file"
            )
            raise ScenarioError(f"{p}: {what}")
        return p
    if (found := _by_name(p.name)) is not None:
        return found
    names = _names()
    if p.suffix and (toml := p.with_suffix(".toml")).is_file():  # `run west_arm.tml`
        raise ScenarioError(f"no scenario file {str(name_or_path)!r}; did you mean {str(toml)!r}?")
    if p.with_name(p.name + ".toml").is_file():  # `run west_arm` beside west_arm.toml
        raise ScenarioError(
            f"no scenario named {str(name_or_path)!r}; did you mean the file "
            f"{str(p) + '.toml'!r}? (a scenario of your own is named by its path, with .toml)"
        )
    raise ScenarioError(
        f"no scenario named {str(name_or_path)!r}{did_you_mean(p.name, names)} "
        f"(shipped: {', '.join(names) or 'none found'})"
    )


def list_scenarios() -> list[Path]:
    """Every scenario a name finds, by name: for each name in the lookup folders
    (:func:`scenario_dirs`), the file that wins (a folder of one's own first, so the list
    shows what ``run NAME`` runs; it hid the shipped scenarios when ./scenarios existed)."""
    found: dict[str, Path] = {}
    for d in scenario_dirs():
        for f in sorted(d.glob("*.toml")) if d.is_dir() else []:
            found.setdefault(f.stem, f)
    return [found[k] for k in sorted(found)]


def _depth_path(data: Any) -> str | None:
    """The key path at which ``data`` nests deeper than :data:`MAX_DEPTH`, else None."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        v, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            return where
        if isinstance(v, dict):
            stack.extend((x, depth + 1, f"{where}.{k}" if where else str(k)) for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((x, depth + 1, f"{where}[{i}]") for i, x in enumerate(v))
    return None


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; one line naming the file for anything that is not readable
    TOML of a sensible size (at most MAX_FILE_BYTES, lines of at most MAX_LINE characters,
    nesting of at most MAX_DEPTH levels, UTF-8)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{path}: {size:,} bytes; allowed at most {MAX_FILE_BYTES:,} bytes for a "
                "scenario or calibration file"
            )
        raw = path.read_bytes()
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read ({e.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScenarioError(
            f"{path}: not UTF-8 text (byte {raw[e.start]:#04x} on line {line}); allowed: "
            "a TOML file saved as UTF-8"
        ) from None
    long = next((n for n, ln in enumerate(text.splitlines(), 1) if len(ln) > MAX_LINE), None)
    if long is not None:
        raise ScenarioError(
            f"{path}: line {long} is longer than {MAX_LINE:,} characters; allowed: "
            "shorter lines (split long arrays over several lines)"
        )
    too_deep = f"{path}: tables and arrays nested too deep; allowed at most {MAX_DEPTH} levels"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        if Path(path).suffix.lower() != ".toml":  # a result's manifest.json read "malformed TOML"
            manifest = Path(path).name == "manifest.json"
            what = "a result's manifest" if manifest else f"not TOML ({e})"
            raise ScenarioError(
                f"{path}: {what}, not a scenario file; allowed a shipped name (see: "
                "alliance-sim list scenarios) or a .toml scenario file"
            ) from None
        raise ScenarioError(f"{path}: malformed TOML: {e}") from None
    except RecursionError:
        raise ScenarioError(too_deep) from None
    if (where := _depth_path(data)) is not None:
        raise ScenarioError(too_deep.replace("deep;", f"deep (at {where[:60]}...);"))
    return data


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


MAX_EXTENDS = 32  # files in one extends chain (a scenario, its parent, grandparent, ...)


def resolve(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    real = path.resolve()
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            f"extends chain of more than {MAX_EXTENDS} files at {path} [extends] (started at "
            f"{chain[0].name}); allowed at most {MAX_EXTENDS}"
        )
    if real in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, real))
        raise ScenarioError(f"cyclic extends in {path} [extends]: {cycle}")
    data = check_shape(read_toml(path), path)
    if isinstance(data.get("calibration"), str):  # relative to the file that names it
        data["calibration"] = str((path.parent / data["calibration"]).resolve())
    parent = data.get("extends")
    if parent is None:
        return data
    ppath = _parent_file(path, parent)
    base = resolve(ppath, (*chain, real))
    removed = set(data.get("remove_events", []))
    base["events"] = [e for e in base.get("events", []) if e.get("id") not in removed]
    child = {k: v for k, v in data.items() if k not in ("extends", "remove_events")}
    if "region" in base and "region" in child:  # two regions cannot be merged member-wise
        raise ScenarioError(
            f"a scenario has one region, and {ppath}, which this file extends, has one too; "
            f"set further members' values in [members.CODE] tables in {path} [region]"
        )
    merged = _merge({k: v for k, v in base.items() if k != "extends"}, child)
    named = named_members(child) if "focus" not in child else []
    if named:  # a file that sets no focus of its own leads with the members it names
        merged["focus"] = list(dict.fromkeys([*named, *base.get("focus", [])]))
    # a file without a name of its own is not its parent (a new user's file without one ran
    # and was reported as "Baseline - Status quo ...", the parent's name and description)
    if "name" not in child:
        merged["name"] = path.stem
    if "description" not in child and isinstance(base.get("name"), str):
        merged["description"] = f"{base['name']}, as changed by {path.name}"
    return merged


def named_members(data: dict[str, Any]) -> list[str]:
    """The allies a scenario file names itself -- its ``[members.CODE]`` tables, the
    ``member`` of its own events and its ``[region]``'s members, in that order -- which lead
    its focus when it extends another and sets no ``focus`` of its own (a file that changed
    Kyrgyzstan's figures was compared with the baseline in a headline that opened with
    Kazakhstan and Armenia, the baseline's focus, and reached Kyrgyzstan seventh)."""
    from alliance_sim.core.members import ALLIES

    members = data.get("members")
    region = data.get("region")
    named = [*(members if isinstance(members, dict) else {})]
    named += [e.get("member") for e in data.get("events", []) if isinstance(e, dict)]
    if isinstance(region, dict) and isinstance(region.get("members"), list):
        named += region["members"]
    # (before validation: a list or table where a code goes is left for it to refuse)
    return list(dict.fromkeys(c for c in named if isinstance(c, str) and c in ALLIES))


def _parent_file(path: Path, parent: Any) -> Path:
    """The file ``extends = parent`` in ``path`` names: a path relative to ``path``'s folder,
    else a shipped scenario's name (``extends = "baseline"`` works from any folder)."""
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            f"extends in {path} [extends] should be a scenario name or a path to a .toml file, "
            f"got {typename(parent) if not isinstance(parent, str) else repr(parent)}"
        )
    # "~/x.toml": the home folder's, as on the command line; "./~/x.toml" beside this file
    ppath = path.parent / os.path.expanduser(parent)
    if ppath.is_file():
        return ppath
    name = parent.removesuffix(".toml")
    found = _by_name(name, besides=path) if "/" not in parent and "\\" not in parent else None
    if found is not None:
        _say_if_beside(path, parent, found)
        return found
    if ppath.exists():  # a folder, a device: it read "missing file '/tmp'"
        raise ScenarioError(f"{parent!r} in {path} [extends] is not a scenario file ({ppath})")
    raise ScenarioError(
        f"missing file {parent!r} in {path} [extends] (looked for {ppath} and a shipped "
        f"scenario named {name!r}{did_you_mean(name, _names())})"
    )
