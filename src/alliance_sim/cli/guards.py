"""What surrounds every ``alliance-sim`` verb: the shared lock of the result directories a
reading verb reads, and SIGTERM handled as Ctrl-C is while a verb writes."""

from __future__ import annotations

import argparse
import contextlib

#: verbs that only read their result directories: they share its lock for the whole command
READERS = ("plot", "sensitivity", "compare", "discover", "export", "check")


@contextlib.contextmanager
def reading_inputs(args: argparse.Namespace):
    """Share the lock of every result directory a reading verb reads, so that a ``sweep
    --force`` or ``refine`` cannot change it halfway (they are refused with one line)."""
    if args.command not in READERS:
        yield
        return
    from alliance_sim.runs.locks import reading

    dirs = getattr(args, "directories", None) or [args.directory]
    with contextlib.ExitStack() as stack:
        for d in dirs:
            stack.enter_context(reading(d))
        yield


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (finished chunks kept, workers stopped, one line)."""


def _in_gc_callback(frame) -> bool:
    """Whether the main thread was running a garbage-collector callback (Dask's
    ``distributed`` installs one) when the signal arrived: an exception raised there is
    printed as "Exception ignored" and lost, so the sweep would run on."""
    import gc

    codes = set()
    for cb in gc.callbacks:
        fn = getattr(cb, "__func__", cb)
        if hasattr(fn, "__code__"):
            codes.add(fn.__code__)
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _on_sigterm(signum: int, frame) -> None:
    if _in_gc_callback(frame):  # raising here would be swallowed: deliver it again shortly
        import os
        import threading

        threading.Timer(0.05, os.kill, (os.getpid(), signum)).start()
        return
    raise Terminated


@contextlib.contextmanager
def sigterm_stops_cleanly(command: str):
    """While a verb that writes runs, SIGTERM stops it as Ctrl-C does: the manifest says
    ``interrupted``, workers and a Dask cluster are shut down (no leaked semaphores, no
    heartbeat tracebacks), one line says how to resume."""
    import signal
    import threading

    if command not in WRITERS or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


WRITERS = ("run", "sweep", "refine", "calibrate", "backtest", "robustness")
