"""
The levels' pages in a real browser: axe-core finds no serious or critical violation on a trainer's own level, the
published ladder and the staff's pages, and staff set a level with the keyboard only (a refusal without a reason is
announced next to the field first).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from mentora_plugin.trainers import api
from mentora_plugin.trainers.models import TrainerProfile, TrainerScope
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.waiting import wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    """An active trainer on probation (with a level history) and a staff member."""
    users = get_user_model().objects
    staff = users.create(username="sam", email="sam@example.com", first_name="Sam", last_name="Staff",
                         is_staff=True)
    trainer = users.create(username="bea", email="bea@example.com", first_name="Bea", last_name="Trainer")
    api.start_first_level(trainer)
    TrainerScope.objects.create(profile=trainer.mentora_trainer_profile, kind="platform", granted_at=timezone.now())
    api.lock_level(trainer, staff, "Checking the figures")
    TrainerProfile.objects.filter(user=trainer).update(level_warning_at=timezone.now() - timedelta(days=1))
    return {"staff": staff, "trainer": trainer}


def sign_in(driver: WebDriver, base: str, user) -> None:
    """Carry a signed-in session into the browser (the pages under test are not the sign-in)."""
    client = Client()
    client.force_login(user)
    driver.get(base + "/")  # a page of the site first: a cookie is set for the domain of the current page
    driver.add_cookie({"name": django_settings.SESSION_COOKIE_NAME,
                       "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value, "path": "/"})


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver, include="main"))
    assert not problems, describe(problems)


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: WebDriver, selector: str, limit: int = 60) -> None:
    """Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return
        press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {selector}")


def test_the_trainers_pages_pass_axe(live_server, browser, people):
    sign_in(browser, live_server.url, people["trainer"])
    browser.get(live_server.url + "/mentora/trainers/me/level/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Your trainer level"
    assert "capped during probation" in browser.find_element(By.TAG_NAME, "main").text
    assert_accessible(browser)
    browser.get(live_server.url + "/mentora/trainers/levels/")
    assert len(browser.find_elements(By.CSS_SELECTOR, "section[data-level]")) == 4
    assert_accessible(browser)


def test_the_staff_pages_pass_axe(live_server, browser, people):
    sign_in(browser, live_server.url, people["staff"])
    browser.get(live_server.url + "/mentora/trainers/levels/staff/")
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-trainer="bea"]')
    assert_accessible(browser)
    browser.get(live_server.url + "/mentora/trainers/levels/staff/bea/")
    assert "Checking the figures" in browser.find_element(By.TAG_NAME, "main").text
    assert_accessible(browser)


def test_staff_set_a_level_with_the_keyboard(live_server, browser, people):
    sign_in(browser, live_server.url, people["staff"])
    browser.get(live_server.url + "/mentora/trainers/levels/staff/bea/")

    # Choose the level from the menu by typing, skip the reason, and submit: refused next to the reason.
    tab_to(browser, "#id_override-level")
    press(browser, "Advanced")
    assert browser.find_element(By.ID, "id_override-level").get_attribute("value") == "advanced"
    press(browser, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "id_override-reason"
    tab_to(browser, 'button[value="override"]')
    press(browser, Keys.ENTER)
    error = wait(browser, 10).until(
        ec.presence_of_element_located((By.ID, "id_override-reason-error"))
    )
    assert "Give a reason" in error.text
    reason = browser.find_element(By.ID, "id_override-reason")
    assert reason.get_attribute("aria-invalid") == "true"
    assert reason.get_attribute("aria-describedby") == "id_override-reason-error"
    assert_accessible(browser)
    assert TrainerProfile.objects.get(user=people["trainer"]).level == "beginner"

    # The menu kept the choice; give the reason and submit with the keyboard again.
    assert browser.find_element(By.ID, "id_override-level").get_attribute("value") == "advanced"
    tab_to(browser, "#id_override-reason")
    press(browser, "Led the spring cohort")
    press(browser, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("value") == "override"
    press(browser, Keys.ENTER)
    wait(browser, 10).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, "[role=status]"), "The level of Bea Trainer is set.")
    )
    profile = TrainerProfile.objects.get(user=people["trainer"])
    assert (profile.level, profile.level_locked, profile.level_lock_reason) == ("advanced", True,
                                                                              "Led the spring cohort")
    assert "Led the spring cohort" in browser.find_element(By.ID, "history-title").find_element(
        By.XPATH, "following-sibling::table").text
