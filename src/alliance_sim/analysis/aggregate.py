"""Aggregating stored time series before drawing: quantiles and status shares per member and
quarter, computed in one pass over the Parquet columns they need.

Commitment and cohesion lie in [0, 1], so their quantiles come from per-group histograms of
``BINS`` bins (a resolution of 1/2000, far below what a figure shows) filled with
``numpy.bincount``: the cost is linear in rows and a 100,000-run sweep aggregates in seconds.
The member series are read in batches of rows (:func:`batches`), each added to the counts:
memory stays that of a batch and the counts however many runs there are (read whole, the
figures of a 50,000-run sweep took 1 GB, of 200,000 runs about 4 GB).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from alliance_sim.core import members as mb
from alliance_sim.core import quarters

BINS = 2000
QS = (0.05, 0.25, 0.5, 0.75, 0.95)


def read(res, table: str, columns: list[str]) -> pa.Table:
    """Columns of a stored table (a Result's Parquet file, or a DataFrame already loaded)."""
    cached = res.loaded(table)  # a Result whose table was already read into pandas
    if cached is not None:
        return pa.Table.from_pandas(cached[columns], preserve_index=False)
    return res.arrow(table, columns)


BATCH = 1 << 21  # rows per batch read: a few tens of MB whatever the result's size


def batches(res, table: str, columns: list[str]):
    """The columns of a stored table in batches of about ``BATCH`` rows (a table already in
    pandas, or a result that is not a finished one, which :meth:`Result.arrow` refuses in one
    line, as one batch)."""
    from alliance_sim.runs.results import Result, open_dataset

    if (
        not isinstance(res, Result)
        or res.loaded(table) is not None
        or res.manifest.status != ("complete")
    ):
        yield read(res, table, columns)
        return
    import pyarrow.dataset as ds

    only = ds.field("run") < res.run_limit if res.run_limit is not None else None  # design()
    scan = open_dataset(res.directory, table).to_batches(
        columns=columns, filter=only, batch_size=BATCH
    )
    yield from (b for b in scan if b.num_rows)


def _codes(col: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
    """Integer codes of a string or dictionary-encoded column in the order of ``names``."""
    names_arr = pa.array(names)
    if not pa.types.is_dictionary(col.type):
        return pc.index_in(col, value_set=names_arr).to_numpy(zero_copy_only=False)
    parts = []
    for chunk in getattr(col, "chunks", [col]):  # each chunk's dictionary recoded, indexed
        recode = pc.index_in(chunk.dictionary, value_set=names_arr)
        parts.append(pc.take(recode, chunk.indices).to_numpy(zero_copy_only=False))
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _hist_counts(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """Histogram counts of values in [0, 1] per group, shape (n_groups, BINS)."""
    ok = np.isfinite(value)
    b = np.minimum((value[ok] * BINS).astype(np.int64), BINS - 1)
    return np.bincount(group[ok] * BINS + b, minlength=n_groups * BINS).reshape(n_groups, BINS)


def _hist_quantiles(
    group: np.ndarray, value: np.ndarray, n_groups: int, qs: tuple[float, ...] = QS
) -> np.ndarray:
    """Quantiles of values in [0, 1] per group, shape (len(qs), n_groups); NaN if empty."""
    return _count_quantiles(_hist_counts(group, value, n_groups), qs)


def _count_quantiles(counts: np.ndarray, qs: tuple[float, ...] = QS) -> np.ndarray:
    """Quantiles per group from histogram counts (n_groups, BINS); NaN where a group is empty."""
    n_groups = counts.shape[0]
    cum = np.cumsum(counts, axis=1)
    total = cum[:, -1]
    out = np.full((len(qs), n_groups), np.nan)
    for k, q in enumerate(qs):
        target = q * total
        idx = np.argmax(cum >= target[:, None], axis=1)  # first bin reaching the quantile
        prev = np.where(idx > 0, cum[np.arange(n_groups), idx - 1], 0)
        inside = counts[np.arange(n_groups), idx]
        frac = np.where(inside > 0, (target - prev) / np.maximum(inside, 1), 0.5)
        out[k] = np.where(total > 0, (idx + np.clip(frac, 0, 1)) / BINS, np.nan)
    return out


def steps_and_labels(res, steps: np.ndarray) -> tuple[np.ndarray, list[str]]:
    uniq = np.unique(steps)
    start = res.manifest.plan.start
    return uniq, [quarters.shift(start, int(s)) for s in uniq]


def _member_steps(res) -> tuple[np.ndarray, list[str]]:
    """The recorded steps and their labels, from the small alliance table (every recorded
    step has its rows there; scanning the member series for them read it twice)."""
    return steps_and_labels(res, recorded_steps(res))


def member_quantiles(
    res, value: str = "commitment", still_in: bool = False
) -> tuple[list[str], dict[str, np.ndarray]]:
    """Quarter labels and, per member present, the 5/25/50/75/95% quantiles over runs of
    ``value`` at each recorded quarter (shape (5, quarters); NaN before a member joins).

    ``still_in``: only runs in which the member has not exited by that quarter (an exited
    member's commitment is 0, which would drag the bands down without saying why; the share
    that exited is :func:`status_shares`)."""
    cols = ["step", "member", value] + (["status"] if still_in else [])
    uniq, labels = _member_steps(res)
    S, M = len(uniq), len(mb.CODES)
    counts = np.zeros((M * S, BINS), np.int64)
    present = np.zeros(M, bool)
    for t in batches(res, "timeseries", cols):
        s_idx = np.searchsorted(uniq, t.column("step").to_numpy())
        m_idx = _codes(t.column("member"), mb.CODES)
        v = t.column(value).to_numpy(zero_copy_only=False).astype(float)
        if still_in:
            v = np.where(_codes(t.column("status"), mb.STATUS_NAMES) == mb.EXITED, np.nan, v)
        counts += _hist_counts(m_idx * S + s_idx, v, M * S)
        present[np.unique(m_idx)] = True
    q = _count_quantiles(counts).reshape(len(QS), M, S)
    return labels, {mb.CODES[i]: q[:, i, :] for i in np.flatnonzero(present)}


def alliance_quantiles(res, value: str = "cohesion") -> tuple[list[str], np.ndarray]:
    """Quarter labels and the quantiles over runs of an alliance-level series in [0, 1]."""
    t = read(res, "alliance", ["step", value])
    steps = t.column("step").to_numpy()
    uniq, labels = steps_and_labels(res, steps)
    q = _hist_quantiles(np.searchsorted(uniq, steps), t.column(value).to_numpy(), len(uniq))
    return labels, q


def status_shares(res) -> tuple[list[str], dict[str, dict[str, np.ndarray]]]:
    """Quarter labels and, per member and status, the share of runs in that status at each
    recorded quarter (runs in which the member has not joined count in none)."""
    uniq, labels = _member_steps(res)
    n_runs = int(res.manifest.plan.n_runs - res.manifest.failed)
    S, M, K = len(uniq), len(mb.CODES), len(mb.STATUS_NAMES)
    counts = np.zeros(M * S * K, np.int64)
    for t in batches(res, "timeseries", ["step", "member", "status"]):
        s_idx = np.searchsorted(uniq, t.column("step").to_numpy())
        m_idx = _codes(t.column("member"), mb.CODES)
        st = _codes(t.column("status"), mb.STATUS_NAMES)
        counts += np.bincount((m_idx * S + s_idx) * K + st, minlength=M * S * K)
    counts = counts.reshape(M, S, K)
    shares = counts / max(n_runs, 1)
    out = {
        mb.CODES[i]: {name: shares[i, :, k] for k, name in enumerate(mb.STATUS_NAMES)}
        for i in np.flatnonzero(counts.sum(axis=(1, 2)))
    }
    return labels, out


def recorded_steps(res) -> np.ndarray:
    """The steps stored in the alliance table (the same for every run)."""
    return np.unique(read(res, "alliance", ["step"]).column("step").to_numpy())


def status_at(res, steps: list[int]):
    """DataFrame (run, step, member, status) at the given steps, read with a filter."""
    cached = res.loaded("timeseries")
    cols = ["run", "step", "member", "status"]
    if cached is not None:
        return cached.loc[cached["step"].isin(steps), cols]
    import pyarrow.dataset as ds

    wanted = ds.field("step").isin(pa.array([int(s) for s in steps], pa.int32()))
    return res.arrow("timeseries", cols, filter=wanted).to_pandas()


def runs_ever_in(res, status: str, last: int):
    """DataFrame (run, member) of each run and member in ``status`` at some recorded step up
    to ``last``, read with a filter: only those rows are read (every step's statuses, read
    whole, took 221 MB where one step took 161)."""
    cols = ["run", "member"]
    cached = res.loaded("timeseries")
    if cached is not None:
        hit = (cached["step"] <= last) & (cached["status"].astype(str) == status)
        return cached.loc[hit, cols].drop_duplicates()
    import pyarrow.dataset as ds

    wanted = (ds.field("step") <= last) & (ds.field("status") == status)
    return res.arrow("timeseries", cols, filter=wanted).to_pandas().drop_duplicates()


def status_intervals(res, status: str) -> tuple[list[str], dict[str, np.ndarray]]:
    """Quarter labels and, per member present, the share of runs in ``status`` at each recorded
    quarter with its 95% interval, shape (3, quarters): share, low, high.  Each quarter's
    interval is the one the tables give that share (:func:`alliance_sim.analysis.design.
    clustered_mean` on the quarter's runs, runs sharing a seed counting as one unit, with its
    small-sample step), computed for every member and quarter at once: the bands had pooled
    each member's design effect over its quarters and read [0%, 20%] at the compared quarter
    beside a table's [0%, 29%] for the same share (10 seeds; and [0.3%, 29%] beside [0.4%, 24%]
    for another).  A quarter at 0% and one with a case in one seed both rest on the number of
    seeds, so a band does not fall where a share leaves 0% (the saw teeth a run read as
    independent once drew).  At the start quarter a share every run agrees on (0% exited) is
    the scenario's premise and gets no band (it read 0-16%).  A state that joins in some runs
    (Iran) is counted among the runs in which it has joined by that quarter, as its exit is in
    the tables (NaN where none has): of all runs, the figure read 10% beside the table's 38%."""
    from scipy.special import stdtrit

    from alliance_sim.analysis.design import Z95, clusters

    runs = res.runs
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    _, cl = np.unique(clusters(ok), return_inverse=True)
    ok_runs = ok["run"].to_numpy(np.int64)
    cluster_of = np.full(int(ok_runs.max()) + 1 if len(ok_runs) else 1, -1, np.int64)
    cluster_of[ok_runs] = cl  # -1: a run that failed (or of none of these rows)
    uniq, labels = _member_steps(res)
    S, M, K = len(uniq), len(mb.CODES), int(cl.max()) + 1 if len(cl) else 1
    # per member, quarter and seed: runs in the status, and runs in which the member has
    # joined (all, for a founder): a joiner's share is of the latter
    sums, n_k = np.zeros(M * S * K), np.zeros(M * S * K)
    for t in batches(res, "timeseries", ["run", "step", "member", "status"]):
        run = t.column("run").to_numpy()
        c_idx = np.where(
            run < len(cluster_of), cluster_of[np.minimum(run, len(cluster_of) - 1)], -1
        )
        keep = c_idx >= 0
        s_idx = np.searchsorted(uniq, t.column("step").to_numpy())
        m_idx = _codes(t.column("member"), mb.CODES)
        codes = _codes(t.column("status"), mb.STATUS_NAMES)
        joined = codes != mb.STATUS_CODES["candidate"]
        hit = (codes == mb.STATUS_CODES[status]) & joined
        key = ((m_idx * S + s_idx) * K + c_idx)[keep]
        sums += np.bincount(key, weights=hit[keep], minlength=M * S * K)
        n_k += np.bincount(key, weights=joined[keep], minlength=M * S * K)
    sums, n_k = sums.reshape(M, S, K), n_k.reshape(M, S, K)
    n = n_k.sum(axis=2)
    seeds = (n_k > 0).sum(axis=2).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # design._design_effect and design.small_sample, every member and quarter at once
        p = np.where(n > 0, sums.sum(axis=2) / np.maximum(n, 1.0), np.nan)
        var = ((sums - p[..., None] * n_k) ** 2).sum(axis=2) / np.maximum(n, 1.0) ** 2
        s2 = p * (1 - p)
        n_eff = np.where((var > 0) & (s2 > 0), np.clip(s2 / var, 1, np.maximum(n, 1)), seeds)
        informative = np.minimum((sums > 0).sum(axis=2), ((sums < n_k) & (n_k > 0)).sum(axis=2))
        floor = np.minimum(n_eff, seeds)
        step = (Z95 / stdtrit(np.maximum(informative, 2) - 1, 0.975)) ** 2
        small = np.where(informative < 2, floor, np.maximum(floor, n_eff * step))
        n_eff = np.where(n_k.max(axis=2) > 1, small, n_eff)
        n_eff = np.maximum(n_eff, 1e-300)
        d = 1 + Z95**2 / n_eff
        centre = (p + Z95**2 / (2 * n_eff)) / d
        half = Z95 * np.sqrt(s2 / n_eff + Z95**2 / (4 * n_eff**2)) / d
    lo, hi = (
        np.minimum(np.maximum(0, centre - half), p),
        np.maximum(np.minimum(1, centre + half), p),
    )
    # the start quarter is the scenario's premise, not a simulated share: where every run
    # agrees there (no one has left yet), there is nothing to estimate and no band to draw
    first = (uniq == 0)[None, :] & ((p == 0) | (p == 1))
    lo, hi = np.where(first, p, lo), np.where(first, p, hi)
    present = [i for i in range(M) if (n[i] > 0).any()]  # not: no run has it in
    return labels, {mb.CODES[i]: np.stack([p[i], lo[i], hi[i]]) for i in present}
