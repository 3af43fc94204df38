"""What ``refine`` added to a result folder, in words: the case each round sought and the one
line every pooled view prints when it leaves the rounds' runs out
(:meth:`alliance_sim.runs.results.Result.design`)."""

from __future__ import annotations

from typing import Any


def case_of(round_: dict[str, Any]) -> str:
    """What a refine round sought, e.g. "cohesion_final < 0.5"."""
    sign = "<" if round_.get("below") else ">"
    t = round_.get("threshold")  # None: a yes/no outcome, cases above 0.5
    return f"{round_.get('outcome')} {sign} {0.5 if t is None else float(t):g}"


def found_boundary(round_: dict[str, Any]) -> bool:
    """Whether a round's classifier found a tipping point inside the swept ranges (a band of
    uncertain points, or a region of the cases neither empty nor everything); a round without
    that record (an interrupted one) counts as having found one, as its points were meant."""
    b = round_.get("boundary_after")
    if not isinstance(b, dict):
        return True
    return b.get("uncertain_band", 0) > 0 or 0 < b.get("region", 0.5) < 1


def design_note(res: Any, user: str = "this command uses") -> str:
    """One line saying what :meth:`Result.design` set aside ('' if nothing); ``user``: who
    reads the sweep's own runs ("this command uses", or a report's "the numbers here use")."""
    left = res.left_out
    if not left:
        return ""
    nowhere = [c for c in left["cases"] if c in left.get("no_boundary", [])]
    tips = [c for c in left["cases"] if c not in nowhere]
    where = []
    if tips:
        where.append(f"near where {' / '.join(tips)} tips")
    if nowhere:  # "near where ... tips" of a sweep where it tips nowhere misled (a user)
        where.append(
            f"nearest where {' / '.join(nowhere)} would tip, though refine found no tipping "
            "point in the swept ranges"
        )
    return (
        f"note: {res.directory} also holds {left['runs']:,} runs at {left['points']:,} points "
        f"that refine placed {' and '.join(where)} (no sample of the swept space); {user} the "
        f"sweep's own {left['design_runs']:,} runs (by_point.csv and discover use all)"
    )


def own_design(res: Any, who: str) -> Any:
    """``res.design()`` for a Python caller, with :func:`design_note` printed when this call is
    what set refine's runs aside (``who``: the function, e.g. "member_table()").  A result
    already restricted -- as every command passes one, having said so itself -- is returned
    as it is, silently."""
    if res.run_limit is not None:
        return res
    own = res.design()
    if note := design_note(own, f"{who} uses"):
        print(note)
    return own
