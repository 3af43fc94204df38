"""The observation model: what one could see of each member each quarter, from its state.

Commitment, belief and grievance are latent.  What the record holds (``data/observations.toml``,
from [BRIEF-2020-2024] §5 and [BRIEF-2014-2024] §1, docs/sources.md) is how a member votes on the
UN General Assembly's Ukraine and Crimea texts, whether its leader attends CSTO summits,
whether it sends troops to CSTO exercises and whether it pays into the budget.  Each is a
probability given the state:

* UN votes, an ordered logit on commitment ``c`` with cut-points that depend on the text:
  ``P(with Russia) = logistic((c - vote_cut_<kind>) / obs_scale)``,
  ``P(with Russia or abstain) = logistic((c - vote_cut_<kind> + vote_abstain_band) / obs_scale)``,
  ``P(against Russia) = 1 - P(with Russia or abstain)``.  Two kinds of text: ``ukraine`` (the
  emergency special session's texts on the aggression, 2022-) and ``crimea`` (the annual
  human-rights and militarisation texts, 2016-).
* Taking part: ``P(attend) = logistic((c - attend_cut) / obs_scale)`` for a member that is
  active or hedging, and ``obs_suspended`` for a suspended one (a frozen member boycotts
  summits and drills and stops paying, as Armenia in 2024); likewise exercises
  (``exercise_cut``) and budget payments (``budget_cut``).

Nothing here draws random numbers or changes the state: the probabilities are what forecasts
report and what calibration and the backtest score against the record (a proper score: the
Brier score of these probabilities against what happened).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from alliance_sim.core import members as mb
from alliance_sim.core.state import Params, State

VOTE_KINDS = ("ukraine", "crimea")
OBSERVABLES = (
    "p_vote_with_russia",  # on a Ukraine text (ES-11 series)
    "p_vote_abstain",
    "p_vote_against",
    "p_crimea_with_russia",  # on an annual Crimea text
    "p_attend_summit",
    "p_join_exercise",
    "p_pay_budget",
)


def vote(c: np.ndarray, P: Params, kind: str = "ukraine") -> dict[str, np.ndarray]:
    """Probabilities of voting with Russia, abstaining and voting against it on a text of
    ``kind`` (ordered logit on commitment; see the module docstring)."""
    cut = P.vote_cut_ukraine if kind == "ukraine" else P.vote_cut_crimea
    with_ = expit((c - cut) / P.obs_scale)
    with_or_abstain = expit((c - cut + P.vote_abstain_band) / P.obs_scale)
    return {
        "with": with_,
        "abstain": with_or_abstain - with_,
        "against": 1.0 - with_or_abstain,
    }


def take_part(c: np.ndarray, status: np.ndarray, cut: np.ndarray, P: Params) -> np.ndarray:
    """Probability of taking part (summit, exercise, budget): logistic in commitment for an
    active or hedging member, ``obs_suspended`` for a suspended one, 0 outside."""
    active = (status == mb.ACTIVE) | (status == mb.HEDGING)
    return np.where(
        active,
        expit((c - cut) / P.obs_scale),
        np.where(status == mb.SUSPENDED, P.obs_suspended, 0.0),
    )


def observe(s: State, P: Params) -> dict[str, np.ndarray]:
    """Every observable for every member, ``(R, M)`` arrays keyed as in :data:`OBSERVABLES`;
    NaN where the member is not in the alliance (a candidate, or a member that has left,
    does not attend; it still votes at the UN, so votes are given for every non-patron)."""
    c, st = s.commitment, s.status
    u = vote(c, P, "ukraine")
    joined = st > mb.CANDIDATE
    nan = np.where(joined, 1.0, np.nan)
    out = {
        "p_vote_with_russia": u["with"] * nan,
        "p_vote_abstain": u["abstain"] * nan,
        "p_vote_against": u["against"] * nan,
        "p_crimea_with_russia": vote(c, P, "crimea")["with"] * nan,
        "p_attend_summit": take_part(c, st, P.attend_cut, P) * nan,
        "p_join_exercise": take_part(c, st, P.exercise_cut, P) * nan,
        "p_pay_budget": take_part(c, st, P.budget_cut, P) * nan,
    }
    for k in out:  # Russia votes with itself and attends by definition
        out[k] = np.where(
            P.patron, 0.0 if k in ("p_vote_abstain", "p_vote_against") else 1.0, out[k]
        )
    return out
