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
    years = _run("scripts/status_by_year.py", str(SHORT), "--runs", "20")
    assert years.returncode == 0, years.stderr
    assert years.stdout.splitlines()[0].startswith("2020Q4 ")
