"""The model's known limits, said where results are read: the footer of ``run`` and ``sweep``
and every comparison report.  Each names the page and the command that back it, so a reader can
check it; when validation changes what we know, this list changes with it (and so does
docs/validation.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One known limit: a short name, what it means for reading a result, where it is shown."""

    name: str
    text: str
    backed_by: str


KNOWN_LIMITS: tuple[Limit, ...] = (
    Limit(
        "exits rarer than the record",
        "The baseline forecast puts 0.3% of member-years into a suspension or exit; the "
        "alliance's own record 1992-2024 has 1.8%: exits here are rarer than history "
        "suggests, and a scenario's exits come mostly from the shocks it adds.",
        "docs/validation.md section 6; python -m alliance_sim.analysis.baserates DIR",
    ),
    Limit(
        "exit rules not fitted",
        "The history the forecasts continue (2020-2024) holds no exit, only Armenia's freeze, "
        "so the rules for leaving (exit_below, exit_patience, exit_hazard, exit_cost_weight) "
        "keep their assumed values; a probability of exit rests on them. The longer replay "
        "(2006-2024), which has Uzbekistan's exit in it, does not pin them down either: it "
        "samples them over wide ranges, and continued from its fit the baseline's P(Armenia "
        "leaves by 2034) is 0.28 instead of 0.06. The forecasts do not continue it yet.",
        "docs/validation.md sections 4 and 9; alliance-sim calibrate history_2006_2024 "
        "--out X.parquet; python scripts/forecast_with_posterior.py X.parquet",
    ),
    Limit(
        "no skill over simple rivals yet",
        "Refitted at seven origins 2010-2022 and scored two years ahead, the model is level "
        "with the best simple rivals (a logistic regression on lagged observables, hedged "
        "persistence), not better: its skill interval crosses zero; it wins clearly only "
        "from 2022Q4, where the record is richest in shocks.",
        "docs/validation.md sections 5 and 9; alliance-sim backtest history_2006_2024 "
        "--origins 2010Q4,2012Q4,2014Q4,2016Q4,2018Q4,2020Q4,2022Q4 --out DIR",
    ),
)


def footer(width: int = 0) -> str:
    """The limits as a few lines for a terminal (``run``'s and ``sweep``'s footer)."""
    lines = ["Known limits of the model (docs/validation.md):"]
    lines += [f"- {lim.text} [{lim.backed_by}]" for lim in KNOWN_LIMITS]
    if width:
        import textwrap

        return "\n".join(textwrap.fill(x, width, subsequent_indent="  ") for x in lines)
    return "\n".join(lines)
