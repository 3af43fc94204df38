"""How big is an event's ``size``? Each member's outside ties and Russian pressure where a
forecast starts, to set an ``offer`` or a ``pressure`` campaign beside.

    python scripts/event_scale.py [SCENARIO] [--replicates 200] [--size 0.3]

An ``offer`` event adds ``size`` to a member's Western or Chinese ties in its quarter; ties
then lapse by ``ties_decay`` a quarter (half-life ln 2 / -ln(1 - ties_decay)) while the
West's and China's routine offers renew them (docs/model.md, "Western offer"). A
``pressure`` event adds ``size`` to the member's Russian pressure for ``duration`` quarters
(docs/model.md, "Russian pressure"; under strategic Russia the routine budget then shifts to
inducement). A size means little until it is set beside what the member already has. This
script runs SCENARIO (default ``baseline``) without its scheduled events for one quarter,
``--replicates`` runs (its posterior's sets; the first quarter's state is the calibrated
replay's end) and prints per ally in the alliance at the start the medians over runs, at the
first quarter, of its Western and Chinese ties, the routine offer of the next quarter
(measured: ties(t+1) - (1 - ties_decay) x ties(t)), how many quarters of that routine offer
an offer of ``--size`` brings at once, and its Russian pressure in the first quarter run
beside its ``pressure_tolerance`` (members.toml: pressure within it buys compliance,
pressure beyond it adds grievance each quarter, docs/model.md).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile

import numpy as np

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.params import BY_NAME
from alliance_sim.errors import AllianceSimError
from alliance_sim.runs.runner import run_scenario
from alliance_sim.scenario.load import load_scenario, revalidated
from alliance_sim.scenario.plan import spec_for


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="baseline", help="shipped name or .toml")
    ap.add_argument("--replicates", type=int, default=200, help="runs (default 200)")
    ap.add_argument("--size", type=float, default=0.3, help="an offer's size (default 0.3)")
    a = ap.parse_args(argv)
    if not 1 <= a.replicates <= 10_000 or not 0 < a.size <= 5:
        print("event_scale: --replicates 1 to 10000, --size above 0 up to 5", file=sys.stderr)
        return 2
    try:
        sc = load_scenario(a.scenario)
    except AllianceSimError as e:  # a misspelt name or a broken file: one line, not a traceback
        print(f"event_scale: {e}", file=sys.stderr)
        return 2
    routine = _without_events(sc, quarters.shift(sc.start, 1))  # the routine alone
    spec = spec_for(routine)
    decay = float(spec.params.get("ties_decay", BY_NAME["ties_decay"].default))
    tolerance = mb.load_profiles().values["pressure_tolerance"]
    first, second = sc.start, routine.end
    with tempfile.TemporaryDirectory() as tmp:
        res = run_scenario(routine, f"{tmp}/r", replicates=a.replicates, quiet=True)
        ts = res.read("timeseries")
    half_life = math.log(2) / -math.log(1 - decay)
    print(
        f"{sc.name}: at {first}, without its events (median of {a.replicates} runs); "
        f"ties_decay {decay:g} a quarter (half-life {half_life:.1f} quarters); 'size = qtrs': "
        f"an offer of {a.size:g} in quarters of the routine offer; pressure of {second}"
    )
    ties = f"{'ties':>6} {'routine/qtr':>11} {'size = qtrs':>11}"
    print(f"{'':6} {'Western':^30}  {'Chinese':^30}  {'Russian pressure':^20}")
    print(f"{'member':6} {ties}  {ties}  {'pressure':>9} {'tolerance':>10}")
    for code, rows in ts.groupby("member", observed=True):
        t0 = rows[rows["quarter"] == first].set_index("run")
        t1 = rows[rows["quarter"] == second].set_index("run").reindex(t0.index)
        if t0.empty:  # not in the alliance at the start (a candidate): no routine to read
            continue
        cells = []
        for col in ("western_ties", "chinese_ties"):
            level = float(np.median(t0[col]))
            offer = float(np.nanmedian(t1[col] - (1 - decay) * t0[col]))
            ratio = f"{a.size / offer:11.1f}" if offer > 1e-9 else f"{'none':>11}"
            cells.append(f"{level:6.3f} {offer:11.3f} {ratio}")
        tol = spec.members.get(code, {}).get("pressure_tolerance", tolerance[mb.INDEX[code]])
        # the pressure of the first quarter run (a scenario that does not continue the replay
        # starts from a state no pressure has acted on yet: 0 at the start, red-team)
        pressure = float(np.nanmedian(t1["pressure"]))
        print(f"{code:6} {cells[0]}  {cells[1]}  {pressure:9.3f} {float(tol):10.2f}")
    return 0


def _without_events(sc, end: str):
    """``sc`` to ``end`` with no scheduled event and no sweep: what the routine offers and
    pressure are where the forecast starts (an event in the measured quarter, a Russian
    bandwidth change or an exit, read as routine: red-team)."""
    data = {k: v for k, v in sc.data.items() if k not in ("events", "sweep", "end_status")}
    return revalidated(sc, {**data, "end": end})


if __name__ == "__main__":
    sys.exit(main())
