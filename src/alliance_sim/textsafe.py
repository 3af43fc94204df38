"""Scenario text made safe to show: in a terminal and in Markdown.

Scenario names, descriptions and event notes are written by users and may hold anything: a
terminal control sequence (``\\x1b[2J`` clears the screen, ``\\x1b]8;;...`` makes a link),
raw HTML (``<script>``), or Markdown that injects headings, links or tables.  Everything a
scenario file says passes through :func:`term` before it is printed and through :func:`md`
before it is written into a Markdown report (HTML reports use :func:`html.escape`; figures
set ``text.parse_math`` off so ``$...$`` is not read as maths).
"""

from __future__ import annotations

import html
import re
import unicodedata

_MD_SPECIAL = re.compile(r"([\\`*|~#])|^([-+=])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LINK = re.compile(r"\]\s*[(\[:]")  # [text](url), [text][ref], [ref]: url
# "<" opens an HTML tag, comment or declaration only before a letter, "/", "!" or "?"
# (CommonMark 6.6); "p < 0.001" and "a > b" are left legible in the Markdown source
_NOT_TAG = re.compile(r"&lt;(?![A-Za-z/!?])|(?<!^)&gt;")


def _visible(ch: str) -> str:
    """A control or format character as a visible escape (``\\x1b``, ``\\u202e``)."""
    return ch.encode("unicode_escape").decode("ascii")


def term(text: object, keep_newlines: bool = True) -> str:
    """``text`` with control characters (ESC, BEL, carriage return, C1 controls,
    bidirectional overrides...) shown as escapes instead of acting on the terminal.
    Newlines are kept when ``keep_newlines`` (multi-line tables), tabs always."""
    keep = "\n\t" if keep_newlines else "\t"
    return "".join(
        _visible(ch) if unicodedata.category(ch) in ("Cc", "Cf") and ch not in keep else ch
        for ch in str(text)
    )


def md(text: object) -> str:
    """``text`` as literal inline Markdown: one line, HTML escaped, Markdown punctuation
    backslash-escaped where it could act (no headings, links, images, emphasis, code or
    table cells injected; ``n_for_5pp``, ``[0%, 16%]`` and ``p < 0.001`` stay as they are)."""
    one = html.escape(term(" ".join(str(text).split()), keep_newlines=False), quote=False)
    one = _NOT_TAG.sub(lambda m: "<" if m.group(0) == "&lt;" else ">", one)
    out = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), one)
    if _LINK.search(out):
        out = out.replace("[", "\\[").replace("]", "\\]")
    return out


def shortened(text: object, width: int = 80) -> str:
    """``text`` cut in its middle to ``width`` characters, its end kept (a path's file name is
    there): a 5,000-character name quoted whole in a one-line refusal filled the terminal."""
    s = str(text)
    if len(s) <= width:
        return s
    head = width * 3 // 8
    return f"{s[:head]}...{s[len(s) - (width - head - 3) :]}"
