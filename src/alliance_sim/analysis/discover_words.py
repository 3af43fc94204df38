"""The words of a discovery (:mod:`alliance_sim.analysis.discover`): parameter labels, the
subject of its sentence, the intervals and the note on refined runs it adds, and the CART
tree as text."""

from __future__ import annotations

from typing import Any

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


#: each outcome's verb, with the horizon ``{end}`` (a sentence without it left the reader to
#: guess by when: a new-user trial)
VERBS = {
    "exited": ("has left by {end}", "exits"),
    "suspended": ("is suspended at {end}", "suspensions"),
    "ever_suspended": ("has been suspended at some point by {end}", "suspensions"),
}


def subject(outcome: str, condition: str, per_point: bool, end: str = "") -> tuple[str, str]:
    """(sentence subject, plural of the case) for an outcome at the horizon ``end`` (the
    result's last quarter; "" when not known: "the end")."""
    names = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))
    code, _, what = outcome.partition("_")
    end = end or "the end"
    if code in names and what in VERBS:
        verb, plural = VERBS[what]
        verb = verb.format(end=end)
        if not per_point and condition == f"{outcome} > 0.5":
            return f"{names[code]} {verb}", plural
        if per_point and " > " in condition:
            t = float(condition.rsplit(" ", 1)[1])
            return f"{names[code]} {verb} in more than {t:.0%} of runs", "such points"
    unit = "points" if per_point else "runs"
    return f"{condition} holds at {end}", f"such {unit}"


