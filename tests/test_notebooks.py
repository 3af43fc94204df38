"""Every notebook runs on a real kernel without error, in under a minute, and is stored
without outputs."""

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == [
        "00_research_workflow",
        "01_quickstart",
        "02_explore_parameters",
        "03_sweep_and_sensitivity",
        "04_compare_scenarios",
        "05_bring_your_own_design",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel shows figures inline
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    t = time.perf_counter()
    client.execute()  # raises CellExecutionError on any cell error
    elapsed = time.perf_counter() - t
    assert elapsed < 60, f"{path.name} took {elapsed:.0f} s"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure was shown"
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "Estimate(value=" not in text, "a raw Estimate object was printed"
    for expected in SHOWS.get(path.stem, ()):
        assert expected in text, f"{path.name} does not show {expected!r}"


#: what a notebook's outputs must show (the point it makes)
SHOWS = {
    # compared at the quarter both reach, the baseline running on to 2034Q4
    "00_research_workflow": ("By 2028Q4 (the last quarter every scenario reaches",),
    # the calibrated forecast from 2024Q4, stepped 40 quarters (the 2020Q1 model ends 2030Q1)
    "02_explore_parameters": ("2034Q4",),
    "04_compare_scenarios": ("By 2034Q4 (the end of every scenario)", " n=100"),
}
