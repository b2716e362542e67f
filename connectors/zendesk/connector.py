"""Zendesk Support connector.

API reference: https://developer.zendesk.com/api-reference/ticketing/introduction/
Tickets: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
Comments: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/
Webhook signatures: https://developer.zendesk.com/documentation/webhooks/verifying/
Cursor pagination: https://developer.zendesk.com/api-reference/introduction/pagination/

Payload shapes (JSON to models and back) live in `connectors.zendesk.payloads`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from connectors import briefs, pagination
from connectors import webhook_tools as tools
from connectors.base import AccountConnector, HeaderItems, InstallReport
from connectors.zendesk import payloads, setup
from connectors.zendesk.directory import ZendeskDirectory, every
from connectors.zendesk.export import ZendeskExport
from core.batching import already_on_ticket
from core.errors import ConflictError, PayloadError, PermanentError, SignatureError
from core.knowledge import KnowledgeDoc
from core.ladder_settings import DEFAULT_NEXT_LEVEL_TAG
from core.models import Action, EventKind, Ticket, TicketBrief, TicketEvent
from core.settings import ZendeskSettings

logger = logging.getLogger("connectors.zendesk.connector")

_EVENT_TYPE_PREFIX = "zen:event-type:"
# Zendesk keeps at most 5000 comments per ticket (50 pages of 100 audits); triggers and
# notifications add audits without comments, hence the room.
_MAX_AUDIT_PAGES = 200
# Writes of one batch under safe_update before a conflict is handed to the job's retries.
CONFLICT_TRIES = 3


class ZendeskConnector(AccountConnector[ZendeskSettings]):
    """One Zendesk account, reached through an injected `httpx.Client`.

    Build the client with `make_client`. Every API call goes through
    `HttpConnector.request`, so failures surface only as `core.errors` types.
    `export` and `directory` are the account's reads for ``handoff export`` and
    ``handoff check-config --online``, sent through this connector.
    """

    name: ClassVar[str] = "zendesk"
    required_secrets: ClassVar[tuple[str, ...]] = ("api_token", "signing_secret")
    signature_header: ClassVar[str] = "x-zendesk-webhook-signature"
    timestamp_header: ClassVar[str] = "x-zendesk-webhook-signature-timestamp"
    invocation_header: ClassVar[str] = "x-zendesk-webhook-invocation-id"

    def _prepare(self) -> None:
        self.export = ZendeskExport(http=self)
        self.directory = ZendeskDirectory(http=self)
        self._update_budget = (
            self.budget.endpoint("ticket-update", self.settings.update_ticket_budget)
            if self.budget is not None else None
        )

    @classmethod
    def basic_auth(cls, settings: ZendeskSettings, token: str) -> httpx.BasicAuth:
        """Zendesk API tokens: ``{email}/token`` as the user, the token as the password."""
        return httpx.BasicAuth(f"{settings.email}/token", token)

    # -- webhooks ---------------------------------------------------------------

    def verify(self, headers: HeaderItems, raw_body: bytes) -> None:
        """Check the HMAC signature and freshness of a delivery.

        Raises SignatureError when the secret is not configured, a header is
        missing, the timestamp is unreadable or outside the replay window, or
        the signature matches neither field order.
        """
        secret = self.settings.signing_secret
        key = secret.get_secret_value().encode() if secret else b""
        if not key:
            raise SignatureError("zendesk: no signing secret configured; refusing every delivery")
        lowered = {k.lower(): v for k, v in headers.items()}
        signature = lowered.get(self.signature_header)
        stamp = lowered.get(self.timestamp_header)
        if not signature or not stamp:
            raise SignatureError(
                f"zendesk: missing {self.signature_header} or {self.timestamp_header} header"
            )
        self._check_fresh(stamp)
        given = signature.strip().encode()
        orders = (("timestamp+body", stamp.encode() + raw_body),
                  ("body+timestamp", raw_body + stamp.encode()))
        for order, message in orders:
            expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest())
            if hmac.compare_digest(expected, given):
                # Which order production signs with is unconfirmed; the log tells us.
                level = logging.DEBUG if order == "timestamp+body" else logging.INFO
                logger.log(level, "zendesk signature matched the %s order", order)
                return
        raise SignatureError("zendesk: signature does not match the body and timestamp")

    def _check_fresh(self, stamp: str) -> None:
        try:
            sent = datetime.fromisoformat(stamp.strip())
        except ValueError as exc:
            raise SignatureError(f"zendesk: unreadable signature timestamp {stamp!r}") from exc
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        skew = abs(self._clock() - sent)
        if skew > self.replay_window:
            raise SignatureError(
                f"zendesk: signature timestamp {stamp} is {int(skew.total_seconds())} s away "
                f"from now, outside the {int(self.replay_window.total_seconds())} s window"
            )

    def parse_event(self, headers: HeaderItems, body: Any) -> TicketEvent:
        """Read a trigger body or an event-subscription body.

        Raises PayloadError naming the field when the body is not an object or
        carries no usable ``ticket_id``.
        """
        if not isinstance(body, dict):
            raise PayloadError("zendesk: the body must be a JSON object with a ticket_id")
        event_type = body.get("type")
        if isinstance(event_type, str) and event_type.startswith(_EVENT_TYPE_PREFIX):
            detail = body.get("detail")
            raw_ticket = detail.get("id") if isinstance(detail, dict) else None
            inner = body.get("event")
            comment = inner.get("comment") if isinstance(inner, dict) else None
            raw_comment = comment.get("id") if isinstance(comment, dict) else None
            kind_name = event_type.removeprefix(_EVENT_TYPE_PREFIX)
        else:
            raw_ticket = body.get("ticket_id")
            raw_comment = body.get("comment_id")
            named = body.get("event")
            kind_name = named if isinstance(named, str) else ""
        ticket_id = tools.identifier(raw_ticket)
        if ticket_id is None:
            raise PayloadError(
                "zendesk: ticket_id is missing or not a numeric id "
                "(trigger body 'ticket_id' or event 'detail.id')"
            )
        comment_id = tools.identifier(raw_comment)
        lowered = {k.lower(): v for k, v in headers.items()}
        invocation = lowered.get(self.invocation_header)
        return TicketEvent(
            platform=self.name,
            ticket_id=ticket_id,
            event_id=invocation or tools.content_id(ticket_id, comment_id or "", body=body),
            kind=payloads.EVENT_KINDS.get(kind_name, EventKind.TICKET_UPDATED),
            unique_id=bool(invocation),
        )

    # -- reading ----------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> Ticket:
        """Load the ticket, its requester and every comment, oldest first, in one call.

        ``GET /tickets/{id}/audits?include=tickets,users`` answers with the
        ticket's history (each comment is a Comment event of an audit), the
        ticket itself and the audits' authors, so a short ticket costs one call
        where Show Ticket plus List Comments cost two (Show Ticket cannot
        sideload comments). When the sideloads lack the ticket or its requester
        (a requester who never wrote, such as a ticket an agent opened for them),
        one ``GET /tickets/{id}?include=users`` fills them in. Both calls also
        sideload ``organizations`` for the requester's organisation fields (on the
        audits route UNCONFIRMED: without it the fields are empty, no call is
        added). Raises TransientError (retries spent) or PermanentError (4xx, a
        response of an unexpected shape, or pagination that leaves the API's host).
        """
        path = f"/tickets/{tools.path_id(self.name, ticket_id)}"
        users: dict[str, dict[str, Any]] = {}
        organizations: dict[str, dict[str, Any]] = {}
        comments: list[dict[str, Any]] = []
        raw: dict[str, Any] | None = None
        pages = pagination.cursor_links(
            lambda url, params: self.json(self.request("GET", url, params=params)),
            f"{path}/audits.json", {"include": "tickets,users,organizations",
                                  "page[size]": "100"},
            base=self.client.base_url, platform=self.name,
            what=f"zendesk: ticket {ticket_id}'s audits", max_pages=_MAX_AUDIT_PAGES,
        )
        try:
            for page in pages:
                users.update(payloads.users_by_id(page))
                organizations.update(payloads.sideloaded(page, "organizations"))
                comments.extend(payloads.audit_comments(payloads.items(page, "audits")))
                # Every page sideloads the ticket; the last one read is the newest.
                raw = payloads.sideloaded_ticket(page, ticket_id) or raw
            if raw is None or str(raw.get("requester_id")) not in users:
                data = self.json(self.request("GET", f"{path}.json",
                                              params={"include": "users,organizations"}))
                users.update(payloads.users_by_id(data))
                organizations.update(payloads.sideloaded(data, "organizations"))
                raw = data["ticket"]
            ticket = payloads.ticket_from_api(raw, users, comments, self.ai_user_id(),
                                              organizations)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PermanentError(
                f"zendesk: ticket {ticket_id}: unexpected response: {exc!r}"
            ) from exc
        # The agent's view, for people: notes, notifications and the admin page link to it.
        return ticket.model_copy(update={"url": self.ticket_link(ticket.id)})

    def requester_tickets(self, ticket: Ticket, limit: int) -> list[TicketBrief]:
        """The requester's other tickets, most recently updated first, at most `limit`.

        One ``GET /users/{requester_id}/tickets/requested`` (one of the documented List
        Tickets routes) with offset pagination's ``sort_by=updated_at``,
        ``sort_order=desc`` and ``per_page`` of `limit` + 1, so that `limit` remain
        once the ticket itself is dropped. The answer is sorted again and cut here
        (`connectors.briefs`); a listed ticket without an id is skipped. No call for a
        `limit` below 1. Raises PermanentError for a requester id that is not numeric,
        a 4xx or a body without a ``tickets`` list, TransientError once retries are spent.
        """
        if limit < 1:
            return []
        requester = tools.api_int(self.name, "requester", ticket.requester.id)
        data = self.json(self.request(
            "GET", f"/users/{requester}/tickets/requested.json",
            params={"sort_by": "updated_at", "sort_order": "desc",
                    "per_page": str(briefs.page_size(limit))}, optional=True))
        found = briefs.read_each(payloads.items(data, "tickets"),
                                 lambda raw: payloads.brief(raw, self.ticket_link), self.name)
        return briefs.newest_others(found, ticket.id, limit)

    def ticket_link(self, ticket_id: str) -> str:
        """The agent's view of a ticket: ``https://{subdomain}.zendesk.com/agent/tickets/{id}``."""
        return self.settings.api_base().removesuffix("/api/v2") + f"/agent/tickets/{ticket_id}"

    def ai_user_id(self) -> str:
        """The API user's id: `settings.ai_user_id`, else ``GET /users/me`` once.

        Raises TransientError or PermanentError if the lookup fails.
        """
        if self._ai_user_id is None:
            me = self.json(self.request("GET", "/users/me.json"))
            try:
                self._ai_user_id = str(me["user"]["id"])
            except (KeyError, TypeError) as exc:
                raise PermanentError("zendesk: /users/me answered without a user id") from exc
        return self._ai_user_id

    # -- writing ----------------------------------------------------------------

    def apply(self, ticket: Ticket, actions: Sequence[Action]) -> None:
        """Write one batch with a single ``PUT /tickets/{id}``; an empty batch sends nothing.

        Tags are sent as the whole merged list with ``safe_update`` and the
        ticket's ``updated_at``, so a concurrent change answers 409 instead of
        silently dropping someone else's tags. On a 409 the ticket is read again
        and the batch rebuilt on it (the other writer's tags kept), at most
        `CONFLICT_TRIES` writes in all. A 409 whose re-read already shows the
        batch's comment by us means an earlier try landed and only its answer
        was lost; the PUT is atomic, so nothing is sent again. Raises ValueError
        for a batch with two comments, ConflictError when every try met a 409,
        and TransientError or PermanentError when a call fails.
        """
        path = f"/tickets/{tools.path_id(self.name, ticket.id)}.json"
        current = ticket
        for attempt in range(1, CONFLICT_TRIES + 1):
            update = payloads.update_body(current, actions)
            if not update:
                return
            if "tags" in update and current.updated_at is not None:
                update["safe_update"] = True
                update["updated_stamp"] = payloads.iso(current.updated_at)
            try:
                self.request("PUT", path, json={"ticket": update},
                             endpoint_budget=self._update_budget)
                return
            except PermanentError as exc:
                if exc.status != 409:
                    raise
                logger.info("zendesk ticket %s changed under write %d of %d (409)",
                            ticket.id, attempt, CONFLICT_TRIES)
            if attempt < CONFLICT_TRIES:
                current = self.get_ticket(ticket.id)
                if already_on_ticket(current, tuple(actions)):
                    return
        raise ConflictError(
            f"zendesk: ticket {ticket.id} changed under each of {CONFLICT_TRIES} tries to "
            "write the batch (409 safe_update conflict, the ticket re-read between tries); "
            "nothing of it was written")

    # -- knowledge and install ----------------------------------------------------

    def list_knowledge(self) -> list[KnowledgeDoc]:
        """Published Help Center articles and active macros with a reply, every page.

        HTML becomes plain text; Zendesk placeholders such as
        ``{{ticket.requester.first_name}}`` stay for the scorer to fill per
        ticket. Raises TransientError or PermanentError when a call fails or a
        response has an unexpected shape.
        """
        docs: list[KnowledgeDoc | None] = []
        try:
            docs += [setup.article_doc(a) for a in every(self, "/help_center/articles.json",
                                                               "articles")]
            docs += [setup.macro_doc(m) for m in every(self, "/macros/active.json", "macros")]
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError(f"zendesk: unexpected knowledge item: {exc!r}") from exc
        return [doc for doc in docs if doc is not None]

    def install(self, public_url: str) -> InstallReport:
        """Find or create our webhook and the triggers that call it (new ticket or customer
        comment; the default next-level tag added), and fetch the signing secret.

        The secret is returned in `InstallReport.secrets`, never logged. A second
        run finds both and creates nothing. Raises PermanentError when Zendesk
        refuses (401/403 without admin rights, 422 for a rejected endpoint) and
        TransientError when it cannot be reached.
        """
        endpoint = f"{public_url.rstrip('/')}/webhooks/{self.name}"
        created: list[str] = []
        existing: list[str] = []
        notes: list[str] = []
        webhook = next((w for w in every(self, "/webhooks", "webhooks", {
            "filter[name_contains]": setup.WEBHOOK_NAME}) if w.get("name") == setup.WEBHOOK_NAME),
            None)
        if webhook is None:
            answer = self.json(self.request("POST", "/webhooks", json=setup.webhook_body(endpoint)))
            webhook = payloads.as_dict(answer.get("webhook"))
            created.append(f"webhook {webhook.get('id')} -> {endpoint}")
        else:
            existing.append(f"webhook {webhook.get('id')} -> {webhook.get('endpoint')}")
            if webhook.get("endpoint") != endpoint:
                notes.append(f"The existing webhook posts to {webhook.get('endpoint')}, not "
                             f"{endpoint}; change it in Admin Center if the address moved.")
        webhook_id = setup.webhook_id(webhook)
        secret = setup.signing_secret(self.json(self.request(
            "GET", f"/webhooks/{webhook_id}/signing_secret")))
        triggers = every(self, "/triggers.json", "triggers")
        wanted: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
            (setup.TRIGGER_TITLE, lambda: setup.trigger_body(webhook_id, self.ai_user_id())),
            (setup.NEXT_LEVEL_TRIGGER_TITLE, lambda: setup.next_level_trigger_body(
                webhook_id, self.ai_user_id(), DEFAULT_NEXT_LEVEL_TAG)),
        )
        for title, body in wanted:
            trigger = next((t for t in triggers if t.get("title") == title), None)
            if trigger is None:
                answer = self.json(self.request("POST", "/triggers.json", json=body()))
                trigger = payloads.as_dict(answer.get("trigger"))
                created.append(f"trigger {trigger.get('id')} '{title}'")
            else:
                existing.append(f"trigger {trigger.get('id')} '{title}'")
                if webhook_id not in setup.trigger_webhook_ids(trigger):
                    notes.append(f"The existing trigger '{title}' does not notify webhook "
                                 f"{webhook_id}; delete the trigger and run install again.")
        notes.insert(0, f"Store the webhook signing secret as {setup.SECRET_VARIABLE} in the "
                        "receiver's and workers' environment, then restart them.")
        return InstallReport(created=tuple(created), existing=tuple(existing),
                             instructions="\n".join(notes),
                             secrets={setup.SECRET_VARIABLE: secret})
