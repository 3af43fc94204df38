"""What a robustness analysis says of a headline, in words: which parameter drives it, and
whether that can be seen.

A driver is named ("chiefly X") only when it is visibly one: its first-order index is at
least :data:`RULE` with a 95% interval above zero, and the headline where X sits in the lowest
fifth of its range and where it sits in the highest fifth differ beyond their 95% intervals.
An index that clears zero while the two ends overlap (S1 0.11 +- 0.09, 51% [36%, 67%] near one
end and 42% [22%, 59%] near the other, at the command's default 64 samples) was named as the
chief driver while two parameters with larger indices moved the headline 47 points (a
new user's trial, helper-61); it is now said to move the headline within its noise.
"""

from __future__ import annotations

from typing import Any

from alliance_sim.analysis.stats import share

RULE = 0.1  # a first-order index from which a driver must be identified or sourced
#: the share of a headline's spread across design points that is replicate noise from which
#: its statement says that a driver it names may be noise: at 91% (--samples 8 --replicates
#: 4) an S1 of 0.61 ± 0.45 was named chief driver without a word (new-user trial).  Not a
#: rule that withholds the driver: the share assumes independent replicates (they share
#: seeds across points) and moved from 0.88 to 0.27 with the design's seed (red-team)
NOISY = 0.5
#: fewer runs per design point than this, and a share's range over the design is said to be
#: widened by chance: each point's share moves in steps of 1/runs (at 2 runs, 0%-100%)
FEW_POINT_RUNS = 10


def noisy(h: dict[str, Any]) -> bool:
    """Whether replicate noise is ``NOISY`` or more of headline ``h``'s spread across points,
    or was not measured (one replicate a point: ``noise_unmeasured``)."""
    share = h.get("noise_share")
    return bool(h.get("noise_unmeasured")) or (share is not None and share >= NOISY)


def noise_said(h: dict[str, Any], of: str) -> str:
    """How much of ``of`` (the spread it is a share of) replicate noise is, in words, for a
    :func:`noisy` headline: its share, or that one replicate a point cannot measure it."""
    if h.get("noise_unmeasured") or h.get("noise_share") is None:
        return "replicate noise is not measured, one run a design point"
    return f"replicate noise is about {h['noise_share']:.0%} of {of}"


def _is_strong(d: dict[str, Any]) -> bool:
    return d["S1"] is not None and d["S1"] >= RULE and d["S1"] - (d["S1_conf"] or 0.0) > 0


def strong(drivers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The drivers that visibly explain a tenth of a headline's variance alone: a first-order
    index of at least ``RULE`` whose 95% interval excludes zero (a point estimate of 0.16 ±
    0.25 on a rare outcome is noise, not a driver)."""
    return [d for d in drivers if _is_strong(d)]


def leading(drivers: list[dict[str, Any]]) -> int:
    """Where in ``drivers`` (largest S1 first) the headline's statement finds its leader: the
    first strong driver, else the first (a larger S1 whose interval reaches zero does not lead
    one that is visibly above it)."""
    return next((k for k, d in enumerate(drivers) if _is_strong(d)), 0)


def visible(top: dict[str, Any] | None) -> bool:
    """Whether a driver's two ends (``at_low_ci``, ``at_high_ci``: the headline where it sits
    in the lowest and the highest fifth of its range, with 95% intervals) differ beyond
    their intervals; False where an end has none."""
    lo, hi = (top or {}).get("at_low_ci"), (top or {}).get("at_high_ci")
    return lo is not None and hi is not None and (lo[1] < hi[0] or hi[1] < lo[0])


def unsupported(drivers: list[dict[str, Any]]) -> list[str]:
    """The strong drivers that calibration does not identify and no source gives (the rule)."""
    return [d["parameter"] for d in strong(drivers) if not (d["identified"] or d["sourced"])]


def restate(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with each headline's ``unsupported`` and ``statement`` derived again from its
    stored drivers (what :func:`analyse` would say of them now)."""
    for h in result["headlines"]:
        h["unsupported"] = unsupported(h["drivers"])
        h["statement"] = statement(h["label"], h)
    return result


def _opening(label: str, h: dict[str, Any]) -> str:
    """The answer and its range: a share, or (``h["difference"]``) a change in points."""
    from alliance_sim.analysis.stats import percent, percent_interval

    a, e = h["posterior"], h["envelope"]
    if not h.get("difference"):  # (as every table gives a share: "1% [0%, 2%]" of 0.75%
        return (  # beside the table's "0.8% [0.3%, 2.2%]": red-team)
            f"{label}: {percent_interval(a['p'], a['lo'], a['hi'])} with the fitted model; "
            f"{e['lo']:.0%}-{e['hi']:.0%} over what the record does not pin down{_premises(h)}"
            f"{_outside(a['p'], e)}"
        )
    sign = h.get("sign") or {}
    k = _places_of(a)
    return (
        f"{label}, {h.get('scenario', 'the scenario')} against {h.get('against', 'its base')}: "
        f"{_points(a['p'], k)} [{_pts(a['lo'], k)}, {_pts(a['hi'], k)}] with the fitted model "
        f"({percent(a['base'])} -> {percent(a['scenario'])}); {_pts(e['lo'])} to "
        f"{_points(e['hi'])} over what the record does not pin down{_premises(h)}, the change "
        f"above zero at {percent(sign.get('above', 0.0))} of the design's points and below it "
        f"at {percent(sign.get('below', 0.0))}{_outside(a['p'], e)}"
    )


