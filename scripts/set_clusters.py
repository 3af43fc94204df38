"""What counting the runs on one parameter set once does to a calibrated forecast's intervals.

    python scripts/set_clusters.py DIR            # each member's P(exit), both ways
    python scripts/set_clusters.py REF DIR        # every difference compare prints, both ways

DIR, REF: results of ``alliance-sim run`` of a calibrated forecast (``baseline`` and what
extends it).  Replicate k draws row k of the posterior's rows (400 in the shipped fit), which
hold fewer distinct parameter sets (153 in the ninth fit): the SMC's resampling repeats the
likelier ones.  Every interval counts the runs on one distinct set as one unit
(``analysis/units.py``); until 2026-12-08 they counted each row as its own.  This is the
ablation of that choice: each interval (with its effective runs) as the tool prints it and as
it was, and the widths' ratio.  With two folders, the differences ``compare REF DIR`` gives at
the last quarter both reach.  Where the parameters decide the answer (Armenia's exit rule),
the ratio is about 2: docs/validation.md section 8.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay_sets import OneLineParser, one_line

from alliance_sim.analysis import units
from alliance_sim.analysis.design import clustered_mean, clusters
from alliance_sim.core.members import ALLIES
from alliance_sim.runs.locks import reading
from alliance_sim.runs.results import Result


@contextmanager
def rows_as_units():
    """Intervals as they were: each posterior row its own unit."""
    units.COUNT_SETS = False
    try:
        yield
    finally:
        units.COUNT_SETS = True


def report(args) -> None:
    with ExitStack() as stack:
        for d in args.dirs:
            stack.enter_context(reading(d))  # a folder being written: said so, not read
        results = [_checked(d) for d in args.dirs]
        if len(results) == 1:
            _members(args.dirs[0], results[0])
        else:
            _differences(results)


def _checked(d: str) -> Result:
    res = Result.open(d)
    if res.manifest.kind != "run":  # a sweep pools its points: not what `run` prints
        raise ValueError(f"{d}: a sweep, not a run; allowed the folder of alliance-sim run")
    runs = res.runs
    if "posterior" not in runs or (runs["posterior"] < 0).all():
        raise ValueError(f"{d}: not a run of a calibrated forecast")
    if "posterior_set" not in runs:
        raise ValueError(f"{d}: written before runs recorded their parameter set; run it again")
    return res


def _members(d: str, res: Result) -> None:
    runs = res.runs
    sets = runs["posterior_set"].to_numpy()
    print(f"{d}: {len(runs)} runs on {runs['posterior'].nunique()} posterior rows, "
          f"{len(np.unique(sets))} distinct parameter sets")  # fmt: skip
    rows = []
    for code in ALLIES:
        col = f"{code}_exited"
        if col not in runs:
            continue
        ok = runs[runs[col].notna()]
        y = ok[col].to_numpy(float)
        if y.size == 0 or y.min() == y.max():
            continue
        now = clustered_mean(y, clusters(ok))
        with rows_as_units():
            was = clustered_mean(y, clusters(ok))
        ratio = (now.hi - now.lo) / (was.hi - was.lo)
        rows.append((code, f"{y.mean():.1%}", f"[{now.lo:.1%}, {now.hi:.1%}]", now.n,
                     f"[{was.lo:.1%}, {was.hi:.1%}]", was.n, ratio))  # fmt: skip
    if not rows:
        print("no member's exit varies over these runs: nothing to compare")
        return
    cols = ["member", "P(exit)", "one unit per set", "n_eff", "one unit per row", "n_eff",
            "width ratio"]  # fmt: skip
    print(pd.DataFrame(rows, columns=cols).to_string(index=False, float_format="{:.2f}".format))


def _differences(results: list[Result]) -> None:
    from alliance_sim.analysis.comparison import compare_results

    now = compare_results(results)
    with rows_as_units():
        was = compare_results(results)
    print(f"{now.attrs['horizon'].quarter}: each difference from {results[0].directory}")
    rows = []
    for (_, a), (_, b) in zip(now.iterrows(), was.iterrows(), strict=True):
        da, db = a["difference"], b["difference"]
        if a["effect"] == "no variation" or not np.isfinite(da.value) or db.hi <= db.lo:
            continue
        rows.append((a["outcome"], f"{da.value:+.3f}", f"[{da.lo:+.3f}, {da.hi:+.3f}]", a["n"],
                     f"[{db.lo:+.3f}, {db.hi:+.3f}]", b["n"],
                     (da.hi - da.lo) / (db.hi - db.lo)))  # fmt: skip
    cols = ["outcome", "difference", "one unit per set", "n_eff", "one unit per row", "n_eff",
            "width ratio"]  # fmt: skip
    print(pd.DataFrame(rows, columns=cols).to_string(index=False, float_format="{:.2f}".format))


def main() -> None:
    ap = OneLineParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", help="one result folder, or a reference and a result")
    args = ap.parse_args()
    if len(args.dirs) > 2:
        ap.error("allowed one folder (members) or two (a reference and a result)")
    one_line("set_clusters", report, args)


if __name__ == "__main__":
    main()
