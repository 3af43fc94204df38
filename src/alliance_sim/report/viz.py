"""A live view of the model in the browser: a Mesa SolaraViz page (extra ``[viz]``).

``alliance-sim viz [SCENARIO]`` serves it with ``solara run alliance_sim.report.viz``; the scenario
comes in the environment variable ``ALLIANCE_SIM_VIZ_SCENARIO`` (a shipped name or a path).
The page has sliders for the key parameters its calibration does not fit (Reset makes the
model again with their values and the seed), Step / Play / Reset, the members as a network
around Russia (colour: status, size: commitment, line width: dependence on Russia) and each
member's commitment over time.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from alliance_sim.core import members as mb
from alliance_sim.core.params import BY_NAME
from alliance_sim.core.quarters import labels as quarter_labels
from alliance_sim.engines.mesa_model import AllianceModel
from alliance_sim.report.plots import COLOURS, NAMES
from alliance_sim.scenario.load import default_scenario, load_scenario
from alliance_sim.scenario.plan import spec_for
from alliance_sim.scenario.spec import Scenario

SLIDERS = (
    "western_offer",
    "russian_pressure",
    "russian_bandwidth",
    "chinese_offer",
    "contagion",
    "pressure_backlash",
)
STATUS_COLOURS = {
    "active": "#2ca02c",
    "hedging": "#ffbf00",
    "suspended": "#d62728",
    "exited": "#7f7f7f",
    "candidate": "#ffffff",
}


class LiveModel(AllianceModel):
    """:class:`AllianceModel` as the page makes it.  Mesa's Reset passes its own
    ``scenario`` (its experiment-design object, which this model does not take: every Reset
    failed with "unknown parameter 'scenario'", so the sliders and the seed never acted), and
    the Seed box gives text, which is read as a whole number."""

    def __init__(self, rng: Any = None, scenario: Any = None, **params: Any) -> None:
        super().__init__(rng=_seed(rng), **params)


def _seed(value: Any) -> int | None:
    """The Seed box's text as a seed: a whole number, 0 or more (one line otherwise)."""
    from alliance_sim.limits import MAX_SEED

    if value is None:
        return None
    text = str(value).strip()  # ("²" and "٣" are digits to str.isdigit: red team)
    if isinstance(value, bool) or not (text.isascii() and text.isdigit() and len(text) <= 19):
        raise ValueError(f"Seed {text!r:.40}: allowed a whole number from 0 to {MAX_SEED}")
    if int(text) > MAX_SEED:
        raise ValueError(f"Seed {text!r:.40}: allowed a whole number from 0 to {MAX_SEED}")
    return int(text)


def levers(sc: Scenario) -> list[str]:
    """The sliders of ``sc``'s page: the key parameters its calibration does not fit (one
    it fits moved here would override what the history says of it: contagion and
    pressure_backlash were sliders of the calibrated baseline)."""
    fitted = set(sc.posterior.sets[0]) if sc.posterior is not None else set()
    return [name for name in SLIDERS if name not in fitted]


def model_params(sc: Scenario) -> dict[str, Any]:
    """SolaraViz parameters: a seed box, sliders for the key parameters the calibration
    does not fit (starting at the scenario's values, over their plausible ranges where the
    project gives one, widened to hold the scenario's value), and the scenario's fixed
    inputs."""
    from alliance_sim.analysis.ranges import plausible_range
    from alliance_sim.errors import ScenarioError

    spec = spec_for(sc)
    params: dict[str, Any] = {"rng": {"type": "InputText", "value": 42, "label": "Seed"}}
    for name in levers(sc):
        p = BY_NAME[name]
        value = float(spec.params.get(name, p.default))
        try:
            r = plausible_range(name)
            low, high = min(r.low, value), max(r.high, value)
        except ScenarioError:
            low, high = p.low, p.high
        if not high > low:
            low, high = p.low, p.high
        params[name] = {
            "type": "SliderFloat",
            "value": value,
            "label": name.replace("_", " "),
            "min": low,
            "max": high,
            "step": (high - low) / 50,
        }
    fixed = {k: v for k, v in spec.params.items() if k not in params}
    params.update(
        start=spec.start,
        end=sc.end,
        members=spec.members,
        events=spec.events,
        initial=spec.initial,  # a forecast starts where the calibrated replay (set 0) ended
        **fixed,
    )
    return params


def _history(model: AllianceModel) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    traj = model.trajectory()
    labels = quarter_labels(model.start, len(model.history) - 1)
    return labels, traj["commitment"][:, 0, :], traj["status"][:, 0, :], traj["cohesion"][:, 0]


