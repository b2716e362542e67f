"""`Helpdesk.requester_tickets`: the requester's other tickets for the handoff note.

At the transport (respx, shapes of shared/reference/helpdesk-apis.md): the exact request
of each platform, the mapping, the local order, drop and cut, retries and refusals.
Through the sandbox over real HTTP: the three platforms list a requester's other
tickets, newest first, and no one else's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from connectors.base import OPTIONAL_WAIT_SECONDS, HttpConnector
from core.errors import PermanentError, RateLimited, TransientError
from core.models import Requester, Status, Ticket, TicketBrief
from tests.connectors import fixtures_freshdesk as fd
from tests.connectors import fixtures_gorgias as gg
from tests.connectors import fixtures_zendesk as zd
from tests.connectors.platforms import PLATFORMS
from tests.connectors.support import (
    FD_TOKEN,
    GG_EMAIL,
    GG_TOKEN,
    ZD_EMAIL,
    ZD_TOKEN,
    Stack,
    Waits,
)

REQUESTER = "501"  # the fixture requester (Gorgias: customer) on every platform


def _current(platform: str, ticket_id: int, requester: str = REQUESTER) -> Ticket:
    return Ticket(id=str(ticket_id), platform=platform, requester=Requester(id=requester))


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2024, 5, day, hour, tzinfo=UTC)


def _rows(briefs: list[TicketBrief]) -> list[tuple[str, str, Status, datetime | None, str | None]]:
    return [(b.id, b.subject, b.status, b.updated_at, b.url) for b in briefs]


# -- the request and the mapping, per platform ---------------------------------------------

def _zendesk_ticket(ticket_id: int | None, subject: str, status: str,
                    updated: str) -> dict[str, Any]:
    """A ticket as List Tickets renders it; without an ``id`` key when `ticket_id` is None."""
    ticket = {**zd.TICKET, "id": ticket_id, "url": f"{zd.BASE}/tickets/{ticket_id}.json",
              "subject": subject, "status": status, "updated_at": updated}
    if ticket_id is None:
        del ticket["id"]
    return ticket


def test_zendesk_lists_the_requesters_other_tickets_newest_first(api: respx.MockRouter) -> None:
    route = api.get(f"{zd.BASE}/users/{REQUESTER}/tickets/requested.json").respond(json={
        "tickets": [
            _zendesk_ticket(zd.TICKET_ID, "Where is my order?", "open", "2024-05-02T09:30:00Z"),
            _zendesk_ticket(35440, "Refund for order 1042", "hold", "2024-05-01T09:00:00Z"),
            _zendesk_ticket(None, "No id at all", "open", "2024-04-30T09:00:00Z"),
            _zendesk_ticket(35420, "Password reset", "closed", "2024-04-20T09:00:00Z"),
            _zendesk_ticket(35400, "Invoice copy", "solved", "2024-04-01T09:00:00Z"),
        ],
        "next_page": f"{zd.BASE}/users/{REQUESTER}/tickets/requested.json?page=2",
        "previous_page": None, "count": 9,
    })

    found = PLATFORMS["zendesk"].make(Waits()).requester_tickets(
        _current("zendesk", zd.TICKET_ID), 2)

    sent = route.calls.last.request
    assert sent.url.path == f"/api/v2/users/{REQUESTER}/tickets/requested.json"
    assert dict(sent.url.params) == {"sort_by": "updated_at", "sort_order": "desc",
                                     "per_page": "3"}
    assert route.call_count == 1
    assert _rows(found) == [
        ("35440", "Refund for order 1042", Status.PENDING, _at(1),
         "https://acme.zendesk.com/agent/tickets/35440"),
        ("35420", "Password reset", Status.CLOSED, _at(20).replace(month=4),
         "https://acme.zendesk.com/agent/tickets/35420"),
    ]


def _freshdesk_ticket(ticket_id: Any, subject: str | None, status: int,
                      updated: str) -> dict[str, Any]:
    return {**fd.TICKET, "id": ticket_id, "subject": subject, "status": status,
            "updated_at": updated}


def test_freshdesk_lists_the_requesters_other_tickets_newest_first(api: respx.MockRouter) -> None:
    # Answered out of order: the connector sorts again rather than trust order_by.
    route = api.get(f"{fd.BASE}/tickets").respond(json=[
        _freshdesk_ticket(1200, "Old question", 5, "2024-04-01T09:00:00Z"),
        _freshdesk_ticket(fd.TICKET_ID, "Where is my order?", 2, "2024-05-02T09:30:00Z"),
        _freshdesk_ticket(1230, "Damaged parcel", 3, "2024-05-01T09:00:00Z"),
        _freshdesk_ticket("", "Blank id", 2, "2024-05-01T10:00:00Z"),
        _freshdesk_ticket(1210, None, 4, "2024-04-20T09:00:00Z"),
        _freshdesk_ticket(1220, "Custom status", 7, "2024-04-25T09:00:00Z"),
    ])

    found = PLATFORMS["freshdesk"].make(Waits()).requester_tickets(
        _current("freshdesk", fd.TICKET_ID), 3)

    sent = route.calls.last.request
    assert sent.url.path == "/api/v2/tickets"
    assert dict(sent.url.params) == {"requester_id": REQUESTER, "order_by": "updated_at",
                                     "order_type": "desc", "per_page": "4"}
    assert _rows(found) == [
        ("1230", "Damaged parcel", Status.PENDING, _at(1),
         "https://acme.freshdesk.com/a/tickets/1230"),
        ("1220", "Custom status", Status.PENDING, _at(25).replace(month=4),
         "https://acme.freshdesk.com/a/tickets/1220"),
        ("1210", "", Status.SOLVED, _at(20).replace(month=4),
         "https://acme.freshdesk.com/a/tickets/1210"),
    ]


def _gorgias_ticket(ticket_id: Any, subject: str | None, updated: str | None,
                    **changes: Any) -> dict[str, Any]:
    ticket = {**gg.TICKET, "id": ticket_id, "uri": f"/api/tickets/{ticket_id}/",
              "subject": subject, "updated_datetime": updated, **changes}
    ticket.pop("messages")  # the list does not embed messages
    return ticket


def test_gorgias_lists_the_customers_other_tickets_newest_first(api: respx.MockRouter) -> None:
    route = api.get(f"{gg.BASE}/tickets").respond(json={
        "object": "list", "uri": "/api/tickets",
        "data": [
            _gorgias_ticket(5690, None, None, status="closed"),
            _gorgias_ticket(gg.TICKET_ID, "Where is my order?", "2024-05-02T09:30:00+00:00"),
            _gorgias_ticket(5680, "Wrong size", "2024-05-01T09:00:00.000000+00:00"),
            _gorgias_ticket(None, "No id", "2024-05-01T10:00:00+00:00"),
            _gorgias_ticket(5670, "Spam offer", "2024-04-20T09:00:00",
                            trashed_datetime="2024-04-21T09:00:00"),
            "not a ticket",
        ],
        "meta": {"next_cursor": None, "prev_cursor": None},
    })

    found = PLATFORMS["gorgias"].make(Waits()).requester_tickets(
        _current("gorgias", gg.TICKET_ID), 5)

    sent = route.calls.last.request
    assert sent.url.path == "/api/tickets"
    assert dict(sent.url.params) == {"customer_id": REQUESTER, "limit": "6",
                                     "order_by": "updated_datetime:desc"}
    assert _rows(found) == [
        ("5680", "Wrong size", Status.OPEN, _at(1), "https://acme.gorgias.com/app/ticket/5680"),
        ("5670", "Spam offer", Status.CLOSED, _at(20).replace(month=4),
         "https://acme.gorgias.com/app/ticket/5670"),
        # No update time known: listed last, not dropped.
        ("5690", "", Status.SOLVED, None, "https://acme.gorgias.com/app/ticket/5690"),
    ]


# -- failures -----------------------------------------------------------------------------

def test_the_list_is_an_optional_call_tried_once(api: respx.MockRouter) -> None:
    """The customer record must not hold the escalation up: a 5xx is not retried."""
    waits = Waits()
    route = api.get(f"{zd.BASE}/users/{REQUESTER}/tickets/requested.json").respond(
        503, text="try later")

    with pytest.raises(TransientError):
        PLATFORMS["zendesk"].make(waits).requester_tickets(_current("zendesk", zd.TICKET_ID), 5)

    assert route.call_count == 1
    assert len(waits) == 0


def test_an_optional_call_waits_little_for_the_rate_budget(api: respx.MockRouter) -> None:
    asked: list[float] = []

    class NextSlotIn5s:  # more than an optional call may wait
        def acquire(self, max_wait: float) -> float:
            asked.append(max_wait)
            if max_wait < 5:
                raise RateLimited("no slot", retry_after=5)
            return 0.0

        def observe(self, headers: Mapping[str, str], *, rate_limited: bool = False) -> None:
            return None

    route = api.get("https://x.example/list").respond(json=[])
    with httpx.Client(base_url="https://x.example") as client:
        http = HttpConnector(client=client, budget=NextSlotIn5s(), sleep=Waits())
        with pytest.raises(RateLimited):
            http.request("GET", "/list", optional=True)
        assert http.request("GET", "/list").status_code == 200  # an essential call waits

    assert asked[0] <= OPTIONAL_WAIT_SECONDS
    assert asked[1] > 5
    assert route.call_count == 1


@pytest.mark.parametrize("status", [403, 404])
def test_a_refusal_raises_permanent_error_at_once(api: respx.MockRouter, status: int) -> None:
    route = api.get(f"{gg.BASE}/tickets").respond(status, json={"error": {"msg": "no"}})
    with pytest.raises(PermanentError) as raised:
        PLATFORMS["gorgias"].make(Waits()).requester_tickets(_current("gorgias", gg.TICKET_ID), 5)
    assert raised.value.status == status
    assert route.call_count == 1


@pytest.mark.parametrize(("platform", "url", "body"), [
    ("zendesk", f"{zd.BASE}/users/{REQUESTER}/tickets/requested.json", {"users": []}),
    ("freshdesk", f"{fd.BASE}/tickets", {"tickets": []}),
    ("gorgias", f"{gg.BASE}/tickets", [{"id": 5680}]),
])
def test_a_body_of_the_wrong_shape_raises_permanent_error(
    api: respx.MockRouter, platform: str, url: str, body: Any,
) -> None:
    api.get(url).respond(json=body)
    with pytest.raises(PermanentError, match=platform):
        PLATFORMS[platform].make(Waits()).requester_tickets(_current(platform, 1), 5)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_requester_id_that_is_not_a_number_is_refused_without_a_call(
    api: respx.MockRouter, platform: str,
) -> None:
    with pytest.raises(PermanentError, match="must be a numeric id"):
        PLATFORMS[platform].make(Waits()).requester_tickets(
            _current(platform, 1, requester="../admin"), 5)
    assert api.calls.call_count == 0


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_limit_of_zero_lists_nothing_without_a_call(api: respx.MockRouter, platform: str) -> None:
    assert PLATFORMS[platform].make(Waits()).requester_tickets(_current(platform, 1), 0) == []
    assert api.calls.call_count == 0


# -- through the sandbox over real HTTP -----------------------------------------------------

DANA = {"id": "c-dana", "email": "dana@example.com", "name": "Dana"}
OTHER = {"id": "c-other", "email": "other@example.com", "name": "Other"}
AGENT_LINKS = {"zendesk": "/zendesk/agent/tickets/", "freshdesk": "/freshdesk/a/tickets/",
               "gorgias": "/gorgias/app/ticket/"}


def _create(stack: Stack, platform: str, subject: str, requester: dict[str, str],
            **changes: Any) -> str:
    # No message time: the ticket is created now (Freshdesk lists 30 days by default).
    return stack.create(platform, subject=subject, requester=requester,
                        messages=[{"author": "customer", "body": f"About: {subject}"}], **changes)


def _touch(stack: Stack, platform: str, ticket_id: str) -> None:
    """A customer comment: moves the ticket's update time past every earlier one."""
    answer = stack.http.post(f"/sandbox/tickets/{platform}/{ticket_id}/comments",
                             json={"body": "Any news?"})
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_sandbox_lists_the_requesters_other_tickets_newest_first(
    stack: Stack, platform: str,
) -> None:
    older = _create(stack, platform, "Older order", DANA, status="solved")
    newer = _create(stack, platform, "Newer order", DANA)
    current = _create(stack, platform, "This one", DANA)
    _create(stack, platform, "Someone else's", OTHER)
    _touch(stack, platform, newer)  # sandbox times have one-second steps: make the order sure
    connector = stack.connector(platform)
    ticket = connector.get_ticket(current)

    found = connector.requester_tickets(ticket, 5)

    assert [(b.id, b.subject) for b in found] == [(newer, "Newer order"),
                                                 (older, "Older order")]
    newest, next_newest = found[0].updated_at, found[1].updated_at
    assert newest is not None
    assert next_newest is not None
    assert newest > next_newest
    assert found[1].status is Status.SOLVED
    assert [b.url for b in found] == [f"{stack.url}{AGENT_LINKS[platform]}{i}"
                                      for i in (newer, older)]
    assert [b.id for b in connector.requester_tickets(ticket, 1)] == [newer]


