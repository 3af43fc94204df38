"""The rolling-origin backtest with each mechanism switched off, refitted at every origin.

    python benchmarks/ablation_rolling.py [--origins 2010Q4,...,2022Q4] [--workers 2]
                                          [--variants "all on,bounded_ties off,..."]
                                          [--keep DIR]

For each variant (all on, each ``mech_*`` switch at 0, all off) the switch is set in the
scenario before anything is fitted, so that every origin's fit and forecast run without the
mechanism, exactly as ``alliance-sim backtest history_2006_2024 --origins ...`` does
(analysis/rolling.py, same settings, same seeds).  Each variant is compared with "all on"
on the outcomes both score (origins valid in both), pairing each outcome's two forecasts:
the difference in Brier score (variant minus all on; negative = the variant forecasts
better) with a 95% interval from a bootstrap that resamples occasions, the unit within
which outcomes share their shocks (analysis/rivals.occasions).  Prints a Markdown table;
``--json FILE`` also writes every variant's pooled summary and the paired differences.
About ten minutes per variant on 2 cores.

Each variant's scored rows are kept as it finishes (``--keep DIR``; default: beside ``--json``,
``FILE.parts/``), so a run stopped after hours loses only the variant it was in: the same
command runs the variants not yet kept, and refuses a folder kept with other settings (another
scenario, model, origins or fit settings).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from alliance_sim import load_scenario
from alliance_sim.analysis.rivals import BOOTSTRAP, occasions
from alliance_sim.analysis.rolling import rolling_backtest
from alliance_sim.core.mechanisms import MECHANISMS

ORIGINS = "2010Q4,2012Q4,2014Q4,2016Q4,2018Q4,2020Q4,2022Q4"
KEY = ["origin", "kind", "event", "quarter", "member"]


def variants() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {"all on": {}}
    out |= {f"{m.name} off": {m.switch: 0} for m in MECHANISMS}
    out["all off"] = {m.switch: 0 for m in MECHANISMS}
    return out


def paired(
    base: pd.DataFrame, other: pd.DataFrame, seed: int = 0, invalid: bool = False
) -> dict[str, float] | None:
    """Brier(other) - Brier(base) on the outcomes both score at origins valid in both (every
    origin with ``invalid``), with a 95% bootstrap interval over occasions; None if none."""
    a = base if invalid else base[base["valid"]]
    b = other if invalid else other[other["valid"]]
    a, b = a.set_index(KEY), b.set_index(KEY)
    both = a.index.intersection(b.index)
    if not len(both):
        return None
    a, b = a.loc[both].reset_index(), b.loc[both].reset_index()
    y = a["observed"].to_numpy(float)
    d = (b["model"].to_numpy(float) - y) ** 2 - (a["model"].to_numpy(float) - y) ** 2
    occ = pd.factorize(a["origin"].astype(str) + "|" + occasions(a))[0]
    n_occ = occ.max() + 1
    per = np.bincount(occ, d, n_occ)
    size = np.bincount(occ, minlength=n_occ).astype(float)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, n_occ, size=(BOOTSTRAP, n_occ))
    boot = per[pick].sum(1) / size[pick].sum(1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return {
        "n_paired": len(both),
        "occasions": int(n_occ),
        "brier_base": float(np.mean((a["model"].to_numpy(float) - y) ** 2)),
        "brier_variant": float(np.mean((b["model"].to_numpy(float) - y) ** 2)),
        "difference": float(d.mean()),
        "lo": float(lo),
        "hi": float(hi),
    }


class Refused(Exception):
    """Bad input: one line, exit status 2."""


def from_json(path: str, origins: str) -> tuple[pd.DataFrame, dict]:
    """The rows and pooled scores of a rolling backtest written by the CLI."""
    try:
        with open(path) as f:
            doc = json.load(f)
        requested = doc["origins_requested"]
    except (OSError, ValueError, KeyError, TypeError):
        raise Refused(
            f"--base {path}: not a rolling backtest's backtest.json (allowed: the output of "
            "alliance-sim backtest SCENARIO --origins ...)"
        ) from None
    if requested != [q.strip().upper() for q in origins.split(",")]:
        raise Refused(f"--base {path}: origins {requested}, not {origins}")
    for k, want in (("horizon_quarters", 8), ("fit_seeds_per_set", 16)):
        if doc.get(k) != want:
            raise Refused(f"--base {path}: {k} = {doc.get(k)!r}; this benchmark runs {want}")
    rows = pd.DataFrame(doc["rows"]).rename(
        columns={
            "period": "quarter",
            "occasion": "event",
            "outcome": "observed",
            "valid_origin": "valid",
        }
    )
    keep = ("invalid_origins", "n_scored", "brier", "ece", "seconds")
    return rows, {k: doc[k] for k in keep}


def _settings(sc, a) -> dict:
    """What a kept variant's rows depend on: a folder of other settings is not resumed."""
    from alliance_sim.scenario.stamp import model_stamp

    fit = {k: getattr(a, k) for k in ("draws", "generations", "replicates", "runs")}
    return {"scenario": sc.hash, "model": model_stamp(sc), "origins": a.origins, **fit}


