"""
The community's editing pages in a real browser, on the seeded demo, with the keyboard only once signed in: Tariq,
who leads the data cleaning clinic, opens its rules from the forum page, turns on a five-minute slow mode and
schedules its closing, and the forum page then says so. axe-core finds no serious or critical violation on the
forum's rules, the staff's community settings, a group page with its edit forms, and the page editing a post (which
Alice reaches from her post's "Edit" link and saves, by keyboard).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.keys import Keys

from devsite.seed_communities import CLINIC, CLINIC_THREAD
from mentora_plugin.communities.models import Forum, ModerationAction, Post, Thread
from tests.browser.test_booking import press, tab_to
from tests.browser.test_communities_pages import assert_accessible, forum_id, page
from tests.browser.test_demo import sign_in_by_click, wait_for_text

pytestmark = pytest.mark.browser


def test_a_forum_leader_turns_on_slow_mode_and_a_scheduled_close_by_keyboard(demo, browser):
    clinic = forum_id(title=CLINIC)
    sign_in_by_click(browser, demo, "Tariq Benali")
    browser.get(demo + page("forum", forum_id=clinic))
    wait_for_text(browser, CLINIC, "h1")

    tab_to(browser, ".mc-rules-link", limit=80)
    press(browser, Keys.ENTER)
    wait_for_text(browser, f"Rules of {CLINIC}", "h1")
    assert_accessible(browser)

    tab_to(browser, "#id_rules-slow_mode_seconds")
    browser.switch_to.active_element.send_keys("5 minutes")  # the select's type-ahead, as a keyboard user does
    assert browser.switch_to.active_element.get_attribute("value") == "300"
    tab_to(browser, "#id_rules-closes_at")
    # Chromium's datetime-local in en-US: month, day, year, then (Tab) hour, minute, AM/PM.
    press(browser, "06", "30", "2031", Keys.TAB, "05", "45", "P")
    assert browser.switch_to.active_element.get_attribute("value") == "2031-06-30T17:45"
    tab_to(browser, "#id_rules-reason")
    press(browser, "Exam week: calmer pace")
    tab_to(browser, ".mc-rules-form button[type=submit]")
    press(browser, Keys.ENTER)

    wait_for_text(browser, "The forum's rules are saved.", ".mentora-messages")
    main = browser.find_element("id", "main").text
    assert "Slow mode" in main and "Closes on" in main
    saved = Forum.objects.get(pk=clinic)
    assert saved.slow_mode_seconds == 300
    assert saved.closes_at == datetime(2031, 6, 30, 17, 45, tzinfo=ZoneInfo("UTC"))  # Tariq's zone: UTC
    logged = ModerationAction.objects.filter(action="forum_rules").latest("created")
    assert logged.reason == "Exam week: calmer pace" and logged.actor.username == "tariq"


@pytest.mark.parametrize("who, name, heading", [
    ("Sofia Rossi", "space-settings", "Community settings"),
])
def test_the_settings_page_is_accessible(demo, browser, who, name, heading):
    sign_in_by_click(browser, demo, who)
    browser.get(demo + page(name))
    wait_for_text(browser, heading, "h1")
    assert_accessible(browser)


def test_the_group_page_with_its_edit_forms_is_accessible(demo, browser):
    sign_in_by_click(browser, demo, "Tariq Benali")
    browser.get(demo + page("groups"))
    browser.find_element("link text", "Pipeline team").click()
    wait_for_text(browser, "Pipeline team", "h1")
    assert "Rename or describe the group" in browser.find_element("id", "main").text
    tab_to(browser, ".mc-edit-milestone summary", limit=120)
    press(browser, Keys.ENTER)  # open the first milestone's edit form, so that axe checks its fields
    assert_accessible(browser)


def test_the_edit_page_is_accessible_and_saves_by_keyboard(demo, browser):
    thread = Thread.objects.get(title=CLINIC_THREAD)
    opening = Post.objects.get(thread=thread, is_opening=True)
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + page("thread", thread_id=thread.pk))
    wait_for_text(browser, CLINIC_THREAD, "h1")
    tab_to(browser, f"#post-{opening.pk} .mc-edit a", limit=120)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Edit the thread", "h1")
    assert_accessible(browser)
    tab_to(browser, "#id_edit-body")
    press(browser, "Edited by keyboard. ")
    tab_to(browser, "form.mentora-form button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your changes are saved.", ".mentora-messages")
    assert "Edited by keyboard." in Post.objects.get(pk=opening.pk).body
