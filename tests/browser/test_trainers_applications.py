"""
Becoming a trainer in a real browser: Bruno starts his application with the keyboard only and submits it; the
automatic checks pass; Ada (platform staff) takes it from the queue, scores it, closes the skills check and approves
it (after a refused rejection without a reason); Bruno works through his onboarding checklist with the keyboard and
is an active trainer. axe-core finds no serious or critical violation on any of the pages, errors shown included.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from mentora_plugin.trainers.models import PortfolioItem, Skill, TrainerApplication, TrainerProfile, TrainerSkill
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_demo import sign_in_by_click, sign_out, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLY = "/mentora/trainers/apply/"
QUEUE = "/mentora/trainers/applications/"
ONBOARDING = "/mentora/trainers/onboarding/"
GUIDE = "/mentora/trainers/guide/"


@pytest.fixture
def site(live_server, settings) -> str:
    """
    The live site with the two people this test needs, made here (not by the demo's seed): Bruno, whose trainer
    profile is complete, and Ada, platform staff. The landing page's sign-in buttons find them by username.
    """
    settings.MENTORA_TRAINER_MICRO_TASK = ""
    settings.MENTORA_TRAINER_REQUIRED_EVIDENCE = 1
    users = get_user_model().objects
    bruno = users.create(username="bruno", first_name="Bruno", last_name="Leroy", email="bruno@example.com")
    users.create(username="admin", first_name="Ada", last_name="Admin", email="admin@example.com", is_staff=True)
    profile = TrainerProfile.objects.create(user=bruno, headline="Data engineer", bio="Ten years of pipelines.",
                                            languages=["fr", "en"])
    TrainerSkill.objects.create(profile=profile, skill=Skill.objects.create(slug="sql", name="SQL"))
    PortfolioItem.objects.create(profile=profile, title="ETL course", url="https://example.com/etl")
    return live_server.url


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver))
    assert not problems, describe(problems)


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: WebDriver, selector: str, limit: int = 80) -> None:
    """Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return
        press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {selector}")


def test_apply_review_approve_onboard(site, browser):
    # The applicant starts with the keyboard only.
    sign_in_by_click(browser, site, "Bruno Leroy")
    browser.get(site + APPLY)
    assert "Start your application" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
    tab_to(browser, "#id_start-motivation")
    press(browser, "I want to help people build their first data pipelines.")
    tab_to(browser, 'button[value="start"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your application is started.", ".mentora-messages")
    application = TrainerApplication.objects.get(profile__user__username="bruno")
    assert application.state == "draft" and application.scope_kind == "platform"
    assert_accessible(browser)
    browser.find_element(By.CSS_SELECTOR, 'button[value="submit"]').click()
    wait_for_text(browser, "Reviewers are looking at your application", "#main")
    assert "Skills check" in browser.find_element(By.CSS_SELECTOR, ".mentora-application-state").text
    assert_accessible(browser)

    # Staff review it.
    sign_out(browser, site)
    sign_in_by_click(browser, site, "Ada Admin")
    browser.get(site + QUEUE)
    assert_accessible(browser)
    browser.find_element(By.CSS_SELECTOR, f'[data-application-id="{application.pk}"] a').click()
    wait_for_text(browser, "Ten years of pipelines.", ".mentora-application-bio")
    assert_accessible(browser)
    browser.find_element(By.CSS_SELECTOR, 'button[value="assign_me"]').click()
    wait_for_text(browser, "You are a reviewer of this application.", ".mentora-messages")
    for key, value in (("expertise", "4"), ("teaching", "3"), ("communication", "3")):
        Select(browser.find_element(By.ID, f"id_score-score_{key}")).select_by_value(value)
    browser.find_element(By.ID, "id_score-comment_teaching").send_keys("Explains clearly.")
    browser.find_element(By.CSS_SELECTOR, 'button[value="score"]').click()
    wait_for_text(browser, "Your scores are saved.", ".mentora-messages")
    assert_accessible(browser)
    browser.find_element(By.CSS_SELECTOR, 'button[value="decision"]').click()
    wait_for_text(browser, "waits for votes", ".mentora-messages")
    # A rejection without a reason is refused, next to the field.
    browser.find_element(By.ID, "id_vote-vote_1").click()
    browser.find_element(By.CSS_SELECTOR, 'button[value="vote"]').click()
    wait_for_text(browser, "is required", ".mentora-vote-form")
    assert_accessible(browser)
    browser.find_element(By.ID, "id_vote-vote_0").click()
    browser.find_element(By.ID, "id_vote-reason").send_keys("Strong portfolio.")
    browser.find_element(By.CSS_SELECTOR, 'button[value="vote"]').click()
    wait_for_text(browser, "Your vote is recorded.", ".mentora-messages")
    assert "Onboarding" in browser.find_element(By.CSS_SELECTOR, ".mentora-application-state").text
    assert_accessible(browser)

    # The new trainer onboards with the keyboard.
    sign_out(browser, site)
    sign_in_by_click(browser, site, "Bruno Leroy")
    browser.get(site + ONBOARDING)
    assert "0 of 3 steps done." in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
    for step in ("guide", "availability", "conduct"):
        tab_to(browser, f'[data-step="{step}"] button')
        press(browser, Keys.ENTER)
        wait_for_text(browser, "Your onboarding is complete" if step == "conduct" else "The step is done.",
                      ".mentora-messages")
    assert "you are an active trainer" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
    profile = TrainerProfile.objects.get(user__username="bruno")
    assert (profile.status, profile.level) == ("active", "beginner")
    browser.get(site + APPLY)
    assert "You are an active trainer." in browser.find_element(By.ID, "main").text
    assert_accessible(browser)


def test_the_guide_and_its_code_of_conduct(site, browser):
    browser.get(site + GUIDE + "#conduct")
    conduct = browser.find_element(By.ID, "conduct")
    assert "Code of conduct" in conduct.text and "Respect every learner" in conduct.text
    assert_accessible(browser)
