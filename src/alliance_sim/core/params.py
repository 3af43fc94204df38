"""The one registry of global model parameters.

Every parameter the dynamics read is declared here once, with its default, its allowed range,
its unit, what it means in the world and where the number comes from.  ``parameters()`` (the
public table), the scenario validator, the CLI's ``list parameters`` and ``docs/model.md`` all
read this registry.  (The module is long because it is data: one entry per parameter with
its meaning and source; the code is the few functions at the end.)  Per-member figures (trade
shares, tolerance, ...) live in ``data/members.toml`` and are described by
:data:`alliance_sim.core.members.MEMBER_FIELDS`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from numbers import Real
from typing import TYPE_CHECKING, Any

from alliance_sim.errors import ScenarioError, did_you_mean, typename

if TYPE_CHECKING:
    import pandas as pd

ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Param:
    """One global parameter.

    ``low``/``high`` bound what a scenario may set (validation) and are the default sweep range.
    ``source`` is a citation, or ``"assumption"`` (with the reasoning in ``meaning``) where no
    figure exists; assumptions are what calibration fits.
    """

    name: str
    default: float
    low: float
    high: float
    unit: str
    meaning: str
    source: str = ASSUMPTION
    group: str = "members"
    integer: bool = False

    @property
    def is_assumption(self) -> bool:
        return self.source == ASSUMPTION


_P = Param
REGISTRY: tuple[Param, ...] = (
    # --- Russia -----------------------------------------------------------------------------
    _P(
        "russian_bandwidth",
        0.4,
        0.0,
        1.0,
        "share",
        "Share of Russia's military-political capacity not absorbed by the war in Ukraine; scales "
        "its pressure, inducements and its ability to answer Article 4 appeals. Assumption: "
        "'Russia's hands are seriously tied' by the war ([EVSTRATOV-2022]); plausible range "
        "0.2-0.7.",
        ASSUMPTION,
        "russia",
    ),
    _P(
        "russian_pressure",
        0.3,
        0.0,
        1.0,
        "index 0-1",
        "Baseline intensity of Russian coercion per quarter at full bandwidth (energy prices, "
        "migrant policy, trade bans, information pressure). Assumption: 'rude, authoritarian "
        "actions' against allies ([EVSTRATOV-2022]); plausible range 0.1-0.5.",
        ASSUMPTION,
        "russia",
    ),
    _P(
        "drift_response",
        1.0,
        0.0,
        3.0,
        "multiplier",
        "How much Russia raises pressure on a member per unit of drift below the commitment it "
        "expects (drift_reference).",
        group="russia",
    ),
    _P(
        "drift_reference",
        0.7,
        0.3,
        1.0,
        "commitment",
        "Commitment Russia expects of an ally; below it Russia leans on the member harder.",
        group="russia",
    ),
    _P(
        "russian_inducement",
        0.3,
        0.0,
        1.0,
        "utility",
        "Pull of Russian inducements at full bandwidth (subsidised gas, loans, arms at domestic "
        "prices), scaled by the member's dependence.",
        group="russia",
    ),
    # --- West and China ---------------------------------------------------------------------
    _P(
        "western_offer",
        0.06,
        0.0,
        1.0,
        "ties/quarter",
        "Western engagement per quarter offered to a fully open member (investment, arms, "
        "exercises, monitoring missions); accumulates into Western ties. Assumption in ties "
        "units, not derived from a dollar figure (the US DoD's $500 m for Central Asia in 2022, "
        "[EVSTRATOV-2022], shows such engagement exists, not its size); plausible range 0.02-0.15.",
        ASSUMPTION,
        "outside",
    ),
    _P(
        "west_opportunism",
        0.5,
        0.0,
        3.0,
        "multiplier",
        "How much the West raises its offer to a member per unit the member drifts from Russia "
        "(1 - commitment).",
        group="outside",
    ),
    _P(
        "chinese_offer",
        0.08,
        0.0,
        1.0,
        "ties/quarter",
        "Chinese engagement per quarter (investment, SCO security cooperation) per unit of the "
        "member's trade share with China. Assumption: 'China as a security actor' via the SCO "
        "([HANSBURY-2023]); plausible range 0.02-0.2.",
        ASSUMPTION,
        "outside",
    ),
    _P(
        "sco_substitution",
        0.5,
        0.0,
        2.0,
        "multiplier",
        "How much China steps up when Russia is distracted: its offer grows by this factor times "
        "(1 - russian_bandwidth). Assumption ([HANSBURY-2023]: the war hastens the shift to "
        "China as a security actor); plausible range 0-2.",
        ASSUMPTION,
        "outside",
    ),
    _P(
        "china_security_weight",
        0.5,
        0.0,
        1.0,
        "share",
        "How far Chinese ties substitute for CSTO security, relative to Western ties (1 = as "
        "much). With mech_bounded_ties on: the share of routine Chinese engagement that "
        "carries security (SCO exercises, border posts) rather than investment and trade.",
        group="outside",
    ),
    _P(
        "ties_decay",
        0.1,
        0.01,
        0.5,
        "1/quarter",
        "Share of accumulated Western/Chinese ties that lapses each quarter without renewal.",
        group="outside",
    ),
    # --- the members' weighing --------------------------------------------------------------
    _P(
        "commitment_bias",
        -1.0,
        -4.0,
        2.0,
        "utility",
        "Baseline pull of membership before any benefit or cost (the intercept of the weighing).",
    ),
    _P(
        "security_weight",
        2.0,
        0.0,
        5.0,
        "utility",
        "Weight of the security value of membership: credibility x threat exposure.",
    ),
    _P(
        "dependence_weight",
        2.5,
        0.0,
        5.0,
        "utility",
        "Weight of economic, energy and military dependence on Russia.",
    ),
    _P(
        "regime_weight",
        1.0,
        0.0,
        5.0,
        "utility",
        "Weight of regime security (the January 2022 deployment): regime need x credibility.",
    ),
    _P(
        "alternatives_weight",
        1.5,
        0.0,
        5.0,
        "utility",
        "Weight of Western and Chinese ties as alternatives to the alliance.",
    ),
    _P(
        "grievance_weight",
        1.5,
        0.0,
        5.0,
        "utility",
        "Weight of accumulated grievance (unanswered appeals, Russian backlash, remittance "
        "crackdowns).",
    ),
    _P(
        "pressure_gain",
        1.0,
        0.0,
        5.0,
        "utility/pressure",
        "Compliance bought per unit of Russian pressure up to the member's tolerance.",
    ),
    _P(
        "pressure_backlash",
        3.0,
        0.0,
        10.0,
        "utility/pressure",
        "Backlash per unit of Russian pressure beyond the member's tolerance.",
    ),
    _P(
        "adjustment_rate",
        0.2,
        0.01,
        1.0,
        "1/quarter",
        "Share of the gap between a member's commitment and what its weighing favours that "
        "closes each quarter (policy inertia).",
    ),
    _P(
        "commitment_noise",
        0.02,
        0.0,
        0.2,
        "commitment",
        "Standard deviation of quarterly idiosyncratic shocks to commitment (domestic politics "
        "the model does not represent).",
    ),
    # --- Article 4 credibility --------------------------------------------------------------
    _P(
        "credibility_base_rate",
        0.75,
        0.5,
        0.95,
        "probability",
        "Base rate at which allies honour commitments; the prior mean of every member's belief "
        "that Article 4 will be honoured for it.",
        "Leeds 2003 [LEEDS-2003]; Leeds, Long & Mitchell 2000: 74.5% [LEEDS-LONG-MITCHELL-2000]; "
        "via [BRIEF-2020-2024] §3",
        "credibility",
    ),
    _P(
        "credibility_prior_strength",
        4.0,
        1.0,
        20.0,
        "pseudo-appeals",
        "Weight of the base-rate prior, in appeals' worth of evidence.",
        group="credibility",
    ),
    _P(
        "own_appeal_weight",
        3.0,
        0.5,
        10.0,
        "pseudo-appeals",
        "Evidence a member takes from the answer to its own appeal.",
        group="credibility",
    ),
    _P(
        "observer_weight",
        0.7,
        0.0,
        5.0,
        "pseudo-appeals",
        "Evidence a member takes from the answer to another member's appeal (less than its own).",
        group="credibility",
    ),
    _P(
        "credibility_memory",
        0.03,
        0.0,
        0.3,
        "1/quarter",
        "Share of the evidence beyond the prior that fades each quarter (memory of past answers).",
        group="credibility",
    ),
    _P(
        "attack_hazard_scale",
        1.0,
        0.0,
        5.0,
        "multiplier",
        "Multiplies every member's quarterly probability of an external attack.",
        group="credibility",
    ),
    _P(
        "unrest_hazard_scale",
        1.0,
        0.0,
        5.0,
        "multiplier",
        "Multiplies every member's quarterly probability of regime-threatening unrest.",
        group="credibility",
    ),
    _P(
        "clash_hazard_scale",
        1.0,
        0.0,
        5.0,
        "multiplier",
        "Multiplies the quarterly probability of a border clash between two members "
        "(Kyrgyzstan-Tajikistan).",
        group="credibility",
    ),
    _P(
        "answer_floor",
        0.2,
        0.0,
        1.0,
        "share",
        "Share of its answering capacity Russia keeps even at zero bandwidth.",
        group="credibility",
    ),
    _P(
        "attack_threat",
        0.3,
        0.0,
        1.0,
        "threat",
        "Threat an attack or a border clash adds to the exposure a member feels.",
        group="credibility",
    ),
    _P(
        "threat_decay",
        0.25,
        0.05,
        1.0,
        "1/quarter",
        "Share of an attack's added threat that fades each quarter.",
        group="credibility",
    ),
    # --- grievance ---------------------------------------------------------------------------
    _P(
        "grievance_unanswered",
        0.5,
        0.0,
        2.0,
        "grievance",
        "Grievance a member adds when its own appeal goes unanswered, per unit of severity.",
        group="grievance",
    ),
    _P(
        "grievance_backlash",
        1.0,
        0.0,
        5.0,
        "grievance/pressure",
        "Grievance added per quarter per unit of pressure beyond tolerance.",
        group="grievance",
    ),
    _P(
        "grievance_remittance",
        2.0,
        0.0,
        5.0,
        "grievance",
        "Grievance added by a remittance shock per unit of remittances lost (share of GDP).",
        group="grievance",
    ),
    _P(
        "grievance_decay",
        0.05,
        0.0,
        0.5,
        "1/quarter",
        "Share of grievance that fades each quarter.",
        group="grievance",
    ),
    _P(
        "remittance_recovery",
        0.1,
        0.0,
        1.0,
        "1/quarter",
        "Share of a remittance shortfall recovered each quarter.",
        group="grievance",
    ),
    # --- status, exit, contagion --------------------------------------------------------------
    _P(
        "hedge_below",
        0.45,
        0.05,
        0.95,
        "commitment",
        "An active member starts hedging when its commitment stays below this.",
        group="status",
    ),
    _P(
        "hedge_recover",
        0.55,
        0.05,
        0.95,
        "commitment",
        "A hedging member is active again when its commitment stays above this (> hedge_below: "
        "hysteresis).",
        group="status",
    ),
    _P(
        "suspend_below",
        0.25,
        0.0,
        0.9,
        "commitment",
        "A hedging member suspends participation when its commitment stays below this.",
        group="status",
    ),
    _P(
        "suspend_recover",
        0.35,
        0.0,
        0.9,
        "commitment",
        "A suspended member resumes (hedging) when its commitment stays above this.",
        group="status",
    ),
    _P(
        "exit_below",
        0.12,
        0.0,
        0.9,
        "commitment",
        "A suspended member considers leaving once its commitment stays below this.",
        group="status",
    ),
    _P(
        "status_patience",
        2,
        1,
        8,
        "quarters",
        "Consecutive quarters a threshold must be crossed before a status changes.",
        group="status",
        integer=True,
    ),
    _P(
        "exit_patience",
        4,
        1,
        20,
        "quarters",
        "Consecutive quarters below exit_below before a suspended member may leave.",
        group="status",
        integer=True,
    ),
    _P(
        "exit_hazard",
        0.15,
        0.0,
        1.0,
        "probability/quarter",
        "Quarterly probability that a member past exit_patience files its withdrawal, before "
        "exit costs.",
        group="status",
    ),
    _P(
        "exit_cost_weight",
        0.6,
        0.0,
        1.0,
        "share",
        "How much Russian sites and dependence deter a formal exit (the exit hazard is "
        "multiplied by 1 - exit_cost_weight x exit cost).",
        group="status",
    ),
    _P(
        "contagion",
        0.3,
        -1.0,
        1.0,
        "utility",
        "How others read a suspension or exit: > 0 contagion (they follow), < 0 deterrence "
        "(Russia's punishment of defectors keeps them in).",
        group="status",
    ),
    _P(
        "contagion_decay",
        0.1,
        0.01,
        1.0,
        "1/quarter",
        "Share of the signal of a recent defection that fades each quarter.",
        group="status",
    ),
    # --- mechanisms (issue 14): each switched by one 0/1 parameter, mech_<name> ---------------
    _P(
        "mech_bounded_ties",
        1,
        0,
        1,
        "switch 0/1",
        "Mechanism 'bounded_ties': 1 = outside ties are bounded complements (diminishing "
        "returns; only their security part substitutes fully for the alliance); 0 = the old "
        "unbounded linear substitute (Western ties + china_security_weight x Chinese ties).",
        "model switch (docs/model.md, mechanisms)",
        "mechanisms",
        integer=True,
    ),
    _P(
        "ties_saturation",
        1.0,
        0.2,
        5.0,
        "ties",
        "Scale of the diminishing returns of outside ties: the effective outside option is "
        "ties_saturation x (1 - exp(-X / ties_saturation)) for weighted ties X, equal to X for "
        "small X and never above ties_saturation. Plausible range 0.5-3 (one to five years of a "
        "full Western offer).",
        group="mechanisms",
    ),
    _P(
        "economic_tie_weight",
        0.3,
        0.0,
        1.0,
        "share",
        "How far economic ties (investment, trade) substitute for the alliance's security "
        "relative to security ties (arms, exercises, monitoring missions, SCO security "
        "cooperation) = 1. A multi-vector state takes the money and stays ([CEPA-2023]: EU 48% of "
        "Kazakh FDI while Kazakhstan stays in the CSTO); plausible range 0.1-0.5.",
        group="mechanisms",
    ),
    _P(
        "west_security_share",
        0.25,
        0.0,
        1.0,
        "share",
        "Share of routine Western engagement that carries security (arms, exercises, "
        "monitoring) rather than investment and trade. Plausible range 0.1-0.5: US DoD $500 m "
        "for Central Asian military cooperation in 2022 ([EVSTRATOV-2022]) beside > $31 bn of US "
        "private investment in Kazakhstan alone ([CEPA-2023]).",
        group="mechanisms",
    ),
    _P(
        "mech_fear_of_patron",
        1,
        0,
        1,
        "switch 0/1",
        "Mechanism 'fear_of_patron': 1 = Russia's use of force against a neighbour "
        "(russian_force events) raises the threat Russia poses in each member's eyes, by its "
        "exposure, and distance from the alliance gains security value; 0 = no such term.",
        "model switch (docs/model.md, mechanisms)",
        "mechanisms",
        integer=True,
    ),
    _P(
        "fear_weight",
        1.0,
        0.0,
        4.0,
        "utility/threat",
        "Pull away from the alliance per unit of patron threat, for a regime that does not rely "
        "on Russia for its survival (scaled by 1 - regime_need). Plausible range 0.3-2.",
        group="mechanisms",
    ),
    _P(
        "patron_threat_decay",
        0.03,
        0.005,
        0.2,
        "1/quarter",
        "Share of the patron threat that fades each quarter: slowly (half-life about 6 years at "
        "0.03) — Nazarbayev's 2014 answer to Putin's 'never had statehood' was still echoed in "
        "2020 ([BRIEF-2014-2024] §6). Plausible range 0.01-0.08.",
        group="mechanisms",
    ),
    _P(
        "patron_threat_initial",
        0.5,
        0.0,
        1.5,
        "threat",
        "Patron threat at the start of a run, per unit of exposure: the residue of earlier uses "
        "of force. 0.5 is what Georgia 2008 (size 0.5) and Crimea 2014 (size 0.8) leave at "
        "2020Q1 with patron_threat_decay 0.03; plausible range 0.2-0.8 (the sizes are "
        "assumptions). A run that starts after 2022 without a russian_force event should set "
        "it higher (the invasion of Ukraine adds about 1.0 x 0.97^quarters since).",
        group="mechanisms",
    ),
    _P(
        "mech_strategic_russia",
        1,
        0,
        1,
        "switch 0/1",
        "Mechanism 'strategic_russia': 1 = Russia splits a per-member budget between coercion "
        "and inducement and adapts the split (eases where backlash grows, rewards where "
        "compliance holds), and members answer coercion by bandwagoning or balancing; 0 = the "
        "old fixed pressure rule (all budget as coercion, full compliance up to tolerance).",
        "model switch (docs/model.md, mechanisms)",
        "mechanisms",
        integer=True,
    ),
    _P(
        "russia_adaptation",
        0.3,
        0.0,
        2.0,
        "share/quarter",
        "How fast Russia shifts a member's budget between coercion and inducement per unit of "
        "its signal (drift below drift_reference minus backlash). Plausible range 0.1-1: "
        "Moscow answered Astana's June 2022 refusal within weeks (CPC halt, [BRIEF-2014-2024] "
        "§4) and eased as quickly (court ruling overturned in days).",
        group="mechanisms",
    ),
    _P(
        "russia_backlash_aversion",
        3.0,
        0.0,
        10.0,
        "multiplier",
        "How strongly backlash (pressure beyond the member's tolerance plus growth of its "
        "grievance) makes Russia ease coercion, relative to drift. Plausible range 1-6.",
        group="mechanisms",
    ),
    _P(
        "coercion_share_initial",
        0.7,
        0.0,
        1.0,
        "share",
        "Share of Russia's budget for a member spent on coercion at the start of a run (the rest "
        "is inducement: discounted gas and arms, loans). Plausible range 0.4-0.9: trade bans "
        "on Armenia and Kazakhstan beside gas at $128-165/tcm and loans to Belarus "
        "([BRIEF-2014-2024] §4).",
        group="mechanisms",
    ),
    _P(
        "inducement_gain",
        1.0,
        0.0,
        4.0,
        "utility/inducement",
        "Commitment bought per unit of Russia's targeted inducement. Plausible range 0.5-2 "
        "(same order as pressure_gain).",
        group="mechanisms",
    ),
    _P(
        "bandwagoning",
        0.75,
        0.0,
        1.0,
        "share",
        "How members answer coercion within their tolerance: 1 = bandwagoning (each unit buys "
        "pressure_gain of compliance), 0.5 = indifference, 0 = balancing (it pushes them away "
        "by as much). Plausible range 0.4-1; calibration fits it.",
        group="mechanisms",
    ),
    _P(
        "mech_az_tr",
        1,
        0,
        1,
        "switch 0/1",
        "Mechanism 'az_tr': 1 = Azerbaijan (with Turkey) is an actor whose threat toward "
        "Armenia rises with wars and incursions and falls with a peace or delimitation deal, "
        "scaling Armenia's attack hazard and threat exposure; its ties to Russia and Turkey set "
        "Russia's interest in answering Armenia; 0 = the fixed russian_interest, attack_hazard "
        "and threat_exposure of members.toml.",
        "model switch (docs/model.md, mechanisms)",
        "mechanisms",
        integer=True,
    ),
    _P(
        "az_threat_decay",
        0.15,
        0.02,
        0.5,
        "1/quarter",
        "Share of the gap between Azerbaijan's threat toward Armenia and its standing level "
        "that closes each quarter (a war's or incursion's surge fades). Plausible range "
        "0.05-0.3: incursions came 8 and 16 months after the 2020 war ([BRIEF-2014-2024] §5).",
        group="mechanisms",
    ),
    _P(
        "az_russia_ties_initial",
        0.5,
        0.0,
        1.0,
        "index 0-1",
        "Azerbaijan's ties to Russia at the start of a run (1 = an ally Russia would not cross). "
        "Plausible range 0.3-0.7 before the 22 Feb 2022 Declaration on Allied Interaction "
        "([BRIEF-2014-2024] §5), which an az_event of kind russia_ties raises.",
        group="mechanisms",
    ),
    _P(
        "az_turkey_ties_initial",
        0.7,
        0.0,
        1.0,
        "index 0-1",
        "Azerbaijan's ties to Turkey at the start of a run. Plausible range 0.5-0.8 before the "
        "Shusha Declaration (15 Jun 2021, mutual assistance; [BRIEF-2014-2024] §5); Turkey "
        "supplied drones and rockets in 2020 (AP, ibid.).",
        group="mechanisms",
    ),
    _P(
        "az_interest_max",
        0.6,
        0.0,
        1.0,
        "probability",
        "Russia's willingness to answer Armenia at full bandwidth if Azerbaijan had no ties to "
        "Russia or Turkey. Plausible range 0.3-0.9 (the Gyumri base; Russia's answer rate for "
        "Kazakhstan, 0.85, bounds it).",
        group="mechanisms",
    ),
    _P(
        "turkey_deterrence",
        0.5,
        0.0,
        1.0,
        "share",
        "How far Azerbaijan's ties to Turkey (a NATO member) deter Russia from answering "
        "Armenia: the interest is multiplied by 1 - turkey_deterrence x Turkey ties. Plausible "
        "range 0.2-0.8.",
        group="mechanisms",
    ),
)

OBSERVATION: tuple[Param, ...] = (
    # --- the observation model (core/observations.py): what the record shows -----------------
    _P(
        "vote_cut_ukraine",
        0.8,
        0.3,
        1.0,
        "commitment",
        "Commitment at which a member is as likely as not to vote with Russia on a UN text on "
        "the aggression against Ukraine (2022-: only Belarus did, [BRIEF-2020-2024] §5).",
        group="observation",
    ),
    _P(
        "vote_cut_crimea",
        0.5,
        0.1,
        1.0,
        "commitment",
        "The same for the annual Crimea texts (2016-2021 every member but Tajikistan voted with "
        "Russia, [BRIEF-2014-2024] §1a).",
        group="observation",
    ),
    _P(
        "vote_abstain_band",
        0.5,
        0.05,
        1.0,
        "commitment",
        "How far below the with-Russia cut-point a member still abstains rather than votes "
        "against Russia.",
        group="observation",
    ),
    _P(
        "attend_cut",
        0.3,
        0.0,
        0.9,
        "commitment",
        "Commitment at which an active or hedging member's leader is as likely as not to "
        "attend a CSTO summit.",
        group="observation",
    ),
    _P(
        "exercise_cut",
        0.4,
        0.0,
        0.9,
        "commitment",
        "The same for sending a contingent to a CSTO exercise.",
        group="observation",
    ),
    _P(
        "budget_cut",
        0.25,
        0.0,
        0.9,
        "commitment",
        "The same for paying the member's share of the CSTO budget (10% each but Russia's 50%, "
        "[BRIEF-2014-2024] §1d).",
        group="observation",
    ),
    _P(
        "obs_scale",
        0.05,
        0.01,
        0.3,
        "commitment",
        "Spread of the observation logits: how sharply behaviour switches around a cut-point.",
        group="observation",
    ),
    _P(
        "obs_suspended",
        0.03,
        0.0,
        0.3,
        "probability",
        "Probability that a suspended member attends, drills or pays anyway (Armenia 2024: "
        "none, [BRIEF-2014-2024] §1b-d).",
        group="observation",
    ),
)
CONSENSUS: tuple[Param, ...] = (
    # --- consensus (mechanism 'consensus', core/dynamics.py approval, entrapment) ------------
    _P(
        "mech_consensus",
        1,
        0,
        1,
        "switch",
        "Mechanism 'consensus': 1 = admitting a member needs every voting member's consent "
        "(CSTO decisions are taken by consensus, [BRIEF-2014-2024] §3) and members weigh the "
        "entrapment risk of a new member's wars; 0 = an application is an accession with "
        "certainty and nobody weighs entrapment.",
        group="mechanisms",
        integer=True,
    ),
    _P(
        "consent_cut",
        0.45,
        0.0,
        1.0,
        "commitment",
        "Commitment at which a member is as likely as not to consent to Russia's candidate "
        "(before entrapment): a loyal member follows the patron, a drifting one uses its veto. "
        "Assumption; plausible range 0.3-0.6.",
        group="mechanisms",
    ),
    _P(
        "consent_scale",
        0.1,
        0.01,
        0.5,
        "commitment",
        "Spread of the consent logit (how sharply consent switches around consent_cut). "
        "Assumption; plausible range 0.05-0.2.",
        group="mechanisms",
    ),
    _P(
        "entrapment_weight",
        1.0,
        0.0,
        5.0,
        "utility per war-year",
        "Weight of the risk of being drawn into a member's wars: per unit of the annual "
        "probability that a member admitted from candidacy (Iran) is attacked (its "
        "attack_hazard), it lowers every other member's consent to admit it and, once it is "
        "in, their pull toward the alliance.  Assumption ([EVSTRATOV-2022]: Iran would put Russian-"
        "American contradictions on a 'much more confrontational level'); plausible 0.5-3.",
        group="mechanisms",
    ),
)
REGISTRY = REGISTRY + CONSENSUS + OBSERVATION

BY_NAME: dict[str, Param] = {p.name: p for p in REGISTRY}


def value_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be global parameter ``name`` (one phrase, with what is allowed),
    or None when it can: the name must be in the registry, the value a finite number within
    the parameter's range, and a whole number for an integer parameter."""
    p = BY_NAME.get(name)
    if p is None:
        return f"unknown parameter {name!r}{did_you_mean(name, BY_NAME)}"
    if type(value) is float and p.low <= value <= p.high and not p.integer:
        return None  # the common case, checked fast (the engines check every run's values)
    if isinstance(value, bool) or not isinstance(value, Real):
        return f"{name} = {value!r} should be a number, got {typename(value)}"
    if not math.isfinite(value):
        return f"{name} = {value!r} is not a finite number; allowed {p.low:g} to {p.high:g}"
    if p.integer and value != int(value):
        return f"{name} = {value!r} should be a whole number ({p.low:g} to {p.high:g})"
    if not p.low <= value <= p.high:
        return f"{name} = {value!r} is out of range; allowed {p.low:g} to {p.high:g}"
    return None


