"""The model's stamp: which equations, data and replay produced a run.

A result directory is resumed, refined or appended to only by the model that wrote it. The
package version alone does not say so: between releases (and in a checkout) the equations,
the parameter registry's defaults and the member data change under one version number, and a
resumed sweep would then mix runs of two models in one table without a word.

The stamp is a SHA-256 over the files that turn a resolved scenario into numbers -- every
source and data file of ``core`` (equations, registry, member data) and ``engines`` (both
drivers), and the modules of ``scenario`` in :data:`STAMPED` (seeds and design points, how a
run's values are assembled, the calibrated replay) -- and, for a scenario that continues a
calibrated replay, the replay scenario's file (the posterior's own content hash is already
part of the scenario's hash, and so is everything the loader resolves from the scenario's
files).  The other modules of ``scenario`` (:data:`NOT_STAMPED`) check and load files and
word messages: a new release that only rewords an error resumes its predecessor's folders.
A test holds every module of ``scenario`` to one of the two lists, so a new one is classified
on purpose.  Any edit to a stamped file, a comment included, changes the stamp: a
conservative rule, so a stamp that matches means the same model.  Files whose names start
with a dot (editor locks, notebook checkpoints) and symbolic links are not part of it.

The stamp is read from the installed files once per process, when the first plan is made:
editing the package's files inside a running session (a notebook with autoreload) is not
tracked -- start a new session after such an edit.  A remote Dask worker checks its own
stamp against the command's before it runs a chunk (:func:`alliance_sim.runs.execute.run_task`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alliance_sim.scenario.spec import Scenario

PACKAGES = ("core", "engines")
#: modules of ``scenario`` that decide a run's numbers from a resolved scenario
STAMPED = ("plan", "runspecs", "history", "posterior", "region", "spec")
#: modules of ``scenario`` that check, load and resolve files (what they resolve is in the
#: scenario's hash) or word messages
NOT_STAMPED = (
    "checks",
    "design",
    "files",
    "load",
    "posterior_file",
    "semantics",
    "shape",
    "stamp",
    "__init__",
)
SUFFIXES = (".py", ".toml", ".csv")


@cache
def code_stamp() -> str:
    """SHA-256 (hex) over the model's source and data files, in a fixed order, and the
    versions of the numerical libraries the runs' numbers come from (numpy's generators and
    functions, SciPy's ``ndtri``, numba's compiled kernel): the same equations under another
    numpy need not give the same bits."""
    import numba
    import numpy
    import scipy

    h = hashlib.sha256(f"numpy {numpy.__version__} scipy {scipy.__version__} ".encode())
    h.update(f"numba {numba.__version__}".encode())
    root = resources.files("alliance_sim")
    files = [f for pkg in PACKAGES for f in _files(root / pkg, pkg)]
    files += [(f"scenario/{m}.py", (root / "scenario" / f"{m}.py").read_bytes()) for m in STAMPED]
    for name, data in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _files(node, prefix: str) -> list[tuple[str, bytes]]:
    out = []
    for child in node.iterdir():
        name = f"{prefix}/{child.name}"
        if child.name.startswith(".") or child.name == "__pycache__":
            continue  # an editor's lock or backup, a notebook's checkpoints, compiled caches
        if isinstance(child, Path) and child.is_symlink():
            continue
        if child.is_dir():
            out.extend(_files(child, name))
        elif child.is_file() and child.name.endswith(SUFFIXES):
            out.append((name, child.read_bytes()))
    return out


def model_stamp(sc: Scenario) -> str:
    """The stamp of the model that runs ``sc``: 16 hex digits.  A forecast's replay enters
    as the hash of the replay scenario as resolved (so a file it ``extends`` counts too)."""
    h = hashlib.sha256(code_stamp().encode())
    post = sc.posterior
    replay = getattr(post, "replay_path", None) if post is not None else None
    if replay is not None and Path(replay).is_file():
        from alliance_sim.scenario.load import load_scenario

        h.update(b"replay\0" + load_scenario(replay).hash.encode())
    return h.hexdigest()[:16]
