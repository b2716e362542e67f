"""The admin site for people: labels, a record's page, accounts and roles, dismiss with a
reason and undo, failed jobs with replay. Real Redis, a real decision log, real rq."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from core.admin_settings import AdminSettings, ReportSettings, token_hash
from core.labels import reason_label
from core.ladder import Step
from core.models import Decision, Path, Reason, Signal, Source
from core.settings import Settings
from infra import failed_jobs
from infra.store import lead_report
from infra.store.admin_reads import AdminReads
from infra.store.decision_log import DecisionLog, open_log
from infra.store.escalations import NewEscalation
from receiver.admin import admin_blueprint
from receiver.admin_pages import Extras
from receiver.app import create_app

SHARED = "shared-token-for-tests"
ANA = "ana-token-0123456789abcdef0123456789"
VIC = "vic-token-0123456789abcdef0123456789"
ACCOUNTS = AdminSettings.model_validate({
    "accounts": {
        "ana": {"display_name": "Ana Lead", "role": "resolver", "token_hash": token_hash(ANA)},
        "vic": {"display_name": "Vic Viewer", "role": "viewer", "token_hash": token_hash(VIC)},
    },
    "undo_seconds": 60,
})


@pytest.fixture
def records(database_url: str) -> AdminReads:
    return AdminReads(open_log(database_url).engine)


@pytest.fixture
def queue(redis_conn: redis.Redis) -> Queue:
    return Queue("handoff-admin-test", connection=redis_conn, serializer=JSONSerializer)


@pytest.fixture
def app(records: AdminReads, redis_conn: redis.Redis, queue: Queue) -> Flask:
    extras = Extras(failed=lambda: failed_jobs.list_failed(queue),
                    replay=lambda job_id: failed_jobs.replay(queue, job_id),
                    report=lambda start, end: {"lead": lead_report.collect(
                        records, start, end, ReportSettings())})
    return create_app(Settings(), redis_conn, {}, admin_token=SHARED, admin=admin_blueprint(
        records, SHARED, connection=redis_conn, settings=ACCOUNTS, extras=extras))


def sign_in(client: FlaskClient, token: str) -> str:
    assert client.post("/admin/login", data={"token": token}).status_code == 303
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/").get_data(True))
    assert found is not None
    return found.group(1)


def escalate(records: AdminReads, n: int, reason: str = "high_risk:refund",
             ladder: bool = False) -> int:
    now = datetime.now(UTC)
    decision = Decision(
        ticket_id=str(n), platform="zendesk", path=Path.ESCALATE, confidence=0.31,
        reasons=(Reason(code=reason, rule="triggers.high_risk", detail="asked for a refund"),),
        signals=(Signal(name="sentiment", value=-0.6, evidence="this is ridiculous"),),
        sources=(Source(id="refund-policy", title="Refunds", score=0.42),))
    DecisionLog(records.engine).record_decision(f"d{n}", f"ev{n}", None, decision, 3.0)
    step = Step(level=0, name="Tier 1", at=now, by="handoff", why="refund request",
                group="Billing") if ladder else None
    record_id, _ = records.open(NewEscalation(
        decision_id=f"d{n}", platform="zendesk", ticket_id=str(n), reason=reason,
        reasons=(reason,), severity="high", agent="group 360001",
        ticket_url=f"https://acme.zendesk.com/agent/tickets/{n}", customer=f"Customer {n}",
        summary=f"Summary {n}", status_at_open="open", ladder="refunds" if ladder else None,
        first_step=step, customers_at_open=1), now)
    return record_id


def test_reason_labels_read_as_words_and_unknown_codes_stay_visible() -> None:
    assert reason_label("high_risk:refund") == "Refund request"
    assert reason_label("high_risk:warranty_claim") == "Sensitive topic: warranty claim"
    assert reason_label("rule:vip_orders") == "Rule: vip orders"
    assert reason_label("brand_new_code") == "brand_new_code"


def test_the_record_page_shows_the_note_the_context_the_customer_since_and_the_ladder(
    app: Flask, records: AdminReads, redis_conn: redis.Redis,
) -> None:
    from core.models import InternalNote, Message
    from worker.effects.ledger import Ledger

    record_id = escalate(records, 5, ladder=True)
    Ledger(redis_conn, "d5").plan(Decision(
        ticket_id="5", platform="zendesk", path=Path.ESCALATE, confidence=0.31,
        actions=(InternalNote(body="Handoff: refund request.\nCustomer: Dana <wants> it back"),)))
    records.note_messages(record_id, 1, Message(
        id="m9", author="customer", public=True, text="Any news on my refund?",
        created_at=datetime.now(UTC)))
    client = app.test_client()
    sign_in(client, SHARED)
    index = client.get("/admin/").get_data(True)
    assert f'href="/admin/escalations/{record_id}"' in index
    page = client.get(f"/admin/escalations/{record_id}").get_data(True)
    assert ('<pre class="note">Handoff: refund request.\nCustomer: Dana &lt;wants&gt; it back'
            in page)
    assert "<b>Refund request</b>: asked for a refund" in page
    assert "this is ridiculous" in page
    assert "<code>refund-policy</code>" in page
    assert "Any news on my refund?" in page
    assert "<b>Tier 1</b>" in page
    assert "group Billing" in page
    assert client.get("/admin/escalations/999").status_code == 404
    redis_conn.delete("handoff:ledger:d5")  # the ledger expired: the page says so
    assert "no longer there" in client.get(f"/admin/escalations/{record_id}").get_data(True)


def test_decisions_link_to_their_ticket_page(app: Flask, records: AdminReads) -> None:
    record_id = escalate(records, 6)
    client = app.test_client()
    sign_in(client, SHARED)
    index = client.get("/admin/").get_data(True)
    assert 'href="/admin/tickets/zendesk/6"' in index
    page = client.get("/admin/tickets/zendesk/6").get_data(True)
    assert f'href="/admin/escalations/{record_id}"' in page
    assert "https://acme.zendesk.com/agent/tickets/6" in page
    assert "Never escalated" in client.get("/admin/tickets/zendesk/404").get_data(True)


def test_named_accounts_sign_in_and_record_who_acted(app: Flask, records: AdminReads) -> None:
    first, second = escalate(records, 1), escalate(records, 2)
    ana = app.test_client()
    csrf = sign_in(ana, ANA)
    assert "Ana Lead (resolver)" in ana.get("/admin/").get_data(True)
    ana.post(f"/admin/escalations/{first}/resolve", data={"csrf": csrf})
    assert records.get(first)["closed_by"] == "Ana Lead"  # type: ignore[index]

    shared = app.test_client()
    csrf = sign_in(shared, SHARED)
    shared.post(f"/admin/escalations/{second}/resolve", data={"csrf": csrf})
    assert records.get(second)["closed_by"] == "admin"  # type: ignore[index]


def test_a_viewer_sees_everything_and_changes_nothing(app: Flask, records: AdminReads) -> None:
    record_id = escalate(records, 3)
    vic = app.test_client()
    csrf = sign_in(vic, VIC)
    page = vic.get("/admin/").get_data(True)
    assert "Vic Viewer (viewer)" in page
    assert "view only" in page
    assert "Resolve</button>" not in page
    for action in ("resolve", "dismiss", "return"):
        answer = vic.post(f"/admin/escalations/{record_id}/{action}",
                          data={"csrf": csrf, "why": "Duplicate ticket"})
        assert answer.status_code == 403
    assert records.get(record_id)["state"] == "open"  # type: ignore[index]
    assert vic.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    bearer = app.test_client().get("/admin/", headers={"Authorization": f"Bearer {VIC}"})
    assert bearer.status_code == 200


def test_account_hashes_must_be_hashes_and_distinct() -> None:
    with pytest.raises(ValidationError, match="sha256:"):
        AdminSettings.model_validate({"accounts": {"a": {"display_name": "A",
                                                         "token_hash": ANA}}})
    with pytest.raises(ValidationError, match=r"admin.accounts.b: same token_hash as "
                                              r"admin.accounts.a"):
        AdminSettings.model_validate({"accounts": {
            name: {"display_name": name, "token_hash": token_hash(ANA)} for name in "ab"}})


def test_resolve_is_the_main_action_and_dismiss_asks_why(app: Flask, records: AdminReads) -> None:
    record_id = escalate(records, 4)
    client = app.test_client()
    csrf = sign_in(client, ANA)
    page = client.get("/admin/").get_data(True)
    assert page.index('class="primary resolve"') < page.index('class="secondary dismiss"')
    assert "<option>Duplicate ticket</option>" in page
    assert "<option>Other</option>" in page
    url = f"/admin/escalations/{record_id}/dismiss"
    empty = client.post(url, data={"csrf": csrf, "why": "Other", "note": ""})
    assert "Nothing%20changed" in empty.headers["Location"]
    answer = client.post(url, data={"csrf": csrf, "why": "Duplicate ticket", "note": "of #3"})
    assert answer.headers["Location"].endswith(f"&undo={record_id}")
    record = records.get(record_id)
    assert (record["state"], record["note"], record["closed_by"]) == (  # type: ignore[index]
        "dismissed", "Duplicate ticket: of #3", "Ana Lead")


def test_a_dismissal_can_be_undone_for_a_short_time_by_who_made_it(
    app: Flask, records: AdminReads,
) -> None:
    record_id = escalate(records, 8)
    ana, other = app.test_client(), app.test_client()
    csrf = sign_in(ana, ANA)
    other_csrf = sign_in(other, SHARED)
    answer = ana.post(f"/admin/escalations/{record_id}/dismiss",
                      data={"csrf": csrf, "why": "Spam or not a customer"})
    page = ana.get(answer.headers["Location"]).get_data(True)
    assert f'action="/admin/escalations/{record_id}/undo"' in page
    refused = other.post(f"/admin/escalations/{record_id}/undo", data={"csrf": other_csrf})
    assert "cannot%20be%20undone" in refused.headers["Location"]
    ana.post(f"/admin/escalations/{record_id}/undo", data={"csrf": csrf})
    assert records.get(record_id)["state"] == "open"  # type: ignore[index]

    records.dismiss(record_id, "spam", "Ana Lead", datetime.now(UTC) - timedelta(minutes=2))
    late = ana.post(f"/admin/escalations/{record_id}/undo", data={"csrf": csrf})
    assert "cannot%20be%20undone" in late.headers["Location"]
    assert records.get(record_id)["state"] == "dismissed"  # type: ignore[index]


def test_failed_jobs_show_their_error_and_a_resolver_replays_them(
    app: Flask, queue: Queue, redis_conn: redis.Redis,
) -> None:
    job = queue.enqueue("builtins.int", "not a number")
    SimpleWorker([queue], connection=redis_conn, serializer=JSONSerializer).work(burst=True)
    assert failed_jobs.registry(queue).get_job_ids() == [job.id]

    viewer = app.test_client()
    sign_in(viewer, VIC)
    seen = viewer.get("/admin/failed").get_data(True)
    assert f'data-id="{job.id}"' in seen
    assert "ValueError: invalid literal for int()" in seen
    assert "Replay</button>" not in seen

    ana = app.test_client()
    csrf = sign_in(ana, ANA)
    assert "Replay</button>" in ana.get("/admin/failed").get_data(True)
    answer = ana.post("/admin/failed/replay", data={"csrf": csrf, "job_id": job.id})
    assert "queued%20again" in answer.headers["Location"]
    assert failed_jobs.registry(queue).get_job_ids() == []
    assert job.id in queue.get_job_ids()
    again = ana.post("/admin/failed/replay", data={"csrf": csrf, "job_id": job.id})
    assert "not%20in%20the%20failed-job%20registry" in again.headers["Location"]
    assert "No failed jobs." in ana.get("/admin/failed").get_data(True)


def test_the_report_page_covers_the_chosen_days(app: Flask, records: AdminReads) -> None:
    escalate(records, 11)
    client = app.test_client()
    sign_in(client, VIC)
    page = client.get("/admin/report?days=7").get_data(True)
    assert "(7.0 days): 1 ticket(s) the AI decided on" in page
    assert '<div class="value bad">100.0%</div>' in page  # 1 of 1 escalated: over 20%
    assert "target: 10%\u201320% \u00b7 missed" in page
    assert "No escalation in this period has a human reply yet." in page
    assert "(28.0 days)" in client.get("/admin/report?days=x").get_data(True)
    assert "(366.0 days)" in client.get("/admin/report?days=9999").get_data(True)
