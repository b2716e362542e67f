"""ZendeskConnector against respx at the transport: the requests sent are asserted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from connectors.zendesk import payloads
from connectors.zendesk.connector import ZendeskConnector
from core.errors import (
    ConfigError,
    PayloadError,
    PermanentError,
    RateLimited,
    SignatureError,
    TransientError,
)
from core.models import (
    AddTags,
    Assign,
    EventKind,
    InternalNote,
    Priority,
    PublicReply,
    Role,
    SetPriority,
    SetStatus,
    Status,
)
from tests.connectors import fixtures_zendesk as fx
from tests.connectors.support import NOW, Waits, serve_audits
from tests.connectors.support import ZENDESK_AUTH as AUTH
from tests.connectors.support import zendesk_connector as connector
from tests.connectors.support import zendesk_settings as settings


def sign(body: bytes, stamp: str, secret: str = fx.SIGNING_SECRET) -> str:
    digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_headers(body: bytes, stamp: str = "2024-05-02T09:30:30Z") -> dict[str, str]:
    return {"X-Zendesk-Webhook-Signature": sign(body, stamp),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp}


# -- verify -----------------------------------------------------------------------

def test_verify_accepts_the_documented_worked_example_in_body_timestamp_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    example = fx.WORKED_EXAMPLE
    zendesk = ZendeskConnector(
        settings=settings(signing_secret=example["secret"]), client=httpx.Client(),
        clock=lambda: datetime(2021, 7, 25, 10, 1, tzinfo=UTC),
    )
    headers = {"x-zendesk-webhook-signature": example["signature"],
               "x-zendesk-webhook-signature-timestamp": example["timestamp"]}
    with caplog.at_level(logging.DEBUG, logger="connectors.zendesk.connector"):
        zendesk.verify(headers, example["body"])
    assert "body+timestamp" in caplog.text


def test_verify_accepts_timestamp_body_order_with_any_header_case(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = json.dumps(fx.TRIGGER_BODY).encode()
    with caplog.at_level(logging.DEBUG, logger="connectors.zendesk.connector"):
        connector().verify(signed_headers(body), body)
        connector().verify(httpx.Headers(signed_headers(body)), body)
    assert "timestamp+body" in caplog.text


@pytest.mark.parametrize(("body", "signature"), [
    (b'{"ticket_id": "35437"}', None),  # body changed after signing
    (b'{"ticket_id": "35436"}', "not-a-signature"),
    (b'{"ticket_id": "35436"}', base64.b64encode(b"x" * 32).decode()),
])
def test_verify_rejects_a_wrong_signature(body: bytes, signature: str | None) -> None:
    headers = signed_headers(b'{"ticket_id": "35436"}')
    if signature is not None:
        headers["X-Zendesk-Webhook-Signature"] = signature
    with pytest.raises(SignatureError, match="does not match"):
        connector().verify(headers, body)


def test_verify_rejects_a_hex_digest() -> None:
    body, stamp = b"{}", "2024-05-02T09:30:30Z"
    hexdigest = hmac.new(fx.SIGNING_SECRET.encode(), stamp.encode() + body,
                         hashlib.sha256).hexdigest()
    headers = {"x-zendesk-webhook-signature": hexdigest,
               "x-zendesk-webhook-signature-timestamp": stamp}
    with pytest.raises(SignatureError):
        connector().verify(headers, body)


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_verify_rejects_a_timestamp_outside_the_replay_window(offset: timedelta) -> None:
    stamp = (NOW + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = b'{"ticket_id": "35436"}'
    with pytest.raises(SignatureError, match="window"):
        connector().verify(signed_headers(body, stamp), body)


def test_verify_accepts_a_timestamp_just_inside_the_window() -> None:
    stamp = (NOW - timedelta(seconds=299)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = b'{"ticket_id": "35436"}'
    connector().verify(signed_headers(body, stamp), body)


def test_verify_rejects_an_unreadable_timestamp() -> None:
    body = b"{}"
    with pytest.raises(SignatureError, match="unreadable"):
        connector().verify(signed_headers(body, "yesterday"), body)


@pytest.mark.parametrize("drop", [
    ["X-Zendesk-Webhook-Signature"],
    ["X-Zendesk-Webhook-Signature-Timestamp"],
    ["X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"],
])
def test_verify_rejects_missing_headers(drop: list[str]) -> None:
    headers = signed_headers(b"{}")
    for name in drop:
        del headers[name]
    with pytest.raises(SignatureError, match="missing"):
        connector().verify(headers, b"{}")


@pytest.mark.parametrize("secret", [None, ""])
def test_verify_refuses_everything_without_a_signing_secret(secret: str | None) -> None:
    with pytest.raises(SignatureError, match="no signing secret"):
        connector(signing_secret=secret).verify(signed_headers(b"{}"), b"{}")


# -- parse_event ----------------------------------------------------------------------

@pytest.mark.parametrize(("body", "kind"), [
    ({"ticket_id": "35436", "comment_id": "1003", "event": "ticket_created"},
     EventKind.TICKET_CREATED),
    ({"ticket_id": 35436, "comment_id": 1003, "event": "comment_added"},
     EventKind.MESSAGE_CREATED),
    ({"ticket_id": "35436"}, EventKind.TICKET_UPDATED),
    ({"ticket_id": "35436", "comment_id": "", "event": "status_changed"},
     EventKind.TICKET_UPDATED),
])
def test_parse_event_reads_trigger_bodies(body: dict[str, Any], kind: EventKind) -> None:
    event = connector().parse_event({"X-Zendesk-Webhook-Invocation-Id": "inv-1"}, body)
    assert (event.platform, event.ticket_id, event.event_id, event.kind) == (
        "zendesk", "35436", "inv-1", kind)


def test_parse_event_reads_event_subscription_bodies() -> None:
    event = connector().parse_event({"x-zendesk-webhook-invocation-id": "inv-2"}, fx.EVENT_BODY)
    assert (event.ticket_id, event.event_id, event.kind, event.unique_id) == (
        "35436", "inv-2", EventKind.MESSAGE_CREATED, True)


def test_parse_event_without_invocation_id_hashes_ticket_comment_and_body() -> None:
    zendesk = connector()
    first = zendesk.parse_event({}, fx.TRIGGER_BODY)
    again = zendesk.parse_event({}, dict(reversed(fx.TRIGGER_BODY.items())))
    other = zendesk.parse_event({}, {**fx.TRIGGER_BODY, "comment_id": "1004"})
    assert first.event_id == again.event_id
    assert first.event_id.startswith("sha256:")
    assert other.event_id != first.event_id
    assert (first.unique_id, other.unique_id) == (False, False)


@pytest.mark.parametrize("body", [
    {"comment_id": "1003"},
    {"ticket_id": ""},
    {"ticket_id": "{{ticket.id}}"},
    {"ticket_id": None},
    {"type": "zen:event-type:ticket.comment_added", "detail": {}},
    ["ticket_id", "35436"],
])
def test_parse_event_without_a_ticket_id_names_the_field(body: Any) -> None:
    with pytest.raises(PayloadError, match="ticket_id"):
        connector().parse_event({}, body)


# -- get_ticket -------------------------------------------------------------------------

def test_get_ticket_reads_three_pages_of_audits_and_maps_roles(
    zendesk_api: respx.MockRouter,
) -> None:
    ticket_route = zendesk_api.get(f"/tickets/{fx.TICKET_ID}.json").respond(
        json=fx.ticket_response())
    audits_route = serve_audits(zendesk_api, fx.THREAD, size=3)

    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert ticket_route.call_count == 0  # the ticket and its requester came sideloaded
    assert audits_route.call_count == 3
    first, second, third = (call.request for call in audits_route.calls)
    assert dict(first.url.params) == {"include": "tickets,users,organizations",
                                      "page[size]": "100"}
    assert second.url.params["page[after]"] == "cursor-3"
    assert third.url.params["page[after]"] == "cursor-6"
    assert all(c.request.headers["Authorization"] == AUTH for c in audits_route.calls)
    assert [(m.id, m.author, m.public) for m in ticket.messages] == [
        ("1001", Role.CUSTOMER, True),
        ("1002", Role.AGENT, False),
        ("1003", Role.AI, True),
        ("1004", Role.AGENT, False),
        ("1005", Role.SYSTEM, False),
        ("1006", Role.SYSTEM, True),
        ("1007", Role.CUSTOMER, True),
    ]
    assert ticket.messages[0].text == "My parcel has not arrived"
    assert ticket.messages[0].html == (
        '<div class="zd-comment"><p>My parcel has not arrived</p></div>')
    assert ticket.messages[0].created_at == datetime(2024, 5, 2, 9, 41, tzinfo=UTC)


def test_get_ticket_skips_audits_without_a_comment(zendesk_api: respx.MockRouter) -> None:
    pages = fx.audit_pages(fx.THREAD[:2], 100)
    pages[None]["audits"].insert(1, fx.TAG_AUDIT)
    zendesk_api.get(f"/tickets/{fx.TICKET_ID}/audits.json").respond(json=pages[None])

    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert [m.id for m in ticket.messages] == ["1001", "1002"]


def test_get_ticket_maps_fields_and_the_sideloaded_requester(zendesk_api: respx.MockRouter) -> None:
    serve_audits(zendesk_api, fx.THREAD[:1], size=100)

    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert ticket.platform == "zendesk"
    assert ticket.subject == "Where is my order?"
    assert ticket.status is Status.PENDING  # "hold"
    assert ticket.priority is Priority.HIGH
    assert ticket.tags == ("shipping", "order")
    assert (ticket.channel, ticket.group, ticket.assignee) == ("email", "360010", "601")
    assert ticket.sla_due_at == datetime(2024, 5, 3, 9, tzinfo=UTC)
    assert ticket.updated_at == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    # The agent view, not the API address the payload carries.
    assert ticket.url == f"https://acme.zendesk.com/agent/tickets/{fx.TICKET_ID}"
    assert ticket.custom_fields == {"1100": "parcel"}
    requester = ticket.requester
    assert (requester.id, requester.email, requester.name, requester.organization) == (
        "501", "dana@example.com", "Dana Customer", "7001")
    assert requester.tags == ("vip", "emea")
    assert requester.vip is True


@pytest.mark.parametrize("sideloads", ["no ticket", "no requester"])
def test_get_ticket_reads_the_ticket_when_the_sideloads_lack_it(
    zendesk_api: respx.MockRouter, sideloads: str,
) -> None:
    # The requester wrote nothing (an agent opened the ticket for them), or the
    # account answers without the tickets sideload: one Show Ticket fills the gap.
    agent_only = [fx.comment(1002, fx.AGENT_ID, "Opened for Dana by phone", public=False)]
    page = fx.audit_pages(agent_only, 100)[None]
    if sideloads == "no ticket":
        del page["tickets"]
    del page["organizations"]
    zendesk_api.get(f"/tickets/{fx.TICKET_ID}/audits.json").respond(json=page)
    ticket_route = zendesk_api.get(f"/tickets/{fx.TICKET_ID}.json").respond(
        json=fx.ticket_response(subject="Phoned in"))

    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert ticket_route.call_count == 1
    assert ticket_route.calls.last.request.url.params["include"] == "users,organizations"
    assert ticket.subject == "Phoned in"
    assert ticket.requester.vip is True
    # The organisation came with Show Ticket, not with the audits.
    assert ticket.requester.organization_fields == {"plan": "enterprise", "seats": "250"}
    assert [m.author for m in ticket.messages] == [Role.AGENT]


def test_an_unsideloaded_requester_takes_the_tickets_organisation() -> None:
    organizations = {"7001": fx.ORGANIZATION}
    ticket = payloads.ticket_from_api(fx.TICKET, {}, [], str(fx.AI_USER_ID), organizations)
    assert ticket.requester.organization == "7001"
    assert ticket.requester.organization_fields == {"plan": "enterprise", "seats": "250"}
    assert (ticket.requester.created_at, ticket.requester.fields) == (None, {})


@pytest.mark.parametrize(("raw", "status"), [
    ("new", Status.NEW), ("open", Status.OPEN), ("pending", Status.PENDING),
    ("hold", Status.PENDING), ("solved", Status.SOLVED), ("closed", Status.CLOSED),
])
def test_get_ticket_maps_every_status(
    zendesk_api: respx.MockRouter, raw: str, status: Status,
) -> None:
    changed = {**fx.TICKET, "status": raw, "priority": None, "due_at": None}
    serve_audits(zendesk_api, fx.THREAD[:1], size=100, ticket=changed)
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    assert (ticket.status, ticket.priority, ticket.sla_due_at) == (status, None, None)


def test_get_ticket_follows_cursors_through_250_comments(zendesk_api: respx.MockRouter) -> None:
    thread = [fx.comment(2000 + i, fx.REQUESTER_ID if i % 2 else fx.AGENT_ID, f"message {i}")
              for i in range(250)]
    route = serve_audits(zendesk_api, thread, size=100)

    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert route.call_count == 3
    assert [m.text for m in ticket.messages] == [f"message {i}" for i in range(250)]
    assert ticket.messages[1].author is Role.CUSTOMER
    assert ticket.messages[0].author is Role.AGENT


def test_get_ticket_asks_users_me_once_when_the_ai_user_is_not_configured(
    zendesk_api: respx.MockRouter,
) -> None:
    serve_audits(zendesk_api, fx.THREAD, size=100)
    me = zendesk_api.get("/users/me.json").respond(json={"user": fx.AI_USER})
    zendesk = connector(ai_user_id=None)

    first = zendesk.get_ticket(str(fx.TICKET_ID))
    zendesk.get_ticket(str(fx.TICKET_ID))

    assert me.call_count == 1
    assert me.calls.last.request.headers["Authorization"] == AUTH
    assert first.messages[2].author is Role.AI


def test_get_ticket_refuses_a_pagination_link_to_another_host(
    zendesk_api: respx.MockRouter,
) -> None:
    page = fx.audit_pages(fx.THREAD, 3)[None]
    page["links"]["next"] = "https://evil.example/steal?page[after]=x"
    zendesk_api.get(f"/tickets/{fx.TICKET_ID}/audits.json").respond(json=page)
    evil = respx.get(url__startswith="https://evil.example/").respond(json={})

    with pytest.raises(PermanentError, match="refusing"):
        connector().get_ticket(str(fx.TICKET_ID))
    assert evil.call_count == 0


@pytest.mark.parametrize("answer", [
    httpx.Response(200, text="<html>maintenance</html>"),
    httpx.Response(200, json={"audits": [], "tickets": [{"id": fx.TICKET_ID}]}),
    httpx.Response(200, json={"audits": [{"events": [{"type": "Comment", "body": "x"}]}]}),
    httpx.Response(200, json=[]),
])
def test_get_ticket_turns_an_unusable_response_into_a_permanent_error(
    zendesk_api: respx.MockRouter, answer: httpx.Response,
) -> None:
    zendesk_api.get(f"/tickets/{fx.TICKET_ID}/audits.json").mock(return_value=answer)
    zendesk_api.get(f"/tickets/{fx.TICKET_ID}.json").respond(json={"ticket": {"id": fx.TICKET_ID}})
    with pytest.raises(PermanentError):
        connector().get_ticket(str(fx.TICKET_ID))


def test_get_ticket_refuses_an_id_that_is_not_a_number(zendesk_api: respx.MockRouter) -> None:
    with pytest.raises(PermanentError):
        connector().get_ticket("../users/1")
    assert not zendesk_api.calls


# -- apply --------------------------------------------------------------------------------

def put_route(zendesk_api: respx.MockRouter) -> respx.Route:
    return zendesk_api.put(f"/tickets/{fx.TICKET_ID}.json").respond(
        json={"ticket": fx.TICKET, "audit": {"id": 1, "events": []}})


def sent_body(route: respx.Route) -> dict[str, Any]:
    request = route.calls.last.request
    assert request.headers["Authorization"] == AUTH
    assert request.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = json.loads(request.content)
    return body


def test_apply_sends_a_reply_batch_as_one_put(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    route = put_route(zendesk_api)
    batch = (PublicReply(body="Hello Dana,\n\nIt ships today.\nTracking: 123"),
             AddTags(tags=("handoff_auto_resolved",)), SetStatus(status=Status.SOLVED))

    connector().apply(zendesk_ticket, batch)

    assert route.call_count == 1
    assert len(zendesk_api.calls) == 1
    assert sent_body(route) == {"ticket": {
        "comment": {"html_body": "<p>Hello Dana,</p><p>It ships today.<br>Tracking: 123</p>",
                    "public": True},
        "status": "solved",
        "tags": ["shipping", "order", "handoff_auto_resolved"],
        "safe_update": True,
        "updated_stamp": "2024-05-02T09:30:00Z",
    }}


def test_apply_sends_a_private_escaped_note_with_routing(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    route = put_route(zendesk_api)
    batch = (InternalNote(body='Customer wrote: <script>alert("x")</script> — çа va? 日本'),
             Assign(group="360099", assignee="agent-7"), SetPriority(priority=Priority.URGENT))

    connector().apply(zendesk_ticket, batch)

    assert sent_body(route) == {"ticket": {
        "comment": {"html_body": "<p>Customer wrote: &lt;script&gt;alert(&quot;x&quot;)"
                                 "&lt;/script&gt; — çа va? 日本</p>",
                    "public": False},
        "group_id": 360099,
        "assignee_id": "agent-7",
        "priority": "urgent",
    }}


def test_apply_merges_tags_without_duplicates_under_safe_update(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    route = put_route(zendesk_api)
    connector().apply(zendesk_ticket, (AddTags(tags=("order", "handoff_draft")),
                               AddTags(tags=("handoff_draft", "vip_review"))))
    assert sent_body(route) == {"ticket": {
        "tags": ["shipping", "order", "handoff_draft", "vip_review"],
        "safe_update": True,
        "updated_stamp": "2024-05-02T09:30:00Z",
    }}


def test_apply_sends_nothing_for_an_empty_batch(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    connector().apply(zendesk_ticket, ())
    assert not zendesk_api.calls


def test_apply_refuses_two_comments_in_one_batch(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any,
) -> None:
    with pytest.raises(ValueError, match="at most one comment"):
        connector().apply(zendesk_ticket, (PublicReply(body="a"), InternalNote(body="b")))
    assert not zendesk_api.calls


# A safe_update conflict (409) is re-read and retried: tests/connectors/test_zendesk_conflict.py.


# -- retries and error translation ------------------------------------------------------------

def test_a_429_waits_for_retry_after_then_succeeds(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any, waits: Waits,
) -> None:
    route = zendesk_api.put(f"/tickets/{fx.TICKET_ID}.json").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "TooManyRequests"}),
        httpx.Response(200, json={"ticket": fx.TICKET}),
    ])
    connector(waits).apply(zendesk_ticket, (InternalNote(body="note"),))
    assert route.call_count == 2
    assert waits == [7.0]
    first, second = (c.request for c in route.calls)
    assert first.content == second.content


def test_a_retry_after_beyond_the_budget_raises_rate_limited_at_once(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any, waits: Waits,
) -> None:
    route = zendesk_api.put(f"/tickets/{fx.TICKET_ID}.json").respond(
        429, headers={"Retry-After": "120"}, json={"error": "TooManyRequests"})
    with pytest.raises(RateLimited) as raised:
        connector(waits).apply(zendesk_ticket, (InternalNote(body="note"),))
    assert raised.value.retry_after == 120.0
    assert route.call_count == 1
    assert waits == []


def test_a_5xx_is_retried_then_succeeds(zendesk_api: respx.MockRouter, waits: Waits) -> None:
    route = serve_audits(zendesk_api, fx.THREAD, size=100,
                         first=[httpx.Response(503, text="Service Unavailable")])
    ticket = connector(waits).get_ticket(str(fx.TICKET_ID))
    assert ticket.id == str(fx.TICKET_ID)
    assert route.call_count == 2
    assert len(waits) == 1


def test_a_503_with_retry_after_waits_exactly_that_long(
    zendesk_api: respx.MockRouter, waits: Waits,
) -> None:
    serve_audits(zendesk_api, fx.THREAD, size=100, first=[
        httpx.Response(503, headers={"Retry-After": "2"}, text="Service Unavailable")])
    connector(waits).get_ticket(str(fx.TICKET_ID))
    assert waits == [2.0]


def test_a_5xx_every_time_ends_in_a_transient_error(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any, waits: Waits,
) -> None:
    route = zendesk_api.put(f"/tickets/{fx.TICKET_ID}.json").respond(500, text="oops")
    with pytest.raises(TransientError) as raised:
        connector(waits).apply(zendesk_ticket, (InternalNote(body="note"),))
    assert not isinstance(raised.value, RateLimited)
    assert raised.value.status == 500
    assert route.call_count == ZendeskConnector.max_attempts
    assert len(waits) == ZendeskConnector.max_attempts - 1


def test_network_failures_are_transient_and_never_leak_httpx(
    zendesk_api: respx.MockRouter, waits: Waits,
) -> None:
    route = zendesk_api.get(f"/tickets/{fx.TICKET_ID}/audits.json").mock(
        side_effect=httpx.ConnectTimeout("connect timed out"))
    with pytest.raises(TransientError) as raised:
        connector(waits).get_ticket(str(fx.TICKET_ID))
    assert isinstance(raised.value.__cause__, httpx.ConnectTimeout)
    assert route.call_count == ZendeskConnector.max_attempts


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_client_errors_are_permanent_after_exactly_one_request(
    zendesk_api: respx.MockRouter, zendesk_ticket: Any, waits: Waits, status: int,
) -> None:
    route = zendesk_api.put(f"/tickets/{fx.TICKET_ID}.json").respond(status, json={
        "error": "RecordInvalid", "description": "Record validation errors",
        "details": {"status": [{"description": "Status closed prevents zendesk_ticket update"}]}})
    with pytest.raises(PermanentError) as raised:
        connector(waits).apply(zendesk_ticket, (SetStatus(status=Status.SOLVED),))
    assert raised.value.status == status
    assert route.call_count == 1
    assert waits == []


def test_make_client_needs_an_api_token() -> None:
    with pytest.raises(ConfigError, match="HANDOFF_ZENDESK_API_TOKEN"):
        ZendeskConnector.make_client(settings(api_token=None))


def test_make_client_points_at_the_configured_base_url() -> None:
    client = ZendeskConnector.make_client(settings(subdomain=None,
                                                   base_url="http://127.0.0.1:9/zendesk/api/v2/"))
    assert str(client.base_url) == "http://127.0.0.1:9/zendesk/api/v2/"
    assert client.timeout.read == 10.0
