"""The words of a discovery (:mod:`alliance_sim.analysis.discover`): parameter labels, the
subject of its sentence, and the CART tree as text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from alliance_sim.core import members as mb
from alliance_sim.core import quarters


def _num(v: float) -> str:
    return f"{v:.3g}"


def _quarter(v: float) -> str:
    return quarters.label(round(v))


def _label(name: str) -> str:
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


def _subject(outcome: str, condition: str, per_point: bool) -> tuple[str, str]:
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


def _cart(
    x: pd.DataFrame, y: np.ndarray, max_depth: int, quarter_inputs: list[str], unit: str
) -> str:
    from sklearn.tree import DecisionTreeClassifier, export_text

    leaf = max(10, len(y) // 50)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=0)
    tree.fit(x.to_numpy(), y.astype(int))
    text = export_text(
        tree, feature_names=[_label(c) for c in x.columns], show_weights=True, decimals=3
    )

    def leaf(m: re.Match) -> str:
        no, yes = float(m.group(1)), float(m.group(2))
        return f"{no + yes:.0f} {unit}, {yes:.0f} cases ({yes / max(no + yes, 1):.0%})"

    text = re.sub(r"weights: \[([\d.]+), ([\d.]+)\] class: \d", leaf, text)
    note = f"(event quarters as ordinals: 2024Q1 = {quarters.parse('2024Q1')})\n"
    return text + (note if quarter_inputs else "")
