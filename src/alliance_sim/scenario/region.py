"""A scenario's ``[region]``: global parameters set for some members only.

A change a scenario makes for one region -- China's push in Central Asia, Western engagement
in the South Caucasus -- should act there alone.  The globals that act member by member
(:data:`alliance_sim.core.params.REGIONAL`: Russia's pressure and the Western and Chinese
offers) may be set in a ``[region]`` table::

    [region]
    members = ["KAZ", "KGZ", "TJK"]
    why = "China's security offer is made in Central Asia"
    chinese_offer = 0.15

The values apply to the listed members; every other member keeps the value the scenario would
give without the table (its ``[params]``, its parent's, or the registry default).  A
``[members.CODE]`` value of the same name wins for that member.  A sweep varies a regional
value for the whole region as ``region.NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alliance_sim.core.params import BY_NAME, REGIONAL
from alliance_sim.errors import did_you_mean, typename

KEYS = ("members", "why")


@dataclass(frozen=True)
class Region:
    """The members a regional change acts on, the values, and why the change is regional."""

    members: tuple[str, ...]
    why: str
    values: dict[str, float] = field(default_factory=dict)

    def reaches(self, name: str, own: dict[str, dict[str, Any]]) -> list[str]:
        """The members the region sets ``name`` for: its members, less those whose own
        ``[members.CODE]`` table (``own``) gives ``name`` (a member's own value wins)."""
        return [c for c in self.members if name not in own.get(c, {})]


def check_region(ck: Any, raw: Any) -> Region | None:
    """The ``[region]`` table checked (one line naming the key and what is allowed)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        ck.fail("region", f"region should be a table, got {typename(raw)}")
    codes = raw.get("members")
    if not isinstance(codes, list) or not codes:
        ck.fail("region", "region.members should be a non-empty list of member codes")
    members = tuple(ck.member("region", "region.members", c) for c in codes)
    if len(set(members)) != len(members):
        ck.fail("region", f"region.members lists a member twice: {codes}")
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        ck.fail("region", 'region.why should say why the change is regional ("why = ...")')
    values: dict[str, float] = {}
    for name, v in raw.items():
        if name in KEYS:
            continue
        if name not in REGIONAL:
            ck.fail(
                "region",
                f"{name!r} cannot be set for a region{did_you_mean(name, REGIONAL)}; "
                f"allowed: {', '.join(REGIONAL)} (and members, why)",
            )
        p = BY_NAME[name]
        values[name] = ck.number("region", name, v, p.low, p.high)
    if not values:
        ck.fail("region", f"region sets no parameter; allowed: {', '.join(REGIONAL)}")
    return Region(members, why.strip(), values)


def with_region(
    region: Region | None, members: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``members`` with the region's values added for each of its members (a value the
    member's own table gives wins)."""
    if region is None:
        return members
    out = {c: dict(f) for c, f in members.items()}
    for name, v in region.values.items():
        for code in region.reaches(name, members):
            out.setdefault(code, {})[name] = v
    return out


def axis_bounds(ck: Any, key: str, name: str) -> tuple[float, float, bool]:
    """The bounds of a swept ``region.NAME`` (the scenario must have a ``[region]``)."""
    param = name.split(".", 1)[1]
    if param not in REGIONAL:
        ck.fail(
            key,
            f"cannot sweep {name!r}: region.NAME takes one of {', '.join(REGIONAL)}"
            + did_you_mean(param, REGIONAL),
        )
    p = BY_NAME[param]
    return p.low, p.high, False
