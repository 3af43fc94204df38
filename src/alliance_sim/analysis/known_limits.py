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
        "The baseline forecast (2025-2034) puts 1.0% of member-years into a suspension or "
        "exit; the alliance's own record 1992-2024 has 1.8% (its replay of 2006-2024: 3.2%, "
        "the record of those years 3.0%): a scenario's exits come mostly from Armenia and the "
        "shocks it adds.",
        "docs/validation.md section 6; python -m alliance_sim.analysis.baserates DIR",
    ),
    Limit(
        "exit rules barely pinned down",
        "The forecasts continue the replay of 2006-2024, whose one exit (Uzbekistan, 2012) "
        "barely narrows the rules for leaving (none of exit_below, suspend_below, "
        "exit_patience and exit_hazard is identified): they are sampled over wide ranges, and "
        "a probability of exit rests on them. "
        "Run 200 times from the 2020-2024 fit instead, which holds them at assumed values, "
        "the baseline gives P(Armenia leaves by 2034) 0% where 200 runs from the shipped fit "
        "give 36% (its 400-run answer is 34%); over every parameter the record does not pin "
        "down it spans 0%-100%, chiefly through exit_below, dependence_weight and Armenia's "
        "assumed attack hazard; and with the "
        "exit threshold, which the fit leaves between 0.10 and 0.29, forced from 0.05 to 0.3 "
        "it runs from 0.4% to 74%.",
        "docs/validation.md sections 9 and 10; python scripts/forecast_with_posterior.py "
        "scenarios/calibrated/history_2020_2024.parquet; alliance-sim robustness baseline; "
        "python scripts/headline_by_sets.py baseline",
    ),
    Limit(
        "level with simple rivals, not better",
        "Refitted at seven origins 2010-2022 and scored two years ahead, the model is level "
        "with the best simple rivals (a logistic regression on lagged observables, hedged "
        "persistence), not better: its skill interval crosses zero. Its outcomes are mostly "
        "votes and attendance: of its 62 statuses two changed (Uzbekistan 2012, Armenia "
        "2024), so it barely tests a probability of exit. It wins clearly only from 2022Q4, "
        "on years whose patterns the model was built and fitted to reproduce.",
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
