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


_LOOSE = (
    re.compile(r"^(\d{4})\s*[-_/ ]?\s*[Qq]0?([1-4])$"),  # 2028q4, 2028-Q4, 2028 Q4, 2028Q04
    re.compile(r"^[Qq]([1-4])\s*[-_/ ]?\s*(\d{4})$"),  # Q4 2028, q4-2028
)


def suggest(text: object) -> str | None:
    """The quarter label a user most likely meant by ``text`` (``"2028q4"``, ``"Q4 2028"``,
    ``"2028-Q4"`` -> ``"2028Q4"``), or None; for "did you mean" hints."""
    t = str(text).strip()
    for k, pattern in enumerate(_LOOSE):
        if m := pattern.match(t):
            year, q = (m.group(1), m.group(2)) if k == 0 else (m.group(2), m.group(1))
            return f"{year}Q{q}"
    return None


def checked(text: object, option: str) -> str:
    """``text`` as a quarter label, or ValueError with one line naming ``option`` and the most
    likely meant label (``--at 2028q4``: did you mean 2028Q4?)."""
    try:
        return label(parse(str(text)))
    except ValueError:
        hint = suggest(text)
        raise ValueError(
            f"{option} {text!r} is not a quarter; expected e.g. 2028Q4"
            + (f" (did you mean {hint}?)" if hint else "")
        ) from None


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
