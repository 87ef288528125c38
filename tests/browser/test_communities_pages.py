"""
The community pages and block in a real browser, on the seeded demo, with the keyboard only once signed in: Alice
asks a question and sees similar ones suggested while she types (an aria-live list of links), replies, reacts and
follows a thread; Tariq (a moderator as the course's trainer) hides a post with a reason, after which Alice no
longer sees it and Tariq sees it labelled "Hidden"; Bruno, suspended while his forum page is open, sees the thread
form refuse with the date. axe-core finds no serious or critical violation on the space, a forum, a thread, the
queue, moderation, a group, the notifications and the block; the space renders in French.
"""
from __future__ import annotations

import polib
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec

from devsite.people import COURSE_KEY
from devsite.seed_communities import CLINIC, CLINIC_THREAD, OVERDUE_QUESTION
from mentora_plugin.communities import api
from mentora_plugin.communities.models import Forum, Post, Thread
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_booking import press, tab_to
from tests.browser.test_demo import sign_in_by_click, sign_out, wait_for_text
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser

SCENARIO = "/workbench/scenario/mentora_community.0/"


def page(name: str, **kwargs) -> str:
    return reverse(f"mentora-communities:{name}", kwargs={"course_id": COURSE_KEY, **kwargs})


def forum_id(kind: str = "qa", title: str | None = None) -> int:
    forums = Forum.objects.filter(space__course_key=COURSE_KEY)
    return (forums.get(title=title) if title else forums.get(kind=kind)).pk


def assert_accessible(driver, include: str | None = None) -> None:
    problems = blocking(axe_violations(driver, include=include))
    assert not problems, describe(problems)


def type_into(driver, selector: str, text: str) -> None:
    tab_to(driver, selector, limit=120)
    press(driver, text)


def test_alice_asks_sees_similar_questions_replies_reacts_and_follows_by_keyboard(demo, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + page("forum", forum_id=forum_id()))
    wait_for_text(browser, "Ask a question", "#new-thread-title")
    assert_accessible(browser)

    type_into(browser, "#id_thread-title", "missing values when aggregating")
    wait(browser, 10).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".mc-similar"), OVERDUE_QUESTION))
    assert browser.find_element(By.CSS_SELECTOR, ".mc-similar-status").text.startswith("Similar questions")
    assert browser.find_element(By.CSS_SELECTOR, ".mc-similar-status").get_attribute("aria-live") == "polite"
    suggestion = browser.find_element(By.CSS_SELECTOR, ".mc-similar a")
    assert suggestion.get_attribute("href").endswith(page("thread", thread_id=Thread.objects.get(
        title=OVERDUE_QUESTION).pk))
    type_into(browser, "#id_thread-body", "Mean or median to fill the gaps?")
    tab_to(browser, ".mc-thread-form button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "missing values when aggregating", "h1")
    assert Thread.objects.get(title="missing values when aggregating").author.username == "alice"

    # Reply, react and follow, on the seeded thread where Tariq answered her.
    thread = Thread.objects.get(title=CLINIC_THREAD)
    browser.get(demo + page("thread", thread_id=thread.pk))
    wait_for_text(browser, CLINIC_THREAD, "h1")
    assert_accessible(browser)
    type_into(browser, "#id_reply-body", "Thanks, it works with `format=`!")
    tab_to(browser, "form:has(#id_reply-body) button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your reply is posted.", ".mentora-messages")
    assert "Thanks, it works with format=!" in browser.find_element(By.ID, "main").text

    answer = Post.objects.filter(thread=thread, author__username="tariq").first()
    like = f'#post-{answer.pk} button[data-reaction="like"]'
    tab_to(browser, like, limit=120)
    assert browser.switch_to.active_element.get_attribute("aria-pressed") == "false"
    press(browser, Keys.ENTER)
    wait(browser, 10).until(lambda driver: driver.find_element(By.CSS_SELECTOR, like).get_attribute(
        "aria-pressed") == "true")
    assert browser.find_element(By.CSS_SELECTOR, like + " .mc-count").text == "1"

    # Replying made her follow the thread: the button says so; she unfollows, then follows again.
    assert browser.find_element(By.CSS_SELECTOR, ".mc-follow button").get_attribute("aria-pressed") == "true"
    tab_to(browser, ".mc-follow button", limit=120)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "You no longer follow this thread", ".mentora-messages")
    assert browser.find_element(By.CSS_SELECTOR, ".mc-follow button").get_attribute("aria-pressed") == "false"
    tab_to(browser, ".mc-follow button", limit=120)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "You follow this thread", ".mentora-messages")
    assert browser.find_element(By.CSS_SELECTOR, ".mc-follow button").get_attribute("aria-pressed") == "true"


