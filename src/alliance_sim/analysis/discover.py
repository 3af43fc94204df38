"""Scenario discovery: under which conditions does an outcome happen?

``discover(result, "ARM_exited")`` finds the region of the swept parameters where the outcome
is concentrated with PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999, as
implemented by EMA Workbench's ``ema_workbench.analysis.prim``) and, as a second view, a CART
tree (scikit-learn's ``DecisionTreeClassifier``).  PRIM peels the parameter space box by box;
each box on its peeling trajectory has a

* **coverage**: the share of all cases of interest (e.g. all runs where Armenia exits) that
  fall in the box;
* **density**: the share of runs in the box that are cases of interest;
* **mass**: the share of all runs that fall in the box.

The chosen box (``box=`` or, by default, the box on the trajectory nearest the ideal
coverage = density = 1, with density rescaled so that the overall share is 0: minimising
``(1 - coverage)^2 + (1 - lift)^2``, ``lift = (density - overall) / (1 - overall)``) is then
simplified: a restriction is dropped when removing it lowers the box's density by less than
one percentage point (it is not visible).  Needs the ``[discovery]`` extra.

The statistics are shares of runs, descriptive: runs at one point repeat its parameter values,
and replicate ``k`` uses the same seed at every point (common random numbers), so runs are not
independent draws.  ``per_point=True`` aggregates first (a point is of interest when the mean
of its replicates exceeds ``threshold``, e.g. P(exit) > 0.5) and says so.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.analysis import discover_words as words
from alliance_sim.analysis.cases import BOOKKEEPING, check_case
from alliance_sim.analysis.design import clusters
from alliance_sim.analysis.stats import percent, percent_interval
from alliance_sim.core import quarters
from alliance_sim.errors import AnalysisError, UserError, did_you_mean
from alliance_sim.runs.results import Manifest, Result

VISIBLE = 0.01  # a restriction that changes density by less than this is dropped


def _need_extra() -> None:
    import importlib.util

    for mod in ("ema_workbench", "sklearn"):
        if importlib.util.find_spec(mod) is None:
            raise UserError(
                "scenario discovery needs the discovery extra: pip install -e '.[discovery]'"
            )


@dataclass
class Discovery:
    """What ``discover`` found (see the module docstring for coverage, density, mass)."""

    outcome: str
    condition: str  # e.g. "ARM_exited > 0.5" or "mean of ARM_exited per point > 0.5"
    inputs: list[str]
    trajectory: pd.DataFrame  # box, coverage, density, mass, res_dim (the peeling trajectory)
    limits: list[pd.DataFrame]  # per trajectory box: parameter, low, high (restricted only)
    selected: int  # index into the trajectory
    box: pd.DataFrame  # the selected box after dropping invisible restrictions
    stats: dict[str, float]  # coverage, density, mass of ``box``; n, k, n_total, k_total
    ranges: dict[str, tuple[float, float]]  # sampled range of each input
    cart: str  # the CART tree as text
    per_point: bool = False
    dropped_nan: int = 0
    quarter_inputs: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    picked: bool = False  # the user chose the box
    #: runs (points) refine placed near a boundary: how many, and the case share without them
    refined: dict[str, float] | None = None

    def table(self) -> pd.DataFrame:
        """``boxes.csv``: one row per trajectory box and restricted parameter (a box with no
        restriction has one row with an empty parameter); the selected box as simplified."""
        rows = []
        for i, r in self.trajectory.iterrows():
            lims = self.box if i == self.selected else self.limits[i]
            st = self.stats if i == self.selected else r
            base = {
                "box": int(i),
                "coverage": float(st["coverage"]),
                "density": float(st["density"]),
                "mass": float(st["mass"]),
                "res_dim": len(lims),
                "selected": i == self.selected,
            }
            for c in ("density_lo", "density_hi", "coverage_lo", "coverage_hi"):
                base[c] = float(self.stats[c]) if i == self.selected and c in self.stats else np.nan
            if lims.empty:
                rows.append({**base, "parameter": "", "low": np.nan, "high": np.nan})
            for p in lims.itertuples():
                rows.append({**base, "parameter": p.parameter, "low": p.low, "high": p.high})
        cols = ["box", "parameter", "low", "high", "coverage", "density", "mass"]
        ci = ["density_lo", "density_hi", "coverage_lo", "coverage_hi"]  # the selected box's
        return pd.DataFrame(rows)[[*cols, "res_dim", "selected", *ci]]

    def in_words(self) -> str:
        """The selected box as a sentence, e.g. "Armenia has left by 2034Q4 in 87% of runs when
        western_offer > 0.09 and ARM pressure_tolerance < 0.2; that region holds 71% of all
        exits (12% of runs)"."""
        end = self.manifest.plan.end if self.manifest is not None else ""
        subject, plural = words.subject(self.outcome, self.condition, self.per_point, end)
        unit = "points" if self.per_point else "runs"
        s = self.stats
        share = f"{percent(s['density'])} of {unit}"
        head = f"{subject} at {share}" if self.per_point else f"{subject} in {share}"
        overall = f"{percent(s['k_total'] / s['n_total'])} of all {unit}"
        if self.box.empty:
            return (
                f"{head} (no region of the swept parameters concentrates {plural} visibly "
                "more than that)." + self._refined_note(unit)
            )
        return self._words(head, plural, unit, overall) + self._refined_note(unit)

    def _refined_note(self, unit: str) -> str:
        r = self.refined
        if not r:
            return ""
        return (
            f" Of these {self.stats['n_total']:,} {unit}, {r['added']:,} come from refine "
            "rounds placed where it seemed nearest to tipping, not spread over the swept "
            "space: the shares "
            f"above describe this sample; in the sweep's own {r['design']:,} {unit} alone "
            f"the share is {percent(r['share'])}."
        )

    def _words(self, head: str, plural: str, unit: str, overall: str) -> str:
        s = self.stats
        conds = " and ".join(self._condition(p) for p in self.box.itertuples())
        note = (
            f" Per point: the mean of {self.outcome} over its replicates; replicate k uses "
            "the same seed at every point, so points are compared under common random "
            "numbers, not as independent samples."
            if self.per_point
            else ""
        )
        if "density_lo" in s:  # e.g. "in 92% [90%, 94%] of runs"
            dens = percent_interval(s["density"], s["density_lo"], s["density_hi"])
            cov = percent_interval(s["coverage"], s["coverage_lo"], s["coverage_hi"])
            head = head.replace(f"{percent(s['density'])} of", f"{dens} of", 1)
            shared = s.get("clustered", True)  # else: every run independent (no seed column)
            unit_ = (
                "runs sharing a seed (or parameter set) counted once"
                if shared
                else "every run its own seed"
            )
            note += (
                f" Intervals: 95%, {unit_}; in-sample (the box was fitted to these runs, so they "
                "flatter it)."
            )
            said, told = words.told_apart(s)  # seed by seed where seeds run on both sides
            note += said
        else:
            cov, told = percent(s["coverage"]), True
        text = (
            f"{head} when {conds}; that region holds {cov} of all {plural} "
            f"and {percent(s['mass'])} of {unit} (overall: {overall}).{note}"
        )  # a region its own test rejects led a sentence a user would quote (helper-110)
        return text if told else f"Not told apart from the rest by these runs (below): {text}"

    def summary(self) -> str:
        """The chosen box and its neighbours on the trajectory, as a short text table."""
        t = self.trajectory
        lo, hi = max(0, self.selected - 3), min(len(t), self.selected + 4)
        rows = [f"{'box':>4} {'coverage':>9} {'density':>8} {'mass':>6} {'restricted':>10}"]
        for i in range(lo, hi):
            r = t.iloc[i]
            mark = "  <- chosen" if i == self.selected else ""
            cov, dens, mass, dim = r.coverage, r.density, r.mass, int(r.res_dim)
            if i == self.selected:  # as reported: without the restrictions it dropped
                st = self.stats
                cov, dens, mass, dim = st["coverage"], st["density"], st["mass"], len(self.box)
                if dim < int(r.res_dim):
                    mark += f" (PRIM's {int(r.res_dim)} restrictions; {dim} kept as visible)"
            rows.append(f"{i:>4} {cov:>9.1%} {dens:>8.1%} {mass:>6.1%} {dim:>10}{mark}")
        rule = (
            "chosen by --box"
            if self.picked
            else "chosen: nearest coverage = 1 and density = 1 (density rescaled from the "
            "overall share)"
        )
        left_out = (
            f"\n{self.dropped_nan} runs without a value of {self.outcome} (failed, or the "
            "member never joined) were left out."
            if self.dropped_nan
            else ""
        )
        return (
            f"PRIM peeling trajectory ({len(t)} box{'es' if len(t) != 1 else ''}; {rule}; "
            f"restrictions that change density by < {VISIBLE:.0%} dropped):\n"
            + "\n".join(rows)
            + left_out
        )

    def _condition(self, p: Any) -> str:
        lo, hi = self.ranges[p.parameter]
        name = words.label(p.parameter)
        fmt = words.quarter if p.parameter in self.quarter_inputs else words.num_text
        low = p.low > lo + 1e-12
        high = p.high < hi - 1e-12
        if low and high:  # the box holds its bounds: "<" left out points it counts (helper-100)
            return f"{fmt(p.low)} ≤ {name} ≤ {fmt(p.high)}"
        return f"{name} ≥ {fmt(p.low)}" if low else f"{name} ≤ {fmt(p.high)}"


