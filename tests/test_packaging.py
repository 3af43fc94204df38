"""An installed copy (``pip install .``, not ``-e``) finds the shipped scenarios from any
folder, and a scenario of one's own extends them by name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns("__pycache__", "*.egg-info")
#: what a build reads: the project, the package and its data, what the sdist carries besides
PARTS = ("pyproject.toml", "README.md", "LICENSE", "CITATION.cff", "CHANGELOG.md", "MANIFEST.in")
PARTS += ("src", "scenarios", "docs")


def test_every_sub_package_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "alliance_sim.scenarios" in listed


@pytest.mark.slow
def test_plain_install_runs_a_shipped_scenario_from_another_folder(tmp_path):
    target, tree = tmp_path / "site", tmp_path / "tree"  # build a copy: no build/ in the repo
    tree.mkdir()
    for part in PARTS:
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
        copy(ROOT / part, tree / part, **({"ignore": IGNORE} if copy is shutil.copytree else {}))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(tree),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert (
        target / "alliance_sim" / "scenarios" / "calibrated" / "history_2020_2024.parquet"
    ).is_file()
    assert (target / "alliance_sim" / "docs" / "sources.md").is_file()  # list sources
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "mine.toml").write_text(
        'extends = "baseline"\nname = "mine"\n[params]\nwestern_offer = 0.3\n'
    )
    env = {**os.environ, "PYTHONPATH": str(target), "MPLBACKEND": "Agg"}
    code = (
        "import sys, alliance_sim; assert alliance_sim.__file__.startswith(sys.argv[1]), "
        "alliance_sim.__file__; from alliance_sim.cli.main import main; "
        "sys.exit(main(sys.argv[2:]))"
    )
    for argv in (
        ["run", "armenia_exits", "--replicates", "5"],
        ["validate", "mine.toml", "history_2020_2024_calibrated"],
        ["list", "sources"],
    ):
        r = subprocess.run(
            [sys.executable, "-c", code, str(target), *argv],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
    assert "[BRIEF-2020-2024]" in r.stdout  # the bibliography, read from the installed copy
    assert (work / "out" / "armenia_exits" / "commitment.png").is_file()


def test_license_citation_and_changelog_agree_with_the_package():
    """The licence pyproject declares is the LICENSE file's; CITATION.cff cites this version
    and says how to cite a result; the changelog has a section for what is not yet released."""
    from alliance_sim import __version__

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == __version__
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "MIT"
    assert str(cff["version"]) == __version__
    assert "scenario hash" in cff["message"]
    assert cff["authors"] == [{"name": "alliance-sim contributors"}]
    assert str(cff["date-released"]) == "2026-12-03" and cff["title"].startswith("alliance-sim")
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and f"## [{__version__}]" in changelog


@pytest.mark.slow
def test_sdist_and_wheel_carry_the_licence_citation_changelog_and_bibliography(tmp_path):
    """The source distribution carries LICENSE, CITATION.cff, CHANGELOG.md and
    docs/sources.md; the wheel the LICENSE (in its dist-info) and the bibliography that
    ``list sources`` prints, with the licence declared as an SPDX expression."""
    import tarfile
    import zipfile

    tree, backend, dist = tmp_path / "tree", tmp_path / "backend", tmp_path / "dist"
    tree.mkdir()
    for part in PARTS:
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
        copy(ROOT / part, tree / part, **({"ignore": IGNORE} if copy is shutil.copytree else {}))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    pip = [sys.executable, "-m", "pip", "install", "-q", "--target", str(backend), *requires]
    r = subprocess.run(pip, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    code = (
        "import sys; from setuptools import build_meta as b; out = sys.argv[1]; "
        "b.build_sdist(out); b.build_wheel(out)"  # (build_sdist rewrites sys.argv)
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(dist)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(backend)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    (sdist,), (wheel,) = dist.glob("*.tar.gz"), dist.glob("*.whl")
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert {"LICENSE", "CITATION.cff", "CHANGELOG.md", "docs/sources.md"} <= names
    with zipfile.ZipFile(wheel) as w:
        names = set(w.namelist())
        meta = next(w.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "alliance_sim/docs/sources.md" in names
    assert "alliance_sim/core/data/un_agreement.csv" in names  # data beside the TOML files
    assert "License-Expression: MIT" in meta
