"""The rivals a backtest's model must beat, fitted on the same window, and the scores that
compare them.

Every rival sees what the model's fit saw: the outcomes recorded up to the cut (``fit``, rows of
:func:`alliance_sim.analysis.record.window`), nothing after.  For an outcome after the cut:

- **persistence**: the member's last recorded value of that kind (for statuses, its status at
  the cut); nothing changes.
- **climatology**: the member's own rate of that kind in the window, Jeffreys-smoothed,
  (k + 0.5) / (n + 1), so that a member seen four times is not forecast with certainty; a
  member never seen in that kind gets the alliance's rate.
- **hedged persistence**: w x persistence + (1 - w) x climatology, with w chosen on the window
  itself: each recorded outcome forecast from the outcomes before it, w in 0, 0.05, ..., 1 with
  the lowest Brier score (the hedge a forecaster at the cut could have fitted).
- **base rate**: the alliance's share of that kind in the window; for statuses the alliance's
  reference-class rate of exits per member-year known at the cut
  (:func:`alliance_sim.analysis.record.exit_rate`) over the years ahead.
- **logistic**: a logistic regression (scikit-learn, L2 penalty C = 1) of an outcome on lagged
  observables — the member's last value of that kind, its earlier rate of that kind, the
  alliance's earlier rate of that kind and the kind itself — trained on the window's outcomes,
  each with the features of the outcomes recorded before it.  It forecasts every outcome
  after the cut from the features at the cut, so an outcome eight quarters ahead is forecast
  from older information than it was trained with (as any forecaster at the cut would be).

Scores, lower is better: the **Brier score** and the **log score** (mean -ln of the probability
given to what happened, the probability clipped to [0.01, 0.99] so that a certain forecast
that fails costs ln 100 = 4.6, not infinity).  **Skill** against a rival = 1 - Brier(model) /
Brier(rival), with a 95% percentile interval from a bootstrap that resamples *occasions* (a
summit, a vote, a drill, a year's statuses: the outcomes of one occasion share their shocks and
are not independent), not rows.  **Calibration**: the model's reliability in ten equal-width
bins of probability and the expected calibration error, ECE = sum over bins of n_b / n x
|mean probability - observed rate|.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FORECASTERS = ("model", "persistence", "hedged_persistence", "climatology", "base_rate", "logistic")
RIVALS = FORECASTERS[1:]
LABELS = {
    "model": "model",
    "persistence": "persistence (nothing changes)",
    "hedged_persistence": "hedged persistence",
    "climatology": "each member's own rate",
    "base_rate": "base rate",
    "logistic": "logistic on lagged observables",
}
CLIP = 0.01  # log score: probabilities clipped to [CLIP, 1 - CLIP]
BOOTSTRAP = 2000  # resamples of the occasions
BINS = 10  # reliability bins


def _jeffreys(k: float, n: float) -> float:
    return (k + 0.5) / (n + 1.0)


def _history_features(past: pd.DataFrame, kind: str, member: str) -> tuple[float, float, float]:
    """(last value, member's rate, alliance's rate) of ``kind`` in ``past`` (rates smoothed;
    the last value falls back on the member's rate when the member has none)."""
    same = past[past["kind"] == kind]
    alliance = _jeffreys(same["observed"].sum(), len(same))
    own = same[same["member"] == member]
    rate = _jeffreys(own["observed"].sum(), len(own)) if len(own) else alliance
    last = float(own.sort_values("ordinal")["observed"].iloc[-1]) if len(own) else rate
    return last, rate, alliance


def _window_features(fit: pd.DataFrame) -> pd.DataFrame:
    """Each window outcome with the features of the outcomes recorded before it (those with
    an earlier quarter); outcomes with no earlier one of their kind are left out."""
    rows = []
    for r in fit.itertuples():
        past = fit[fit["ordinal"] < r.ordinal]
        if not (past["kind"] == r.kind).any():
            continue
        last, rate, alliance = _history_features(past, r.kind, r.member)
        rows.append((r.kind, last, rate, alliance, int(r.observed)))
    return pd.DataFrame(rows, columns=["kind", "last", "rate", "alliance", "observed"])


def hedge_weight(train: pd.DataFrame) -> float:
    """The weight on persistence (against the member's own rate) with the lowest Brier score
    on the window's outcomes, each forecast from those before it (0.9 with none to fit on)."""
    if train.empty:
        return 0.9
    grid = np.linspace(0.0, 1.0, 21)
    y = train["observed"].to_numpy(float)
    scores = [np.mean((w * train["last"] + (1 - w) * train["rate"] - y) ** 2) for w in grid]
    return float(grid[int(np.argmin(scores))])


def _design(df: pd.DataFrame, kinds: list[str]) -> np.ndarray:
    cols = [df["last"], df["rate"], df["alliance"]]
    cols += [(df["kind"] == k).astype(float) for k in kinds[1:]]
    return np.column_stack(cols)


def rival_forecasts(
    obs: pd.DataFrame, fit: pd.DataFrame, persistence: pd.Series, base_rate: pd.Series
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``obs`` with the columns of the rivals not given (``persistence`` and ``base_rate``
    are computed by the backtest), and how they were fitted (the hedge's weight, the
    logistic regression's training size and coefficients)."""
    from sklearn.linear_model import LogisticRegression

    feats = [_history_features(fit, r.kind, r.member) for r in obs.itertuples()]
    ahead = pd.DataFrame(feats, columns=["last", "rate", "alliance"], index=obs.index)
    ahead["kind"] = obs["kind"]
    ahead.loc[obs["kind"] == "status", "last"] = persistence[obs["kind"] == "status"]
    train = _window_features(fit)
    w = hedge_weight(train)
    out = obs.assign(
        persistence=persistence,
        base_rate=base_rate,
        climatology=ahead["rate"],
        hedged_persistence=w * ahead["last"] + (1 - w) * ahead["rate"],
    )
    kinds = sorted(train["kind"].unique())
    info: dict[str, Any] = {"hedge_weight": w, "logistic_trained_on": len(train)}
    if train["observed"].nunique() < 2:  # one class only: nothing to regress
        out["logistic"] = ahead["rate"]
        info["logistic"] = "one class in the window: the member's rate instead"
        return out, info
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(_design(train, kinds), train["observed"])
    known = ahead["kind"].isin(kinds).to_numpy()
    p = ahead["rate"].to_numpy(float).copy()
    if known.any():
        p[known] = model.predict_proba(_design(ahead[known], kinds))[:, 1]
    out["logistic"] = p
    names = ["last", "rate", "alliance", *(f"kind={k}" for k in kinds[1:])]
    info["logistic_coefficients"] = dict(zip(names, map(float, model.coef_[0]), strict=True))
    info["logistic_intercept"] = float(model.intercept_[0])
    return out, info


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - y) ** 2))


