"""Reading results at one horizon: the quarter two scenarios are compared at.

A result's runs table holds each run's outcomes at its own end quarter.  Two scenarios that end
at different quarters cannot be compared on it: "Armenia is suspended at the end in 84% of one
and 33% of the other" compares 2028Q4 with 2034Q4.  :func:`shared_horizon` picks the quarter
they are compared at (the last quarter every result reached and recorded, or the one the user
names with ``--at``), and :func:`outcomes_at` reads each run's outcomes at that quarter from the
stored time series, in the runs table's columns: ``{CODE}_exited`` / ``{CODE}_suspended``
(1 if the member's status at that quarter is exited / suspended), ``{CODE}_commitment``,
``cohesion_final`` (cohesion at that quarter) and ``cohesion_min`` (lowest cohesion over the
recorded quarters up to it: exact when every quarter is recorded).  At a result's own end quarter
the runs table itself is returned (its outcomes are exact whatever was recorded).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.errors import AnalysisError
from alliance_sim.runs.results import Result, as_result
from alliance_sim.scenario.checks import quarter_at


@dataclass(frozen=True)
class Horizon:
    """The quarter results are compared at and, in words, why that one (for the headline)."""

    quarter: str
    why: str

    @property
    def by(self) -> str:
        return f"by {self.quarter}"


def recorded_quarters(res: Result) -> list[str]:
    """The quarters stored in ``res``'s time series (every quarter with ``--record all``)."""
    from alliance_sim.analysis.aggregate import recorded_steps

    return [quarters.shift(res.plan.start, int(s)) for s in recorded_steps(res)]


def _readable(res: Result, quarter: str) -> str | None:
    """Why ``res`` cannot be read at ``quarter`` (None if it can)."""
    plan = res.plan
    q, start, end = quarters.parse(quarter), quarters.parse(plan.start), quarters.parse(plan.end)
    if q == end:
        return None
    if q == start:
        return (
            f"{res.directory} starts at {plan.start}: its first quarter is the initial state, "
            "before anything has happened"
        )
    if q < start or q > end:  # (a bare range left the user to work out what is allowed)
        allowed = (
            f"a quarter after {plan.start} up to {plan.end}"
            if every_quarter(res)
            else f"{plan.end} or another quarter it recorded (--record {plan.record})"
        )
        return f"{res.directory} runs from {plan.start} to {plan.end}: allowed {allowed}"
    if quarter not in (kept := recorded_quarters(res)):  # which ones: a user had to guess
        shown = _listed([k for k in kept if k != plan.start])
        return (
            f"{res.directory} recorded only some quarters (--record {plan.record}: {shown}), "
            f"not {quarter}: use one of those, or run it again with --end {quarter} or "
            "--record all"
        )
    return None


def _shared(results: list[Result], why: str) -> str:
    """Where one of several results recorded only some quarters: the quarters every one of
    them can be read at (the first folder's list alone led to a second refusal: a red-team)."""
    if len(results) < 2 or "recorded only some quarters" not in why:
        return ""
    first = recorded_quarters(results[0])
    every = [q for q in first if all(_readable(r, q) is None for r in results)]
    if not every:
        return "; no quarter is recorded by every one of them"
    return f"; every one of them can be read at {_listed(every)}"


def shipped_baseline(r: Result) -> bool:
    """Whether ``r`` ran the shipped baseline scenario, the reference a comparison reads
    what-ifs against: the same scenario by its hash, or, cut short with ``--end`` (which
    changes the hash), a ``scenarios/baseline.toml`` of that name, this installation's or
    another clone's; not a changed copy elsewhere or a scenario merely so named."""
    m = r.manifest
    where = Path(m.scenario_path)
    shipped = m.scenario_name == "Baseline" and (where.parent.name, where.name) == (
        "scenarios",
        "baseline.toml",
    )
    return shipped or m.scenario_hash == _baseline_hash()


@cache
def _baseline_hash() -> str | None:
    """The shipped baseline's scenario hash (None where it cannot be read)."""
    from alliance_sim.scenario.files import shipped_dir
    from alliance_sim.scenario.load import load_scenario

    try:
        return load_scenario(shipped_dir() / "baseline.toml").hash
    except Exception:  # a report goes on without the hint
        return None


