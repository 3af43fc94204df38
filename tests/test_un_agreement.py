"""Each member's yearly agreement with Russia in the UN General Assembly: the shipped table is
what ``scripts/un_agreement.py`` derives, it matches the brief it is cited beside, and a cut
reads only the years known by then."""

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from alliance_sim.analysis import record as rc

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "src" / "alliance_sim" / "core" / "data" / "un_agreement.csv"
_spec = importlib.util.spec_from_file_location("un_agreement", ROOT / "scripts" / "un_agreement.py")
script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(script)

# [BRIEF-2006-2014] §3: "% of GA recorded votes in which both cast Y/N/A and the member voted
# exactly as Russia" (n votes, BLR, KAZ, KGZ, TJK, ARM, UZB), derived there from the same file
BRIEF = """
2006 101 91 88 89 86 83 88
2007 79 82 84 82 85 78 88
2008 78 82 79 79 75 74 83
2009 68 82 78 80 77 76 81
2010 72 80 76 79 81 77 81
2011 69 80 75 76 81 77 84
2012 74 80 71 72 74 74 82
2013 64 78 65 63 66 73 78
2014 80 77 67 67 70 71 74
2015 78 69 62 61 61 69 66
2016 81 71 64 65 62 68 69
2017 94 78 71 67 69 73 77
2018 109 79 67 68 68 72 75
2019 100 78 68 69 69 70 72
2020 100 78 69 70 70 68 73
2021 88 74 64 67 66 66 70
"""


def test_shipped_agreement_matches_the_brief_for_every_member_and_year():
    t = rc.un_agreement("all")
    share = t.pivot(index="year", columns="member", values="share")
    n = t.pivot(index="year", columns="member", values="n_votes")
    for line in BRIEF.strip().splitlines():
        year, n_votes, *pct = map(int, line.split())
        for code, want in zip(("BLR", "KAZ", "KGZ", "TJK", "ARM", "UZB"), pct, strict=True):
            assert round(100 * share.loc[year, code]) == want, (year, code)
        # the brief's n counts the votes Russia cast; a member's own n is those it cast too
        assert n_votes - 10 <= n.loc[year].max() <= n_votes, year


def test_the_rules_of_the_count():
    """Votes not cast (X, blank) are left out; ``russia_no`` counts only Russia's No votes."""
    rows = pd.DataFrame(
        {
            "year": [2010] * 4 + [2011],
            script.RUSSIA: ["N", "N", "Y", "X", "N"],
            "ARMENIA": ["N", "A", "Y", "Y", "X"],
            "KAZAKHSTAN": ["Y", None, "N", "Y", "A"],
        }
    )
    t = script.agreement(rows, 2010, 2011).set_index(["year", "member", "basis"])
    assert t.loc[(2010, "ARM", "all"), ["n_votes", "with_russia"]].tolist() == [3, 2]
    assert t.loc[(2010, "ARM", "russia_no"), ["n_votes", "with_russia"]].tolist() == [2, 1]
    assert t.loc[(2010, "KAZ", "all"), ["n_votes", "with_russia"]].tolist() == [2, 0]
    assert t.loc[(2011, "KAZ", "russia_no"), "share"] == 0.0
    assert (2011, "ARM", "all") not in t.index  # Armenia cast no vote that year


def test_2022_to_2024_rows_are_what_the_script_derives_from_the_shipped_record():
    made = script.ukraine_texts((script.OBSERVATIONS).read_text("utf-8"))
    shipped = pd.read_csv(TABLE)
    shipped = shipped[shipped["year"] > script.LAST_UNDL].reset_index(drop=True)
    pd.testing.assert_frame_equal(made, shipped, check_dtype=False)
    assert (shipped["coverage"] == "recorded GA votes on Ukraine and Crimea texts only").all()
    # Belarus voted with Russia on every recorded Ukraine text of 2022-2024
    assert (shipped.loc[shipped["member"] == "BLR", "share"] == 1.0).all()


def test_every_row_names_its_source_and_nothing_is_dated_after_2024():
    from test_sources import entries

    t = pd.read_csv(TABLE)
    assert t["year"].between(2006, 2024).all() and t["share"].between(0, 1).all()
    assert (t["with_russia"] <= t["n_votes"]).all() and (t["n_votes"] > 0).all()
    keys = {k for s in t["source"] for k in re.findall(r"\[([A-Z0-9-]+)\]", s)}
    assert keys <= entries()
    undl = t["year"] <= script.LAST_UNDL
    assert (t.loc[undl, "source"] == "[UNDL-VOTING]").all()
    assert t.loc[~undl, "source"].str.startswith("observations.toml").all()


def test_a_cut_reads_only_the_years_known_by_then():
    before = rc.un_agreement("russia_no", cut="2012Q3")
    at = rc.un_agreement("russia_no", cut="2012Q4")
    assert before["year"].max() == 2011 and at["year"].max() == 2012
    assert rc.un_agreement(cut="2030Q1")["year"].max() == 2024
    with pytest.raises(ValueError, match="allowed all, russia_no"):
        rc.un_agreement("most")