def _kept(keep: Path, settings: dict) -> None:
    """``keep`` made, or checked to hold variants of ``settings``."""
    keep.mkdir(parents=True, exist_ok=True)
    said = keep / "settings.json"
    if said.exists():
        try:
            was = json.loads(said.read_text())
        except (OSError, ValueError):
            was = None
        if was != settings:
            raise Refused(
                f"--keep {keep}: holds variants run with other settings ({was}); allowed an "
                "empty folder or one kept by this command with the same settings"
            )
    else:
        said.write_text(json.dumps(settings))


def _save(keep: Path, label: str, rows: pd.DataFrame, summary: dict) -> None:
    """A finished variant's rows and summary, each written whole (a temporary name, then a
    rename), so that a stop mid-write leaves the variant to be run again, not half kept."""
    stem = keep / label.replace(" ", "_")
    rows.to_parquet(stem.with_suffix(".tmp.parquet"))
    stem.with_suffix(".tmp.json").write_text(json.dumps(summary, allow_nan=False))
    stem.with_suffix(".tmp.parquet").replace(stem.with_suffix(".parquet"))
    stem.with_suffix(".tmp.json").replace(stem.with_suffix(".json"))


def _load(keep: Path, label: str) -> tuple[pd.DataFrame, dict] | None:
    stem = keep / label.replace(" ", "_")
    if not (stem.with_suffix(".json").exists() and stem.with_suffix(".parquet").exists()):
        return None
    return pd.read_parquet(stem.with_suffix(".parquet")), json.loads(
        stem.with_suffix(".json").read_text()
    )


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    from alliance_sim.errors import AllianceSimError

    try:
        return _main(argv)
    except (Refused, AllianceSimError) as e:
        print(f"ablation_rolling: {e}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="history_2006_2024")
    ap.add_argument("--origins", default=ORIGINS)
    ap.add_argument("--workers", type=int, default=2)
    for opt in ("--draws", "--generations", "--replicates", "--runs"):  # default: the CLI's
        ap.add_argument(opt, type=int, default=None)
    ap.add_argument("--variants", default=None, help="comma-separated labels (default: all)")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument(
        "--keep",
        default=None,
        help="keep each finished variant here, and resume from it (default: JSON.parts/)",
    )
    ap.add_argument(
        "--include-invalid",
        action="store_true",
        help="pair the outcomes of invalid origins too (a check of the machinery only)",
    )
    ap.add_argument(
        "--base",
        default=None,
        help="DIR/backtest.json of `alliance-sim backtest SCENARIO --origins ...` with the same "
        "origins: its rows are the 'all on' variant (same settings and seeds), not re-run",
    )
    a = ap.parse_args(argv)
    sc = load_scenario(a.scenario)
    todo = variants()
    if a.variants:
        wanted = [v.strip() for v in a.variants.split(",")]
        unknown = [v for v in wanted if v not in todo]
        if unknown:
            print(f"--variants: unknown {unknown}; allowed {list(todo)}", file=sys.stderr)
            return 2
        todo = {k: todo[k] for k in ["all on", *wanted] if k in todo}
    t0 = time.perf_counter()
    rows: dict[str, pd.DataFrame] = {}
    summary: dict[str, dict] = {}
    if a.base:
        rows["all on"], summary["all on"] = from_json(a.base, a.origins)
    keep = Path(a.keep) if a.keep else Path(f"{a.json}.parts") if a.json else None
    if keep is not None:
        _kept(keep, _settings(sc, a))
    for label, switches in todo.items():
        if label in rows:
            continue
        got = _load(keep, label) if keep is not None else None
        if got is not None:
            rows[label], summary[label] = got
            print(f"{label}: kept in {keep}", file=sys.stderr, flush=True)
            continue
        t = time.perf_counter()
        roll = rolling_backtest(
            replace(sc, params={**sc.params, **switches}),
            origins=a.origins,
            workers=a.workers,
            quiet=True,
            max_unmatched=1.0,
            **{k: v for k in ("draws", "generations", "replicates") if (v := getattr(a, k))},
            **({"runs": a.runs} if a.runs else {}),
        )
        rows[label] = roll.rows
        summary[label] = {
            "seconds": time.perf_counter() - t,
            "invalid_origins": roll.summary["invalid_origins"],
            "n_scored": roll.summary["n_scored"],
            "brier": roll.summary["brier"],
            "ece": roll.summary["ece"],
        }
        if keep is not None:
            _save(keep, label, rows[label], summary[label])
        print(f"{label}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    print(
        "| variant (refitted at each origin) | invalid origins | pooled Brier | ECE "
        "| paired with all on: n | Brier, all on → variant | difference [95%] |"
    )
    print("|---|---|---|---|---|---|---|")
    for label in todo:
        s = summary[label]
        cells = [
            label,
            ", ".join(s["invalid_origins"]) or "none",
            _f(s["brier"].get("model")),
            _f(s["ece"]),
        ]
        if label == "all on":
            cells += ["", "", ""]
        else:
            p = paired(rows["all on"], rows[label], invalid=a.include_invalid)
            summary[label]["paired_with_all_on"] = p
            cells += (
                ["0", "—", "no origin valid in both"]
                if p is None
                else [
                    str(p["n_paired"]),
                    f"{p['brier_base']:.3f} → {p['brier_variant']:.3f}",
                    f"{p['difference']:+.3f} [{p['lo']:+.3f}, {p['hi']:+.3f}]",
                ]
            )
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"\n{len(todo)} variants, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=1, allow_nan=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
