"""What ``discover`` and ``refine`` may take as an outcome and a threshold: an outcome column
of the runs (not the bookkeeping -- run, seed, point -- nor a swept parameter), and a finite
threshold; and member codes given to a table or figure (:func:`as_codes`).  One line naming
what is allowed when they are not."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from alliance_sim.errors import AnalysisError, UserError, outcome_hint

BOOKKEEPING = ("run", "run_id", "point", "replicate", "seed", "posterior", "posterior_set", "error")


def yes_no(runs: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """The 0/1 outcome columns of ``runs`` (those with a value), in order."""
    skip = {*BOOKKEEPING, *exclude}
    out = []
    for c in runs.columns:
        if c in skip or not pd.api.types.is_numeric_dtype(runs[c]):
            continue
        v = runs[c].dropna()
        if len(v) and v.isin((0.0, 1.0)).all():
            out.append(c)
    return out


def check_case(
    outcome: str,
    threshold: float | None,
    runs: pd.DataFrame,
    inputs: Iterable[str],
    where: str,
) -> None:
    """Refuse an outcome that is no outcome of ``runs`` (missing, bookkeeping, or one of the
    ``inputs`` -- the swept parameters) and a threshold that is not a finite number."""
    inputs = list(inputs)
    if threshold is not None and not math.isfinite(float(threshold)):
        raise UserError(f"--threshold {threshold}: allowed a finite number (cases: value > T)")
    named = yes_no(runs, inputs)  # exits first, then suspensions: what is usually asked
    named.sort(key=lambda c: (not c.endswith("_exited"), not c.endswith("_suspended")))
    listed = ", ".join(named[:6]) + (" ..." if len(named) > 6 else "")
    allowed = f"yes/no outcomes here: {listed}; or a numeric one with --threshold"
    if outcome in BOOKKEEPING or outcome in inputs:
        what = "a swept parameter" if outcome in inputs else "bookkeeping"
        raise UserError(f"--outcome {outcome!r} is {what}, not an outcome of the runs; {allowed}")
    if outcome not in runs.columns:
        hint = outcome_hint(outcome, runs.columns)
        raise AnalysisError(f"no outcome {outcome!r} in {where}{hint or '; ' + allowed}")


def as_codes(
    codes: str | Iterable[str] | None,
    what: str = "members",
    allowed: tuple[str, ...] | None = None,
) -> list[str]:
    """``codes`` as a list of member codes (one code alone: ``"ARM"``, not "A", "R", "M");
    ValueError with one line naming ``what`` for one that is not among ``allowed`` (default:
    every member code, the patron's too)."""
    from alliance_sim.core.members import CODES, PATRON
    from alliance_sim.scenario.checks import member_hint as code_hint

    allowed = CODES if allowed is None else allowed
    if codes is None:
        return []
    out = list([codes] if isinstance(codes, str) or not isinstance(codes, Iterable) else codes)
    for c in out:
        if c not in allowed:  # member_table(focus="RUS"): KeyError 'RUS_commitment'
            said = "not a member code" if c not in CODES else "not allowed here"
            said = "Russia, the patron, not an ally" if c == PATRON else said
            hint = "" if c in CODES else code_hint(c, allowed)
            raise ValueError(f"{what} {c!r}: {said}; allowed {', '.join(allowed)}{hint}")
    return out
