"""The independent unit of each run, which every interval of :mod:`.design` counts once.

Replicate *k* shares its seed at every design point (and in every scenario run with the same
master seed), so the seed is the unit of a sweep.  A calibrated forecast's replicate *k* also
draws row *k* of the posterior, and the rows repeat parameter sets (the SMC's resampling
keeps the likelier ones several times: the shipped fit's 400 rows hold 153 sets).  Runs on one
set share what decides most answers, so where the runs draw fewer distinct sets than seeds, the
set is the unit.  Counted as independent rows, the baseline's P(Armenia leaves by 2034Q4)
read 34.0% [29.5%, 38.8%] (n_eff 400); one unit per set gives [24.8%, 44.5%] (n_eff 86;
docs/validation.md section 8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The ablation switch of this choice: False counts each posterior row as its own unit, as the
#: intervals did before 2026-12-08 (``scripts/set_clusters.py`` prints both).
COUNT_SETS = True


def clusters(runs: pd.DataFrame) -> np.ndarray:
    """The independent unit of each run: its seed (replicate k shares it at every point) -- or,
    in a calibrated scenario, the distinct parameter set it draws when the runs hold fewer
    sets than seeds (the module's docstring).  The set is the column ``posterior_set``; a
    table of pairs has ``posterior_set_a`` and ``posterior_set_b``, and pairs linked through a
    set on either side are one unit (``compare`` does not pair results of two calibrations:
    linked, most pairs fell into one cluster, whose variance read too narrow).  A result
    written before that column existed has only ``posterior`` (the row: repeated sets not
    recognised)."""
    if "seed" in runs and runs["seed"].nunique() > 1:
        unit = runs["seed"].to_numpy()
    elif "replicate" in runs:
        unit = runs["replicate"].to_numpy()
    else:
        unit = np.arange(len(runs))
    sets = _set_labels(runs)
    if sets is not None and len(np.unique(sets)) < len(np.unique(unit)):
        return sets
    return unit


def distinct_sets(runs: pd.DataFrame) -> int:
    """How many distinct parameter sets of a calibration the runs draw (0: none, or a result
    written before runs recorded their set, whose rows are not sets: red team)."""
    if not any(c.startswith("posterior_set") for c in runs):
        return 0
    sets = _set_labels(runs)
    return 0 if sets is None else len(np.unique(sets))


def _set_labels(runs: pd.DataFrame) -> np.ndarray | None:
    """Each run's parameter set (None without a calibration): for pairs, the linked groups
    of the two sides' sets (connected components of the graph joining set a to set b)."""
    if not len(runs):
        return None
    for name in ("posterior_set", "posterior") if COUNT_SETS else ("posterior",):
        if name in runs:  # (in a table of pairs: one side's, the other written before it)
            sets = runs[name].to_numpy()
            if (sets >= 0).all():
                return sets
        a, b = f"{name}_a", f"{name}_b"
        if a in runs and b in runs:
            sa, sb = runs[a].to_numpy(), runs[b].to_numpy()
            if not ((sa < 0).all() and (sb < 0).all()):
                return _linked(sa, sb)
    return None


def _linked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One label per pair: pairs sharing a value of ``a`` or of ``b`` (-1: none, never
    shared) get one label, transitively."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(a)  # nodes 0..n-1: the pairs; then one node per set of each side
    rows, cols, base = [], [], n
    for side in (a, b):
        ok = side >= 0
        _, idx = np.unique(side[ok], return_inverse=True)
        rows.append(np.flatnonzero(ok))
        cols.append(base + idx)
        base += int(idx.max()) + 1 if idx.size else 0
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r)), (r, c)), shape=(base, base))
    _, label = connected_components(graph, directed=False)
    return label[:n]


def sets_as_units(runs: pd.DataFrame) -> int:
    """How many distinct parameter sets the runs draw where those sets are the units their
    intervals count (fewer sets than seeds), else 0 (the seeds are)."""
    sets = distinct_sets(runs)
    seeds = runs["seed"].nunique() if "seed" in runs else len(runs)
    return sets if 0 < sets == len(np.unique(clusters(runs))) < seeds else 0


def units_needed(runs: pd.DataFrame, need: int) -> int | str:
    """``need`` independent units as a reader can act on them: a count of seeds (replicates)
    -- or, where the units are parameter sets, of sets, with how many the runs draw, or that
    the posterior holds no more (its rows drawn round: replicates past them add seeds, not
    sets).  A report had advised 610 seeds where the 400 rows hold 153 sets, and 800
    replicates narrowed nothing (helper-121); a bare 131 had read as replicates where 131 sets
    take about 300 (helper-122)."""
    sets = sets_as_units(runs)
    if not sets:
        return need
    rows = runs.get("posterior")  # drawn round: every row, so every set, is in these runs
    every = rows is not None and "replicate" in runs and bool((runs["replicate"] != rows).any())
    return in_sets(need, sets, every)


def in_sets(need: float, sets: float, every: bool = False) -> str:
    """``need`` units that are parameter sets, beside the ``sets`` the runs draw (``every``:
    all the posterior holds)."""
    if every:
        return f"{int(need)} sets" + (f" (the posterior holds {int(sets)})" if need > sets else "")
    return f"{int(need)} sets ({int(sets)} drawn)"