def _inputs_frame(runs: pd.DataFrame, inputs: list[str], quarter_inputs: list[str]) -> pd.DataFrame:
    x = pd.DataFrame(index=runs.index)
    for c in inputs:
        if c in quarter_inputs:
            x[c] = runs[c].map(lambda q: float(quarters.parse(q)))
        else:
            x[c] = pd.to_numeric(runs[c], errors="raise").astype(float)
    return x


def _density(x: np.ndarray, y: np.ndarray, lims: pd.DataFrame) -> tuple[np.ndarray, float]:
    inside = np.ones(len(y), bool)
    for p in lims.itertuples():
        col = x[p.parameter].to_numpy()
        inside &= (col >= p.low) & (col <= p.high)
    return inside, (y[inside].mean() if inside.any() else 0.0)


def _restricted(lims: pd.DataFrame, init: pd.DataFrame) -> pd.DataFrame:
    rows = [
        {"parameter": c, "low": float(lims.loc[0, c]), "high": float(lims.loc[1, c])}
        for c in lims.columns
        if lims.loc[0, c] != init.loc[0, c] or lims.loc[1, c] != init.loc[1, c]
    ]
    return pd.DataFrame(rows, columns=["parameter", "low", "high"])


def best_box(trajectory: pd.DataFrame) -> int:
    """The box nearest the ideal (coverage 1, density 1), with density rescaled so that the
    overall share of cases (box 0's density) is 0 and 1 is 1: the distance weighs what a box
    adds over knowing nothing, so a common outcome does not pick the whole space.  Ties go to
    fewer restrictions."""
    base = float(trajectory["density"].iloc[0])
    lift = (trajectory["density"] - base) / max(1 - base, 1e-12)
    d = (1 - trajectory["coverage"]) ** 2 + (1 - lift) ** 2
    order = np.lexsort((trajectory["res_dim"].to_numpy(), d.round(12).to_numpy()))
    return int(trajectory.index[order[0]])


