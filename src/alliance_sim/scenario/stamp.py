"""The model's stamp: which equations, data and replay produced a run.

A result directory is resumed, refined or appended to only by the model that wrote it. The
package version alone does not say so: between releases (and in a checkout) the equations,
the parameter registry's defaults and the member data change under one version number, and a
resumed sweep would then mix runs of two models in one table without a word.

The stamp is a SHA-256 over every source and data file of the packages that decide a run's
numbers — ``core`` (equations, registry, member data), ``engines`` (both drivers) and
``scenario`` (how a scenario becomes runs, the calibrated replay) — and, for a scenario that
continues a calibrated replay, the replay scenario's file (the posterior's own content hash is
already part of the scenario's hash). Any edit to these files, a comment included, changes the
stamp: a conservative rule, so a stamp that matches means the same model.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alliance_sim.scenario.spec import Scenario

PACKAGES = ("core", "engines", "scenario")
SUFFIXES = (".py", ".toml", ".csv")


@cache
def code_stamp() -> str:
    """SHA-256 (hex) over the model's source and data files, in a fixed order."""
    h = hashlib.sha256()
    root = resources.files("alliance_sim")
    for pkg in PACKAGES:
        for name, data in sorted(_files(root / pkg, pkg)):
            h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _files(node, prefix: str) -> list[tuple[str, bytes]]:
    out = []
    for child in node.iterdir():
        name = f"{prefix}/{child.name}"
        if child.is_dir():
            if child.name != "__pycache__":
                out.extend(_files(child, name))
        elif child.name.endswith(SUFFIXES):
            out.append((name, child.read_bytes()))
    return out


def model_stamp(sc: Scenario) -> str:
    """The stamp of the model that runs ``sc``: 16 hex digits."""
    h = hashlib.sha256(code_stamp().encode())
    post = sc.posterior
    replay = getattr(post, "replay_path", None) if post is not None else None
    if replay is not None and Path(replay).is_file():
        h.update(b"replay\0" + Path(replay).read_bytes())
    return h.hexdigest()[:16]
