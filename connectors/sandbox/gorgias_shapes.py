"""Gorgias JSON shapes for the sandbox: tickets, messages, cursor pages, webhooks.

Pure rendering, no routes; `connectors.sandbox.gorgias_api` serves them. The
neutral store keeps Zendesk's words: Gorgias "closed" is stored as "solved",
since a reply reopens it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import uuid
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from connectors.sandbox import history
from connectors.sandbox.context import GorgiasAccount, Sandbox
from connectors.sandbox.state import SYSTEM_USER_ID, Attachment, Comment, Store, Ticket, User
from connectors.sandbox.webhooks import Outgoing

PLATFORM = "gorgias"
PREFIX = "/gorgias/api"
STATUS_NAMES = {"new": "open", "open": "open", "pending": "open", "hold": "open",
                "solved": "closed", "closed": "closed"}
STATUS_WORDS = {"open": "open", "closed": "solved"}
PRIORITY_NAMES = {"low": "low", "normal": "normal", "high": "high", "urgent": "critical"}
PRIORITY_WORDS = {name: word for word, name in PRIORITY_NAMES.items()}
INTERNAL_NOTE = "internal-note"
# An embedded list this long is cut, like the API's default page, so clients must page.
EMBEDDED_MESSAGES = 30
MAX_LIMIT = 100
SUPPORT = {"address": "support@sandbox.invalid", "name": "Sandbox Support"}


def error(status: int, message: str, data: dict[str, Any] | None = None
          ) -> tuple[Response, int]:
    """A Gorgias-shaped error: ``{"error": {"msg", "data"}}``."""
    return jsonify({"error": {"msg": message, "data": data or {}}}), status


def authorized(account: GorgiasAccount | None) -> bool:
    """Whether the request carries ``{email}:{api_key}`` Basic auth."""
    auth = request.authorization
    return (account is not None and auth is not None and auth.type == "basic"
            and hmac.compare_digest(str(auth.username or ""), account.email)
            and hmac.compare_digest(str(auth.password or ""), account.api_token))


def stamp(moment: datetime | None) -> str | None:
    """Gorgias' timestamp format (ISO 8601 with microseconds and offset), or None."""
    return None if moment is None else moment.isoformat(timespec="microseconds")


def user_json(user: User | None, user_id: int) -> dict[str, Any]:
    """A user or customer reference."""
    if user is None:
        return {"id": user_id, "email": None, "name": None}
    first, _, last = user.name.partition(" ")
    return {"id": user.id, "email": user.email, "name": user.name, "firstname": first,
            "lastname": last}


def customer_json(user: User | None, user_id: int) -> dict[str, Any]:
    """The customer embedded in a ticket: the reference plus creation time and ``data``."""
    if user is None:
        return user_json(user, user_id)
    return {**user_json(user, user_id), "external_id": user.external_id,
            "created_datetime": stamp(user.created_at), "data": dict(user.fields),
            "language": user.locale}


def email_integration(integration_id: int) -> dict[str, Any]:
    """The account's email integration (``GET /api/integrations``): the support address."""
    return {"id": integration_id, "type": "email", "name": SUPPORT["name"],
            "meta": {"address": SUPPORT["address"]}, "deactivated_datetime": None,
            "uri": f"/api/integrations/{integration_id}/"}


def _email_integration_id(store: Store) -> int | None:
    return next((i["id"] for i in store.integrations.get(PLATFORM, [])
                 if i.get("type") == "email"), None)


