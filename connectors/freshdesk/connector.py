"""Freshdesk connector.

API reference: https://developers.freshdesk.com/api/
Tickets and conversations: https://developers.freshdesk.com/api/#tickets
Webhooks in automation rules: https://support.freshdesk.com/support/solutions/articles/132589
Rate limits: https://support.freshdesk.com/support/solutions/articles/225439

Freshdesk does not sign webhooks and sends no delivery id. A delivery proves
itself with our secret, in the header `settings.secret_header` or as the HTTP
basic-auth password ("Requires authentication" in the rule). With no delivery
id, the event id is a sha256 of the ticket id, ``triggered_event`` and the body.
The body carries only ids (whether placeholder text is JSON-escaped is
unconfirmed), so a customer's second reply sends the same body as the first: the
event is therefore marked as not unique (`TicketEvent.unique_id`), and the
receiver merges a repeat only into a job that has not started yet (that job
reads the whole ticket, the new reply included); once it has started, the repeat
gets a job of its own.

UNCONFIRMED in the reference, so both forms are accepted and the one seen is
logged at debug level: the Advanced JSON body wrapped in ``freshdesk_webhook``
or flat; ``ticket_id`` rendered as a string or a number. Custom statuses (6 and
up) are read as pending and logged. Article status 2 is taken as "published".
Also unconfirmed: whether a reply posted after the status is set to resolved
reopens the ticket (fields go first so a retried batch never repeats a reply).

Per processed ticket: ``GET /tickets/{id}?include=requester,conversations`` (the
first ten conversations; unconfirmed count), and only for a longer thread one
``GET /tickets/{id}/conversations`` per 100 messages; ``GET /contacts/{id}``
(tags and company, for VIP and routing), ``GET /agents/me`` once
per process when `ai_user_id` is not configured; per batch written: at most
one ``PUT /tickets/{id}`` and one ``POST .../notes`` or ``POST .../reply``; per
escalation, one ``GET /tickets?requester_id=`` for the customer record (none when
``handoff_note.other_tickets`` is 0).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx

from connectors import briefs, pagination
from connectors import webhook_tools as tools
from connectors.base import AccountConnector, HeaderItems, InstallReport
from connectors.freshdesk import payloads
from connectors.freshdesk.directory import FreshdeskDirectory
from connectors.freshdesk.export import FreshdeskExport
from core.errors import (
    PayloadError,
    PermanentError,
    SignatureError,
    TransientError,
)
from core.knowledge import KnowledgeDoc
from core.models import Action, Ticket, TicketBrief, TicketEvent
from core.settings import FreshdeskSettings

logger = logging.getLogger("connectors.freshdesk.connector")

# Freshdesk's ``include=conversations`` embeds the first ten conversations (UNCONFIRMED
# count; see docs/performance.md). Fewer than this is the whole thread.
EMBEDDED_CONVERSATIONS = 10
_PER_PAGE = "100"
# More than 300 pages of 100 is a runaway server, not a ticket.
_MAX_PAGES = 300
_PUBLISHED = 2
SECRET_VARIABLE = "HANDOFF_FRESHDESK_WEBHOOK_SECRET"  # noqa: S105 - a variable name


class FreshdeskConnector(AccountConnector[FreshdeskSettings]):
    """One Freshdesk account, reached through an injected `httpx.Client`.

    Build the client with `make_client`. Every API call goes through
    `HttpConnector.request`, so failures surface only as `core.errors` types.
    `export` and `directory` are the account's reads for ``handoff export`` and
    ``handoff check-config --online``, sent through this connector.
    """

    name: ClassVar[str] = "freshdesk"
    required_secrets: ClassVar[tuple[str, ...]] = ("api_token", "webhook_secret")

    def _prepare(self) -> None:
        self.export = FreshdeskExport(http=self)
        self.directory = FreshdeskDirectory(http=self)

    @classmethod
    def basic_auth(cls, settings: FreshdeskSettings, token: str) -> httpx.BasicAuth:
        """Freshdesk API keys: the key as the user and any password (``X``)."""
        return httpx.BasicAuth(token, "X")

    # -- webhooks ---------------------------------------------------------------

    def verify(self, headers: HeaderItems, raw_body: bytes) -> None:
        """Accept a delivery carrying our secret in the secret header or as basic-auth password.

        Raises SignatureError when no secret is configured or neither place
        holds it (compared in constant time).
        """
        secret = self.settings.webhook_secret
        expected = secret.get_secret_value() if secret else ""
        if not expected:
            raise SignatureError("freshdesk: no webhook secret configured; refusing every delivery")
        given = tools.lowered(headers.items())
        if tools.secret_matches(given.get(self.settings.secret_header.lower()), expected):
            return
        if tools.secret_matches(tools.basic_password(given.get("authorization")), expected):
            return
        raise SignatureError(f"freshdesk: missing or wrong secret in {self.settings.secret_header} "
                             "or basic auth")

    def parse_event(self, headers: HeaderItems, body: Any) -> TicketEvent:
        """Read the ``freshdesk_webhook`` wrapper or a flat body.

        Raises PayloadError naming ``ticket_id`` when it is missing or not a
        positive number, or when the body is not a JSON object.
        """
        if not isinstance(body, dict):
            raise PayloadError("freshdesk: the body must be a JSON object with a ticket_id")
        inner = body.get("freshdesk_webhook")
        form = "wrapped" if isinstance(inner, dict) else "flat"
        logger.debug("freshdesk delivery in the %s form", form)
        fields = inner if isinstance(inner, dict) else body
        ticket_id = tools.identifier(fields.get("ticket_id"))
        if ticket_id is None:
            raise PayloadError("freshdesk: ticket_id is missing or not a numeric id "
                               "(freshdesk_webhook.ticket_id or a top-level ticket_id)")
        triggered = fields.get("triggered_event")
        triggered = triggered if isinstance(triggered, str) else ""
        # Freshdesk sends no delivery id, and a customer's next reply sends the same body:
        # the id says "this body", never "this message" (merged only while not started).
        return TicketEvent(
            platform=self.name,
            ticket_id=ticket_id,
            event_id=tools.content_id(ticket_id, triggered, body=body),
            kind=payloads.event_kind(triggered),
            unique_id=False,
        )

    # -- reading ----------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Load the ticket, its requester and every conversation, oldest first.

        One read embeds the requester and the first conversations; only a thread
        that fills the embed (`EMBEDDED_CONVERSATIONS`) is read again from the
        conversations endpoint, page by page.

        Raises TransientError (retries spent) or PermanentError (4xx, a response
        of an unexpected shape, or pagination that leaves the API's host).
        """
        path = f"/tickets/{tools.path_id(self.name, ticket_id)}"
        data = self.json(self.request("GET", path,
                                      params={"include": "requester,conversations"}))
        embedded = data.get("conversations") if isinstance(data, dict) else None
        if isinstance(embedded, list) and len(embedded) < EMBEDDED_CONVERSATIONS:
            conversations = [item for item in embedded if isinstance(item, dict)]
        else:  # a full embed may have more behind it; an absent one says nothing
            conversations = [
                item for page in self._pages(f"{path}/conversations", f"ticket {ticket_id}")
                for item in page
            ]
        contact = self._contact(data.get("requester_id") if isinstance(data, dict) else None)
        ai_id = self.ai_user_id()
        try:
            return payloads.ticket_from_api(data, conversations, ai_id,
                                            self.ticket_link(ticket_id), contact)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PermanentError(
                f"freshdesk: ticket {ticket_id}: unexpected response: {exc!r}"
            ) from exc

    def _pages(self, path: str, what: str) -> list[list[dict[str, Any]]]:
        """Every page of a list endpoint, each a list of objects; PermanentError otherwise."""
        pages = []
        for response in pagination.link_header(
            lambda url, params: self.request("GET", url, params=params),
            path, {"per_page": _PER_PAGE}, base=self.client.base_url, platform=self.name,
            what=f"freshdesk: {what} {path}", max_pages=_MAX_PAGES,
        ):
            pages.append(payloads.listed(self.json(response), path))
        return pages

    def requester_tickets(self, ticket: Ticket, limit: int) -> list[TicketBrief]:
        """The requester's other recent tickets, most recently updated first, at most `limit`.

        One ``GET /tickets?requester_id=`` with ``order_by=updated_at``,
        ``order_type=desc`` and ``per_page`` of `limit` + 1, so that `limit` remain
        once the ticket itself is dropped. Recent only: without ``updated_since``
        Freshdesk lists only tickets created in the last 30 days, which is what the
        handoff note wants. The answer is sorted again and cut here
        (`connectors.briefs`); a listed ticket without an id is skipped. No call for a
        `limit` below 1. Raises PermanentError for a requester id that is not numeric,
        a 4xx or a body that is not a list, TransientError once retries are spent.
        """
        if limit < 1:
            return []
        requester = tools.api_int(self.name, "requester", ticket.requester.id)
        data = self.json(self.request("GET", "/tickets", params={
            "requester_id": str(requester), "order_by": "updated_at", "order_type": "desc",
            "per_page": str(briefs.page_size(limit))}, optional=True))
        found = briefs.read_each(payloads.listed(data, "/tickets"),
                                 lambda raw: payloads.brief(raw, self.ticket_link), self.name)
        return briefs.newest_others(found, ticket.id, limit)

    def ticket_link(self, ticket_id: str) -> str:
        """The agent's view of a ticket: ``https://{domain}.freshdesk.com/a/tickets/{id}``."""
        return self._portal() + f"/a/tickets/{ticket_id}"

    def _portal(self) -> str:
        """The account's web address (``https://{domain}.freshdesk.com``): the agent views
        and the support portal's article pages live under it."""
        return self.settings.api_base().removesuffix("/api/v2")

    def _contact(self, requester_id: Any) -> dict[str, Any]:
        """The requester's contact (tags, company): ``include=requester`` omits them.

        A contact that is gone (404) leaves the embedded requester; other
        failures raise as any call does.
        """
        if tools.identifier(requester_id) is None:
            return {}
        try:
            contact = self.json(self.request("GET", f"/contacts/{requester_id}"))
        except PermanentError as exc:
            if exc.status != 404:
                raise
            logger.info("freshdesk contact %s is gone; using the ticket's requester", requester_id)
            return {}
        return contact if isinstance(contact, dict) else {}

    def ai_user_id(self) -> str:
        """The API user's id: `settings.ai_user_id`, else ``GET /agents/me`` once.

        Raises TransientError or PermanentError if the lookup fails.
        """
        if self._ai_user_id is None:
            me = self.json(self.request("GET", "/agents/me"))
            try:
                self._ai_user_id = str(me["id"])
            except (KeyError, TypeError) as exc:
                raise PermanentError("freshdesk: /agents/me answered without an id") from exc
        return self._ai_user_id

    # -- writing ----------------------------------------------------------------

    def apply(self, ticket: Ticket, actions: Sequence[Action]) -> None:
        """Write one batch: one ``PUT /tickets/{id}`` when fields change, then the comment.

        Fields go first because repeating the PUT is harmless while repeating a
        note is not: if the comment fails, a retried batch re-sends the same PUT
        and then the comment. Tags are the ticket's plus the new ones, whole
        (Freshdesk's ``tags`` replaces the list). Raises ValueError for two
        comments, PermanentError for a non-numeric group or agent id, and
        TransientError or PermanentError when a call fails.
        """
        comment, fields = payloads.writes(ticket, actions)
        path = f"/tickets/{tools.path_id(self.name, ticket.id)}"
        if fields:
            self.request("PUT", path, json=fields)
        if comment is not None:
            endpoint, body = comment
            self.request("POST", f"{path}/{endpoint}", json=body)

    def list_knowledge(self) -> list[KnowledgeDoc]:
        """Published solution articles and canned responses, every page.

        Template variables are renamed to the engine's (`webhook_tools.
        neutral_placeholders`) and rendered from the ticket at answer time.
        Raises TransientError or PermanentError when a call fails or answers an
        unexpected shape.
        """
        docs: list[KnowledgeDoc] = []
        try:
            for category in self._all("/solutions/categories"):
                for folder in self._all(f"/solutions/categories/{category['id']}/folders"):
                    docs += [payloads.article_doc(a, category, self._portal())
                             for a in self._all(f"/solutions/folders/{folder['id']}/articles")
                             if a.get("status") == _PUBLISHED]
            for folder in self._all("/canned_response_folders"):
                path = f"/canned_response_folders/{folder['id']}/responses"
                docs += [payloads.canned_doc(r, folder) for r in self._all(path)]
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"freshdesk: unexpected knowledge response: {exc!r}") from exc
        return [d for d in docs if d.body.strip()]

    def _all(self, path: str) -> list[dict[str, Any]]:
        return [item for page in self._pages(path, "list") for item in page]

    def install(self, public_url: str) -> InstallReport:
        """Freshdesk has no webhook API for rules: say what to paste, then check it.

        Lists the automation rules of types 1 and 4 to find ours by name
        (a rule that exists is reported, not recreated), prints the settings of
        the missing ones, and sends one test delivery to the receiver (no
        ticket id, so nothing is queued) to check the URL and the secret.
        Without a configured webhook secret one is generated and returned in
        `InstallReport.secrets`, and the test delivery is skipped. Raises
        PermanentError only for an unusable `public_url`.
        """
        if not public_url.startswith(("http://", "https://")):
            raise PermanentError(f"freshdesk: public URL {public_url!r} must start with https://")
        target = public_url.rstrip("/") + "/webhooks/freshdesk"
        found = {rule for rule in payloads.RULES if rule[0] in self._rule_names(rule[1])}
        missing = [rule for rule in payloads.RULES if rule not in found]
        existing = [f"automation rule {rule[0]!r}" for rule in payloads.RULES if rule in found]
        header = self.settings.secret_header
        configured = self.settings.webhook_secret
        secret = configured.get_secret_value() if configured else ""
        # No secret yet: make one for the admin to paste into the rules and the environment.
        fresh = {} if secret else {SECRET_VARIABLE: secrets.token_urlsafe(32)}
        delivered, probe = (None, "") if fresh else tools.probe_receiver(
            self.client, target, {header: secret},
            {"freshdesk_webhook": {"triggered_event": "handoff-install-check"}},
        )
        return InstallReport(existing=tuple(existing), secrets=fresh, delivered=delivered,
                             instructions=payloads.instructions(missing, target, header) + probe)

    def _rule_names(self, rule_type: int) -> set[Any]:
        # Reading rules needs admin rights; without them every rule is listed to paste.
        try:
            return {r.get("name") for r in self._all(f"/automations/{rule_type}/rules")}
        except (PermanentError, TransientError) as exc:
            logger.info("freshdesk: cannot list automation rules (%s); listing all", exc)
            return set()
