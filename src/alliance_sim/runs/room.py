"""Room on the disk for the rest of a sweep, measured from the chunks it has stored.

A sweep's size is known only once its first chunks are written (it depends on the horizon,
what is recorded and how well the series compress): 263,000 runs to 2026Q4, every quarter
stored, took 4.8 GB.  After each chunk, the mean size of the chunks stored so far times the
chunks still to run is compared with the free space of the disk the result is on; a sweep
that would not fit stops with one line, the manifest marked interrupted and every stored
chunk kept, so that the same command resumes it once there is room (or it is run again with
``--record end`` / ``every:N``, which stores fewer quarters, into another ``--out``).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from alliance_sim.errors import StoreError

#: kept free beyond the estimate (the manifest, the journal, a chunk larger than the mean):
#: this much, and a share of the estimate
MARGIN_BYTES = 2**20
MARGIN_SHARE = 0.05


def _gb(n: float) -> str:
    return (
        f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB" if n < 1e7 else f"{n / 1e6:.0f} MB"
    )


def check_room(directory: Path, stored: Mapping[int, Mapping], n_chunks: int) -> None:
    """Stop the sweep in ``directory`` (one line) if the ``n_chunks - len(stored)`` chunks
    left, at the mean size of the ``stored`` ones (table -> file -> record), would not fit in
    the disk's free space with :data:`MARGIN_BYTES` and :data:`MARGIN_SHARE` of them to spare
    (a fixed 64 MB stopped a 1 MB sweep on a 6 MB disk at every chunk: red-team)."""
    left = n_chunks - len(stored)
    if left <= 0 or not stored:
        return
    size = sum(r.bytes for rec in stored.values() for files in rec.values() for r in files.values())
    need = size / len(stored) * left
    try:
        free = shutil.disk_usage(directory).free
    except OSError:  # a file system that does not say: the write itself will tell
        return
    margin = MARGIN_BYTES + MARGIN_SHARE * need
    if need + margin > free:
        raise StoreError(
            f"{directory}: the {left} chunk(s) left need about {_gb(need)} and a margin of "
            f"{_gb(margin)} (the {len(stored)} stored take {_gb(size)}), and the disk has "
            f"{_gb(free)} free; stopped "
            "with the stored chunks kept: free some space and run the same command again to "
            "resume, or store fewer quarters (--record end or every:N) into another --out"
        )
