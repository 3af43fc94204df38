"""The documentation a user reads: a README for users (at most 25 KB, its Quick start exactly
two commands, found as .ci/run finds them), every relative link between README, CONTRIBUTING,
CHANGELOG and docs/ pointing to a file that exists (and to a heading of it, when it names one),
and every alliance-sim verb documented in the reference."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md"]
PAGES += sorted((ROOT / "docs").glob("*.md"))


def test_readme_is_for_users_and_small():
    text = (ROOT / "README.md").read_text("utf-8")
    assert len(text.encode()) <= 25_000
    # found the way .ci/run finds it: the first fenced block after the Quick start heading,
    # comment lines left out; CI runs the second command on a clean clone
    start = re.search(r"(?im)^#+ .*quick.?start.*$", text).end()
    block = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S).group(1)
    commands = [x for x in block.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    assert len(commands) == 2 and commands[1].endswith("python -m pytest")
    assert "alliance-sim run " in commands[0]
    for part in ("## A study from start to finish", "## Reading the results", "## Limits of"):
        assert part in text
    assert "bench_" not in text  # benchmark rounds live in docs/performance.md


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces
    to hyphens."""
    heads = re.findall(r"^#+ (.+)$", page.read_text("utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def test_relative_links_resolve():
    for page in PAGES:
        text = page.read_text("utf-8")
        for target, anchor in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
            if re.match(r"[a-z]+://", target) or re.match(r"mailto:", target):
                continue
            file = page.parent / target if target else page
            assert file.exists(), f"{page.name}: broken link {target}"
            if anchor and file.suffix == ".md":
                assert anchor in anchors(file), f"{page.name}: no heading for {target}#{anchor}"


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


def test_the_readme_study_is_of_todays_model(tmp_path):
    """The README's study quotes numbers of one model and one scenario: when the equations,
    the data, the calibrated posterior or the baseline change, its stamps no longer match and
    the study must be run again as shown (and its numbers and stamps restated)."""
    import re

    from alliance_sim.scenario.load import load_scenario, with_end
    from alliance_sim.scenario.stamp import model_stamp

    text = (ROOT / "README.md").read_text("utf-8")
    toml = re.search(r"```toml\n# west_arm.toml\n(.*?)```", text, re.S).group(1)
    (tmp_path / "west_arm.toml").write_text(toml)
    sc = with_end(load_scenario(tmp_path / "west_arm.toml"), "2028Q4", sweep=False)  # --end
    cited = re.search(r"model (\w{16}), scenario (\w{16}), 400 runs", text)
    assert cited, "README's citation example names the model and the scenario"
    assert (model_stamp(sc), sc.hash) == cited.groups(), "re-run README's study and restate it"
    assert f"model\n{model_stamp(sc)}" in text or f"model {model_stamp(sc)}" in text


def _said(text: str) -> str:
    return " ".join(text.split())


def test_the_usage_guides_sweep_and_discover_quotes_are_as_printed(tmp_path, capsys):
    """docs/usage.md quoted a `discover` sentence ("89% [79%, 95%]") and `by_point.csv` values
    ("97.5% at the other 24 points") that today's commands no longer print (new-user trial):
    each is now run here as the guide shows it and compared with what it quotes."""
    import pandas as pd

    from alliance_sim.cli.main import main

    text = (ROOT / "docs" / "usage.md").read_text("utf-8")
    arm = tmp_path / "arm"
    assert main(["sweep", "armenia_exits", "--out", str(arm)]) == 0
    note = re.search(r"^note: the swept values change whether Armenia.*$", text, re.M).group(0)
    assert note in capsys.readouterr().out
    p = pd.read_csv(arm / "by_point.csv").set_index(["western_offer", "russian_pressure"])
    p = p["ARM_p_exit"]
    assert (p[(0.02, 0.1)], p[(0.02, 0.5)]) == (0.775, 0.925)  # the corner; least offer at 0.5
    top = p[p.index.get_level_values("russian_pressure") >= 0.5].drop((0.02, 0.5))
    assert len(top) == 9 and (top == 0.95).all() and (p.drop(top.index) < 0.95).all()
    grid = p.unstack()  # western_offer down, russian_pressure across: never falls as either rises
    assert (grid.diff(axis=0).iloc[1:] >= 0).all().all()
    assert (grid.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    said = _said(text)
    assert "77.5% at the corner of least pressure and least Western offer, never falling" in said
    assert "92.5% at pressure 0.5 with the least offer and 95% at the other 9 points" in said
    toml = re.search(r"```toml\n(# arm_lhs\.toml.*?)```", text, re.S).group(1)
    (tmp_path / "arm_lhs.toml").write_text(toml.replace('"armenia_exits.toml"', '"armenia_exits"'))
    lhs = str(tmp_path / "arm-lhs")
    assert main(["sweep", str(tmp_path / "arm_lhs.toml"), "--out", lhs, "--record", "end"]) == 0
    capsys.readouterr()
    argv = ["discover", lhs, "--outcome", "cohesion_final", "--threshold", "0.45", "--below"]
    assert main(argv) == 0
    printed = capsys.readouterr().out.split("\n\n")[0]
    start = r"(?:Not told apart from the rest by these runs \(below\): )?cohesion_final < 0\.45"
    quoted = re.search(rf"```\n({start} holds.*?)```", text, re.S).group(1)
    assert _said(printed) == _said(quoted)
