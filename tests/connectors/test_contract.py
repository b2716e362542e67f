"""The connector contract, run over every platform in the registry.

respx fakes HTTP at the transport; the tests assert on the requests sent. The
platform-specific data (fixtures, expected requests) lives in `platforms`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from connectors.base import Connector
from connectors.registry import REGISTRY
from core.errors import PayloadError, PermanentError, RateLimited, SignatureError, TransientError
from core.models import (
    AddTags,
    Assign,
    InternalNote,
    Priority,
    PublicReply,
    SetPriority,
    SetStatus,
    Status,
    Ticket,
)
from tests.connectors.platforms import (
    NO_ATTRIBUTES,
    NOTE,
    PLATFORMS,
    RECEIVER,
    REPLY,
    Attributes,
    Platform,
)
from tests.connectors.support import Waits

NOTE_BATCH = (InternalNote(body=NOTE), AddTags(tags=("handoff_escalated",)),
              Assign(group="360099", assignee="7"), SetPriority(priority=Priority.URGENT),
              SetStatus(status=Status.OPEN))
REPLY_BATCH = (PublicReply(body=REPLY), AddTags(tags=("handoff_auto_resolved",)),
               SetStatus(status=Status.SOLVED))


@pytest.fixture(params=sorted(REGISTRY))
def platform(request: pytest.FixtureRequest) -> Platform:
    return PLATFORMS[request.param]


def test_every_registered_platform_has_contract_data() -> None:
    assert set(REGISTRY) == set(PLATFORMS)


# -- verify and parse_event ------------------------------------------------------------------

def test_verify_accepts_the_genuine_secret(platform: Platform) -> None:
    body = b'{"ticket_id": "1"}'
    platform.make(Waits()).verify(platform.good_headers(body), body)
    platform.make(Waits()).verify(httpx.Headers(platform.good_headers(body)), body)


def test_verify_refuses_a_wrong_secret(platform: Platform) -> None:
    body = b'{"ticket_id": "1"}'
    with pytest.raises(SignatureError):
        platform.make(Waits()).verify(platform.wrong_headers(body), body)


def test_verify_refuses_a_missing_secret(platform: Platform) -> None:
    with pytest.raises(SignatureError):
        platform.make(Waits()).verify({"Content-Type": "application/json"}, b"{}")


def test_parse_event_reads_every_documented_form(platform: Platform) -> None:
    connector = platform.make(Waits())
    for body, kind in platform.parse_forms:
        event = connector.parse_event({}, body)
        assert (event.platform, event.ticket_id, event.kind) == (
            platform.name, platform.ticket_id if platform.name != "zendesk" else "35436", kind)
        assert event.event_id
        assert connector.parse_event({}, json.loads(json.dumps(body))).event_id == event.event_id


def test_parse_event_without_a_ticket_id_names_the_field(platform: Platform) -> None:
    for body in platform.no_ticket:
        with pytest.raises(PayloadError, match="ticket_id"):
            platform.make(Waits()).parse_event({}, body)


# -- get_ticket --------------------------------------------------------------------------------

def test_get_ticket_reads_every_page(platform: Platform, api: respx.MockRouter) -> None:
    paged = platform.serve(api, 7, 3, None)

    ticket = platform.make(Waits()).get_ticket(platform.ticket_id)

    assert paged.call_count == 3
    assert all(call.request.headers["Authorization"] == platform.auth for call in api.calls)
    assert [m.text for m in ticket.messages] == [*platform.leading,
                                                 *(f"message {i}" for i in range(7))]
    assert ticket.requester.email == "dana@example.com"
    assert ticket.tags == ("shipping", "order")


def test_get_ticket_reads_a_250_message_thread(platform: Platform, api: respx.MockRouter) -> None:
    paged = platform.serve(api, 250, 100, None)
    ticket = platform.make(Waits()).get_ticket(platform.ticket_id)
    assert paged.call_count == 3
    assert len(ticket.messages) == 250 + len(platform.leading)
    assert ticket.messages[-1].text == "message 249"


def attributes_of(ticket: Ticket) -> Attributes:
    """What policy rules read from a ticket beyond its thread."""
    person = ticket.requester
    return (person.created_at, person.fields, person.organization_fields, ticket.brand,
            ticket.form, ticket.type)


def test_get_ticket_maps_what_policy_rules_read(
    platform: Platform, api: respx.MockRouter,
) -> None:
    platform.serve(api, 1, 100, None)
    ticket = platform.make(Waits()).get_ticket(platform.ticket_id)
    assert attributes_of(ticket) == platform.attributes


@pytest.mark.parametrize("null", [False, True], ids=["absent", "null"])
def test_get_ticket_without_those_attributes_leaves_them_empty(
    platform: Platform, api: respx.MockRouter, null: bool,
) -> None:
    platform.serve_without(api, null)
    ticket = platform.make(Waits()).get_ticket(platform.ticket_id)
    assert attributes_of(ticket) == NO_ATTRIBUTES
    assert ticket.requester.email == "dana@example.com"


# -- apply -------------------------------------------------------------------------------------

def loaded(platform: Platform, api: respx.MockRouter) -> tuple[Connector, Ticket]:
    """A connector and a ticket it read, as the worker has them before applying."""
    platform.serve(api, 3, 100, None)
    connector = platform.make(Waits())
    ticket = connector.get_ticket(platform.ticket_id)
    api.reset()
    api.route(method__in=["PUT", "POST"]).respond(200, json={})
    return connector, ticket


def sent(platform: Platform, api: respx.MockRouter) -> list[tuple[str, str, Any]]:
    for call in api.calls:
        assert call.request.headers["Authorization"] == platform.auth
        assert call.request.headers["Content-Type"] == "application/json"
    return [(c.request.method, c.request.url.path, json.loads(c.request.content))
            for c in api.calls]


def html_bodies(value: Any) -> list[str]:
    """Every HTML comment body in `value` (``body_text`` is plain text, left out)."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in ("body", "body_html", "html_body")
                and isinstance(v, str)] + [b for v in value.values() for b in html_bodies(v)]
    if isinstance(value, list | tuple):
        return [b for v in value for b in html_bodies(v)]
    return []


