"""Checking a design a user brings: parameter names and values given to ``simulate()`` or
``evaluate()``, with the same rules (and the same one-line messages) as a scenario's
``[sweep.parameters]``.

A name is a global parameter (``western_offer``), a member figure
(``members.ARM.pressure_tolerance``) or a numeric field or the quarter of one of the scenario's
events (``events.border_attack.size``, ``events.border_attack.at``).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.core import quarters
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.checks import Checker, _axis_target, unused_initial
from alliance_sim.scenario.spec import Scenario


class _DesignChecker(Checker):
    """A Checker whose messages name the design's column instead of ``sweep.parameters``."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(Path(where))
        self.what = what

    def fail(self, key: str, msg: str) -> None:
        super().fail(self.what if key == "sweep.parameters" else key, msg)


#: values that pandas would turn into numbers but are not parameter values (a date becomes
#: nanoseconds since 1970, True becomes 1)
NOT_NUMBERS = (
    bool,
    np.bool_,
    complex,
    np.complexfloating,
    datetime.date,
    datetime.timedelta,
    np.datetime64,
    np.timedelta64,
)


def _number_text(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return repr(bool(v))
    if isinstance(v, datetime.date | datetime.timedelta):
        return f"{v} (a {type(v).__name__})"
    return f"{v:g}" if isinstance(v, int | float | np.integer | np.floating) else repr(v)


def check_design(
    sc: Scenario,
    design: pd.DataFrame,
    where: str = "design",
    what: str = "columns",
    rows: bool = True,
) -> pd.DataFrame:
    """Check every column name and value of ``design`` against scenario ``sc``; return the
    design with numeric columns as floats (whole-number parameters as ints) and event
    quarters as labels.

    Raises :class:`ScenarioError` with one line naming ``where`` [``what``], the column, the
    first offending row and what is allowed.
    """
    ck = _DesignChecker(where, what)
    dup = design.columns[design.columns.duplicated()]
    if len(dup):
        ck.fail(what, f"column {dup[0]!r} appears twice; allowed each parameter once")

    unique = design.index.is_unique

    def at(row: Any, i: int | None = None) -> str:
        if not rows:
            return ""
        return f" (row {row})" if unique or i is None else f" (row {row}, the design's row {i + 1})"

    events = dict(sc.events)
    out = {}
    start, end = quarters.parse(sc.start), quarters.parse(sc.end)
    for name in design.columns:
        if not isinstance(name, str):
            ck.fail(what, f"column {name!r} is not a parameter name")
        (low, high, integer), is_quarter = _axis_target(ck, name, events)
        why = unused_initial(name) if sc.continues else None
        if why:
            ck.fail(f"{what}: {name}", why)
        col = design[name]
        key = f"{what}: {name}"
        if is_quarter:
            labels = []
            for i, (row, v) in enumerate(col.items()):
                label = ck.quarter(key, f"{name}{at(row, i)}", v)
                if not start < quarters.parse(label) <= end:
                    ck.fail(key, f"{name} = {v!r}{at(row, i)} lies outside {sc.start} .. {sc.end}")
                labels.append(label)
            out[name] = pd.Series(labels, index=col.index, dtype=object)
            continue
        not_number = col.map(lambda v: isinstance(v, NOT_NUMBERS)).to_numpy(dtype=bool)
        values = pd.to_numeric(col.where(~not_number), errors="coerce")
        bad = not_number | values.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            v = col.iloc[i]
            missing = isinstance(v, float | np.floating) or v is None or v is pd.NA
            ck.fail(
                key,
                f"{name} = {_number_text(v)}{at(col.index[i], i)} "
                + (
                    f"is missing; allowed a number from {low:g} to {high:g}"
                    if missing
                    else "should be a number"
                ),
            )
        arr = values.to_numpy(dtype=float)
        outside = (arr < low) | (arr > high)
        if outside.any():
            i = int(np.argmax(outside))
            ck.fail(
                key,
                f"{name} = {_number_text(col.iloc[i])}{at(col.index[i], i)} is out of range; "
                f"allowed {low:g} to {high:g}",
            )
        if integer:
            frac = arr != np.round(arr)
            if frac.any():
                i = int(np.argmax(frac))
                ck.fail(
                    key,
                    f"{name} = {_number_text(col.iloc[i])}{at(col.index[i], i)} should be whole",
                )
            out[name] = pd.Series(arr.astype(int), index=col.index)
        else:
            out[name] = pd.Series(arr, index=col.index)
    checked = pd.DataFrame(out, index=design.index, columns=list(design.columns))
    _check_wide(ck, sc, checked, what, at)
    return checked


def _check_wide(ck: Checker, sc: Scenario, checked: pd.DataFrame, what: str, at) -> None:
    """The scenario-wide rules a sweep's file obeys, row by row: status thresholds in order,
    a member's trade shares summing to at most 1 (:mod:`alliance_sim.scenario.semantics`)."""
    from alliance_sim.core import members as mb
    from alliance_sim.scenario.semantics import ORDER_TEXT, THRESHOLDS, TRADE, threshold_pairs

    n = len(checked)

    def column(name: str, base: float) -> np.ndarray:
        if name in checked.columns:
            return checked[name].to_numpy(dtype=float)
        return np.full(n, float(base))

    names = [c for c in checked.columns if c in THRESHOLDS]
    theta = checked[names].to_numpy(dtype=float)
    for lo, hi, a, b in threshold_pairs(names, theta, sc.params):
        bad = a >= b
        if bad.any():
            i = int(np.argmax(bad))
            hint = ""  # a plausible range's top can meet a threshold held at its default
            if (lo in names) != (hi in names):  # (hedge_below 0.55 vs hedge_recover: helper-71)
                moved, held, side, edge = (
                    (lo, hi, "below", b[i]) if lo in names else (hi, lo, "above", a[i])
                )
                hint = f" ({held} is not in the design: keep {moved} {side} {edge:g} or vary both)"
            ck.fail(
                f"{what}: {lo if lo in names else hi}",
                f"{lo} ({a[i]:g}) must stay below {hi} ({b[i]:g}){at(checked.index[i], i)}"
                f"{hint}; allowed: {ORDER_TEXT}",
            )
    data = mb.load_profiles().values
    for code in mb.CODES:
        names = [f"members.{code}.{f}" for f in TRADE]
        if code == "RUS" or not any(c in checked.columns for c in names):
            continue
        total = sum(
            column(c, sc.members.get(code, {}).get(f, float(data[f][mb.INDEX[code]])))
            for c, f in zip(names, TRADE, strict=True)
        )
        bad = total > 1 + 1e-9
        if bad.any():
            i = int(np.argmax(bad))
            ck.fail(
                f"{what}: members.{code}",
                f"{code}'s trade shares with Russia, China and the EU sum to {total[i]:.3g}"
                f"{at(checked.index[i], i)}; allowed at most 1 (they are shares of one whole)",
            )


def check_point(sc: Scenario, params: dict[str, Any], where: str) -> dict[str, Any]:
    """One point (keyword arguments of ``simulate``), checked like a one-row design."""
    if not params:
        return {}
    for name, v in params.items():
        if isinstance(v, list | tuple | dict | np.ndarray | pd.Series):
            raise ScenarioError(
                f"{name} = {v!r} in {where} should be one value; use evaluate() for a design"
            )
    row = check_design(
        sc, pd.DataFrame([params]), where=where, what="keyword arguments", rows=False
    )
    return {k: _plain(v) for k, v in row.iloc[0].items()}


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
