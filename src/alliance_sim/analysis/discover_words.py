"""The words of a discovery (:mod:`alliance_sim.analysis.discover`): parameter labels, the
subject of its sentence, the intervals and the note on refined runs it adds, and the CART
tree as text."""

from __future__ import annotations

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
    x: pd.DataFrame,
    y: np.ndarray,
    max_depth: int,
    quarter_inputs: list[str],
    unit: str,
    cluster: np.ndarray | None = None,
) -> str:
    """The CART tree as text, cut back to the splits one can see.  The tree is grown on half
    the seeds (``cluster``: each run's seed; None: every unit its own) and every split is
    judged on the other half, which did not place it: where the held-out runs' 95% intervals
    of the share of cases on its two sides overlap (seed-clustered Wilson), the split is
    folded into one leaf, from the leaves up.  Judged on the runs that placed it, the best of
    hundreds of candidate splits looks real in pure noise.  A tree cut back to its root says
    that no split is visible rather than print shares that differ by noise (armenia_exits'
    grid: 92% to 98% in every leaf).  Leaves count every run."""
    from sklearn.tree import DecisionTreeClassifier

    from alliance_sim.analysis.design import clustered_mean

    cl = np.arange(len(y)) if cluster is None else np.asarray(cluster)
    labels = np.unique(cl)
    grow = np.isin(cl, np.random.default_rng(0).permutation(labels)[: len(labels) // 2])
    xs, yf = x.to_numpy(), y.astype(float)
    leaf = max(10, int(grow.sum()) // 50)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=0)
    tree.fit(xs[grow], y[grow].astype(int))
    t = tree.tree_
    at = tree.apply(xs)  # each unit's leaf; a node's units: those of its leaves
    names = [label(c) for c in x.columns]

    def units(node: int) -> np.ndarray:
        if t.children_left[node] < 0:
            return at == node
        return units(t.children_left[node]) | units(t.children_right[node])

    def share(node: int):
        m = units(node) & ~grow
        return clustered_mean(yf[m], cl[m], binary=True)

    kept: dict[int, bool] = {}  # node -> whether its split stays

    def prune(node: int) -> bool:
        """Whether ``node`` keeps a split (its own or below it)."""
        left, right = t.children_left[node], t.children_right[node]
        if left < 0:
            return False
        below = prune(left) | prune(right)
        a, b = share(left), share(right)
        kept[node] = below or bool(a.hi < b.lo or b.hi < a.lo)  # NaN (no held-out run): fold
        return kept[node]

    if not prune(0):
        return (
            f"(no split: on the half of the seeds that did not place them, every split's two "
            f"sides overlap in their 95% intervals; {int(yf.sum())} cases in {len(yf)} {unit}, "
            f"{yf.mean():.0%})\n"
        )
    lines: list[str] = []

    def show(node: int, depth: int) -> None:
        pad = "|   " * depth + "|--- "
        if not kept.get(node, False):
            m = units(node)
            n, k = int(m.sum()), int(yf[m].sum())
            lines.append(f"{pad}{n} {unit}, {k} cases ({k / max(n, 1):.0%})")
            return
        f, thr = names[t.feature[node]], float(t.threshold[node])
        col = x.columns[t.feature[node]]
        v = quarters.label(int(np.floor(thr))) if col in quarter_inputs else f"{thr:.3f}"
        lines.append(f"{pad}{f} <= {v}")
        show(t.children_left[node], depth + 1)
        lines.append(f"{pad}{f} >  {v}")
        show(t.children_right[node], depth + 1)

    show(0, 0)
    note = (
        "(grown on half the seeds; a split whose two sides overlap in their 95% intervals on "
        "the other half is folded into one leaf)\n"
    )
    return "\n".join(lines) + "\n" + note


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
