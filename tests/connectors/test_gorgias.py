"""Gorgias specifics beyond the contract suite: roles, statuses, replies, knowledge, install."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import respx

from core.errors import PermanentError
from core.models import (
    Action,
    EventKind,
    Priority,
    PublicReply,
    Requester,
    Role,
    SetPriority,
    Status,
    Ticket,
)
from tests.connectors import fixtures_gorgias as fx
from tests.connectors.support import GORGIAS_TICKET_URL as TICKET_URL
from tests.connectors.support import gorgias_connector as connector


def test_parse_event_prefers_the_message_id_and_logs_the_form(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="connectors.gorgias.connector"):
        flat = connector().parse_event({}, fx.FLAT_BODY)
        context = connector().parse_event({}, fx.CONTEXT_BODY)
    assert (flat.event_id, context.event_id) == ("message:3007", "message:3008")
    assert (flat.unique_id, context.unique_id) == (True, True)
    assert "flat form" in caplog.text
    assert "context form" in caplog.text
    created = connector().parse_event({}, {"ticket_id": "5678", "event": "ticket_created"})
    assert created.kind is EventKind.TICKET_CREATED
    assert created.event_id.startswith("sha256:")
    assert created.unique_id is False


def test_get_ticket_maps_fields_and_roles_from_the_embedded_thread(
    api: respx.MockRouter,
) -> None:
    route = api.get(TICKET_URL).respond(json=fx.ticket_response())
    listed = api.get(f"{fx.BASE}/messages").respond(json={"data": [], "meta": {}})

    ticket = connector().get_ticket(str(fx.TICKET_ID))

    assert route.call_count == 1
    assert listed.call_count == 0  # five embedded messages cannot have been cut
    assert (ticket.status, ticket.priority, ticket.channel) == (
        Status.OPEN, Priority.HIGH, "email")
    assert (ticket.group, ticket.assignee) == ("360010", "601")
    assert (ticket.requester.id, ticket.requester.name) == ("501", "Dana Customer")
    assert ticket.url == f"https://acme.gorgias.com/app/ticket/{fx.TICKET_ID}"
    assert [(m.author, m.public) for m in ticket.messages] == [
        (Role.CUSTOMER, True), (Role.AGENT, False), (Role.AI, True), (Role.SYSTEM, False),
        (Role.CUSTOMER, True),
    ]


@pytest.mark.parametrize(("changes", "status"), [
    ({"status": "closed"}, Status.SOLVED),
    ({"spam": True}, Status.CLOSED),
    ({"trashed_datetime": "2024-05-02T09:00:00+00:00"}, Status.CLOSED),
    ({"status": "closed", "snooze_datetime": "2024-05-09T09:00:00+00:00"}, Status.PENDING),
    ({"snooze_datetime": "2024-05-01T09:00:00+00:00"}, Status.OPEN),
])
def test_statuses(api: respx.MockRouter, changes: dict[str, Any], status: Status) -> None:
    api.get(TICKET_URL).respond(json=fx.ticket_response(**changes))
    assert connector().get_ticket(str(fx.TICKET_ID)).status is status


def test_missing_embedded_messages_are_listed(api: respx.MockRouter) -> None:
    data = fx.ticket_response()
    del data["messages"]
    api.get(TICKET_URL).respond(json=data)
    listed = api.get(f"{fx.BASE}/messages").respond(
        json={"data": fx.THREAD, "meta": {"next_cursor": None}})
    ticket = connector().get_ticket(str(fx.TICKET_ID))
    assert dict(listed.calls.last.request.url.params) == {"ticket_id": "5678", "limit": "100"}
    assert len(ticket.messages) == 5


def test_the_current_user_is_asked_once_without_an_ai_user(api: respx.MockRouter) -> None:
    api.get(TICKET_URL).respond(json=fx.ticket_response())
    me = api.get(f"{fx.BASE}/users/0").respond(json={"id": fx.AI_USER_ID, "email": fx.EMAIL})
    gorgias = connector(ai_user_id=None)
    gorgias.get_ticket(str(fx.TICKET_ID))
    assert gorgias.get_ticket(str(fx.TICKET_ID)).messages[2].author is Role.AI
    assert me.call_count == 1


# Which address an email reply leaves from: tests/connectors/test_gorgias_sender.py.


def test_a_chat_reply_has_no_email_source(api: respx.MockRouter) -> None:
    messages = api.post(f"{TICKET_URL}/messages").respond(201, json={})
    ticket = Ticket(id="5678", platform="gorgias", channel="chat", requester=Requester(id="501"))
    actions: tuple[Action, ...] = (PublicReply(body="Hi"), SetPriority(priority=Priority.LOW))
    put = api.put(TICKET_URL).respond(json={})
    connector().apply(ticket, actions)
    body = json.loads(messages.calls.last.request.content)
    assert (body["channel"], body["receiver"], "source" in body) == ("chat", {"id": 501}, False)
    assert json.loads(put.calls.last.request.content) == {"priority": "low"}


def test_list_knowledge_reads_macro_reply_texts_over_cursor_pages(api: respx.MockRouter) -> None:
    pages = fx.cursor_pages(fx.MACROS, 1)
    route = api.get(f"{fx.BASE}/macros").mock(side_effect=lambda request: httpx.Response(
        200, json=pages[request.url.params.get("cursor")]))
    docs = connector().list_knowledge()
    assert route.call_count == 2
    assert [(d.id, d.title, d.category, d.body) for d in docs] == [
        ("gorgias-macro-71", "Where is my order", "shipping/status",
         "Hi {{requester.first_name}}, it ships today."),
    ]
    assert docs[0].locale == "en"


def test_install_posts_the_integration_with_our_secret_and_triggers(
    api: respx.MockRouter,
) -> None:
    api.get(f"{fx.BASE}/integrations").respond(
        json={"data": [fx.OTHER_INTEGRATION], "meta": {"next_cursor": None}})
    create = api.post(f"{fx.BASE}/integrations").respond(201, json={"id": 99})
    api.post("https://handoff.example/webhooks/gorgias").respond(400, json={"error": "ticket_id"})

    report = connector().install("https://handoff.example")

    assert report.created == ("HTTP integration 'Handoff'",)
    assert dict(api.calls[0].request.url.params) == {"type": "http", "limit": "100"}
    body = json.loads(create.calls.last.request.content)
    assert body == {"name": "Handoff", "type": "http", "http": {
        "url": "https://handoff.example/webhooks/gorgias", "method": "POST",
        "request_content_type": "application/json",
        "response_content_type": "application/json",
        "headers": {fx.SECRET_HEADER: fx.WEBHOOK_SECRET},
        "form": {"ticket_id": "{{ticket.id}}", "message_id": "{{ticket.messages[-1].id}}"},
        "triggers": {"ticket-created": True, "ticket-message-created": True}}}


def test_install_moves_our_integration_to_a_new_url(api: respx.MockRouter) -> None:
    api.get(f"{fx.BASE}/integrations").respond(
        json={"data": [fx.INTEGRATION], "meta": {"next_cursor": None}})
    update = api.put(f"{fx.BASE}/integrations/81").respond(json=fx.INTEGRATION)
    api.post("https://new.example/webhooks/gorgias").respond(400, json={"error": "ticket_id"})
    report = connector().install("https://new.example")
    assert report.created == ()
    assert "URL updated" in report.existing[0]
    assert json.loads(update.calls.last.request.content)["http"]["url"] == (
        "https://new.example/webhooks/gorgias")


def test_install_without_rights_is_permanent(api: respx.MockRouter) -> None:
    api.get(f"{fx.BASE}/integrations").respond(403, json={"error": {"msg": "Forbidden"}})
    with pytest.raises(PermanentError):
        connector().install("https://handoff.example")


def test_install_without_a_secret_makes_one_and_hands_it_over(api: respx.MockRouter) -> None:
    api.get(f"{fx.BASE}/integrations").respond(
        json={"data": [fx.INTEGRATION], "meta": {"next_cursor": None}})
    update = api.put(f"{fx.BASE}/integrations/81").respond(json=fx.INTEGRATION)
    api.post("https://handoff.example/webhooks/gorgias").respond(400, json={"error": "ticket_id"})

    report = connector(webhook_secret=None).install("https://handoff.example")

    secret = report.secrets["HANDOFF_GORGIAS_WEBHOOK_SECRET"]
    assert len(secret) >= 32
    sent = json.loads(update.calls.last.request.content)
    assert sent["http"]["headers"] == {fx.SECRET_HEADER: secret}
    assert secret not in repr(report)
