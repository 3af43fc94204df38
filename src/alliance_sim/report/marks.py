"""What a figure must say about itself: scheduled events on the time axis, what cohesion is,
what a pooled sweep fan mixes, and what a response or heatmap averages over."""

from __future__ import annotations

from matplotlib.axes import Axes

from alliance_sim.analysis.summary import COHESION
from alliance_sim.core import quarters

__all__ = ["COHESION", "averaged_over", "event_key", "event_markers", "events", "pooled_note"]

KEY_PREFIX = "Events (dotted lines): "


def events(manifest, member: str | None = None) -> list[tuple[int, str, str]]:
    """(number, quarter, short label) of the scenario's scheduled events, from the resolved
    scenario in the manifest, numbered 1, 2, ... in date order over the whole scenario (so a
    number means the same event in every panel); with ``member``, only events about that
    member or the whole alliance.  A swept event time is drawn at its base value (the label
    says 'swept')."""
    swept = set(manifest.plan.swept)
    found = []
    for ev in (manifest.scenario or {}).get("events", []) or []:
        at, kind = ev.get("at"), ev.get("type", "event")
        if not at:
            continue
        who = ev.get("member") or "/".join(ev.get("members", []) or [])
        label = f"{who} {kind}" if who else str(kind)
        if kind in ("offer", "az_event") and ev.get("kind"):
            label += f" ({ev['source'] + ' ' if ev.get('source') else ''}{ev['kind']})"
        if f"events.{ev.get('id')}.at" in swept:
            label += " (time swept)"
        found.append((quarters.parse(str(at)), str(at), label, who))
    found.sort(key=lambda e: e[0])
    out = []
    for k, (_, at, label, who) in enumerate(found, start=1):
        whom = set(who.split("/")) if who else set()
        if member is None or not whom or member in whom:
            out.append((k, at, label))
    return out


def event_markers(
    ax: Axes, manifest, labels: list[str], member: str | None = None, ordinal: bool = False
) -> list[tuple[int, str, str]]:
    """Dotted vertical lines at the scheduled events that fall inside the axis's quarters
    ``labels``, each with its number at the top; numbers of events close together are
    staggered downwards so that none overlaps another (the key below the figure,
    :func:`event_key`, says what each number is).  x is the index into ``labels`` or, with
    ``ordinal``, the quarter's ordinal.  Returns the events drawn."""
    inside = [e for e in events(manifest, member) if e[1] in labels]
    span = max(len(labels) - 1, 1)
    gap = span * 0.045  # closer than this (in quarters) and two numbers would touch
    last_x: dict[int, float] = {}
    for k, at, _text in inside:
        x = quarters.parse(at) if ordinal else labels.index(at)
        pos = labels.index(at)
        ax.axvline(x, color="#666666", lw=0.7, ls=":", zorder=0)
        level = next(lv for lv in range(len(inside) + 1) if pos - last_x.get(lv, -1e9) >= gap)
        last_x[level] = pos
        ax.annotate(
            str(k),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -2 - 8 * level),
            textcoords="offset points",
            va="top",
            ha="center",
            fontsize=6,
            color="#333333",
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    return inside


def event_key(fig, drawn: list[tuple[int, str, str]], width: int = 150) -> int:
    """The key to the numbered events below the figure (above the footer); returns its lines
    (the figure's layout leaves room for them, see ``plots._save``)."""
    import textwrap

    unique = sorted({k: (k, at, text) for k, at, text in drawn}.values())
    if not unique:
        return 0
    entries = "; ".join(f"{k} {at} {text}" for k, at, text in unique)
    lines = textwrap.wrap(KEY_PREFIX + entries, width)
    height = fig.get_size_inches()[1]
    fig.text(
        0.01, 0.03 + 0.02 / height, "\n".join(lines), fontsize=6.5, color="#333333", va="bottom"
    )
    fig._alliance_key_lines = len(lines)
    return len(lines)


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