def _outside(p: float, e: dict[str, Any]) -> str:
    """A clause where the fitted answer lies outside the range (a new user read "78% with the
    fitted model; 88%-100% over what the record does not pin down" as a contradiction)."""
    if e["lo"] - 0.005 <= p <= e["hi"] + 0.005:
        return ""
    return (
        " (the fitted answer lies outside that range: the range draws each of those parameters "
        "evenly over its range, not where the fit put it, and runs each design point on the "
        "first --replicates posterior sets only; more --replicates tells the two apart)"
    )


def _points(x: float, places: int = 0) -> str:
    """:func:`_pts` with its unit: "+1 point", "-3 points"."""
    return f"{_pts(x, places)} point{'' if abs(round(x * 100, places)) == 1 else 's'}"


def _places_of(a: dict[str, Any]) -> int:
    """Decimals at which a difference and its interval read true: an interval that crosses
    zero does not read as starting at it ("+1 [0, +2]" of a lower end at -0.1: red-team)."""
    for k in range(3):
        lo, hi = round(a["lo"] * 100, k), round(a["hi"] * 100, k)
        if (lo != 0 or a["lo"] >= 0) and (hi != 0 or a["hi"] <= 0):
            return k
    return 2


def _pts(x: float, places: int = 0) -> str:
    """A difference of shares in percentage points, signed ("+12", "-3", "0")."""
    v = round(x * 100, places)
    return f"{v:+.{places}f}" if v else f"{0:.{places}f}"


def statement(label: str, h: dict[str, Any]) -> str:
    """The headline as the README and the report print it (of a level, or of a difference
    between two scenarios: :mod:`~alliance_sim.analysis.robustness_diff`)."""
    text = _opening(label, h)
    at = _at if not h.get("difference") else _at_points
    top = h.get("top_driver")
    is_strong = top is not None and top["parameter"] in {
        d["parameter"] for d in strong(h["drivers"])
    }
    if is_strong and visible(top):
        conf = next(d["S1_conf"] for d in h["drivers"] if d["parameter"] == top["parameter"])
        k = _places(top)  # as many as it takes for the ends to read apart
        text += (
            f", chiefly {top['parameter']} (S1 {_pm(top['S1'], conf)}: "
            f"{at(top, 'at_low', k)} near {top['low']}, {at(top, 'at_high', k)} near "
            f"{top['high']})"
        )
        lead = round(top["S1"], 2)  # as printed: a tie at two decimals is not "above"
        above = [d for d in h["drivers"] if d["S1"] is not None and round(d["S1"], 2) > lead]
        if above:  # the table ranks these first: why they do not lead (a user's question)
            text += f", the largest S1 whose two ends differ visibly ({_ahead(above)})"
    elif top is not None:  # no parameter visibly explains a tenth alone: they act together
        most = largest_total(h["drivers"])
        if is_strong:  # an index clear of zero whose ends overlap: not a driver one can see
            conf = next(d["S1_conf"] for d in h["drivers"] if d["parameter"] == top["parameter"])
            text += (
                f"; no parameter visibly moves it alone: {top['parameter']}, the largest first-"
                f"order index clear of zero (S1 {top['S1']:.2f} ± {conf or 0:.2f}), gives "
                f"{at(top, 'at_low')} near {top['low']} and {at(top, 'at_high')} near "
                f"{top['high']}, within their noise"
            )
            if most:  # (its words above already say what an index clear of noise is)
                text += (  # (larger ones inside their noise are not named: helper-64)
                    f"; the largest total index clear of its noise is {most['parameter']}'s, "
                    f"ST {most['ST']:.2f}"
                )
        else:
            text += "; no parameter visibly explains a tenth of it alone"
            if most:
                text += (  # "largest total index: X, ST 0.04" beside a 0.29 in its noise
                    f" (largest total index clear of its noise: {most['parameter']}, "
                    f"ST {most['ST']:.2f})"
                )
            else:  # every index is inside its noise: say so, do not quote one (ST 1.91, N=32)
                text += " (no index is clear of its noise: more --samples or --replicates)"
    a, e = h["posterior"], h["envelope"]
    if a["p"] < e.get("min", a["p"]) - 1e-9 or a["p"] > e.get("max", a["p"]) + 1e-9:
        text += (  # (+18 points fitted beside "0 to 0 points" at 4 replicates: red-team)
            "; the fitted answer lies outside every design point's: the points run only "
            "posterior sets 0 to --replicates - 1 (more --replicates)"
        )
    if (k := h.get("point_runs")) is not None and k < FEW_POINT_RUNS and not h.get("difference"):
        text += (  # "0%-100%" at --replicates 2, said on the terminal without a word (a user)
            f"; each design point's share is of only {k} run{'s' * (k != 1)} (steps of "
            f"{share(1 / k)}), so that range is wider than the parameters make it (more "
            "--replicates)"
        )
    if noisy(h):
        what = "the driver named" if ", chiefly " in text else "these indices"
        said = noise_said(h, "its spread across the design")
        text += f"; {said}, so {what} may be noise (more --replicates)"
    return text


