"""What a scenario's ``calibration =`` file must be before its sets reach a run: of a sensible
size, carrying the record alliance-sim writes (the replay, start and end it was fitted to),
and every value within what its parameter or member figure allows.

:func:`alliance_sim.scenario.posterior.read_posterior` checks that each column is a known
name holding finite numbers; a set with Armenia's initial commitment at 7.0 (allowed 0 to 1)
passed that, validated, and started every run from it, and a global out of range failed its
runs one by one while the command exited 0.  These checks run where a scenario file is
validated (:func:`alliance_sim.scenario.checks._check_calibration`).
"""

from __future__ import annotations

import os
from pathlib import Path

from alliance_sim.core import members as mb
from alliance_sim.core.params import BY_NAME
from alliance_sim.limits import MAX_FILE_BYTES
from alliance_sim.scenario.posterior import Posterior

MADE_BY = "allowed: a posterior written by alliance-sim calibrate"


def size_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is too large to read as a posterior (the shipped ones: 0.3 MB), or None."""
    p = Path(path)
    size = p.stat().st_size if p.is_file() else 0
    if size > MAX_FILE_BYTES:
        return f"{p}: {size:,} bytes; allowed at most {MAX_FILE_BYTES:,} bytes for a posterior"
    return None


def record_problem(post: Posterior) -> str | None:
    """Why the record in the file's metadata is not one alliance-sim writes, or None."""
    meta = post.meta
    if not isinstance(meta, dict) or not meta:
        return (
            f"{post.path}: no alliance_sim record in its metadata (the replay, start and end "
            f"it was fitted to); {MADE_BY}"
        )
    for key in ("start", "end"):
        if not isinstance(meta.get(key), str) or not meta.get(key):
            return f"{post.path}: its alliance_sim record has no quarter {key!r}; {MADE_BY}"
    return None


def bounds(name: str) -> tuple[float, float, bool]:
    """(low, high, whole number) of a posterior column: a global parameter or a member
    figure (``members.CODE.field``)."""
    parts = name.split(".")
    if len(parts) == 1:
        p = BY_NAME[name]
        return p.low, p.high, p.integer
    spec = mb.MEMBER_FIELDS[parts[2]]
    if not spec.numeric:  # a status, stored as its code
        return 0, len(mb.STATUS_NAMES) - 1, True
    return spec.low, spec.high, False


def set_problem(post: Posterior) -> str | None:
    """The first value of any set outside what its parameter allows, as one line, or None."""
    for name in post.sets[0]:
        low, high, whole = bounds(name)
        for row, s in enumerate(post.sets):
            v = s[name]
            if not low <= v <= high or (whole and v != int(v)):
                what = "a whole number from" if whole else "from"
                return (
                    f"{post.path}: {name} = {v!r} in set {row} of the posterior; allowed "
                    f"{what} {low:g} to {high:g}"
                )
    return None
