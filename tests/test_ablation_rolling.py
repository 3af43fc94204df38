"""benchmarks/ablation_rolling.py keeps each finished variant and resumes from them: a run of
ten variants takes two hours, and one stopped after nine of them used to lose all nine."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def script(monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "ablation_rolling", ROOT / "benchmarks" / "ablation_rolling.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ran: list[dict] = []

    def fake(sc, origins, **k):  # a variant's backtest: its switches set in the scenario
        off = {n: v for n, v in sc.params.items() if n.startswith("mech_") and v == 0}
        if mod._STOP_AT and len(ran) == mod._STOP_AT:
            raise KeyboardInterrupt
        ran.append(off)
        rows = pd.DataFrame(
            {"origin": ["2022Q4"] * 2, "kind": ["summit"] * 2, "event": ["a", "b"],
             "quarter": ["2023Q1"] * 2, "member": ["ARM", "KAZ"], "valid": [True, True],
             "observed": [1.0, 0.0], "model": [0.5 + 0.01 * len(off), 0.2]}
        )  # fmt: skip
        summary = {"invalid_origins": [], "n_scored": 2, "brier": {"model": 0.1}, "ece": 0.05}
        return SimpleNamespace(rows=rows, summary=summary)

    monkeypatch.setattr(mod, "rolling_backtest", fake)
    mod._STOP_AT = None
    return mod, ran


def test_a_stopped_ablation_resumes_from_the_variants_it_finished(script, tmp_path, capsys):
    mod, ran = script
    out = tmp_path / "abl.json"
    argv = ["--variants", "bounded_ties off,az_tr off,all off", "--json", str(out)]
    mod._STOP_AT = 2  # stopped in its third variant
    with pytest.raises(KeyboardInterrupt):
        mod.main(argv)
    assert len(ran) == 2 and not out.exists()
    kept = sorted(p.name for p in (tmp_path / "abl.json.parts").iterdir())
    assert kept == ["all_on.json", "all_on.parquet", "bounded_ties_off.json",
                    "bounded_ties_off.parquet", "settings.json"]  # fmt: skip
    mod._STOP_AT = None
    ran.clear()
    assert mod.main(argv) == 0
    assert len(ran) == 2  # az_tr off and all off: the two kept are read, not run again
    assert "bounded_ties off: kept in" in capsys.readouterr().err
    done = json.loads(out.read_text())
    assert set(done) == {"all on", "bounded_ties off", "az_tr off", "all off"}
    assert done["bounded_ties off"]["paired_with_all_on"]["n_paired"] == 2


def test_kept_variants_of_other_settings_are_refused(script, tmp_path, capsys):
    mod, _ = script
    out = tmp_path / "abl.json"
    assert mod.main(["--variants", "az_tr off", "--json", str(out)]) == 0
    capsys.readouterr()
    argv = ["--variants", "az_tr off", "--json", str(out), "--origins", "2020Q4,2022Q4"]
    assert mod.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds variants run with other settings" in err, err
