"""
The demo as a newcomer meets it, in a real browser: one-click sign-in (by keyboard), course staff granting a
trainer on the course's Mentora home page, the learner seeing that trainer in the workbench block; and axe-core on
each of those pages, failing on any "serious" or "critical" violation.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from devsite.people import COURSE_KEY
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser

COURSE_HOME = f"/mentora/courses/{COURSE_KEY}/"
SCENARIO = "/workbench/scenario/mentora_course_team.0/"
BLOCK = ".mentora-course-team"


def wait_for_text(driver: WebDriver, text: str, selector: str = "body") -> None:
    """
    Wait for ``text`` in the element. While a click's navigation replaces the page, Chromium may answer for a node of
    the page going away ("Node with given id does not belong to the document"): that is a retry, not a failure.
    """
    wait(driver, 10).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text)
    )


def sign_in_by_click(driver: WebDriver, base: str, full_name: str) -> None:
    """The landing page's one-click sign-in, with the mouse."""
    driver.get(base + "/")
    driver.find_element(By.CSS_SELECTOR, f'button[aria-label="Sign in as {full_name}"]').click()
    wait_for_text(driver, f"Signed in as {full_name}", ".mentora-header")


def sign_out(driver: WebDriver, base: str) -> None:
    driver.get(base + "/")
    header = driver.find_element(By.CSS_SELECTOR, ".mentora-header")
    driver.find_element(By.XPATH, "//header//button[normalize-space()='Sign out']").click()
    # The landing page always shows the sign-in buttons: wait for the page itself to be replaced, not for them.
    wait(driver, 10).until(ec.staleness_of(header))
    wait(driver, 10).until(
        lambda current: "Signed in as" not in current.find_element(By.CSS_SELECTOR, ".mentora-header").text
    )


def test_sign_in_with_the_keyboard_only(demo, browser):
    """Tab from the top of the landing page to Alice's button and press Enter: no mouse, no password."""
    browser.get(demo + "/")
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.text == "Skip to main content"  # the first stop skips the header
    for _ in range(40):
        if browser.switch_to.active_element.get_attribute("aria-label") == "Sign in as Alice Martin":
            break
        keys.send_keys(Keys.TAB).perform()
    else:
        raise AssertionError("Tab never reached the button that signs in as Alice Martin")
    keys.send_keys(Keys.ENTER).perform()
    wait_for_text(browser, "Signed in as Alice Martin", ".mentora-header")
    assert "learner" in browser.find_element(By.ID, "main").text  # her role in the demo course, from the host API


def test_staff_grants_a_trainer_whom_the_learner_then_sees_in_the_block(demo, browser):
    sign_in_by_click(browser, demo, "Sofia Rossi")
    browser.get(demo + COURSE_HOME)
    browser.find_element(By.ID, "trainer-username").send_keys("bruno")
    browser.find_element(By.ID, "trainer-reason").send_keys("Leads the study group.")
    browser.find_element(By.CSS_SELECTOR, 'button[name="action"][value="grant"]').click()
    wait_for_text(browser, "bruno is now a trainer in this course.", ".mentora-messages")
    trainers = browser.find_element(By.CSS_SELECTOR, ".mentora-table tbody").text
    assert "bruno" in trainers and "tariq" in trainers

    sign_out(browser, demo)
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.find_element(By.CSS_SELECTOR, f'#main a[href="{SCENARIO}"]').click()  # the landing page's own link
    block = wait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, BLOCK)))
    assert browser.current_url == demo + SCENARIO
    assert block.get_attribute("data-status") == "ok"
    listed = [item.text for item in block.find_elements(By.CSS_SELECTOR, ".mentora-course-team__trainer")]
    # Bruno was just made a trainer by course staff (no public profile); Tariq is an active trainer: his name links
    # to his public profile, with his level.
    assert listed == ["Bruno Leroy (bruno)", "Tariq Benali (tariq) Level: Advanced"]
    profile = block.find_element(By.CSS_SELECTOR, "a.mentora-course-team__name")
    assert profile.text == "Tariq Benali" and profile.get_attribute("href").endswith("/mentora/trainers/profile/tariq/")
    assert block.find_element(By.CSS_SELECTOR, ".mentora-course-team__roles").text == "Learner"

    link = block.find_element(By.CSS_SELECTOR, "a.mentora-course-team__link")
    link.send_keys(Keys.ENTER)  # the link is reachable and followed with the keyboard
    wait(browser, 10).until(ec.url_to_be(demo + COURSE_HOME))
    assert "bruno" in browser.find_element(By.CSS_SELECTOR, ".mentora-table tbody").text


def test_block_styles_are_served_from_the_block_public_dir(demo, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + SCENARIO)
    link = browser.find_element(By.CSS_SELECTOR, BLOCK + " a.mentora-course-team__link")
    assert link.value_of_css_property("font-weight") == "600"  # set only by public/xblocks/course_team.css


def test_signed_out_visitor_is_asked_to_sign_in_by_the_block(demo, browser):
    browser.get(demo + SCENARIO)
    block = browser.find_element(By.CSS_SELECTOR, BLOCK)
    assert block.get_attribute("data-status") == "anonymous"
    assert "Sign in to see who mentors in this course." in block.text
    problems = blocking(axe_violations(browser, include=BLOCK))
    assert not problems, describe(problems)


# --- accessibility ------------------------------------------------------------------------------------------------


def test_landing_page_has_no_serious_accessibility_violation(demo, browser):
    browser.get(demo + "/")
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)
    sign_in_by_click(browser, demo, "Alice Martin")  # the signed-in header has more controls
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)


def test_course_home_has_no_serious_accessibility_violation(demo, browser):
    sign_in_by_click(browser, demo, "Sofia Rossi")  # course staff: the page with the management form
    browser.get(demo + COURSE_HOME)
    assert browser.find_elements(By.ID, "trainer-username")
    header = browser.find_element(By.CSS_SELECTOR, ".mentora-header")
    assert header.value_of_css_property("background-color") == "rgba(10, 48, 85, 1)"  # mentora.css was served
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)
    browser.find_element(By.ID, "trainer-username").send_keys("nobody-here")  # the page with an error message
    browser.find_element(By.CSS_SELECTOR, 'button[name="action"][value="grant"]').click()
    wait_for_text(browser, "No active user has the username", ".mentora-messages")
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)


def test_workbench_block_has_no_serious_accessibility_violation(demo, browser):
    """
    Scoped to the block's element: the workbench's own page chrome (no ``lang``, no title, its debug panels) is
    xblock-sdk's, not Mentora's, and the LMS replaces it with its own page.
    """
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + SCENARIO)
    assert browser.find_element(By.CSS_SELECTOR, BLOCK).get_attribute("data-status") == "ok"
    problems = blocking(axe_violations(browser, include=BLOCK))
    assert not problems, describe(problems)