def test_apply_sends_a_note_batch(platform: Platform, api: respx.MockRouter) -> None:
    connector, ticket = loaded(platform, api)
    connector.apply(ticket, NOTE_BATCH)
    requests = sent(platform, api)
    assert requests == platform.note_requests
    assert html_bodies(requests)
    assert all("<script>" not in body and "日本" in body for body in html_bodies(requests))


def test_apply_sends_a_reply_batch(platform: Platform, api: respx.MockRouter) -> None:
    connector, ticket = loaded(platform, api)
    connector.apply(ticket, REPLY_BATCH)
    assert sent(platform, api) == platform.reply_requests


def test_apply_refuses_two_comments(platform: Platform, api: respx.MockRouter) -> None:
    connector, ticket = loaded(platform, api)
    with pytest.raises(ValueError, match="at most one comment"):
        connector.apply(ticket, (PublicReply(body="a"), InternalNote(body="b")))
    assert not api.calls


def test_apply_sends_nothing_for_an_empty_batch(platform: Platform, api: respx.MockRouter) -> None:
    connector, ticket = loaded(platform, api)
    connector.apply(ticket, ())
    assert not api.calls


# -- retries and error translation -----------------------------------------------------------

def ticket_route(platform: Platform, api: respx.MockRouter) -> respx.Route:
    return next(r for r in api.routes if r.pattern.match(httpx.Request(
        "GET", platform.url(platform.ticket_path))))


def test_a_429_waits_for_retry_after(
    platform: Platform, api: respx.MockRouter, waits: Waits,
) -> None:
    platform.serve(api, 1, 100, [httpx.Response(429, headers={"Retry-After": "7"}, json={}),
                                 None])
    platform.make(waits).get_ticket(platform.ticket_id)
    assert ticket_route(platform, api).call_count == 2
    assert waits == [7.0]


def test_a_5xx_is_retried_then_succeeds(
    platform: Platform, api: respx.MockRouter, waits: Waits,
) -> None:
    platform.serve(api, 1, 100, [httpx.Response(503, text="busy"), None])
    ticket = platform.make(waits).get_ticket(platform.ticket_id)
    assert ticket.id == platform.ticket_id
    assert ticket_route(platform, api).call_count == 2
    assert len(waits) == 1


def test_a_5xx_every_time_ends_in_a_transient_error(
    platform: Platform, api: respx.MockRouter, waits: Waits,
) -> None:
    platform.serve(api, 1, 100, [httpx.Response(500, text="oops")] * 10)
    with pytest.raises(TransientError) as raised:
        platform.make(waits).get_ticket(platform.ticket_id)
    assert not isinstance(raised.value, RateLimited)
    assert raised.value.status == 500
    attempts = 4  # the settings' default max_attempts
    assert ticket_route(platform, api).call_count == attempts
    assert len(waits) == attempts - 1


@pytest.mark.parametrize("status", [401, 404, 422])
def test_client_errors_are_permanent_after_one_request(
    platform: Platform, api: respx.MockRouter, waits: Waits, status: int,
) -> None:
    platform.serve(api, 1, 100, [httpx.Response(status, json={"error": "no"})])
    with pytest.raises(PermanentError) as raised:
        platform.make(waits).get_ticket(platform.ticket_id)
    assert raised.value.status == status
    assert len(api.calls) == 1
    assert waits == []


# -- install -------------------------------------------------------------------------------------

def test_install_makes_its_setup_once(platform: Platform, api: respx.MockRouter) -> None:
    platform.serve_install(api)
    probe = api.post(f"{RECEIVER}/webhooks/{platform.name}").respond(
        400, json={"error": f"{platform.name}: ticket_id is missing"})
    connector = platform.make(Waits())

    first = connector.install(RECEIVER)
    writes = [c for c in api.calls if c.request.method != "GET" and c.request.url.host
              != "handoff.example"]
    api.reset()
    second = connector.install(RECEIVER)
    writes_again = [c for c in api.calls if c.request.method != "GET"
                    and c.request.url.host != "handoff.example"]

    assert first.created or first.instructions
    assert len(writes) == len(first.created)
    assert writes_again == []
    assert second.created == ()
    if platform.probes_receiver:
        assert probe.call_count == 1
        assert "Authorization" not in probe.calls.last.request.headers
        assert "accepted the secret" in second.instructions


# Markup, an entity and a mention as a customer might send them, and as they must arrive.
MARKUP = 'Hi <script>alert("x")</script> <img src=x onerror=alert(1)> & <b>@admin</b>'
MARKUP_HTML = ("Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=x "
               "onerror=alert(1)&gt; &amp; &lt;b&gt;@admin&lt;/b&gt;")


@pytest.mark.parametrize("comment", [InternalNote, PublicReply], ids=["note", "reply"])
def test_every_comment_body_is_html_escaped(
    platform: Platform, api: respx.MockRouter, comment: type[InternalNote | PublicReply],
) -> None:
    """Whatever the platform and the kind of comment, text quoted from a customer reaches
    the helpdesk's HTML field escaped, so no markup or mention renders in an agent's view."""
    connector, ticket = loaded(platform, api)
    connector.apply(ticket, (comment(body=MARKUP),))
    bodies = html_bodies(sent(platform, api))
    assert len(bodies) == 1
    assert bodies[0] == f"<p>{MARKUP_HTML}</p>"
