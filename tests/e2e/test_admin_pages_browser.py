"""The admin site as people meet it, in headless Chromium: words instead of codes, a
record's page, Resolve first and Dismiss with a reason and undo, who may change what,
failed jobs with replay, the report, and a 420 px wide screen.

Needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium``; without them the
tests are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.admin_site import (
    LEAD,
    NEEDS_CHROMIUM,
    VIEWER,
    Site,
    chrome,
    serve_site,
    sign_in,
)

pytestmark = [
    pytest.mark.e2e,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    pytest.importorskip("selenium.webdriver", reason="needs selenium (pip)")
    with serve_site(tmp_path) as running:
        yield running


def submit(driver: Any, button: Any) -> None:
    """Click `button` and wait until the page it was on has gone."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    button.click()
    WebDriverWait(driver, 20).until(ec.staleness_of(button))


def errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_a_lead_reads_a_record_resolves_dismisses_and_undoes(site: Site) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with chrome() as driver:
        sign_in(driver, site, LEAD)
        assert driver.find_element(By.ID, "who").text == "Maria (support lead) (resolver)"
        assert driver.find_element(By.ID, "open-count").text == "4"
        body = driver.find_element(By.ID, "escalations").text
        assert "Refund request" in body
        assert "high_risk:refund" not in body

        refund = driver.find_element(By.CSS_SELECTOR, "tr.escalation")  # the oldest first
        submit(driver, refund.find_element(By.CSS_SELECTOR, "a.record"))
        assert driver.find_element(By.ID, "record").is_displayed()
        assert "Any news? I was charged twice" in driver.find_element(By.ID, "since").text
        assert "Billing specialists" in driver.find_element(By.ID, "ladder").text
        assert "refund-policy" in driver.find_element(By.ID, "context").text
        record_page = driver.find_element(By.ID, "record")
        driver.back()
        WebDriverWait(driver, 20).until(ec.staleness_of(record_page))

        rows = driver.find_elements(By.CSS_SELECTOR, "tr.escalation")
        first, second_id = rows[0], rows[1].get_attribute("data-id")
        resolve = first.find_element(By.CSS_SELECTOR, "button.resolve")
        assert resolve.is_displayed()
        # Dismiss waits behind a click: the one action in plain view is Resolve.
        assert not first.find_element(By.CSS_SELECTOR, "button.dismiss").is_displayed()
        submit(driver, resolve)
        assert "marked resolved by Maria" in driver.find_element(By.ID, "message").text
        assert driver.find_element(By.ID, "open-count").text == "3"

        row = driver.find_elements(By.CSS_SELECTOR, "tr.escalation")[0]
        record_id = row.get_attribute("data-id")
        assert record_id == second_id
        row.find_element(By.CSS_SELECTOR, "details.dismiss summary").click()
        Select(row.find_element(By.NAME, "why")).select_by_visible_text("Duplicate ticket")
        submit(driver, row.find_element(By.CSS_SELECTOR, "button.dismiss"))
        assert driver.find_element(By.ID, "open-count").text == "2"
        submit(driver, driver.find_element(By.CSS_SELECTOR, "#undo button"))
        assert "is open again" in driver.find_element(By.ID, "message").text
        assert driver.find_element(By.ID, "open-count").text == "3"
        assert record_id in [r.get_attribute("data-id") for r in
                             driver.find_elements(By.CSS_SELECTOR, "tr.escalation")]

        submit(driver, driver.find_element(By.CSS_SELECTOR, "a.ticket"))
        assert driver.find_element(By.ID, "ticket").is_displayed()
        assert errors(driver) == []


def test_a_viewer_sees_no_buttons_that_change_anything(site: Site) -> None:
    from selenium.webdriver.common.by import By

    with chrome() as driver:
        sign_in(driver, site, VIEWER)
        assert driver.find_elements(By.CSS_SELECTOR, "button.resolve") == []
        driver.get(f"{site.url}/admin/failed")
        assert driver.find_elements(By.CSS_SELECTOR, "button.replay") == []
        assert "ConnectError" in driver.find_element(By.ID, "failed").text


def test_failed_jobs_show_their_error_and_replay(site: Site) -> None:
    from selenium.webdriver.common.by import By

    with chrome() as driver:
        sign_in(driver, site, LEAD)
        submit(driver, driver.find_element(By.LINK_TEXT, "Failed jobs"))
        row = driver.find_element(By.CSS_SELECTOR, "tr.failed-job")
        assert row.get_attribute("data-id") == site.failed_job
        assert "Connection refused" in row.find_element(By.CSS_SELECTOR, "td.error").text
        submit(driver, row.find_element(By.CSS_SELECTOR, "button.replay"))
        assert "queued again" in driver.find_element(By.ID, "message").text
        assert driver.find_element(By.ID, "no-failed").is_displayed()
        assert site.failed_job in site.queue.get_job_ids()


def test_the_report_page_shows_each_figure_beside_its_target(site: Site) -> None:
    from selenium.webdriver.common.by import By

    with chrome() as driver:
        sign_in(driver, site, LEAD)
        submit(driver, driver.find_element(By.LINK_TEXT, "Report"))
        for figure in ("escalation", "containment", "reopen", "first-reply", "drafts", "csat"):
            text = driver.find_element(By.ID, f"figure-{figure}").text
            assert "target:" in text
        assert "target: 10%\u201320%" in driver.find_element(By.ID, "figure-escalation").text
        assert driver.find_elements(By.CSS_SELECTOR, "#escalation-by-week tbody tr")


@pytest.mark.parametrize("path", ["/admin/", "/admin/failed", "/admin/report"])
def test_at_420_px_nothing_sits_off_screen(site: Site, path: str) -> None:
    from selenium.webdriver.common.by import By

    with chrome(width=420, height=900) as driver:
        sign_in(driver, site, LEAD)
        driver.get(site.url + path)
        wide = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[1] == 420
        assert wide[0] <= wide[1], f"the page scrolls sideways: {wide}"
        for cell in driver.find_elements(By.CSS_SELECTOR, "td.actions"):
            right = driver.execute_script(
                "return arguments[0].getBoundingClientRect().right", cell)
            assert right <= wide[1]
            assert cell.find_element(By.TAG_NAME, "button").is_displayed()
