"""
Disputes in a real browser: a learner reports a problem with her trainer using the keyboard only and finds it in her
reports; platform staff find it in the queue, take it, and resolve it; the learner then reads the resolution. axe-core
finds no serious or critical violation on any of these pages, with a refusal shown next to a field too.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from devsite.people import COURSE_KEY, COURSE_TITLE
from mentora_plugin.host import api as host_api
from mentora_plugin.trainers.models import Dispute
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, sign_out, wait_for_text

pytestmark = pytest.mark.browser

REPORT = "/mentora/trainers/disputes/report/"
MINE = "/mentora/trainers/disputes/mine/"
QUEUE = "/mentora/trainers/disputes/"


@pytest.fixture
def site(live_server) -> str:
    """
    The live site with the three people this test needs, made here (not by the demo's seed): Alice, enrolled in the
    course; Tariq, its trainer; Ada, platform staff. The landing page's sign-in buttons find them by username.
    """
    users = get_user_model().objects
    alice = users.create(username="alice", first_name="Alice", last_name="Martin", email="alice@example.com")
    tariq = users.create(username="tariq", first_name="Tariq", last_name="Benali", email="tariq@example.com")
    users.create(username="admin", first_name="Ada", last_name="Admin", email="admin@example.com", is_staff=True)
    host_api.record_course(COURSE_KEY, timezone.now(), title=COURSE_TITLE)
    host_api.record_enrollment(alice.pk, COURSE_KEY, "verified", True, timezone.now())
    host_api.grant_trainer_role(COURSE_KEY, tariq, granted_by=None)
    return live_server.url


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver))
    assert not problems, describe(problems)


def test_a_learner_reports_with_the_keyboard_and_staff_resolve(site, browser):
    sign_in_by_click(browser, site, "Alice Martin")
    browser.get(site + REPORT + "?" + urlencode({"user": "tariq", "course_id": COURSE_KEY}))
    main = browser.find_element(By.ID, "main")
    assert "You are reporting a problem with your trainer Tariq Benali." in main.text
    assert COURSE_TITLE in main.text
    assert_accessible(browser)

    # Keyboard only: choose the kind of problem by typing, write, and send with Enter.
    tab_to(browser, "#id_category")
    press(browser, "Behaviour")
    assert browser.find_element(By.ID, "id_category").get_attribute("value") == "conduct"
    tab_to(browser, "#id_description")
    press(browser, "He mocked my questions during the session.")
    tab_to(browser, ".mentora-dispute-report button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your report is sent.", ".mentora-messages")
    case = Dispute.objects.get(reporter__username="alice")
    assert (case.reported.username, case.category, case.against_trainer) == ("tariq", "conduct", True)
    assert "Tariq Benali" in browser.find_element(By.CSS_SELECTOR, f'[data-report-id="{case.pk}"]').text
    assert_accessible(browser)

    # A refusal, shown next to its field, is accessible too.
    browser.get(site + REPORT)
    browser.find_element(By.ID, "id_user").send_keys("nobody-here")
    browser.find_element(By.ID, "id_description").send_keys("Test.")
    browser.find_element(By.CSS_SELECTOR, ".mentora-dispute-report button[type=submit]").click()
    wait_for_text(browser, "There is nobody by that name", "#id_user-error")
    assert_accessible(browser)

    sign_out(browser, site)
    sign_in_by_click(browser, site, "Ada Admin")
    browser.get(site + QUEUE)
    assert_accessible(browser)
    browser.find_element(By.CSS_SELECTOR, f'[data-dispute-id="{case.pk}"] a').click()
    wait_for_text(browser, "He mocked my questions", ".mentora-dispute-description")
    assert_accessible(browser)
    browser.find_element(By.CSS_SELECTOR, 'button[value="assign_me"]').click()
    wait_for_text(browser, "The case is assigned to you.", ".mentora-messages")
    # An empty reason is refused next to its field.
    browser.find_element(By.ID, "id_status-reason").send_keys(" ")
    browser.find_element(By.CSS_SELECTOR, 'button[value="status"]').click()
    wait_for_text(browser, "This field is required.", "#id_status-reason-error")
    assert_accessible(browser)
    browser.find_element(By.ID, "id_resolve-upheld_0").click()
    browser.find_element(By.ID, "id_resolve-resolution").send_keys("We spoke with Tariq; it will not happen again.")
    browser.find_element(By.CSS_SELECTOR, 'button[value="resolve"]').click()
    wait_for_text(browser, "The case is resolved", ".mentora-messages")
    assert "Reopen the case" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
    case.refresh_from_db()
    assert (case.status, case.upheld, case.resolved_by.username) == ("resolved", True, "admin")

    sign_out(browser, site)
    sign_in_by_click(browser, site, "Alice Martin")
    browser.get(site + MINE)
    row = browser.find_element(By.CSS_SELECTOR, f'[data-report-id="{case.pk}"]').text
    assert "Resolved" in row and "it will not happen again" in row
    assert_accessible(browser)