def display_names(results: list[Result]) -> list[str]:
    """How a report names each result: its scenario's name, with its folder where two
    results share a name (a scenario compared with itself at another seed or end); the
    folder's whole path where two folders of that name differ (``x/out``, ``y/out``)."""
    names = [r.name for r in results]
    # a result given as "." has no name of its own: its folder's, resolved ("Baseline ()")
    where = [(Path(r.directory).resolve().name, Path(r.directory).resolve()) for r in results]
    out = []
    for r, n, (f, _) in zip(results, names, where, strict=True):
        if names.count(n) > 1:
            twins = {d for m, (g, d) in zip(names, where, strict=True) if (m, g) == (n, f)}
            n = f"{n} ({r.directory if len(twins) > 1 else f})"
        out.append(n)
    return out


def _listed(labels: list[str]) -> str:
    """Quarter labels in a line: all of up to six, else the first three and the last."""
    return ", ".join(labels) if len(labels) <= 6 else f"{', '.join(labels[:3])}, ..., {labels[-1]}"


def read_quarter(results: list[Result], at: object, option: str) -> str:
    """``at`` as a quarter label, or one line naming ``option`` that offers the quarter a
    near miss means ("2030": 2030Q4) only where every result can be read at it (after the
    latest start, up to the earliest end, recorded by each); where some quarters were not
    recorded, the line lists those that can be read instead of the whole span."""
    after = max((r.plan.start for r in results), key=quarters.parse)
    upto = min((r.plan.end for r in results), key=quarters.parse)
    try:
        return quarter_at(
            at, option, after=after, upto=upto, ok=lambda q: _all_read(results, q, after)
        )
    except AnalysisError as e:
        span = f" (allowed a quarter after {after} up to {upto})"
        readable = [q for q in recorded_quarters(results[0]) if _all_read(results, q, after)]
        if span not in str(e) or len(readable) > quarters.parse(upto) - quarters.parse(after) - 1:
            raise
        said = (
            f"one of {_listed(readable)}: the quarters recorded"
            if len(readable) > 1
            else f"{readable[0]}, the one quarter recorded after the start"
            if readable
            else f"none: no quarter after {after} is recorded by every one of them"
        )
        raise AnalysisError(  # a thinned result: the span offered quarters it cannot read
            str(e).replace(span, f" (allowed {said})")
        ) from None


def _all_read(results: list[Result], q: str, after: str) -> bool:
    """Whether every one of ``results`` can be read at ``q``, a quarter after ``after``."""
    return quarters.parse(q) > quarters.parse(after) and all(
        _readable(r, q) is None for r in results
    )


def shared_horizon(results: list[Result], at: str | None = None, option: str = "at") -> Horizon:
    """The quarter to compare ``results`` at: ``at`` if given (each must have reached and
    recorded it), else the last quarter they all reach.  Raises :class:`AnalysisError` (one
    line) when there is none.  ``option``: how the caller names ``at`` in messages (the
    command line: ``--at``; from Python, the keyword: a notebook was told of ``--at``)."""
    ends = [r.plan.end for r in results]
    if at is not None:
        quarter = read_quarter(results, at, option)
        for r in results:
            if (why := _readable(r, quarter)) is not None:
                raise AnalysisError(f"{option} {quarter}: {why}{_shared(results, why)}")
        same = all(e == quarter for e in ends)
        how = option if option.startswith("-") else f"{option}="  # "chosen with at="
        return Horizon(quarter, "the end of every scenario" if same else f"chosen with {how}")
    quarter = min(ends, key=quarters.parse)
    if all(e == quarter for e in ends):
        return Horizon(quarter, "the end of every scenario")
    for r in results:
        if (why := _readable(r, quarter)) is not None:
            raise AnalysisError(
                f"the scenarios end at different quarters ({', '.join(sorted(set(ends)))}) and "
                f"cannot be compared at {quarter}, the last one they share: {why}"
            )
    longer = [
        f"{n} runs to {r.plan.end}"
        for r, n in zip(results, display_names(results), strict=True)
        if r.plan.end != quarter
    ]
    return Horizon(quarter, f"the last quarter every scenario reaches; {'; '.join(longer)}")


