"""
Waiting in the browser tests. While a click's navigation replaces the page, Chromium may answer a question about a
node of the page going away with "Node with given id does not belong to the document" (a plain WebDriverException,
not a stale-element one): that is a reason to ask again, never a failure.
"""
from __future__ import annotations

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait


def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    """A WebDriverWait that retries through a page being replaced."""
    return WebDriverWait(driver, timeout, ignored_exceptions=(WebDriverException,))
