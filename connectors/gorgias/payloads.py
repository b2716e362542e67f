"""Gorgias payload shapes, both ways: API JSON to `core.models` and back.

Pure functions used by `connectors.gorgias.connector`; nothing here does I/O. Readers of
API responses raise KeyError, TypeError or ValueError on a shape they cannot
use, which the connector turns into PermanentError.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors import briefs
from connectors.fields import attachments, locale_text, text_fields
from connectors.markup import to_html, to_plain, to_text
from connectors.webhook_tools import api_int
from core.errors import PermanentError
from core.models import (
    Action,
    AddTags,
    Assign,
    EventKind,
    InternalNote,
    Message,
    Priority,
    PublicReply,
    RemoveTags,
    Requester,
    Role,
    SetPriority,
    SetStatus,
    Status,
    Ticket,
    TicketBrief,
)

logger = logging.getLogger("connectors.gorgias.connector")

PLATFORM = "gorgias"
PRIORITIES = {"critical": Priority.URGENT, "high": Priority.HIGH, "normal": Priority.NORMAL,
              "low": Priority.LOW}
PRIORITY_NAMES = {p: name for name, p in PRIORITIES.items()}
# Gorgias has only open and closed; a closed ticket reopens on a reply, like "solved".
STATUS_NAMES = {Status.NEW: "open", Status.OPEN: "open", Status.PENDING: "open",
                Status.SOLVED: "closed", Status.CLOSED: "closed"}
EVENT_KINDS = {
    "ticket-created": EventKind.TICKET_CREATED,
    "ticket_created": EventKind.TICKET_CREATED,
    "ticket-message-created": EventKind.MESSAGE_CREATED,
    "ticket_message_created": EventKind.MESSAGE_CREATED,
}
INTERNAL_NOTE = "internal-note"
# The API's default page size: an embedded list this long may have been cut.
EMBEDDED_LIMIT = 30
_SYSTEM_VIA = frozenset({"rule", "system"})
PLACEHOLDERS = {
    "ticket.customer.name": "requester.name",
    "ticket.customer.firstname": "requester.first_name",
    "ticket.customer.first_name": "requester.first_name",
    "ticket.customer.email": "requester.email",
    "ticket.id": "ticket.id",
    "ticket.subject": "ticket.subject",
}


@dataclass(frozen=True)
class Writes:
    """The calls one batch needs: ticket fields, tags to add, the message, tags to remove."""

    fields: dict[str, Any]
    tags: list[str]
    message: dict[str, Any] | None
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReplyRoute:
    """Where a public email reply goes: our address (None: not known yet), the customer's,
    and the email integration a message of the ticket named."""

    channel: str
    ours: dict[str, str] | None
    customer: dict[str, str] | None
    integration: int | None = None


def writes(ticket: Ticket, actions: Sequence[Action], ai_id: str, route: ReplyRoute) -> Writes:
    """Translate one batch. Raises ValueError for two comments and PermanentError
    for a non-numeric team or user id."""
    fields: dict[str, Any] = {}
    added: list[str] = []
    removed: list[str] = []
    message: dict[str, Any] | None = None
    for action in actions:
        if isinstance(action, PublicReply | InternalNote):
            if message is not None:
                raise ValueError("gorgias: a batch holds at most one comment; "
                                 "split actions with core.batching.batches")
            message = _message_body(ticket, action, ai_id, route)
        elif isinstance(action, AddTags):
            added.extend(action.tags)
        elif isinstance(action, RemoveTags):
            removed.extend(action.tags)
        elif isinstance(action, Assign):
            if action.group is not None:
                fields["assignee_team"] = {"id": api_int(PLATFORM, "group", action.group)}
            if action.assignee is not None:
                fields["assignee_user"] = {"id": api_int(PLATFORM, "assignee", action.assignee)}
        elif isinstance(action, SetStatus):
            fields["status"] = STATUS_NAMES[action.status]
        elif isinstance(action, SetPriority):
            fields["priority"] = PRIORITY_NAMES[action.priority]
    new_tags = [t for t in dict.fromkeys(added) if t not in ticket.tags and t not in removed]
    gone = [t for t in dict.fromkeys(removed) if t in ticket.tags]
    return Writes(fields, new_tags, message, gone)


def _message_body(
    ticket: Ticket, action: PublicReply | InternalNote, ai_id: str, route: ReplyRoute
) -> dict[str, Any]:
    body: dict[str, Any] = {"via": "api", "from_agent": True,
                            "sender": {"id": api_int(PLATFORM, "ai user", ai_id)},
                            "body_html": to_html(action.body), "body_text": to_plain(action.body)}
    if isinstance(action, InternalNote):
        return {"channel": INTERNAL_NOTE, **body}
    body = {"channel": route.channel, **body}
    if ticket.requester.id.isdigit():
        body["receiver"] = {"id": int(ticket.requester.id)}
    if route.channel == "email" and route.customer is not None:
        body["subject"] = ticket.subject if ticket.subject.lower().startswith("re:") else (
            f"Re: {ticket.subject}")
        body["source"] = {"type": "email", "from": route.ours or {}, "to": [route.customer]}
    # No sent_datetime: setting it would import the message without sending it.
    return body


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _required_time(value: Any) -> datetime:
    moment = _time(value)
    if moment is None:
        raise ValueError(f"not a time: {value!r}")
    return moment


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id_of(value: Any) -> str | None:
    found = value.get("id") if isinstance(value, dict) else None
    return None if found is None else str(found)


def status_of(raw: dict[str, Any], now: datetime) -> Status:
    """Closed reads as solved; spam or trashed as closed; a future snooze as pending."""
    if raw.get("spam") or raw.get("trashed_datetime"):
        return Status.CLOSED
    snoozed = _time(raw.get("snooze_datetime"))
    if snoozed is not None and snoozed > now:
        return Status.PENDING
    return Status.SOLVED if raw.get("status") == "closed" else Status.OPEN


def ticket_from_api(
    raw: dict[str, Any], messages: list[dict[str, Any]], ai_id: str, url: str, now: datetime
) -> Ticket:
    """Map ``GET /api/tickets/{id}`` and its messages to a `Ticket`.

    Raises KeyError, TypeError or ValueError (pydantic's ValidationError
    included) on a malformed field.
    """
    customer = _obj(raw.get("customer"))
    requester_id = str(customer["id"]) if customer else str(raw["customer_id"])
    ordered = sorted(messages, key=lambda m: (str(m.get("created_datetime") or ""),
                                              int(m.get("id") or 0)))
    name = customer.get("name") or " ".join(
        p for p in (customer.get("firstname"), customer.get("lastname")) if p) or None
    return Ticket(
        id=str(raw["id"]),
        platform=PLATFORM,
        subject=raw.get("subject") or "",
        status=status_of(raw, now),
        priority=PRIORITIES.get(str(raw.get("priority"))),
        tags=tuple(str(t["name"]) for t in raw.get("tags") or () if isinstance(t, dict)),
        channel=raw.get("channel"),
        group=_id_of(raw.get("assignee_team")),
        assignee=_id_of(raw.get("assignee_user")),
        requester=Requester(
            id=requester_id, email=customer.get("email"), name=name,
            created_at=_time(customer.get("created_datetime")),
            # `data` is the customer's documented key-value data; `meta` is read the same way.
            fields={**text_fields(customer.get("meta")), **text_fields(customer.get("data"))},
            locale=locale_text(customer.get("language"))),
        messages=tuple(_message(m, ai_id) for m in ordered),
        url=url,
        updated_at=_time(raw.get("updated_datetime")),
        locale=locale_text(raw.get("language")),
    )


def brief(raw: dict[str, Any], link: Callable[[str], str], now: datetime) -> TicketBrief:
    """One ticket of ``GET /api/tickets`` as a `TicketBrief`, linked with `link(id)`; a null
    or missing subject or ``updated_datetime`` is left empty.

    Raises KeyError when the ticket has no numeric ``id`` and ValueError for an
    ``updated_datetime`` that is not a time.
    """
    return briefs.brief(raw, status_of(raw, now), _time(raw.get("updated_datetime")), link)


def listed(data: Any, what: str) -> list[dict[str, Any]]:
    """The objects of a list answer's ``data``; PermanentError naming `what` when the body
    is not ``{"data": [...], ...}``."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise PermanentError(f"gorgias: {what} answered without a 'data' list")
    return objects(items)


