"""
Booking in a real browser: a learner books a free time in the workbench block with the keyboard only, sees it in
their upcoming sessions and cancels it; axe-core finds no serious or critical violation on the block and on the
trainers' pages.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from mentora_plugin.booking import api
from mentora_plugin.booking.models import Booking
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_demo import sign_in_by_click, wait_for_text
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser

SCENARIO = "/workbench/scenario/mentora_booking.0/"
BLOCK = ".mentora-booking"


@pytest.fixture
def offered(demo):
    """The demo's 1:1 project review with Tariq (seeded by ``seed_demo`` through the booking API)."""
    tariq = get_user_model().objects.get(username="tariq")
    review = next(item for item in api.list_session_types(trainer=tariq) if item.title == "Project review (1:1)")
    # The first free time may be within the day: let learners cancel until the start, for this test.
    return api.update_session_type(tariq, review.id, cancellation_cutoff_hours=0)


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: WebDriver, selector: str, limit: int = 40) -> None:
    """Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return
        press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {selector}")


def open_block(driver: WebDriver, base: str):
    driver.get(base + SCENARIO)
    return wait(driver, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, BLOCK + '[data-ready="true"]'))
    )


def test_learner_books_with_the_keyboard_and_cancels(demo, offered, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    block = open_block(browser, demo)
    before = set(Booking.objects.filter(learner__username="alice").values_list("pk", flat=True))
    # The zone menu starts at the browser's own zone.
    browser_zone = browser.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert block.find_element(By.CSS_SELECTOR, ".mentora-booking__tz").get_attribute("value") == browser_zone

    # Choose the session with the keyboard: focus the menu and type the start of its label.
    block.find_element(By.CSS_SELECTOR, ".mentora-booking__type").send_keys("Project review")
    assert block.find_element(By.CSS_SELECTOR, ".mentora-booking__type").get_attribute("value") == str(offered.id)
    tab_to(browser, ".mentora-booking__show")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "free times found", BLOCK + " .mentora-booking__live")
    assert browser.switch_to.active_element.tag_name == "h3"  # focus moved to the results
    press(browser, Keys.TAB)
    first_slot = browser.switch_to.active_element
    assert "mentora-booking__slot" in first_slot.get_attribute("class")
    press(browser, Keys.ENTER)
    assert first_slot.get_attribute("aria-pressed") == "true"
    assert "Confirm your booking" in browser.switch_to.active_element.text
    tab_to(browser, ".mentora-booking__goal")
    press(browser, "Plan my final project")
    tab_to(browser, ".mentora-booking__book")
    press(browser, Keys.ENTER)
    live = block.find_element(By.CSS_SELECTOR, ".mentora-booking__live")
    wait(browser, 10).until(lambda _: "Booked: Project review (1:1)" in live.text)
    assert browser.switch_to.active_element.text == "Your upcoming sessions"

    booking = Booking.objects.filter(learner__username="alice").exclude(pk__in=before).get()
    assert booking.status == "confirmed" and booking.goal == "Plan my final project"
    item = block.find_element(By.CSS_SELECTOR, f'.mentora-booking__upcoming [data-booking-id="{booking.pk}"]')
    assert "Plan my final project" in item.text and "Tariq Benali" in item.text

    tab_to(browser, f'[data-booking-id="{booking.pk}"] .mentora-booking__cancel')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "is cancelled", BLOCK + " .mentora-booking__live")
    past = wait(browser, 10).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, f'.mentora-booking__past [data-booking-id="{booking.pk}"]')
    ))
    assert "Cancelled" in past.text
    assert not block.find_elements(By.CSS_SELECTOR, f'.mentora-booking__upcoming [data-booking-id="{booking.pk}"]')
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_block_has_no_serious_accessibility_violation(demo, offered, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    block = open_block(browser, demo)
    block.find_element(By.CSS_SELECTOR, ".mentora-booking__show").click()
    wait_for_text(browser, "free times found", BLOCK + " .mentora-booking__live")
    block.find_element(By.CSS_SELECTOR, ".mentora-booking__slot").click()  # slots and the confirm form showing
    problems = blocking(axe_violations(browser, include=BLOCK))
    assert not problems, describe(problems)


def test_trainer_pages_have_no_serious_accessibility_violation(demo, offered, browser):
    sign_in_by_click(browser, demo, "Tariq Benali")
    browser.get(demo + "/mentora/booking/sessions/")
    assert "Moving into data engineering" in browser.find_element(By.ID, "main").text  # a learner's goal
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)
    browser.get(demo + "/mentora/booking/availability/")
    assert "Project review (1:1)" in browser.find_element(By.ID, "main").text
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)
    # With an error next to a field.
    browser.find_element(By.ID, "id_calendar-time_zone").send_keys("Another")
    browser.find_element(By.ID, "id_calendar-other_time_zone").send_keys("Mars/Olympus")
    browser.find_element(By.CSS_SELECTOR, 'button[value="calendar"]').click()
    wait_for_text(browser, "is not a known time zone", "#main")
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)
