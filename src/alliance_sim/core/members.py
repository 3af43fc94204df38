"""Member profiles: the data file ``data/members.toml`` as arrays over members.

The last axis of every state array is the member axis, in the order of :data:`CODES`.  Iran is
always present in the arrays (as a candidate with status ``candidate``) so that an accession
mid-run changes a status, not the shape of the state; so is Uzbekistan, outside the alliance
from 2012 (status ``candidate`` in the state of 2020Q1) and a member in the replay of
2006-2024 until it suspends and leaves.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

CODES: tuple[str, ...] = ("RUS", "BLR", "KAZ", "KGZ", "TJK", "ARM", "IRN", "UZB")
INDEX: dict[str, int] = {c: i for i, c in enumerate(CODES)}
PATRON = "RUS"
ALLIES: tuple[str, ...] = tuple(c for c in CODES if c != PATRON)  # everyone but the patron
ALLY_INDEX = np.array([INDEX[c] for c in ALLIES])

# status codes (the integers in the state arrays)
CANDIDATE, ACTIVE, HEDGING, SUSPENDED, EXITED = 0, 1, 2, 3, 4
STATUS_NAMES: tuple[str, ...] = ("candidate", "active", "hedging", "suspended", "exited")
STATUS_CODES: dict[str, int] = {n: i for i, n in enumerate(STATUS_NAMES)}


@dataclass(frozen=True)
class MemberField:
    """A per-member figure: its unit, the values it can physically take, what it means."""

    name: str
    unit: str
    low: float
    high: float
    meaning: str
    numeric: bool = True


_F = MemberField
MEMBER_FIELDS: dict[str, MemberField] = {
    f.name: f
    for f in (
        _F("population_m", "million", 0, 2000, "Population."),
        _F("gdp_bn", "US$ bn", 0, 50000, "Nominal GDP, 2023."),
        _F("milex_bn", "US$ bn", 0, 2000, "Military spending; the capability weight."),
        _F("trade_russia", "share", 0, 1, "Share of goods trade with Russia."),
        _F("trade_china", "share", 0, 1, "Share of goods trade with China."),
        _F("trade_eu", "share", 0, 1, "Share of goods trade with the EU."),
        _F("remittances_gdp", "share of GDP", 0, 1, "Remittance inflows."),
        _F("remittances_from_russia", "share", 0, 1, "Share of remittances sent from Russia."),
        _F(
            "energy_dependence",
            "share",
            0,
            1,
            "Dependence on Russia for energy imports or export routes.",
        ),
        _F("arms_from_russia", "share", 0, 1, "Share of arms imports from Russia."),
        _F("russian_sites", "count", 0, 10, "Russian bases and military sites on its soil."),
        _F(
            "border_russia",
            "0/1",
            0,
            1,
            "1 if the member shares a land border with Russia (fear of the patron).",
        ),
        _F(
            "russian_minority",
            "share",
            0,
            1,
            "Share of ethnic Russians in the population (fear of the patron: irredentism).",
        ),
        _F(
            "azerbaijan_exposure",
            "index 0-1",
            0,
            1,
            "How far Azerbaijan's (and Turkey's) threat is the member's external threat: scales "
            "its attack hazard and threat exposure and sets Russia's interest in answering it "
            "(mechanism az_tr).",
        ),
        _F(
            "threat_exposure",
            "index 0-1",
            0,
            1,
            "Exposure to external military threat: how much the security guarantee is worth.",
        ),
        _F(
            "regime_need",
            "index 0-1",
            0,
            1,
            "How much the ruling regime relies on outside protection against domestic unrest.",
        ),
        _F(
            "pressure_tolerance",
            "pressure",
            0,
            1,
            "Russian pressure the member absorbs with compliance; beyond it pressure backfires.",
        ),
        _F(
            "russian_interest",
            "probability",
            0,
            1,
            "Russia's willingness to answer this member's Article 4 appeal at full bandwidth.",
        ),
        _F(
            "attack_hazard",
            "probability/quarter",
            0,
            1,
            "Probability of an external attack that prompts an Article 4 appeal.",
        ),
        _F(
            "unrest_hazard",
            "probability/quarter",
            0,
            1,
            "Probability of regime-threatening unrest that prompts a call for CSTO help.",
        ),
        _F(
            "western_openness",
            "index 0-1",
            0,
            1,
            "How far the West courts the member and the member is open to it.",
        ),
        _F(
            "initial_commitment",
            "commitment 0-1",
            0,
            1,
            "Commitment at the start of a run (or at accession).",
        ),
        _F(
            "initial_credibility",
            "probability",
            0.01,
            0.99,
            "Belief at the start that Article 4 will be honoured for it.",
        ),
        _F(
            "initial_grievance",
            "grievance",
            0,
            10,
            "Grievance carried into the run (unanswered appeals, resented pressure).",
        ),
        _F(
            "initial_status",
            "status",
            0,
            0,
            "Status at the start: " + ", ".join(STATUS_NAMES),
            numeric=False,
        ),
    )
}

# weights of the dependence index (an assumption: equal-ish weights on the five channels)
DEPENDENCE_WEIGHTS: dict[str, float] = {
    "trade": 0.25,
    "remittances": 0.25,
    "energy": 0.2,
    "arms": 0.2,
    "sites": 0.1,
}
REMITTANCE_SATURATION = 0.4  # remittances from Russia of 40% of GDP count as full dependence
SITES_SATURATION = 3  # three Russian sites count as full basing dependence


@dataclass(frozen=True)
class Profiles:
    """Member figures as arrays over :data:`CODES` (``values[field]`` has shape ``(M,)``)."""

    values: dict[str, np.ndarray]
    sources: dict[tuple[str, str], str]
    names: tuple[str, ...]
    patron: np.ndarray  # bool (M,)
    member: np.ndarray  # bool (M,): a member at 2024Q1
    clash_pairs: tuple[tuple[int, int, float], ...]  # (i, j, hazard)

    def with_overrides(self, overrides: dict[str, dict[str, Any]]) -> Profiles:
        """A copy with ``{code: {field: value}}`` replacing the data file's values."""
        values = {k: v.copy() for k, v in self.values.items()}
        for code, fields in overrides.items():
            for name, value in fields.items():
                if name == "initial_status" and isinstance(value, str):
                    value = STATUS_CODES[value]
                values[name][INDEX[code]] = value
        return Profiles(
            values, self.sources, self.names, self.patron, self.member, self.clash_pairs
        )


