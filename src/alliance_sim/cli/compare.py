"""``alliance-sim compare``: scenario results side by side at one horizon, as an HTML or
Markdown report, with the headline printed on screen as the report shows it."""

from __future__ import annotations

import argparse
from pathlib import Path

from alliance_sim.errors import UserError
from alliance_sim.paths import check_not_results, writable_file
from alliance_sim.textsafe import term


def cmd_compare(a: argparse.Namespace) -> int:
    from alliance_sim.report.html import build_report
    from alliance_sim.report.plots import check_compared
    from alliance_sim.runs.results import Result, design_note

    if len(a.directories) < 2:
        raise UserError("compare needs at least two result directories")
    check_compared(len(a.directories), "compare")
    check_not_results(a.out)
    writable_file(a.out, "--out")
    fmt = _report_format(a.out)
    if a.format is not None and a.format != fmt:
        raise UserError(f"--format {a.format} does not match --out {a.out} (a .{fmt} file)")
    from alliance_sim.analysis.same_runs import same_runs_notes

    notes: list[str] = []  # said with the headline: a damaged folder is refused first
    opened = []
    for d in a.directories:
        res = Result.open(d).design()  # refine's runs: no sample of the swept space
        if note := design_note(res):
            notes.append(note)
        res.check_some_ran("compare")
        opened.append(res)
    # allowed (a check of the report), but it answers no question
    notes += [f"note: {n}" for n in same_runs_notes(opened, [str(d) for d in a.directories])]

    def say(head) -> None:  # the answer on screen; the report holds the rest
        for note in notes:
            print(note)
        notes.clear()
        print(term(head.lead))
        for x in head.sentences:
            print(term(f"- {x}"))
        if legend := terms(" ".join(head.sentences)):  # beside the sentences that use them
            print(legend)
        if head.footnote:
            print(term(head.footnote))
        print()

    import warnings

    from alliance_sim.analysis.same_runs import SameRunsNote

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SameRunsNote)  # said above, with the folders
        out = build_report(
            a.directories,
            a.out,
            fmt=fmt,
            quiet=False,
            at=a.at,
            style=a.style,
            on_headline=say,
            option="--at",
            robustness=a.robustness,
        )
    print(f"wrote {term(out)} (the differences table, figures and each scenario's provenance)")
    return 0


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md"}


def _report_format(out: str) -> str:
    """The report format ``--out``'s suffix asks for; one line for any other suffix (a report
    is HTML or Markdown: ``--out r.pdf`` would be HTML under a PDF's name)."""
    suffix = Path(out).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise UserError(
            f"--out {out}: a report is written as .html (one self-contained file) or .md "
            f"(Markdown with its figures beside it), not {suffix or 'a file without suffix'}; "
            "for PDF figures use: alliance-sim plot DIR --out FIGDIR --format pdf"
        )
    return REPORT_SUFFIXES[suffix]


#: the terms of a headline a reader of the terminal may not know (the report explains them
#: beside its table; the terminal said "A12 0.29" and "n_eff = 200" without a word)
TERMS = {
    "A12": "A12 = the chance that a run of the scenario has a higher value than a run of "
    "the reference (0.5: no difference)",
    "n_eff": "n_eff = independent runs (runs that share a seed, or a parameter set of the "
    "calibration, count once)",
    "Holm-adjusted": "Holm-adjusted = p allowing for the number of comparisons made",
}


def terms(text: str) -> str:
    """One line explaining the terms of :data:`TERMS` that ``text`` uses ("" if none)."""
    used = [v for k, v in TERMS.items() if k in text]
    return f"({'; '.join(used)})" if used else ""
