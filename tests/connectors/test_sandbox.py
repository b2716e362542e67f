"""The sandbox helpdesk over real HTTP, driven by the real ZendeskConnector."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connectors.sandbox import BackgroundServer, create_app
from connectors.sandbox.state import Store
from connectors.zendesk.connector import ZendeskConnector
from core.errors import PermanentError
from core.models import (
    AddTags,
    Assign,
    EventKind,
    InternalNote,
    PublicReply,
    Role,
    SetStatus,
    Status,
)
from core.settings import ZendeskSettings
from tests.connectors.support import Receiver, Waits, sample, wait_until

EMAIL = "handoff@sandbox.test"
TOKEN = "sandbox-token"
AUTH = (f"{EMAIL}/token", TOKEN)
SECRET = "sandbox-signing-secret"


@dataclass
class Sandbox:
    url: str
    http: httpx.Client
    receiver: Receiver
    waits: Waits

    def connector(self, token: str = TOKEN) -> ZendeskConnector:
        settings = ZendeskSettings(base_url=f"{self.url}/zendesk/api/v2", email=EMAIL,
                                   api_token=token, signing_secret=SECRET)
        return ZendeskConnector(settings=settings, client=ZendeskConnector.make_client(settings),
                                sleep=self.waits)

    def create(self, **changes: Any) -> str:
        answer = self.http.post("/sandbox/tickets", json=sample(**changes))
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["platform"] == "zendesk"
        return str(body["ticket_id"])

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        found = [t for t in self.http.get("/sandbox/tickets").json()
                 if t["ticket_id"] == ticket_id]
        assert len(found) == 1
        return dict(found[0])

    def calls(self, route: str) -> int:
        stats = self.http.get("/sandbox/stats").json()
        return int(stats.get("zendesk", {}).get("routes", {}).get(route, 0))


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def sandbox(receiver: Receiver) -> Iterator[Sandbox]:
    with BackgroundServer(receiver.app()) as hook_server:
        app = create_app(webhook_url=hook_server.url, zendesk_email=EMAIL,
                         zendesk_api_token=TOKEN, zendesk_signing_secret=SECRET)
        with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as http:
            yield Sandbox(server.url, http, receiver, Waits())


def test_the_connector_reads_and_writes_a_sandbox_ticket(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()

    ticket = zendesk.get_ticket(ticket_id)

    assert (ticket.subject, ticket.channel, ticket.status) == (
        "Refund for order 1042", "email", Status.NEW)
    assert ticket.requester.email == "dana@example.com"
    assert ticket.requester.vip is True
    assert [(m.author, m.public, m.text) for m in ticket.messages] == [
        (Role.CUSTOMER, True, "I was charged twice.\nPlease refund one."),
        (Role.AGENT, False, "Looking into it"),
    ]
    assert ticket.sla_due_at is not None

    zendesk.apply(ticket, (InternalNote(body="Refund request <b>twice</b>"),
                           AddTags(tags=("handoff_escalated", "billing")),
                           SetStatus(status=Status.PENDING), Assign(group="42")))

    seen = sandbox.ticket(ticket_id)
    assert seen["status"] == "pending"
    assert seen["group"] == "42"
    assert seen["tags"] == ["billing", "handoff_escalated"]
    assert seen["external_id"] == "sample-1"
    assert seen["comments"][-1] == {"id": seen["comments"][-1]["id"], "author": "ai",
                                    "public": False, "body": "Refund request <b>twice</b>"}
    again = zendesk.get_ticket(ticket_id)
    assert again.updated_at is not None
    assert ticket.updated_at is not None
    assert again.updated_at > ticket.updated_at
    assert again.messages[-1].author is Role.AI
    assert again.messages[-1].html == "<p>Refund request &lt;b&gt;twice&lt;/b&gt;</p>"


def test_a_stale_tag_write_meets_409_then_rereads_and_lands_once(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()
    stale = zendesk.get_ticket(ticket_id)
    zendesk.apply(stale, (PublicReply(body="We are on it"),))
    sandbox.http.delete("/sandbox/stats")

    zendesk.apply(stale, (InternalNote(body="Tagged late"), AddTags(tags=("late",))))

    seen = sandbox.ticket(ticket_id)
    assert "late" in seen["tags"]
    assert [c["body"] for c in seen["comments"]].count("Tagged late") == 1
    # The stale PUT is refused with 409, the ticket re-read, the second PUT lands.
    assert sandbox.calls("PUT /tickets/<ticket_id>") == 2


def test_an_injected_500_is_retried_and_the_write_lands_once(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()
    ticket = zendesk.get_ticket(ticket_id)
    fault = sandbox.http.post("/sandbox/faults", json={
        "method": "PUT", "path": r"/tickets/\d+(\.json)?$", "status": 500, "times": 1,
        "retry_after": None, "latency_ms": 0})
    assert fault.status_code == 201

    zendesk.apply(ticket, (PublicReply(body="Refunded."), SetStatus(status=Status.SOLVED)))

    assert sandbox.calls("PUT /tickets/<ticket_id>") == 2
    assert len(sandbox.waits) == 1
    assert sandbox.http.get("/sandbox/faults").json() == []
    seen = sandbox.ticket(ticket_id)
    assert [c["body"] for c in seen["comments"] if c["author"] == "ai"] == ["Refunded."]
    assert seen["status"] == "solved"


def test_an_injected_429_is_waited_out_for_retry_after(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()
    sandbox.http.post("/sandbox/faults", json={"method": "GET", "path": "/audits",
                                               "status": 429, "retry_after": 2})
    ticket = zendesk.get_ticket(ticket_id)
    assert len(ticket.messages) == 2
    assert sandbox.waits == [2.0]
    assert sandbox.calls("GET /tickets/<ticket_id>/audits") == 2


def test_the_created_ticket_webhook_verifies_and_parses(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    [(headers, body)] = wait_until(sandbox.receiver.received)
    zendesk = sandbox.connector()

    zendesk.verify(headers, body)
    event = zendesk.parse_event(headers, httpx.Response(200, content=body).json())

    assert (event.ticket_id, event.kind) == (ticket_id, EventKind.TICKET_CREATED)
    assert event.event_id == headers["X-Zendesk-Webhook-Invocation-Id"]
    assert {"X-Zendesk-Webhook-Id", "X-Zendesk-Account-Id"} <= set(headers)
    latest = sandbox.ticket(ticket_id)["comments"][-1]["id"]
    assert httpx.Response(200, content=body).json()["comment_id"] == latest
    delivery = wait_until(lambda: [d for d in sandbox.http.get("/sandbox/deliveries").json()
                                   if d["state"] == "delivered"])[0]
    assert (delivery["ticket_id"], delivery["status"], delivery["attempts"]) == (
        ticket_id, 202, 1)
    assert delivery["response"]["job_id"] == "job-1"


def test_a_webhook_answered_with_503_is_delivered_again(sandbox: Sandbox) -> None:
    sandbox.receiver.statuses.append(503)
    sandbox.create()
    first, second = wait_until(lambda: len(sandbox.receiver.received()) >= 2
                               and sandbox.receiver.received())
    assert first[1] == second[1]
    name = "X-Zendesk-Webhook-Invocation-Id"
    assert first[0][name] == second[0][name]
    delivery = wait_until(lambda: [d for d in sandbox.http.get("/sandbox/deliveries").json()
                                   if d["state"] == "delivered"])[0]
    assert (delivery["status"], delivery["attempts"]) == (202, 2)


def test_a_customer_reply_reopens_the_ticket_and_sends_comment_added(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()
    zendesk.apply(zendesk.get_ticket(ticket_id), (SetStatus(status=Status.PENDING),))

    answer = sandbox.http.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                               json={"body": "Still waiting"})

    assert answer.status_code == 201
    received = wait_until(lambda: len(sandbox.receiver.received()) >= 2
                          and sandbox.receiver.received())
    headers, body = received[-1]
    zendesk.verify(headers, body)
    payload = httpx.Response(200, content=body).json()
    assert zendesk.parse_event(headers, payload).kind is EventKind.MESSAGE_CREATED
    assert payload["comment_id"] == answer.json()["comment_id"]
    ticket = zendesk.get_ticket(ticket_id)
    assert ticket.status is Status.OPEN
    assert (ticket.messages[-1].author, ticket.messages[-1].text) == (
        Role.CUSTOMER, "Still waiting")


def test_a_wrong_token_gets_a_zendesk_401_once(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    raw = sandbox.http.get(f"/zendesk/api/v2/tickets/{ticket_id}.json",
                           auth=(f"{EMAIL}/token", "wrong"))
    assert (raw.status_code, raw.json()) == (401, {"error": "Couldn't authenticate you"})
    with pytest.raises(PermanentError) as raised:
        sandbox.connector(token="wrong").get_ticket(ticket_id)
    assert raised.value.status == 401
    assert sandbox.calls("GET /tickets/<ticket_id>") == 1
    assert sandbox.calls("GET /tickets/<ticket_id>/audits") == 1


def test_a_closed_ticket_refuses_updates_with_zendesks_422(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create(status="closed")
    zendesk = sandbox.connector()
    ticket = zendesk.get_ticket(ticket_id)
    with pytest.raises(PermanentError) as raised:
        zendesk.apply(ticket, (InternalNote(body="too late"),))
    assert raised.value.status == 422
    raw = sandbox.http.put(f"/zendesk/api/v2/tickets/{ticket_id}.json", auth=AUTH,
                           json={"ticket": {"status": "open"}})
    assert raw.json() == {"error": "RecordInvalid", "description": "Record validation errors",
                          "details": {"status": [
                              {"description": "Status closed prevents ticket update"}]}}


def test_an_invalid_update_changes_nothing(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    before = sandbox.ticket(ticket_id)
    raw = sandbox.http.put(f"/zendesk/api/v2/tickets/{ticket_id}", auth=AUTH,
                           json={"ticket": {"status": "pending", "priority": "extreme",
                                            "comment": {"body": "x", "public": False}}})
    assert raw.status_code == 422
    assert set(raw.json()["details"]) == {"priority"}
    assert sandbox.ticket(ticket_id) == before


def test_comments_page_with_cursors_and_absolute_next_links(sandbox: Sandbox) -> None:
    messages = [{"author": "customer" if i % 2 else "agent", "body": f"message {i}"}
                for i in range(250)]
    ticket_id = sandbox.create(messages=messages)

    ticket = sandbox.connector().get_ticket(ticket_id)

    assert [m.text for m in ticket.messages] == [f"message {i}" for i in range(250)]
    assert sandbox.calls("GET /tickets/<ticket_id>/audits") == 3
    assert sandbox.calls("GET /tickets/<ticket_id>") == 0
    auth = AUTH
    page = sandbox.http.get(f"/zendesk/api/v2/tickets/{ticket_id}/comments",
                            params={"page[size]": "100"}, auth=auth).json()
    assert page["meta"]["has_more"] is True
    assert page["links"]["next"].startswith(f"{sandbox.url}/zendesk/api/v2/")
    last = httpx.get(page["links"]["next"].replace("page%5Bsize%5D=100", "page%5Bsize%5D=200"),
                     auth=auth)
    assert last.status_code == 400
    tail = httpx.get(page["links"]["next"], auth=auth).json()
    assert [c["body"] for c in tail["comments"]][:1] == ["message 100"]


def test_paths_answer_with_and_without_json_suffix(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    auth = AUTH
    plain = sandbox.http.get(f"/zendesk/api/v2/tickets/{ticket_id}", auth=auth).json()
    suffixed = sandbox.http.get(f"/zendesk/api/v2/tickets/{ticket_id}.json", auth=auth).json()
    assert plain == suffixed
    me = sandbox.http.get("/zendesk/api/v2/users/me", auth=auth).json()["user"]
    assert (me["id"], me["role"]) == (900, "agent")
    requester = sandbox.http.get(f"/zendesk/api/v2/users/{plain['ticket']['requester_id']}.json",
                                 auth=auth).json()["user"]
    assert (requester["role"], requester["tags"]) == ("end-user", ["emea", "vip"])


def test_every_write_moves_updated_at_and_the_tags_endpoint_adds(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    auth = AUTH
    path = f"/zendesk/api/v2/tickets/{ticket_id}"
    stamps = [sandbox.http.get(path, auth=auth).json()["ticket"]["updated_at"]]
    for tag in ("one", "two"):
        answer = sandbox.http.put(f"{path}/tags.json", auth=auth, json={
            "tags": [tag], "safe_update": True, "updated_stamp": stamps[-1]})
        assert answer.status_code == 200, answer.text
        stamps.append(sandbox.http.get(path, auth=auth).json()["ticket"]["updated_at"])
    assert stamps == sorted(set(stamps))
    assert sandbox.ticket(ticket_id)["tags"] == ["billing", "one", "two"]


def test_a_comment_without_public_follows_the_first_comment(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create(messages=[{"author": "customer", "body": "private start",
                                          "public": False}])
    sandbox.http.put(f"/zendesk/api/v2/tickets/{ticket_id}.json", auth=AUTH,
                     json={"ticket": {"comment": {"body": "no public flag"}}})
    assert sandbox.ticket(ticket_id)["comments"][-1]["public"] is False


@pytest.mark.parametrize(("changes", "field"), [
    ({"messages": []}, "messages"),
    ({"platform": "kayako"}, "platform"),
    ({"priority": "extreme"}, "priority"),
    ({"requester": "dana"}, "requester"),
])
def test_bad_sample_tickets_are_refused_naming_the_field(
    sandbox: Sandbox, changes: dict[str, Any], field: str,
) -> None:
    answer = sandbox.http.post("/sandbox/tickets", json=sample(**changes))
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(field)


def test_without_a_webhook_url_deliveries_are_only_recorded() -> None:
    app = create_app(webhook_url=None, zendesk_email=EMAIL, zendesk_api_token=TOKEN,
                     zendesk_signing_secret=SECRET)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/sandbox/healthz").json()["ok"] is True
        http.post("/sandbox/tickets", json=sample()).raise_for_status()
        [delivery] = http.get("/sandbox/deliveries").json()
    assert (delivery["state"], delivery["status"]) == ("skipped", None)


def test_a_fault_can_let_requests_through_before_it_starts(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()
    sandbox.http.post("/sandbox/faults", json={"method": "GET",
                                               "path": r"/tickets/\d+/audits(\.json)?$",
                                               "status": 404, "times": 1, "skip": 1})
    zendesk.get_ticket(ticket_id)
    with pytest.raises(PermanentError) as raised:
        zendesk.get_ticket(ticket_id)
    assert raised.value.status == 404
    zendesk.get_ticket(ticket_id)
    assert sandbox.calls("GET /tickets/<ticket_id>/audits") == 3


def test_a_fault_can_fire_on_every_nth_request_only(sandbox: Sandbox) -> None:
    ticket_id = sandbox.create()
    zendesk = sandbox.connector()
    sandbox.http.post("/sandbox/faults", json={"method": "GET",
                                               "path": r"/tickets/\d+/audits(\.json)?$",
                                               "status": 404, "times": None, "every": 3})
    outcomes = []
    for _ in range(6):
        try:
            zendesk.get_ticket(ticket_id)
            outcomes.append("ok")
        except PermanentError:
            outcomes.append("404")
    assert outcomes == ["ok", "ok", "404", "ok", "ok", "404"]


def test_injected_latency_can_jitter_within_its_bounds(sandbox: Sandbox) -> None:
    bad = sandbox.http.post("/sandbox/faults", json={"latency_ms": 100, "jitter": 1.5})
    assert bad.status_code == 400
    assert "jitter" in bad.json()["error"]
    made = sandbox.http.post("/sandbox/faults", json={
        "latency_ms": 150, "jitter": 0.2, "times": None}).raise_for_status().json()
    assert made["jitter"] == 0.2
    fault = Store({}).add_fault({"latency_ms": 150, "jitter": 0.2, "times": None})
    draws = [fault.delay_seconds() for _ in range(500)]
    assert all(0.12 <= d <= 0.18 for d in draws)
    assert max(draws) - min(draws) > 0.03  # spread, not one fixed delay
