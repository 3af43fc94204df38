"""Write the parameter table of ``docs/model.md`` from the registry.

``python -m alliance_sim.cli.docgen docs/model.md`` rewrites the block between the
``<!-- parameters:start -->`` and ``<!-- parameters:end -->`` markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alliance_sim.core.members import MEMBER_FIELDS
from alliance_sim.core.params import REGISTRY

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def parameter_table() -> str:
    """The registry as Markdown: globals by group, then the per-member figures."""
    lines = ["| name | default | range | unit | meaning | source |", "|---|---|---|---|---|---|"]
    for p in sorted(REGISTRY, key=lambda p: p.group):
        lines.append(
            f"| `{p.name}` | {p.default:g} | {p.low:g} – {p.high:g} | {p.unit} | "
            f"{p.meaning} | {p.source} |"
        )
    lines += [
        "",
        "Per-member figures (values and sources per member in "
        "`data/members.toml`; override in a scenario's `[members.XXX]`):",
        "",
        "| field | unit | allowed | meaning |",
        "|---|---|---|---|",
    ]
    for f in MEMBER_FIELDS.values():
        allowed = f"{f.low:g} – {f.high:g}" if f.numeric else "a status name"
        lines.append(f"| `{f.name}` | {f.unit} | {allowed} | {f.meaning} |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{parameter_table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    path = Path((argv or sys.argv[1:] or ["docs/model.md"])[0])
    path.write_text(render(path.read_text("utf-8")), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
