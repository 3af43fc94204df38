"""``alliance-sim robustness``: write what a headline rests on.

``DIR/robustness.json`` (the analysis of :mod:`alliance_sim.analysis.robustness`: the lead
headline's ``outcome``, ``horizon``, ``posterior``, ``envelope`` and ``drivers`` at the top,
every headline under ``headlines``, the varied parameters under ``parameters``),
``DIR/robustness.md`` (the same in words, the statement first) and ``DIR/drivers.png`` (each
headline's largest Sobol indices, the 0.1 line of the rule, unidentified and unsourced drivers
marked).  alliance-sim replaces only a robustness analysis it wrote.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from alliance_sim import signals
from alliance_sim.analysis.robustness import RULE, noisy, restate, shipped
from alliance_sim.analysis.robustness_words import _pts, largest_total, noise_said
from alliance_sim.report.labels import scenario_arg
from alliance_sim.report.robustness_dir import (  # noqa: F401 (re-exported)
    DEFAULTS,
    FILES,
    TITLE,
    check_dir,
    differs,
    holding,
    identity,
)
from alliance_sim.report.saving import save
from alliance_sim.runs.atomic import temp_name
from alliance_sim.runs.integrity import fsync_dir

SHOWN = 12  # drivers per panel of the figure


def write(
    result: dict[str, Any], directory: str | os.PathLike, force: bool = False, held: bool = False
) -> Path:
    """Write ``robustness.json``, ``robustness.md`` and ``drivers.png`` into ``directory``
    (``force``: replace an earlier, different analysis there), holding its lock
    (:func:`holding`; ``held``: the caller holds it already, and has checked the folder)."""
    if not held:
        with holding(directory, identity(result), force) as d:
            return write(result, d, force, held=True)
    d = Path(directory)
    restate(result)
    # the figure drawn under a temporary name and each file put in place by a rename: stopped
    # while the figure was written, the earlier analysis was left with half a drivers.png,
    # or a new figure beside the old JSON (red-team)
    texts = {
        "robustness.json": json.dumps(result, indent=1).encode(),
        "robustness.md": markdown(result).encode(),
    }
    staged = {"drivers.png": d / f".drivers.tmp{os.getpid()}.png"}
    staged |= {n: temp_name(d / n) for n in texts}
    try:
        figure(result, staged["drivers.png"])
        for name, data in texts.items():
            with open(staged[name], "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        with signals.held():  # the three renames together: a Ctrl-C between two of them left
            for name, tmp in staged.items():  # a new JSON beside the old figure (red-team)
                os.replace(tmp, d / name)
        fsync_dir(d)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
    return d


def markdown(result: dict[str, Any]) -> str:
    """The analysis in words: each headline's statement, then its drivers."""
    against = result.get("against")
    lines = [
        f"{TITLE}{result['scenario']}"
        + (f" against {against} (the difference)" if against else ""),
        "",
        f"`{result['command']}`: {result['points']:,} design points x {result['replicates']} "
        f"replicates{' x 2 scenarios' if against else ''} = {result['runs']:,} runs over "
        f"{len(result['parameters'])} parameters; "
        f"scenario {result['scenario_hash']}, "
        + (f"against {against} (scenario {result.get('against_hash')}), " if against else "")
        + (f"model {result['model']}, " if result.get("model") else "")
        + f"alliance-sim {result['alliance_sim']}, "
        f"{result['seconds']:.0f} s.",
        "",
        result["method"],
        "",
    ]
    for h in result["headlines"]:
        lines += [f"**{h['statement']}.**", ""]
        if h["unsupported"]:
            lines += [
                "Drivers with a first-order index of 0.1 or more (its interval above zero) that "
                "the record does not pin down and no source gives: "
                + ", ".join(f"`{p}`" for p in h["unsupported"])
                + (f" ({noise_said(h, 'the spread')}: they may be noise)." if noisy(h) else "."),
                "",
            ]
        if h.get("noise_share") is not None:
            lines += [
                f"Replicate noise is about {h['noise_share']:.0%} of the variance across "
                "design points (it is in the indices and the envelope).",
                "",
            ]
        elif h.get("noise_unmeasured"):
            lines += [
                "Replicate noise is not measured: one run a design point (it is in the "
                "indices and the envelope; more --replicates).",
                "",
            ]
        lines += [
            "| parameter | S1 [95%] | ST [95%] | identified | sourced | range |",
            "|---|---|---|---|---|---|",
        ]
        for r in tabled(h["drivers"]):
            lines.append(
                f"| `{r['parameter']}` | {_ci(r['S1'], r['S1_conf'])} | "
                f"{_ci(r['ST'], r['ST_conf'])} | {'yes' if r['identified'] else 'no'} | "
                f"{'yes' if r['sourced'] else 'no'} | {r['range']} |"
            )
        below = [  # as the table prints them: a total index below its first-order one
            r["parameter"] for r in tabled(h["drivers"])
            if _below(r)
        ]  # fmt: skip
        if below:  # is the estimates' error, which a new user read as the model's (helper-107)
            lines += ["", f"ST below S1 ({', '.join(f'`{b}`' for b in below)}) is the "
                      "estimates' error, not the parameters' (a total index is never below its "
                      "first-order one): more --samples."]  # fmt: skip
        lines.append("")
    lines += [
        "![drivers](drivers.png)",
        "",
        "Varied (each over the range named; fitted parameters that the record identifies "
        "stay at their posterior draws):",
        "",
    ]
    lines += [
        f"- `{p['name']}` {p['range']}"
        + (
            " (set by the scenario: one of its premises; --hold-own keeps it)"
            if p.get("own")
            else ""
        )
        + f": {p['why']}"
        for p in result["parameters"]
    ]
    if result.get("held"):
        names = ", ".join(f"`{h['name']}`" for h in result["held"])
        lines += ["", f"Held at the scenario's values (`--hold-own`, its premises): {names}."]
    return "\n".join(lines) + "\n"


