"""The five patterns of 2020-2024 (``[BRIEF-2020-2024] §6``, docs/sources.md) measured on model
output.

Each pattern gives, per run, whether it holds (``holds``) and a violation score (``score``,
0 when it holds, growing with how far the run is from it) that calibration minimises.  The
measures read the replay's own event schedule (which quarter Armenia appealed, when Kazakhstan
was answered and when the invasion began), so they follow the scenario file.

Trajectories are arrays with time first: commitment and status ``(S, R, M)`` for every
quarter from the start (step 0) to the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alliance_sim.analysis import record as rc
from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.scenario.spec import Scenario

VISIBLE = 0.03  # a "fall" or "rise" counts only when it is visible: at least this much on the
# 0-1 commitment scale (about 1.5 times the largest quarterly noise the prior allows, 0.02,
# and 3-6 times the calibrated noise), so that noise alone does not make a pattern hold


@dataclass(frozen=True)
class Pattern:
    key: str
    text: str
    measured: str


PATTERNS = (
    Pattern(
        "belarus_most_committed",
        "Belarus stays the most committed member throughout 2020-2024.",
        "BLR's commitment is the highest of the allies in every quarter.",
    ),
    Pattern(
        "armenia_steps_down",
        "Armenia's commitment falls in steps after each unanswered "
        "appeal and it suspends participation by early 2024 without formally leaving.",
        "ARM's commitment the quarter after each unanswered appeal is at least 0.03 below its "
        "level the quarter before it; ARM is suspended at some quarter up to 2024Q2 and "
        "never exits.",
    ),
    Pattern(
        "kazakhstan_rises_then_hedges",
        "Kazakhstan's commitment rises briefly after the "
        "January 2022 deployment, then falls after February 2022; it hedges but stays.",
        "KAZ's commitment in the quarter of the answered appeal is at least 0.03 above the "
        "quarter before; it later falls at least 0.03 below that level; KAZ is never "
        "suspended or exited.",
    ),
    Pattern(
        "central_asians_hedge_but_stay",
        "Kyrgyzstan and Tajikistan hedge modestly but stay.",
        "KGZ and TJK end at least 0.03 below their 2020Q1 commitment and are never suspended "
        "or exited.",
    ),
    Pattern(
        "only_armenia_defects",
        "No member other than Armenia suspends or leaves by the end of 2024.",
        "BLR, KAZ, KGZ and TJK are never suspended or exited.",
    ),
)
# The membership record before the five patterns' years, measured in a longer replay only
MEMBERSHIP = Pattern(
    "membership_as_recorded",
    "Before 2020 only Uzbekistan leaves: it suspends its participation in 2012 and is out by "
    "the end of 2012; every other member stays.",
    "At every year end from the replay's start to 2019 each member's status is the record's "
    "(in = active or hedging; Uzbekistan out from 2012); violation 0.2 per member-year end "
    "that differs.",
)
PATTERNS = (*PATTERNS, MEMBERSHIP)
KEYS = tuple(p.key for p in PATTERNS)


PERIOD = ("2020Q1", "2024Q4")  # the patterns describe these quarters of a longer replay


def _offset(sc: Scenario) -> int:
    """Steps from the replay's start to the patterns' period (0 for history_2020_2024)."""
    return max(quarters.steps_between(sc.start, PERIOD[0]), 0)


def _steps(sc: Scenario) -> dict[str, list[int]]:
    """The steps, counted from the start of the patterns' period, of its dated events."""
    from alliance_sim.core.quarters import steps_between

    w = _offset(sc)
    out: dict[str, list[int]] = {"arm_unanswered": [], "kaz_answered": [], "invasion": []}
    for _, e in sc.events:
        s = steps_between(sc.start, e.at) - w
        if s < 0:
            continue
        if e.type == "appeal" and e.member == "ARM" and e.answered is False:
            out["arm_unanswered"].append(s)
        elif e.type in ("unrest", "appeal") and e.member == "KAZ" and e.answered is True:
            out["kaz_answered"].append(s)
        elif e.type == "bandwidth":
            out["invasion"].append(s)
    return out


