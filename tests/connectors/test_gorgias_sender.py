"""Gorgias email replies leave from an email integration's address, never the API login.

respx at the transport with the reference's shapes (section 3: message ``source``,
``integration_id``; the integration object's ``id``, ``type``, ``name``, ``meta``),
then the same through the sandbox helpdesk over real HTTP.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx

from connectors.gorgias.sender import as_draft
from core.models import AddTags, PublicReply, Requester, SetStatus, Status, Ticket
from tests.connectors import fixtures_gorgias as fx
from tests.connectors.support import GG_EMAIL, Stack
from tests.connectors.support import GORGIAS_TICKET_URL as TICKET_URL
from tests.connectors.support import gorgias_connector as connector

INTEGRATIONS = f"{fx.BASE}/integrations"
SUPPORT = {"address": "support@acme.test", "name": "Acme Support"}
DANA = {"address": "dana@example.com", "name": "Dana Customer"}
HTTP_INTEGRATION = {"id": 11, "type": "http", "name": "Handoff",
                    "http": {"url": "https://handoff.example/webhooks/gorgias"}}


def email_integration(integration_id: int, address: str, name: str) -> dict[str, Any]:
    return {"id": integration_id, "type": "email", "name": name, "meta": {"address": address},
            "deactivated_datetime": None, "uri": f"/api/integrations/{integration_id}/"}


def agent_started(**message_changes: Any) -> dict[str, Any]:
    """A ticket an agent opened by email: one outgoing message, no customer message."""
    opening = fx.message(3001, fx.AGENT_ID, "Your order was delayed", from_agent=True,
                         via="helpdesk")
    opening.update(message_changes)
    return fx.ticket_response(messages=[opening], from_agent=True)


def ai_only() -> dict[str, Any]:
    """A ticket whose one message was posted through the API: no address to trust."""
    return fx.ticket_response(messages=[
        fx.message(3001, fx.AI_USER_ID, "We opened this for you", from_agent=True, via="api")])


def listed(*items: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(items), "object": "list", "meta": {"next_cursor": None}}


def reply_sent(api: respx.MockRouter, ticket: dict[str, Any],
               batch: tuple[Any, ...] = (PublicReply(body="Hello"),)) -> dict[str, Any]:
    api.get(TICKET_URL).respond(json=ticket)
    messages = api.post(f"{TICKET_URL}/messages").respond(201, json={})
    gorgias = connector()
    gorgias.apply(gorgias.get_ticket(str(fx.TICKET_ID)), batch)
    body: dict[str, Any] = json.loads(messages.calls.last.request.content)
    return body


def test_an_agent_started_ticket_replies_from_the_address_the_agent_wrote_from(
    api: respx.MockRouter,
) -> None:
    integrations = api.get(INTEGRATIONS).respond(json=listed())
    body = reply_sent(api, agent_started())
    assert body["source"] == {"type": "email", "from": SUPPORT, "to": [DANA]}
    assert body["channel"] == "email"
    assert integrations.call_count == 0


def test_without_an_address_on_the_ticket_the_only_email_integration_sends(
    api: respx.MockRouter,
) -> None:
    integrations = api.get(INTEGRATIONS).respond(json=listed(
        HTTP_INTEGRATION, email_integration(12, "help@acme.test", "Acme Help")))
    api.get(TICKET_URL).respond(json=ai_only())
    messages = api.post(f"{TICKET_URL}/messages").respond(201, json={})
    gorgias = connector()
    ticket = gorgias.get_ticket(str(fx.TICKET_ID))

    gorgias.apply(ticket, (PublicReply(body="Hello"),))
    gorgias.apply(ticket, (PublicReply(body="Hello again"),))

    sent = [json.loads(c.request.content) for c in messages.calls]
    assert [b["source"]["from"] for b in sent] == [
        {"address": "help@acme.test", "name": "Acme Help"}] * 2
    assert integrations.call_count == 1  # kept for the next replies


def test_the_integration_a_message_names_is_chosen_among_several(
    api: respx.MockRouter,
) -> None:
    api.get(INTEGRATIONS).respond(json=listed(
        email_integration(12, "help@acme.test", "Acme Help"),
        email_integration(13, "billing@acme.test", "billing@acme.test")))
    ticket = ai_only()
    ticket["messages"][0]["integration_id"] = 13
    body = reply_sent(api, ticket)
    assert body["source"]["from"] == {"address": "billing@acme.test", "name": ""}


def assert_draft(body: dict[str, Any], why: str) -> None:
    assert body["channel"] == "internal-note"
    assert "source" not in body
    assert "receiver" not in body
    assert "Handoff did not send this reply" in body["body_text"]
    assert why in body["body_text"]
    assert body["body_text"].endswith("Hello")
    assert fx.EMAIL not in json.dumps(body)


def test_with_no_email_integration_the_reply_becomes_a_draft_saying_why(
    api: respx.MockRouter,
) -> None:
    api.get(INTEGRATIONS).respond(json=listed(HTTP_INTEGRATION))
    put = api.put(TICKET_URL).respond(json={})
    tags = api.post(f"{TICKET_URL}/tags").respond(201, json=[])
    batch = (PublicReply(body="Hello"), AddTags(tags=("handoff_auto_resolved",)),
             SetStatus(status=Status.SOLVED))

    body = reply_sent(api, ai_only(), batch)

    assert_draft(body, "no active email integration")
    assert put.call_count == 0  # nobody was answered: the ticket is not closed
    # Not marked as resolved by the AI: marked as a write a person must finish.
    assert json.loads(tags.calls.last.request.content) == {"names": ["handoff_write_rejected"]}


def test_several_integrations_and_no_hint_give_a_draft(api: respx.MockRouter) -> None:
    api.get(INTEGRATIONS).respond(json=listed(
        email_integration(12, "help@acme.test", "Acme Help"),
        email_integration(13, "billing@acme.test", "Billing")))
    assert_draft(reply_sent(api, ai_only()), "several email integrations (help@acme.test, "
                                             "billing@acme.test)")


def test_integrations_the_api_user_may_not_list_give_a_draft(api: respx.MockRouter) -> None:
    api.get(INTEGRATIONS).respond(403, json={"error": {"msg": "Forbidden"}})
    assert_draft(reply_sent(api, ai_only()), "no active email integration")


def test_a_reply_without_a_read_ticket_asks_the_integrations(api: respx.MockRouter) -> None:
    api.get(INTEGRATIONS).respond(json=listed(
        email_integration(12, "help@acme.test", "help@acme.test")))
    messages = api.post(f"{TICKET_URL}/messages").respond(201, json={})
    ticket = Ticket(id="5678", platform="gorgias", subject="Hi", channel="email",
                    requester=Requester(id="501", email="dana@example.com", name="Dana"))
    connector().apply(ticket, (PublicReply(body="Hello"),))
    body = json.loads(messages.calls.last.request.content)
    assert body["source"] == {"type": "email", "from": {"address": "help@acme.test", "name": ""},
                              "to": [{"address": "dana@example.com", "name": "Dana"}]}
    assert "sent_datetime" not in body


# -- through the sandbox --------------------------------------------------------------------

def sent_from(stack: Stack, ticket_id: str) -> list[tuple[str, Any]]:
    answer = stack.http.get(f"/gorgias/api/tickets/{ticket_id}", auth=(GG_EMAIL, "gg-sandbox-key"))
    assert answer.status_code == 200, answer.text
    return [(m["channel"], m["source"]["from"]["address"]) for m in answer.json()["messages"]
            if m["via"] == "api"]


def agent_opened(stack: Stack) -> str:
    return stack.create("gorgias", messages=[
        {"author": "agent", "body": "Your order was delayed; reply here with questions."}])


def test_sandbox_an_agent_started_ticket_replies_from_the_support_address(stack: Stack) -> None:
    ticket_id = agent_opened(stack)
    gorgias = stack.connector("gorgias")
    gorgias.apply(gorgias.get_ticket(ticket_id), (PublicReply(body="It ships today."),))
    assert sent_from(stack, ticket_id) == [("email", "support@sandbox.invalid")]


def test_sandbox_without_an_email_integration_the_reply_is_a_draft(stack: Stack) -> None:
    ticket_id = stack.create("gorgias", messages=[
        {"author": "ai", "body": "We opened this ticket for you."}])
    integrations = stack.http.get("/gorgias/api/integrations", auth=(GG_EMAIL, "gg-sandbox-key"))
    for integration in integrations.json()["data"]:
        gone = stack.http.delete(f"/gorgias/api/integrations/{integration['id']}",
                                 auth=(GG_EMAIL, "gg-sandbox-key"))
        assert gone.status_code == 204
    gorgias = stack.connector("gorgias")

    gorgias.apply(gorgias.get_ticket(ticket_id), (PublicReply(body="It ships today."),
                                                  SetStatus(status=Status.SOLVED)))

    neutral = stack.neutral("gorgias", ticket_id)
    last = neutral["comments"][-1]
    assert (last["author"], last["public"]) == ("ai", False)
    assert "no active email integration" in last["body"]
    assert last["body"].endswith("It ships today.")
    assert neutral["status"] != "solved"
    assert GG_EMAIL not in json.dumps(neutral)


def test_sandbox_lists_its_email_integration_in_the_reference_shape(stack: Stack) -> None:
    answer = httpx.get(f"{stack.url}/gorgias/api/integrations", params={"type": "email"},
                       auth=(GG_EMAIL, "gg-sandbox-key"))
    (integration,) = answer.json()["data"]
    assert integration["type"] == "email"
    assert integration["meta"] == {"address": "support@sandbox.invalid"}
    assert isinstance(integration["id"], int)


def test_a_rerun_after_the_draft_landed_does_not_post_it_again(api: respx.MockRouter) -> None:
    api.get(INTEGRATIONS).respond(json=listed(HTTP_INTEGRATION))
    (draft,) = as_draft((PublicReply(body="Hello"),), "Gorgias lists no active email "
                        "integration to send it from")
    landed = fx.message(3009, fx.AI_USER_ID, draft.body, from_agent=True,
                        channel="internal-note", via="api")
    ticket = ai_only()
    ticket["messages"].append(landed)
    api.get(TICKET_URL).respond(json=ticket)
    messages = api.post(f"{TICKET_URL}/messages").respond(201, json={})
    gorgias = connector()
    gorgias.apply(gorgias.get_ticket(str(fx.TICKET_ID)), (PublicReply(body="Hello"),))
    assert messages.call_count == 0
