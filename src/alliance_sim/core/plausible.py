"""Plausible ranges: where a user should sample each parameter, beside the validity limits.

The registry's ``low``/``high`` (``core/params.py``) say what the equations accept: fed to
SALib or EMA Workbench they produce worlds nobody argues for (``western_offer`` up to 1, a
Western engagement seventeen times the default; Armenia exits in 90% of such runs).  The
ranges here are what the evidence or the shipped scenarios treat as credible; each names its
source, or says ``assumption: ...`` and why.  Three kinds of evidence are used:

* ``calibration prior``: the prior range of ``history_2020_2024.toml``'s ``[calibrate]`` table,
  the widest range the 2020-2024 replay was allowed to consider;
* ``sweep``: the range the shipped scenarios sweep (``scenarios/*.toml``);
* ``assumption``: a judgement, stated, with the default inside it.

Per-member figures take their plausible range from ``data/members.toml`` (``low``/``high`` of
an assumed figure); a sourced figure's range is the figure itself (see :func:`plausible_range`).
"""

from __future__ import annotations

from typing import NamedTuple


class Plausible(NamedTuple):
    low: float
    high: float
    source: str


_CAL = "calibration prior of history_2020_2024.toml"
_A = Plausible
PLAUSIBLE: dict[str, Plausible] = {
    # --- Russia -------------------------------------------------------------------------------
    "russian_bandwidth": _A(
        0.1, 0.9, "sweep: kazakhstan_unrest_repeat 0.1-0.9 (war-absorbed to freed by its end)"
    ),
    "russian_pressure": _A(0.1, 0.7, "sweep: armenia_exits 0.1-0.7, baseline 0.1-0.5"),
    "drift_response": _A(0.5, 2.0, "assumption: Russia at most doubles pressure per unit drift"),
    "drift_reference": _A(
        0.55, 0.85, "assumption: Moscow expects more than hedging (0.45) short of Belarus (0.9)"
    ),
    "russian_inducement": _A(
        0.1,
        0.5,
        "assumption: inducements shrink with bandwidth but never vanish ([EVSTRATOV-2022])",
    ),
    # --- West and China -----------------------------------------------------------------------
    "western_offer": _A(0.02, 0.16, "sweep: armenia_exits 0.02-0.16, baseline 0.02-0.15"),
    "west_opportunism": _A(
        0.0, 1.5, "assumption: the West at most adds 1.5x its offer for a drifting member"
    ),
    "chinese_offer": _A(0.02, 0.2, "sweep: baseline 0.02-0.2 (china_security_push to 0.3)"),
    "sco_substitution": _A(0.0, 2.0, "sweep: china_security_push 0-2"),
    "china_security_weight": _A(0.2, 1.0, "sweep: china_security_push 0.2-1"),
    "ties_decay": _A(0.05, 0.2, "assumption: unrenewed ties halve in 3-14 quarters"),
    # --- the members' weighing ----------------------------------------------------------------
    "commitment_bias": _A(-3.0, 1.0, _CAL),
    "security_weight": _A(0.5, 4.0, _CAL),
    "dependence_weight": _A(1.0, 4.5, _CAL),
    "regime_weight": _A(0.0, 3.0, _CAL),
    "alternatives_weight": _A(0.5, 3.0, _CAL),
    "grievance_weight": _A(0.5, 3.0, _CAL),
    "pressure_gain": _A(0.5, 2.0, "assumption: within a factor two of the default"),
    "pressure_backlash": _A(1.0, 6.0, _CAL),
    "adjustment_rate": _A(0.05, 0.5, _CAL),
    "commitment_noise": _A(0.005, 0.04, _CAL),
    # --- Article 4 credibility ----------------------------------------------------------------
    "credibility_base_rate": _A(
        0.65,
        0.85,
        "[LEEDS-LONG-MITCHELL-2000]: 74.5% honoured (via [BRIEF-2020-2024] §3), +-0.1 across eras",
    ),
    "credibility_prior_strength": _A(
        2.0, 10.0, "assumption: the base rate weighs as 2-10 appeals' worth of evidence"
    ),
    "own_appeal_weight": _A(1.0, 8.0, _CAL),
    "observer_weight": _A(0.0, 2.0, _CAL),
    "credibility_memory": _A(0.01, 0.1, "assumption: evidence fades over 2.5-25 years"),
    "attack_hazard_scale": _A(0.5, 2.0, "assumption: within a factor two of members.toml"),
    "unrest_hazard_scale": _A(0.5, 2.0, "assumption: within a factor two of members.toml"),
    "clash_hazard_scale": _A(0.5, 2.0, "assumption: within a factor two of members.toml"),
    "answer_floor": _A(
        0.1,
        0.4,
        "assumption: Russia kept some capacity in 2022 (Kazakhstan answered, [EVSTRATOV-2022])",
    ),
    "attack_threat": _A(0.1, 0.5, "assumption: an attack raises felt threat, short of doubling"),
    "threat_decay": _A(0.1, 0.5, "assumption: an attack's added threat fades in 1-7 quarters"),
    # --- grievance ----------------------------------------------------------------------------
    "grievance_unanswered": _A(0.1, 1.5, _CAL),
    "grievance_backlash": _A(0.5, 2.0, "assumption: within a factor two of the default"),
    "grievance_remittance": _A(0.5, 4.0, "sweep: remittance_shock 0.5-4"),
    "grievance_decay": _A(0.02, 0.15, "assumption: grievance halves in 1-9 years"),
    "remittance_recovery": _A(0.02, 0.3, "sweep: remittance_shock 0.02-0.3"),
    # --- status, exit, contagion ----------------------------------------------------------------
    "hedge_below": _A(0.35, 0.55, "assumption: hedging starts near half-hearted commitment"),
    "hedge_recover": _A(0.45, 0.65, "assumption: hedge_below plus a hysteresis of about 0.1"),
    "suspend_below": _A(0.15, 0.35, "assumption: Armenia froze at low, not zero, commitment"),
    "suspend_recover": _A(0.25, 0.45, "assumption: suspend_below plus a hysteresis of about 0.1"),
    "exit_below": _A(0.05, 0.2, "assumption: leaving takes near-zero commitment"),
    "status_patience": _A(1, 4, "assumption: status changes after one quarter to a year"),
    "exit_patience": _A(2, 8, "assumption: half a year to two years below exit_below"),
    "exit_hazard": _A(0.05, 0.3, "assumption: no member left 2020-2024 ([BRIEF-2020-2024] §6)"),
    "exit_cost_weight": _A(0.3, 0.9, "assumption: Russian bases deter exit, never absolutely"),
    "contagion": _A(-0.5, 0.8, f"{_CAL}; sweep: baseline -0.5-0.8"),
    "contagion_decay": _A(0.05, 0.3, "assumption: a defection's signal fades in 2-14 quarters"),
    # the mechanisms of core/mechanisms.py (ranges from the parameters' own text, core/params.py)
    "mech_bounded_ties": _A(0.0, 1.0, "switch"),
    "ties_saturation": _A(0.5, 3.0, "assumption: one to five years of a full Western offer"),
    "economic_tie_weight": _A(0.1, 0.5, "assumption ([CEPA-2023]: EU FDI while Kazakhstan stays)"),
    "west_security_share": _A(0.1, 0.4, "assumption ([EVSTRATOV-2022] [CEPA-2023])"),
    "mech_fear_of_patron": _A(0.0, 1.0, "switch"),
    "fear_weight": _A(0.3, 2.0, _CAL),
    "patron_threat_decay": _A(0.01, 0.08, "assumption ([BRIEF-2014-2024] §6)"),
    "patron_threat_initial": _A(0.2, 1.0, "assumption: the residue of 2008 and 2014"),
    "mech_strategic_russia": _A(0.0, 1.0, "switch"),
    "russia_adaptation": _A(
        0.1, 1.0, "assumption (CPC halt and its reversal, [BRIEF-2014-2024] §4)"
    ),
    "russia_backlash_aversion": _A(1.0, 6.0, "assumption"),
    "coercion_share_initial": _A(0.5, 0.9, "assumption ([BRIEF-2014-2024] §4)"),
    "inducement_gain": _A(0.5, 2.0, "assumption: same order as pressure_gain"),
    "bandwagoning": _A(0.4, 1.0, _CAL),
    "mech_az_tr": _A(0.0, 1.0, "switch"),
    "az_threat_decay": _A(
        0.05, 0.3, "assumption (incursions 8 and 16 months after the war, [BRIEF-2014-2024] §5)"
    ),
    "az_russia_ties_initial": _A(0.3, 0.7, "assumption ([BRIEF-2014-2024] §5)"),
    "az_turkey_ties_initial": _A(0.5, 0.8, "assumption ([BRIEF-2014-2024] §5)"),
    "az_interest_max": _A(0.3, 0.9, "assumption"),
    "turkey_deterrence": _A(0.2, 0.8, "assumption"),
    "mech_alliance_dilemma": _A(0.0, 1.0, "switch"),
    "answer_loyalty": _A(
        -0.5, 2.0, "assumption: Manas 2009-10 and Armenia 2021-22 unanswered, Kazakhstan answered"
    ),
    "mech_az_decides": _A(0.0, 1.0, "switch"),
    "az_opportunism": _A(
        0.0, 3.0, "assumption ([BRIEF-2014-2024] §5: attacks while Russia was absorbed)"
    ),
    "az_answer_reference": _A(0.05, 0.5, "assumption"),
    "western_deterrence": _A(0.0, 0.6, "assumption (EU monitoring mission 2023)"),
    "mech_consensus": _A(0.0, 1.0, "switch"),
    "mech_bloc_consent": _A(0.0, 1.0, "switch"),
    "consent_correlation": _A(0.2, 0.8, "assumption: decisions pass or stall as a bloc"),
    "consent_russia_pull": _A(0.0, 0.3, "assumption: a dependent member rarely blocks Moscow"),
    "consent_cut": _A(0.3, 0.6, "assumption: a member at its hedging threshold may veto"),
    "consent_scale": _A(0.05, 0.2, "assumption"),
    "entrapment_weight": _A(0.5, 3.0, "assumption ([EVSTRATOV-2022]: a more confrontational bloc)"),
    "mech_own_application": _A(0.0, 1.0, "switch"),
    "application_hazard": _A(
        0.0, 0.05, "assumption bounded by the record: no CSTO application by Iran 2006-2024"
    ),
    "application_above": _A(0.5, 0.8, "assumption: above the hedging threshold"),
    # the observation model (calibrated to the UN votes, summits, drills and budget on record)
    "vote_cut_ukraine": _A(0.5, 1.0, _CAL),
    "vote_cut_crimea": _A(0.2, 0.8, _CAL),
    "vote_abstain_band": _A(0.2, 0.8, "assumption: no ally voted against Russia on an ES-11 text"),
    "attend_cut": _A(0.0, 0.6, _CAL),
    "exercise_cut": _A(0.0, 0.7, _CAL),
    "budget_cut": _A(0.0, 0.5, "assumption: only a suspended member (Armenia 2024) stopped paying"),
    "obs_scale": _A(0.02, 0.2, _CAL),
    "obs_suspended": _A(0.0, 0.1, "assumption: Armenia skipped every summit and drill of 2024"),
}


