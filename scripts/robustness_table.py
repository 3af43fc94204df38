"""The table of docs/validation.md section 10 from the shipped robustness analyses.

    python scripts/robustness_table.py [DIR]      # DIR: default docs/robustness

One row per headline of every ``DIR/NAME/robustness.json`` (written by ``alliance-sim
robustness NAME --out DIR/NAME --samples 256``): today's answer with its 95% interval, the
envelope over what the record does not pin down, and the drivers with a first-order index of
0.1 or more whose 95% interval is above zero (marked where calibration identifies it or a
source gives it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from alliance_sim.analysis import robustness as rb
from alliance_sim.analysis.stats import percent_interval

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    where = Path(args[0]) if args else ROOT / "docs" / "robustness"
    files = sorted(where.glob("*/robustness.json"))
    if not files:
        print(
            f"{where}: no */robustness.json (alliance-sim robustness NAME --out {where}/NAME)",
            file=sys.stderr,
        )
        return 2
    print(
        "| scenario | headline | fitted model | over what the record does not pin down | "
        "drivers with S1 ≥ 0.1, interval above 0 (S1 ± 95% half-width) |"
    )
    print("|---|---|---|---|---|")
    for f in files:
        r = json.loads(f.read_text("utf-8"))
        for h in r["headlines"]:
            a, e = h["posterior"], h["envelope"]
            strong = rb.strong(h["drivers"])
            drivers = ", ".join(
                f"`{d['parameter']}` {d['S1']:.2f} ± {d['S1_conf']:.2f}"
                + ("" if not (d["identified"] or d["sourced"]) else " (pinned down or cited)")
                for d in strong
            ) or "none (largest total index: `{}` ST {:.2f})".format(
                *max(((d["parameter"], d["ST"] or 0.0) for d in h["drivers"]), key=lambda x: x[1])
            )
            fitted = percent_interval(a["p"], a["lo"], a["hi"])  # as every table gives a share
            print(
                f"| {f.parent.name} | {h['label']} | {fitted} "
                f"| {e['lo']:.0%}–{e['hi']:.0%} | {drivers} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
