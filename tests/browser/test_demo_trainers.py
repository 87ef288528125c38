"""
The demo's trainers as a newcomer meets them, in French: the header's links lead, by keyboard, to every trainers page
the signed-in person may use; each page shows the seeded data in French and passes axe-core.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.test_demo import sign_in_by_click, wait_for_text
from tests.browser.waiting import wait

pytestmark = pytest.mark.browser


def in_french(driver, base: str) -> None:
    """The landing page's language switch, as a visitor uses it."""
    driver.get(base + "/")
    Select(driver.find_element(By.ID, "language")).select_by_value("fr")
    driver.find_element(By.XPATH, "//button[normalize-space()='Change language']").click()
    wait_for_text(driver, "Connecté", ".mentora-header")


def follow_header_link(driver, label: str) -> None:
    """Reach a header link with the Tab key and follow it with Enter, as a keyboard user does."""
    link = driver.find_element(By.XPATH, f"//nav[contains(@class,'mentora-nav')]//a[normalize-space()='{label}']")
    for _ in range(80):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element == link:
            break
    assert driver.switch_to.active_element == link, f"Tab never reached {label!r}"
    href = link.get_attribute("href")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait(driver, 10).until(ec.url_to_be(href))


@pytest.mark.parametrize(
    "person, label, expected",
    [
        ("Tariq Benali", "Mon niveau", "Avancé"),
        ("Nadia Haddad", "Mon niveau", "Débutant"),
        ("Tariq Benali", "Formateurs", "Tariq Benali"),
        ("Ada Admin", "Candidatures", "Marc Petit"),
        ("Ada Admin", "Litiges", "Nadia Haddad"),
        ("Ada Admin", "Niveaux des formateurs", "Tariq Benali"),
        ("Chloé Dubois", "Devenir formateur", "La présélection a relevé des problèmes"),
    ],
)
def test_trainers_pages_in_french_by_keyboard(demo, browser, person, label, expected):
    sign_in_by_click(browser, demo, person)
    in_french(browser, demo)
    follow_header_link(browser, label)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert expected in browser.find_element(By.ID, "main").text
    problems = blocking(axe_violations(browser))
    assert not problems, describe(problems)
