"""A seeded admin site served over real HTTP, and headless Chromium to look at it.

Shared by the admin page's browser tests and ``docs/screenshots.py``, so the
screenshots show what the tests check. The site is the real receiver app with the
real admin blueprint, an embedded Redis and a SQLite decision log under `home`,
a failed rq job, and escalations, decisions, drafts and outcomes dated over the
last three weeks.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from core.admin_settings import AdminSettings, ReportSettings, token_hash
from core.aftercare import Outcome
from core.ladder import Step
from core.models import Decision, InternalNote, Message, Reason, Role, Signal, Source
from core.models import Path as Route
from core.settings import Settings
from infra import failed_jobs
from infra.redis_conn import start_embedded, stop_embedded
from infra.store import lead_report
from infra.store.admin_reads import AdminReads
from infra.store.decision_log import DecisionLog, decisions, open_log
from infra.store.escalations import NewEscalation
from receiver.admin import admin_blueprint
from receiver.admin_pages import Extras
from receiver.app import create_app
from tests.conftest import serve_in_thread
from worker.effects.ledger import Ledger

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NEEDS_CHROMIUM = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                                    reason="needs chromium and chromedriver: "
                                           "apt-get install chromium chromium-driver")
SHARED = "shared-admin-token-for-the-browser"
LEAD = "lead-token-0123456789abcdef0123456789abcdef"
VIEWER = "viewer-token-0123456789abcdef0123456789abcd"
SETTINGS = AdminSettings.model_validate({"accounts": {
    "maria": {"display_name": "Maria (support lead)", "role": "resolver",
              "token_hash": token_hash(LEAD)},
    "tom": {"display_name": "Tom", "role": "viewer", "token_hash": token_hash(VIEWER)},
}})

# (ticket, primary reason, severity, customer, summary, hours open, group)
OPEN = [
    ("4812", "high_risk:refund", "high", "Dana Whitfield",
     "Refund for a double charge on order 10442", 5, "Billing"),
    ("4815", "human_request", "medium", "Lee Park", "Wants to talk to a person about a "
     "late delivery", 2, "Tier 1"),
    ("4821", "frustration", "high", "Sam Okafor", "Third message about the same broken "
     "charger", 1, "Tier 1"),
    ("4830", "low_confidence", "low", "Ines Duarte", "Can I change the engraving after "
     "ordering?", 0.3, "Tier 1"),
]


@dataclass(frozen=True)
class Site:
    url: str
    records: AdminReads
    queue: Queue
    failed_job: str


def _decide(log: DecisionLog, n: int, ticket: str, path: str, reason: str, at: datetime,
            confidence: float, detail: str = "") -> str:
    decision = Decision(
        ticket_id=ticket, platform="zendesk", path=Route(path), confidence=confidence,
        reasons=(Reason(code=reason, rule="policy", detail=detail),),
        signals=(Signal(name="sentiment", value=-0.4, evidence="still not fixed"),)
        if path == "escalate" else (),
        sources=(Source(id="refund-policy", title="Refunds", score=round(confidence, 2)),))
    decision_id = f"seed-{n}"
    log.record_decision(decision_id, f"ev-{n}", None, decision, 4.0)
    with log.engine.begin() as connection:
        connection.execute(decisions.update().where(decisions.c.decision_id == decision_id)
                           .values(decided_at=at))
    return decision_id


NOTE = """Handoff: refund request (Refund request)
Customer: Dana Whitfield, 2 orders, first contact
Asked: a refund for a double charge on order 10442
AI tried: refund-policy (score 0.35), not sent
Next step: check the payment provider for the second charge and refund it"""


def seed(records: AdminReads, now: datetime, connection: redis.Redis) -> None:
    """Three weeks of decisions, four open escalations (one on a ladder, one the customer
    wrote to since), closed ones with first replies, judged drafts and outcomes."""
    log = DecisionLog(records.engine)
    n = 0
    for day in range(22):
        for k in range(6):
            n += 1
            at = now - timedelta(days=21 - day, hours=k + 1)
            ticket = str(3000 + n)
            path = ("escalate" if k == 0 and day % 2 == 0 else
                    "draft" if k == 1 else "auto_resolve")
            reason = {"escalate": "human_request", "draft": "medium_confidence",
                      "auto_resolve": "high_confidence"}[path]
            decision_id = _decide(log, n, ticket, path, reason, at,
                                  0.9 if path == "auto_resolve" else 0.6)
            if path == "auto_resolve":
                records.track_outcome("zendesk", ticket, False, True, at)
                if n % 13 == 0:
                    records.track_outcome("zendesk", ticket, False, False,
                                          at + timedelta(days=1))
            if path == "draft":
                records.record_draft(decision_id, "zendesk", ticket, "track_order", "ORDERS",
                                     "draft", at)
                records.judge(decision_id, (Outcome.ACCEPTED, Outcome.EDITED,
                                            Outcome.ACCEPTED, Outcome.REJECTED)[day % 4],
                                 0.2, at)
            if path == "escalate":
                record_id, _ = records.open(NewEscalation(
                    decision_id=decision_id, platform="zendesk", ticket_id=ticket,
                    reason=reason, reasons=(reason,), severity="medium",
                    agent="group Tier 1" if day % 4 else "group Billing", ticket_url=None,
                    customer=None, summary="earlier escalation", status_at_open="open"), at)
                records.note_first_reply(record_id, at + timedelta(minutes=20 + 7 * day))
                records.resolve(record_id, "auto: human reply, ticket solved",
                                at + timedelta(hours=3))
    for ticket, reason, severity, customer, summary, hours, group in OPEN:
        n += 1
        opened = now - timedelta(hours=hours)
        decision_id = _decide(log, n, ticket, "escalate", reason, opened, 0.35,
                              "the customer asked about: refund" if "refund" in reason else "")
        ladder = reason == "high_risk:refund"
        step = Step(level=0, name="Billing specialists", at=opened, by="handoff",
                    why="refund request", group=group) if ladder else None
        record_id, _ = records.open(NewEscalation(
            decision_id=decision_id, platform="zendesk", ticket_id=ticket, reason=reason,
            reasons=(reason,), severity=severity, agent=f"group {group}",
            ticket_url=f"https://acme.zendesk.com/agent/tickets/{ticket}", customer=customer,
            summary=summary, status_at_open="open", ladder="billing" if ladder else None,
            first_step=step, customers_at_open=1), opened)
        if ladder:
            Ledger(connection, decision_id).plan(Decision(
                ticket_id=ticket, platform="zendesk", path=Route.ESCALATE, confidence=0.35,
                actions=(InternalNote(body=NOTE),)))
            records.note_messages(record_id, 2, Message(
                author=Role.CUSTOMER, text="Any news? I was charged twice and need it back.",
                created_at=opened + timedelta(hours=2)))


@contextmanager
def serve_site(home: Path) -> Iterator[Site]:
    """The seeded site on 127.0.0.1 until the block ends (its Redis stopped after)."""
    connection = start_embedded(home)
    connection.flushdb()
    try:
        records = AdminReads(open_log(f"sqlite:///{home / 'decisions.db'}").engine)
        with records.engine.begin() as db:
            for table in ("action_results", "escalations", "drafts", "ticket_outcomes",
                          "handbacks", "holdouts", "decisions"):
                db.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (fixed names)
        now = datetime.now(UTC)
        seed(records, now, connection)
        queue = Queue("handoff-admin-site", connection=connection, serializer=JSONSerializer)
        # A job that cannot reach its helpdesk, as a webhook job does in an outage.
        job = queue.enqueue("httpx.get", "http://127.0.0.1:9/api/v2/tickets/4999.json",
                            description="zendesk ticket 4999")
        SimpleWorker([queue], connection=connection, serializer=JSONSerializer).work(
            burst=True)
        extras = Extras(failed=lambda: failed_jobs.list_failed(queue),
                        replay=lambda job_id: failed_jobs.replay(queue, job_id),
                        report=lambda start, end: {"lead": lead_report.collect(
                            records, start, end, ReportSettings())})
        app = create_app(Settings(), connection, {}, admin_token=SHARED, admin=admin_blueprint(
            records, SHARED, lambda: {"tickets": 16, "auto_resolve_share": "43.8%",
                                      "wrong_rate": "0.0%"},
            connection=connection, settings=SETTINGS, extras=extras))
        with serve_in_thread(app) as url:
            yield Site(url, records, queue, job.id)
    finally:
        connection.close()
        stop_embedded(home)


@contextmanager
def chrome(width: int = 1400, height: int = 900) -> Iterator[Any]:
    """Headless Chromium at `width` x `height` CSS pixels; needs chromium and selenium."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(30)
    # Chromium keeps a window at least 500 px wide; narrower screens are emulated.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver: Any, site: Site, token: str) -> None:
    """Sign in through the form and wait for the page behind it."""
    from selenium.webdriver.common.by import By

    driver.get(f"{site.url}/admin/login")
    driver.find_element(By.ID, "token").send_keys(token)
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.ID, "open-count")))