def outcomes_at(res: Result | str | os.PathLike, quarter: str) -> pd.DataFrame:
    """``res``'s runs table with each run's outcomes at ``quarter`` in its own columns:
    ``CODE_exited``, ``CODE_suspended`` (0/1), ``CODE_ever_suspended`` (0/1: suspended at
    some recorded quarter up to ``quarter``; exact where every quarter is recorded),
    ``CODE_status`` (the status code, float as stored: 1 active, 2 hedging, 3 suspended, 4
    exited), ``CODE_commitment``, ``CODE_credibility``, ``CODE_exit_step`` (NaN unless it
    had left by ``quarter``), ``CODE_min_commitment`` (over the recorded quarters up to it),
    ``cohesion_final``, ``cohesion_min`` and ``cohesion_mean`` (over the recorded quarters up
    to it), ``capability_cohesion_final``, the counts ``n_hedging``, ``n_suspended``,
    ``n_exited`` and the influence shares (see the module); NaN where the member never
    joined.  What is counted over a whole run and not stored quarter by quarter
    (``CODE_blocked``, ``CODE_refused``), or that an older folder did not store quarter by
    quarter, is left out, and ``attrs["left_out"]`` names it; where ``res`` kept only some
    quarters (``--record every:4``), ``attrs["over_recorded"]`` names the columns taken over
    the recorded quarters only (a suspension or a low between two of them is missed), empty
    where they are exact; ``attrs["quarter"]`` and ``attrs["start"]`` say what the table
    describes.  ``res`` a :class:`Result` or the path of a result folder.  Every stored run is
    a row, a refine round's too; pass ``Result.open(path).design()`` for the sweep's own runs."""
    res = as_result(res, "outcomes_at")
    quarter = read_quarter([res], quarter, "outcomes_at(quarter=...):")  # "2030": a hint
    if quarter == res.plan.end:
        runs = res.runs.copy(deep=False)
        runs.attrs = {"quarter": quarter, "start": res.plan.start, "left_out": []}
        runs.attrs["over_recorded"] = []  # the engine's tracker saw every quarter
        return runs
    if (why := _readable(res, quarter)) is not None:
        raise AnalysisError(f"cannot read outcomes at {quarter}: {why}")
    return _read_at(res, quarter)


def _read_at(res: Result, quarter: str) -> pd.DataFrame:
    """:func:`outcomes_at` read from the stored series (at the end too: a test compares it
    with the runs table the engine wrote)."""
    from alliance_sim.analysis.aggregate import read, runs_ever_in, status_at
    from alliance_sim.runs.results import open_dataset

    step = quarters.steps_between(res.plan.start, quarter)
    runs = res.runs.copy()
    has = set(open_dataset(res.directory, "timeseries").schema.names)  # (an older folder's)
    cols = [c for c in ("run", "step", "member", "commitment", "credibility") if c in has]
    ts = read(res, "timeseries", cols).to_pandas()
    ts = ts[ts["step"] <= step].assign(member=lambda t: t["member"].astype(str))
    lowest = ts.groupby(["member", "run"])["commitment"].min()
    ts = ts[ts["step"] == step]
    was = runs_ever_in(res, "suspended", step)  # at a recorded quarter up to it
    ever = was.assign(member=was["member"].astype(str)).groupby("member")["run"].unique()
    st = status_at(res, [step])
    st = st.assign(member=st["member"].astype(str), status=st["status"].astype(str))
    for code in mb.ALLIES:
        s = st[st["member"] == code].set_index("run")["status"]
        c = ts[ts["member"] == code].set_index("run")["commitment"]
        present = runs["run"].map(s)
        joined = present.notna().to_numpy()
        runs[f"{code}_exited"] = np.where(joined, (present == "exited").astype(float), np.nan)
        runs[f"{code}_suspended"] = np.where(joined, (present == "suspended").astype(float), np.nan)
        was = runs["run"].isin(ever.get(code, [])).astype(float).to_numpy()
        runs[f"{code}_ever_suspended"] = np.where(joined, was, np.nan)
        runs[f"{code}_status"] = present.map(mb.STATUS_CODES).astype(float)  # as stored
        runs[f"{code}_commitment"] = runs["run"].map(c)
        if "credibility" in ts:
            cred = ts[ts["member"] == code].set_index("run")["credibility"]
            runs[f"{code}_credibility"] = np.where(joined, runs["run"].map(cred), np.nan)
        left = runs[f"{code}_exited"].to_numpy() == 1
        runs[f"{code}_exit_step"] = np.where(left, runs[f"{code}_exit_step"], np.nan)
        low = lowest.get(code, pd.Series(dtype=float))
        runs[f"{code}_min_commitment"] = np.where(joined, runs["run"].map(low), np.nan)
        if f"{code}_joined" in runs:  # a candidate: a member at that quarter (not exited)
            member = present.isin(["active", "hedging", "suspended"])
            runs[f"{code}_joined"] = member.astype(float).to_numpy()
    has = set(open_dataset(res.directory, "alliance").schema.names)
    wanted = ["run", "step", "cohesion", "capability_cohesion", *SAME]
    al = read(res, "alliance", [c for c in wanted if c in has]).to_pandas()
    upto = al[al["step"] <= step]
    now = upto[upto["step"] == step].set_index("run")
    runs["cohesion_final"] = runs["run"].map(now["cohesion"])
    runs["cohesion_min"] = runs["run"].map(upto.groupby("run")["cohesion"].min())
    runs["cohesion_mean"] = runs["run"].map(upto.groupby("run")["cohesion"].mean())
    unread = []  # an older folder's series may lack one: its end value would pass as Q's
    for k, col in (("capability_cohesion_final", "capability_cohesion"), *((c, c) for c in SAME)):
        if col in now:
            runs[k] = runs["run"].map(now[col]).astype(float)
        else:
            unread.append(k)
    if "credibility" not in ts:
        unread += [f"{c}_credibility" for c in mb.ALLIES]
    whole = [c for c in runs if c.endswith(("_blocked", "_refused")) or c in unread]
    runs = runs.drop(columns=whole)
    runs.attrs = {"quarter": quarter, "start": res.plan.start, "left_out": whole}
    # a window over the recorded quarters is exact only where every quarter is recorded: an
    # every:4 result's columns had carried no sign of it (red team)
    window = ("_ever_suspended", "_min_commitment", "cohesion_min", "cohesion_mean")
    thinned = not every_quarter(res)
    runs.attrs["over_recorded"] = [c for c in runs if thinned and c.endswith(window)]
    return runs


