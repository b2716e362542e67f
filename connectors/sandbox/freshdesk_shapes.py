"""Freshdesk JSON shapes for the sandbox: tickets, conversations, pages, webhooks.

Pure rendering, no routes; `connectors.sandbox.freshdesk_api` serves them. The
neutral store keeps Zendesk's words; Freshdesk speaks integers.
"""

from __future__ import annotations

import hmac
import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from connectors.sandbox.context import FreshdeskAccount, Sandbox
from connectors.sandbox.state import (
    SYSTEM_USER_ID,
    Attachment,
    Comment,
    Store,
    Ticket,
    User,
    api_id,
)
from connectors.sandbox.webhooks import Outgoing

PLATFORM = "freshdesk"
PREFIX = "/freshdesk/api/v2"
STATUS_CODES = {"new": 2, "open": 2, "pending": 3, "hold": 3, "solved": 4, "closed": 5}
STATUS_WORDS = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
STATUS_LABELS = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITY_CODES = {"low": 1, "normal": 2, "high": 3, "urgent": 4}
PRIORITY_WORDS = {code: word for word, code in PRIORITY_CODES.items()}
PRIORITY_LABELS = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
SOURCES = {"email": 1, "web": 2, "portal": 2, "phone": 3, "chat": 7}
MAX_PER_PAGE = 100


def error(status: int, description: str, errors: list[dict[str, str]] | None = None
          ) -> tuple[Response, int]:
    """A Freshdesk-shaped error: ``{"description", "errors": [{"field", "message", "code"}]}``."""
    body: dict[str, Any] = {"description": description}
    if errors is not None:
        body["errors"] = errors
    return jsonify(body), status


def invalid(field: str, message: str) -> dict[str, str]:
    """One entry of a validation error's ``errors`` list."""
    return {"field": field, "message": message, "code": "invalid_value"}


def authorized(account: FreshdeskAccount | None) -> bool:
    """Whether the request carries the API key as the basic-auth username."""
    auth = request.authorization
    return (account is not None and auth is not None and auth.type == "basic"
            and hmac.compare_digest(str(auth.username or ""), account.api_token))


def stamp(moment: datetime | None) -> str | None:
    """Freshdesk's UTC timestamp format, or None."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket_json(store: Store, ticket: Ticket, *, include_requester: bool) -> dict[str, Any]:
    """A ticket as ``GET /tickets/{id}`` renders it; the first comment is the description,
    its files the ticket's ``attachments``."""
    first = ticket.comments[0] if ticket.comments else None
    answer: dict[str, Any] = {
        "id": ticket.id,
        "subject": ticket.subject,
        "description": first.html_body if first else "",
        "description_text": first.body if first else "",
        "status": STATUS_CODES[ticket.status],
        "priority": PRIORITY_CODES.get(ticket.priority or "normal", 2),
        "source": SOURCES.get(ticket.channel, 2),
        "type": ticket.type,
        "requester_id": ticket.requester_id,
        "responder_id": ticket.assignee_id,
        "group_id": ticket.group_id,
        "company_id": ticket.organization_id,
        "product_id": api_id(ticket.brand),
        "tags": list(ticket.tags),
        "fr_escalated": False,
        "is_escalated": False,
        "spam": False,
        "fr_due_by": stamp(ticket.due_at),
        "due_by": stamp(ticket.due_at),
        "custom_fields": {},
        "attachments": [attachment_json(a, first) for a in first.attachments] if first else [],
        "created_at": stamp(ticket.created_at),
        "updated_at": stamp(ticket.updated_at),
    }
    if ticket.form is not None:
        # Ticket forms exist (GET /ticket-forms); their id on a ticket is UNCONFIRMED.
        answer["form_id"] = api_id(ticket.form)
    if include_requester:
        user = store.users.get((PLATFORM, ticket.requester_id))
        answer["requester"] = contact_json(user) if user else None
    return answer


def contact_json(user: User) -> dict[str, Any]:
    """A contact (or agent's contact) as Freshdesk renders it."""
    return {"id": user.id, "name": user.name, "email": user.email, "mobile": None,
            "phone": None}


def full_contact_json(user: User) -> dict[str, Any]:
    """A contact as ``GET /contacts/{id}`` renders it: tags, company, custom fields, times."""
    return {**contact_json(user), "tags": list(user.tags), "company_id": user.organization_id,
            "active": True, "custom_fields": dict(user.fields), "language": user.locale,
            "created_at": stamp(user.created_at), "updated_at": stamp(user.created_at)}


def conversation_json(store: Store, ticket: Ticket, comment: Comment) -> dict[str, Any]:
    """A conversation entry; the system's comments carry no user and the survey source."""
    role = store.role_of(PLATFORM, comment.author_id)
    system = comment.author_id == SYSTEM_USER_ID
    return {
        "id": comment.id,
        "body": comment.html_body,
        "body_text": comment.body,
        "incoming": role == "customer",
        "private": not comment.public,
        "user_id": None if system else comment.author_id,
        "support_email": None,
        "source": 6 if system else (0 if comment.public else 2),
        "ticket_id": ticket.id,
        "to_emails": [],
        "attachments": [attachment_json(a, comment) for a in comment.attachments],
        "created_at": stamp(comment.created_at),
        "updated_at": stamp(comment.created_at),
    }


def attachment_json(attachment: Attachment, comment: Comment) -> dict[str, Any]:
    """A file on a ticket or conversation, uploaded with `comment`."""
    return {
        "id": attachment.id,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "attachment_url": attachment.address(request.url_root),
        "created_at": stamp(comment.created_at),
        "updated_at": stamp(comment.created_at),
    }


def paged(items: list[Any]) -> tuple[Response, int] | Response:
    """One page of `items` by ``page``/``per_page``, with ``Link: rel="next"`` when more."""
    try:
        page = int(request.args.get("page", "1"))
        per_page = int(request.args.get("per_page", "30"))
    except ValueError:
        return error(400, "Validation failed", [invalid("page", "must be a number")])
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        return error(400, "Validation failed",
                     [invalid("per_page", f"must be between 1 and {MAX_PER_PAGE}")])
    chunk = items[(page - 1) * per_page:page * per_page]
    answer = jsonify(chunk)
    if page * per_page < len(items):
        query = {**request.args.to_dict(), "page": str(page + 1), "per_page": str(per_page)}
        answer.headers["Link"] = f'<{request.base_url}?{urlencode(query)}>; rel="next"'
    return answer


def webhook(sandbox: Sandbox, ticket: Ticket, event: str) -> Outgoing:
    """The Advanced JSON body our automation rules send, with the secret header."""
    account = sandbox.freshdesk
    assert account is not None  # control refuses platforms the sandbox does not play
    code = STATUS_CODES[ticket.status]
    requester = sandbox.store.users.get((PLATFORM, ticket.requester_id))
    triggered = "{ticket_action:created}" if event == "ticket_created" else "{reply_sent:sent}"
    body = json.dumps({"freshdesk_webhook": {
        "triggered_event": triggered,
        "ticket_id": str(ticket.id),
        "ticket_subject": ticket.subject,
        "ticket_status": STATUS_LABELS[code],
        "ticket_priority": PRIORITY_LABELS[PRIORITY_CODES.get(ticket.priority or "normal", 2)],
        "requester_email": requester.email if requester else "",
    }}).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Freshdesk",
               account.secret_header: account.webhook_secret}
    return Outgoing(PLATFORM, str(ticket.id), event, "/webhooks/freshdesk", body, headers,
                    str(uuid.uuid4()))
