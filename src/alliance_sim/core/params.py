"""The one registry of global model parameters, read from the data file ``data/params.toml``.

Every parameter the dynamics read is declared there once, with its default, its allowed range,
its unit, what it means in the world and where the number comes from.  ``parameters()`` (the
public table), the scenario validator, the CLI's ``list parameters`` and ``docs/model.md`` all
read this registry.  Per-member figures (trade shares, tolerance, ...) live in
``data/members.toml`` and are described by :data:`alliance_sim.core.members.MEMBER_FIELDS`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from numbers import Real
from typing import TYPE_CHECKING, Any

from alliance_sim.errors import ScenarioError, did_you_mean, typename

if TYPE_CHECKING:
    import pandas as pd

ASSUMPTION = "assumption"


# Globals that act member by member (Russia's pressure, the Western and Chinese offers): a
# scenario may set them for some members only (its ``[region]`` table, or ``[members.CODE]``),
# so a change meant for one region acts there alone.  The equations read them per member,
# ``P.m[name]``, (R, M): the global value wherever no member value is given.
REGIONAL = (
    "russian_pressure",
    "western_offer",
    "west_opportunism",
    "west_security_share",
    "chinese_offer",
    "sco_substitution",
    "china_security_weight",
)


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


def _load() -> tuple[Param, ...]:
    """The registry from ``data/params.toml`` (see the comment at its top)."""
    text = resources.files("alliance_sim.core").joinpath("data/params.toml").read_text("utf-8")
    out = []
    for row in tomllib.loads(text)["parameter"]:
        integer = bool(row.get("integer", False))
        num = int if integer else float
        out.append(
            Param(
                name=row["name"],
                default=num(row["default"]),
                low=num(row["low"]),
                high=num(row["high"]),
                unit=row["unit"],
                meaning=row["meaning"],
                source=row.get("source", ASSUMPTION),
                group=row.get("group", "members"),
                integer=integer,
            )
        )
    return tuple(out)


REGISTRY: tuple[Param, ...] = _load()

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
