"""The admin page: access, CSRF, filters and the Resolve and Dismiss actions."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core.settings import Settings
from infra.store.admin_reads import AdminReads
from infra.store.decision_log import open_log
from infra.store.escalations import Escalations, NewEscalation
from receiver.admin import COOKIE, admin_blueprint
from receiver.admin_auth import LoginLimit
from receiver.app import create_app

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
    return AdminReads(open_log(database_url).engine)


@pytest.fixture
def app(records: Escalations, redis_conn: redis.Redis) -> Flask:
    report = {"tickets": 50, "auto_resolve_precision": 0.97}
    return create_app(Settings(), redis_conn, {}, admin_token=TOKEN,
                      admin=admin_blueprint(records, TOKEN, lambda: report,
                                            connection=redis_conn))


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
        admin_blueprint(Escalations(None), "", connection=redis_conn)  # type: ignore[arg-type]


def test_badge_list_decisions_and_simulation(app: Flask, records: Escalations) -> None:
    seed(records, 1)
    seed(records, 2, reason="high_risk:refund")
    client = app.test_client()
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'id="open-count"[^>]*>2<', page)
    assert "Summary &lt;b&gt;1&lt;/b&gt;" in page  # customer text is escaped
    assert "https://acme.zendesk.com/agent/tickets/2" in page
    assert "<dt>auto resolve precision</dt><dd>0.97</dd>" in page
    # Reasons in words, the code kept only as a tooltip.
    assert '<td data-label="Reason" title="high_risk:refund">Refund request</td>' in page
    assert '<td data-label="Reason" title="human_request">Asked for a person</td>' in page


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
        "dismissed", "duplicate of #7", "admin")
    again = client.post(f"/admin/escalations/{record_id}/resolve", data={"csrf": csrf})
    assert "already%20dismissed" in again.headers["Location"]


def test_back_link_never_leaves_the_admin_page(app: Flask, records: Escalations) -> None:
    record_id = seed(records, 1)
    client = app.test_client()
    csrf = login(client)
    answer = client.post(f"/admin/escalations/{record_id}/resolve",
                         data={"csrf": csrf, "back": "https://evil.example/"})
    assert answer.headers["Location"].startswith("/admin/?msg=")


def test_customer_phone_numbers_and_spelled_out_addresses_are_shown_masked(
    app: Flask, records: Escalations,
) -> None:
    """What the customer wrote reaches the page through the escalation record, masked:
    numbers without separators and e-mail addresses written out in words included."""
    records.open(NewEscalation(
        decision_id="d-pii", platform="freshdesk", ticket_id="77", reason="human_request",
        reasons=("human_request",), severity="high", agent="group 1",
        ticket_url="https://acme.freshdesk.com/a/tickets/77",
        customer="Jane (jane.doe[at]example.com)",
        summary="Call me on +4915123456789 or 4155550132, or write to jane at example dot com",
        status_at_open="open"), datetime.now(UTC))
    client = app.test_client()
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    for personal in ("4915123456789", "4155550132", "jane.doe", "example dot com",
                     "example.com"):
        assert personal not in page
    assert "Jane ([email])" in page
    assert "Call me on [phone] or [phone], or write to [email]" in page


def csrf_of(client: FlaskClient) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_logout_revokes_the_session_on_the_server(app: Flask) -> None:
    """A copy of the session cookie taken before sign-out opens nothing afterwards."""
    client = app.test_client()
    csrf = login(client)
    cookie = client.get_cookie(COOKIE, path="/admin")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value, path="/admin")
    assert thief.get("/admin/").status_code == 200
    assert client.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    assert thief.get("/admin/").status_code == 401
    assert client.get("/admin/").status_code == 401
    login(client)  # signing in again works
    assert client.get("/admin/").status_code == 200


def sign_in(client: FlaskClient, token: str, address: str) -> TestResponse:
    return client.post("/admin/login", data={"token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_failed_sign_ins_are_limited_per_address(app: Flask) -> None:
    client = app.test_client()
    for _ in range(LoginLimit().per_address):
        assert sign_in(client, "guess", "203.0.113.7").status_code == 401
    refused = sign_in(client, TOKEN, "203.0.113.7")  # even the right token, now
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= LoginLimit().window_seconds
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    # Guessing through the Authorization header counts against the same address.
    header = {"Authorization": "Bearer guess"}
    assert client.get("/admin/", headers=header,
                      environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 429
    # So does /metrics, which takes the same token.
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                      environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 429
    assert sign_in(client, TOKEN, "198.51.100.1").status_code == 303  # another address


@pytest.mark.parametrize("path", ["/admin/", "/metrics"])
def test_guesses_through_the_authorization_header_count_too(app: Flask, path: str) -> None:
    client = app.test_client()
    where = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(LoginLimit().per_address):
        answer = client.get(path, headers={"Authorization": "Bearer guess"}, environ_base=where)
        assert answer.status_code == 401
    assert sign_in(client, TOKEN, "203.0.113.9").status_code == 429


def test_failed_sign_ins_are_limited_for_the_account_across_processes(
    records: Escalations, redis_conn: redis.Redis,
) -> None:
    """Two receiver processes (two apps on one Redis) share the count: guesses spread over
    many addresses and both processes still reach the account's limit."""
    limit = LoginLimit(per_address=3, per_account=8, window_seconds=600)
    apps = [create_app(Settings(), redis_conn, {}, admin_token=TOKEN,
                       admin=admin_blueprint(records, TOKEN, connection=redis_conn, limit=limit))
            for _ in range(2)]
    clients = [a.test_client() for a in apps]
    for n in range(limit.per_account):
        assert sign_in(clients[n % 2], "guess", f"192.0.2.{n}").status_code == 401
    refused = sign_in(clients[0], TOKEN, "192.0.2.200")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert sign_in(clients[1], TOKEN, "192.0.2.201").status_code == 429


