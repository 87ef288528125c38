"""
Badges in a real browser, on the seeded demo: Tariq (an advanced trainer) awards Bruno the "Data pipeline builder"
badge with the keyboard only, from the course's badges page; Alice opens "My badges" from the header and follows
her badge to its public verification page (also linked from the landing page). axe-core finds no serious or
critical violation on My badges, the course's badges page, a class's page and the verification page. Sofia (course
staff) adds an award rule to the pipeline badge with the keyboard only, below the demo's seeded rule, and axe finds
nothing blocking on the class page with its rules section.
"""
from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from devsite.people import COURSE_KEY
from devsite.seed_badges import PIPELINE
from mentora_plugin.badges.models import AwardRule, BadgeAward, BadgeClass
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, wait_for_text

pytestmark = pytest.mark.browser


@pytest.fixture
def site(demo, settings) -> str:
    """The seeded demo, its public badge URLs on the live server (the demo's own are on port 8000)."""
    settings.MENTORA_BADGES_BASE_URL = demo
    return demo


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver))
    assert not problems, describe(problems)


def test_a_trainer_awards_a_badge_with_the_keyboard_only(site, browser):
    sign_in_by_click(browser, site, "Tariq Benali")
    browser.get(site + reverse("mentora-badges:pages-course", kwargs={"course_id": COURSE_KEY}))
    main = browser.find_element(By.ID, "main").text
    assert PIPELINE in main and "Top-rated mentor" in main and "New badge class" not in main  # trainers: no form
    assert_accessible(browser)

    # Keyboard only: Tab to the badge's link and open it; choose Bruno by typing his name; a note; send.
    tab_to(browser, 'a[href*="/mentora/badges/classes/"]')
    assert browser.switch_to.active_element.text == PIPELINE
    press(browser, Keys.ENTER)
    wait_for_text(browser, f"Badge: {PIPELINE}", "h1")
    assert_accessible(browser)
    tab_to(browser, "#id_award-recipient", limit=60)
    press(browser, "Bruno")
    assert browser.execute_script("const s = document.activeElement; return s.options[s.selectedIndex].text;") == (
        "Bruno Leroy (bruno)")
    press(browser, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "id_award-narrative"
    press(browser, "Reviewed again: the missing timestamps are handled now.")
    tab_to(browser, 'button[value="award"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, f"Bruno Leroy was awarded “{PIPELINE}”.", ".mentora-messages")

    current = BadgeAward.objects.get(recipient__username="bruno", revoked_at__isnull=True)
    assert (current.issued_by.username, current.badge_class.name) == ("tariq", PIPELINE)
    assert current.narrative == "Reviewed again: the missing timestamps are handled now."
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-award-id="{current.pk}"]').text
    assert "Bruno Leroy" in row and "Valid" in row
    assert "Revoked on" in browser.find_element(By.CSS_SELECTOR, ".mentora-badges-awards").text  # the earlier one


def test_alice_opens_my_badges_and_her_verification_page(site, browser):
    sign_in_by_click(browser, site, "Alice Martin")
    browser.find_element(By.LINK_TEXT, "My badges").click()
    wait_for_text(browser, "My badges", "h1")
    main = browser.find_element(By.ID, "main").text
    assert PIPELINE in main and "Mentoring in Practice — completion" in main and "Competency" in main
    assert "Tariq Benali" in main and "Valid" in main
    image = browser.find_element(By.CSS_SELECTOR, f'img[alt="Image of the badge {PIPELINE}"]')
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == 256
    assert browser.find_element(By.PARTIAL_LINK_TEXT, f"Add {PIPELINE} to LinkedIn").get_attribute(
        "href").startswith("https://www.linkedin.com/profile/add?")
    assert_accessible(browser)

    browser.find_element(By.LINK_TEXT, f"Verification page of {PIPELINE}").click()
    wait_for_text(browser, PIPELINE, "h1")
    page = browser.find_element(By.ID, "main").text
    assert "Valid" in page and "Tariq Benali" in page and "Capstone: the bus punctuality report" in page
    award = BadgeAward.objects.get(recipient__username="alice", badge_class__name=PIPELINE)
    assert browser.current_url == f"{site}/badges/assertions/{award.public_id}/verify/"
    assert_accessible(browser)

    # The landing page links the same page.
    browser.get(site + "/")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "public verification page of Alice Martin")
    assert link.get_attribute("href").endswith(f"/badges/assertions/{award.public_id}/verify/")


def test_staff_add_an_award_rule_with_the_keyboard_only(site, browser):
    sign_in_by_click(browser, site, "Sofia Rossi")
    badge = BadgeClass.objects.get(name=PIPELINE)
    browser.get(site + reverse("mentora-badges:pages-class", kwargs={"public_id": badge.public_id}))
    wait_for_text(browser, f"Badge: {PIPELINE}", "h1")
    rules = browser.find_element(By.CSS_SELECTOR, "section.mentora-badges-rules").text
    assert "Score at least 80 % on “Capstone: the bus punctuality report”" in rules and "Rule 1" in rules
    assert_accessible(browser)

    # Keyboard only: "any" of the conditions; condition 1 is two sessions attended; send.
    tab_to(browser, "#id_rule-mode", limit=120)
    press(browser, "any")
    tab_to(browser, "#id_rule-c1_kind")
    press(browser, "Sessions")
    tab_to(browser, "#id_rule-c1_count")
    press(browser, "2")
    tab_to(browser, 'button[value="add_rule"]', limit=60)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "The rule is added", ".mentora-messages")

    added = AwardRule.objects.filter(badge_class=badge, is_active=True).order_by("pk").last()
    assert (added.mode, added.conditions, added.created_by.username) == (
        "any", [{"kind": "sessions_attended", "count": 2, "course_key": COURSE_KEY}], "sofia")
    rules = browser.find_element(By.CSS_SELECTOR, "section.mentora-badges-rules").text
    assert "Rule 2" in rules and "Attend 2 sessions" in rules
    assert_accessible(browser)
