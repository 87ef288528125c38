"""
The project block in a real browser, in the workbench scenario ``mentora_project.0`` (the demo course): a learner
types a draft that saves itself, assesses their work and submits it with the keyboard only; axe-core finds no
serious or critical violation on the block (also with a refused file and after submitting); the block in French.
"""
from __future__ import annotations

from pathlib import Path

import polib
import pytest
from opaque_keys.edx.keys import CourseKey
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from devsite.people import COURSE_KEY
from mentora_plugin.reviews.models import Project, Submission, SubmissionVersion
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_demo import sign_in_by_click, wait_for_text
from tests.browser.test_demo_trainers import in_french
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser

#: The demo seed's own project (devsite/seed_reviews.py), which these tests leave alone: they use the block's.
CAPSTONE = CourseKey.from_string(COURSE_KEY).make_usage_key("mentora_project", "capstone")


def theirs(model, path: str = ""):
    """The rows of ``model`` that belong to the block's project, not to the seeded capstone."""
    return model.objects.exclude(**{f"{path}project__usage_key": CAPSTONE})

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "/workbench/scenario/mentora_project.0/"
BLOCK = ".mentora-project"


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: WebDriver, selector: str, limit: int = 60) -> None:
    """Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", selector):
            return
        press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {selector}")


def open_block(driver: WebDriver, base: str):
    driver.get(base + SCENARIO)
    return wait(driver, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, BLOCK + '[data-ready="true"]'))
    )


def assert_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver, include=BLOCK))
    assert not problems, describe(problems)


def test_learner_drafts_and_submits_with_the_keyboard(demo, browser):
    sign_in_by_click(browser, demo, "Alice Martin")
    block = open_block(browser, demo)
    assert "Build a data pipeline" in block.text and "Rubric" in block.text

    # Type the draft: it saves itself shortly after typing stops, and says so politely.
    tab_to(browser, ".mentora-project__text")
    press(browser, "My pipeline reads the CSV and reports three figures.")
    wait_for_text(browser, "Draft saved at", BLOCK + " .mentora-project__saved")
    submission = theirs(Submission).get(learner__username="alice")
    assert submission.draft_text == "My pipeline reads the CSV and reports three figures."
    assert block.find_element(By.CSS_SELECTOR, ".mentora-project__saved").get_attribute("role") == "status"

    # A link, added with Enter in its field.
    tab_to(browser, ".mentora-project__link-input")
    press(browser, "https://example.org/alice/pipeline", Keys.ENTER)
    wait(browser, 10).until(
        lambda _: Submission.objects.get(pk=submission.pk).draft_links == ["https://example.org/alice/pipeline"]
    )

    # The self-assessment: Tab enters each radio group, the arrows choose in it.
    for group in block.find_elements(By.CSS_SELECTOR, ".mentora-project__self-criterion"):
        first = group.find_element(By.CSS_SELECTOR, "input[type=radio]")
        tab_to(browser, "#" + first.get_attribute("id"))
        press(browser, Keys.ARROW_DOWN)
    checked = block.find_elements(By.CSS_SELECTOR, ".mentora-project__self input:checked")
    assert len(checked) == len(block.find_elements(By.CSS_SELECTOR, ".mentora-project__self-criterion"))

    # Submit, then confirm: focus moves to the question, and to the history once submitted.
    tab_to(browser, ".mentora-project__submit")
    press(browser, Keys.ENTER)
    assert "Submit version 1 for review?" in browser.switch_to.active_element.text
    tab_to(browser, ".mentora-project__confirm-yes")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Version 1 is submitted for review.", BLOCK + " .mentora-project__live")
    assert browser.switch_to.active_element.text == "Your submitted versions"
    version = theirs(SubmissionVersion, "submission__").get(submission__learner__username="alice")
    assert version.number == 1 and version.text.startswith("My pipeline")
    assert version.links == ["https://example.org/alice/pipeline"]
    assert version.self_assessment == {"quality": 1}  # the second level of the scenario's one criterion
    assert Submission.objects.get(pk=submission.pk).status == "submitted"
    item = block.find_element(By.CSS_SELECTOR, ".mentora-project__version")
    assert "Version 1" in item.text and "Waiting for review" in item.text
    assert block.find_element(By.CSS_SELECTOR, ".mentora-project__text").get_attribute("disabled")
    assert_accessible(browser)


def test_block_has_no_serious_accessibility_violation(demo, browser, tmp_path):
    sign_in_by_click(browser, demo, "Alice Martin")
    open_block(browser, demo)
    assert_accessible(browser)
    # A file of a refused type: the server's reason shows next to the file field, the draft stays.
    refused = tmp_path / "tool.exe"
    refused.write_bytes(b"MZ")
    browser.find_element(By.CSS_SELECTOR, ".mentora-project__text").send_keys("Kept text")
    wait_for_text(browser, "Draft saved at", BLOCK + " .mentora-project__saved")
    browser.find_element(By.CSS_SELECTOR, ".mentora-project__file-input").send_keys(str(refused))
    browser.find_element(By.CSS_SELECTOR, ".mentora-project__upload").click()
    wait_for_text(browser, "is not accepted", BLOCK + " .mentora-project__files .mentora-project__error")
    file_input = browser.find_element(By.CSS_SELECTOR, ".mentora-project__file-input")
    assert file_input.get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element == file_input
    assert theirs(Submission).get(learner__username="alice").draft_text == "Kept text"
    assert_accessible(browser)


def test_block_in_french(demo, browser):
    french = {entry.msgid: entry.msgstr for entry in polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))
              if not entry.msgctxt and not entry.fuzzy}
    expected = {text: french.get(text, "") for text in (
        "Rubric", "Your work", "Submit for review", "Your submitted versions", "Status: {label}",
        "You have not submitted a version yet.",
    )}
    missing = [text for text, translation in expected.items() if not translation]
    assert not missing, f"translate these in locale/fr first: {missing}"

    sign_in_by_click(browser, demo, "Alice Martin")
    in_french(browser, demo)
    block = open_block(browser, demo)
    text = block.text
    for english in ("Rubric", "Your work", "Submit for review", "Your submitted versions"):
        assert expected[english] in text, english
    status = block.find_element(By.CSS_SELECTOR, ".mentora-project__status").text
    # A text the script got from ``state``, around a label the server translated.
    assert expected["Status: {label}"].split("{label}")[0].strip() in status and french["Draft"] in status
    assert expected["You have not submitted a version yet."] in text
    assert_accessible(browser)


def test_author_edits_the_rubric_with_the_keyboard(demo, browser):
    """Course staff in the Studio form: add a criterion, see the domain's refusal next to the rubric, fix, save."""
    sign_in_by_click(browser, demo, "Sofia Rossi")
    browser.get(demo + SCENARIO + "studio_view/")
    form = wait(browser, 10).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".mentora-project-studio[data-ready='true']"))
    )
    assert_studio_accessible(browser)
    tab_to(browser, ".mentora-project__add-criterion")
    press(browser, Keys.ENTER)
    assert "mentora-project__c-title" in browser.switch_to.active_element.get_attribute("class")
    press(browser, "Report")
    tab_to(browser, ".save-button", limit=200)
    press(browser, Keys.ENTER)  # the new criterion's levels have no labels: the domain refuses
    wait_for_text(browser, "Criterion 2, level 1", ".mentora-project-studio .mentora-project__summary")
    assert "a label" in form.find_element(By.CSS_SELECTOR, "[data-field='rubric'] > .mentora-project__error").text
    assert_studio_accessible(browser)

    for row, label in ((1, "Missing"), (2, "Present")):
        tab_to(browser, ".mentora-project__criterion-editor[data-index='1'] "
                        f".mentora-project__level-row:nth-child({row}) .mentora-project__l-label", limit=200)
        press(browser, label)
    tab_to(browser, ".save-button", limit=200)
    press(browser, Keys.ENTER)
    wait_for_text(browser, "Saved.", ".mentora-project-studio .mentora-project__live")
    project = Project.objects.exclude(usage_key=CAPSTONE).get()
    assert [criterion["title"] for criterion in project.rubric] == ["Quality of the work", "Report"]


def assert_studio_accessible(driver: WebDriver) -> None:
    problems = blocking(axe_violations(driver, include=".mentora-project-studio"))
    assert not problems, describe(problems)
