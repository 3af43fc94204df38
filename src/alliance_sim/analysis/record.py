"""The observed record (``core/data/observations.toml``) as binary outcomes the model predicts.

Each observation is one member's behaviour at one dated occasion, coded 1/0, with the model
observable that gives its probability (:mod:`alliance_sim.core.observations`):

============  =========================================  ============================
kind          outcome (1)                                model probability
============  =========================================  ============================
vote_ukraine  voted with Russia on an ES-11 text          ``p_vote_with_russia``
vote_crimea   voted with Russia on a Crimea text          ``p_crimea_with_russia``
vote_georgia  voted with Russia on a Georgia text         ``p_crimea_with_russia``
summit        leader attended a CSTO summit               ``p_attend_summit``
exercise      sent a contingent to a CSTO exercise        ``p_join_exercise``
budget        paid into the CSTO budget that year         ``p_pay_budget``
status        suspended or left by the end of the year    the run's status (0/1)
============  =========================================  ============================

Beside the occasions, :func:`un_agreement` gives each member's yearly agreement with Russia in
the General Assembly, 2006-2024 (``core/data/un_agreement.csv``, derived by
``scripts/un_agreement.py`` from the UN Digital Library's voting record [UNDL-VOTING] and, for
2022-2024, the Ukraine texts of this record; its 2006-2021 shares match [BRIEF-2006-2014] §3),
as known at a cut.

Rows coded ``?`` (not found), Russia's own rows and texts of kind ``other`` are left out;
``notW`` and ``X`` (absent) count as not voting with Russia.  The end-of-year statuses are
the record's ([BRIEF-2020-2024] §4: Armenia's freeze of 22 Feb 2024 is the only suspension
2020-2024).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.errors import ScenarioError

SERIES = {
    "vote_ukraine": "p_vote_with_russia",
    "vote_crimea": "p_crimea_with_russia",
    "summit": "p_attend_summit",
    "exercise": "p_join_exercise",
    "budget": "p_pay_budget",
    "status": "out",  # suspended or exited: read from the run's status
}
SERIES["vote_georgia"] = "p_crimea_with_russia"  # a territory Russia holds, as Crimea
MEMBERS = ("BLR", "KAZ", "KGZ", "TJK", "ARM", "UZB")
FIRST_YEAR, LAST_YEAR = 2006, 2024  # the years the record covers (statuses, 2006Q3 on)


@dataclass(frozen=True)
class Observation:
    kind: str
    event: str
    quarter: str
    member: str
    observed: int


def raw() -> dict:
    text = (
        resources.files("alliance_sim.core").joinpath("data/observations.toml").read_text("utf-8")
    )
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def record() -> pd.DataFrame:
    """Every coded observation: kind, event, quarter, member, observed (0/1)."""
    d = raw()
    rows: list[Observation] = []
    for v in d.get("un_votes", []):
        kind = {"ukraine": "vote_ukraine", "georgia": "vote_georgia"}.get(v["kind"], "vote_crimea")
        if v["kind"] == "other":
            continue
        for code, vote in v["votes"].items():
            if code in MEMBERS and vote != "?":
                rows.append(Observation(kind, v["id"], v["quarter"], code, int(vote == "W")))
    for table, kind, key, name in (
        ("summits", "summit", "attended", "place"),
        ("exercises", "exercise", "participated", "name"),
    ):
        for e in d.get(table, []):
            if e.get("quarter", "?") == "?":
                continue
            for code, v in e[key].items():
                if code in MEMBERS and isinstance(v, bool):
                    rows.append(Observation(kind, str(e[name]), e["quarter"], code, int(v)))
    for b in d.get("budget", []):
        for code, v in b["paid"].items():
            if code in MEMBERS and isinstance(v, bool):
                rows.append(Observation("budget", str(b["year"]), f"{b['year']}Q4", code, int(v)))
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for code in MEMBERS:
            before, end = status_at(code, f"{year - 1}Q4"), status_at(code, f"{year}Q4")
            if before == end == "exited":  # outside the alliance the whole year
                continue
            rows.append(Observation("status", str(year), f"{year}Q4", code, int(end != "in")))
    # a state outside the alliance is not observed as a member (Uzbekistan after 2012)
    rows = [r for r in rows if r.kind == "status" or status_at(r.member, r.quarter) != "exited"]
    df = pd.DataFrame([r.__dict__ for r in rows])
    df["ordinal"] = df["quarter"].map(quarters.parse)
    return df.sort_values(["ordinal", "kind", "member"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def membership() -> tuple[tuple[str, int, str], ...]:
    """The record's membership changes as ``(member, quarter ordinal, status)``, oldest first,
    from the ``[[membership]]`` rows of ``observations.toml`` (``model_status``: in,
    suspended or exited from that date on)."""
    out = []
    for m in raw().get("membership", []):
        y, mo = int(m["date"][:4]), int(m["date"][5:7])
        out.append((m["state"], quarters.parse(f"{y}Q{(mo - 1) // 3 + 1}"), m["model_status"]))
    return tuple(sorted(out, key=lambda r: r[1]))


def status_at(code: str, quarter: str) -> str:
    """What the record shows of ``code`` at ``quarter``: ``"in"``, ``"suspended"`` or
    ``"exited"`` (a member never named in the membership rows is in throughout)."""
    t, status = quarters.parse(quarter), "in"
    for c, q, st in membership():
        if c == code and q <= t:
            status = st
    return status


def statuses_at(quarter: str, since: str | None = None) -> dict[str, str]:
    """``status_at`` for each member of :data:`MEMBERS`; with ``since`` (a replay's start),
    only those that were in the alliance then (Uzbekistan is not a member of a replay that
    starts in 2020)."""
    return {
        c: status_at(c, quarter)
        for c in MEMBERS
        if since is None or status_at(c, since) != "exited"
    }


def exit_rate(cut: str) -> tuple[float, int, int]:
    """The base rate of leaving known at ``cut``: exits (non-renewals and suspensions by the
    Council, ``model_status = "exited"``) dated up to ``cut`` over member-years to the end of
    the year before it, counted as the brief's convention A (a state counts for a year if it
    was a party on 31 December, from its signature year).  Returns (rate, exits, years)."""
    b = raw().get("base_rates", {})
    t = quarters.parse(cut)
    exits = sum(1 for _, q, st in membership() if st == "exited" and q <= t)
    first_open = int(quarters.label(t)[:4])
    years = 0
    for state, n in b.get("member_years_by_state_a", {}).items():
        # the brief's member-years to 2024, less those from the cut's own year on
        party = (status_at(state, f"{y}Q4") != "exited" for y in range(first_open, 2025))
        years += int(n) - sum(party)
    return exits / max(years, 1), exits, years


def to_fit(first: str, last: str, where: str) -> pd.DataFrame:
    """The observations a fit of quarters ``first`` to ``last`` scores (:func:`window`),
    refused in one line naming ``where`` (the scenario file) when there are none: a fit of
    nothing would rank its sets by NaN distances."""
    obs = window(first, last)
    if obs.empty:
        q = record()["ordinal"]
        held = f"{quarters.label(int(q.min()))}..{quarters.label(int(q.max()))}"
        raise ScenarioError(
            f"{where}: no observation of the record falls in {first}..{last} (the record "
            f"holds {held}): nothing to fit"
        )
    return obs


def window(first: str, last: str) -> pd.DataFrame:
    """Observations dated from quarter ``first`` to ``last`` inclusive."""
    r = record()
    return r[(r["ordinal"] >= quarters.parse(first)) & (r["ordinal"] <= quarters.parse(last))]


def predicted(obs: pd.DataFrame, traj, start: str) -> np.ndarray:
    """Each run's probability of each observation, shape (R, n_obs): the observable at the
    end of the observation's quarter (``traj`` records every quarter from ``start``)."""
    steps = obs["ordinal"].to_numpy() - quarters.parse(start)
    idx = np.searchsorted(traj.steps, steps)
    cols = obs["member"].map(mb.INDEX).to_numpy()
    out = np.empty((traj["commitment"].shape[1], len(obs)))
    for kind, series in SERIES.items():
        sel = (obs["kind"] == kind).to_numpy()
        if not sel.any():
            continue
        if series == "out":
            st = traj["status"][idx[sel], :, cols[sel]]  # (n, R)
            out[:, sel] = ((st == mb.SUSPENDED) | (st == mb.EXITED)).T
        else:
            out[:, sel] = traj[series][idx[sel], :, cols[sel]].T
    return np.nan_to_num(out, nan=0.0)