#: the runs table's columns read from the alliance table's column of the same name
SAME = ("n_hedging", "n_suspended", "n_exited")
SAME += ("russian_influence", "western_influence", "chinese_influence")


def as_read(attrs: dict, start: str | None, at: str | None) -> tuple[str, str]:
    """The start and quarter of a table ``outcomes_at`` read (its ``attrs``), refusing a
    ``start=`` or ``at=`` that says otherwise: ``at="2033Q4"`` labelled 2026Q4's numbers as
    2033Q4's (red team)."""
    for name, given, own in (("start", start, attrs["start"]), ("at", at, attrs["quarter"])):
        if given is not None and quarter_at(given, f"member_table({name}=...):") != own:
            raise AnalysisError(
                f"member_table({name}={given!r}): this table was read at {attrs['quarter']} "
                f"from runs starting {attrs['start']} (outcomes_at); allowed {name}={own!r}, or "
                "the result itself: member_table(result, at=QUARTER)"
            )
    return attrs["start"], attrs["quarter"]


def every_quarter(res: Result) -> bool:
    """Whether ``res`` recorded every quarter (``--record all``, or ``every:1``)."""
    from alliance_sim.runs.execute import record_every

    try:
        return record_every(res.plan.record) == 1
    except ValueError:  # a record spec of another version: not known to hold every quarter
        return False


def suspended_from_start(results: list[Result]) -> list[str]:
    """The allies suspended at the start of every run of every result (Armenia, frozen since
    2024, in the forecasts): their "suspended at some point" is the scenarios' premise, which
    a headline had stated as a finding ("every run shows Armenia's suspension at some
    point")."""
    from alliance_sim.analysis.aggregate import status_at

    out = set(mb.ALLIES)
    for r in results:
        st = status_at(r, [0])
        st = st.assign(member=st["member"].astype(str), status=st["status"].astype(str))
        every = st.groupby("member")["status"].agg(
            lambda s: len(s) > 0 and (s == "suspended").all()
        )
        out &= set(every.index[every.to_numpy(bool)])
    return [c for c in mb.ALLIES if c in out]


def hedging_at_start(results: list[Result], names: list[str]) -> dict[str, dict[str, float]]:
    """Per result (by its name in the comparison), each ally's share of runs hedging at the
    start, among those in which it is a member then: most forecasts start with Kyrgyzstan
    hedging (81%), and "hedging at 2030Q4 in 57% vs 52%" read as a finding (helper-67)."""
    from alliance_sim.analysis.aggregate import status_at

    out: dict[str, dict[str, float]] = {}
    for r, name in zip(results, names, strict=True):
        st = status_at(r, [0])
        st = st.assign(member=st["member"].astype(str), status=st["status"].astype(str))
        st = st[st["status"] != "candidate"]
        out[name] = st.groupby("member")["status"].agg(lambda s: float((s == "hedging").mean()))
        out[name] = {str(k): float(v) for k, v in out[name].items()}
    return out
