"""What a figure must say about itself: scheduled events on the time axis, what cohesion is,
what a pooled sweep fan mixes, what a response or heatmap averages over, and where a member
is in too few runs for a median (:func:`enough_in`)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from alliance_sim.analysis.summary import COHESION, MIN_IN
from alliance_sim.core import quarters
from alliance_sim.report import style
from alliance_sim.report.labels import parameter_label, plural

__all__ = [
    "COHESION",
    "averaged_over",
    "declutter",
    "enough_in",
    "event_key",
    "event_markers",
    "events",
    "pooled_note",
]

KEY_PREFIX = "Events (dotted lines):"


#: event types in words (others: the type with spaces)
TYPE_WORDS = {
    "az_event": "Azerbaijan:",
    "russian_force": "Russian use of force",
    "bandwidth": "Russian bandwidth",
}


def _event_label(ev: dict, who: str) -> str:
    """``ARM appeal``, ``KGZ/TJK clash``, ``ARM offer (west monitoring)``, ``Azerbaijan: war``."""
    kind = str(ev.get("type", "event"))
    words = TYPE_WORDS.get(kind, kind.replace("_", " "))
    label = f"{who} {words}" if who else words
    if kind == "az_event" and ev.get("kind"):
        return f"{label} {str(ev['kind']).replace('_', ' ')}"
    if kind == "offer" and ev.get("kind"):
        label += f" ({ev['source'] + ' ' if ev.get('source') else ''}{ev['kind']})"
    if kind == "russian_force" and ev.get("target"):
        label += f" ({ev['target']})"
    return label


def events(manifest, member: str | None = None) -> list[tuple[int, str, str]]:
    """(number, quarter, short label) of the scenario's scheduled events, from the resolved
    scenario in the manifest, numbered 1, 2, ... in date order over the whole scenario (so a
    number means the same event in every panel); with ``member``, only events about that
    member or the whole alliance.  A swept event time is drawn at its base value (the label
    says 'swept').  Events whose labels read alike carry their ids (``[victory]``)."""
    found = _ided(_found(manifest))
    out = []
    for k, (_, at, label, who) in enumerate(found, start=1):
        whom = set(who.split("/")) if who else set()
        if member is None or not whom or member in whom:
            out.append((k, at, label))
    return out


def _found(manifest) -> list[tuple[int, str, str, str, str | None]]:
    """(ordinal, quarter, label, who, id) of the scenario's dated events, in date order."""
    swept = set(manifest.plan.swept)
    found = []
    for ev in (manifest.scenario or {}).get("events", []) or []:
        at = ev.get("at")
        if not at:
            continue
        who = ev.get("member") or "/".join(ev.get("members", []) or [])
        label = _event_label(ev, who)
        if f"events.{ev.get('id')}.at" in swept:
            label += " (time swept)"
        found.append((quarters.parse(str(at)), str(at), label, who, ev.get("id")))
    found.sort(key=lambda e: e[0])
    return found


def _ided(found: list) -> list[tuple[int, str, str, str]]:
    """The events with their ids added to labels that read alike ("Russian bandwidth")."""
    labels = [e[2] for e in found]
    return [
        (o, at, f"{label} [{i}]" if labels.count(label) > 1 and i else label, who)
        for o, at, label, who, i in found
    ]


def compared_events(manifests: list, names: list[str]) -> list[tuple[int, str, str]]:
    """The scheduled events of every compared scenario, numbered once in date order; one
    that not every scenario has says which do ("(EU arms for Armenia only)"): a comparison's
    figures marked the first scenario's events only, so a baseline compared with a scenario
    showed none of the events that made the difference."""
    seen: dict[tuple, tuple[tuple, list[str]]] = {}  # (quarter, label, id) -> event, names
    for manifest, name in zip(manifests, names, strict=True):
        for e in _found(manifest):
            _, who = seen.setdefault(e[1:3] + e[4:], (e, []))
            if name not in who:
                who.append(name)
    merged = sorted(seen.values(), key=lambda v: v[0][0])  # stable: in the scenarios' order
    ided = _ided([e for e, _ in merged])  # ids where labels read alike over all of them
    return [
        (k, at, label if len(who) == len(set(names)) else f"{label} ({', '.join(who)} only)")
        for k, ((_, at, label, _who), (_, who)) in enumerate(zip(ided, merged, strict=True), 1)
    ]


NUMBER = "event-number"  # the gid of an event's number on an axis (placed by declutter)