def largest_total(drivers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The driver with the largest total index whose interval is above zero (visible, and an
    estimate), which a statement names where no parameter visibly acts alone; None if none."""
    clear = [d for d in drivers if d["ST"] is not None and d["ST"] > (d["ST_conf"] or 0.0)]
    return max(clear, key=lambda d: d["ST"]) if clear else None


def _ahead(above: list[dict[str, Any]]) -> str:
    """Why the drivers ranked above a named leader do not lead: an index clear of zero whose
    two ends overlap, or one inside its noise (all were said to be "inside theirs", of an
    index of 0.72 ± 0.30: red-team)."""
    seen = [d for d in above if _is_strong(d)]
    noise = [d for d in above if not _is_strong(d)]

    def names(ds: list[dict[str, Any]]) -> str:
        shown = ", ".join(
            f"{d['parameter']} {d['S1']:.2f} ± {d['S1_conf'] or 0:.2f}" for d in ds[:2]
        )
        return shown + (" ..." if len(ds) > 2 else "")

    def why(ds: list[dict[str, Any]], words: str) -> list[str]:
        one = len(ds) == 1
        verb = "ranks" if one else "rank"
        return [f"{names(ds)} {verb} above it, {words.format('its' if one else 'their')}"] * bool(
            ds
        )

    parts = why(seen, "clear of zero, but {} two ends overlap") + why(noise, "inside {} noise")
    return "; ".join(parts)


def _premises(h: dict[str, Any]) -> str:
    """What the envelope also varies of the scenario's own premises (values it sets by hand),
    or what it held: a range "over what the record does not pin down" that also spans a
    scenario's `[region]` offers below the levels it assumes is not that (helper-61)."""
    mine, held = h.get("own_varied") or [], h.get("own_held") or []
    fixed = h.get("own_fixed") or []  # set by hand and not varied at all: kept either way
    why = h.get("own_fixed_why") or {}
    kept = (
        "; kept as the scenario sets "
        + ("it: " if len(fixed) == 1 else "them: ")
        + _names([f"{n} ({why[n]})" if n in why else n for n in fixed])
        if fixed
        else ""
    )
    whose = "the scenarios'" if h.get("difference") else "the scenario's"  # (one or both:
    where = "each scenario's" if h.get("difference") else "the scenario's"  # helper-77)
    if mine:
        return (
            f" and {len(mine)} of {whose} own settings ({_names(mine)}; --hold-own "
            f"keeps {'it' if len(mine) == 1 else 'them'} at {where} values{kept})"
        )
    if held:
        its = "their" if h.get("difference") else "its"
        return f" ({whose} own settings held at {its} values: {_names(held)}{kept})"
    if fixed:
        return f" ({kept[2:]})"
    return ""


def _names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")


def _at(top: dict[str, Any], key: str, places: int = 0) -> str:
    """``top[key]`` as a share, with its interval where the analysis has one."""
    ci = top.get(f"{key}_ci")
    return f"{top[key]:.{places}%}" + (f" [{ci[0]:.{places}%}, {ci[1]:.{places}%}]" if ci else "")


def _at_points(top: dict[str, Any], key: str, places: int = 0) -> str:
    """``top[key]``, a difference, in points with its interval where the analysis has one."""
    ci = top.get(f"{key}_ci")
    said = _points(top[key], places)
    return said + (f" [{_pts(ci[0], places)}, {_pts(ci[1], places)}]" if ci else "")


def _places(top: dict[str, Any]) -> int:
    """Decimals of a percentage at which a named driver's two ends, whose intervals are apart,
    also read apart ("18% [1%, 50%]" beside "0% [0%, 1%]" of intervals 0.013-0.50 and
    0-0.008: helper-63); 0 where they already do."""
    lo, hi = top.get("at_low_ci"), top.get("at_high_ci")
    if not (lo and hi):
        return 0
    a, b = sorted((lo, hi))  # the lower interval first
    for k in range(3):
        if round(a[1] * 100, k) < round(b[0] * 100, k):
            return k
    return 2


def _pm(value: float, half: float | None) -> str:
    """``value ± half`` at two decimals, or three where the interval's lower end, above zero,
    would read as zero ("0.31 ± 0.31" of a lower end at 0.007: helper-63)."""
    half = half or 0.0
    k = 2
    while value - half > 0 and round(value, k) <= round(half, k) and k < 4:
        k += 1  # as printed, the interval would reach zero
    return f"{value:.{k}f} ± {half:.{k}f}"
