"""Where ``alliance-sim robustness`` writes: a folder that is new, empty or holds an earlier
robustness analysis alliance-sim wrote (:func:`check_dir`), held with its lock while an
analysis runs and is written (:func:`holding`), and how an earlier analysis there differs from
the one about to be written (:func:`identity`, :func:`differs`)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alliance_sim.errors import UserError
from alliance_sim.paths import foreign, writable_dir
from alliance_sim.runs.locks import LOCK, writer

TITLE = "# What the headline rests on: "
#: what an analysis written before an option existed was run with
DEFAULTS = {"hold_own": False, "outcome_kind": "exit", "against_hash": None, "against": None}
FILES = ("robustness.json", "robustness.md", "drivers.png")
#: the temporary files a write stages (left only by a kill -9): ours, not a stranger's
OURS = re.compile(r"\.(robustness\.(json|md)\.tmp|drivers\.tmp)\d+(\.png)?")


def check_dir(
    directory: str | os.PathLike, same: dict[str, Any] | None = None, force: bool = False
) -> Path:
    """``directory`` if a robustness analysis may be written there: new, empty, or holding
    one alliance-sim wrote.  One line naming ``--out`` otherwise, before anything runs.

    ``same`` (:func:`identity`: scenario hash, samples, replicates, seed, ``hold_own`` and the
    outcome asked) describes the analysis about to be written: an earlier analysis in
    ``directory`` that differs in any of them is replaced only with ``force`` (a re-run of the
    same analysis replaces its own files)."""
    d = writable_dir(directory)
    if d.is_dir() and any(p.name != LOCK and not OURS.fullmatch(p.name) for p in d.iterdir()):
        md = d / "robustness.md"
        ours = md.is_file() and md.read_bytes()[:100].startswith(TITLE.encode())
        names = [p.name for p in d.iterdir()]
        strangers = sorted(n for n in names if n not in (*FILES, LOCK) and not OURS.fullmatch(n))
        if not ours or strangers:
            raise UserError(
                f"--out {d} holds {_stranger(d, strangers)}; allowed a new or empty "
                "folder or one holding an earlier robustness analysis (choose another "
                "--out)"
            )
        odd = [n for n in FILES if foreign(d / n)]
        if odd:  # a folder named drivers.png: the analysis ran to its end, then failed on it
            raise UserError(
                f"--out {d} holds {odd[0]}, which is not a file alliance-sim wrote (a "
                "folder, link or special file); move it out and run the same command again"
            )
        change = differs(d, same) if same is not None else None
        if change and not force:
            raise UserError(
                f"--out {d} holds an earlier robustness analysis {change}; allowed the same "
                "analysis again, or --force to replace it (or choose another --out)"
            )
    return d


def identity(result: dict[str, Any]) -> dict[str, Any]:
    """What makes two robustness analyses the same one: scenario, design, seed, the values
    held and the outcome asked."""
    keys = ("horizon", "scenario_hash", "samples", "replicates", "seed", "hold_own", "outcome_kind")
    keys += ("against_hash", "against")  # the robustness of a difference is another one
    return {k: result.get(k, DEFAULTS.get(k)) for k in keys}


def differs(d: Path, same: dict[str, Any]) -> str | None:
    """How the robustness analysis in ``d`` differs from one run with ``same``, in words
    ("of Baseline (samples 64; this one has samples 8)"); None if it is the same or absent."""
    if not (d / "robustness.md").is_file():
        return None
    before = {**DEFAULTS, **_earlier(d)}  # (written before --hold-own or --outcome)
    keys = [k for k in same if k != "against" and before.get(k) != same[k]]
    if not keys:
        return None
    said = {"outcome_kind": "outcome", "hold_own": "hold-own"}
    # the base by name, not "against None; this one has against 1688c2f2..." (red-team)
    names = {"against_hash": (before.get("against") or "none", same.get("against") or "none")}
    was = ", ".join(
        f"against {names[k][0]}" if k in names else f"{said.get(k, k)} {before.get(k, '?')}"
        for k in keys
    )
    now = ", ".join(
        f"against {names[k][1]}" if k in names else f"{said.get(k, k)} {same[k]}" for k in keys
    )
    who = before.get("scenario", "an unreadable scenario")
    if before.get("against"):  # the robustness of a difference (--against)
        who = f"{who} against {before['against']}"
    return f"of {who} ({was}; this one has {now})"


def _earlier(d: Path) -> dict[str, Any]:
    """What the analysis in ``d`` was run with ({} if its JSON cannot be read)."""
    try:
        before = json.loads((d / "robustness.json").read_text())
    except (OSError, ValueError, RecursionError):
        return {}
    return before if isinstance(before, dict) else {}


def _stranger(d: Path, strangers: list[str]) -> str:
    """What a folder that is not a robustness analysis holds, in a reader's words."""
    if (d / "manifest.json").is_file():  # a run's or a sweep's (a run's read "sweep")
        kind = _earlier_kind(d)
        return f"a {kind + ' ' if kind else ''}result (manifest.json)"
    visible = [n for n in strangers if not n.startswith(".")]
    return (visible or strangers or ["files alliance-sim did not write"])[0]


def _earlier_kind(d: Path) -> str:
    """``run`` or ``sweep``: the command that wrote the result in ``d`` ("" if unreadable)."""
    try:
        kind = json.loads((d / "manifest.json").read_text()).get("kind", "")
    except (OSError, ValueError, AttributeError, RecursionError):
        return ""
    return kind if kind in ("run", "sweep") else ""


@contextmanager
def holding(
    directory: str | os.PathLike, same: dict[str, Any], force: bool = False
) -> Iterator[Path]:
    """``directory`` checked (:func:`check_dir`), made if need be, and held with
    ``DIR/.alliance-sim.lock`` (:mod:`alliance_sim.runs.locks`) while an analysis runs and is
    written, the folder checked again under the lock.  Two analyses started at once into one
    folder both passed the first check, and the second to finish replaced the first's files
    (or mixed them); taking the lock only to write, the second ran to its end and was then
    refused (red-team).  Now the second is refused at once, before it runs.  Folders made
    here are removed again if the analysis fails (they hold nothing but the lock).
    """
    d = check_dir(directory, same=same, force=force)
    made = []  # the folders mkdir makes, innermost first
    q = d.absolute()
    while not q.exists() and not q.is_symlink() and q != q.parent:
        made.append(q)
        q = q.parent
    d.mkdir(parents=True, exist_ok=True)
    lock = d / LOCK
    had_lock = lock.exists() or lock.is_symlink()
    with writer(d):  # refused: nothing removed (a second analysis, refused, removed the
        try:  # first's lock and folder while it ran: red-team)
            check_dir(d, same=same, force=force)  # again, under the lock
            yield d
        except BaseException:  # what this process made, removed while it still holds the
            if not had_lock:  # lock (released first, another could take it in between)
                lock.unlink(missing_ok=True)
            for f in made:
                try:
                    f.rmdir()
                except OSError:
                    break
            raise
