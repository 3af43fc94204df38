"""Checking a design a user brings: parameter names and values given to ``simulate()`` or
``evaluate()``, with the same rules (and the same one-line messages) as a scenario's
``[sweep.parameters]``.

A name is a global parameter (``western_offer``), a member figure
(``members.ARM.pressure_tolerance``) or a numeric field or the quarter of one of the scenario's
events (``events.border_attack.size``, ``events.border_attack.at``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.core import quarters
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.checks import Checker, _axis_target
from alliance_sim.scenario.spec import Scenario


class _DesignChecker(Checker):
    """A Checker whose messages name the design's column instead of ``sweep.parameters``."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(Path(where))
        self.what = what

    def fail(self, key: str, msg: str) -> None:
        super().fail(self.what if key == "sweep.parameters" else key, msg)


def _number_text(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return repr(bool(v))
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

    def at(row: Any) -> str:
        return f" (row {row})" if rows else ""

    events = dict(sc.events)
    out = {}
    start, end = quarters.parse(sc.start), quarters.parse(sc.end)
    for name in design.columns:
        if not isinstance(name, str):
            ck.fail(what, f"column {name!r} is not a parameter name")
        (low, high, integer), is_quarter = _axis_target(ck, name, events)
        col = design[name]
        key = f"{what}: {name}"
        if is_quarter:
            labels = []
            for row, v in col.items():
                label = ck.quarter(key, f"{name}{at(row)}", v)
                if not start < quarters.parse(label) <= end:
                    ck.fail(key, f"{name} = {v!r}{at(row)} lies outside {sc.start} .. {sc.end}")
                labels.append(label)
            out[name] = pd.Series(labels, index=col.index, dtype=object)
            continue
        values = pd.to_numeric(col, errors="coerce")
        bad = col.map(lambda v: isinstance(v, bool | np.bool_)) | values.isna()
        if bad.any():
            row = bad.idxmax()
            ck.fail(key, f"{name} = {col[row]!r}{at(row)} should be a number")
        arr = values.to_numpy(dtype=float)
        outside = (arr < low) | (arr > high)
        if outside.any():
            row = col.index[int(np.argmax(outside))]
            ck.fail(
                key,
                f"{name} = {_number_text(col[row])}{at(row)} is out of range; "
                f"allowed {low:g} to {high:g}",
            )
        if integer:
            frac = arr != np.round(arr)
            if frac.any():
                row = col.index[int(np.argmax(frac))]
                ck.fail(key, f"{name} = {_number_text(col[row])}{at(row)} should be whole")
            out[name] = pd.Series(arr.astype(int), index=col.index)
        else:
            out[name] = pd.Series(arr, index=col.index)
    return pd.DataFrame(out, index=design.index, columns=list(design.columns))


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
