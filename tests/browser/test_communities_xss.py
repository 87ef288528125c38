"""
The cross-site-scripting corpus in a real browser: every payload of ``tests/data/xss_payloads.txt`` is posted
through the REST API by the demo's Alice (a learner of the demo course) in a forum of the course, as a thread's
title and opening post, a reply and a comment on it; then headless Chromium, signed in as Alice, opens each thread
page (``/mentora/communities/<course_id>/threads/<id>/``) and the forum's pages, hovers and focuses every element of
the content (event handlers that need a person), and finds that no script ran: ``window.__xss`` undefined, no alert
dialog open, no ``on*`` attribute, no ``javascript:``/``vbscript:``/``data:`` link or source, and no script, frame,
object or embed inside the page's main content. Each thread page shows its post (a marker proves the content was
rendered, so an empty or refused page cannot pass).
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from devsite.people import COURSE_KEY
from mentora_plugin.communities import api
from tests.browser.test_demo import sign_in_by_click
from tests.browser.waiting import wait
from tests.test_communities_rest_xss import payloads, title_of

pytestmark = pytest.mark.browser

V1 = "/api/mentora/v1/communities/"

#: Runs in the page: fires the events that inline handlers wait for on every element of the main content, then
#: reports what would betray a script (an executed payload, a handler attribute, a dangerous URL, an active tag).
INSPECT = r"""
const main = document.getElementById('main') || document.body;
for (const element of main.querySelectorAll('*')) {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'focusin', 'animationstart', 'toggle']) {
    try { element.dispatchEvent(new Event(type, {bubbles: true})); } catch (error) {}
  }
}
const problems = [];
for (const element of main.querySelectorAll('*')) {
  for (const attribute of element.attributes) {
    const name = attribute.name.toLowerCase();
    const value = attribute.value.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
    if (name.startsWith('on')) problems.push(element.tagName + ' ' + name);
    if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'background'].includes(name)
        && /^(javascript|vbscript|data):/.test(value)) problems.push(element.tagName + ' ' + name + '=' + value);
  }
}
for (const element of main.querySelectorAll('script, iframe, frame, object, embed, applet, svg, math, base')) {
  problems.push('element ' + element.tagName);
}
return {xss: typeof window.__xss, problems: problems};
"""


def _no_alert(driver: WebDriver) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018  (reading it is what raises)


def _inspect(driver: WebDriver, where: str) -> None:
    _no_alert(driver)
    found = driver.execute_script(INSPECT)
    _no_alert(driver)
    assert found["xss"] == "undefined", where
    assert not found["problems"], (where, found["problems"])
    assert driver.execute_script("return typeof window.__xss") == "undefined", where


def test_no_payload_runs_in_the_thread_and_forum_pages(demo, browser, settings):
    settings.MENTORA_API_THROTTLE_RATES = {"user": "100000/minute", "anon": "1000/minute", "write": "100000/minute"}
    settings.MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS = 0
    roomy = {"posts_per_hour": 100_000, "threads_per_day": 100_000, "links_per_post": 100}
    settings.MENTORA_COMMUNITIES_LIMITS = settings.MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS = roomy
    people = get_user_model().objects
    alice, sofia = people.get(username="alice"), people.get(username="sofia")
    forum = api.create_forum(sofia, COURSE_KEY, title="XSS sandbox")
    client = APIClient()
    client.force_login(alice)

    threads = []
    for index, payload in enumerate(payloads()):
        marker = f"xss-case-{index}"
        body = f"{payload}\n\n{marker}"
        created = client.post(f"{V1}forums/{forum.id}/threads/", {"title": title_of(payload), "body": body},
                              format="json")
        assert created.status_code == 201, (index, payload, created.content)
        thread_id = created.json()["id"]
        reply = client.post(f"{V1}threads/{thread_id}/posts/", {"body": body + "-reply"}, format="json")
        assert reply.status_code == 201, (index, payload, reply.content)
        comment = client.post(f"{V1}threads/{thread_id}/posts/",
                              {"body": body + "-comment", "parent_id": reply.json()["id"]}, format="json")
        assert comment.status_code == 201, (index, payload, comment.content)
        threads.append((thread_id, marker, payload))

    sign_in_by_click(browser, demo, "Alice Martin")
    for thread_id, marker, payload in threads:
        browser.get(demo + reverse("mentora-communities:thread",
                                   kwargs={"course_id": COURSE_KEY, "thread_id": thread_id}))
        wait(browser, 10).until(lambda driver, marker=marker: marker + "-comment" in driver.find_element(
            By.ID, "main").text)
        main = browser.find_element(By.ID, "main").text
        assert marker in main and marker + "-reply" in main, payload
        _inspect(browser, f"thread {thread_id}: {payload!r}")

    forum_url = demo + reverse("mentora-communities:forum", kwargs={"course_id": COURSE_KEY, "forum_id": forum.id})
    pages = (len(threads) + 19) // 20
    for page in range(1, pages + 1):
        browser.get(f"{forum_url}?page={page}")
        wait(browser, 10).until(lambda driver: driver.find_element(By.ID, "main"))
        assert "XSS sandbox" in browser.find_element(By.ID, "main").text
        _inspect(browser, f"forum page {page}")

    # The inspection itself can fail: a handler slipped into the page is caught, and it runs.
    browser.execute_script(
        "document.getElementById('main').insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__xss=1\">')")
    wait(browser, 10).until(lambda driver: driver.execute_script("return window.__xss") == 1)
    found = browser.execute_script(INSPECT)
    assert found["xss"] == "number" and "IMG onerror" in found["problems"]