@solara.component
def CommitmentChart(model: AllianceModel) -> None:
    """Each member's commitment and the cohesion index so far."""
    update_counter.get()
    labels, c, st, coh = _history(model)
    fig = Figure(figsize=(7.5, 3.6))
    ax = fig.subplots()
    x = np.arange(len(labels))
    for code in mb.ALLIES:
        i = mb.INDEX[code]
        if not (st[:, i] > 0).any():
            continue
        y = np.where(st[:, i] > 0, c[:, i], np.nan)
        ax.plot(x, y, color=COLOURS[code], lw=1.8, label=code)
    ax.plot(x, coh, color="black", lw=1.2, ls="--", label="cohesion")
    ax.set_ylim(0, 1)
    ax.set_ylabel("commitment")
    ticks = x[:: max(1, len(x) // 6)]
    ax.set_xticks(ticks)
    ax.set_xticklabels([labels[t] for t in ticks], fontsize=8)
    ax.legend(fontsize=7, ncols=4, loc="lower left", frameon=False)
    ax.grid(alpha=0.3)
    ax.set_title(f"Commitment to {model.quarter}", fontsize=10)
    fig.tight_layout()
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def MembersView(model: AllianceModel) -> None:
    """The members around Russia: colour by status, size by commitment, line width by
    dependence on Russia."""
    update_counter.get()
    s, P = model.state, model.P
    fig = Figure(figsize=(5.2, 5.0))
    ax = fig.subplots()
    allies = mb.ALLY_INDEX
    angles = np.linspace(np.pi / 2, np.pi / 2 + 2 * np.pi, len(allies), endpoint=False)
    for k, i in enumerate(allies):
        x, y = np.cos(angles[k]), np.sin(angles[k])
        status = mb.STATUS_NAMES[int(s.status[0, i])]
        c = float(s.commitment[0, i])
        if status not in ("candidate", "exited"):
            ax.plot([0, x], [0, y], color="#999999", lw=0.5 + 6 * P.dependence[0, i], zorder=1)
        ax.scatter(
            [x],
            [y],
            s=300 + 2200 * c,
            color=STATUS_COLOURS[status],
            edgecolors=COLOURS[mb.CODES[i]],
            linewidths=3,
            zorder=2,
        )
        ax.annotate(
            f"{mb.CODES[i]}\n{c:.2f}", (x, y), ha="center", va="center", fontsize=8, zorder=3
        )
        ax.annotate(
            f"{NAMES[mb.CODES[i]]}: {status}",
            (1.45 * x, 1.38 * y),
            ha="center",
            va="center",
            fontsize=7.5,
            color="#333333",
        )
    ax.scatter([0], [0], s=1800, color="#cccccc", edgecolors="black", zorder=2)
    ax.annotate("RUS", (0, 0), ha="center", va="center", fontsize=9, zorder=3)
    for name, colour in STATUS_COLOURS.items():
        ax.scatter([], [], color=colour, edgecolors="black", label=name)
    ax.legend(loc="lower center", ncols=5, fontsize=7, frameon=False, bbox_to_anchor=(0.5, -0.08))
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.8, 1.8)
    ax.axis("off")
    ax.set_title(
        f"{model.quarter}: cohesion {model.cohesion:.2f}, bandwidth {model.bandwidth:.2f}",
        fontsize=10,
    )
    fig.tight_layout()
    solara.FigureMatplotlib(fig, format="png")
    rows = [
        f"| {NAMES[c]} ({c}) | {mb.STATUS_NAMES[int(s.status[0, i])]} | "
        f"{s.commitment[0, i]:.2f} | {model.credibility_of(c):.2f} |"
        for i, c in zip(mb.ALLY_INDEX, mb.ALLIES, strict=True)
    ]
    solara.Markdown(
        f"**{model.quarter}**: cohesion {model.cohesion:.2f}\n\n"
        "| member | status | commitment | belief in Article 4 |\n"
        "|---|---|---|---|\n" + "\n".join(rows)
    )


def build_page(scenario: str | None = None) -> Any:
    """The SolaraViz page for ``scenario`` (a shipped name or a path; None: defaults)."""
    sc = load_scenario(scenario) if scenario else default_scenario()
    params = model_params(sc)
    kwargs = {
        k: (v["value"] if isinstance(v, dict) and "type" in v else v) for k, v in params.items()
    }
    model = LiveModel(**kwargs)
    return SolaraViz(
        model,
        components=[(MembersView, 0), (CommitmentChart, 0)],
        model_params=params,
        name=page_name(sc),
    )


def page_name(sc: Scenario) -> str:
    """The page's title: a calibrated forecast says which of its parameter sets it shows (it
    showed set 0 without a word; the seed moves the noise only)."""
    if sc.posterior is None:
        return f"alliance-sim: {sc.name}"
    return (
        f"alliance-sim: {sc.name} — calibrated parameter set 0 of {len(sc.posterior)} and the "
        "state its replay reached (the seed moves the noise only)"
    )


page = build_page(os.environ.get("ALLIANCE_SIM_VIZ_SCENARIO") or None)
