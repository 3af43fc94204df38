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
    code = main()
    _flush_output()
    if not _is_console_script() or threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)
