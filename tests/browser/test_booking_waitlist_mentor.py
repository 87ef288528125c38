"""
The booking block's mentor and waitlist controls in a real browser, with the keyboard: a learner chooses a mentor
and sees them shown; a learner joins the waitlist of a full group session, is offered the seat a holder frees, and
takes it. axe-core finds no serious or critical violation on the block after each change.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from devsite.people import COURSE_KEY
from mentora_plugin.booking import api
from mentora_plugin.host import api as host_api
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import open_block, press, tab_to
from tests.browser.test_demo import sign_in_by_click, wait_for_text
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser

BLOCK = ".mentora-booking"
LIVE = BLOCK + " .mentora-booking__live"
GROUP_TITLE = "Small group clinic"


def assert_block_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver, include=BLOCK))
    assert not problems, describe(problems)


def overlaps(start, end, bookings) -> bool:
    return any(booking.start < end and booking.end > start for booking in bookings)


@pytest.fixture
def full_group(demo):
    """
    A group session of two seats, both held by other enrolled learners, at a time Alice is free (so the seat freed
    later is offered to her); learners may cancel until the start.
    """
    users = get_user_model().objects
    tariq = users.get(username="tariq")
    alice = users.get(username="alice")
    group = api.create_session_type(
        tariq, COURSE_KEY, title=GROUP_TITLE, description="Two learners at a time.", duration_minutes=60,
        capacity=2, location="video", window_days=30, cancellation_cutoff_hours=0,
    )
    today = timezone.now().date()
    alice_holds = api.list_bookings(alice, upcoming=True)
    slot = next(
        slot for slot in api.get_free_slots(group.id, today + timedelta(days=1), today + timedelta(days=10), "UTC")
        if not overlaps(slot.start, slot.end, alice_holds)
    )
    holders = []
    for username, name in (("dora", "Dora"), ("emil", "Emil")):
        holder = users.create(username=username, email=f"{username}@example.com", first_name=name, last_name="Test")
        host_api.record_enrollment(holder.pk, COURSE_KEY, "audit", True, timezone.now())
        holders.append((holder, api.book(holder, group.id, slot.start)))
    assert holders[0][1].session_id == holders[1][1].session_id
    assert api.list_full_sessions(group.id, today, today + timedelta(days=13), "UTC")[0].session_id == (
        holders[0][1].session_id
    )
    return group, holders


def test_learner_chooses_a_mentor_with_the_keyboard(demo, browser):
    alice, tariq = (get_user_model().objects.get(username=name) for name in ("alice", "tariq"))
    sign_in_by_click(browser, demo, "Alice Martin")
    block = open_block(browser, demo)
    mentor_text = block.find_element(By.CSS_SELECTOR, ".mentora-booking__mentor-text")
    assert mentor_text.text == "You have no mentor in this course yet."
    assert_block_accessible(browser)

    tab_to(browser, ".mentora-booking__mentor-select")
    browser.switch_to.active_element.send_keys("Tariq")
    chosen = block.find_element(By.CSS_SELECTOR, ".mentora-booking__mentor-select").get_attribute("value")
    assert chosen == str(tariq.pk)
    press(browser, Keys.TAB)
    assert browser.switch_to.active_element.text == "Choose"
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Tariq Benali is now your mentor.", LIVE)
    wait(browser, 10).until(lambda _: mentor_text.text == "Your mentor is Tariq Benali.")
    mentor = api.get_mentor(alice, COURSE_KEY)
    assert mentor is not None and mentor.trainer_name == "Tariq Benali"
    assert_block_accessible(browser)

    # Shown again on the next visit.
    block = open_block(browser, demo)
    assert block.find_element(By.CSS_SELECTOR, ".mentora-booking__mentor-text").text == "Your mentor is Tariq Benali."


def test_learner_joins_a_waitlist_and_takes_the_seat_freed(demo, full_group, browser):
    group, holders = full_group
    session_id = holders[0][1].session_id
    alice = get_user_model().objects.get(username="alice")
    sign_in_by_click(browser, demo, "Alice Martin")
    block = open_block(browser, demo)

    block.find_element(By.CSS_SELECTOR, ".mentora-booking__type").send_keys(GROUP_TITLE)
    assert block.find_element(By.CSS_SELECTOR, ".mentora-booking__type").get_attribute("value") == str(group.id)
    tab_to(browser, ".mentora-booking__show")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "free times found", LIVE)
    joins = block.find_elements(By.CSS_SELECTOR, ".mentora-booking__join")
    assert len(joins) == 1 and joins[0].text.startswith("Join the waitlist for")
    assert_block_accessible(browser)

    tab_to(browser, ".mentora-booking__join", limit=500)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "You are on the waitlist for", LIVE)
    assert browser.switch_to.active_element.text == "Your upcoming sessions"
    waiting = next(b for b in api.list_bookings(alice, upcoming=True) if b.session_id == session_id)
    assert waiting.status == "waitlisted"
    item = block.find_element(By.CSS_SELECTOR, f'.mentora-booking__upcoming [data-booking-id="{waiting.id}"]')
    assert item.get_attribute("data-status") == "waitlisted"
    assert GROUP_TITLE in item.text and "On the waitlist" in item.text
    assert not item.find_elements(By.CSS_SELECTOR, ".mentora-booking__accept")
    assert_block_accessible(browser)

    # A holder cancels: the freed seat is offered to Alice, first (and only) in line.
    holder, held = holders[0]
    api.cancel_booking(held.id, holder)
    block = open_block(browser, demo)
    offered = f'.mentora-booking__upcoming [data-booking-id="{waiting.id}"]'
    item = block.find_element(By.CSS_SELECTOR, offered)
    assert item.get_attribute("data-status") == "offered"
    assert "A seat is held for you" in item.text and "Held for you until" in item.text
    assert_block_accessible(browser)

    tab_to(browser, offered + " .mentora-booking__accept", limit=60)
    assert browser.switch_to.active_element.text == "Take the seat"
    press(browser, Keys.ENTER)
    wait_for_text(browser, "is yours.", LIVE)
    wait(browser, 10).until(
        lambda _: block.find_element(By.CSS_SELECTOR, offered).get_attribute("data-status") == "confirmed"
    )
    assert "Confirmed" in block.find_element(By.CSS_SELECTOR, offered).text
    assert not block.find_elements(By.CSS_SELECTOR, offered + " .mentora-booking__accept")
    assert_block_accessible(browser)

    upcoming = api.list_bookings(alice, upcoming=True, course_key=COURSE_KEY)
    booking = next(b for b in upcoming if b.id == waiting.id)
    assert booking.status == "confirmed" and booking.session_id == session_id
