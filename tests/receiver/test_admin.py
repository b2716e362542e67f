"""The admin page: access, CSRF, filters and the Resolve and Dismiss actions."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from core.settings import Settings
from receiver.admin import admin_blueprint
from receiver.app import create_app
from worker.decision_log import open_log
from worker.escalations import Escalations, NewEscalation

TOKEN = "admin-token-for-tests"


def seed(records: Escalations, n: int, *, reason: str = "human_request",
         platform: str = "zendesk", opened: datetime | None = None) -> int:
    record_id, _ = records.open(NewEscalation(
        decision_id=f"d{n}", platform=platform, ticket_id=str(n), reason=reason,
        reasons=(reason,), severity="high", agent="group 360001",
        ticket_url=f"https://acme.zendesk.com/agent/tickets/{n}", customer=f"Customer {n}",
        summary=f"Summary <b>{n}</b>", status_at_open="open"), opened or datetime.now(UTC))
    return record_id


@pytest.fixture
def records(database_url: str) -> Escalations:
    return Escalations(open_log(database_url).engine)


@pytest.fixture
def app(records: Escalations, redis_conn: redis.Redis) -> Flask:
    report = {"tickets": 50, "auto_resolve_precision": 0.97}
    return create_app(Settings(), redis_conn, {}, admin_token=TOKEN,
                      admin=admin_blueprint(records, TOKEN, lambda: report))


def login(client: FlaskClient) -> str:
    answer = client.post("/admin/login", data={"token": TOKEN})
    assert answer.status_code == 303
    page = client.get("/admin/").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_without_the_token_every_page_is_401(app: Flask, records: Escalations) -> None:
    record_id = seed(records, 1)
    client = app.test_client()
    assert client.get("/admin/").status_code == 401
    assert "Sign in" in client.get("/admin/").get_data(as_text=True)
    assert client.post(f"/admin/escalations/{record_id}/resolve").status_code == 401
    assert client.post("/admin/login", data={"token": "wrong"}).status_code == 401
    assert client.get("/admin/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert records.count_open() == 1


def test_bearer_and_basic_auth_open_the_page(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/admin/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    basic = base64.b64encode(f"admin:{TOKEN}".encode()).decode()
    assert client.get("/admin/", headers={"Authorization": f"Basic {basic}"}).status_code == 200


def test_page_is_off_without_a_configured_token(redis_conn: redis.Redis) -> None:
    assert create_app(Settings(), redis_conn, {}).test_client().get("/admin/").status_code == 404
    with pytest.raises(ValueError, match="needs a token"):
        admin_blueprint(Escalations(None), "")  # type: ignore[arg-type]


def test_badge_list_decisions_and_simulation(app: Flask, records: Escalations) -> None:
    seed(records, 1)
    seed(records, 2, reason="high_risk:refund")
    client = app.test_client()
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'id="open-count"[^>]*>2<', page)
    assert "Summary &lt;b&gt;1&lt;/b&gt;" in page  # customer text is escaped
    assert "https://acme.zendesk.com/agent/tickets/2" in page
    assert "auto_resolve_precision" in page


def test_filters_by_reason_platform_and_age(app: Flask, records: Escalations) -> None:
    old = datetime.now(UTC) - timedelta(hours=5)
    seed(records, 1, opened=old)
    seed(records, 2, reason="high_risk:refund")
    seed(records, 3, platform="freshdesk")
    client = app.test_client()
    login(client)

    def shown(query: str) -> list[str]:
        page = client.get(f"/admin/?{query}").get_data(as_text=True)
        return re.findall(r'class="escalation" data-id="(\d+)"', page)

    assert shown("") == ["1", "2", "3"]
    assert shown("reason=high_risk:refund") == ["2"]
    assert shown("platform=freshdesk") == ["3"]
    assert shown("age=4h") == ["1"]
    assert shown("age=lt1h") == ["2", "3"]


def test_dismiss_needs_csrf_and_a_note(app: Flask, records: Escalations) -> None:
    record_id = seed(records, 1)
    client = app.test_client()
    csrf = login(client)
    url = f"/admin/escalations/{record_id}/dismiss"
    assert client.post(url, data={"note": "dup"}).status_code == 400
    assert client.post(url, data={"note": "dup", "csrf": "forged"}).status_code == 400
    answer = client.post(url, data={"note": " ", "csrf": csrf})
    assert answer.status_code == 303
    assert "needs%20a%20note" in answer.headers["Location"]
    assert records.count_open() == 1
    answer = client.post(url, data={"note": "duplicate of #7", "csrf": csrf,
                                    "back": "/admin/?reason=human_request"})
    assert answer.headers["Location"].startswith("/admin/?reason=human_request&msg=")
    assert records.count_open() == 0
    record = records.get(record_id)
    assert record is not None
    assert (record["state"], record["note"], record["closed_by"]) == (
        "dismissed", "duplicate of #7", "admin page")
    again = client.post(f"/admin/escalations/{record_id}/resolve", data={"csrf": csrf})
    assert "already%20dismissed" in again.headers["Location"]


def test_back_link_never_leaves_the_admin_page(app: Flask, records: Escalations) -> None:
    record_id = seed(records, 1)
    client = app.test_client()
    csrf = login(client)
    answer = client.post(f"/admin/escalations/{record_id}/resolve",
                         data={"csrf": csrf, "back": "https://evil.example/"})
    assert answer.headers["Location"].startswith("/admin/?msg=")


def test_return_to_ai_closes_the_record_and_queues_its_ticket(
    database_url: str, redis_conn: redis.Redis,
) -> None:
    from worker.handback import HandBacks

    records = HandBacks(open_log(database_url).engine)
    queued: list[str] = []
    app = create_app(Settings(), redis_conn, {}, admin_token=TOKEN, admin=admin_blueprint(
        records, TOKEN, returned=lambda record: queued.append(str(record["ticket_id"]))))
    record_id = seed(records, 7)
    client = app.test_client()
    csrf = login(client)
    assert "Return to AI" in client.get("/admin/").get_data(as_text=True)
    url = f"/admin/escalations/{record_id}/return"
    assert client.post(url, data={"csrf": "forged"}).status_code == 400
    assert queued == []

    answer = client.post(url, data={"csrf": csrf})
    assert answer.status_code == 303
    assert "returned%20to%20the%20AI" in answer.headers["Location"]
    assert queued == ["7"]
    assert records.get(record_id)["state"] == "returned"  # type: ignore[index]
    assert records.state("zendesk", "7").handed_back()
    again = client.post(url, data={"csrf": csrf})
    assert "Nothing%20changed" in again.headers["Location"]
    assert queued == ["7"]
