"""What the contract suite needs to know about each platform: fixtures and expected requests.

One `Platform` per registry entry. Everything platform-specific lives here or in
the ``fixtures_<platform>`` modules; `test_contract` only holds behaviours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import respx

from connectors.base import Connector
from connectors.freshdesk.connector import FreshdeskConnector
from connectors.gorgias.connector import GorgiasConnector
from connectors.zendesk.connector import ZendeskConnector
from core.models import EventKind
from core.settings import FreshdeskSettings, GorgiasSettings, ZendeskSettings
from tests.connectors import fixtures_freshdesk as fd
from tests.connectors import fixtures_gorgias as gg
from tests.connectors import fixtures_zendesk as zd
from tests.connectors.support import FakeZendesk

NOW = datetime(2024, 5, 2, 9, 31, tzinfo=UTC)
RECEIVER = "https://handoff.example"
NOTE = 'Customer wrote: <script>alert("x")</script> — çа va? 日本'
NOTE_HTML = ("<p>Customer wrote: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
             "— çа va? 日本</p>")
REPLY = "Hello Dana,\n\nIt ships today."
REPLY_HTML = "<p>Hello Dana,</p><p>It ships today.</p>"
Sleep = Callable[[float], None]
Request = tuple[str, str, Any]
Answers = list[httpx.Response | None] | None
# What policy rules read: requester created_at, fields, organisation fields; ticket brand,
# form and type.
Attributes = tuple[datetime | None, dict[str, str], dict[str, str], str | None, str | None,
                   str | None]
NO_ATTRIBUTES: Attributes = (None, {}, {}, None, None, None)
# The fixtures' custom fields, as text: None left out, the rest in one spelling.
FIELDS = {"tier": "gold", "lifetime_value": "1200.5", "newsletter": "true",
          "regions": "emea,apac"}
CUSTOMER_SINCE = datetime(2024, 1, 2, 9, tzinfo=UTC)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Platform:
    name: str
    base: str
    auth: str
    ticket_id: str
    ticket_path: str
    make: Callable[[Sleep], Connector]
    good_headers: Callable[[bytes], dict[str, str]]
    wrong_headers: Callable[[bytes], dict[str, str]]
    parse_forms: list[tuple[Any, EventKind]]
    no_ticket: list[Any]
    serve: Callable[[respx.MockRouter, int, int, Answers], respx.Route]
    leading: list[str]  # messages read from the ticket itself, before the paged ones
    note_requests: list[Request]
    reply_requests: list[Request]
    attributes: Attributes  # as read from what `serve` answers
    # Serves one message with every attribute left out (False) or null (True).
    serve_without: Callable[[respx.MockRouter, bool], respx.Route]
    probes_receiver: bool = True
    serve_install: Callable[[respx.MockRouter], None] = field(default=lambda api: None)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _ticket_route(route: respx.Route, normal: Any, first: Answers) -> None:
    """Answer the ticket GET with `first` in order (None: the normal answer), else normally."""
    if first is None:
        route.respond(json=normal)
    else:
        route.side_effect = [a if a is not None else httpx.Response(200, json=normal)
                             for a in first]


def _texts(count: int) -> list[str]:
    return [f"message {i}" for i in range(count)]


def _without(payload: dict[str, Any], keys: tuple[str, ...], null: bool) -> dict[str, Any]:
    """`payload` with `keys` left out, or set to null."""
    kept = {k: v for k, v in payload.items() if k not in keys}
    return {**kept, **dict.fromkeys(keys)} if null else kept


# -- Zendesk ---------------------------------------------------------------------------------

def _zendesk_without(api: respx.MockRouter, null: bool) -> respx.Route:
    ticket = _without(zd.TICKET, ("brand_id", "ticket_form_id", "type"), null)
    page = zd.audit_pages([zd.comment(2000, zd.REQUESTER_ID, "message 0")], 100, ticket)[None]
    page["users"] = [_without(zd.REQUESTER, ("created_at", "user_fields"), null)]
    page["organizations"] = [{**zd.ORGANIZATION, "organization_fields": None}] if null else []
    return api.get(f"{zd.BASE}/tickets/{zd.TICKET_ID}/audits.json").respond(json=page)


def _zendesk(sleep: Sleep) -> Connector:
    settings = ZendeskSettings(subdomain=zd.SUBDOMAIN, email=zd.EMAIL,
                               ai_user_id=str(zd.AI_USER_ID), api_token=zd.API_TOKEN,
                               signing_secret=zd.SIGNING_SECRET)
    return ZendeskConnector(settings=settings, client=ZendeskConnector.make_client(settings),
                            clock=lambda: NOW, sleep=sleep)


def _zendesk_headers(secret: str) -> Callable[[bytes], dict[str, str]]:
    def headers(body: bytes) -> dict[str, str]:
        stamp = "2024-05-02T09:30:30Z"
        digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
        return {"X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
                "X-Zendesk-Webhook-Signature-Timestamp": stamp}
    return headers


def _zendesk_serve(api: respx.MockRouter, count: int, size: int, first: Answers) -> respx.Route:
    # One call reads everything: the audits, with the ticket and the users sideloaded
    # (the requester among them, having written the first message).
    thread = [zd.comment(2000 + i, zd.AGENT_ID if i % 2 else zd.REQUESTER_ID, text)
              for i, text in enumerate(_texts(count))]
    pages = zd.audit_pages(thread, size)
    queued = list(first or [])

    def answer(request: httpx.Request) -> httpx.Response:
        early = queued.pop(0) if queued else None
        return early or httpx.Response(200, json=pages[request.url.params.get("page[after]")])

    return api.get(f"{zd.BASE}/tickets/{zd.TICKET_ID}/audits.json").mock(side_effect=answer)


def _zendesk_install(api: respx.MockRouter) -> None:
    # The stateful double written with Zendesk's install answers every call it makes.
    fake = FakeZendesk(lambda secret: {"signing_secret": {"algorithm": "sha256",
                                                          "secret": secret}})
    api.route(host="acme.zendesk.com").mock(side_effect=fake)


_ZD_PUT = ("PUT", f"/api/v2/tickets/{zd.TICKET_ID}.json")
ZENDESK = Platform(
    name="zendesk", base=zd.BASE, auth=basic(f"{zd.EMAIL}/token", zd.API_TOKEN),
    ticket_id=str(zd.TICKET_ID), ticket_path=f"/tickets/{zd.TICKET_ID}/audits.json",
    make=_zendesk,
    good_headers=_zendesk_headers(zd.SIGNING_SECRET),
    wrong_headers=_zendesk_headers("not-the-secret"),
    parse_forms=[(zd.TRIGGER_BODY, EventKind.MESSAGE_CREATED),
                 (zd.EVENT_BODY, EventKind.MESSAGE_CREATED),
                 ({"ticket_id": 35436, "event": "ticket_created"}, EventKind.TICKET_CREATED)],
    no_ticket=[{"comment_id": "1003"}, {"ticket_id": "{{ticket.id}}"}, ["35436"]],
    serve=_zendesk_serve, leading=[],
    note_requests=[(*_ZD_PUT, {"ticket": {
        "comment": {"html_body": NOTE_HTML, "public": False},
        "tags": ["shipping", "order", "handoff_escalated"], "group_id": 360099,
        "assignee_id": 7, "priority": "urgent", "status": "open", "safe_update": True,
        "updated_stamp": "2024-05-02T09:30:00Z"}})],
    reply_requests=[(*_ZD_PUT, {"ticket": {
        "comment": {"html_body": REPLY_HTML, "public": True},
        "tags": ["shipping", "order", "handoff_auto_resolved"], "status": "solved",
        "safe_update": True, "updated_stamp": "2024-05-02T09:30:00Z"}})],
    attributes=(CUSTOMER_SINCE, FIELDS, {"plan": "enterprise", "seats": "250"}, "360001",
                "360002", "question"),
    serve_without=_zendesk_without,
    serve_install=_zendesk_install, probes_receiver=False,
)


# -- Freshdesk -------------------------------------------------------------------------------

def _freshdesk(sleep: Sleep) -> Connector:
    settings = FreshdeskSettings(domain=fd.DOMAIN, ai_user_id=str(fd.AI_USER_ID),
                                 api_token=fd.API_TOKEN, webhook_secret=fd.WEBHOOK_SECRET)
    return FreshdeskConnector(settings=settings, client=FreshdeskConnector.make_client(settings),
                              clock=lambda: NOW, sleep=sleep)


def _freshdesk_serve(
    api: respx.MockRouter, count: int, size: int, first: Answers,
    ticket: dict[str, Any] | None = None, contact: dict[str, Any] | None = None,
) -> respx.Route:
    _ticket_route(api.get(f"{fd.BASE}/tickets/{fd.TICKET_ID}"), ticket or fd.ticket_response(),
                  first)
    api.get(f"{fd.BASE}/contacts/{fd.REQUESTER_ID}").respond(json=contact or fd.CONTACT)
    thread = [fd.conversation(3000 + i, fd.REQUESTER_ID if i % 2 else fd.AGENT_ID, text,
                              incoming=bool(i % 2))
              for i, text in enumerate(_texts(count))]
    path = f"/tickets/{fd.TICKET_ID}/conversations"
    pages = fd.pages(thread, size, path)

    def page(request: httpx.Request) -> httpx.Response:
        items, link = pages[int(request.url.params.get("page", "1"))]
        return httpx.Response(200, json=items, headers={"Link": link} if link else {})

    return api.get(f"{fd.BASE}{path}").mock(side_effect=page)


def _freshdesk_without(api: respx.MockRouter, null: bool) -> respx.Route:
    return _freshdesk_serve(
        api, 1, 100, None, _without(fd.ticket_response(), ("type", "product_id"), null),
        _without(fd.CONTACT, ("created_at", "custom_fields"), null))


def _freshdesk_install(api: respx.MockRouter) -> None:
    api.get(url__regex=rf"{fd.BASE}/automations/\d+/rules").respond(json=[])


_FD_TICKET = f"/api/v2/tickets/{fd.TICKET_ID}"
FRESHDESK = Platform(
    name="freshdesk", base=fd.BASE, auth=basic(fd.API_TOKEN, "X"),
    ticket_id=str(fd.TICKET_ID), ticket_path=f"/tickets/{fd.TICKET_ID}", make=_freshdesk,
    good_headers=lambda body: {fd.SECRET_HEADER: fd.WEBHOOK_SECRET},
    wrong_headers=lambda body: {fd.SECRET_HEADER: "not-the-secret"},
    parse_forms=[(fd.WRAPPED_BODY, EventKind.TICKET_CREATED),
                 (fd.REPLY_BODY, EventKind.MESSAGE_CREATED),
                 (fd.FLAT_BODY, EventKind.TICKET_UPDATED)],
    no_ticket=[{"freshdesk_webhook": {"triggered_event": "x"}}, {"ticket_id": "{{ticket.id}}"},
               {"freshdesk_webhook": {"ticket_id": "Open"}}, ["1234"]],
    serve=_freshdesk_serve, leading=["My parcel has not arrived"],
    note_requests=[
        ("PUT", _FD_TICKET, {"tags": ["shipping", "order", "handoff_escalated"],
                             "group_id": 360099, "responder_id": 7, "priority": 4,
                             "status": 2}),
        ("POST", f"{_FD_TICKET}/notes", {"body": NOTE_HTML, "private": True}),
    ],
    reply_requests=[
        ("PUT", _FD_TICKET, {"tags": ["shipping", "order", "handoff_auto_resolved"],
                             "status": 4}),
        ("POST", f"{_FD_TICKET}/reply", {"body": REPLY_HTML}),
    ],
    # Company custom fields would cost GET /companies/{id}: not read.
    attributes=(CUSTOMER_SINCE, FIELDS, {}, "4001", None, "Question"),
    serve_without=_freshdesk_without,
    serve_install=_freshdesk_install,
)


# -- Gorgias ---------------------------------------------------------------------------------

def _gorgias(sleep: Sleep) -> Connector:
    settings = GorgiasSettings(domain=gg.DOMAIN, email=gg.EMAIL, ai_user_id=str(gg.AI_USER_ID),
                               api_token=gg.API_TOKEN, webhook_secret=gg.WEBHOOK_SECRET)
    return GorgiasConnector(settings=settings, client=GorgiasConnector.make_client(settings),
                            clock=lambda: NOW, sleep=sleep)


def _gorgias_serve(
    api: respx.MockRouter, count: int, size: int, first: Answers,
    customer: dict[str, Any] | None = None,
) -> respx.Route:
    start = datetime(2024, 5, 2, 9, tzinfo=UTC)
    thread = []
    for i, text in enumerate(_texts(count)):
        message = gg.message(4000 + i, gg.CUSTOMER_ID if i % 2 else gg.AGENT_ID, text,
                             from_agent=not i % 2)
        message["created_datetime"] = (start + timedelta(seconds=i)).isoformat()
        thread.append(message)
    embedded = gg.ticket_response(messages=thread[:size], messages_count=count,
                                  customer=customer or gg.CUSTOMER)
    _ticket_route(api.get(f"{gg.BASE}/tickets/{gg.TICKET_ID}"), embedded, first)
    pages = gg.cursor_pages(thread, size)
    return api.get(f"{gg.BASE}/messages").mock(side_effect=lambda request: httpx.Response(
        200, json=pages[request.url.params.get("cursor")]))


def _gorgias_without(api: respx.MockRouter, null: bool) -> respx.Route:
    return _gorgias_serve(api, 1, 100, None,
                          _without(gg.CUSTOMER, ("created_datetime", "data"), null))


def _gorgias_install(api: respx.MockRouter) -> None:
    made: list[dict[str, Any]] = [gg.OTHER_INTEGRATION]

    def create(request: httpx.Request) -> httpx.Response:
        made.append({"id": 99, **json.loads(request.content)})
        return httpx.Response(201, json=made[-1])

    api.get(f"{gg.BASE}/integrations").mock(side_effect=lambda request: httpx.Response(
        200, json={"data": list(made), "meta": {"next_cursor": None}}))
    api.post(f"{gg.BASE}/integrations").mock(side_effect=create)


_GG_TICKET = f"/api/tickets/{gg.TICKET_ID}"
_GG_MESSAGE = {"via": "api", "from_agent": True, "sender": {"id": gg.AI_USER_ID}}
GORGIAS = Platform(
    name="gorgias", base=gg.BASE, auth=basic(gg.EMAIL, gg.API_TOKEN),
    ticket_id=str(gg.TICKET_ID), ticket_path=f"/tickets/{gg.TICKET_ID}", make=_gorgias,
    good_headers=lambda body: {gg.SECRET_HEADER: gg.WEBHOOK_SECRET},
    wrong_headers=lambda body: {gg.SECRET_HEADER: "not-the-secret"},
    parse_forms=[(gg.FLAT_BODY, EventKind.MESSAGE_CREATED),
                 (gg.CONTEXT_BODY, EventKind.MESSAGE_CREATED),
                 (gg.CREATED_BODY, EventKind.TICKET_CREATED)],
    no_ticket=[{"message_id": "3007"}, {"ticket": {"id": None}}, {"ticket_id": "abc"}, []],
    serve=_gorgias_serve, leading=[],
    note_requests=[
        ("PUT", _GG_TICKET, {"assignee_team": {"id": 360099}, "assignee_user": {"id": 7},
                             "priority": "critical", "status": "open"}),
        ("POST", f"{_GG_TICKET}/tags", {"names": ["handoff_escalated"]}),
        ("POST", f"{_GG_TICKET}/messages", {"channel": "internal-note", **_GG_MESSAGE,
                                            "body_html": NOTE_HTML, "body_text": NOTE}),
    ],
    reply_requests=[
        ("PUT", _GG_TICKET, {"status": "closed"}),
        ("POST", f"{_GG_TICKET}/tags", {"names": ["handoff_auto_resolved"]}),
        ("POST", f"{_GG_TICKET}/messages", {
            "channel": "email", **_GG_MESSAGE, "body_html": REPLY_HTML, "body_text": REPLY,
            "receiver": {"id": gg.CUSTOMER_ID}, "subject": "Re: Where is my order?",
            "source": {"type": "email",
                       "from": {"address": "support@acme.test", "name": "Acme Support"},
                       "to": [{"address": "dana@example.com", "name": "Dana Customer"}]}}),
    ],
    # Gorgias tickets have no brand, form or type; customers no organisation.
    attributes=(CUSTOMER_SINCE, FIELDS, {}, None, None, None),
    serve_without=_gorgias_without,
    serve_install=_gorgias_install,
)

PLATFORMS = {p.name: p for p in (ZENDESK, FRESHDESK, GORGIAS)}
