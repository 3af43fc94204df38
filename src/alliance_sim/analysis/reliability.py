"""When sensitivity indices can be trusted, and which outcomes are worth analysing.

A Sobol total index above 1, a first-order index above the total one, or a 95% interval wider
than the index itself all say the same thing: the design has too few samples for that index.
Each warning names the sample size that would be needed, from the interval's width (the
half-width of a Monte Carlo estimate shrinks as 1 / sqrt(N)).  An outcome that never varies
over the design has no variance to attribute and is skipped with one line.  Those intervals
hold the seeds fixed: the replicate noise left in the point means, an outcome defined only in
some runs (an exit quarter) and an outcome that moves in few seeds are said apart
(:func:`noise_lines`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from alliance_sim.analysis.sensitivity import point_means
from alliance_sim.runs.results import Result

FLOOR = 0.1  # an index's 95% half-width may reach this however small the index (it says "small")
TARGET = 0.05  # the half-width a rerun should aim at
MORRIS_SHARE = 0.1  # a Morris mu* below this share of the largest one is negligible
NOISE = 0.05  # replicate noise's share of the point means' variance from which it is said


def noise_lines(res: Result, table: pd.DataFrame) -> list[str]:
    """What the indices' intervals leave out (they resample design rows, the seeds held): the
    replicate noise left in the point means (from :data:`NOISE` of their variance), an
    outcome defined only in some runs, and, for a 0/1 outcome, in how many seeds it varies
    across the design at all (helper-100: 2 of 8 seeds decided a ranking that flipped between
    them)."""
    outcome, a = table.attrs.get("outcome"), table.attrs
    out = []
    if a.get("replicates") == 1:  # the noisiest case had said nothing (red team)
        out.append(
            "one replicate per point: the replicate noise in the point values cannot be "
            "measured, and the indices may be mostly noise; run the sweep with --replicates 2 "
            "or more to know"
        )
    if (share := a.get("noise_share")) is not None and share >= NOISE:
        out.append(
            f"replicate noise is about {share:.0%} of the variance of the point means "
            f"({a.get('replicates')} replicates each): the indices and their intervals, which "
            "hold the seeds fixed, describe these replicates' means; more replicates shrink it"
        )
    if (defined := a.get("defined_share", 1.0)) < 1.0:
        out.append(
            f"{outcome} is defined in {defined:.0%} of the runs only (where it happened): each "
            "point's mean is over those, so the indices mix whether it happens with its value"
        )
    runs = res.design().runs
    runs = runs[runs["error"].isna()]
    col = runs.get(outcome)
    if col is not None and "seed" in runs and set(col.dropna().unique()) <= {0.0, 1.0}:
        per = runs.assign(y=col).groupby("seed")["y"].agg(["min", "max"]).dropna()
        moved = int((per["min"] != per["max"]).sum())
        if len(per) > 1 and 0 < moved < len(per):
            out.append(
                f"{outcome} varies across the design in {moved} of {len(per)} seeds (in the "
                "others it is the same at every point): the indices rest on those seeds"
            )
    return out


def constant_outcome(res: Result, outcome: str) -> str | None:
    """One line saying why ``outcome`` is skipped if its mean is the same at every design
    point (nothing for a sensitivity analysis to attribute); None when it varies."""
    y = point_means(res, outcome)
    if np.ptp(y) > 0:
        return None
    return (
        f"skipped {outcome}: it is {y[0]:g} at all {len(y)} design points (no variation to "
        "attribute to the swept parameters)"
    )


def default_outcomes(res: Result) -> tuple[list[str], list[tuple[str | None, str]]]:
    """Outcomes worth a sensitivity analysis, and a line for each default passed over, with
    the outcome analysed instead (None where none is), so that the line is said beside it.

    Per focus member (without a focus: the allies whose exit varies most over the design) its
    exit if that varies over the design, else its final commitment; and final cohesion, if it
    varies.  Variation is in the per-point means (what the indices decompose)."""
    runs = res.runs
    ok = runs[runs["error"].isna()]
    means = ok.groupby("point").mean(numeric_only=True)
    spread = means.max() - means.min()
    focus = list(res.plan.focus)
    if not focus:
        from alliance_sim.core.outcomes import ALLIES

        ranked = [c for c in ALLIES if spread.get(f"{c}_exited", 0) > 0]
        focus = sorted(ranked, key=lambda c: -spread[f"{c}_exited"])[:3]
    out, notes = [], []
    for code in focus:
        exited, commitment = f"{code}_exited", f"{code}_commitment"
        if spread.get(exited, 0) > 0:
            out.append(exited)
        elif spread.get(commitment, 0) > 0:
            out.append(commitment)
            notes.append((commitment, f"{exited} does not vary over the design (mean "
                          f"{means[exited].iloc[0]:g} at every point); analysing {commitment} "
                          "instead"))  # fmt: skip
        else:
            notes.append((None, f"skipped {code}: neither its exit nor its commitment varies"))
    if spread.get("cohesion_final", 0) > 0:
        out.append("cohesion_final")
    else:
        notes.append((None, "skipped cohesion_final: it does not vary over the design"))
    return out, notes


def _pow2(n: float) -> int:
    return 2 ** math.ceil(math.log2(max(n, 2)))


def warnings(table: pd.DataFrame, samples: int | None = None) -> list[str]:
    """Lines flagging unreliable indices in a table from ``sensitivity.analyse``: S1 or ST > 1,
    S1 > ST by more than ``TARGET``, or a 95% half-width wider than its index and than
    ``FLOOR`` (a near-zero index known to +/- 0.1 is reliably small), each with the samples
    that would be needed; empty when all look sound.

    ``samples``: the design's samples (Saltelli base N, or Morris trajectories)."""
    out: list[str] = []
    if table.attrs.get("method") == "Sobol":
        widest = 0.0
        for name, r in table.iterrows():
            for key in ("S1", "ST"):  # (S1 1.021 printed without a word: helper-110)
                if r[key] > 1:  # (1.004 read "1.00 > 1": more places where 2 hide it)
                    v = f"{r[key]:.2f}" if round(r[key], 2) > 1 else f"{r[key]:.4f}"
                    out.append(f"{name}: {key} = {v} > 1, impossible for a variance share")
            if r["S1"] - r["ST"] > TARGET:  # visibly above: not estimation noise
                out.append(f"{name}: S1 = {r['S1']:.2f} > ST = {r['ST']:.2f} (S1 cannot exceed ST)")
            for key in ("S1", "ST"):
                conf, value = r[f"{key}_conf"], abs(r[key])
                if conf > max(value, FLOOR):
                    out.append(
                        f"{name}: {key} = {r[key]:.2f} ± {conf:.2f}, an interval wider than "
                        "the index"
                    )
            widest = max(widest, r["S1_conf"], r["ST_conf"])
        if out and samples:
            need = _pow2(samples * (widest / TARGET) ** 2)
            points = need * (len(table) + 2)
            out.append(
                f"these indices are unreliable with {samples} samples; for 95% intervals of "
                f"±{TARGET} the sweep needs about --samples {need} ({points:,} design "
                "points; half-widths shrink as 1/sqrt(N))"
            )
        return out
    floor = MORRIS_SHARE * float(table["mu_star"].max())
    worst = 1.0
    for name, r in table.iterrows():
        conf, value = r["mu_star_conf"], r["mu_star"]
        if conf > max(value, floor) and value > 0:
            out.append(f"{name}: mu* = {value:.3g} ± {conf:.3g}, an interval wider than mu*")
            worst = max(worst, conf / max(value, floor))
    if out and samples:
        need = math.ceil(samples * worst**2)
        out.append(
            f"these effects are unreliable with {samples} trajectories; intervals no wider "
            f"than mu* need about --samples {need} (half-widths shrink as 1/sqrt(N))"
        )
    return out


def printed(res, table, outcome: str) -> list[str]:
    """What ``alliance-sim sensitivity`` prints of one outcome's indices: what they are of,
    at which quarter (the line had read as if of no quarter: a new user's trial), the table,
    its warnings and what its intervals leave out."""
    t = table.attrs
    return [
        f"{t['method']} indices of {outcome} at {res.plan.end} ({t['points']} design points x "
        f"{t['replicates']} replicates; *_conf: 95% half-widths)",
        table.to_string(float_format=lambda v: f"{v:8.3f}"),
        *(f"warning: {line}" for line in warnings(table, res.plan.samples)),
        *(f"note: {line}" for line in noise_lines(res, table)),
    ]
