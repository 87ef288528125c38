"""
Trainer profiles in a real browser: a learner searches for a trainer, opens the profile and rates an interaction;
the trainer edits their profile with the keyboard only; staff see the moderation forms. axe-core finds no serious or
critical violation on the search, profile and edit pages.

The demo's people are used (one-click sign-in); their trainer data is made here through the trainers' API.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from devsite.people import COURSE_KEY
from mentora_plugin.trainers import activity, levels, profiles, ratings
from mentora_plugin.trainers.models import TrainerProfile, TrainerRating
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, wait_for_text

pytestmark = pytest.mark.browser

SEARCH = "/mentora/trainers/"
EDIT = "/mentora/trainers/me/profile/"
PROFILE = "/mentora/trainers/profile/tariq/"


@pytest.fixture
def trainer_data(demo, settings, tmp_path):
    """Tariq as an active trainer with skills, a portfolio and ratings; Alice with a review of his to rate."""
    settings.MEDIA_ROOT = str(tmp_path)
    people = {user.username: user for user in get_user_model().objects.all()}
    admin, tariq = people["admin"], people["tariq"]
    known = {skill.slug for skill in profiles.list_skills(include_inactive=True)}
    for slug, name, parent in (("data", "Data", None), ("python", "Python", "data"), ("career", "Career", None)):
        if slug not in known:  # the demo seeds its own taxonomy; this test needs these three
            profiles.create_skill(admin, slug, name, parent_slug=parent)
    profiles.update_profile(
        tariq, headline="Data engineer who mentors career changers", bio="Ten years of **pipelines**.",
        experience_years=10, languages=["fr", "en"], time_zone="Europe/Paris",
        links=[{"label": "Blog", "url": "https://blog.example"}],
    )
    profiles.set_skills(tariq, [
        {"skill": "python", "declared_level": 4, "is_specialisation": True},
        {"skill": "career", "declared_level": 3},
    ])
    profiles.validate_skill(admin, tariq, "python", 4)
    profiles.add_portfolio_item(tariq, "Streaming pipeline", "A *real-time* ETL.", "https://code.example/etl",
                                skill_slugs=["python"])
    levels.start_first_level(tariq)  # nothing happens once the demo makes him active itself
    now = timezone.now()
    review = activity.record_activity("review", "browser-review-1", tariq, people["bruno"], COURSE_KEY, now)
    rating = ratings.rate_trainer(people["bruno"], review.pk, 4, "Precise feedback on my project.")
    ratings.respond_to_rating(tariq, rating.id, "Thank you, Bruno!")
    rude = activity.record_activity("answer", "browser-answer-1", tariq, people["chloe"], COURSE_KEY, now)
    ratings.hide_rating(admin, ratings.rate_trainer(people["chloe"], rude.pk, 1, "Rude words").id, "Insults")
    to_rate = activity.record_activity("review", "browser-review-2", tariq, people["alice"], COURSE_KEY, now)
    return {"tariq": tariq, "alice": people["alice"], "to_rate": to_rate}


def select_all(browser) -> None:
    """Ctrl+A in the focused field, so that what is typed next replaces its text."""
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()


def assert_accessible(browser) -> None:
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)


def test_learner_finds_the_trainer_and_rates_with_the_keyboard(trainer_data, demo, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + SEARCH)
    assert_accessible(browser)
    Select(browser.find_element(By.ID, "id_skill")).select_by_value("data")  # Python is under Data
    Select(browser.find_element(By.ID, "id_language")).select_by_value("fr")
    browser.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()
    wait_for_text(browser, "found", "#results-title")
    assert_accessible(browser)
    browser.find_element(By.LINK_TEXT, "Tariq Benali").click()
    wait_for_text(browser, "Data engineer who mentors career changers")
    main = browser.find_element(By.ID, "main").text
    assert "Precise feedback on my project." in main and "Thank you, Bruno!" in main
    assert "Rude words" not in main  # hidden from learners
    assert_accessible(browser)

    activity_id = trainer_data["to_rate"].pk
    tab_to(browser, f"#id_rate-{activity_id}-stars_0")  # Tab enters the radio group; arrows choose in it
    press(browser, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert browser.switch_to.active_element.get_attribute("id") == f"id_rate-{activity_id}-stars_4"
    tab_to(browser, f"#id_rate-{activity_id}-comment")
    press(browser, "Clear and kind.")
    tab_to(browser, 'button[name="action"][value="rate"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "your rating is published", ".mentora-messages")
    rating = TrainerRating.objects.get(activity_id=activity_id)
    assert (rating.stars, rating.comment, rating.learner_id) == (5, "Clear and kind.", trainer_data["alice"].pk)
    assert "Clear and kind." in browser.find_element(By.ID, "ratings").text


def test_trainer_edits_the_profile_with_the_keyboard(trainer_data, demo, browser):
    sign_in_by_click(browser, demo, "Tariq Benali")
    browser.get(demo + EDIT)
    assert_accessible(browser)
    tab_to(browser, "#id_profile-headline")
    select_all(browser)
    press(browser, "Mentor for data careers")
    tab_to(browser, "#id_profile-links")
    select_all(browser)
    press(browser, "Bad | javascript:alert(1)")
    tab_to(browser, 'button[name="action"][value="profile"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "is not a web address", "#id_profile-links-error")
    assert browser.find_element(By.ID, "id_profile-links").get_attribute("aria-invalid") == "true"
    assert TrainerProfile.objects.get(user=trainer_data["tariq"]).headline.startswith("Data engineer")
    assert_accessible(browser)  # with the error shown

    tab_to(browser, "#id_profile-links")
    select_all(browser)
    press(browser, "Blog | https://blog.example")
    tab_to(browser, 'button[name="action"][value="profile"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your profile is saved.", ".mentora-messages")
    profile = TrainerProfile.objects.get(user=trainer_data["tariq"])
    assert profile.headline == "Mentor for data careers" and profile.links[0]["url"] == "https://blog.example"

    tab_to(browser, "#skill-data-on")
    press(browser, Keys.SPACE)
    tab_to(browser, 'button[name="action"][value="skills"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your skills are saved.", ".mentora-messages")
    assert {item.slug for item in profiles.get_profile(trainer_data["tariq"]).skills} >= {"python", "career", "data"}
    assert profiles.get_profile(trainer_data["tariq"]).skills[0].validated_level == 4  # kept


def test_staff_see_the_moderation_forms(trainer_data, demo, browser):
    sign_in_by_click(browser, demo, "Ada Admin")
    browser.get(demo + PROFILE)
    main = browser.find_element(By.ID, "main").text
    assert "Rude words" in main and "Hidden from learners." in main
    for summary in browser.find_elements(By.CSS_SELECTOR, "#ratings details summary"):
        summary.click()  # open the forms so that axe checks them
    assert_accessible(browser)
