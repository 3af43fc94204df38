"""The answer first: a comparison's headline as plain sentences a reader can quote.

A comparison table (:func:`alliance_sim.analysis.comparison.compare_results`) is read at one
horizon.  The headline says which (the lead line), then answers for each focus member "how
likely is it to have left (to be suspended, to hedge) by then, how sure, compared with what": each
scenario's probability with its 95% interval, the risk difference in points with its interval,
the test and the effective number of independent runs.  Then the largest other differences that
are visible: 0/1 outcomes ranked by the size of the risk difference, other outcomes by the
distance of the Vargha-Delaney A12 from 0.5.  Outcomes that no run of either scenario shows
(an exit of Belarus, say) are not findings: they go to a footnote.

The module is long because every kind of finding is worded here, together, so that the
sentences of one headline read alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from alliance_sim.analysis.design import FEW
from alliance_sim.analysis.stats import (
    NOT_AN_EFFECT,
    UNCLEAR,
    UNCLEAR_HOLM,
    Estimate,
    percent_interval,
    risk_magnitude,
    share,
)
from alliance_sim.core import members as mb

MAX_OTHERS = 4  # sentences beyond the focus members'
NAMES = dict(zip(mb.CODES, mb.load_profiles().names, strict=True))


@dataclass
class Headline:
    """``lead``: by when and against what; ``sentences``: the findings, focus members first;
    ``footnote``: what no run of either scenario shows."""

    lead: str
    sentences: list[str] = field(default_factory=list)
    footnote: str = ""
    when: str = "the end"

    @property
    def lines(self) -> list[str]:
        return [self.lead, *self.sentences]


def _pct(e: Estimate, digits: int = 0) -> str:
    """A share with its interval in whole percent where that keeps them true (0.5% printed as
    "0%" beside a difference of +0.5 points read as a contradiction): :func:`percent_interval`
    (``digits``: the estimate's fewest decimals, :func:`_digits`)."""
    return percent_interval(e.value, e.lo, e.hi, est_digits=digits)


def _digits(this: Estimate, ref: Estimate, d: Estimate) -> int:
    """The fewest decimals (0-2) at which two shares and their difference, each as printed,
    add up ("41% vs 41%: +1 point" for 41.4% and 40.9%; "10.1% vs 9.5%: +0.5 points" at one;
    "0.5% vs 2%: -2 points", where the share's own interval gave 0.5 a decimal), none of them
    lies half-way at that precision, and the difference reads as the table's (a tenth of a
    point) does at that precision, with the table's word.
    Where none of 0-2 does (about 2% of share pairs of 33 and 41 runs, none of 200 and 200
    up to 20%), one decimal, as the table prints it."""
    return _shared_digits([(this, ref, d)])


def _shared_digits(pairs: list[tuple[Estimate, Estimate, Estimate]]) -> int:
    """The fewest decimals at which every one of ``pairs`` (this, reference, difference) adds
    up as :func:`_digits` says: the rows of one outcome in a headline of three results, so the
    reference's share is printed alike in each ("42.7%" in one sentence, "43%" in the next,
    for one number: helper-99)."""
    pairs = [p for p in pairs if np.isfinite([e.value for e in p]).all()]
    if not pairs:
        return 0
    for k in (0, 1, 2):
        if all(_adds_up(*p, k) for p in pairs):
            return k
    return 1  # the table's own precision (a rare share pair that adds up at none of 0-2)


def _adds_up(this: Estimate, ref: Estimate, d: Estimate, k: int) -> bool:
    a, b = (float(_pct(e, k).split("%")[0]) for e in (this, ref))
    shown = float(_points(d, k).split(" ")[0])
    halfway = any(  # 26.5% vs 27%: "26% vs 27%: -1 point" adds up, and doubles -0.5
        abs(abs(x * 10**k - round(x * 10**k)) - 0.5) < 1e-6
        for x in (this.value * 100, ref.value * 100, d.value * 100)
    )
    words = risk_magnitude(shown / 100) == risk_magnitude(d.value)  # "+10 points: medium"
    table = round(round(round(d.value * 100, 1), k) - shown, 3) == 0  # its "+0.5 pts": not 1
    return round(a - b, 3) == round(shown, 3) and not halfway and words and table


def _num(e: Estimate) -> str:
    if not np.isfinite(e.value):
        return "– (no run)"
    return f"{e.value:.2f} [{e.lo:.2f}, {e.hi:.2f}]"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if np.isfinite(p) else "no test"


def _points(d: Estimate, digits: int = 0) -> str:
    def pts(v: float) -> str:
        small = round(v * 100) == 0 and v != 0
        return f"{v * 100:+.{max(digits, 1 if small else 0)}f}"

    one = abs(round(d.value * 100, digits)) == 1
    return f"{pts(d.value)} point{'' if one else 's'} [{pts(d.lo)}, {pts(d.hi)}]"


def _evidence(r: pd.Series) -> str:
    if r["test"] == "too few runs":  # it read "too few runs no test; n_eff = 0 ..."
        return "too few runs on a side for a test"
    unit = "independent pairs" if r["paired"] else "independent runs"  # (a seed's, or a set's)
    few = f"; fewer than {FEW} independent runs: a rough guide only" if r["n"] < FEW else ""
    holm = r["p (Holm)"]
    adjusted = (
        f", Holm-adjusted {'< 0.001' if holm < 0.001 else f'{holm:.3f}'}"
        if np.isfinite(holm)
        else ""
    )
    return f"{r['test']} {_p(r['p'])}{adjusted}; n_eff = {r['n']} {unit}{few}"


def _partial(r: pd.Series, side: str) -> tuple[int, int] | None:
    """(runs with a value, runs) of one side where only some runs have one (a joiner)."""
    has = r.get(f"{side} has")
    return has if isinstance(has, tuple) and has[0] < has[1] else None


def _runs(r: pd.Series, side: str) -> str:
    """ "runs of " or, where the member is in the alliance in some runs only (Iran joins in
    some; Armenia is out before the start in a few calibrated sets), "the 107 runs (of 400)
    of " (the runs in which it was a member, over which the tables count)."""
    has = _partial(r, side)
    if has is None:
        return "runs of "
    return f"the {has[0]:,} run{'' if has[0] == 1 else 's'} (of {has[1]:,}) of "


def _joined(r: pd.Series, side: str) -> str:
    """Which runs those are: a candidate's (Iran) those it joined in; a founder's those
    that start with it a member (Armenia had left before it in 3 calibrated histories)."""
    if _partial(r, side) is None:
        return ""
    from alliance_sim.core.outcomes import CANDIDATES

    code = r["outcome"].partition("_")[0]
    return " in which it joined" if code in CANDIDATES else " in which it was a member at the start"


def binary_sentence(r: pd.Series) -> str:
    """A 0/1 outcome (exit, suspension) as a sentence: both probabilities, the difference; a
    share hedging that falls says what else it can mean (a new user read Kazakhstan's hedging
    at 18% against 27% as less hedging, where every run had moved on to a freeze or an exit:
    helper-61)."""
    text = _binary_sentence(r)
    if r["outcome"].endswith("_hedging") and r["difference"].value <= -0.02:  # (not a null one)
        text = text[:-1] + (
            "; fewer hedging can mean more suspended or gone, not more committed (the rows "
            "on suspension and exit say which)."
        )
    return text


def _binary_sentence(r: pd.Series) -> str:
    code, _, what = r["outcome"].partition("_")
    name, end = NAMES.get(code, code), r["horizon"]
    this, ref, d = r["this"], r["reference"], r["difference"]
    k = r["digits"] if "digits" in r else _digits(this, ref, d)  # (shared by an outcome's rows)
    verb = {
        "exited": f"has left the CSTO by {end}",
        "suspended": f"is suspended at {end}",
        "ever_suspended": f"is or has been suspended at some point from the start to {end}",
        "hedging": f"is hedging at {end}",
        "joined": f"is a member (has joined, not left) at {end}",
    }.get(what, f"{what} at {end}")
    tag = " (pooled over its design points)"  # each to the scenario it describes
    text = (
        f"{name} {verb} in {_pct(this, k)} of {_runs(r, 'this')}{r['scenario']}"
        f"{tag if r.get('pooled') else ''}{_joined(r, 'this')} vs {_pct(ref, k)} in "
        f"{_runs(r, 'reference') if _partial(r, 'reference') else ''}{r['reference name']}"
        f"{tag if r.get('reference pooled') else ''}{_joined(r, 'reference')}"
    )
    if r["effect"] == "no variation":
        return f"{text}: no run of either scenario shows it."
    if str(r["effect"]).startswith("no estimate"):  # it read "+31 points ... — negligible"
        return f"{text}: {_evidence(r)}."
    sure = ref.value * ref.n >= RATIO_CASES and this.value >= 0.1 * ref.value
    ratio = (  # a rare outcome's relative change, where the reference rests on enough cases
        f", {this.value / ref.value:.1f} times the reference"  # ("61.0 times" 1 run in 200
        if 0 < ref.value < 0.25 and abs(d.value) >= 0.01 and sure  # or "0.0 times" of a 0%:
        else ""  # nothing sure)
    )
    zero = "; the interval includes no difference" if d.lo <= 0 <= d.hi else ""
    if r["effect"] == UNCLEAR_HOLM:
        return (
            f"{text}: {_points(d, k)} — unclear once the report's comparisons are counted: its "
            f"test alone would call it a difference, Holm's correction does not ({_evidence(r)})."
        )
    if r["effect"] == UNCLEAR:
        why = (
            "the interval includes no difference"
            if d.lo <= 0 <= d.hi
            else "unclear: its interval excludes zero, but its test does not (p >= 0.05)"
        )
        return f"{text}: {_points(d, k)} — {why} ({_evidence(r)})."
    if r["effect"] in NOT_AN_EFFECT:
        return f"{text}: {_points(d, k)} — negligible{zero} ({_evidence(r)})."
    return f"{text}: {_points(d, k)}{ratio} — a {r['effect']} difference ({_evidence(r)})."


def sentence(r: pd.Series) -> str:
    """One row of the comparison as a sentence a reader can quote."""
    if r["binary"]:
        return binary_sentence(r)
    outcome, end = r["outcome"], r["horizon"]
    this, ref, scen, base = r["this"], r["reference"], r["scenario"], r["reference name"]
    code, _, what = outcome.partition("_")
    if what == "commitment":
        text = f"{NAMES.get(code, code)}'s mean commitment at {end} is {_num(this)} in {scen}"
        if _partial(r, "this") or _partial(r, "reference"):  # where it was a member
            a, b = r["this has"], r["reference has"]
            which = _joined(r, "this") or _joined(r, "reference")
            scen = f"{scen} ({a[0]:,} of {a[1]:,} runs: those{which})"
            base = f"{base} ({b[0]:,} of {b[1]:,} runs)"
            text = f"{NAMES.get(code, code)}'s mean commitment at {end} is {_num(this)} in {scen}"
    elif outcome == "cohesion_final":
        text = f"Mean cohesion at {end} is {_num(this)} in {scen}"
    elif outcome == "cohesion_min":
        text = f"The mean of each run's lowest cohesion up to {end} is {_num(this)} in {scen}"
    else:
        text = f"{outcome} at {end} is {_num(this)} in {scen}"
    if str(r["effect"]).startswith("no estimate"):
        return f"{text} vs {_num(ref)} in {base} ({_evidence(r)})."
    d = r["difference"]  # the difference itself with its interval, not only the two levels
    if np.isfinite(d.value):  # (no "] (": Markdown would read a link and escape brackets)
        by = f"{d.value:+.3f} [{d.lo:+.3f}, {d.hi:+.3f}]"  # as the table: 2 places collapsed
        return (
            f"{text} vs {_num(ref)} in {base}: {by}, effect {r['effect']} (A12 "
            f"{r['A12'].value:.2f}; {_evidence(r)})."
        )
    effect = f"effect {r['effect']}, A12 {r['A12'].value:.2f}"
    return f"{text} vs {_num(ref)} in {base} ({effect}; {_evidence(r)})."


def headline(comp: pd.DataFrame, focus: list[str] | tuple[str, ...] = ()) -> Headline:
    """The headline of comparison table ``comp`` for the ``focus`` members (see the module)."""
    from alliance_sim.analysis.cases import as_codes
    from alliance_sim.core.outcomes import ALLIES

    # ["Iran"] fell through silently to "the largest differences" (helper-64)
    focus = as_codes(focus, "headline(focus=...)", ALLIES)
    from alliance_sim.analysis.horizon import Horizon
    from alliance_sim.analysis.stats import Estimate

    # a path read "'str' object has no attribute 'attrs'"; comparison_numbers(comp), or a
    # table read back from CSV, "'str' object has no attribute 'quarter'" (helper-122)
    table = isinstance(comp, pd.DataFrame) and {"outcome", "difference"} <= set(comp.columns)
    ok = table and all(isinstance(d, Estimate) for d in comp["difference"])
    if not ok or not isinstance(comp.attrs.get("horizon"), Horizon | None):
        what = type(comp).__name__ + (" of numbers, not intervals" if table else "")
        raise TypeError(f"headline: comp is a {what}: allowed the table compare_results() returns")
    horizon = comp.attrs.get("horizon")
    when = horizon.quarter if horizon is not None else "the end"
    why = f" ({horizon.why})" if horizon is not None else ""
    if not len(comp):
        return Headline(f"Compared at {when}{why}: no outcome could be compared.", when=when)
    ref = comp["reference name"].iloc[0]
    lead = f"By {when}{why}, against {ref}:"
    is_ref, base = comp.attrs.get("baseline") or (True, [])
    if not is_ref:  # the first folder is the reference: say which way the differences run
        lead += f" Each difference below is another scenario minus {ref}, the first result given"
        lead += f" (give {base[0]}'s folder first for {ref}'s effect)." if base else "."
    for name, has_file in dict.fromkeys(comp.attrs.get("pooled") or []):  # (a folder twice)
        where = "by_point.csv in its folder" if has_file else "alliance_sim.by_point(result)"
        lead += (
            f" {name} pools all design points of a sweep (each run weighted equally; {where} "
            "has each point)."
        )
    for name, failed, total in comp.attrs.get("failed") or []:
        lead += (
            f" Warning: {failed} of {total} runs of {name} failed; its numbers cover the runs "
            "that ran (their errors are in its runs.parquet)."
        )
    pooled = {name for name, _ in comp.attrs.get("pooled") or []}
    comp = comp.assign(
        pooled=comp["scenario"].isin(pooled),
        **{"reference pooled": comp["reference name"].isin(pooled)},
    )
    comp = comp.assign(digits=_digits_by_outcome(comp))
    premise = comp.attrs.get("suspended_from_start") or []
    scenarios = list(dict.fromkeys(comp["scenario"]))
    # each scenario its own findings: three results had shared the first three focus members
    # and four "largest other" sentences, so what a reader quoted hung on the folders' order
    # (Kyrgyzstan, the third file's focus, left out: helper-99)
    per = MAX_OTHERS if len(scenarios) == 1 else MAX_OTHERS - 1
    out, quiet, mine_all, visible_all = [], [], [], []
    for scen in scenarios:
        rows = comp[comp["scenario"] == scen]
        codes = list(focus) or _focus_for(comp, scen)
        code = rows["outcome"].str.partition("_")[0]
        mine = rows[code.isin(codes) & rows["binary"]]
        order = [codes.index(c) for c in mine["outcome"].str.partition("_")[0]]
        mine = mine.iloc[np.argsort(order, kind="stable")]  # the scenario's own focus first
        shown = mine[mine["effect"] != "no variation"]
        out += [_started(binary_sentence(r), r, comp) for _, r in shown.iterrows()]
        out += _nothing(mine[mine["effect"] == "no variation"], when, premise)
        rest = rows.drop(mine.index)
        quiet.append(rest[rest["effect"] == "no variation"])
        visible = rest[~rest["effect"].isin(NOT_AN_EFFECT)]
        ranked = sorted((r for _, r in visible.iterrows()), key=_rank, reverse=True)
        out += [_started(_composed(sentence(r), r, comp), r, comp) for r in ranked[:per]]
        mine_all.append(mine)
        visible_all.append(visible)
    quiet, mine, visible = (pd.concat(x) for x in (quiet, mine_all, visible_all))
    if not len(visible) and mine["effect"].isin(NOT_AN_EFFECT).all():
        rows = [r for _, r in comp.iterrows()]
        few = [str(r["effect"]).startswith("no estimate") for r in rows]
        out += [
            "Nothing can be told from these runs: every comparison rests on too few runs for "
            "an estimate or a test (more replicates); the detail follows."
            if all(few)
            else "No outcome differs visibly between the scenarios (every difference is "
            "negligible: under 2 points for a probability, |A12 - 0.5| < 0.06 otherwise); the "
            "detail follows."
            if all(_negligible(r) for r in rows)
            else "No outcome differs visibly where it can be told: every difference that can be "
            "estimated is negligible, and the others rest on too few runs (more replicates); the "
            "detail follows."
            if all(_negligible(r) or f for r, f in zip(rows, few, strict=True))
            else "No outcome differs clearly by more than a negligible amount: each difference "
            "is negligible, unclear (its interval or test includes no difference, or Holm's "
            "correction over the report's comparisons does not keep it) or rests on too few "
            "runs; the detail follows."
        ]
    # rows left out of the comparison (a thinned record, results starting at different
    # quarters): said with the headline, in every rendering (the HTML alone had said it)
    left = " ".join(f"Not compared: {w}." for w in comp.attrs.get("left_out") or [])
    note = footnote(quiet, when, comp["scenario"].nunique())
    unpaired = " ".join(f"Not paired: {u}." for u in comp.attrs.get("unpaired") or [])
    return Headline(lead, out, " ".join(x for x in (note, left, unpaired) if x), when)


def _rank(r: pd.Series) -> tuple[bool, float]:
    """Intervals that exclude no difference first; then 0/1 outcomes by points, others by
    A12."""
    d = r["difference"]
    size = 1.0 + abs(d.value) if r["binary"] else abs(r["A12"].value - 0.5)
    return (not d.lo <= 0 <= d.hi, size)


def _focus_for(comp: pd.DataFrame, scen: str) -> list[str]:
    """The members a scenario's findings lead with: its own result's focus, then the
    reference's (``comp.attrs["focus"]``, by display name); Armenia and Kazakhstan where
    neither names one."""
    own = comp.attrs.get("focus") or {}
    ref = comp.loc[comp["scenario"] == scen, "reference name"].iloc[0]
    codes = list(dict.fromkeys([*own.get(scen, ()), *own.get(ref, ())]))
    return codes or ["ARM", "KAZ"]


def _digits_by_outcome(comp: pd.DataFrame) -> list[int]:
    """Each row's decimals, shared by the rows of one outcome (:func:`_shared_digits`)."""
    binary = comp["binary"].astype(bool)
    shared = {
        o: _shared_digits(list(zip(g["this"], g["reference"], g["difference"], strict=True)))
        for o, g in comp[binary].groupby("outcome", sort=False)
    }
    return [shared.get(o, 0) for o in comp["outcome"]]


def _started(text: str, r: pd.Series, comp: pd.DataFrame) -> str:
    """A hedging row says how many runs start hedging (Kyrgyzstan in 81%: "hedging at 2030Q4
    in 57% vs 52%" read as an outcome of the scenarios, helper-67)."""
    at, code = comp.attrs.get("hedging_at_start") or {}, r["outcome"].partition("_")[0]
    a = at.get(r["scenario"], {}).get(code)
    b = at.get(r["reference name"], {}).get(code)
    if not r["outcome"].endswith("_hedging") or a is None or b is None or max(a, b) < 0.05:
        return text
    both = "both" if share(a) == share(b) else f"{r['scenario']}, {share(b)} of the other's"
    return f"{text} It is hedging at the start in {share(a)} of the runs of {both}."


def _composed(text: str, r: pd.Series, comp: pd.DataFrame) -> str:
    """A cohesion row where a member joins in one scenario's runs more than in the other's:
    cohesion averages the allies in the alliance, so the joiner's own commitment moves it
    (Iran's accession lowered mean cohesion 0.56 -> 0.51, about half of it Iran entering the
    average: helper-64)."""
    if not str(r["outcome"]).startswith("cohesion"):
        return text
    moved = list(
        dict.fromkeys(  # this pair's rows only, and a difference its interval can tell from 0
            NAMES.get(j["outcome"].partition("_")[0], j["outcome"])
            for _, j in comp.iterrows()
            if str(j["outcome"]).endswith("_joined")
            and j.get("scenario") == r.get("scenario")
            and _clear_of_zero(j["difference"])
        )
    )
    if not moved:
        return text
    return text[:-1] + (
        f"; cohesion averages the allies in the alliance, so {' and '.join(moved)} joining in "
        "more runs of one scenario moves it by its own commitment, not only through the others'."
    )


def _clear_of_zero(d: Estimate) -> bool:
    """Whether a difference's 95% interval leaves out zero (NaN: no; one run in 200 joining
    did not: "Iran and Iran joining in more runs" under a pair where Iran joined alike,
    helper-67)."""
    return bool(d.lo > 0 or d.hi < 0)


#: the fewest (effective) runs showing an outcome in the reference for a headline to give
#: the ratio of the two shares: below it the ratio has no interval worth the name
RATIO_CASES = 5


def _negligible(r: pd.Series) -> bool:
    """Whether a row's difference is shown negligible: its label, which says so only when
    the whole interval is (+1 point [-1, +3] is unclear, not negligible; +20 points unclear
    is not either)."""
    return r["effect"] in ("negligible", "no variation")


def short_label(outcome: str, when: str = "") -> str:
    """``ARM_exited`` -> ``Armenia's exit`` (``by 2028Q4`` appended when ``when``)."""
    code, _, what = outcome.partition("_")
    name = NAMES.get(code, code)
    words = {
        "exited": "exit",
        "suspended": "suspension",
        "ever_suspended": "suspension at some point",
        "hedging": "hedging",
        "commitment": "mean commitment",
        "joined": "accession",
    }
    if code in NAMES and what in words:
        text = f"{name}'s {words[what]}"
    else:
        text = {"cohesion_final": "mean cohesion", "cohesion_min": "lowest cohesion"}.get(
            outcome, outcome
        )
    return f"{text} {when}".strip()


def _nothing(rows: pd.DataFrame, when: str, premise: list[str] | tuple[str, ...] = ()) -> list[str]:
    """One sentence per scenario for the focus members' outcomes that no run of it or of the
    reference shows, or every run does (instead of a bullet each); a suspension at some point
    of a member suspended at the start of every run (``premise``) is said to be that."""
    out = []
    for scen, group in rows.groupby("scenario", sort=False):
        # one sentence per interval: Iran's 2 runs gave [0%, 66%] to Kazakhstan's 200 too
        shown = [
            (e.value == 1, _pct(e), _pct(r))
            for e, r in zip(group["this"], group["reference"], strict=True)
        ]
        for key in dict.fromkeys(shown):
            these = [o for o, s in zip(group["outcome"], shown, strict=True) if s == key]
            what = ", ".join(short_label(o) for o in these)
            start = [
                NAMES.get(code, code)
                for code, _, kind in (o.partition("_") for o in these)
                if key[0] and kind == "ever_suspended" and code in premise
            ]
            out.append(
                f"{'Every' if key[0] else 'No'} run of {scen} or of "
                f"{group['reference name'].iloc[0]} shows {what} by {when} ({key[1]} vs {key[2]})."
                + (
                    f" {' and '.join(start)} {'is' if len(start) == 1 else 'are'} suspended at "
                    "the start of every run in which it is a member: a premise of both, not an "
                    "outcome."
                    if start
                    else ""
                )
            )
    return out


def footnote(quiet: pd.DataFrame, when: str, n: int = 1) -> str:
    """One line naming the outcomes that no run of a scenario or of the reference shows:
    per scenario when ``n`` > 1 are compared with the reference (three results' line said
    "the same in every run of both scenarios" of Kyrgyzstan's exit, which one of the two
    others showed in 2% of its runs: a new user read it against the table)."""
    if not len(quiet):
        return ""
    rule = "(for an exit, suspension or hedging: no run shows it, or every run does)"
    if n <= 1:
        names = list(dict.fromkeys(short_label(o) for o in quiet["outcome"]))
        return (
            f"Not compared: {', '.join(names)} at {when} — the same in every run of both "
            f"scenarios {rule}."
        )
    each = "; ".join(
        f"in {s}: {', '.join(dict.fromkeys(short_label(o) for o in g['outcome']))}"
        for s, g in quiet.groupby("scenario", sort=False)
    )
    return (
        f"Not compared at {when}, each the same in every run of a scenario and of the "
        f"reference {rule}: {each}."
    )
