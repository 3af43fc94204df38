"""Every user-facing error, and the one "did you mean" rule.

Each error's ``str()`` is one line for the user, naming the file or option, the key and what
is allowed; the command line prints it and exits with status 2.  They all derive from
:class:`AllianceSimError` (and from ``ValueError``, so code that caught ``ValueError`` before
still does).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class AllianceSimError(ValueError):
    """Base of every error a user can cause; ``str(err)`` is one line."""


class ScenarioError(AllianceSimError):
    """A mistake in a scenario file or in parameters given to the API."""


class StoreError(AllianceSimError):
    """A result directory cannot be used as asked."""


class AnalysisError(AllianceSimError):
    """The results cannot be analysed as asked."""


class UserError(AllianceSimError):
    """A mistake in a command-line option."""


class WorkerError(AllianceSimError):
    """A worker process died under a sweep (killed, or out of memory); what it finished is
    kept."""


def did_you_mean(name: object, allowed: Iterable[object]) -> str:
    """``"; did you mean 'X'?"`` for the allowed name closest to ``name``, or ``""``.

    Close means a :func:`difflib.get_close_matches` ratio of at least 0.6; among close names
    the highest ratio wins, and ties go to the longer common prefix (``ARN`` -> ``ARM``, not
    ``IRN``).
    """
    name = str(name)
    close = difflib.get_close_matches(name, [str(a) for a in allowed], n=5, cutoff=0.6)
    if not close:
        return ""

    def score(c: str) -> tuple[float, int]:
        prefix = next(
            (k for k, (a, b) in enumerate(zip(name.lower(), c.lower(), strict=False)) if a != b),
            min(len(name), len(c)),
        )
        return (round(difflib.SequenceMatcher(None, name, c).ratio(), 6), prefix)

    return f"; did you mean {max(close, key=score)!r}?"


def typename(v: object) -> str:
    """How a TOML value's type is named in messages: string, boolean, list, table, int..."""
    return {str: "string", bool: "boolean", list: "list", dict: "table"}.get(
        type(v), type(v).__name__
    )
