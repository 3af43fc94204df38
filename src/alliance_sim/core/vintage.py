"""Member figures as they were known at a cut (``data/member_series.toml``).

``data/members.toml`` holds each structural figure's latest value (2021-2024). A fit or a
forecast made at quarter *t* must read only what was public by *t*: for the figures with a
dated series, :func:`as_of` gives the latest value public by *t* (the members.toml value when
it was public by then, otherwise the latest earlier one; before a figure's first value was
public, the first value, carried back: a value not yet public at the cut, which
:func:`carried_back` lists and a backtest reports). A cut of ``None`` reads members.toml
unchanged, as every run did before vintages.

A value whose source is dated after 2024 (``latest_dated = "after 2024"``) is never read at a
cut: nothing dated after 2024 enters a fit (the project's rule), and :func:`after_2024` lists
those values so that they are visible.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from alliance_sim.core import quarters

AFTER_2024 = "after 2024"
CARRIED_BACK = "carried back, not yet public at the cut"


@dataclass(frozen=True)
class Point:
    """One dated value of a member figure: ``value`` for ``year``, public from ``dated``."""

    year: int
    dated: str
    value: float
    source: str


@dataclass(frozen=True)
class Series:
    """The earlier values of ``field`` for member ``code`` (oldest first) and when the
    members.toml value (``latest``) became public (``latest_dated``: a quarter or AFTER_2024)."""

    field: str
    code: str
    points: tuple[Point, ...]
    latest: float
    latest_dated: str

    def at(self, cut: str) -> tuple[float, str]:
        """The value public by quarter ``cut`` and how it was chosen (its source, or that it
        is the first value carried back)."""
        t = quarters.parse(cut)
        if self.latest_dated != AFTER_2024 and quarters.parse(self.latest_dated) <= t:
            return self.latest, f"members.toml (public {self.latest_dated})"
        known = [p for p in self.points if quarters.parse(p.dated) <= t]
        if known:
            p = known[-1]
            return p.value, f"{p.year} value (public {p.dated}): {p.source}"
        first = self.points[0] if self.points else None
        if first is None:
            return self.latest, f"members.toml, public {self.latest_dated}: {CARRIED_BACK}"
        return first.value, f"{first.year} value, public {first.dated}: {CARRIED_BACK}"

    def carried_back(self, cut: str) -> bool:
        """Whether no value of this figure was public by ``cut`` (the first is carried back)."""
        return CARRIED_BACK in self.at(cut)[1]


@lru_cache(maxsize=1)
def series() -> tuple[Series, ...]:
    """Every dated series of ``data/member_series.toml``, with members.toml's latest values."""
    raw, profiles = _read("member_series.toml"), _read("members.toml")
    out = []
    for field, by_member in raw.items():
        for code, entry in by_member.items():
            points = tuple(
                Point(int(p["year"]), p["dated"], float(p["value"]), p["source"])
                for p in entry["points"]
            )
            latest = float(profiles[code][field]["value"])
            out.append(Series(field, code, points, latest, entry["latest_dated"]))
    return tuple(out)


def _read(name: str) -> dict:
    return tomllib.loads(
        resources.files("alliance_sim.core").joinpath(f"data/{name}").read_text("utf-8")
    )


def as_of(cut: str | None) -> dict[str, dict[str, float]]:
    """``{code: {field: value}}``: the figures public by quarter ``cut`` that differ from
    members.toml (an override for :meth:`~alliance_sim.core.members.Profiles.with_overrides`);
    empty for ``None``."""
    if cut is None:
        return {}
    out: dict[str, dict[str, float]] = {}
    for s in series():
        value, _ = s.at(cut)
        if value != s.latest:
            out.setdefault(s.code, {})[s.field] = value
    return out


def describe(cut: str) -> list[str]:
    """One line per dated figure: the value a fit at ``cut`` reads and where it comes from."""
    return [f"{s.code} {s.field} = {s.at(cut)[0]:g}: {s.at(cut)[1]}" for s in series()]


def carried_back(cut: str) -> list[str]:
    """The figures ("CODE field") of which no value was public by ``cut``: a fit at ``cut``
    reads their first value, from after the cut (the vintage rule does not hold for them)."""
    return [f"{s.code} {s.field}" for s in series() if s.carried_back(cut)]


def after_2024() -> list[str]:
    """The members.toml figures whose source is dated after 2024 ("CODE field")."""
    return [f"{s.code} {s.field}" for s in series() if s.latest_dated == AFTER_2024]
