"""The live view: the server starts on loopback, the page shows the members, Step moves it."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CHROMIUM, launch_chromium

pytest.importorskip("solara", reason="the viz extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    exe = shutil.which("alliance-sim") or str(Path(sys.executable).with_name("alliance-sim"))
    port = free_port()
    proc = subprocess.Popen(
        [exe, "viz", "armenia_exits", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("viz server did not start: " + proc.stdout.read1().decode(errors="replace"))
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def test_viz_page_shows_members_and_step_changes_the_plot(server, tmp_path):
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside = []
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "blob:", "data:"))
                else None
            ),
        )
        page.goto(server)
        page.get_by_role("button", name="Step").wait_for(timeout=90_000)
        page.get_by_text("Armenia (ARM)").wait_for(timeout=60_000)
        body = page.inner_text("body")
        for name in ("Belarus", "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Armenia"):
            assert name in body
        assert "suspended" in body and "2024Q4" in body  # continues the replay: Armenia frozen
        plot = page.locator("img").last
        before = plot.get_attribute("src")
        shot_before = plot.screenshot()
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
            page.wait_for_timeout(600)
        page.get_by_text("Time: 3").wait_for(timeout=30_000)
        page.wait_for_function(
            f"() => document.images[document.images.length - 1].src !== {before!r}", timeout=30_000
        )
        page.wait_for_timeout(500)
        assert plot.screenshot() != shot_before
        assert "2025Q3" in page.inner_text("body")  # three quarters after 2024Q4
        page.screenshot(path=str(tmp_path / "viz.png"))
        browser.close()
    assert outside == [], outside  # works offline: nothing fetched from outside
