"""The shipped forecasts with another posterior: how much a headline owes to the history fitted.

    python scripts/forecast_with_posterior.py POSTERIOR.parquet [--replicates 200]

Every shipped forecast scenario continues the calibrated replay its ``baseline.toml`` names
(``calibrated/history_2006_2024.parquet``).  This script runs each of them twice with the same
seeds — as shipped, and with ``calibration`` pointing at POSTERIOR (for instance the fit of the
shorter 2020-2024 replay, ``scenarios/calibrated/history_2020_2024.parquet``) — in a
temporary folder (the scenario files are copied there, the repository is not touched), and
prints each headline's probability of exit by the horizon with its 95% Wilson interval under
both.  POSTERIOR must continue into the forecasts' start (2024Q4) and name its replay by a path
that still resolves (leave it where ``calibrate`` wrote it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from alliance_sim.cli.main import main as cli

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = 'calibration = "calibrated/history_2006_2024.parquet"'
HEADLINES = [  # (scenario, member) as in docs/validation.md §7
    ("baseline", "ARM"),
    ("armenia_exits", "ARM"),
    ("russia_wins_ukraine", "ARM"),
    ("russia_wins_ukraine", "KAZ"),
    ("western_surge", "ARM"),
    ("western_surge", "KAZ"),
    ("iran_joins", "ARM"),
    ("china_security_push", "KGZ"),
    ("kazakhstan_unrest_repeat", "KAZ"),
    ("remittance_shock", "KGZ"),
]


class Refused(Exception):
    """alliance-sim refused a run (it has said why, in one line)."""


def _run(path: Path, out: Path, replicates: int) -> dict:
    argv = ["run", str(path), "--out", str(out), "--replicates", str(replicates), "--quiet"]
    if cli(argv) != 0:
        raise Refused
    return json.loads((out / "summary.json").read_text())["members"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior", type=Path)
    ap.add_argument("--replicates", type=int, default=200)
    a = ap.parse_args(argv)
    if not a.posterior.is_file():
        print(f"{a.posterior}: no such file", file=sys.stderr)
        return 2
    if a.replicates < 1:
        print(f"--replicates {a.replicates}: allowed 1 or more", file=sys.stderr)
        return 2
    post = a.posterior.resolve()
    try:
        return _compare(a, post)
    except Refused:  # alliance-sim printed the one line; the temporary copy is its subject
        print(
            f"forecast_with_posterior: refused, as said (the scenario named there is a temporary "
            f"copy continuing {a.posterior}; a posterior from a tiny fit is refused when too "
            "few of its sets reach the statuses recorded at 2024Q4)",
            file=sys.stderr,
        )
        return 2


def _compare(a: argparse.Namespace, post: Path) -> int:
    base = (ROOT / "scenarios" / "baseline.toml").read_text("utf-8")
    if SHIPPED not in base:
        print(f"scenarios/baseline.toml no longer says {SHIPPED}", file=sys.stderr)
        return 2
    rows: list = []
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "baseline.toml").write_text(base.replace(SHIPPED, f'calibration = "{post}"'))
        for name in dict(HEADLINES):
            src = ROOT / "scenarios" / f"{name}.toml"
            if name != "baseline":
                (t / src.name).write_text(src.read_text("utf-8"))
            shipped = _run(src, t / f"shipped_{name}", a.replicates)
            other = _run(t / src.name, t / f"other_{name}", a.replicates)
            for scen, member in HEADLINES:
                if scen == name:
                    rows.append((scen, member, shipped[member], other[member]))
    print(f"| scenario | P(exit) by the horizon | shipped posterior | {a.posterior.name} |")
    print("|---|---|---|---|")
    for scen, member, s, o in rows:
        cell = [f"{m['p_exit']:.2f} [{m['p_exit_lo']:.2f}, {m['p_exit_hi']:.2f}]" for m in (s, o)]
        print(f"| {scen} | {member} | {cell[0]} | {cell[1]} |")
    print(f"\n{a.replicates} runs each, the same seeds under both posteriors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