def event_markers(
    ax: Axes,
    manifest,
    labels: list[str],
    member: str | None = None,
    ordinal: bool = False,
    found: list[tuple[int, str, str]] | None = None,
    compared: str | None = None,
) -> list[tuple[int, str, str]]:
    """Dotted vertical lines at the scheduled events that fall inside the axis's quarters
    ``labels``, each with its number at the top (the key below the figure, :func:`event_key`,
    says what each number is).  Numbers are placed when the figure is saved
    (:func:`declutter`): those that would touch are staggered downwards, so none overlaps
    another at any figure size.  x is the index into ``labels`` or, with ``ordinal``, the
    quarter's ordinal; ``found``: the events to draw (default: ``manifest``'s); ``compared``:
    the quarter a comparison reads (:func:`compared_line`).  Returns the events drawn."""
    if not ordinal:
        compared_line(ax, labels, compared)
    found = events(manifest, member) if found is None else found
    inside = [e for e in found if e[1] in labels]
    for k, at, _text in inside:
        x = quarters.parse(at) if ordinal else labels.index(at)
        ax.axvline(x, color="#666666", lw=0.7, ls=":", zorder=0)
        ax.annotate(
            str(k),
            (x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -2),
            textcoords="offset points",
            va="top",
            ha="center",
            fontsize=style.size(6),
            color="#333333",
            gid=NUMBER,
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    return inside


def declutter(fig, renderer) -> None:
    """Stagger each axis's event numbers so that no two overlap: left to right, a number goes
    on the highest row (from the top of the axis down) where it clears the one before it by a
    point, measured on the rendered text; rows are one text height apart."""
    from matplotlib.text import Annotation

    for ax in fig.axes:
        numbers = [t for t in ax.texts if isinstance(t, Annotation) and t.get_gid() == NUMBER]
        if not numbers:
            continue
        boxes = [t.get_window_extent(renderer) for t in numbers]
        px = fig.dpi / 72  # pixels per point
        row_height = max(b.height for b in boxes) / px + 1.5  # points
        ends: list[float] = []  # right edge of the last number on each row (pixels)
        order = sorted(zip(numbers, boxes, strict=True), key=lambda tb: (_centre(tb[1]), _n(tb[0])))
        for t, b in order:
            row = next((r for r, end in enumerate(ends) if b.x0 >= end + 1.5 * px), len(ends))
            if row == len(ends):
                ends.append(0.0)
            ends[row] = b.x1
            t.xyann = (0, -2 - row * row_height)


def _centre(box) -> float:
    return round((box.x0 + box.x1) / 2, 1)


def _n(text) -> int:
    return int(text.get_text()) if text.get_text().isdigit() else 0


def event_key(fig, drawn: list[tuple[int, str, str]], width: int | None = None) -> int:
    """Record the key to the numbered events for the bottom of the figure (``plots._save``
    writes it above the footer, wrapped to the figure's width: an entry is never split);
    returns the number of entries.  ``width`` is not used (kept for callers)."""
    unique = sorted({k: (k, at, text) for k, at, text in drawn}.values())
    fig._alliance_key = [
        f"{k}\u00a0{at}\u00a0{text}".replace(" ", "\u00a0") for k, at, text in unique
    ]
    return len(unique)


def pooled_note(manifest) -> str:
    """What a fan over all runs of a sweep mixes (empty for a single point)."""
    plan = manifest.plan
    if plan.n_points <= 1:
        return ""
    names = "; ".join(parameter_label(p, manifest.scenario) for p in plan.swept)
    return (
        f"bands pool all {plural(plan.n_points, 'design point')} x "
        f"{plural(plan.replicates, 'replicate')}, mixing seed noise with the swept {names}"
    )


def averaged_over(manifest, shown: list[str]) -> str:
    """The sentence naming what each plotted value averages over."""
    others = [p for p in manifest.plan.swept if p not in shown]
    what = plural(manifest.plan.replicates, "replicate seed")
    if others:
        names = "; ".join(parameter_label(p, manifest.scenario) for p in others)
        what += f" and the other swept parameters ({names})"
    return f"mean over {what}"


#: behind a note inside a panel: event and "compared at" lines pass under it, not through it
NOTE_BOX = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5}


# MIN_IN: runs a member must be in at a quarter for its median and bands to be drawn


def enough_in(
    q: np.ndarray, shares: dict[str, np.ndarray], n_runs: int, exited_count: bool = False
):
    """A member's commitment quantiles with the quarters in which fewer than ``MIN_IN`` runs
    have it in the alliance left out (a candidate that joins in 2 of 400 runs drew a median
    and bands from those 2), and the panel's note saying so (or None).  ``exited_count``:
    the quantiles count a run it has left as 0, so such runs count here too (a member that
    left in all but 9 runs had its line cut where its median is 0)."""
    states = ("active", "hedging", "suspended", *(("exited",) if exited_count else ()))
    n_in = np.rint(sum(shares[s] for s in states) * n_runs)
    few = n_in < MIN_IN
    if not few.any() or not (n_in > 0).any():
        return q, None
    q = q.astype(float, copy=True)
    q[:, few] = np.nan
    most = int(n_in.max())
    if few.all():
        return q, f"in the alliance in at most {most} of {n_runs} runs: too few for a median"
    return q, f"median and bands where at least {MIN_IN} of {n_runs} runs have it in"


#: the "compared at" line's colour: no scenario's or member's (its red had been the second
#: scenario's, then a brown next to Iran's: plots.SCENARIO_COLOURS, plots.COLOURS)
COMPARED = "#c51b7d"


def compared_line(ax: Axes, labels: list[str], at: str | None) -> None:
    """A dashed line at ``at``, the quarter a comparison reads, on a scenario's own figure that
    runs past it (x: the index into ``labels``): the report's per-scenario figures had run to
    each scenario's end with nothing to say where the comparison reads them (a new user)."""
    if at is None or at not in labels[:-1]:
        return
    x = labels.index(at)
    ax.axvline(x, color=COMPARED, lw=1.0, ls="--", zorder=1)
    ax.annotate(
        f"compared at {at}", (x, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12),
        textcoords="offset points", rotation=90, ha="left", va="top", color=COMPARED,
        fontsize=style.size(6.5), zorder=6,  # no box: it hid the curves it crossed
    )  # fmt: skip