def message_json(store: Store, ticket: Ticket, comment: Comment) -> dict[str, Any]:
    """A message; private comments are internal notes, the system's come ``via`` a rule.

    Email messages name the email integration (``integration_id``) while it exists;
    an API reply shows the ``from`` address it was posted with."""
    role = store.role_of(PLATFORM, comment.author_id)
    sender = store.users.get((PLATFORM, comment.author_id))
    customer = store.users.get((PLATFORM, ticket.requester_id))
    channel = ticket.channel if comment.public else INTERNAL_NOTE
    support = dict(SUPPORT)
    if comment.sender_address is not None:
        support = {"address": comment.sender_address, "name": ""}
    them = {"address": customer.email if customer else None,
            "name": customer.name if customer else None}
    via = {"customer": ticket.channel, "ai": "api", "system": "rule"}.get(role, "helpdesk")
    return {
        "id": comment.id,
        "ticket_id": ticket.id,
        "channel": channel,
        "via": via,
        "from_agent": role != "customer",
        "public": comment.public,
        "sender": user_json(sender, comment.author_id),
        "receiver": None,
        "source": {"type": channel, "from": them if role == "customer" else support,
                   "to": [support if role == "customer" else them]},
        "subject": ticket.subject,
        "body_text": comment.body,
        "body_html": comment.html_body,
        "stripped_text": comment.body,
        "attachments": [attachment_json(a) for a in comment.attachments],
        "integration_id": _email_integration_id(store) if channel == "email" else None,
        "created_datetime": stamp(comment.created_at),
        "sent_datetime": stamp(comment.created_at),
        "failed_datetime": None,
    }


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    """A file as a message lists it."""
    return {"url": attachment.address(request.url_root), "name": attachment.name,
            "size": attachment.size, "content_type": attachment.content_type}


def ticket_json(store: Store, ticket: Ticket) -> dict[str, Any]:
    """A ticket as ``GET /api/tickets/{id}`` renders it, at most 30 messages embedded."""
    customer = store.users.get((PLATFORM, ticket.requester_id))
    return {
        "id": ticket.id,
        "uri": f"/api/tickets/{ticket.id}/",
        "external_id": ticket.external_id,
        "status": STATUS_NAMES[ticket.status],
        "priority": PRIORITY_NAMES.get(ticket.priority or "normal", "normal"),
        "channel": ticket.channel,
        "via": ticket.channel,
        "spam": False,
        "customer": customer_json(customer, ticket.requester_id),
        "assignee_user": None if ticket.assignee_id is None else {"id": ticket.assignee_id},
        "assignee_team": None if ticket.group_id is None else {"id": ticket.group_id},
        "subject": ticket.subject,
        "tags": [{"id": i + 1, "name": t} for i, t in enumerate(ticket.tags)],
        "messages": [message_json(store, ticket, c)
                     for c in ticket.comments[:EMBEDDED_MESSAGES]],
        "snooze_datetime": None,
        "trashed_datetime": None,
        "created_datetime": stamp(ticket.created_at),
        "updated_datetime": stamp(ticket.updated_at),
        "satisfaction_survey": history.gorgias_survey(ticket),
    }


def cursor(offset: int) -> str:
    """An opaque cursor for the item at `offset`."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def uncursor(value: str) -> int:
    """The offset in a cursor; ValueError when it is not one of ours."""
    try:
        kind, _, offset = base64.urlsafe_b64decode(value.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(value) from exc
    if kind != "o" or not offset.isdigit():
        raise ValueError(value)
    return int(offset)


def page(items: list[Any]) -> tuple[Response, int] | Response:
    """One cursor page: ``{"data", "meta": {"next_cursor", "prev_cursor"}}``."""
    try:
        limit = int(request.args.get("limit", "30"))
        start = uncursor(request.args["cursor"]) if "cursor" in request.args else 0
    except ValueError:
        return error(400, "Invalid cursor or limit")
    if not 1 <= limit <= MAX_LIMIT:
        return error(400, f"limit must be between 1 and {MAX_LIMIT}")
    following = cursor(start + limit) if start + limit < len(items) else None
    return jsonify({"data": items[start:start + limit], "object": "list",
                    "meta": {"next_cursor": following,
                             "prev_cursor": cursor(max(0, start - limit)) if start else None}})


def webhook(sandbox: Sandbox, ticket: Ticket, event: str) -> Outgoing:
    """The HTTP integration's call, with the form `install` sets up and our secret header."""
    account = sandbox.gorgias
    assert account is not None  # control refuses platforms the sandbox does not play
    latest = next((c.id for c in reversed(ticket.comments)
                   if c.author_id != SYSTEM_USER_ID), None)
    body = json.dumps({"ticket_id": str(ticket.id),
                       "message_id": "" if latest is None else str(latest)}).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Gorgias",
               account.secret_header: account.webhook_secret}
    return Outgoing(PLATFORM, str(ticket.id), event, "/webhooks/gorgias", body, headers,
                    str(uuid.uuid4()))
