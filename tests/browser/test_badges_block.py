"""
The badges block and the skills portfolio in a real browser, on the seeded demo: Alice opens the workbench scenario
``mentora_badges.0`` (the demo course), reads her earned competency, and reaches its verification page with the
keyboard only; axe-core finds no serious or critical violation on the block, on her portfolio page and on her
shared portfolio (the seed shares it), which anyone may open without signing in.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from devsite.seed_badges import COMPLETION, PIPELINE
from mentora_plugin.badges.models import BadgeAward, PortfolioSettings
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, wait_for_text
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser

SCENARIO = "/workbench/scenario/mentora_badges.0/"
BLOCK = ".mentora-badges"


@pytest.fixture
def site(demo, settings) -> str:
    """The seeded demo, its public badge URLs on the live server (the demo's own are on port 8000)."""
    settings.MENTORA_BADGES_BASE_URL = demo
    return demo


def assert_accessible(driver: WebDriver, include: str | None = None) -> None:
    problems = blocking(axe_violations(driver, include=include))
    assert not problems, describe(problems)


def test_alice_reads_her_badge_in_the_block_and_reaches_its_verification_by_keyboard(site, browser):
    sign_in_by_click(browser, site, "Alice Martin")
    browser.get(site + SCENARIO)
    block = wait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, BLOCK)))
    award = BadgeAward.objects.get(recipient__username="alice", badge_class__name=PIPELINE)
    badge = block.find_element(By.CSS_SELECTOR, f'[data-badge="{award.badge_class.public_id}"]')
    assert PIPELINE in badge.text and "Your status: Earned" in badge.text and "Competency" in badge.text
    image = badge.find_element(By.CSS_SELECTOR, "img")
    assert image.get_attribute("alt") == f"Image of the badge {PIPELINE}"
    assert COMPLETION in block.text
    assert_accessible(browser, BLOCK)

    # The criteria open from the keyboard (a native <details>), then Tab reaches the verification link.
    tab_to(browser, f'[data-badge="{award.badge_class.public_id}"] summary', limit=80)
    press(browser, Keys.ENTER)
    assert badge.find_element(By.CSS_SELECTOR, "details").get_attribute("open") is not None
    tab_to(browser, f'[data-badge="{award.badge_class.public_id}"] a.mentora-badges__verify')
    assert browser.switch_to.active_element.text == f"Verification page of your badge {PIPELINE}"
    press(browser, Keys.ENTER)
    wait_for_text(browser, PIPELINE, "h1")
    assert browser.current_url == f"{site}/badges/assertions/{award.public_id}/verify/"
    assert "Valid" in browser.find_element(By.ID, "main").text


def test_portfolio_pages_are_accessible_and_the_shared_one_needs_no_sign_in(site, browser):
    sign_in_by_click(browser, site, "Alice Martin")
    browser.get(site + "/mentora/badges/mine/")
    browser.find_element(By.LINK_TEXT, "My portfolio").click()
    wait_for_text(browser, "My skills portfolio", "h1")
    main = browser.find_element(By.ID, "main").text
    assert "Python" in main and "SQL" in main and PIPELINE in main and "Other badges" in main
    assert "Your portfolio is shared" in main
    assert_accessible(browser)

    token = PortfolioSettings.objects.get(user__username="alice", public=True).share_token
    link = browser.find_element(By.CSS_SELECTOR, ".mentora-portfolio-public-link").get_attribute("href")
    assert link == f"{site}/badges/portfolio/{token}/"
    browser.delete_all_cookies()  # anyone, not signed in
    browser.get(link)
    wait_for_text(browser, "Skills portfolio of Alice Martin", "h1")
    assert browser.find_element(By.CSS_SELECTOR, 'meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    assert PIPELINE in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