def discover(
    result: Result | str | os.PathLike | pd.DataFrame,
    outcome: str,
    threshold: float | None = None,
    *,
    below: bool = False,
    box: int | None = None,
    inputs: list[str] | None = None,
    per_point: bool = False,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    max_depth: int = 3,
) -> Discovery:
    """Where in the swept parameters ``outcome`` happens: PRIM boxes and a CART tree.

    Args:
        result: a result directory (or its :class:`Result`) of a sweep, or a DataFrame such
            as ``evaluate()``'s (then ``inputs`` names the parameter columns; default: every
            column that is neither an outcome nor bookkeeping).
        outcome: a column of ``runs``: a 0/1 outcome (``ARM_exited``) or a numeric one with
            ``threshold`` (``cohesion_final`` with ``threshold=0.4, below=True``).
        threshold: the case of interest is ``value > threshold`` (``< threshold`` with
            ``below``); default 0.5 for a 0/1 outcome, required otherwise.
        box: which box of the peeling trajectory to report (0 = everything); default the
            best coverage-density trade-off (see :func:`best_box`).
        per_point: aggregate each point's replicates first (mean of ``outcome``), then
            compare with ``threshold``: a point is of interest when, e.g., P(exit) > 0.5.
        mass_min, peel_alpha: PRIM's smallest box (share of runs) and peeling step.
        max_depth: depth of the CART tree.
    """
    _need_extra()
    if not isinstance(outcome, str):  # ["ARM_exited"]: pandas' "unhashable type" (helper-102)
        raise UserError(f"discover(outcome={outcome!r:.60}): allowed one outcome's name (a str)")
    manifest = None
    if isinstance(result, pd.DataFrame):
        runs = result
        outcome_cols = _outcome_columns()
        inputs = inputs or [
            c for c in runs.columns if c not in outcome_cols and c not in BOOKKEEPING
        ]
        quarter_inputs = [c for c in inputs if c.endswith(".at")]
    else:
        res = result if isinstance(result, Result) else Result.open(result)
        manifest = res.manifest
        runs = res.runs
        swept = res.swept
        if not swept:
            raise AnalysisError(
                f"{res.directory}: no parameter was swept, so there is no region to find; "
                "discover needs a sweep (or an evaluate() design)"
            )
        inputs = inputs or swept
        quarter_inputs = [a.name for a in res.plan.axes if a.quarter and a.name in inputs]
    where = "the runs" if manifest is None else f"{res.directory}/runs.parquet"
    check_case(outcome, threshold, runs, inputs, where)
    for c in inputs:
        if c not in runs.columns:
            raise AnalysisError(f"no input column {c!r} in {where}{did_you_mean(c, runs.columns)}")
    values = pd.to_numeric(runs[outcome], errors="coerce")
    ok = values.notna()
    if not ok.any():
        raise AnalysisError(f"{outcome!r} is empty (NaN) in every run; nothing to discover")
    binary = set(values[ok].unique()) <= {0.0, 1.0}
    if threshold is None:
        if not binary:
            raise UserError(
                f"{outcome!r} is not a yes/no outcome (values from {values.min():.3g} to "
                f"{values.max():.3g}); give --threshold T (cases: value > T, or < T with --below)"
            )
        threshold = 0.5
    x = _inputs_frame(runs[ok], inputs, quarter_inputs)
    v = values[ok].to_numpy(float)
    if per_point:
        if "point" not in runs.columns:
            raise AnalysisError("per-point aggregation needs a 'point' column")
        g = pd.DataFrame({"point": runs.loc[ok, "point"].to_numpy(), "v": v})
        means = g.groupby("point")["v"].mean()
        x = x.groupby(runs.loc[ok, "point"].to_numpy()).first().loc[means.index]
        v = means.to_numpy()
    y = (v < threshold) if below else (v > threshold)
    sign = "<" if below else ">"
    condition = (
        f"mean of {outcome} per point {sign} {threshold:g}"
        if per_point
        else f"{outcome} {sign} {threshold:g}"
    )
    if y.sum() == 0 or y.all():
        raise AnalysisError(
            f"{condition} in {'none' if y.sum() == 0 else 'all'} of the {len(y)} "
            f"{'points' if per_point else 'runs'}; there is no region to find"
        )
    x = x.reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        p = prim.Prim(x, y.astype(int), mass_min=mass_min, peel_alpha=peel_alpha)
        found = p.find_box()
    traj = found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    traj.index.name = "box"
    limits = [_restricted(b, p.box_init) for b in found.box_lims]
    if box is None:
        chosen = best_box(traj)
    elif not 0 <= box < len(traj):
        raise UserError(f"--box {box}: the peeling trajectory has boxes 0 to {len(traj) - 1}")
    else:
        chosen = box
    final = limits[chosen].copy()
    _, dens = _density(x, y, final)
    while len(final):  # drop restrictions whose removal changes density invisibly
        trial = [(_density(x, y, final.drop(index=i))[1], i) for i in final.index]
        best, i = max(trial)
        if dens - best >= VISIBLE:
            break
        final = final.drop(index=i)
        _, dens = _density(x, y, final)
    final = final.reset_index(drop=True)
    inside, dens = _density(x, y, final)
    k, n = int(y[inside].sum()), int(inside.sum())
    stats = {
        "coverage": k / max(int(y.sum()), 1),
        "density": dens,
        "mass": n / len(y),
        "n": n,
        "k": k,
        "n_total": len(y),
        "k_total": int(y.sum()),
    }
    if not per_point and len(final) and n:
        stats |= words.intervals(runs[ok].reset_index(drop=True), y, inside)
    ranges = {c: (float(x[c].min()), float(x[c].max())) for c in inputs}
    return Discovery(
        outcome=outcome,
        condition=condition,
        inputs=list(inputs),
        trajectory=traj,
        limits=limits,
        selected=chosen,
        box=final,
        stats=stats,
        ranges=ranges,
        cart=words.cart(
            x,
            y,
            max_depth,
            quarter_inputs,
            "points" if per_point else "runs",
            None if per_point else clusters(runs[ok]),
        ),
        per_point=per_point,
        dropped_nan=int((~ok).sum()),
        quarter_inputs=quarter_inputs,
        manifest=manifest,
        picked=box is not None,
        refined=words.refined(manifest, runs[ok], y, per_point),
    )


def _outcome_columns() -> set[str]:
    from alliance_sim.core.outcomes import outcome_names

    return set(outcome_names())
