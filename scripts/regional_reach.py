"""Does a regional change stay in its region?  Belarus and Armenia against Central Asia.

    python scripts/regional_reach.py [--runs 400]

Runs the baseline, ``china_security_push`` as shipped (its Chinese push in a ``[region]``:
Kazakhstan, Kyrgyzstan, Tajikistan, Uzbekistan), and the same push written as global
``[params]`` (as the file did before ``[region]`` existed), on the same seeds and posterior
sets, and prints each member's mean commitment at 2034Q4 and its change against the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import tomllib
from pathlib import Path

import numpy as np

from alliance_sim import load_scenario
from alliance_sim.core import members as mb
from alliance_sim.engines.batch import run_batch
from alliance_sim.scenario.files import find_scenario
from alliance_sim.scenario.plan import spec_for


def _global_version(folder: Path) -> Path:
    """china_security_push with its [region] values moved into [params] (every member)."""
    text = find_scenario("china_security_push").read_text("utf-8")
    region = tomllib.loads(text)["region"]
    values = {k: v for k, v in region.items() if k not in ("members", "why")}
    lines = text.split("\n")
    start = lines.index("[region]")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
    body = ["[params]", *(f"{k} = {v!r}" for k, v in values.items()), ""]
    out = "\n".join([*lines[:start], *body, *lines[end:]])
    out = out.replace('"region.', '"').replace('extends = "baseline.toml"', 'extends = "baseline"')
    path = folder / "china_security_push_global.toml"
    path.write_text(out, "utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=400)
    a = ap.parse_args()
    seeds = list(range(a.runs))

    def commitment(name: str | Path) -> np.ndarray:
        sc = load_scenario(name)
        n_sets = len(sc.posterior.sets) if sc.posterior is not None else 1
        specs = [spec_for(sc, None, k % n_sets) for k in range(a.runs)]
        traj, _ = run_batch(specs, seeds)
        return traj["commitment"][-1]

    with tempfile.TemporaryDirectory() as tmp:
        base = commitment("baseline")
        glob = commitment(_global_version(Path(tmp)))
        reg = commitment("china_security_push")
    print(f"mean commitment at 2034Q4, {a.runs} paired runs (same seeds and posterior sets)")
    print("| member | baseline | push as global [params] | push in [region] |")
    print("|---|---|---|---|")
    for code in ("BLR", "ARM", "KAZ", "KGZ", "TJK"):
        i = mb.INDEX[code]
        b, g, r = (np.nanmean(x[:, i]) for x in (base, glob, reg))
        print(f"| {code} | {b:.3f} | {g:.3f} ({g - b:+.3f}) | {r:.3f} ({r - b:+.3f}) |")


if __name__ == "__main__":
    main()
