"""The admin page in a real headless Chromium, against the running stack's receiver.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package;
without them the test is skipped with the reason (CI installs them in ``.ci/run``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.admin_site import NEEDS_CHROMIUM, chrome
from tests.e2e.conftest import SAMPLES, create
from worker.cli.demo import Stack

pytestmark = [
    pytest.mark.e2e,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def browser() -> Iterator[Any]:
    pytest.importorskip("selenium.webdriver", reason="needs selenium (pip)")
    with chrome(1366, 768) as driver:
        yield driver


def wait_for_open(stack: Stack, at_least: int, timeout: float = 90) -> int:
    headers = {"Authorization": f"Bearer {stack.env['HANDOFF_ADMIN_TOKEN']}"}
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        answer = httpx.get(f"{stack.receiver_url}/admin/", headers=headers, timeout=10)
        if answer.status_code == 200:
            count = answer.text.count('class="escalation"')
            if count >= at_least:
                return count
        time.sleep(0.5)
    raise AssertionError(f"only {count} open escalations after {timeout}s")


def errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_sign_in_see_the_badge_dismiss_and_see_it_drop(
    stack: Stack, sandbox: httpx.Client, browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def badge_shows(count: int) -> None:
        WebDriverWait(browser, 20).until(
            ec.text_to_be_present_in_element((By.ID, "open-count"), str(count)))

    escalating = [k for k, s in SAMPLES.items()
                  if s["labels"]["expect_path"] == "escalate"][:2]
    for sample_id in escalating:
        create(sandbox, sample_id)
    before = wait_for_open(stack, len(escalating))

    assert httpx.get(f"{stack.receiver_url}/admin/", timeout=10).status_code == 401

    browser.get(f"{stack.receiver_url}/admin/")
    assert "Sign in" in browser.find_element(By.TAG_NAME, "h2").text
    # The only console error so far is the expected 401 of this very page.
    assert all("401" in message for message in errors(browser))
    browser.find_element(By.ID, "token").send_keys(stack.env["HANDOFF_ADMIN_TOKEN"])
    browser.find_element(By.ID, "sign-in").click()
    badge_shows(before)
    assert browser.find_element(By.ID, "open-count").text == str(before)

    row = browser.find_elements(By.CSS_SELECTOR, "tr.escalation")[0]
    record_id = row.get_attribute("data-id")
    row.find_element(By.CSS_SELECTOR, "details.dismiss summary").click()
    Select(row.find_element(By.NAME, "why")).select_by_visible_text("Other")
    row.find_element(By.NAME, "note").send_keys("customer found the answer themselves")
    row.find_element(By.CSS_SELECTOR, "button.dismiss").click()

    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "message")))
    assert browser.find_element(By.ID, "open-count").text == str(before - 1)
    assert f"Escalation #{record_id} dismissed by admin" in browser.find_element(
        By.ID, "message").text
    ids = [r.get_attribute("data-id") for r in
           browser.find_elements(By.CSS_SELECTOR, "tr.escalation")]
    assert record_id not in ids
    assert errors(browser) == []
