"""Gorgias connector.

API reference: https://developers.gorgias.com/reference/introduction
Tickets: https://developers.gorgias.com/reference/the-ticket-object
Messages: https://developers.gorgias.com/reference/create-ticket-message
HTTP integrations: https://developers.gorgias.com/reference/the-tickethttpintegration-object
Pagination: https://developers.gorgias.com/changelog/deprecation-offset-based-pagination

Gorgias does not sign HTTP-integration calls: a delivery proves itself with our
secret in the header `settings.secret_header`, which `install` puts on the
integration. UNCONFIRMED in the reference, so both forms are accepted and the
one seen is logged at debug level: the ``{{context}}`` body (``ticket`` and
``message`` objects) and the flat form ``install`` sets up (``ticket_id``,
``message_id``); hyphenated and underscored trigger names. Also UNCONFIRMED:
whether ``GET /api/tickets/{id}`` embeds every message (we page through
``GET /api/messages?ticket_id=`` when it may not), ``GET /api/users/0`` as the
current user (set `ai_user_id` to skip it), whether a snoozed ticket reports
``closed`` (a future ``snooze_datetime`` reads as pending either way), and
whether an email reply's ``from`` must be an email-integration address (we send
from one always: see `connectors.gorgias.sender`, else post a draft); and whether
a message posted after the status is set to closed reopens the ticket (fields
are written first so a retried batch never repeats a reply).

Per processed ticket: ``GET /api/tickets/{id}``, plus one ``GET /api/messages``
per 100 messages when the embedded list may be truncated; per batch written:
at most one ``PUT /api/tickets/{id}``, one ``POST .../tags``, one ``DELETE .../tags``
(``{"names": [...]}``, the same body as adding; UNCONFIRMED) and one ``POST .../messages``;
per escalation, one ``GET /api/tickets?customer_id=`` for the customer record (none when
``handoff_note.other_tickets`` is 0).
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

import httpx

from connectors import briefs, pagination
from connectors import webhook_tools as tools
from connectors.base import AccountConnector, HeaderItems, InstallReport
from connectors.fields import locale_text
from connectors.gorgias import payloads, sender
from connectors.gorgias.directory import GorgiasDirectory
from connectors.gorgias.export import GorgiasExport
from core.batching import already_on_ticket
from core.errors import PayloadError, PermanentError, SignatureError
from core.knowledge import KnowledgeDoc
from core.models import Action, EventKind, Ticket, TicketBrief, TicketEvent
from core.settings import GorgiasSettings

logger = logging.getLogger("connectors.gorgias.connector")

INTEGRATION_NAME = "Handoff"
SECRET_VARIABLE = "HANDOFF_GORGIAS_WEBHOOK_SECRET"  # noqa: S105 - a variable name
_LIMIT = "100"
_MAX_PAGES = 100
_ROUTES_KEPT = 256
# An email integration added or removed is seen by running workers within this time.
_INTEGRATIONS_TTL = timedelta(minutes=15)


class GorgiasConnector(AccountConnector[GorgiasSettings]):
    """One Gorgias account, reached through an injected `httpx.Client`.

    Build the client with `make_client`. Every API call goes through
    `HttpConnector.request`, so failures surface only as `core.errors` types.
    `export` and `directory` are the account's reads for ``handoff export`` and
    ``handoff check-config --online``, sent through this connector.
    """

    name: ClassVar[str] = "gorgias"
    required_secrets: ClassVar[tuple[str, ...]] = ("api_token", "webhook_secret")

    def _prepare(self) -> None:
        self.export = GorgiasExport(http=self)
        self.directory = GorgiasDirectory(http=self)
        # Where a reply to each recently read ticket goes; read in get_ticket, used in apply.
        self._routes: OrderedDict[str, payloads.ReplyRoute] = OrderedDict()
        # The account's integrations and when they were read (email sending addresses).
        self._integration_list: tuple[datetime, list[dict[str, Any]]] | None = None

    @classmethod
    def basic_auth(cls, settings: GorgiasSettings, token: str) -> httpx.BasicAuth:
        """Gorgias private apps: the user's e-mail as the user, the API key as the password."""
        return httpx.BasicAuth(settings.email, token)

    # -- webhooks ---------------------------------------------------------------

    def verify(self, headers: HeaderItems, raw_body: bytes) -> None:
        """Accept a delivery carrying our secret in `settings.secret_header`.

        Raises SignatureError when no secret is configured or the header is
        missing or wrong (compared in constant time).
        """
        secret = self.settings.webhook_secret
        expected = secret.get_secret_value() if secret else ""
        if not expected:
            raise SignatureError("gorgias: no webhook secret configured; refusing every delivery")
        given = tools.lowered(headers.items()).get(self.settings.secret_header.lower())
        if not tools.secret_matches(given, expected):
            raise SignatureError(
                f"gorgias: missing or wrong secret in the {self.settings.secret_header} header")

    def parse_event(self, headers: HeaderItems, body: Any) -> TicketEvent:
        """Read the flat form (``ticket_id``) or the ``{{context}}`` form (``ticket.id``).

        The event id is the message id when there is one, so the ticket-created
        and ticket-message-created calls for a first message collapse. Raises
        PayloadError naming ``ticket_id`` when it is missing or not a number.
        """
        if not isinstance(body, dict):
            raise PayloadError("gorgias: the body must be a JSON object with a ticket_id")
        ticket, message = body.get("ticket"), body.get("message")
        if isinstance(ticket, dict):
            logger.debug("gorgias delivery in the context form")
            raw_ticket = ticket.get("id")
            raw_message = message.get("id") if isinstance(message, dict) else None
        else:
            logger.debug("gorgias delivery in the flat form")
            raw_ticket, raw_message = body.get("ticket_id"), body.get("message_id")
        ticket_id = tools.identifier(raw_ticket)
        if ticket_id is None:
            raise PayloadError("gorgias: ticket_id is missing or not a numeric id "
                               "(a top-level ticket_id or ticket.id)")
        message_id = tools.identifier(raw_message)
        trigger = payloads.trigger(body)
        if trigger in payloads.EVENT_KINDS:
            kind = payloads.EVENT_KINDS[trigger]
        else:
            kind = EventKind.MESSAGE_CREATED if message_id else EventKind.TICKET_UPDATED
        event_id = (f"message:{message_id}" if message_id
                    else tools.content_id(ticket_id, trigger, body=body))
        return TicketEvent(platform=self.name, ticket_id=ticket_id, event_id=event_id, kind=kind,
                           unique_id=message_id is not None)

    # -- reading ----------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Load the ticket, its customer and every message, oldest first.

        Raises TransientError (retries spent) or PermanentError (4xx or a
        response of an unexpected shape).
        """
        path = f"/tickets/{tools.path_id(self.name, ticket_id)}"
        data = self.json(self.request("GET", path))
        if not isinstance(data, dict):
            raise PermanentError(f"gorgias: ticket {ticket_id}: response is not an object")
        messages = payloads.objects(data.get("messages"))
        if payloads.maybe_truncated(data, messages):
            by_id = {str(m.get("id")): m for m in messages}
            for page in pagination.next_cursor(
                lambda params: self.json(self.request("GET", "/messages", params=params)),
                {"ticket_id": ticket_id, "limit": _LIMIT},
                what=f"gorgias: ticket {ticket_id}'s messages", max_pages=_MAX_PAGES,
            ):
                by_id.update((str(m.get("id")), m) for m in payloads.objects(page.get("data")))
            messages = list(by_id.values())
        ai_id = self.ai_user_id()
        try:
            ticket = payloads.ticket_from_api(data, messages, ai_id, self.ticket_link(ticket_id),
                                              self._clock())
            self._remember(ticket.id, payloads.reply_route(data, messages))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PermanentError(
                f"gorgias: ticket {ticket_id}: unexpected response: {exc!r}") from exc
        return ticket

    def requester_tickets(self, ticket: Ticket, limit: int) -> list[TicketBrief]:
        """The customer's other tickets, most recently updated first, at most `limit`.

        One ``GET /api/tickets`` with ``customer_id``, ``order_by=updated_datetime:desc``
        and ``limit`` of `limit` + 1, so that `limit` remain once the ticket itself is
        dropped (only the first cursor page is read). Trashed and spam tickets are
        listed too (Gorgias' default) and read as closed. The answer is sorted again
        and cut here (`connectors.briefs`); a listed ticket without an id is skipped.
        No call for a `limit` below 1. Raises PermanentError for a customer id that is
        not numeric, a 4xx or a body without a ``data`` list, TransientError once
        retries are spent.
        """
        if limit < 1:
            return []
        customer = tools.api_int(self.name, "customer", ticket.requester.id)
        data = self.json(self.request("GET", "/tickets", params={
            "customer_id": str(customer), "limit": str(briefs.page_size(limit)),
            "order_by": "updated_datetime:desc"}, optional=True))
        now = self._clock()
        found = briefs.read_each(payloads.listed(data, "/api/tickets"),
                                 lambda raw: payloads.brief(raw, self.ticket_link, now), self.name)
        return briefs.newest_others(found, ticket.id, limit)

    def ticket_link(self, ticket_id: str) -> str:
        """The agent's view of a ticket: ``https://{domain}.gorgias.com/app/ticket/{id}``."""
        return self.settings.api_base().removesuffix("/api") + f"/app/ticket/{ticket_id}"

    def _remember(self, ticket_id: str, route: payloads.ReplyRoute) -> None:
        self._routes[ticket_id] = route
        self._routes.move_to_end(ticket_id)
        while len(self._routes) > _ROUTES_KEPT:
            self._routes.popitem(last=False)

    def ai_user_id(self) -> str:
        """The API user's id: `settings.ai_user_id`, else ``GET /api/users/0`` once.

        Raises TransientError or PermanentError if the lookup fails.
        """
        if self._ai_user_id is None:
            me = self.json(self.request("GET", "/users/0"))
            try:
                self._ai_user_id = str(me["id"])
            except (KeyError, TypeError) as exc:
                raise PermanentError("gorgias: /api/users/0 answered without an id") from exc
        return self._ai_user_id

    # -- writing ----------------------------------------------------------------

    def apply(self, ticket: Ticket, actions: Sequence[Action]) -> None:
        """Write one batch: ``PUT`` the fields, ``POST`` new tags, ``DELETE`` removed tags, then
        ``POST`` the message.

        Each call is sent only when needed. The idempotent calls go first so a
        batch retried after a failed message does not repeat the message. An
        email reply goes from the ticket's email-integration address, else from
        the account's only email integration (``GET /api/integrations``, read at
        most every 15 minutes); with no such address it is posted as an internal
        note saying why, and the batch's status change is dropped.
        Raises ValueError for two comments, PermanentError for a non-numeric id,
        and TransientError or PermanentError when a call fails.
        """
        route = payloads.complete_route(self._routes.get(ticket.id), ticket)
        if sender.needs_sender(actions, route.channel, route.ours, route.customer):
            ours, reason = sender.pick_address(self._integrations(), route.integration)
            if ours is None:
                logger.warning("gorgias ticket %s: reply posted as a draft: %s", ticket.id, reason)
                actions = sender.as_draft(actions, reason)
                # The job's own check compares the reply, so a rerun must find the draft here.
                if already_on_ticket(ticket, actions):
                    actions = tuple(a for a in actions if a.kind != "internal_note")
            route = replace(route, ours=ours)
        has_comment = any(a.kind in ("public_reply", "internal_note") for a in actions)
        ai_id = self.ai_user_id() if has_comment else ""
        writes = payloads.writes(ticket, actions, ai_id, route)
        path = f"/tickets/{tools.path_id(self.name, ticket.id)}"
        if writes.fields:
            self.request("PUT", path, json=writes.fields)
        if writes.tags:
            self.request("POST", f"{path}/tags", json={"names": writes.tags})
        if writes.removed:
            self.request("DELETE", f"{path}/tags", json={"names": writes.removed})
        if writes.message is not None:
            self.request("POST", f"{path}/messages", json=writes.message)

    def _integrations(self) -> list[dict[str, Any]]:
        """Every integration of the account, read at most once per `_INTEGRATIONS_TTL`.

        A refusal (PermanentError: the API user may not list integrations) reads as
        none, so the reply becomes a draft; TransientError passes through.
        """
        now = self._clock()
        if self._integration_list is None or now - self._integration_list[0] > _INTEGRATIONS_TTL:
            try:
                found = [item for page in pagination.next_cursor(
                    lambda params: self.json(self.request("GET", "/integrations", params=params)),
                    {"limit": _LIMIT}, what="gorgias: integrations", max_pages=_MAX_PAGES,
                ) for item in payloads.objects(page.get("data"))]
            except PermanentError as exc:
                logger.warning("gorgias: cannot list integrations: %s", exc)
                found = []
            self._integration_list = (now, found)
        return self._integration_list[1]

    def list_knowledge(self) -> list[KnowledgeDoc]:
        """Every macro with a ``setResponseText`` action, all cursor pages.

        Template variables are renamed to the engine's and rendered from the
        ticket at answer time. Raises TransientError or PermanentError.
        """
        docs = []
        try:
            for page in pagination.next_cursor(
                lambda params: self.json(self.request("GET", "/macros", params=params)),
                {"limit": _LIMIT}, what="gorgias: macros", max_pages=_MAX_PAGES,
            ):
                for macro in payloads.objects(page.get("data")):
                    text = payloads.macro_text(macro)
                    if not text or not str(macro["id"]).isdigit():
                        continue
                    title = str(macro.get("name") or f"macro {macro['id']}").strip()
                    docs.append(KnowledgeDoc(
                        id=f"gorgias-macro-{macro['id']}", title=title,
                        category=str(macro.get("intent") or "macros"), examples=(title,),
                        body=tools.neutral_placeholders(text.strip(), payloads.PLACEHOLDERS),
                        locale=locale_text(macro.get("language"))))
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"gorgias: unexpected macro response: {exc!r}") from exc
        return docs

    def install(self, public_url: str) -> InstallReport:
        """Create our HTTP integration, or find it by name and leave it (a no-op).

        An integration named `INTEGRATION_NAME` pointing elsewhere gets its URL
        updated. Without a configured webhook secret one is generated, put on
        the integration and returned in `InstallReport.secrets` (store it as
        HANDOFF_GORGIAS_WEBHOOK_SECRET). Then one test delivery checks the
        receiver (nothing queued).
        Raises PermanentError when Gorgias refuses (missing rights) or the URL
        is unusable, TransientError when it stays unreachable.
        """
        if not public_url.startswith(("http://", "https://")):
            raise PermanentError(f"gorgias: public URL {public_url!r} must start with https://")
        target = public_url.rstrip("/") + "/webhooks/gorgias"
        configured = self.settings.webhook_secret
        secret = configured.get_secret_value() if configured else ""
        # No secret yet: make one, put it on the integration and hand it to the admin.
        fresh = {} if secret else {SECRET_VARIABLE: secrets.token_urlsafe(32)}
        headers = {self.settings.secret_header: secret or fresh[SECRET_VARIABLE]}
        body = payloads.integration(INTEGRATION_NAME, target, headers)
        found = None
        for page in pagination.next_cursor(
            lambda params: self.json(self.request("GET", "/integrations", params=params)),
            {"type": "http", "limit": _LIMIT}, what="gorgias: integrations", max_pages=_MAX_PAGES,
        ):
            found = found or next((i for i in payloads.objects(page.get("data"))
                                   if i.get("name") == INTEGRATION_NAME), None)
        delivered, probe = tools.probe_receiver(self.client, target, headers, {})
        label = f"HTTP integration {INTEGRATION_NAME!r}"
        if found is None:
            self.request("POST", "/integrations", json=body)
            return InstallReport(created=(label,), instructions=probe, secrets=fresh,
                                 delivered=delivered)
        moved = (found.get("http") or {}).get("url") != target
        if tools.identifier(found.get("id")) and (moved or fresh):
            self.request("PUT", f"/integrations/{found['id']}", json=body)
            label += f" (URL updated to {target})" if moved else " (new secret header)"
        return InstallReport(existing=(label,), instructions=probe, secrets=fresh,
                             delivered=delivered)