def measure(
    sc: Scenario, commitment: np.ndarray, status: np.ndarray, until: int | None = None
) -> dict[str, dict]:
    """``{pattern: {"holds": (R,) bool, "score": (R,) float}}`` for a replay's runs.

    ``until`` (a step) measures only what was knowable by then (a backtest's fit period): the
    trajectories are cut there, and a clause that needs later quarters is left out (Armenia's
    suspension by 2024Q2; Kazakhstan's rise and fall if the cut comes before them).

    The patterns describe 2020-2024 (:data:`PERIOD`): in a longer replay
    (``history_2006_2024``) they are measured on its quarters from 2020Q1, and a cut before
    2020Q2 measures none (``{}``); the earlier years are scored through the record."""
    from alliance_sim.core.quarters import steps_between

    c, st = commitment, status
    if until is not None:
        c, st = c[: until + 1], st[: until + 1]
    w = _offset(sc)
    out: dict[str, dict] = {}
    if w > 0:
        out[MEMBERSHIP.key] = _membership(sc, st[: w + 1])
    if c.shape[0] - w < 2:
        return out
    c, st = c[w:], st[w:]
    S = c.shape[0]
    i = {code: mb.INDEX[code] for code in mb.CODES}
    ev = _steps(sc)
    bad = (st == mb.SUSPENDED) | (st == mb.EXITED)

    others = [i[k] for k in ("KAZ", "KGZ", "TJK", "ARM")]
    gap = np.max(c[:, :, others], axis=2) - c[:, :, i["BLR"]]
    out["belarus_most_committed"] = {
        "holds": (gap < 0).all(0),
        "score": np.maximum(gap, 0).max(0) * 5,
    }

    a = i["ARM"]
    falls = np.zeros(c.shape[1])
    ok = np.ones(c.shape[1], dtype=bool)
    for s in ev["arm_unanswered"]:
        if s >= 1 and s + 1 < S:
            d = c[s + 1, :, a] - c[s - 1, :, a]
            ok &= d < -VISIBLE
            falls += np.maximum(d + VISIBLE, 0) * 5
    early = steps_between(max(sc.start, PERIOD[0], key=quarters.parse), "2024Q2")
    if early < S:  # the freeze of Feb 2024 is within the measured period
        suspended = (st[: early + 1, :, a] == mb.SUSPENDED).any(0)
        susp_gap = np.maximum(c[early, :, a] - 0.25, 0) * 3
    else:
        suspended, susp_gap = np.ones(c.shape[1], dtype=bool), 0.0
    exited = (st[:, :, a] == mb.EXITED).any(0)
    out["armenia_steps_down"] = {
        "holds": ok & suspended & ~exited,
        "score": falls + np.where(suspended, 0, 0.5 + susp_gap) + exited * 1.0,
    }

    k = i["KAZ"]
    if ev["kaz_answered"] and ev["kaz_answered"][0] + 1 < S:
        s = ev["kaz_answered"][0]
        rise = c[s, :, k] - c[s - 1, :, k]
        later = c[s + 1 :, :, k].min(0) - c[s, :, k] if s + 1 < S else np.zeros(c.shape[1])
        stays = ~bad[:, :, k].any(0)
        out["kazakhstan_rises_then_hedges"] = {
            "holds": (rise > VISIBLE) & (later < -VISIBLE) & stays,
            "score": np.maximum(VISIBLE - rise, 0) * 20
            + np.maximum(later + VISIBLE, 0) * 5
            + (~stays) * 1.0,
        }

    stay_score = np.zeros(c.shape[1])
    hold = np.ones(c.shape[1], dtype=bool)
    for code in ("KGZ", "TJK"):
        m = i[code]
        d = c[-1, :, m] - c[0, :, m]
        stays = ~bad[:, :, m].any(0)
        hold &= (d < -VISIBLE) & stays
        stay_score += np.maximum(d + VISIBLE, 0) * 5 + (~stays) * 1.0
    out["central_asians_hedge_but_stay"] = {"holds": hold, "score": stay_score}

    four = [i[k_] for k_ in ("BLR", "KAZ", "KGZ", "TJK")]
    n_bad = bad[:, :, four].any(0).sum(-1)
    out["only_armenia_defects"] = {"holds": n_bad == 0, "score": n_bad * 1.0}
    return out


