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

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show: the one line, not a wall of the package's internals
        above it (a misspelt scenario name gave 47 lines: helper-64).  Plain Python still
        prints the whole traceback; ``%tb`` or ``raise ... from`` debugging is unchanged."""
        return [f"{type(self).__name__}: {self}"]


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
    allowed = [str(a) for a in allowed]

    def words(s: str) -> tuple[str, ...]:
        return tuple(sorted(s.lower().replace("-", "_").split("_")))

    for same in (
        lambda a: a.lower() == name.lower(),
        lambda a: words(a) == words(name),
        lambda a: len(name) >= 4 and a.lower().startswith(name.lower()),  # "ARM_susp"
    ):
        hits = [a for a in allowed if same(a)]  # the case or the order of words differs
        if len(hits) == 1:
            return f"; did you mean {hits[0]!r}?"
    head = name[:4].upper() if name[3:4] == "_" else None  # a member's code and "_"
    ours = [a for a in allowed if head and a[:4].upper() == head and a[:3].isupper()]
    if ours:  # "KAZ_hedging": KAZ's names only, not another's or the alliance's (n_hedging)
        allowed = ours
    close = difflib.get_close_matches(name, allowed, n=5, cutoff=0.6)
    if not close:
        return ""

    def score(c: str) -> tuple[float, int]:
        prefix = next(
            (k for k, (a, b) in enumerate(zip(name.lower(), c.lower(), strict=False)) if a != b),
            min(len(name), len(c)),
        )
        return (round(difflib.SequenceMatcher(None, name, c).ratio(), 6), prefix)

    return f"; did you mean {max(close, key=score)!r}?"


#: what users write for a member besides its code: ISO 3166 two-letter codes, older or
#: informal three-letter ones, names (one list for outcomes and scenario files: `KIR_exited`
#: was offered 'IRN_exited' while `focus = ["KIR"]` was offered 'KGZ')
MEMBER_WORDS = {
    "ru": "RUS", "russia": "RUS", "kz": "KAZ", "kazakhstan": "KAZ", "kg": "KGZ", "kgs": "KGZ",
    "kyr": "KGZ", "kir": "KGZ", "kyrgyzstan": "KGZ", "by": "BLR", "bel": "BLR",
    "belarus": "BLR", "tj": "TJK", "taj": "TJK", "tajikistan": "TJK", "am": "ARM",
    "armenia": "ARM", "ir": "IRN", "ira": "IRN", "iran": "IRN", "uz": "UZB",
    "uzbekistan": "UZB", "kazakh": "KAZ", "kyrgyz": "KGZ", "tajik": "TJK",
    "belarusian": "BLR", "armenian": "ARM", "iranian": "IRN", "uzbek": "UZB",
}  # fmt: skip


def member_word(text: object) -> str | None:
    """The member code a word names (:data:`MEMBER_WORDS`), or the one whose name it misspells
    (``Kazakstan``, ``Kyrgystan``: a name of five letters or more, close by difflib's ratio
    0.8), or None."""
    word = str(text).strip().lower()
    if word in MEMBER_WORDS:
        return MEMBER_WORDS[word]
    names = [w for w in MEMBER_WORDS if len(w) >= 5]
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.8) if len(word) >= 5 else []
    return MEMBER_WORDS[close[0]] if close else None


def outcome_hint(name: object, columns: Iterable[object]) -> str:
    """:func:`did_you_mean` for an outcome's name, or, for a member's name that is close to
    none of its outcomes (``KAZ_hedging``), the outcomes it has ("" if neither)."""
    columns = [str(c) for c in columns]
    head, _, rest = str(name).partition("_")
    code = member_word(head)  # "KZ_exited", "Kazakhstan_exited", "Kazakstan_exited"
    if (code or head.upper()) == "RUS":  # russia_exited was offered 'UZB_exited'
        return "; Russia is the patron: its allies have outcomes (ARM_exited, ...), it has none"
    if code and f"{code}_{rest}" in columns:
        return f"; did you mean {code + '_' + rest!r}?"
    joined = f"{code or head.upper()}_joined"  # Iran_member: IRN's, not "IRAN_joined"
    if rest.lower() in ("member", "in", "joins", "joined", "accession") and joined in columns:
        return f"; did you mean {joined!r}?"  # IRN_member: not IRN_exited
    if code:
        name = f"{code}_{rest}"
    member = any(c.startswith(str(name).split("_")[0].upper() + "_") for c in columns)
    # "ARM_hedge": where a member's hedging is (below), not ARM_exited; "n_hedgng": n_hedging
    hedge = member and rest.lower().startswith("hedg")
    hint = "" if hedge else did_you_mean(name, columns)
    code = str(name).split("_")[0].upper()
    own = [c for c in columns if c.startswith(code + "_")] if "_" in str(name) else []
    if hint or not own:
        return hint
    status = f"{code}_status" in own
    where = (  # a plot's outcomes leave the status code out (its mean means nothing)
        "; its status at the horizon is the code in {code}_status (2 hedging, 3 suspended), "
        "and compare reports P(hedging)".replace("{code}", code) if status
        else "; whether it hedges at the horizon is not a stored outcome: compare reports "
        "P(hedging) and member_table the shares" if hedge else ""
    )  # fmt: skip
    return f"; {code}'s outcomes: {', '.join(own)}{where}"


def typename(v: object) -> str:
    """How a TOML value's type is named in messages: string, boolean, list, table, int..."""
    return {str: "string", bool: "boolean", list: "list", dict: "table"}.get(
        type(v), type(v).__name__
    )


def keywords_checked(fn):
    """``fn`` with a misspelt keyword argument refused in one line that offers the nearest
    one (``run_scenario(replicate=3)`` raised Python's bare ``TypeError``, with no hint, and a
    notebook showed its whole traceback)."""
    import functools
    import inspect

    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn  # takes any keyword: nothing to check
    names = [n for n, p in params.items() if p.kind is not inspect.Parameter.POSITIONAL_ONLY]

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        for k in kwargs:
            if k not in params:
                raise UserError(
                    f"{fn.__name__}(): no argument {k!r}{did_you_mean(k, names)} (allowed: "
                    f"{', '.join(names)})"
                )
        return fn(*args, **kwargs)

    return checked


def warn_user(note: str, category: type[Warning] = UserWarning) -> None:
    """Warn with ``note``, attributed to the user's own line: the first frame outside this
    package (a count of frames pointed into the package's wrappers, ``errors.py:170``, once
    the public functions were wrapped: helper-95)."""
    import os
    import warnings

    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    warnings.warn(note, category, stacklevel=2, skip_file_prefixes=(here,))