def cart(
    x: pd.DataFrame,
    y: np.ndarray,
    max_depth: int,
    quarter_inputs: list[str],
    unit: str,
    cluster: np.ndarray | None = None,
) -> str:
    """The CART tree as text, cut back to the splits one can see.  The tree is grown on half
    the design points and every split is judged on the runs at the other half (``cluster``:
    each run's seed; None: every unit its own), which did not place it (judged on the runs
    that placed it, the best of hundreds of candidate splits looks real in pure noise): a
    split stays where the held-out runs show its two sides' shares of cases apart at the 5%
    level, Bonferroni-corrected over the tree's splits -- seed by seed where seeds ran on both
    sides (Wilcoxon's signed-rank test of :func:`seed_differences`: replicate k shares its
    seed at every point), else by Newcombe's interval (:func:`~.comparison.newcombe_at`).
    Other splits are folded into one leaf, from the leaves up; a tree folded to its root says
    that no split is visible rather than print shares that differ by noise (armenia_exits'
    grid: 92% to 98% in every leaf).  Leaves count every run."""
    from scipy.stats import norm
    from sklearn.tree import DecisionTreeClassifier

    from alliance_sim.analysis.stats import percent

    cl = np.arange(len(y)) if cluster is None else np.asarray(cluster)
    xs, yf = x.to_numpy(), y.astype(float)
    n_cases = int(yf.sum())
    overall = f"{n_cases} case{'s' * (n_cases != 1)} in {len(yf)} {unit}, {percent(yf.mean())}"
    # the design points (rows of equal inputs): grown on half of them, judged on the others
    # with every seed, so that a split can be judged seed by seed
    points = np.unique(xs, axis=0, return_inverse=True)[1].reshape(-1)
    labels = np.unique(points)
    if len(labels) < 10:  # five at least to grow on and five to judge on (a 2x2 grid grew on
        # two points that were both 0% and said "no split visible")
        return (
            f"(no split judged: the {unit} lie at {len(labels)} design point(s), too few to "
            f"grow a tree on half of them and judge it on the other half; {overall})\n"
        )
    grow = np.isin(points, np.random.default_rng(0).permutation(labels)[: len(labels) // 2])
    leaf = max(10, int(grow.sum()) // 50)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=0)
    tree.fit(xs[grow], y[grow].astype(int))
    t = tree.tree_
    at = tree.apply(xs)  # each unit's leaf; a node's units: those of its leaves
    names = [label(c) for c in x.columns]
    alpha = 0.05 / max(1, int((t.children_left >= 0).sum()))  # Bonferroni over the splits
    held = ~grow

    def units(node: int) -> np.ndarray:
        if t.children_left[node] < 0:
            return at == node
        return units(t.children_left[node]) | units(t.children_right[node])

    def apart(a: np.ndarray, b: np.ndarray) -> bool:
        """Whether the held-out units ``a`` and ``b`` (masks) differ in their share of cases."""
        a, b = a & held, b & held
        d = None if cluster is None else seed_differences(yf, a, b, cl)
        if d is not None:  # seed by seed, where seeds ran on both sides
            return paired_p(d) < alpha
        if not a.any() or not b.any():
            return False
        from alliance_sim.analysis.comparison import newcombe_at

        diff = newcombe_at(yf[b], cl[b], yf[a], cl[a], float(norm.isf(alpha / 2)))
        return bool(diff.lo > 0 or diff.hi < 0)

    kept: dict[int, bool] = {}  # node -> whether its split stays

    def prune(node: int) -> bool:
        """Whether ``node`` keeps a split (its own or below it)."""
        left, right = t.children_left[node], t.children_right[node]
        if left < 0:
            return False
        below = prune(left) | prune(right)
        kept[node] = below or apart(units(left), units(right))
        return kept[node]

    if not prune(0):
        return (
            "(no split: at the half of the design points that did not place them, no split's "
            f"two sides differ visibly (5%, Bonferroni over the tree's splits); {overall})\n"
        )
    lines: list[str] = []

    def show(node: int, depth: int) -> None:
        pad = "|   " * depth + "|--- "
        if not kept.get(node, False):
            m = units(node)
            n, k = int(m.sum()), int(yf[m].sum())
            lines.append(f"{pad}{n} {unit}, {k} case{'s' * (k != 1)} ({percent(k / max(n, 1))})")
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
        "(grown on half the design points; a split whose two sides the runs at the other half "
        "cannot tell apart (5%, Bonferroni over the tree's splits; Wilcoxon seed by seed, or set "
        "by set, where they ran on both sides) is folded into one leaf)\n"
    )
    return "\n".join(lines) + "\n" + note


def intervals(runs: pd.DataFrame, y: np.ndarray, inside: np.ndarray) -> dict[str, float]:
    """95% intervals of the box's density and coverage, runs sharing a seed counted as one
    unit (seed-clustered Wilson); in-sample: the box was fitted to these runs."""
    from alliance_sim.analysis.design import clustered_mean, clusters, distinct_sets

    cl = clusters(runs)
    by_set = 0 < distinct_sets(runs) == len(np.unique(cl))  # the unit: a parameter set
    dens = clustered_mean(y[inside].astype(float), cl[inside], binary=True)
    cov = clustered_mean(inside[y].astype(float), cl[y], binary=True)
    out = {
        "density_lo": dens.lo,
        "density_hi": dens.hi,
        "coverage_lo": cov.lo,
        "coverage_hi": cov.hi,
        "clustered": bool(len(np.unique(cl)) < len(cl)),  # some runs share a seed
        "unit": "parameter set" if by_set else "seed",
    }
    return out | paired_contrast(y, inside, cl)


def paired_contrast(y: np.ndarray, inside: np.ndarray, cl: np.ndarray) -> dict[str, float]:
    """The box against the rest seed by seed: replicate k runs with the same seed at every
    point, so within a seed the two differ by the parameters alone.  For the seeds with runs
    on both sides: how many put the box's share above the rest's and below it, and the mean
    difference, with the Wilcoxon signed-rank p over the seeds that differ (:func:`paired_p`);
    {} with fewer than 3 such seeds."""
    d = seed_differences(y.astype(float), inside, ~inside, cl)
    if d is None:
        return {}
    up, down = int((d > 0).sum()), int((d < 0).sum())
    return {
        "seeds_both": len(d),
        "seeds_higher": up,
        "seeds_lower": down,
        "contrast": float(d.mean()),
        "paired_p": paired_p(d),
    }


def seed_differences(
    y: np.ndarray, a: np.ndarray, b: np.ndarray, cl: np.ndarray
) -> np.ndarray | None:
    """Per seed that has runs in both masks ``a`` and ``b``: the share of cases in ``a`` less
    that in ``b``; None with fewer than 3 such seeds (nothing to pair on)."""
    both = np.intersect1d(np.unique(cl[a]), np.unique(cl[b]))
    if len(both) < 3:
        return None
    return np.array([y[a & (cl == k)].mean() - y[b & (cl == k)].mean() for k in both])


def paired_p(d: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p of per-seed differences ``d`` (seeds that do not
    differ dropped; exact for few seeds), 1 when none differ.  A seed's difference is often
    exactly 0 and the others skewed: a t interval read 7 seeds above and none below as no
    difference; a sign test, which ignores how far each seed moves, read ten seeds moved 100
    points and ten of noise as nothing (red-team, 2026-12-05)."""
    from scipy.stats import wilcoxon

    d = np.asarray(d, float)
    d = d[d != 0]
    if len(d) == 0:
        return 1.0
    return float(wilcoxon(d, zero_method="wilcox").pvalue)


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


def told_apart(s: dict[str, Any]) -> tuple[str, bool]:
    """The in-sample check of a box's runs against the rest, as a sentence, and whether they
    tell the region from the rest: seed by seed (Wilcoxon, :func:`paired_contrast`) where
    seeds run on both sides, else whether the box's interval leaves out the overall share.
    With fewer than 6 seeds that differ the exact test cannot reach 5% (its least p is
    2 / 2**n), which the sentence says, with the remedy."""
    if "seeds_both" in s:
        p, n = s["paired_p"], s["seeds_higher"] + s["seeds_lower"]
        unit = s.get("unit", "seed")
        by = (
            "Seed by seed (each seed runs at every point)"
            if unit == "seed"
            else "Set by set (each seed runs at every point; seeds of one parameter set pooled)"
        )
        said = (
            f" {by}, the box's share is above the rest's "
            f"in {s['seeds_higher']} of {s['seeds_both']} {unit}s and below in {s['seeds_lower']} "
            f"(mean {100 * s['contrast']:+.1f} points; Wilcoxon "
            f"p {'< 0.001' if p < 0.001 else f'= {p:.3f}'}, in-sample)"
        )
        if p < 0.05:
            return said + ".", True
        few = (
            f"; with {n} {unit}{'s' if n != 1 else ''} that differ the test cannot reach 5% (it "
            "needs 6 or more: more --replicates)"
            if n < 6
            else ""
        )
        return said + f": these runs cannot tell the region from the rest{few}.", False
    if s["density_lo"] <= s["k_total"] / s["n_total"] <= s["density_hi"]:
        return (
            " The box's interval includes the overall share: these runs cannot tell the region "
            "from the rest of the swept space.",
            False,
        )
    return "", True