def year_end_matches(sc: Scenario, status: np.ndarray) -> list[tuple[str, str, str, np.ndarray]]:
    """For every year end among the quarters of ``status`` (step 0 = the replay's start) and
    every member in the alliance at the start: ``(quarter, member, recorded status, (R,) bool
    whether each run is in it)``; "in" counts active or hedging (``analysis/record.py``)."""
    t0 = quarters.parse(sc.start)
    code_of = {"suspended": (mb.SUSPENDED,), "exited": (mb.EXITED,), "in": (mb.ACTIVE, mb.HEDGING)}
    out = []
    for step in range(1, status.shape[0]):
        q = quarters.label(t0 + step)
        if q.endswith("Q4"):
            for code, want in rc.statuses_at(q, sc.start).items():
                ok = np.isin(status[step, :, mb.INDEX[code]], code_of[want])
                out.append((q, code, want, ok))
    return out


def _membership(sc: Scenario, status: np.ndarray) -> dict[str, np.ndarray]:
    """:data:`MEMBERSHIP` on the quarters of ``status`` (from the replay's start)."""
    wrong = np.zeros(status.shape[1])
    for *_, ok in year_end_matches(sc, status):
        wrong += ~ok
    return {"holds": wrong == 0, "score": 0.2 * wrong}


def distance(results: dict[str, dict], runs: int | None = None) -> np.ndarray:
    """The calibration distance of each run: the sum of the patterns' violation scores plus
    0.5 for each pattern that does not hold (so a run that misses a pattern narrowly still
    counts as missing it); zeros for ``runs`` runs when no pattern is measured."""
    if not results:
        return np.zeros(runs or 0)
    return np.sum([r["score"] + 0.5 * ~r["holds"] for r in results.values()], axis=0)


def joint(results: dict[str, dict]) -> np.ndarray:
    """Whether every measured pattern holds in the same run, (R,) bool."""
    return np.all([r["holds"] for r in results.values()], axis=0)


def rates(results: dict[str, dict]) -> dict[str, float]:
    """Share of runs in which each pattern holds, and (``all``) in which all hold together."""
    out = {k: float(np.mean(r["holds"])) for k, r in results.items()}
    out["all"] = float(np.mean(joint(results))) if results else float("nan")
    return out


def count_words(rates_: dict[str, float]) -> str:
    """How many patterns a ``rates`` dict measured, in words ("five", "six")."""
    n = sum(k in KEYS for k in rates_)
    return {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}.get(n, str(n))


_REACHED = {"suspended": (mb.SUSPENDED, mb.EXITED), "exited": (mb.EXITED,)}  # reached


def membership_reproduced(sc: Scenario, status: np.ndarray, until: int | None = None) -> dict:
    """For each membership change the record dates inside the replay (up to ``until``): the
    share of runs in which the member has reached that status by the end of its quarter
    (``"UZB exited by 2012Q4"``), and beside it the joint share of runs that also had it still
    in (active or hedging) at the last year end before, where the record has it in and the
    replay has started (``"UZB in at 2011Q4 and exited by 2012Q4"``: the record's sequence; a
    model that drifts a member out early gets the single share and not the joint one; the
    change must come after the year end, in a window of one quarter for a change in a Q1 to
    four for one in a Q4, so two changes' joint shares are not of like windows); and
    ``statuses_every_year``, the share of runs whose statuses match the record (in = active
    or hedging) at every year end measured."""
    last = sc.n_steps if until is None else until
    t0 = quarters.parse(sc.start)
    out: dict[str, float] = {}
    for code, q, st in rc.membership():
        step = q - t0
        if st in _REACHED and 0 < step <= last and code in mb.INDEX:
            column = status[: step + 1, :, mb.INDEX[code]]
            got = np.isin(column, _REACHED[st]).any(0)
            out[f"{code} {st} by {quarters.label(q)}"] = float(got.mean())
            year_end = q - q % 4 - 1  # the last Q4 before quarter q (Q1 is 0 mod 4)
            if year_end - t0 > 0 and rc.status_at(code, quarters.label(year_end)) == "in":
                was = column[year_end - t0]
                inside = (was >= mb.ACTIVE) & (was <= mb.HEDGING)
                # reached after it: a member suspended earlier and back by then has not yet
                after = np.isin(column[year_end - t0 + 1 :], _REACHED[st]).any(0)
                key = f"{code} in at {quarters.label(year_end)} and {st} by {quarters.label(q)}"
                out[key] = float((inside & after).mean())
    ok = np.ones(status.shape[1], dtype=bool)
    for *_, right in year_end_matches(sc, status[: last + 1]):
        ok &= right
    out["statuses_every_year"] = float(ok.mean())
    return out
