"""Child processes that die with their parent: no orphaned workers or servers.

A worker started by a sweep (or the ``solara`` server started by ``alliance-sim viz``) calls
:func:`die_with_parent` first thing.  On Linux the kernel then sends it SIGKILL when the
process that started it dies, even by ``kill -9`` (``prctl(PR_SET_PDEATHSIG)``); everywhere
a daemon thread also polls the parent's pid once a second and exits the process when the
parent is gone.  With the workers gone, multiprocessing's resource tracker (which exits when
the last process holding its pipe has ended) goes too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def _pdeathsig(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:  # re-parented: the parent is gone
            os._exit(1)


def die_with_parent(parent: int | None = None, interval: float = 1.0) -> None:
    """Make this process end when its parent (``parent``, default the current one) ends.

    Used as a ``ProcessPoolExecutor`` initializer and as ``preexec_fn`` of a child server.
    ``interval``: seconds between checks of the fallback thread.
    """
    parent = os.getppid() if parent is None else parent
    _pdeathsig()
    if os.getppid() != parent:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent, interval), daemon=True).start()


def pdeathsig_only() -> None:
    """``preexec_fn`` for a child process: SIGTERM it when the parent dies (Linux), so a
    server can shut down cleanly; no threads are started between fork and exec."""
    _pdeathsig(signal.SIGTERM)