def _client(stack: Stack, platform: str) -> httpx.Client:
    """A client of one platform's sandbox API with its credentials."""
    base, auth = {
        "zendesk": ("/zendesk/api/v2", (f"{ZD_EMAIL}/token", ZD_TOKEN)),
        "freshdesk": ("/freshdesk/api/v2", (FD_TOKEN, "X")),
        "gorgias": ("/gorgias/api", (GG_EMAIL, GG_TOKEN)),
    }[platform]
    return httpx.Client(base_url=f"{stack.url}{base}", auth=auth)


def _pages(stack: Stack, platform: str, requester: str) -> list[list[int]]:
    """The requester's ticket ids, page by page of two, as the sandbox serves them."""
    pages: list[list[int]] = []
    with _client(stack, platform) as http:
        if platform == "zendesk":
            answer = http.get(f"/users/{requester}/tickets/requested.json", params={
                "sort_by": "updated_at", "sort_order": "desc", "per_page": "2"}).json()
            assert answer["count"] == 3
            pages.append([t["id"] for t in answer["tickets"]])
            answer = http.get(answer["next_page"]).json()
            pages.append([t["id"] for t in answer["tickets"]])
            assert answer["next_page"] is None
        elif platform == "freshdesk":
            reply = http.get("/tickets", params={"requester_id": requester, "per_page": "2",
                                                 "order_by": "updated_at", "order_type": "desc"})
            pages.append([t["id"] for t in reply.json()])
            reply = http.get(reply.links["next"]["url"])
            pages.append([t["id"] for t in reply.json()])
            assert "next" not in reply.links
        else:
            body = http.get("/tickets", params={"customer_id": requester, "limit": "2",
                                                "order_by": "updated_datetime:desc"}).json()
            pages.append([t["id"] for t in body["data"]])
            body = http.get("/tickets", params={"customer_id": requester, "limit": "2",
                                                "order_by": "updated_datetime:desc",
                                                "cursor": body["meta"]["next_cursor"]}).json()
            pages.append([t["id"] for t in body["data"]])
            assert body["meta"]["next_cursor"] is None
    return pages


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_sandbox_pages_a_requesters_tickets_newest_first(stack: Stack, platform: str) -> None:
    first, second, third = (_create(stack, platform, f"Order {n}", DANA) for n in range(3))
    _create(stack, platform, "Someone else's", OTHER)
    _touch(stack, platform, first)
    _touch(stack, platform, first)  # first is now the newest, then third, then second
    requester = stack.connector(platform).get_ticket(first).requester.id

    assert _pages(stack, platform, requester) == [[int(first), int(third)], [int(second)]]


def test_the_sandbox_answers_404_for_a_zendesk_user_it_does_not_have(stack: Stack) -> None:
    with _client(stack, "zendesk") as http:
        assert http.get("/users/99999/tickets/requested.json").status_code == 404