def maybe_truncated(data: dict[str, Any], messages: list[dict[str, Any]]) -> bool:
    """Whether the embedded messages may not be all of them (logged at debug level)."""
    count = data.get("messages_count")
    if "messages" not in data:
        reason = "no embedded messages"
    elif isinstance(count, int):
        reason = f"messages_count {count} > {len(messages)}" if count > len(messages) else ""
    elif len(messages) >= EMBEDDED_LIMIT:
        reason = f"{len(messages)} embedded messages, maybe cut"
    else:
        reason = ""
    if reason:
        logger.debug("gorgias ticket %s: listing messages (%s)", data.get("id"), reason)
    return bool(reason)


def complete_route(route: ReplyRoute | None, ticket: Ticket) -> ReplyRoute:
    """`route` (read with the ticket), else the ticket's channel and the requester's
    address; our sending address stays None when the ticket did not name it."""
    if route is not None:
        return route
    customer = ({"address": ticket.requester.email, "name": ticket.requester.name or ""}
                if ticket.requester.email else None)
    return ReplyRoute(ticket.channel or "email", None, customer)


def reply_route(raw: dict[str, Any], messages: list[dict[str, Any]]) -> ReplyRoute:
    """Where a reply goes, from the ticket's own email messages, newest first.

    Our address is the one the customer last wrote to, else the one an agent's email
    went out from (a ticket an agent started); messages posted through the API are
    skipped, since their sender is whatever the caller said. The customer's is their
    last message's sender, else the ticket's customer. `integration` is the newest
    ``integration_id`` an email message carries.
    """
    channel = str(raw.get("channel") or "email")
    ours = theirs = from_agent = None
    integration: int | None = None
    for message in reversed(messages):
        source = message.get("source")
        if message.get("channel") != "email" or not isinstance(source, dict):
            continue
        if integration is None and isinstance(message.get("integration_id"), int):
            integration = message["integration_id"]
        sender, to = _address(source.get("from")), source.get("to")
        first = _address(to[0]) if isinstance(to, list) and to else None
        if not message.get("from_agent") and theirs is None and sender is not None:
            ours, theirs = first, sender
        elif message.get("from_agent") and message.get("via") != "api" and from_agent is None:
            from_agent = sender
    if theirs is None:
        customer = _obj(raw.get("customer"))
        theirs = _address({"address": customer.get("email"), "name": customer.get("name")})
    return ReplyRoute(channel, ours or from_agent, theirs, integration)