def test_a_moderator_hides_a_post_with_a_reason_and_the_learner_no_longer_sees_it(demo, browser):
    thread = Thread.objects.get(title=CLINIC_THREAD)
    bruno = get_user_model().objects.get(username="bruno")
    post = api.reply(bruno, thread.pk, body="Selling concert tickets, write to me")

    sign_in_by_click(browser, demo, "Tariq Benali")
    browser.get(demo + page("thread", thread_id=thread.pk))
    wait_for_text(browser, "Selling concert tickets", f"#post-{post.id}")
    tab_to(browser, f"#post-{post.id} .mc-moderate-post summary", limit=150)
    press(browser, Keys.ENTER)
    tab_to(browser, f"#id_mod-{post.id}-action")
    assert browser.switch_to.active_element.get_attribute("value") == "hide"
    type_into(browser, f"#id_mod-{post.id}-reason", "Advert, off topic")
    tab_to(browser, f"form:has(#id_mod-{post.id}-reason) button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Hidden", f"#post-{post.id} .mc-meta")
    assert "Selling concert tickets" in browser.find_element(By.ID, f"post-{post.id}").text
    assert_accessible(browser)

    sign_out(browser, demo)
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + page("thread", thread_id=thread.pk))
    wait_for_text(browser, CLINIC_THREAD, "h1")
    assert "Selling concert tickets" not in browser.find_element(By.ID, "main").text
    assert not browser.find_elements(By.ID, f"post-{post.id}")


def test_a_suspended_member_is_refused_the_thread_form_with_the_date(demo, browser):
    sign_in_by_click(browser, demo, "Bruno Leroy")
    browser.get(demo + page("forum", forum_id=forum_id(title=CLINIC)))
    wait_for_text(browser, "Start a thread", "#new-thread-title")
    sofia = get_user_model().objects.get(username="sofia")
    until = timezone.now() + timezone.timedelta(days=5)
    api.sanction_member(sofia, COURSE_KEY, "bruno", "suspend", until, "Cooling off")
    type_into(browser, "#id_thread-title", "Any news?")
    type_into(browser, "#id_thread-body", "Hello")
    tab_to(browser, ".mc-thread-form button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "suspended", "#main")
    assert until.strftime("%Y-%m-%d") in browser.find_element(By.ID, "main").text
    assert not Thread.objects.filter(title="Any news?").exists()


@pytest.mark.parametrize("who, name, kwargs, heading", [
    ("Alice Martin", "space", {}, "Community: Mentoring in Practice"),
    ("Tariq Benali", "queue", {}, "Priority questions"),
    ("Sofia Rossi", "moderation", {}, "Moderation"),
    ("Alice Martin", "groups", {}, "Group projects"),
])
def test_pages_are_accessible(demo, browser, who, name, kwargs, heading):
    sign_in_by_click(browser, demo, who)
    browser.get(demo + page(name, **kwargs))
    wait_for_text(browser, heading, "h1")
    assert_accessible(browser)


def test_the_group_notifications_and_block_are_accessible(demo, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.get(demo + page("groups"))
    browser.find_element(By.LINK_TEXT, "Pipeline team").click()
    wait_for_text(browser, "Pipeline team", "h1")
    assert "Dataset chosen and described" in browser.find_element(By.ID, "main").text
    assert_accessible(browser)

    browser.get(demo + reverse("mentora-communities:notifications"))
    wait_for_text(browser, "Community notifications", "h1")
    assert CLINIC_THREAD in browser.find_element(By.ID, "main").text
    assert_accessible(browser)

    browser.get(demo + SCENARIO)
    block = wait(browser, 10).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, '.mentora-community[data-ready="true"]')))
    assert OVERDUE_QUESTION in block.text
    assert_accessible(browser, ".mentora-community")
    type_into(browser, ".mentora-community input[name=title]", "Where are the slides?")
    type_into(browser, ".mentora-community textarea[name=body]", "For week 2, please.")
    tab_to(browser, ".mentora-community__form button[type=submit]")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Your question is posted.", ".mentora-community__live")
    assert "Where are the slides?" in browser.find_element(By.CSS_SELECTOR, ".mentora-community__threads").text


def test_the_space_in_french(demo, browser):
    french = {entry.msgid: entry.msgstr for entry in polib.pofile("locale/fr/LC_MESSAGES/django.po")
              if entry.msgstr and not entry.fuzzy}
    sign_in_by_click(browser, demo, "Alice Martin")
    browser.add_cookie({"name": "django_language", "value": "fr"})
    browser.get(demo + page("space"))
    wait(browser, 10).until(lambda driver: driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
    main = browser.find_element(By.ID, "main").text
    for text in ("Latest questions", "Your group projects", "Forums"):
        if text in french:  # once the lead has merged the translations
            assert french[text] in main
    assert_accessible(browser)
