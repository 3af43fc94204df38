"""``alliance_sim.plausible_range``: a parameter's plausible range, for a notebook.

:func:`alliance_sim.core.plausible.plausible_range` answers None for a name it does not know
(the analyses ask it of every name they meet); from Python, ``plausible_range("westrn_offer")
.low`` then failed on None (helper-95), so the public name refuses such a name in one line."""

from __future__ import annotations

from alliance_sim.core.plausible import PLAUSIBLE, Plausible
from alliance_sim.core.plausible import plausible_range as _found


def plausible_range(name: str) -> Plausible:
    """The plausible range of a parameter named as in a sweep: a global parameter, or
    ``members.CODE.field`` (the member's ``low``/``high`` in ``data/members.toml`` for an
    assumed figure; the figure itself, twice, for a sourced one), with ``source``: why.  A
    name it does not know is one line (:class:`~alliance_sim.errors.ScenarioError`, with the
    nearest name)."""
    from alliance_sim.core.members import MEMBER_FIELDS
    from alliance_sim.errors import ScenarioError, did_you_mean

    found = _found(name) if isinstance(name, str) else None
    if found is None:
        near = did_you_mean(name, list(PLAUSIBLE)) if isinstance(name, str) else ""
        if isinstance(name, str) and name in MEMBER_FIELDS:  # (red team)
            near = f"; a member's figure: plausible_range('members.ARM.{name}')"
        raise ScenarioError(
            f"plausible_range({name!r:.60}): no such parameter, or a member figure that is "
            "not a number; allowed a global parameter (alliance-sim list parameters) or "
            f"members.CODE.field{near}"
        )
    return found
