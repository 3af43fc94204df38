"""Derive each member's yearly agreement with Russia in the UN General Assembly, 2006–2024.

    python scripts/un_agreement.py "UN DATA.csv.zip" [--out FILE]

Writes the table the package ships (``src/alliance_sim/core/data/un_agreement.csv``, the default
``--out``); run it again to rebuild it.

Input, 2006–2021: the UN Dag Hammarskjöld Library's General Assembly voting record ([UNDL-VOTING]
in ``docs/sources.md``) as a wide CSV, one row per resolution and a column per member state
(Y, N, A, X = present but not voting, blank = not a member yet), ``UN DATA.csv`` zipped to
``UN DATA.csv.zip`` (728,800 bytes, SHA-256 below). The file is not in the repository. It is
in the history of the public GitHub repository ``navyanawal0310/un-votes-intelligence-platform``
(commit b1a33e9, path ``data/raw/downloads/UN DATA.csv.zip``, blob 4fbe7e9d…; it is not in
that repository's latest commit):

    git clone https://github.com/navyanawal0310/un-votes-intelligence-platform u
    git -C u cat-file -p 4fbe7e9db1fdd819398678b68040cc37e4d42acf > "UN DATA.csv.zip"

Input, 2022–2024: the recorded votes on the Ukraine texts in ``core/data/observations.toml``
(the UN Digital Library record of those years was not found in a file; those rows are the
project's own record of each vote, each with its sources).

Two measures, per member and year (rows with ``basis``):

* ``all``: of the recorded GA votes in which both Russia and the member voted Yes, No or
  Abstain, the share in which the member voted as Russia did. High for everyone (most votes
  are not about Russia) and moved by the agenda; 2006–2021 only.
* ``russia_no``: of the recorded GA votes in which Russia voted No (it stands against the
  majority: Georgia's displaced persons, Syria, human rights in Belarus, Crimea, Ukraine) and
  the member voted Yes, No or Abstain, the share in which it voted No too. 2006–2021 from the
  UNDL file; 2022–2024 from the Ukraine texts of ``observations.toml`` (a narrower set of
  votes: ``coverage`` says which).

A member not voting (X) or absent from the record is left out of that vote's count; a year
with no such vote has no row.  Uzbekistan is included throughout (it left the CSTO in 2012;
its rows are the observable a replay of 2006–2012 needs) and Iran (the candidate).

``--georgia`` prints instead the ``[[un_votes]]`` entries of ``observations.toml`` for the
General Assembly's yearly Georgia texts (the status of displaced persons from Abkhazia and
South Ossetia; Russia votes No on each) from 2015 to 2021, member by member (W = voted No
with Russia, A, Y, X = present but not voting or absent); the entries for 2008-2014 came
from [BRIEF-2006-2014] §3, which read them from the same file, and ``--georgia --first 2008``
prints those too, so that they can be compared.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tomllib
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "alliance_sim" / "core" / "data" / "un_agreement.csv"
OBSERVATIONS = ROOT / "src" / "alliance_sim" / "core" / "data" / "observations.toml"
SHA256 = "2f4db50f94c82f497e57a1643e55e007d62fb73db897c4c47b016894389860ba"
FIRST, LAST_UNDL, LAST = 2006, 2021, 2024
COUNTRIES = {  # the UNDL file's column names
    "ARMENIA": "ARM",
    "BELARUS": "BLR",
    "KAZAKHSTAN": "KAZ",
    "KYRGYZSTAN": "KGZ",
    "TAJIKISTAN": "TJK",
    "UZBEKISTAN": "UZB",
    "IRAN (ISLAMIC REPUBLIC OF)": "IRN",
}
RUSSIA = "RUSSIAN FEDERATION"
CAST = ("Y", "N", "A")
UNDL_SOURCE = "[UNDL-VOTING]"
TOML_SOURCE = "observations.toml un_votes (Ukraine texts), each vote's own sources"


def read_undl(path: Path) -> pd.DataFrame:
    """The GA rows of the UNDL file (zipped or not), with a ``year`` column."""
    raw = path.read_bytes()
    if path.suffix == ".zip":
        digest = hashlib.sha256(raw).hexdigest()
        if digest != SHA256:
            raise SystemExit(f"{path}: SHA-256 {digest}, expected {SHA256} (another vintage?)")
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            raw = z.read("UN DATA.csv")
    df = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", low_memory=False, dtype=str)
    ga = df[df["Council"] == "General Assembly"].copy()
    # the year from the date's first four digits: one 2011 row is dated "2011" only
    ga["year"] = pd.to_numeric(ga["Date"].str[:4], errors="coerce")
    return ga


def agreement(ga: pd.DataFrame, first: int = FIRST, last: int = LAST_UNDL) -> pd.DataFrame:
    """Both measures from UNDL-style rows (a ``year``, Russia's column, a column per member)."""
    rows = []
    for year, g in ga[(ga["year"] >= first) & (ga["year"] <= last)].groupby("year"):
        rus = g[RUSSIA]
        for column, code in COUNTRIES.items():
            if column not in g:
                continue
            own = g[column]
            both = rus.isin(CAST) & own.isin(CAST)
            if both.any():
                rows.append(_row(year, code, "all", both.sum(), (own[both] == rus[both]).sum()))
            against = (rus == "N") & own.isin(CAST)
            if against.any():
                n_with = (own[against] == "N").sum()
                rows.append(_row(year, code, "russia_no", against.sum(), n_with))
    return pd.DataFrame(rows)


def _row(year, code, basis, n, n_with, coverage="all recorded GA votes", source=UNDL_SOURCE):
    return {
        "year": int(year),
        "member": code,
        "basis": basis,
        "coverage": coverage,
        "n_votes": int(n),
        "with_russia": int(n_with),
        "share": round(int(n_with) / int(n), 4),
        "source": source,
    }


def ukraine_texts(toml_text: str, first: int = LAST_UNDL + 1, last: int = LAST) -> pd.DataFrame:
    """``russia_no`` rows from the recorded votes on the Ukraine texts (W = with Russia, A and
    Y = not, X and ? = left out), for the years the UNDL file does not cover."""
    count: dict[tuple[int, str], list[int]] = {}
    for vote in tomllib.loads(toml_text)["un_votes"]:
        year = int(vote["date"][:4])
        if not first <= year <= last or vote["votes"].get("RUS") != "W":
            continue
        for code, v in vote["votes"].items():
            if code == "RUS" or v not in ("W", "A", "Y"):
                continue
            n = count.setdefault((year, code), [0, 0])
            n[0] += 1
            n[1] += v == "W"
    cover = "recorded GA votes on Ukraine and Crimea texts only"
    return _sorted(
        pd.DataFrame(
            [
                _row(y, code, "russia_no", n, w, cover, TOML_SOURCE)
                for (y, code), (n, w) in sorted(count.items())
            ]
        )
    )


GEORGIA_MEMBERS = ("RUS", "BLR", "KAZ", "KGZ", "TJK", "ARM", "UZB")


def georgia_texts(ga: pd.DataFrame, first: int = 2015, last: int = LAST_UNDL) -> str:
    """The Georgia texts of ``first``-``last`` as ``[[un_votes]]`` TOML entries."""
    g = ga[ga["Title"].str.contains("Abkhazia", case=False, na=False)]
    g = g[(g["year"] >= first) & (g["year"] <= last)].sort_values("Date")
    code = {v: k for k, v in COUNTRIES.items()} | {"RUS": RUSSIA}
    out = []
    for _, r in g.iterrows():
        votes = {}
        for m in GEORGIA_MEMBERS:
            v = str(r.get(code[m], "")).strip()
            if m == "UZB" and int(r["year"]) > 2012:
                continue  # no longer a member: the record leaves its votes out
            votes[m] = "W" if v == "N" and r[RUSSIA] == "N" else (v if v in "AYX" and v else "X")
        year, month = int(r["Date"][:4]), int(r["Date"][5:7])
        tally = f"{r['YES COUNT']}-{r['NO COUNT']}-{r['ABSENT COUNT']}"
        body = ", ".join(f'{m} = "{v}"' for m, v in votes.items())
        out.append(
            "[[un_votes]]\n"
            f'id = "{r["Resolution"].removeprefix("A/RES/")}"\n'
            'title = "Georgia: status of IDPs and refugees"\n'
            f'date = "{r["Date"][:10]}"\n'
            f'quarter = "{year}Q{(month - 1) // 3 + 1}"\n'
            'kind = "georgia"\n'
            f'tally = "{tally}"\n'
            f"votes = {{ {body} }}\n"
            f'source = "UN Digital Library voting record {UNDL_SOURCE} (UN DATA.csv, commit '
            'b1a33e9), read by scripts/un_agreement.py --georgia"\n'
        )
    return "\n".join(out)


def build(undl: Path) -> pd.DataFrame:
    table = pd.concat(
        [agreement(read_undl(undl)), ukraine_texts(OBSERVATIONS.read_text("utf-8"))],
        ignore_index=True,
    )
    return _sorted(table)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["basis", "member", "year"], kind="stable").reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("undl", type=Path, help='"UN DATA.csv.zip" (or the CSV inside it)')
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--georgia", action="store_true", help="print the Georgia texts as TOML")
    ap.add_argument("--first", type=int, default=2015, help="with --georgia: first year")
    a = ap.parse_args(argv)
    if not a.undl.is_file():
        print(f"{a.undl}: no such file (see this script's docstring)", file=sys.stderr)
        return 2
    if a.georgia:
        print(georgia_texts(read_undl(a.undl), first=a.first))
        return 0
    table = build(a.undl)
    table.to_csv(a.out, index=False, lineterminator="\n")
    print(f"wrote {a.out}: {len(table)} rows, {table['year'].min()}–{table['year'].max()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
