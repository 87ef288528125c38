"""
The trainer queue and the gallery in a real browser: Tariq's queue flags the overdue submission in words and links
each row to its submission; Bruno browses the gallery, opens Alice's consented project and gives kudos with the
keyboard only; Alice's consent page, Tariq's showcase and his feature form. axe-core finds no serious or critical
violation on any of these pages.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from devsite.people import COURSE_KEY, COURSE_TITLE
from mentora_plugin.host import api as host_api
from mentora_plugin.reviews import api
from mentora_plugin.reviews.models import GalleryEntry, Kudos, Project, Review, Submission, SubmissionVersion
from mentora_plugin.trainers.models import Skill, TrainerProfile, TrainerScope
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, sign_out, wait_for_text

pytestmark = pytest.mark.browser

COURSE = CourseKey.from_string(COURSE_KEY)
RUBRIC = [{"key": "quality", "title": "Quality", "description": "", "weight": 1,
           "levels": [{"points": 0, "label": "Missing", "description": ""},
                      {"points": 5, "label": "Complete", "description": ""}]}]


def _submission(project: Project, learner, *, hours_ago: float, text: str, status: str = "submitted") -> Submission:
    submitted = timezone.now() - timedelta(hours=hours_ago)
    submission = Submission.objects.create(project=project, learner=learner, status=status, submitted_at=submitted)
    SubmissionVersion.objects.create(submission=submission, number=1, text=text, submitted_at=submitted,
                                     submitted_by=learner)
    return submission


@pytest.fixture
def site(live_server) -> dict:
    """
    The live site with its people made here: Alice and Bruno, learners of the course; Tariq, its trainer at the
    advanced level (featuring unlocked); Ada, platform staff. Alice's portfolio is approved, featured and consented
    to; Bruno's poster waits for review past its 24-hour target; Alice's second piece waits within it.
    """
    users = get_user_model().objects
    alice = users.create(username="alice", first_name="Alice", last_name="Martin", email="alice@example.com")
    bruno = users.create(username="bruno", first_name="Bruno", last_name="Leroy", email="bruno@example.com")
    tariq = users.create(username="tariq", first_name="Tariq", last_name="Benali", email="tariq@example.com")
    users.create(username="admin", first_name="Ada", last_name="Admin", email="admin@example.com", is_staff=True)
    now = timezone.now()
    host_api.record_course(COURSE_KEY, now, title=COURSE_TITLE)
    for learner in (alice, bruno):
        host_api.record_enrollment(learner.pk, COURSE_KEY, "verified", True, now)
    host_api.grant_trainer_role(COURSE_KEY, tariq, granted_by=None)
    profile = TrainerProfile.objects.create(user=tariq, status=TrainerProfile.Status.ACTIVE, level="advanced",
                                            activated_at=now)
    TrainerScope.objects.create(profile=profile, kind="course", course_key=COURSE, granted_at=now)
    Skill.objects.create(slug="writing", name="Writing")
    portfolio = Project.objects.create(usage_key=COURSE.make_usage_key("mentora_project", "portfolio"),
                                       course_key=COURSE, title="Build a portfolio", rubric=RUBRIC)
    poster = Project.objects.create(usage_key=COURSE.make_usage_key("mentora_project", "poster"), course_key=COURSE,
                                    title="Design a poster", rubric=RUBRIC, target_turnaround_hours=24)
    approved = _submission(portfolio, alice, hours_ago=80, text="My portfolio: three pages on mentoring.")
    Review.objects.create(version=approved.versions.get(), reviewer=tariq, outcome="approved", points=90,
                          feedback="A **clear** and complete portfolio.", released_at=now, scores={})
    Submission.objects.filter(pk=approved.pk).update(status="approved")
    api.set_gallery_consent(alice, approved.pk, True)
    entry = api.feature_submission(tariq, approved.pk, ["writing"])
    late = _submission(poster, bruno, hours_ago=30, text="Bruno's poster.")
    fresh = _submission(poster, alice, hours_ago=2, text="Alice's poster.")
    return {"url": live_server.url, "entry": entry, "approved": approved, "late": late, "fresh": fresh}


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver))
    assert not problems, describe(problems)


def test_the_trainer_queue_flags_overdue_work_and_is_accessible(site, browser):
    base = site["url"]
    sign_in_by_click(browser, base, "Tariq Benali")
    browser.get(base + "/mentora/reviews/queue/")
    late = browser.find_element(By.CSS_SELECTOR, f'[data-submission-id="{site["late"].pk}"]')
    assert "Overdue" in late.text and "Design a poster by Bruno Leroy" in late.text
    fresh = browser.find_element(By.CSS_SELECTOR, f'[data-submission-id="{site["fresh"].pk}"]')
    assert "Overdue" not in fresh.text
    link = late.find_element(By.TAG_NAME, "a").get_attribute("href")
    assert link.endswith(f"/mentora/reviews/submissions/{site['late'].pk}/")
    assert "2 waiting" in browser.find_element(By.CSS_SELECTOR, ".mentora-queue-counts").text.replace("\n", " ")
    assert_accessible(browser)

    # The overdue filter, by keyboard: tick it and send the form.
    tab_to(browser, "#filter-overdue")
    press(browser, Keys.SPACE)
    tab_to(browser, ".mentora-reviews-filters button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Design a poster by Bruno Leroy", ".mentora-queue")
    rows = browser.find_elements(By.CSS_SELECTOR, ".mentora-queue tbody tr")
    assert [row.get_attribute("data-submission-id") for row in rows] == [str(site["late"].pk)]
    assert_accessible(browser)

    # His feature form for approved work is accessible too.
    browser.get(base + f"/mentora/reviews/gallery/feature/{site['approved'].pk}/")
    assert "Writing" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)


def test_a_learner_browses_the_gallery_and_gives_kudos_with_the_keyboard(site, browser):
    base, entry = site["url"], site["entry"]
    sign_in_by_click(browser, base, "Bruno Leroy")
    browser.get(base + "/mentora/reviews/gallery/")
    card = browser.find_element(By.CSS_SELECTOR, f'[data-entry-id="{entry.id}"]')
    assert "Build a portfolio" in card.text and "By Alice Martin" in card.text and "Writing" in card.text
    assert "Bruno's poster" not in browser.find_element(By.ID, "main").text
    assert_accessible(browser)

    # Keyboard only: Tab to the entry's link, open it, Tab to the kudos button, press Enter.
    tab_to(browser, f'[data-entry-id="{entry.id}"] h2 a')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "My portfolio: three pages on mentoring.", ".mentora-gallery-text")
    assert "A clear and complete portfolio." in browser.find_element(By.CSS_SELECTOR,
                                                                      ".mentora-gallery-feedback").text
    assert_accessible(browser)
    tab_to(browser, 'button[value="kudos"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Thank you: your kudos are counted.", ".mentora-messages")
    assert "You gave kudos to this work." in browser.find_element(By.CSS_SELECTOR, ".mentora-kudos").text
    assert browser.find_elements(By.CSS_SELECTOR, 'button[value="kudos"]') == []
    assert Kudos.objects.filter(entry_id=entry.id, user__username="bruno").count() == 1
    assert GalleryEntry.objects.get(pk=entry.id).kudos_count == 1
    assert_accessible(browser)

    # The trainer's showcase, linked from the entry.
    browser.find_element(By.LINK_TEXT, "Tariq Benali").click()
    wait_for_text(browser, "Projects featured by Tariq Benali", "h1")
    assert_accessible(browser)


def test_withdrawn_consent_takes_the_work_out_at_once(site, browser):
    base, entry = site["url"], site["entry"]
    sign_in_by_click(browser, base, "Alice Martin")
    browser.get(base + f"/mentora/reviews/gallery/consent/{site['approved'].pk}/")
    assert "You consent to show this work." in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
    browser.find_element(By.ID, "id_consent_1").click()
    browser.find_element(By.CSS_SELECTOR, ".mentora-gallery-consent button[type=submit]").click()
    wait_for_text(browser, "Your work is not shown in the gallery any more.", ".mentora-messages")
    assert_accessible(browser)
    sign_out(browser, base)
    sign_in_by_click(browser, base, "Bruno Leroy")
    browser.get(base + "/mentora/reviews/gallery/")
    assert "No work in the gallery matches." in browser.find_element(By.ID, "main").text
    browser.get(base + f"/mentora/reviews/gallery/{entry.id}/")
    assert "My portfolio" not in browser.find_element(By.TAG_NAME, "body").text
