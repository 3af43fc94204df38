"""Vintage: a fit or forecast made at quarter t reads only member figures public by t."""

import re
from dataclasses import replace

import numpy as np
import pytest

from alliance_sim.core import members as mb
from alliance_sim.core import quarters, vintage
from alliance_sim.engines.batch import run_batch
from alliance_sim.engines.runspec import RunSpec, build_params

CUTS = ("2009Q4", "2012Q1", "2014Q4", "2018Q4", "2020Q4", "2022Q4", "2023Q3", "2024Q4")


def _after(dated: str, cut: str) -> bool:
    return dated == vintage.AFTER_2024 or quarters.parse(dated) > quarters.parse(cut)


def _moved(cut: str | None = None, known: str | None = None, keep=()) -> tuple:
    """The series with every value public after ``cut`` moved by +0.05 or, with ``known``,
    only the latest value public by ``known``; the figures ``keep`` ("CODE field") as they are."""
    out = []
    for s in vintage.series():
        pts, latest = list(s.points), s.latest
        if f"{s.code} {s.field}" in keep:
            out.append(s)
            continue
        if cut is not None:
            pts = [replace(p, value=p.value + 0.05) if _after(p.dated, cut) else p for p in pts]
            latest += 0.05 if _after(s.latest_dated, cut) else 0.0
        elif not _after(s.latest_dated, known):
            latest += 0.05
        else:
            i = max((i for i, p in enumerate(pts) if not _after(p.dated, known)), default=None)
            if i is not None:
                pts[i] = replace(pts[i], value=pts[i].value + 0.05)
        out.append(replace(s, points=tuple(pts), latest=latest))
    return tuple(out)


def test_no_cut_reads_members_toml_as_before():
    assert vintage.as_of(None) == {}
    now, plain = mb.load_profiles(as_of=None), mb._profiles()
    assert all(np.array_equal(now.values[k], plain.values[k]) for k in plain.values)


def test_at_the_end_of_2024_every_figure_is_members_toml_but_those_dated_after_2024():
    assert sorted(vintage.after_2024()) == ["KAZ arms_from_russia", "KGZ remittances_gdp"]
    # in their place, the latest earlier value: SIPRI's 2019-23 window, WDI's 2022
    assert vintage.as_of("2024Q4") == {
        "KAZ": {"arms_from_russia": 0.94},
        "KGZ": {"remittances_gdp": 0.295},
    }


@pytest.mark.parametrize("cut", CUTS)
def test_changing_any_value_public_after_the_cut_changes_nothing_at_the_cut(cut, monkeypatch):
    """Every figure but those not yet public at all (listed, and reported by the backtest)."""
    before = {(s.code, s.field): s.at(cut)[0] for s in vintage.series()}
    unknown = set(vintage.carried_back(cut))
    moved = _moved(cut=cut)
    monkeypatch.setattr(vintage, "series", lambda: moved)
    after = {(s.code, s.field): s.at(cut)[0] for s in vintage.series()}
    assert set(vintage.carried_back(cut)) == unknown
    for key, value in before.items():
        if f"{key[0]} {key[1]}" not in unknown:
            assert after[key] == value, (cut, key)


def test_the_rule_can_fail_a_value_public_by_the_cut_does_change_it(monkeypatch):
    before = vintage.describe("2022Q4")
    moved = _moved(known="2022Q4")
    monkeypatch.setattr(vintage, "series", lambda: moved)
    changed = [a != b for a, b in zip(before, vintage.describe("2022Q4"), strict=True)]
    not_yet = len(vintage.carried_back("2022Q4"))
    assert sum(changed) == len(before) - not_yet


def test_what_a_fit_at_a_cut_cannot_know_is_listed():
    assert vintage.carried_back("2022Q4") == ["TJK trade_russia"]  # first value: 2023
    assert "KAZ trade_russia" in vintage.carried_back("2010Q4")  # first value: 2011
    assert vintage.carried_back("2024Q4") == []


def test_a_run_at_a_cut_is_unchanged_by_figures_public_after_it(monkeypatch):
    """The same run (engine, seed) at vintage 2022Q4, with the figures public after 2022Q4
    moved: identical trajectory; without a vintage it reads the moved latest values."""
    spec = RunSpec("2020Q1", 12, {}, {}, (), vintage="2022Q4")
    latest = replace(spec, vintage=None)
    a, _ = run_batch([spec], [7])
    b, _ = run_batch([latest], [7])
    moved = _moved(cut="2022Q4", keep=vintage.carried_back("2022Q4"))
    plain = mb._profiles()
    over = {}
    for m in moved:
        over.setdefault(m.code, {})[m.field] = m.latest
    monkeypatch.setattr(vintage, "series", lambda: moved)
    monkeypatch.setattr(mb, "_profiles", lambda: plain.with_overrides(over))
    a2, _ = run_batch([spec], [7])
    b2, _ = run_batch([latest], [7])
    assert all(np.array_equal(a[k], a2[k], equal_nan=True) for k in a)
    assert not np.array_equal(a["commitment"], b["commitment"])  # the vintage is read
    assert not np.array_equal(b["commitment"], b2["commitment"])


def test_one_batch_reads_one_vintage():
    specs = [RunSpec("2020Q1", 4, {}, {}, ()), RunSpec("2020Q1", 4, {}, {}, (), vintage="2022Q4")]
    with pytest.raises(ValueError, match="one vintage"):
        build_params(specs)


def test_every_dated_value_names_its_source_and_nothing_is_dated_after_2024():
    from test_sources import entries

    known = entries()
    for s in vintage.series():
        assert s.latest_dated == vintage.AFTER_2024 or not _after(s.latest_dated, "2024Q4")
        years = [p.year for p in s.points]
        assert years == sorted(years), (s.code, s.field)
        for p in s.points:
            assert not _after(p.dated, "2024Q4")
            assert int(p.dated[:4]) >= p.year, (s.code, s.field, p)  # public after its period
            keys = set(re.findall(r"\[([A-Z0-9-]+)\]", p.source))
            assert keys and keys <= known, (s.code, s.field, p.source)
            assert 0 <= p.value <= 1
