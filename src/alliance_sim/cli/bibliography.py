"""The bibliography, ``docs/sources.md``, for the command line: ``list sources`` prints it and
``list parameters`` follows every source key it shows with the first words of that entry, so a
key such as ``[LEEDS-2003]`` can be read where it is printed, from an installed copy too."""

from __future__ import annotations

import re
import textwrap
from functools import cache
from pathlib import Path

#: a source key as the data files cite it: ``[BRIEF-2020-2024]``, ``[SIPRI-MILEX]``
KEY = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")
_ENTRY = re.compile(r"^- \*\*\[([A-Z0-9-]+)\]\*\* (.*)$")


@cache
def text() -> str:
    """docs/sources.md: shipped in the wheel as ``alliance_sim/docs``, else the repository's."""
    from importlib import resources

    try:
        shipped = resources.files("alliance_sim").joinpath("docs", "sources.md")
        if shipped.is_file():
            return shipped.read_text("utf-8")
    except (ModuleNotFoundError, NotADirectoryError, TypeError):
        pass
    return (Path(__file__).resolve().parents[3] / "docs" / "sources.md").read_text("utf-8")


@cache
def entries() -> dict[str, str]:
    """Each entry's key and its text on one line (an entry is a ``- **[KEY]**`` item and the
    indented lines under it)."""
    out: dict[str, list[str]] = {}
    key = None
    for line in text().splitlines():
        m = _ENTRY.match(line)
        if m:
            key = m.group(1)
            out[key] = [m.group(2)]
        elif key is not None and line.startswith("  ") and line.strip():
            out[key].append(line.strip())
        else:
            key = None
    return {k: " ".join(v) for k, v in out.items()}


def glosses(*texts: str, width: int = 92) -> list[str]:
    """``[KEY] first words of its entry`` for each key cited in ``texts``, once each, in the
    order cited; an unknown key says so."""
    known = entries()
    seen = dict.fromkeys(k for t in texts if isinstance(t, str) for k in KEY.findall(t))
    missing = "(not in docs/sources.md)"
    return [
        textwrap.shorten(f"[{k}] {known.get(k, missing)}", width, placeholder=" …") for k in seen
    ]
