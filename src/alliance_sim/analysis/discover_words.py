"""The words of a discovery (:mod:`alliance_sim.analysis.discover`): parameter labels, the
subject of its sentence, the intervals and the note on refined runs it adds, and the CART
tree as text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from alliance_sim.core import members as mb
from alliance_sim.core import quarters


def num_text(v: float) -> str:
    return f"{v:.3g}"


def quarter(v: float) -> str:
    return quarters.label(round(v))


def label(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "members" and len(parts) == 3:
        return f"{parts[1]} {parts[2]}"
    if parts[0] == "events" and len(parts) == 3:
        return f"event {parts[1]} {parts[2]}"
    return name


VERBS = {
    "exited": ("exits", "exits"),
    "suspended": ("ends suspended", "suspensions"),
    "ever_suspended": ("suspends at some point", "suspensions"),
}


def subject(outcome: str, condition: str, per_point: bool) -> tuple[str, str]:
    """(sentence subject, plural of the case) for an outcome."""
    names = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))
    code, _, what = outcome.partition("_")
    if code in names and what in VERBS:
        verb, plural = VERBS[what]
        if not per_point and condition == f"{outcome} > 0.5":
            return f"{names[code]} {verb}", plural
        if per_point and " > " in condition:
            t = float(condition.rsplit(" ", 1)[1])
            return f"{names[code]} {verb} in more than {t:.0%} of runs", "such points"
    unit = "points" if per_point else "runs"
    return f"{condition} holds", f"such {unit}"


def cart(
    x: pd.DataFrame, y: np.ndarray, max_depth: int, quarter_inputs: list[str], unit: str
) -> str:
    from sklearn.tree import DecisionTreeClassifier, export_text

    leaf = max(10, len(y) // 50)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=0)
    tree.fit(x.to_numpy(), y.astype(int))
    text = export_text(
        tree, feature_names=[label(c) for c in x.columns], show_weights=True, decimals=3
    )

    def leaf(m: re.Match) -> str:
        no, yes = float(m.group(1)), float(m.group(2))
        return f"{no + yes:.0f} {unit}, {yes:.0f} cases ({yes / max(no + yes, 1):.0%})"

    text = re.sub(r"weights: \[([\d.]+), ([\d.]+)\] class: \d", leaf, text)
    note = f"(event quarters as ordinals: 2024Q1 = {quarters.parse('2024Q1')})\n"
    return text + (note if quarter_inputs else "")


def intervals(runs: pd.DataFrame, y: np.ndarray, inside: np.ndarray) -> dict[str, float]:
    """95% intervals of the box's density and coverage, runs sharing a seed counted as one
    unit (seed-clustered Wilson); in-sample: the box was fitted to these runs."""
    from alliance_sim.analysis.design import clustered_mean, clusters

    cl = clusters(runs)
    dens = clustered_mean(y[inside].astype(float), cl[inside], binary=True)
    cov = clustered_mean(inside[y].astype(float), cl[y], binary=True)
    return {
        "density_lo": dens.lo,
        "density_hi": dens.hi,
        "coverage_lo": cov.lo,
        "coverage_hi": cov.hi,
    }


def refined(manifest, runs: pd.DataFrame, y: np.ndarray, per_point: bool) -> dict | None:
    """How many runs (points) refine added, and the share of cases among the sweep's own."""
    rounds = manifest.finished_rounds if manifest else []
    if not rounds:
        return None
    first = int(rounds[0]["point_start" if per_point else "run_start"])
    ids = np.unique(runs["point"]) if per_point else runs["run"].to_numpy()
    own = ids < first
    if not own.any():
        return None
    return {"added": int((~own).sum()), "design": int(own.sum()), "share": float(y[own].mean())}