#: A recovery threshold is its entry threshold plus a hysteresis, and is sampled as that width
#: above the entry threshold's value in the same run: sampled on its own over a range that
#: overlaps the entry threshold's, one design point in five or so had recovery at or below
#: entry, an inverted hysteresis that ``validate`` refuses in a scenario file.
HYSTERESIS: dict[str, tuple[str, Plausible]] = {
    "suspend_recover": (
        "suspend_below",
        _A(
            0.02,
            0.2,
            "assumption: a hysteresis of about 0.1 above suspend_below (the "
            "defaults': 0.35 - 0.25); at least 0.02, so that a status does not flap",
        ),
    ),
    "hedge_recover": (
        "hedge_below",
        _A(
            0.02,
            0.2,
            "assumption: a hysteresis of about 0.1 above hedge_below (the defaults': "
            "0.55 - 0.45); at least 0.02, so that a status does not flap",
        ),
    ),
}


def plausible_range(name: str) -> Plausible | None:
    """The plausible range of a parameter named as in a sweep: a global parameter, or
    ``members.CODE.field`` (the member's ``low``/``high`` in ``data/members.toml`` for an
    assumed figure; the figure itself, twice, for a sourced one).  None if unknown."""
    parts = name.split(".")
    if len(parts) == 1:
        return PLAUSIBLE.get(name)
    if len(parts) == 3 and parts[0] == "members":
        from alliance_sim.core import members as mb

        entry = mb._raw().get(parts[1], {}).get(parts[2])
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), int | float):
            return None
        if "low" in entry and "high" in entry:
            why = f"members.toml {parts[1]}: assumption: {entry.get('assumption', '')}"
            return Plausible(float(entry["low"]), float(entry["high"]), why)
        v = float(entry["value"])
        return Plausible(v, v, f"members.toml {parts[1]}: {entry.get('source', 'sourced')}")
    return None


def member_plausible(field: str) -> Plausible:
    """The union over members of a member figure's plausible ranges (one row of
    ``parameters()``; sample a member's own range with :func:`plausible_range`)."""
    from alliance_sim.core import members as mb

    ranges = [plausible_range(f"members.{code}.{field}") for code in mb.CODES]
    ranges = [r for r in ranges if r is not None]
    if not ranges:
        return Plausible(float("nan"), float("nan"), "")
    return Plausible(
        min(r.low for r in ranges),
        max(r.high for r in ranges),
        "union over members of data/members.toml; per member: plausible_range('members.CODE."
        f"{field}')",
    )