@pytest.mark.parametrize("back", ["/admin/\r\nSet-Cookie: x=1", "/admin/?a=\n", "/admin/\x00"])
def test_a_back_link_with_control_characters_is_400_and_changes_nothing(
    app: Flask, records: Escalations, back: str,
) -> None:
    record_id = seed(records, 1)
    client = app.test_client()
    csrf = login(client)
    answer = client.post(f"/admin/escalations/{record_id}/resolve",
                         data={"csrf": csrf, "back": back})
    assert answer.status_code == 400
    assert "Set-Cookie" not in answer.headers
    assert records.count_open() == 1


@pytest.mark.parametrize("back", ["//evil.example/admin", "/admin/../..//evil.example",
                                  "/admin\\@evil.example", "https://evil.example/admin"])
def test_a_back_link_elsewhere_returns_to_the_admin_page(
    app: Flask, records: Escalations, back: str,
) -> None:
    record_id = seed(records, 1)
    client = app.test_client()
    csrf = login(client)
    answer = client.post(f"/admin/escalations/{record_id}/resolve",
                         data={"csrf": csrf, "back": back})
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/admin/?msg=")


@pytest.mark.parametrize("record_id", [2**31, 2**63, 2**63 + 1, 10**30])
def test_a_record_id_beyond_the_database_range_is_404(app: Flask, record_id: int) -> None:
    client = app.test_client()
    csrf = login(client)
    for action in ("resolve", "dismiss"):
        answer = client.post(f"/admin/escalations/{record_id}/{action}",
                             data={"csrf": csrf, "note": "n"})
        assert answer.status_code == 404


def test_return_to_ai_closes_the_record_and_queues_its_ticket(
    database_url: str, redis_conn: redis.Redis,
) -> None:
    from infra.store.handbacks import HandBacks

    records = HandBacks(open_log(database_url).engine)
    queued: list[str] = []
    app = create_app(Settings(), redis_conn, {}, admin_token=TOKEN, admin=admin_blueprint(
        records, TOKEN, returned=lambda record: queued.append(str(record["ticket_id"])),
        connection=redis_conn))
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
