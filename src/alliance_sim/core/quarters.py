"""Calendar quarters: one model step is one quarter, labelled like ``"2024Q1"``."""

from __future__ import annotations

import re
from functools import lru_cache

_RE = re.compile(r"^(\d{4})Q([1-4])$")


@lru_cache(maxsize=4096)
def parse(q: str) -> int:
    """Quarter label -> ordinal (year x 4 + quarter - 1).  Raises ValueError on a bad label."""
    m = _RE.match(str(q).strip())
    if not m:
        raise ValueError(f"not a quarter: {q!r} (expected e.g. '2024Q1')")
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def label(ordinal: int) -> str:
    """Ordinal -> quarter label."""
    return f"{ordinal // 4}Q{ordinal % 4 + 1}"


def shift(q: str, steps: int) -> str:
    """The quarter ``steps`` after ``q``."""
    return label(parse(q) + steps)


def steps_between(start: str, q: str) -> int:
    """How many quarters ``q`` lies after ``start``."""
    return parse(q) - parse(start)


def labels(start: str, n_steps: int) -> list[str]:
    """Labels of step 0 (``start``) to step ``n_steps``."""
    s = parse(start)
    return [label(s + k) for k in range(n_steps + 1)]