def check_value(name: str, value: Any, where: str = "") -> float:
    """``value`` as a float if it is valid for parameter ``name``; otherwise raise
    :class:`ScenarioError` naming ``where`` the value came from (the one check every entry
    point uses: scenario files, ``simulate``, ``AllianceModel``, the engines)."""
    problem = value_problem(name, value)
    if problem is not None:
        hint = ""
        if "; did you mean" in problem:
            problem, _, rest = problem.partition("; did you mean")
            hint = "; did you mean" + rest
        raise ScenarioError(f"{problem}{f' in {where}' if where else ''}{hint}")
    return float(value)


def defaults() -> dict[str, float]:
    """Default value of every global parameter."""
    return {p.name: p.default for p in REGISTRY}


_PLAUSIBLE_COLS = ("plausible_low", "plausible_high", "plausible_source")


def parameters() -> pd.DataFrame:
    """The parameter table: name, default, low, high, unit, meaning, source, group, and
    ``plausible_low``/``plausible_high``/``plausible_source`` (``core/plausible.py``).

    ``low``/``high`` are validity limits (what the equations accept); sample within
    ``plausible_low``/``plausible_high``, the range the evidence or an assumption stated in
    ``plausible_source`` supports.

    Global parameters first; then one row per per-member figure (``scope == "member"``) whose
    defaults differ by member and live in ``data/members.toml`` (see ``member_profiles()``).
    """
    from alliance_sim.core.members import MEMBER_FIELDS
    from alliance_sim.core.plausible import PLAUSIBLE, member_plausible

    nan = float("nan")
    rows = [
        {k: v for k, v in asdict(p).items() if k != "integer"}
        | {"scope": "global"}
        | dict(zip(_PLAUSIBLE_COLS, PLAUSIBLE.get(p.name, (nan, nan, "")), strict=True))
        for p in REGISTRY
    ]
    rows += [
        dict(
            name=f.name,
            scope="member",
            default=float("nan"),
            low=f.low,
            high=f.high,
            unit=f.unit,
            meaning=f.meaning,
            source="per member: data/members.toml",
            group="member",
        )
        | dict(zip(_PLAUSIBLE_COLS, member_plausible(f.name), strict=True))
        for f in MEMBER_FIELDS.values()
    ]
    import pandas as pd  # only here: the registry itself needs no pandas

    return pd.DataFrame(rows)
