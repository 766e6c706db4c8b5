"""What the browser tests share (tests/system/test_browser.py and test_hub.py): Debian's Chromium as
Playwright drives it on a closed network, JupyterLab's settings for a test, and waiting for a server."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
# what Chromium must not do on a closed network (and as root in a container, without its sandbox)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]
# JupyterLab's user settings for a test: every cell in the page (no windowing), no news, no autosave
# (only the Validate button saves, so no save overlaps another)
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def browser_missing() -> str | None:
    """Why Playwright cannot drive Chromium here, or None."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (make venv)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


def wait_for_http(url: str, process: subprocess.Popen, log: Path, what: str, seconds: float = 120) -> None:
    """Wait until ``url`` answers 200; fail with the end of ``log`` if ``process`` (``what``) exits or
    does not answer in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{what} did not answer within {seconds:g} s:\n{log.read_text()[-4000:]}")
