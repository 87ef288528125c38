"""
Reviewing in a real browser: a trainer claims a learner's submission, anchors a comment to a passage by quoting it
(keyboard only), scores every criterion with the keyboard and releases the review; selecting a passage with the
script fills the comment form's fields; the learner then reads the feedback and replies. axe-core finds no serious or
critical violation on these pages, with a refusal shown next to its field too.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from devsite.people import COURSE_KEY, COURSE_TITLE
from mentora_plugin.host import api as host_api
from mentora_plugin.host.data import CourseRoleRecord
from mentora_plugin.reviews import api, notifications
from mentora_plugin.reviews.models import Review, Submission
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, sign_out, wait_for_text

pytestmark = pytest.mark.browser

TEXT = "The quick brown fox jumps over the lazy dog.\nThe fox runs away from the dog."
RUBRIC = [
    {"key": "clarity", "title": "Clarity", "weight": 2,
     "levels": [{"points": 0, "label": "Unclear"}, {"points": 2, "label": "Partly clear"},
                {"points": 4, "label": "Clear", "description": "Anyone can follow it."}]},
    {"key": "depth", "title": "Depth", "weight": 1,
     "levels": [{"points": 0, "label": "Shallow"}, {"points": 5, "label": "Fair"}, {"points": 10, "label": "Deep"}]},
]


def make_site(live_server, monkeypatch, settings, tmp_path, **project) -> tuple[str, int]:
    """
    The live site with what these tests need, made here (not by the demo's seed): Alice, enrolled in the course, who
    submitted an essay; Tariq, its trainer; Sofia, its staff. Returns the site's URL and the submission's id.
    """
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(notifications, "notify", lambda kind, recipient, key, /, **context: None)
    users = get_user_model().objects
    alice = users.create(username="alice", first_name="Alice", last_name="Martin", email="alice@example.com")
    tariq = users.create(username="tariq", first_name="Tariq", last_name="Benali", email="tariq@example.com")
    sofia = users.create(username="sofia", first_name="Sofia", last_name="Rossi", email="sofia@example.com")
    host_api.record_course(COURSE_KEY, timezone.now(), title=COURSE_TITLE)
    host_api.record_enrollment(alice.pk, COURSE_KEY, "verified", True, timezone.now())
    host_api.grant_trainer_role(COURSE_KEY, tariq, granted_by=None)
    key = host_api.parse_course_key(COURSE_KEY)
    host_api.record_course_role(CourseRoleRecord(sofia.pk, key.org, key, "staff"), timezone.now())
    usage = key.make_usage_key("mentora_project", "essay")
    api.sync_project(usage, COURSE_KEY, {
        "title": "Essay", "rubric": RUBRIC, "accepts_text": True, "points_possible": 30,
        "start": timezone.now() - timedelta(days=1), **project,
    })
    api.save_draft(alice, usage, text=TEXT)
    return live_server.url, api.submit(alice, usage).id


@pytest.fixture
def submission(live_server, monkeypatch, settings, tmp_path) -> tuple[str, int]:
    return make_site(live_server, monkeypatch, settings, tmp_path)


@pytest.fixture
def second_marked(live_server, monkeypatch, settings, tmp_path) -> tuple[str, int]:
    return make_site(live_server, monkeypatch, settings, tmp_path, second_marker=True)


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver))
    assert not problems, describe(problems)


def test_a_trainer_reviews_with_the_keyboard_and_the_learner_replies(submission, browser):
    site, submission_id = submission
    page = f"{site}/mentora/reviews/submissions/{submission_id}/"
    sign_in_by_click(browser, site, "Tariq Benali")
    browser.get(page)
    assert "Review: Essay" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Alice Martin" in browser.find_element(By.CSS_SELECTOR, ".mentora-review-facts").text
    assert_accessible(browser)

    # Claim with the keyboard.
    tab_to(browser, 'button[value="claim"]', limit=80)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "You claimed the submission", ".mentora-messages")
    assert Submission.objects.get(pk=submission_id).status == "in_review"
    assert_accessible(browser)

    # Selecting a passage fills the comment form (what a mouse user does).
    browser.execute_script("""
        const text = document.querySelector('[data-review-text]');
        const node = text.firstChild;
        const range = document.createRange();
        range.setStart(node, 10); range.setEnd(node, 19);
        const selection = window.getSelection();
        selection.removeAllRanges(); selection.addRange(range);
        text.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    """)
    fields = [browser.find_element(By.ID, f"id_inline-{name}").get_attribute("value") for name in ("start", "end",
                                                                                                    "quote")]
    assert fields == ["10", "19", "brown fox"]
    assert "brown fox" in browser.find_element(By.ID, "review-anchor-status").text
    browser.execute_script("window.getSelection().removeAllRanges();")
    for name in ("start", "end", "quote"):
        browser.find_element(By.ID, f"id_inline-{name}").clear()

    # A passage that is not in the text is refused next to the quote field.
    tab_to(browser, "#id_inline-quote", limit=80)
    press(browser, "a purple cat")
    tab_to(browser, "#id_inline-comment")
    press(browser, "Where?")
    tab_to(browser, 'button[value="inline_add"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "The text does not contain", "#id_inline-quote-error")
    assert_accessible(browser)

    # An inline comment without the mouse: quote the passage.
    quote = browser.find_element(By.ID, "id_inline-quote")
    quote.clear()
    tab_to(browser, "#id_inline-quote", limit=80)
    press(browser, "lazy dog")
    tab_to(browser, "#id_inline-comment")
    press(browser, "Be kind to the dog.")
    tab_to(browser, 'button[value="inline_add"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "The comment is anchored to the passage.", ".mentora-messages")
    assert browser.find_element(By.CSS_SELECTOR, ".mentora-review-text mark").text == "lazy dog"
    assert "Be kind to the dog." in browser.find_element(By.CSS_SELECTOR, ".mentora-review-inline").text

    # Score each criterion with the arrow keys, comment, choose the outcome and release, all from the keyboard.
    tab_to(browser, "#id_score_0_0", limit=80)
    press(browser, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "id_score_0_2").is_selected()
    tab_to(browser, "#id_comment_0")
    press(browser, "Clear and direct.")
    tab_to(browser, "#id_score_1_0")
    press(browser, Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "id_score_1_1").is_selected()
    tab_to(browser, "#id_feedback")
    press(browser, "A **good** first essay.")
    tab_to(browser, "#id_outcome_0")
    press(browser, Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "id_outcome_1").get_attribute("value") == "approved"
    assert browser.find_element(By.ID, "id_outcome_1").is_selected()
    tab_to(browser, 'button[value="release"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "The review is released", ".mentora-messages")
    review = Review.objects.get()
    assert (review.outcome, review.points, review.feedback) == ("approved", 25.0, "A **good** first essay.")
    assert review.scores["clarity"] == {"level": 2, "points": 4.0, "comment": "Clear and direct."}
    assert review.inline_comments.get().quote == "lazy dog"
    assert Submission.objects.get(pk=submission_id).points_earned == 25.0
    assert "25 of 30 points" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)

    # The learner reads the feedback and replies with the keyboard.
    sign_out(browser, site)
    sign_in_by_click(browser, site, "Alice Martin")
    browser.get(page)
    main = browser.find_element(By.ID, "main").text
    assert "Your project: Essay" in main and "Clear and direct." in main and "Be kind to the dog." in main
    assert browser.find_element(By.CSS_SELECTOR, ".mentora-review-overall strong").text == "good"
    assert_accessible(browser)
    tab_to(browser, f"#id_reply-{review.version_id}-body", limit=80)
    press(browser, "Thank you, I will be kinder.")
    tab_to(browser, 'button[value="reply"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your reply is posted.", ".mentora-messages")
    assert "Thank you, I will be kinder." in browser.find_element(By.CSS_SELECTOR, ".mentora-review-replies").text
    assert_accessible(browser)


def test_the_lead_confirms_a_second_markers_review_with_the_keyboard(second_marked, browser):
    site, submission_id = second_marked
    tariq = get_user_model().objects.get(username="tariq")
    review_id = api.claim_submission(tariq, submission_id).review_id
    api.add_inline_comment(tariq, submission_id, quote="brown fox", comment="Which fox?")
    api.save_review(tariq, submission_id, scores={"clarity": 2, "depth": 2}, feedback="Excellent.")
    assert api.release_review(tariq, review_id, "approved").state == "awaiting_confirmation"

    sign_in_by_click(browser, site, "Sofia Rossi")
    browser.get(f"{site}/mentora/reviews/submissions/{submission_id}/")
    workspace = browser.find_element(By.CSS_SELECTOR, ".mentora-review-workspace").text
    assert "Review awaiting confirmation" in workspace and "Excellent." in workspace
    assert browser.find_element(By.CSS_SELECTOR, ".mentora-review-text mark").text == "brown fox"
    assert_accessible(browser)
    # A blank reason to return it is refused next to its field.
    tab_to(browser, "#id_return-reason", limit=80)
    press(browser, " ")
    tab_to(browser, 'button[value="return"]')
    press(browser, Keys.ENTER)
    wait_for_text(browser, "This field is required.", "#id_return-reason-error")
    assert_accessible(browser)
    tab_to(browser, 'button[value="confirm"]', limit=80)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "The review is confirmed and released", ".mentora-messages")
    review = Review.objects.get(pk=review_id)
    assert review.confirmed_by.username == "sofia" and review.released_at is not None
    assert "30 of 30 points" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)