def _address(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not value.get("address"):
        return None
    return {"address": str(value["address"]), "name": str(value.get("name") or "")}


def _message(raw: dict[str, Any], ai_id: str) -> Message:
    body_html = raw.get("body_html")
    return Message(
        id=None if raw.get("id") is None else str(raw["id"]),
        author=role(raw, ai_id),
        public=raw.get("channel") != INTERNAL_NOTE and raw.get("public", True) is not False,
        text=raw.get("stripped_text") or raw.get("body_text") or to_text(body_html or ""),
        html=body_html,
        created_at=_required_time(raw["created_datetime"]),
        attachments=attachments(raw.get("attachments"), "url"),
    )


def role(raw: dict[str, Any], ai_id: str) -> Role:
    """The author of a message: our API user, the customer, a rule, or an agent."""
    if _id_of(raw.get("sender")) == ai_id:
        return Role.AI
    if raw.get("via") in _SYSTEM_VIA:
        return Role.SYSTEM
    if raw.get("from_agent") is False:
        return Role.CUSTOMER
    return Role.AGENT


def macro_text(macro: dict[str, Any]) -> str | None:
    """The reply text of a macro's ``setResponseText`` action, or None."""
    for action in macro.get("actions") or ():
        if isinstance(action, dict) and action.get("name") == "setResponseText":
            arguments = action.get("arguments")
            if isinstance(arguments, dict):
                text = arguments.get("body_text") or to_text(arguments.get("body_html") or "")
                return str(text) if text else None
    return None


def integration(name: str, target: str, headers: dict[str, str]) -> dict[str, Any]:
    """Our HTTP integration: the receiver URL, the secret header, ids-only form, triggers."""
    return {
        "name": name, "type": "http",
        "http": {
            "url": target, "method": "POST",
            "request_content_type": "application/json",
            "response_content_type": "application/json",
            "headers": headers,
            "form": {"ticket_id": "{{ticket.id}}", "message_id": "{{ticket.messages[-1].id}}"},
            "triggers": {"ticket-created": True, "ticket-message-created": True},
        },
    }


def trigger(body: dict[str, Any]) -> str:
    """The trigger name a delivery carries, if any (``event``, ``trigger`` or ``type``)."""
    event = body.get("event", body.get("trigger", body.get("type")))
    if isinstance(event, dict):
        event = event.get("type")
    return event if isinstance(event, str) else ""


def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of a list, or none when `value` is not a list."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
