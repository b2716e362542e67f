"""The sandbox's Freshdesk and Gorgias APIs over real HTTP, driven by the real connectors."""

from __future__ import annotations

import json

import pytest

from connectors.sandbox import create_app
from core.errors import PermanentError
from core.models import (
    AddTags,
    Assign,
    InternalNote,
    Priority,
    PublicReply,
    RemoveTags,
    Role,
    SetPriority,
    SetStatus,
    Status,
)
from tests.connectors.support import FD_TOKEN, GG_EMAIL, GG_TOKEN, Stack, sample, wait_until

PLATFORMS = ["freshdesk", "gorgias"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_new_ticket_sends_a_webhook_the_connector_accepts(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform)
    headers, body = wait_until(stack.receiver.received)[0]
    connector = stack.connector(platform)
    connector.verify(headers, body)
    event = connector.parse_event(headers, json.loads(body))
    assert (event.platform, event.ticket_id) == (platform, ticket_id)
    if platform == "freshdesk":
        assert "freshdesk_webhook" in json.loads(body)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_connector_reads_and_writes_a_sandbox_ticket(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform)
    connector = stack.connector(platform)

    ticket = connector.get_ticket(ticket_id)
    assert [(m.author, m.public) for m in ticket.messages] == [
        (Role.CUSTOMER, True), (Role.AGENT, False)]
    assert ticket.messages[0].text == "I was charged twice.\nPlease refund one."
    assert (ticket.requester.email, ticket.tags) == ("dana@example.com", ("billing",))

    connector.apply(ticket, (InternalNote(body="<b>escalated</b> — ok"),
                             AddTags(tags=("handoff_escalated",)),
                             Assign(group="360001"), SetPriority(priority=Priority.HIGH),
                             SetStatus(status=Status.OPEN)))
    connector.apply(connector.get_ticket(ticket_id), (PublicReply(body="A human will help."),))

    neutral = stack.neutral(platform, ticket_id)
    assert (neutral["status"], neutral["group"], neutral["priority"]) == ("open", "360001", "high")
    assert neutral["tags"] == ["billing", "handoff_escalated"]
    ai = [(c["public"], c["body"]) for c in neutral["comments"] if c["author"] == "ai"]
    assert ai == [(False, "<b>escalated</b> — ok"), (True, "A human will help.")]
    again = connector.get_ticket(ticket_id)
    assert [m.author for m in again.messages[-2:]] == [Role.AI, Role.AI]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tags_are_added_then_removed(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform)
    connector = stack.connector(platform)
    connector.apply(connector.get_ticket(ticket_id),
                    (AddTags(tags=("handoff_next_level", "handoff_escalated")),))
    connector.apply(connector.get_ticket(ticket_id), (RemoveTags(tags=("handoff_next_level",)),))
    assert stack.neutral(platform, ticket_id)["tags"] == ["billing", "handoff_escalated"]
    assert connector.get_ticket(ticket_id).tags == ("billing", "handoff_escalated")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_solving_shows_as_solved_in_the_neutral_listing(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform)
    connector = stack.connector(platform)
    connector.apply(connector.get_ticket(ticket_id), (
        PublicReply(body="Done"), AddTags(tags=("handoff_auto_resolved",)),
        SetStatus(status=Status.SOLVED)))
    listed = stack.http.get("/sandbox/tickets", params={"platform": platform}).json()
    assert [(t["status"], t["tags"][-1]) for t in listed] == [("solved", "handoff_auto_resolved")]
    assert connector.get_ticket(ticket_id).status is Status.SOLVED


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_long_thread_is_read_over_pages(stack: Stack, platform: str) -> None:
    messages = [{"author": "customer" if i % 2 else "agent", "body": f"message {i}"}
                for i in range(130)]
    ticket_id = stack.create(platform, messages=messages)
    ticket = stack.connector(platform).get_ticket(ticket_id)
    assert [m.text for m in ticket.messages] == [f"message {i}" for i in range(130)]
    routes = stack.http.get("/sandbox/stats").json()[platform]["routes"]
    listed = routes.get("GET /tickets/<ticket_id>/conversations", routes.get("GET /messages"))
    assert listed == 2


@pytest.mark.parametrize(("count", "lists"), [(10, 0), (11, 1)])
def test_freshdesk_reads_a_short_thread_with_the_ticket(
    stack: Stack, count: int, lists: int,
) -> None:
    # The description and 9 conversations fit the embed of ten; 10 fill it, so the list
    # endpoint is read in case more follow.
    messages = [{"author": "customer", "body": f"message {i}"} for i in range(count)]
    ticket_id = stack.create("freshdesk", messages=messages)
    ticket = stack.connector("freshdesk").get_ticket(ticket_id)
    assert [m.text for m in ticket.messages] == [f"message {i}" for i in range(count)]
    routes = stack.http.get("/sandbox/stats").json()["freshdesk"]["routes"]
    assert routes["GET /tickets/<ticket_id>"] == 1
    assert routes.get("GET /tickets/<ticket_id>/conversations", 0) == lists


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_429_fault_is_waited_out(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform)
    stack.http.post("/sandbox/faults", json={"method": "GET", "path": f"/tickets/{ticket_id}$",
                                             "status": 429, "retry_after": 2, "times": 1})
    assert stack.connector(platform).get_ticket(ticket_id).id == ticket_id
    assert stack.waits == [2.0]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_wrong_credentials_and_closed_tickets_are_permanent(stack: Stack, platform: str) -> None:
    ticket_id = stack.create(platform, status="closed")
    with pytest.raises(PermanentError) as raised:
        stack.connector(platform, token="wrong").get_ticket(ticket_id)
    assert raised.value.status == 401
    connector = stack.connector(platform)
    with pytest.raises(PermanentError) as closed:
        connector.apply(connector.get_ticket(ticket_id), (InternalNote(body="x"),))
    assert closed.value.status == 422


def test_gorgias_install_creates_the_integration_once(stack: Stack) -> None:
    connector = stack.connector("gorgias")
    first = connector.install("http://127.0.0.1:9")
    second = connector.install("http://127.0.0.1:9")
    assert first.created == ("HTTP integration 'Handoff'",)
    assert (second.created, second.existing) == ((), ("HTTP integration 'Handoff'",))
    stats = stack.http.get("/sandbox/stats").json()["gorgias"]["routes"]
    assert stats["POST /integrations"] == 1


def test_freshdesk_install_lists_rules_and_prints_instructions(stack: Stack) -> None:
    report = stack.connector("freshdesk").install("http://127.0.0.1:9")
    assert report.created == ()
    assert "Handoff: new ticket" in report.instructions


def test_platforms_without_credentials_are_not_played() -> None:
    app = create_app(webhook_url=None, zendesk_email="z@x.test", zendesk_api_token="z",
                     zendesk_signing_secret="z")
    client = app.test_client()
    assert client.get("/sandbox/healthz").json["platforms"] == ["zendesk"]
    answer = client.post("/sandbox/tickets", json=sample(platform="gorgias"))
    assert answer.status_code == 400
    assert client.get("/gorgias/api/tickets/1").status_code == 401
    with pytest.raises(ValueError, match="every Gorgias credential"):
        create_app(webhook_url=None, zendesk_email="z@x.test", zendesk_api_token="z",
                   zendesk_signing_secret="z", gorgias_email="a@b.test")


def test_gorgias_faults_spell_retry_after_its_own_way(stack: Stack) -> None:
    stack.http.post("/sandbox/faults", json={"path": "/gorgias/api/macros", "status": 429,
                                             "retry_after": 3})
    answer = stack.http.get("/gorgias/api/macros", auth=(GG_EMAIL, GG_TOKEN))
    assert answer.status_code == 429
    assert (b"Retry-after", b"3") in answer.headers.raw


@pytest.mark.parametrize("platform", ["zendesk", *PLATFORMS])
def test_customer_markup_is_stored_escaped_like_the_helpdesks_do(
    stack: Stack, platform: str,
) -> None:
    """A customer message created as text shows in the platform's HTML field escaped, as
    the real helpdesks store it; tests that read notes back rely on that."""
    text = 'Refund <script>alert("x")</script> & <b>@admin</b>'
    escaped = ("Refund &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
               "&lt;b&gt;@admin&lt;/b&gt;")
    messages = [{"author": "customer", "body": text, "public": True}]
    ticket_id = stack.create(platform, messages=messages)
    if platform == "zendesk":
        answer = stack.http.get(f"/zendesk/api/v2/tickets/{ticket_id}/comments",
                                auth=("z@sandbox.test/token", "z"))
        html = answer.json()["comments"][0]["html_body"]
    elif platform == "freshdesk":
        html = stack.http.get(f"/freshdesk/api/v2/tickets/{ticket_id}",
                              auth=(FD_TOKEN, "X")).json()["description"]
    else:
        answer = stack.http.get("/gorgias/api/messages", params={"ticket_id": ticket_id},
                                auth=(GG_EMAIL, GG_TOKEN))
        html = answer.json()["data"][0]["body_html"]
    assert html == f"<p>{escaped}</p>"
