"""Progress bars for everything that takes more than a few seconds (sweeps, figures, compare
reports, sensitivity, calibration): :mod:`tqdm.auto`, so the same bar is a text line in a
terminal and a widget in Jupyter.  Silent with ``quiet`` and when the output is neither a
terminal nor a notebook (a log file, a test), so redirected output holds results only."""

from __future__ import annotations

import sys
from typing import Any, TextIO


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is no terminal but a bar still shows)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def default_quiet(quiet: bool | None) -> bool:
    """The Python API's ``quiet=None``: quiet except in Jupyter, where a bar is what a user
    expects to see (a script or a test stays silent unless it asks for ``quiet=False``)."""
    return (not _in_notebook()) if quiet is None else bool(quiet)


def bar(
    total: int | None,
    desc: str,
    *,
    unit: str = "it",
    quiet: bool | None = False,
    initial: int = 0,
    stream: TextIO | None = None,
) -> Any:
    """A ``tqdm.auto`` bar of ``total`` steps named ``desc`` (``unit``: what a step is,
    ``initial``: steps already done, e.g. runs stored before a resume; ``stream``: where to
    draw, standard error by default); a disabled bar (which accepts the same calls) when
    ``quiet`` (None: unless in Jupyter, :func:`default_quiet`) or when nobody would see it."""
    from tqdm.auto import tqdm

    # no monitor thread (it only re-tunes how often a slowed-down bar redraws): a live thread
    # would make the sweep's workers start by spawn instead of fork, and the command's quick
    # exit wait for the interpreter's teardown -- even a hidden bar started one
    tqdm.monitor_interval = 0
    stream = stream or sys.stderr
    show = not default_quiet(quiet) and (_in_notebook() or stream.isatty())
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        initial=initial,
        disable=not show,
        smoothing=0.1,
        file=stream,
    )