@lru_cache(maxsize=1)
def _raw() -> dict[str, Any]:
    text = resources.files("alliance_sim.core").joinpath("data/members.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_profiles(as_of: str | None = None) -> Profiles:
    """Read ``data/members.toml`` into :class:`Profiles` (parsed once per process; each call
    returns fresh arrays, so callers may change them).  ``as_of`` (a quarter): the dated
    figures as they were public then (:mod:`alliance_sim.core.vintage`); None: the latest."""
    from alliance_sim.core import vintage

    return _profiles().with_overrides(vintage.as_of(as_of))


@lru_cache(maxsize=1)
def _profiles() -> Profiles:
    raw = _raw()
    values: dict[str, np.ndarray] = {}
    sources: dict[tuple[str, str], str] = {}
    for name, spec in MEMBER_FIELDS.items():
        arr = np.zeros(len(CODES), dtype=float)
        for i, code in enumerate(CODES):
            entry = raw[code].get(name)
            if entry is None:  # Russia, the patron, has no figures it would weigh against itself
                continue
            v = entry["value"]
            arr[i] = STATUS_CODES[v] if not spec.numeric else float(v)
            sources[(code, name)] = entry.get("source") or "assumption: " + entry["assumption"]
        values[name] = arr
    values["initial_status"][INDEX["RUS"]] = ACTIVE
    values["initial_commitment"][INDEX["RUS"]] = 1.0
    values["initial_credibility"][INDEX["RUS"]] = 0.99
    pairs = tuple(
        (INDEX[p["members"][0]], INDEX[p["members"][1]], float(p["hazard"]["value"]))
        for p in raw.get("clash_pairs", [])
    )
    return Profiles(
        values=values,
        sources=sources,
        names=tuple(raw[c]["name"] for c in CODES),
        patron=np.array([bool(raw[c].get("patron", False)) for c in CODES]),
        member=np.array([bool(raw[c].get("member", False)) for c in CODES]),
        clash_pairs=pairs,
    )


def dependence_index(v: dict[str, np.ndarray]) -> np.ndarray:
    """Dependence on Russia, 0-1: a weighted mean of trade, remittance, energy, arms and basing
    dependence (weights in :data:`DEPENDENCE_WEIGHTS`, an assumption)."""
    w = DEPENDENCE_WEIGHTS
    remit = np.minimum(
        v["remittances_gdp"] * v["remittances_from_russia"] / REMITTANCE_SATURATION, 1.0
    )
    return (
        w["trade"] * v["trade_russia"]
        + w["remittances"] * remit
        + w["energy"] * v["energy_dependence"]
        + w["arms"] * v["arms_from_russia"]
        + w["sites"] * np.minimum(v["russian_sites"] / SITES_SATURATION, 1.0)
    )


# weights of the exposure to Russia's own force (an assumption: border and minority weigh most;
# dependence gives Russia the means to hurt without force)
PATRON_EXPOSURE_WEIGHTS: dict[str, float] = {"border": 0.4, "minority": 0.4, "dependence": 0.2}
MINORITY_SATURATION = 0.2  # a Russian minority of 20% counts as full exposure


def patron_exposure(v: dict[str, np.ndarray]) -> np.ndarray:
    """Exposure to Russia's use of force, 0-1: a weighted mean of a land border, the Russian
    minority (saturating at 20%) and dependence (weights :data:`PATRON_EXPOSURE_WEIGHTS`)."""
    w = PATRON_EXPOSURE_WEIGHTS
    return (
        w["border"] * v["border_russia"]
        + w["minority"] * np.minimum(v["russian_minority"] / MINORITY_SATURATION, 1.0)
        + w["dependence"] * dependence_index(v)
    )


def remittance_share(v: dict[str, np.ndarray]) -> np.ndarray:
    """The remittance channel's part of the dependence index (what a remittance shock cuts)."""
    remit = np.minimum(
        v["remittances_gdp"] * v["remittances_from_russia"] / REMITTANCE_SATURATION, 1.0
    )
    return DEPENDENCE_WEIGHTS["remittances"] * remit


def exit_cost(v: dict[str, np.ndarray]) -> np.ndarray:
    """Cost of a formal exit, 0-1: Russian sites on the soil and overall dependence."""
    return 0.5 * np.minimum(v["russian_sites"] / SITES_SATURATION, 1.0) + 0.5 * dependence_index(v)


def member_profiles() -> pd.DataFrame:
    """One row per member and field: value, whether it is an assumption, its source."""
    p = load_profiles()
    raw = _raw()
    rows = []
    for code in CODES:
        for name, spec in MEMBER_FIELDS.items():
            entry = raw[code].get(name)
            if entry is None:
                continue
            rows.append(
                dict(
                    member=code,
                    field=name,
                    value=entry["value"],
                    unit=spec.unit,
                    assumption="assumption" in entry,
                    low=entry.get("low"),
                    high=entry.get("high"),
                    source=p.sources[(code, name)],
                )
            )
    import pandas as pd  # only here: listing members need not load pandas

    return pd.DataFrame(rows)


_OTHER_NAMES = {  # what users type for a member besides its profile name
    "russian federation": "RUS",
    "kyrgyz republic": "KGZ",
    "kirghizia": "KGZ",
    "kirgizia": "KGZ",
    "islamic republic of iran": "IRN",
    "persia": "IRN",
    "republic of armenia": "ARM",
}


def code_hint(text: object) -> str:
    """``"; did you mean 'ARM' (Armenia)?"`` when ``text`` names a member by its country name
    or its code in the wrong case, else ``""``."""
    t = str(text).strip().lower()
    names = {n.lower(): c for c, n in zip(CODES, load_profiles().names, strict=True)}
    code = names.get(t) or _OTHER_NAMES.get(t) or (t.upper() if t.upper() in CODES else None)
    if code is None:
        return ""
    return f"; did you mean {code!r} ({load_profiles().names[INDEX[code]]})?"
