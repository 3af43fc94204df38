"""The registry of named mechanisms: what each adds to the model and how to switch it off.

Each mechanism is switched by ONE global 0/1 parameter of the registry (``mech_<name>``):
with the switch at 0 the model behaves as it did before the mechanism existed, so every
mechanism can be ablated (``benchmarks/ablation.py``).  ``equations`` names the functions of
:mod:`alliance_sim.core.dynamics` that implement it; ``docs/model.md`` (section 3.7) writes out
the equations, parameters and sources.  ``alliance-sim list mechanisms`` prints this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mechanism:
    """A named mechanism: ``switch`` is its registry parameter (1 on, 0 off)."""

    name: str
    summary: str
    switch: str
    equations: tuple[str, ...]


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "bounded_ties",
        "Western and Chinese ties are bounded complements: diminishing returns, and "
        "investment substitutes for alliance security less than arms, exercises or monitoring",
        "mech_bounded_ties",
        ("outside_option", "renewed_western_security", "renewed_chinese_security"),
    ),
    Mechanism(
        "fear_of_patron",
        "Russia's use of force against a neighbour raises the threat Russia itself poses, by "
        "each member's exposure (border, Russian minority, dependence); distance from the "
        "alliance gains security value",
        "mech_fear_of_patron",
        ("fear_of_patron", "faded_patron_threat"),
    ),
    Mechanism(
        "strategic_russia",
        "Russia splits a bandwidth-scaled budget per member between coercion and inducement, "
        "easing where backlash grows and rewarding where compliance holds; members bandwagon "
        "or balance",
        "mech_strategic_russia",
        ("russian_budget", "coercion_split", "russian_pressure", "russian_inducement_offer"),
    ),
    Mechanism(
        "az_tr",
        "Azerbaijan (with Turkey) is an actor: its threat toward Armenia moves with wars, "
        "incursions and deals, and its ties to Russia and Turkey set Russia's interest in "
        "answering Armenia",
        "mech_az_tr",
        ("az_threat_next", "az_factor", "russian_interest"),
    ),
    Mechanism(
        "alliance_dilemma",
        "Russia's answer to an appeal weighs the appellant's loyalty beside its stake and spare "
        "capacity: a drifting ally is abandoned or courted (answer_loyalty's sign), Snyder's "
        "abandonment-versus-entrapment dilemma",
        "mech_alliance_dilemma",
        ("loyalty_factor", "answer_probability"),
    ),
    Mechanism(
        "az_decides",
        "Azerbaijan (with Turkey) decides its posture toward Armenia by its opportunity: the "
        "lower the chance Russia answers Armenia (distraction, Azerbaijan's ties to Russia and "
        "Turkey, Armenia's drift) and the thinner Armenia's Western security ties, the higher "
        "its threat and Armenia's attack hazard",
        "mech_az_decides",
        ("az_opportunity", "az_threat_next"),
    ),
    Mechanism(
        "consensus",
        "Admitting a member needs every voting member's consent, drawn from its commitment and "
        "the entrapment risk of the candidate's wars; any member can block; once in, the "
        "newcomer's war risk pulls the others away",
        "mech_consensus",
        ("consent_probability", "entrapment", "war_risk"),
    ),
    Mechanism(
        "bloc_consent",
        "Consents to an application are correlated through one shared factor, and each member "
        "follows Russia, which proposes, by its dependence on Russia: admissions pass or stall "
        "as a bloc rather than on independent coins",
        "mech_bloc_consent",
        ("consent_draws", "consent_probability"),
    ),
    Mechanism(
        "own_application",
        "A candidate applies of its own accord when its own weighing of membership favours it "
        "(the members' utility, from its threat, dependence, regime need and outside options), "
        "and takes a refusal as a grievance; off, it applies only where a scenario schedules it",
        "mech_own_application",
        ("application_probability", "weigh"),
    ),
)

BY_NAME: dict[str, Mechanism] = {m.name: m for m in MECHANISMS}
SWITCHES: tuple[str, ...] = tuple(m.switch for m in MECHANISMS)
