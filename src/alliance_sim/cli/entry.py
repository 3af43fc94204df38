"""The ``alliance-sim`` console script: :func:`alliance_sim.cli.main.main`, then a quick
exit (see :func:`run`)."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from pathlib import Path
from typing import NoReturn

from alliance_sim.cli.main import main


def _flush_output() -> None:
    """Flush standard output and error, whatever became of them (closed with ``>&-``: None;
    a pipe into ``head`` that went away: silenced, as Unix tools do)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            if stream is sys.stdout:
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):  # closed or unwritable: nothing more to say there
            pass


class _Screen:
    """Standard output that outlives a reader who stopped reading (``| head -1``): a command
    that prints its answer before it writes its files (``compare`` prints the headline while
    the report is being built) carries on and writes them, instead of ending at the first
    line the pipe refused.  Whatever it prints after that goes nowhere, as Unix tools do."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _gone(self) -> None:
        os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _is_console_script() -> bool:
    """True when this process is the ``alliance-sim`` script itself -- not ``python -m
    alliance_sim``, a profiler (``python -m cProfile $(which alliance-sim)``) or any other
    caller that expects to carry on after the command."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    return Path(main_file).name in ("alliance-sim", "alliance-sim-script.py")


def run() -> NoReturn:
    """The ``alliance-sim`` command: :func:`main`, then a quick exit.

    Tearing down the interpreter's modules (NumPy, pandas, pyarrow, SciPy) took 0.1-0.15 s
    of every command on the reference machine -- a third of ``list scenarios``.  When this
    process is the console script and nothing else runs (a single thread), the exit handlers
    run as usual (temporary folders, multiprocessing, logging), the output is flushed, and
    the process ends without that teardown, as mypy's command line does.  Otherwise -- under
    a profiler, ``python -m alliance_sim``, an in-process caller -- it exits normally."""
    if sys.stdout is not None:
        sys.stdout = _Screen(sys.stdout)
    try:
        code = main()
    finally:
        sys.stdout = getattr(sys.stdout, "_stream", sys.stdout)
    _flush_output()
    if not _is_console_script() or threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)
