"""The diagnostic scripts replay the history a posterior was fitted to, not a default one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHORT = ROOT / "scenarios" / "calibrated" / "history_2020_2024.parquet"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_exit_timing_replays_the_posteriors_own_history():
    """The 2020-2024 posterior replays 2020-2024: a quarter of 2019 is outside it and refused
    with one line (it was silently replayed on 2006-2024, with another replay's events)."""
    ok = _run("scripts/exit_timing.py", str(SHORT), "--member", "ARM", "--before", "2023Q4",
              "--after", "2024Q1", "--to", "suspended", "--runs", "40")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ARM (40 replays, as fitted): in at 2023Q4")
    bad = _run("scripts/exit_timing.py", str(SHORT), "--member", "ARM", "--before", "2019Q4")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "exit_timing: --before 2019Q4: allowed 2020Q1 to 2024Q4 (the replay's quarters)"
    )
    long = ROOT / "scenarios" / "calibrated" / "history_2006_2024.parquet"
    other = _run("scripts/exit_timing.py", str(long), "--scenario", "history_2020_2024")
    assert other.returncode == 2  # its fitted values the 2020-2024 replay does not name were
    assert other.stderr.startswith(f"exit_timing: {long}: parameter ")  # silently dropped
    assert "history_2020_2024.toml's [calibrate.parameters]" in other.stderr
    years = _run("scripts/status_by_year.py", str(SHORT), "--runs", "20")
    assert years.returncode == 0, years.stderr
    assert years.stdout.splitlines()[0].startswith("2020Q4 ")


def test_event_scale_sets_a_size_beside_each_members_ties_and_pressure():
    """New users could not turn an offer's or a campaign's `size` into a number (helper-58,
    helper-61): the script prints each ally's ties, routine offer, pressure and tolerance,
    measured without the scenario's events (an event in the measured quarter, a member's or
    Russia's bandwidth, was read as routine: helper-62, helper-63)."""
    base = _run("scripts/event_scale.py", "--replicates", "10")
    assert base.returncode == 0, base.stderr
    rows = {line.split()[0]: line.split()[1:] for line in base.stdout.splitlines()[3:]}
    assert set(rows) == {"BLR", "KAZ", "KGZ", "TJK", "ARM"}
    for code, cells in rows.items():  # the routine offer renews about ties_decay of the ties
        level, routine = float(cells[0]), float(cells[1])
        assert 0.05 * level < routine < 0.2 * level, (code, cells)
    assert float(rows["KAZ"][-1]) == 0.35 and float(rows["BLR"][-2]) == 0.0  # members.toml
    push = _run("scripts/event_scale.py", "china_security_push", "--replicates", "10")
    kgz = next(line for line in push.stdout.splitlines() if line.startswith("KGZ"))
    # its Chinese offer of 2025Q1 left out: the routine is the [region]'s raised offer
    assert 0.05 < float(kgz.split()[5]) < 0.12, kgz
    joins = _run("scripts/event_scale.py", "iran_joins", "--replicates", "5")
    assert "IRN" not in joins.stdout and "Warning" not in joins.stderr  # a candidate: no row
    bad = _run("scripts/event_scale.py", "--size", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    # red-team (helper-62): a misspelt name was a traceback; a Chinese offer blanked the
    # Western column too; a scenario that starts from its own state read pressure 0
    bad = _run("scripts/event_scale.py", "nosuch")
    assert bad.returncode == 2 and bad.stderr.startswith("event_scale: no scenario named")
    assert float(kgz.split()[2]) > 0  # KGZ's Western routine
    fresh = _run("scripts/event_scale.py", "history_2020_2024", "--replicates", "5")
    pressure = {line.split()[0]: line.split()[-2] for line in fresh.stdout.splitlines()[3:]}
    assert float(pressure["KAZ"]) > 0, fresh.stdout


def test_weighing_terms_are_printed_for_the_posteriors_own_replay():
    """The script replays the posterior's own history (2020-2024 for this posterior) and
    prints every term, the target and the shares at the quarters asked; a quarter outside
    the replay is one line."""
    import math

    ok = _run("scripts/weighing_terms.py", str(SHORT), "--member", "ARM", "--runs", "30",
              "--every", "8", "--to", "2024Q1")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    lines = ok.stdout.splitlines()
    head = [c.strip() for c in lines[1].strip("|").split("|")]
    assert head[:3] == ["quarter", "security", "dependence"] and "target" in head
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[3:]]
    assert [r[0] for r in rows] == ["2022Q1", "2024Q1"]
    for r in rows:
        target = float(r[head.index("target")])
        assert 0 < target < 1 and 0 <= float(r[head.index("left")]) <= 1
        assert all(math.isfinite(float(x)) for x in r[1 : head.index("target")])
    for args, said in (  # red-team: argparse's usage lines, a year with no hint
        (["--runs", "abc"], "weighing_terms: argument --runs: invalid int value: 'abc'"),
        (["--to", "2023"], "(did you mean 2023Q4, the year's last quarter?)"),
    ):
        bad = _run("scripts/weighing_terms.py", str(SHORT), *args)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and said in bad.stderr
    bad = _run("scripts/weighing_terms.py", str(SHORT), "--to", "2019Q4")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "weighing_terms: --to 2019Q4: allowed after 2020Q1 up to 2024Q4 (the replay's)"
    )


