"""Which words a refusal uses for an option: the command line's or the Python API's.

The public functions and the commands share their checks, whose messages name the command's
options (``--out``, ``--force``).  From Python those read as advice to type something that
does not exist there: ``run_scenario(..., out="x")`` was told to "choose another --out or add
--force".  A function decorated with :func:`python_words` gives the same refusal with its
own arguments (``out=``, ``force=True``) unless the command line called it
(:func:`command_line`, which ``alliance-sim`` enters).
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from alliance_sim.errors import AllianceSimError, UserError

#: the command's options as the functions' arguments
WORDS = {
    "--out": "out",
    "--force": "force=True",
    "--samples": "samples",
    "--replicates": "replicates",
    "--hold-own": "hold_own=True",
    "--seed": "seed",
    "--outcome": "outcome",
    "--against": "against",
    "--workers": "workers",
    "--record": "record",
    "--end": "end",
    "--engine": "engine",
    "--chunk-size": "chunk_size",
    "--executor": "executor",
    "--scheduler": "scheduler",
}

_ON_COMMAND_LINE = contextvars.ContextVar("alliance_sim_command_line", default=False)


@contextmanager
def command_line() -> Iterator[None]:
    """Within it, refusals keep the command's words (``alliance-sim`` runs its verbs here)."""
    token = _ON_COMMAND_LINE.set(True)
    try:
        yield
    finally:
        _ON_COMMAND_LINE.reset(token)


def as_arguments(message: str, keep: tuple[str, ...] = ()) -> str:
    """``message`` with the command's options named as the functions' arguments
    ("--samples 12: allowed ..." -> "samples=12: allowed ..."); the texts ``keep`` (the
    caller's own arguments: a folder named "my --out dir") are left as they are."""
    keep = tuple(k for k in keep if "--" in k)  # only such a text can be rewritten
    if keep:  # (rewritten inside a path, "my --out dir" read "my out=dir": red-team)
        parts = re.split("(" + "|".join(map(re.escape, sorted(keep, key=len, reverse=True))) + ")",
                         message)  # fmt: skip
        return "".join(p if i % 2 else as_arguments(p) for i, p in enumerate(parts))
    pattern = "|".join(re.escape(k) for k in sorted(WORDS, key=len, reverse=True))

    def word(m: re.Match) -> str:
        said, value = WORDS[m.group(1)], m.group(2)
        if value and not said.endswith("True"):  # "--samples 4096 x" -> "samples=4096 x"
            return f"{said}="
        return said + (value or "")  # "--force to" -> "force=True to"; "another --out)"

    # an option's word only where it stands alone: not inside a path ("grid--seed 3.txt");
    # what follows it is its value only if it reads as one -- a number, a quoted text, a
    # path -- not a word of the sentence ("another --out or", "--samples applies to")
    option = rf"(?<![\w/.-])({pattern})(?![\w-])( (?=[0-9'\"/.~-]))?"
    parts = re.split(r"(alliance-sim [^;)]*)", message)  # a command quoted whole stays one
    return "".join(p if i % 2 else re.sub(option, word, p) for i, p in enumerate(parts))


def in_python_words(e: AllianceSimError, keep: tuple[str, ...] = ()) -> AllianceSimError:
    """``e`` again with :func:`as_arguments`' words (itself where nothing changes)."""
    said = as_arguments(str(e), keep)
    if said == str(e):
        return e
    try:
        again = type(e)(said)
    except TypeError:  # an error class that takes more than its message
        again = UserError(said)
    return again


def python_words[F: Callable[..., Any]](fn: F) -> F:
    """``fn`` whose refusals name its arguments, not the command's options, when Python
    called it (see the module's docstring)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AllianceSimError as e:
            if _ON_COMMAND_LINE.get():
                raise
            given = [*args, *kwargs.values()]
            given += [x for v in given if isinstance(v, list | tuple) for x in v]
            keep = tuple(os.fspath(v) for v in given if isinstance(v, str | os.PathLike))
            again = in_python_words(e, tuple(k for k in keep if k))
            if again is e:
                raise
            raise again from None

    return wrapper  # type: ignore[return-value]