PARTICIPATION = ("summit", "exercise", "budget")


def movable(obs: pd.DataFrame, traj, start: str) -> np.ndarray:
    """``(R, n_obs)``, True where an observation's probability in a run is the observation
    model's function of commitment: a UN vote (a suspended member still votes), or taking
    part while active or hedging.  Not a status, and not a suspended member's boycott
    (``obs_suspended``): what a member's offset (``analysis/obsfit.py``) may move."""
    steps = obs["ordinal"].to_numpy() - quarters.parse(start)
    idx = np.searchsorted(traj.steps, steps)
    cols = obs["member"].map(mb.INDEX).to_numpy()
    out = np.zeros((traj["commitment"].shape[1], len(obs)), bool)
    kinds = obs["kind"]
    out[:, kinds.str.startswith("vote_").to_numpy()] = True
    part = kinds.isin(PARTICIPATION).to_numpy()
    if part.any():
        st = traj["status"][idx[part], :, cols[part]]  # (n, R)
        out[:, part] = ((st == mb.ACTIVE) | (st == mb.HEDGING)).T
    return out


def brier(obs: pd.DataFrame, traj, start: str) -> np.ndarray:
    """Each run's mean Brier score over the observations (0 is perfect, 1 all wrong)."""
    p = predicted(obs, traj, start)
    return ((p - obs["observed"].to_numpy()[None, :]) ** 2).mean(1)


UN_BASES = ("all", "russia_no")


def un_agreement(basis: str = "russia_no", cut: str | None = None) -> pd.DataFrame:
    """Each member's yearly agreement with Russia in the UN General Assembly
    (``core/data/un_agreement.csv``): ``basis`` ``"all"`` (the share of recorded votes cast as
    Russia cast it, 2006-2021) or ``"russia_no"`` (of the votes in which Russia voted No, the
    share in which the member did too; 2022-2024 on the Ukraine texts only: ``coverage``).
    A year's value is dated its fourth quarter: with ``cut`` (a quarter), only the years known
    by then."""
    if basis not in UN_BASES:
        raise ValueError(f"basis {basis!r}: allowed {', '.join(UN_BASES)}")
    t = _un_table()
    t = t[t["basis"] == basis]
    if cut is not None:
        known = t["year"].map(lambda y: quarters.parse(f"{y}Q4")) <= quarters.parse(cut)
        t = t[known]
    return t.reset_index(drop=True)


@lru_cache(maxsize=1)
def _un_table() -> pd.DataFrame:
    with resources.files("alliance_sim.core").joinpath("data/un_agreement.csv").open("rb") as f:
        return pd.read_csv(f)
