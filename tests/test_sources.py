"""Every number from the world can be traced inside the repository: each data row's source
points to an entry of docs/sources.md, every entry there is cited, and nothing cites a file
that does not ship (the compiled briefs and articles the project grew from live outside it)."""

import re
import tomllib
from pathlib import Path

import pytest

from alliance_sim.core.params import parameters

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "alliance_sim" / "core" / "data"
KEY = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\]")
#: what points outside the repository: the briefs' and articles' file names, their folder
OUTSIDE = re.compile(
    r"facts(?:-\d{4}-\d{4})?\.md|facts-\d{4}-\d{4}|\.\./shared|\bseeds? \d{3}\b"
    r"|\b\d{3}_[0-9a-f]{16}\.txt"
)


def entries() -> set[str]:
    text = (ROOT / "docs" / "sources.md").read_text("utf-8")
    return set(re.findall(r"^- \*\*\[([A-Z0-9-]+)\]\*\*", text, re.M))


def member_sources() -> list[tuple[str, dict]]:
    raw = tomllib.loads((DATA / "members.toml").read_text("utf-8"))
    return [
        (f"members.toml {code}.{name}", field)
        for code, fields in raw.items()
        if isinstance(fields, dict)
        for name, field in fields.items()
        if isinstance(field, dict) and "value" in field
    ]


def observation_sources() -> list[tuple[str, str]]:
    found = []

    def walk(x, where):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "source":
                    found.append((where, str(v)))
                else:
                    walk(v, f"{where}.{k}")
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, f"{where}[{i}]")

    walk(tomllib.loads((DATA / "observations.toml").read_text("utf-8")), "observations.toml")
    return found


def shipped_text() -> dict[str, str]:
    """Every file a user gets: code, data, scenarios, docs, README, notebooks."""
    paths = [
        *(ROOT / "src" / "alliance_sim").rglob("*.py"),
        *DATA.glob("*.toml"),
        *(ROOT / "scenarios").glob("*.toml"),
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "notebooks").glob("*.ipynb"),
        ROOT / "README.md",
    ]
    return {str(p.relative_to(ROOT)): p.read_text("utf-8") for p in paths}


def test_every_member_figure_has_a_source_in_the_bibliography_or_is_an_assumption():
    known = entries()
    rows = member_sources()
    assert len(rows) > 100
    for where, field in rows:
        if "assumption" in field:
            assert "low" in field and "high" in field, f"{where}: an assumption needs a range"
            continue
        keys = KEY.findall(field.get("source", ""))
        assert keys, f"{where}: source {field.get('source')!r} names no entry of docs/sources.md"
        assert set(keys) <= known, f"{where}: {set(keys) - known} not in docs/sources.md"


def test_every_observation_row_cites_an_entry():
    known = entries()
    rows = observation_sources()
    assert len(rows) > 40
    for where, source in rows:
        keys = KEY.findall(source)
        assert keys and set(keys) <= known, f"{where}: {source!r}"


def test_registry_sources_cite_entries_or_say_assumption():
    known = entries()
    table = parameters()
    for col in ("source", "plausible_source"):
        for name, text in zip(table["name"], table[col], strict=True):
            if not isinstance(text, str):
                continue
            assert set(KEY.findall(text)) <= known, f"{name} {col}: {text!r}"


def test_nothing_points_outside_the_repository_and_every_entry_is_cited():
    known = entries()
    assert {"BRIEF-2020-2024", "BRIEF-2014-2024", "EVSTRATOV-2022", "GEO-BORDERS"} <= known
    cited: set[str] = set()
    for name, text in shipped_text().items():
        outside = OUTSIDE.search(text)
        assert outside is None, f"{name} cites {outside.group(0)!r}, which does not ship"
        if name != "docs/sources.md":
            cited |= {k for k in KEY.findall(text) if k in known}
    assert known <= cited, f"entries nobody cites: {sorted(known - cited)}"


@pytest.mark.parametrize(
    "bad", ["Rosstat (facts.md)", "seed 001", "../shared/world/x.md", "facts-2014-2024 §5"]
)
def test_the_outside_pattern_catches_what_it_must(bad):
    assert OUTSIDE.search(bad)
