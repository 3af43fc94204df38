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
#: stricter, for the source fields themselves: no brief named as "facts", no shared/ folder
IN_A_SOURCE = re.compile(r"\bfacts\b|shared/", re.I)


def inside(where: str, text: str) -> None:
    """A source text names neither a file that does not ship nor a key that is not an entry."""
    for bad in (OUTSIDE.search(text), IN_A_SOURCE.search(text)):
        assert bad is None, f"{where} cites {bad.group(0)!r}, which does not ship: {text!r}"


SOURCES = ROOT / "docs" / "sources.md"
#: the bibliography's own regular expression is not a citation
NOT_CITING = {"src/alliance_sim/cli/bibliography.py"}


def entry_list() -> list[tuple[str, str, str]]:
    """(section heading, key, the entry's text) for every ``- **[KEY]**`` item of sources.md."""
    found, heading, key = [], "", None
    for line in SOURCES.read_text("utf-8").splitlines():
        m = re.match(r"^- \*\*\[([A-Z0-9-]+)\]\*\* (.*)", line)
        if line.startswith("## "):
            heading, key = line[3:], None
        elif m:
            key = m.group(1)
            found.append((heading, key, m.group(2)))
        elif key and line.startswith("  ") and line.strip():
            found[-1] = (heading, key, f"{found[-1][2]} {line.strip()}")
        else:
            key = None
    return found


def entries() -> set[str]:
    return {key for _, key, _ in entry_list()}


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
    """Every file a user gets: code, data, scenarios, docs, README, notebooks, the changelog and
    the citation file."""
    paths = [
        *(ROOT / "src" / "alliance_sim").rglob("*.py"),
        *DATA.glob("*.toml"),
        *DATA.glob("*.csv"),
        *(ROOT / "scenarios").glob("*.toml"),
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "notebooks").glob("*.ipynb"),
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        ROOT / "CITATION.cff",
    ]
    return {str(p.relative_to(ROOT)): p.read_text("utf-8") for p in paths}


def test_every_member_figure_has_a_source_in_the_bibliography_or_is_an_assumption():
    known = entries()
    rows = member_sources()
    assert len(rows) > 100
    for where, field in rows:
        inside(where, field.get("source", "") + field.get("assumption", ""))
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
        inside(where, source)
        keys = KEY.findall(source)
        assert keys and set(keys) <= known, f"{where}: {source!r}"


def test_registry_sources_cite_entries_or_say_assumption():
    known = entries()
    table = parameters()
    for col in ("meaning", "source", "plausible_source"):
        for name, text in zip(table["name"], table[col], strict=True):
            if not isinstance(text, str):
                continue
            inside(f"{name} {col}", text)
            assert set(KEY.findall(text)) <= known, f"{name} {col}: {text!r}"
    for name, scope, source in zip(table["name"], table["scope"], table["source"], strict=True):
        if scope == "member":  # per member in members.toml, checked above
            assert source == "per member: data/members.toml", name
        elif source != "assumption":
            assert cites(source), f"{name}: source {source!r} cites no entry and no file"


def cites(text: str, *folders: Path) -> bool:
    """Whether ``text`` cites an entry of the bibliography or a file of the repository by its
    path (relative to the root or to one of ``folders``)."""
    files = re.findall(r"[\w./-]+\.(?:toml|md|parquet)", text)
    shipped = [f for f in files if any((d / f).exists() for d in (ROOT, *folders))]
    return bool(KEY.search(text) or shipped)


def scenario_files() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_scenario_sources_cite_entries_or_files_that_ship(path):
    """A scenario's ``sources`` line cites an entry, or a file of the repository by its path."""
    known = entries()
    for line in tomllib.loads(path.read_text("utf-8")).get("sources", []):
        inside(path.name, line)
        keys = set(KEY.findall(line))
        assert keys <= known, f"{path.name}: {keys - known} not in docs/sources.md"
        assert cites(line, path.parent), f"{path.name}: {line!r} cites no entry and no file"
        for f in re.findall(r"[\w./-]+\.(?:toml|md|parquet)", line):
            assert (ROOT / f).exists() or (path.parent / f).exists(), f"{path.name}: no {f}"


def test_the_bibliography_is_well_formed():
    """Keys are unique; an entry for an outside source gives its URL or says none was recorded;
    every key an entry mentions is an entry itself."""
    listed = entry_list()
    keys = [key for _, key, _ in listed]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    known = set(keys)
    outside = {"Research literature", "Statistics and data sets", "News reports and analysis"}
    outside.add("Treaties, official documents and statements")
    assert outside <= {heading for heading, _, _ in listed}
    for heading, key, text in listed:
        assert len(text) > 40, key
        assert set(KEY.findall(text)) <= known, f"[{key}] mentions {set(KEY.findall(text)) - known}"
        if heading in outside:
            assert "<http" in text or "URL" in text, (
                f"[{key}]: give the URL or say that none was recorded"
            )


def test_every_key_anywhere_is_an_entry():
    """A key in code, data, scenarios or docs that is not in the bibliography is a typo."""
    known = entries()
    for name, text in shipped_text().items():
        if name in NOT_CITING:
            continue
        unknown = set(KEY.findall(text)) - known
        assert not unknown, f"{name} cites {sorted(unknown)}, not in docs/sources.md"


def test_list_parameters_explains_each_key_it_prints(capsys):
    from alliance_sim.cli.main import main

    assert main(["list", "parameters"]) == 0
    out = capsys.readouterr().out
    assert '[LEEDS-2003] Brett Ashley Leeds, "Alliance Reliability' in out
    assert "[EVSTRATOV-2022] Anton Evstratov" in out
    assert "not in docs/sources.md" not in out


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
    with pytest.raises(AssertionError, match="does not ship"):
        inside("a row", bad)


@pytest.mark.parametrize(
    "bad", ["Rosstat (facts)", "see shared/world", "Facts, part 2 [BRIEF-2014-2024]"]
)
def test_a_source_field_may_not_name_the_briefs_files(bad):
    assert OUTSIDE.search(bad) is None
    with pytest.raises(AssertionError, match="does not ship"):
        inside("a row", bad)
