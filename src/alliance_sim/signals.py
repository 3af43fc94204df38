"""A block of disk operations that Ctrl-C and SIGTERM do not cut in half."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held() -> Iterator[None]:
    """SIGINT and SIGTERM held back while the block runs and raised again after it, in the
    main thread (elsewhere nothing: Python runs signal handlers only there).  A handler that
    records them, not a blocked mask: other threads of the process (pyarrow's) take a
    signal a blocked main thread does not."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    old = {s: signal.signal(s, lambda n, _: got.append(n)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(got):
            signal.raise_signal(s)
