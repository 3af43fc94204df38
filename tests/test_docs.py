"""The documentation a user reads: a README for users (at most 25 KB, its Quick start exactly
two commands), every relative link between README, CONTRIBUTING and docs/ pointing to a file
that exists, and every alliance-sim verb documented in the reference."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
PAGES += sorted((ROOT / "docs").glob("*.md"))


def test_readme_is_for_users_and_small():
    text = (ROOT / "README.md").read_text("utf-8")
    assert len(text.encode()) <= 25_000
    block = re.search(r"## Quick start\n+```bash\n(.*?)```", text, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2 and commands[1].endswith("python -m pytest")
    for part in ("## A study from start to finish", "## Reading the results", "## Limits of"):
        assert part in text
    assert "bench_" not in text  # benchmark rounds live in docs/performance.md


def test_relative_links_resolve():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if re.match(r"[a-z]+://", target):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_backticked_docs_paths_exist():
    path = re.compile(r"`((?:docs/|notebooks/)[\w./-]+\.(?:md|ipynb))`")
    for page in PAGES:
        for target in path.findall(page.read_text("utf-8")):
            assert (ROOT / target).exists(), f"{page.name}: {target} does not exist"


def test_every_verb_is_in_the_reference():
    from alliance_sim.cli.commands import COMMANDS

    reference = (ROOT / "docs" / "usage.md").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    for verb in COMMANDS:
        assert f"alliance-sim {verb}" in reference, verb
        assert f"`{verb}" in readme or f"alliance-sim {verb}" in readme, verb
