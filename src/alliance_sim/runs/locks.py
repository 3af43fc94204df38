"""One lock per result directory, ``DIR/.alliance-sim.lock``: a writer (``sweep``, ``run``,
``refine``, ``sweep --force``) holds it alone, readers (``plot``, ``compare``, ``export``,
``discover``, ``sensitivity``, ``check``, ``Result.read``) share it.

Both are ``flock`` locks on the same file (:mod:`filelock` takes the writer's), so a reader is
refused with one line while a sweep writes the directory, and a ``sweep --force`` or a
``refine`` is refused while a ``plot`` reads it -- instead of either failing halfway with an
unrelated error.  Where the file system has no ``flock`` (or the directory is read-only) a
reader goes on unlocked.

A figure folder is held alone while figures are drawn into it (:func:`drawing`), by a lock
kept in the user's temporary folder, not in theirs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alliance_sim.errors import StoreError
from alliance_sim.paths import user_path
from alliance_sim.runs.layout import MANIFEST, PART

LOCK = ".alliance-sim.lock"
#: result directories this process holds the writer's lock on (it may read them too)
_writing: set[str] = set()


def _key(directory: str | os.PathLike) -> str:
    return str(user_path(directory).resolve())


@contextmanager
def writer(directory: Path) -> Iterator[None]:
    """Hold ``directory``'s lock alone (created if need be: callers refuse a folder that is
    not theirs before taking it, ``runs/store.py``, so that no lock file is left there)."""
    import filelock

    odd = user_path(directory) / LOCK  # a link read "Too many levels of links", a folder
    if odd.is_symlink() or odd.is_dir():  # "cannot write here (Is a directory)" (red-team)
        what = "a symbolic link" if odd.is_symlink() else "a folder"
        raise StoreError(
            f"{directory}: its lock file {LOCK} is {what}, not a file alliance-sim wrote: move "
            "it out and run the same command again"
        )
    try:
        lock = filelock.FileLock(user_path(directory) / LOCK, timeout=0)
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(
            f"{directory} is being written by another alliance-sim process, or read by one; "
            "wait for it to finish or choose another --out"
        ) from None
    except OSError as e:
        raise StoreError(f"{directory}: cannot write here ({e.strerror})") from None
    key = _key(directory)
    _writing.add(key)
    try:
        yield
    finally:
        _writing.discard(key)
        lock.release()


@contextmanager
def reading(directory: str | os.PathLike) -> Iterator[None]:
    """Share ``directory``'s lock while reading it: one line if a writer holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no shared locks
        yield
        return
    path = user_path(directory) / LOCK
    if _key(directory) in _writing or not user_path(directory).is_dir():
        yield
        return
    fd = None
    # the lock file is made only in a result directory (one written before locks existed: a
    # manifest and a table folder); reading any other folder, to refuse it, leaves nothing in
    # it (a user's folder with a manifest.json of its own kept a lock file: red-team)
    runs = user_path(directory) / "runs.parquet"  # a part named as ours, not any dataset's folder
    ours = (user_path(directory) / MANIFEST).is_file() and runs.is_dir() and not runs.is_symlink()
    ours = ours and any(PART.match(p.name) for p in runs.iterdir())
    first = os.O_RDWR | os.O_CREAT if ours else os.O_RDWR
    for flags in (first, os.O_RDONLY):
        try:  # never through a link: a dangling one made a file where it pointed (red-team)
            fd = os.open(path, flags | os.O_NOFOLLOW, 0o644)
            break
        except OSError:
            continue
    if fd is None:  # a read-only directory without a lock file: no writer can lock it either
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{directory} is being written by another alliance-sim process (a sweep, run "
                "or refine); wait for it to finish, then run this command again"
            ) from None
        except OSError:  # no flock on this file system
            pass
        yield
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)  # releases the lock


@contextmanager
def drawing(
    folder: str | os.PathLike, what: str = "figures", doing: str = "drawing"
) -> Iterator[None]:
    """Hold a figure folder alone while figures are drawn into it: two ``plot``s into one
    ``--out`` at once left a folder whose fan chart was one result's and status chart the
    other's, each figure's "replaced another result's figures" check made before either
    wrote.  The lock is a file of this user's temporary folder named by the folder's resolved
    path (nothing is left in the user's folder), so it holds between processes of one machine.
    Also a posterior file while ``calibrate`` fits and writes it (``doing="writing"``)."""
    import hashlib
    import tempfile

    import filelock

    key = hashlib.sha256(_key(folder).encode()).hexdigest()[:32]
    user = os.getuid() if hasattr(os, "getuid") else 0
    where = Path(tempfile.gettempdir()) / f"alliance-sim-{user}"
    lock = None
    try:
        where.mkdir(mode=0o700, exist_ok=True)
        lock = filelock.FileLock(where / f"{key}.lock", timeout=0)
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(
            f"{folder} is being written by another alliance-sim process (this one would be "
            f"{doing} {what} into it); wait for it to finish, or choose another --out"
        ) from None
    except OSError:  # no temporary folder of our own: draw unlocked, as before
        lock = None
    try:
        yield
    finally:
        if lock is not None:
            lock.release()