def log_score(p: np.ndarray, y: np.ndarray) -> float:
    """Mean -ln of the probability given to what happened (clipped; lower is better)."""
    q = np.clip(np.asarray(p, float), CLIP, 1 - CLIP)
    return float(-np.mean(np.where(y == 1, np.log(q), np.log(1 - q))))


def occasions(rows: pd.DataFrame) -> pd.Series:
    """Each outcome's occasion: its kind, event and quarter (two summits in the same city, in
    2011 and 2024, are two occasions)."""
    return rows["kind"] + "|" + rows["event"].astype(str) + "|" + rows["quarter"].astype(str)


def skill_intervals(rows: pd.DataFrame, seed: int = 0) -> dict[str, dict[str, float]]:
    """Skill of the model against each rival, ``{estimate, lo, hi}``, the interval from
    ``BOOTSTRAP`` resamples of the occasions (:func:`occasions`)."""
    y = rows["observed"].to_numpy(float)
    occasion = pd.factorize(occasions(rows))[0]
    n_occ = occasion.max() + 1
    sq = {f: np.bincount(occasion, (rows[f].to_numpy(float) - y) ** 2, n_occ) for f in FORECASTERS}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_occ, size=(BOOTSTRAP, n_occ))
    counts = np.apply_along_axis(np.bincount, 1, draws, minlength=n_occ)  # (B, occasions)
    model = counts @ sq["model"]
    out = {}
    for f in RIVALS:
        rival = counts @ sq[f]
        ok = rival > 0
        s = 1 - model[ok] / rival[ok]
        lo, hi = np.quantile(s, [0.025, 0.975]) if ok.any() else (np.nan, np.nan)
        total = sq[f].sum()
        est = 1 - sq["model"].sum() / total if total > 0 else float("nan")
        out[f] = {"estimate": float(est), "lo": float(lo), "hi": float(hi)}
    return out


def reliability(p: np.ndarray, y: np.ndarray) -> tuple[float, list[dict[str, float]]]:
    """The expected calibration error and the non-empty bins ``{lo, hi, n, mean_p, rate}``."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    which = np.minimum((p * BINS).astype(int), BINS - 1)
    bins, ece = [], 0.0
    for b in range(BINS):
        sel = which == b
        if not sel.any():
            continue
        mp, rate = float(p[sel].mean()), float(y[sel].mean())
        ece += sel.sum() / len(p) * abs(mp - rate)
        bins.append({"lo": b / BINS, "hi": (b + 1) / BINS, "n": int(sel.sum())})
        bins[-1] |= {"mean_p": mp, "rate": rate}
    return float(ece), bins


def scores(rows: pd.DataFrame, seed: int = 0) -> dict[str, Any]:
    """Every forecaster's Brier and log score, the model's skill against each rival with its
    interval, and the model's calibration."""
    y = rows["observed"].to_numpy(float)
    ece, bins = reliability(rows["model"].to_numpy(float), y)
    return {
        "n_scored": len(rows),
        "occasions": int(occasions(rows).nunique()),
        "brier": {f: brier(rows[f], y) for f in FORECASTERS},
        "log_score": {f: log_score(rows[f].to_numpy(float), y) for f in FORECASTERS},
        "skill_vs": skill_intervals(rows, seed),
        "ece": ece,
        "reliability": bins,
    }
