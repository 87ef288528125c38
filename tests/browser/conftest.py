"""
Fixtures of the browser tests: the demo site on pytest-django's ``live_server``, seeded by the demo's own command,
and Debian's Chromium driven headless through Debian's chromedriver.

``live_server`` serves static files through the staticfiles finders (pytest-django passes Django's
``StaticFilesHandler`` when ``django.contrib.staticfiles`` is installed), so the pages get their CSS as in the demo.
Nothing here may download a browser or a driver: both paths are given, which keeps Selenium Manager out.
"""
from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from workbench.runtime_util import reset_global_state

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,1024",
    "--lang=en-US",
)


@pytest.fixture(scope="session", autouse=True)
def assembled_assets() -> None:
    """Put static/ (and the compiled catalogs) where the app and the block serve them from, as ``make assets``."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "assemble_assets.py")], check=True, cwd=ROOT)


@pytest.fixture
def demo(live_server, settings) -> str:
    """
    The seeded demo on a live server; returns its base URL.

    xblock-sdk keeps scenario definitions in the database and caches the scenario list per process: after the
    live-server database is emptied between tests, the scenarios are loaded again. ``WORKBENCH`` gets xblock-sdk's
    own defaults only when the site's settings have none.
    """
    if not hasattr(settings, "WORKBENCH"):
        settings.WORKBENCH = {"reset_state_on_restart": False, "services": {}}
    call_command("seed_demo", stdout=io.StringIO())
    reset_global_state()
    return live_server.url


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with its own profile directory, closed after the test."""
    with tempfile.TemporaryDirectory(prefix="mentora-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_script_timeout(60)
        driver.implicitly_wait(0)
        try:
            yield driver
        finally:
            driver.quit()
