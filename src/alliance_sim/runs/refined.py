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


def design_note(res: Any, user: str = "this command uses") -> str:
    """One line saying what :meth:`Result.design` set aside ('' if nothing); ``user``: who
    reads the sweep's own runs ("this command uses", or a report's "the numbers here use")."""
    left = res.left_out
    if not left:
        return ""
    return (
        f"note: {res.directory} also holds {left['runs']:,} runs at {left['points']:,} points "
        f"that refine placed near where {' / '.join(left['cases'])} tips (no sample of the "
        f"swept space); {user} the sweep's own {left['design_runs']:,} runs "
        "(by_point.csv and discover use all)"
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
