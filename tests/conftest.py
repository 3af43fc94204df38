import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def write(tmp_path):
    """Write a scenario file into tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_text(text, "utf-8")
        return p

    return _write


@pytest.fixture
def ctrl_c():
    """Python's own Ctrl-C handler for the test: a test run started in the background by a
    non-interactive shell inherits SIGINT ignored, and a test that interrupts itself would
    then see nothing raised (the code under test rightly re-raises into the handler it found)."""
    import signal

    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


MINIMAL = 'name = "t"\ndescription = "a test"\nstart = "2024Q1"\nend = "2026Q4"\n'


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# flags that keep headless Chromium off the network on these machines (no sandbox as root)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright):
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