def test_weighing_terms_refuses_a_candidate():
    """Iran, a candidate throughout the 2006-2024 replay, was printed as if it were a member
    (helper-72); then refused with a list of what is allowed that named Iran (a red-team)."""
    long = ROOT / "scenarios" / "calibrated" / "history_2006_2024.parquet"
    bad = _run("scripts/weighing_terms.py", str(long), "--member", "IRN", "--runs", "2")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "--member IRN (a candidate, not a member, at its start): allowed a member at " \
        "2006Q3: BLR, KAZ, KGZ, TJK, ARM, UZB\n" in bad.stderr  # fmt: skip


def test_set_clusters_prints_the_ablation_of_counting_a_parameter_set_once(tmp_path):
    """The posterior's rows hold fewer distinct sets than rows; counted once per set (as the
    tool counts), an interval of a forecast's P(exit) is at least as wide and rests on no more
    effective runs than with each row its own unit (docs/validation.md section 8)."""
    import re

    from alliance_sim.cli.main import main

    out, west = tmp_path / "b", tmp_path / "w"
    assert main(["run", "baseline", "--out", str(out), "--replicates", "120", "--quiet"]) == 0
    said = _run("scripts/set_clusters.py", str(out))
    assert said.returncode == 0, said.stderr
    head, _cols, *rows = said.stdout.strip().splitlines()
    assert re.match(rf"{re.escape(str(out))}: 120 runs on 120 posterior rows, \d+ distinct", head)
    arm = next(r.split() for r in rows if r.split()[0] == "ARM")
    assert int(arm[4]) <= int(arm[-2]) == 120 and float(arm[-1]) >= 1.0
    surge = ["run", "western_surge", "--out", str(west), "--replicates", "120", "--quiet"]
    assert main(surge) == 0
    pair = _run("scripts/set_clusters.py", str(out), str(west))
    assert pair.returncode == 0, pair.stderr
    diff = next(r.split() for r in pair.stdout.splitlines() if r.split()[:1] == ["ARM_exited"])
    assert float(diff[-1]) >= 1.0  # the paired difference widens too
    bad = _run("scripts/set_clusters.py", str(tmp_path / "nothing"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    swept = tmp_path / "s"  # a sweep pools its points: refused (helper-119)
    argv = ["sweep", "baseline", "--out", str(swept), "--samples", "2", "--replicates", "2"]
    assert main([*argv, "--quiet"]) == 0
    pooled = _run("scripts/set_clusters.py", str(swept))
    assert pooled.returncode == 2 and "a sweep, not a run" in pooled.stderr
