"""What a figure must say about itself: scheduled events on the time axis, what cohesion is,
what a pooled sweep fan mixes, and what a response or heatmap averages over."""

from __future__ import annotations

from matplotlib.axes import Axes

from alliance_sim.analysis.summary import COHESION
from alliance_sim.core import quarters

__all__ = ["COHESION", "averaged_over", "event_markers", "events", "pooled_note"]

MAX_LABELLED = 8  # beyond this many events on one axis, lines only (labels would collide)


def events(manifest, member: str | None = None) -> list[tuple[str, str]]:
    """(quarter, short label) of the scenario's scheduled events, from the resolved scenario
    in the manifest; with ``member``, only events about that member or the whole alliance.
    A swept event time is drawn at its base value (the label says 'swept')."""
    swept = set(manifest.plan.swept)
    out = []
    for ev in (manifest.scenario or {}).get("events", []) or []:
        at, kind = ev.get("at"), ev.get("type", "event")
        if not at:
            continue
        who = ev.get("member")
        if member is not None and who not in (None, member):
            continue
        label = f"{who} {kind}" if who else kind
        if f"events.{ev.get('id')}.at" in swept:
            label += " (time swept)"
        out.append((str(at), label))
    return out


def event_markers(
    ax: Axes, manifest, labels: list[str], member: str | None = None, ordinal: bool = False
) -> int:
    """Dotted vertical lines (labelled when few) at the scheduled events that fall inside the
    axis's quarters ``labels``; x is the index into ``labels`` or, with ``ordinal``, the
    quarter's ordinal.  Returns how many were drawn."""
    inside = [(at, text) for at, text in events(manifest, member) if at in labels]
    for at, text in inside:
        x = quarters.parse(at) if ordinal else labels.index(at)
        ax.axvline(x, color="#666666", lw=0.7, ls=":", zorder=0)
        if len(inside) <= MAX_LABELLED:
            ax.annotate(
                text,
                (x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                rotation=90,
                va="top",
                ha="left",
                fontsize=6,
                color="#555555",
            )
    return len(inside)


def pooled_note(manifest) -> str:
    """What a fan over all runs of a sweep mixes (empty for a single point)."""
    plan = manifest.plan
    if plan.n_points <= 1:
        return ""
    return (
        f"bands pool all {plan.n_points} design points x {plan.replicates} replicates: they mix "
        f"the swept parameters ({', '.join(plan.swept)}) with seed noise"
    )


def averaged_over(manifest, shown: list[str]) -> str:
    """The sentence naming what each plotted value averages over."""
    others = [p for p in manifest.plan.swept if p not in shown]
    what = f"{manifest.plan.replicates} replicate seeds"
    if others:
        what += " and the other swept parameters (" + ", ".join(others) + ")"
    return f"mean over {what}"