def tabled(drivers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The :data:`SHOWN` rows of a headline's drivers table: the largest first-order indices,
    and the total index the statement names (it was drawn in the figure but missing from the
    table under it, where a reader looked for it: helper-99)."""
    most = largest_total([r for r in drivers if r["S1"] is not None])
    rows = drivers[:SHOWN]
    return rows if most is None or most in rows else [*rows[: SHOWN - 1], most]


def drawn(drivers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The :data:`SHOWN` drivers a panel draws, in the table's order (by S1): the largest
    first-order indices, and the largest total index clear of its noise, which the statement
    names where no parameter acts visibly alone (a statement named alternatives_weight, ST
    0.62, that the figure of the twelve largest S1 left out)."""
    rows = [r for r in drivers if r["S1"] is not None]
    most = largest_total(rows)
    if most is None or most in rows[:SHOWN]:
        return rows[:SHOWN]
    return [*rows[: SHOWN - 1], most]


def figure(result: dict[str, Any], path: Path) -> None:
    """Each headline's largest indices: ST (light) and S1 (dark) with 95% whiskers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    heads = result["headlines"]
    fig, axes = plt.subplots(
        1, len(heads), figsize=(6.5 * len(heads), 0.35 * SHOWN + 1.6), squeeze=False
    )
    handles: list = []
    for ax, h in zip(axes[0], heads, strict=True):
        rows = drawn(h["drivers"])[::-1]
        a, e = h["posterior"], h["envelope"]
        whose = "the scenarios'" if h.get("difference") else "the scenario's"
        own = (  # as the statement says (a premise varied is not what the record leaves open)
            f"\nand {len(h['own_varied'])} of {whose} own settings"
            if h.get("own_varied")
            else f"\n({whose} own settings held)"
            if h.get("own_held")
            else ""
        )
        said = (  # a difference between two scenarios in points (robustness --against)
            f"{h['label']}\n{h.get('scenario')} against {h.get('against')}: {_pts(a['p'])} "
            f"points [{_pts(a['lo'])}, {_pts(a['hi'])}]\nover what the record does not pin "
            f"down: {_pts(e['lo'])} to {_pts(e['hi'])} points"
            if h.get("difference")
            else f"{h['label']}: {a['p']:.0%} [{a['lo']:.0%}, {a['hi']:.0%}]\n"
            f"over what the record does not pin down: {e['lo']:.0%}-{e['hi']:.0%}"
        )
        ax.set_title(  # (a panel whose outcome does not vary had no title: red-team)
            said + own,
            fontsize=9,
            loc="right",  # centred over a panel narrowed by long labels, it ran off the figure
        )
        if not rows:
            ax.text(0.5, 0.5, "the outcome does not vary", ha="center", transform=ax.transAxes)
            ax.set_xticks([]), ax.set_yticks([])
            continue
        y = np.arange(len(rows))
        st = [max(r["ST"] or 0.0, 0.0) for r in rows]
        s1 = [max(r["S1"], 0.0) for r in rows]
        ax.barh(y, st, color="#c6dbef", label="total (ST)")
        ax.barh(y, s1, height=0.45, color="#2171b5", label="first-order (S1)")
        ax.errorbar(  # whose whisker it is, in the legend (a new user asked: helper-71)
            s1, y, xerr=[r["S1_conf"] or 0.0 for r in rows], fmt="none", color="black", lw=0.8,
            label="S1's 95% interval",
        )  # fmt: skip
        ax.axvline(  # "0.1: must be pinned down" left the rule unsaid
            RULE, color="#cb181d", lw=0.8, ls="--",
            label="S1 = 0.1: a driver above must be pinned down, sourced or published",
        )  # fmt: skip
        ax.set_yticks(y)
        ax.set_yticklabels([_mark(r, _label(r["parameter"])) for r in rows], fontsize=8)
        ax.set_xlabel("share of the headline's variance\nacross the design")  # (one line: cut)
        reach = [s + (r["S1_conf"] or 0.0) for s, r in zip(s1, rows, strict=True)]
        ax.set_xlim(0, max(1e-3, max(st + reach)) * 1.1)
        handles = handles or ax.get_legend_handles_labels()[0]
        if noisy(h) or not any(_clear(r) for r in h["drivers"]):  # as the statement says
            ax.set_ylim(-0.7, len(rows) + 0.9)  # headroom: the note covered the top bars
            ax.text(
                0.98,
                0.98,
                f"{noise_said(h, 'the spread across the design')}:\nthese bars may be noise "
                "(more --replicates)"
                if noisy(h)
                else "no index is clear of its noise at this design's size:\n"
                "read these bars as noise (more --samples or --replicates)",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=7,
                color="#cb181d",
                bbox={"facecolor": "white", "edgecolor": "#cb181d", "lw": 0.6},
            )
    if handles:  # one legend below the panels: inside one it covered bars (red-team)
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.06),
                   ncol=4 if len(heads) > 1 else 2, fontsize=7, frameon=False)  # fmt: skip
    # two lines: side by side, the note and the provenance ran into each other (helper-61)
    if footnote(heads):  # (under panels with no bars, it explained a mark nowhere drawn)
        fig.text(0.01, 0.04, footnote(heads), fontsize=7)
    fig.text(  # what made it, as every figure's footer says (the README promises it)
        0.99,
        0.01,
        (  # against on a line of its own: one line ran off the figure's left edge (helper-77)
            f"against {result['against']} · scenario {result.get('against_hash')}\n"
            if result.get("against")
            else ""
        )
        + f"{result.get('scenario', '')} · scenario {result.get('scenario_hash', '?')} · "
        + (f"model {result['model']} · " if result.get("model") else "")
        + f"alliance-sim {result.get('alliance_sim', '?')}",
        fontsize=7,
        ha="right",
        color="#555555",
    )
    fig.tight_layout(rect=(0, 0.12 if len(heads) > 1 else 0.16, 1, 1))  # one panel: two rows
    save(fig, path, checked=True, dpi=120)  # check_dir, before the run
    plt.close(fig)


def _label(name: str) -> str:
    """A driver in words; a recovery threshold, varied as its hysteresis, says so."""
    from alliance_sim.core.plausible import HYSTERESIS
    from alliance_sim.report.labels import parameter_label

    if name in HYSTERESIS:
        return f"{parameter_label(name).split(' (')[0]} (width above {HYSTERESIS[name][0]})"
    return parameter_label(name)


def footnote(heads: list[dict[str, Any]]) -> str:
    """What the figure's mark means, where a drawn bar carries it (else empty)."""
    marked = any(_mark(r, "") for h in heads for r in drawn(h["drivers"]))
    return "* not identified by calibration and not from a cited source" if marked else ""


def _mark(r: dict[str, Any], text: str) -> str:
    return text + (" *" if not (r["identified"] or r["sourced"]) else "")


def _clear(r: dict[str, Any]) -> bool:
    """An index whose 95% interval is above zero (first-order or total)."""
    return any(r[k] is not None and r[k] > (r[f"{k}_conf"] or 0.0) for k in ("S1", "ST"))


def _ci(v: float | None, half: float | None) -> str:
    if v is None:
        return "—"
    if v == 0 and not half:  # exactly: swapping the parameter changed no design point's mean;
        # at a small design ("--samples 8 --replicates 2": point means of 0, 0.5 or 1) that is
        # no evidence of no effect, and "moved no point" read as "does not matter" (new user)
        return "0 (moved no design point: no evidence either way)"
    h = half or 0.0
    near = v - h if v - h > 0 else -(v + h) if v + h < 0 else 0.0  # the bound nearest 0
    if h > 0 and 0 < near < 0.005:  # clear of zero, as the drivers' rule reads it, but "0.00" at 2
        # places: "[0.00, 0.21]" beside "its interval above zero" read wrong
        d = max(2, min(6, 1 - math.floor(math.log10(near))))
        return f"{v:.{d}f} [{v - h:.{d}f}, {v + h:.{d}f}]"
    lo, hi = (f"{x:.2f}".replace("-0.00", "0.00") for x in (v - h, v + h))
    return f"{v:.2f} [{lo}, {hi}]".replace("-0.00 [", "0.00 [")


def _below(r: dict) -> bool:
    """ST below S1 as the table shows them, at the finer of the two printings (ST 0.0137 printed
    "0.01" beside S1 "0.0137" is not; ST 0.2049 beside S1 0.2051, "0.20" and "0.21", is)."""
    texts = [_ci(r[k], r[f"{k}_conf"]).split()[0] for k in ("S1", "ST")]
    if not all(t.lstrip("-").replace(".", "", 1).isdigit() for t in texts):
        return False
    d = max(len(t.partition(".")[2]) for t in texts)
    return round(r["ST"], d) < round(r["S1"], d)


def rests_on(
    name: str,
    path: str,
    scenario_hash: str,
    end: str | None = None,
    compared_at: str | None = None,
    given: tuple[str, dict[str, Any]] | None = None,
    model: str | None = None,
) -> list[str]:
    """What a result of scenario ``name`` (file ``path``, hash ``scenario_hash``, horizon
    ``end``) rests on beyond the fitted model: the shipped analysis's statements if it is of
    this very scenario (lines starting "- ", under the line that introduces them), else the
    command that makes one.  A run cut short (``run --end``) is not the analysed horizon: the
    command it names analyses the same quarter (``robustness --end``), not the file's own.
    ``compared_at``: the quarter a comparison reads, named beside the
    analysis's own horizon when they differ.  ``given``: (where, analysis) of one the user
    ran of this very scenario (:func:`read_analyses`), used before the shipped one.  ``model``:
    the stamp of the model that made the result; an analysis made by another one (its own
    stamp recorded) is named as such: the same scenario hash, other equations."""
    where, r = given if given is not None else (f"docs/robustness/{name}", shipped(name))
    if r is not None and scenario_hash in (r["scenario_hash"], r.get("read_for")):
        horizon = r.get("horizon")
        other = (
            f"; at that analysis's horizon, {horizon}, not this comparison's {compared_at} "
            f"(at {compared_at}: alliance-sim robustness {scenario_arg(path)} --end {compared_at} "
            "--out DIR)"
            if compared_at and horizon and horizon != compared_at
            else ""
        )
        made = r.get("model")
        if model and isinstance(made, str) and made != model:
            other += (
                f"; made by another model ({made}; this result's is {model}): its numbers may "
                "no longer hold"
            )
        whose = "the analysis" if given is not None else "the shipped analysis"
        head = (
            f"{name}: what it rests on beyond the fitted model, from {whose} of this "
            f"scenario ({where}; {r['command']}; its interval is of that analysis's runs, not "
            f"of this result's{other}):"
        )
        return [head, *(f"- {h['statement']}." for h in r["headlines"])]
    shown = scenario_arg(path)  # (a shipped one by name; "my dir/x.toml" quoted)
    from alliance_sim.scenario.load import changed_in_python

    if path and not path.startswith("<") and changed_in_python(path, scenario_hash, end):
        return [f"{name}: not {shown} as its file stands (changed in Python, or the file edited "
                "since), so no command analyses it: from Python, alliance_sim.robustness("
                "scenario) on the scenario as run"]  # fmt: skip
    make = f"alliance-sim robustness {shown} --out DIR"
    own, forecast = _file_end(path)
    if not forecast:  # a replay: the command is refused (helper-118)
        return [f"{name}: not a forecast that continues a calibrated posterior, the only kind "
                "alliance-sim robustness analyses (it would refuse this one)"]  # fmt: skip
    whose = "this run's"
    if compared_at and end and compared_at != end:  # the quarter compared, not the run's end
        end, whose = compared_at, "the quarter compared,"  # (it named the run's: helper-99)
    if end is not None and own is not None and own != end:  # the command would analyse `own`
        make = f"alliance-sim robustness {shown} --end {end} --out DIR"
    if r is not None and end is not None and r.get("horizon") not in (None, end):
        return [
            f"The shipped robustness analysis of {name} is at {r['horizon']}, not {whose} "
            f"{end}; for this horizon: {make}"
        ]
    if r is not None:
        return [
            f"The shipped robustness analysis of {name} is of another version of the scenario "
            f"({r['scenario_hash']}, not {scenario_hash}): for this one, {make}"
        ]
    return [
        f"{name}: no shipped analysis of this scenario; to measure what it rests on beyond "
        f"the fitted model: {make}"
    ]


def _file_end(path: str) -> tuple[str | None, bool]:
    """The end quarter of the scenario file at ``path`` (None if it cannot be read), and
    whether it is a forecast of a calibrated posterior (True where unknown)."""
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.scenario.load import load_scenario

    try:
        sc = load_scenario(path) if path and not path.startswith("<") else None
    except (AllianceSimError, OSError, UnicodeError):
        sc = None
    return (None, True) if sc is None else (sc.end, sc.continues and sc.posterior is not None)
