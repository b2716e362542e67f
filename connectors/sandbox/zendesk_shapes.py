"""Zendesk JSON shapes for the sandbox: tickets, users, comments, cursors, webhooks.

Pure rendering, no routes; `connectors.sandbox.zendesk_api` serves them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from connectors.sandbox import history
from connectors.sandbox.context import Sandbox, ZendeskAccount
from connectors.sandbox.state import (
    Attachment,
    Comment,
    Organization,
    Ticket,
    User,
    api_id,
    now,
)
from connectors.sandbox.webhooks import Outgoing

PLATFORM = "zendesk"
PREFIX = "/zendesk/api/v2"


def error(status: int, error: str, description: str, **extra: Any) -> tuple[Response, int]:
    """A Zendesk-shaped error answer: ``{"error", "description", ...extra}``."""
    return jsonify({"error": error, "description": description, **extra}), status


def authorized(account: ZendeskAccount) -> bool:
    """Whether the request carries the account's API-token Basic auth."""
    auth = request.authorization
    return (
        auth is not None
        and auth.type == "basic"
        and hmac.compare_digest(str(auth.username or ""), f"{account.email}/token")
        and hmac.compare_digest(str(auth.password or ""), account.api_token)
    )


def stamp(moment: datetime | None) -> str | None:
    """Zendesk's UTC timestamp format, or None."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket as the Zendesk API renders it."""
    first = ticket.comments[0].body if ticket.comments else ""
    return {
        "id": ticket.id,
        "url": f"{request.url_root.rstrip('/')}{PREFIX}/tickets/{ticket.id}.json",
        "external_id": ticket.external_id,
        "type": ticket.type,
        "subject": ticket.subject,
        "raw_subject": ticket.subject,
        "description": first,
        "priority": ticket.priority,
        "status": ticket.status,
        "requester_id": ticket.requester_id,
        "submitter_id": ticket.requester_id,
        "assignee_id": ticket.assignee_id,
        "organization_id": ticket.organization_id,
        "group_id": ticket.group_id,
        "brand_id": api_id(ticket.brand),
        "ticket_form_id": api_id(ticket.form),
        "tags": list(ticket.tags),
        "via": {"channel": ticket.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "custom_fields": [],
        "due_at": stamp(ticket.due_at),
        "created_at": stamp(ticket.created_at),
        "updated_at": stamp(ticket.updated_at),
        "satisfaction_rating": history.zendesk_rating(ticket),
    }


def user_json(user: User) -> dict[str, Any]:
    """A user as the Zendesk API renders it."""
    return {
        "id": user.id,
        "url": f"{request.url_root.rstrip('/')}{PREFIX}/users/{user.id}.json",
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "tags": list(user.tags),
        "organization_id": user.organization_id,
        "user_fields": dict(user.fields),
        "external_id": user.external_id,
        "locale": user.locale,
        "active": True,
        "created_at": stamp(user.created_at),
        "updated_at": stamp(user.created_at),
    }


def comment_json(comment: Comment) -> dict[str, Any]:
    """A comment as the Zendesk API renders it."""
    return {
        "id": comment.id,
        "type": "Comment",
        "author_id": comment.author_id,
        "body": comment.body,
        "html_body": comment.html_body,
        "plain_body": comment.body,
        "public": comment.public,
        "attachments": [attachment_json(a) for a in comment.attachments],
        "via": {"channel": comment.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "metadata": {},
        "created_at": stamp(comment.created_at),
    }


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    """A file as a comment lists it (``content_url`` is where to fetch it)."""
    return {
        "id": attachment.id,
        "file_name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "content_url": attachment.address(request.url_root),
        "inline": False,
    }


def audit_json(ticket: Ticket, comment: Comment) -> dict[str, Any]:
    """The audit that added `comment`: Zendesk's Comment event carries no time or channel."""
    event = {key: value for key, value in comment_json(comment).items()
             if key not in ("created_at", "via", "metadata")}
    return {
        "id": comment.id + 500_000,
        "ticket_id": ticket.id,
        "author_id": comment.author_id,
        "created_at": stamp(comment.created_at),
        "via": {"channel": comment.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "metadata": {"system": {}, "custom": {}},
        "events": [{**event, "audit_id": comment.id + 500_000}],
    }


def users(sandbox: Sandbox, ids: list[int]) -> list[dict[str, Any]]:
    """The sideload of these users, once each, skipping unknown ids (the system, -1)."""
    found = (sandbox.store.users.get((PLATFORM, i)) for i in dict.fromkeys(ids))
    return [user_json(u) for u in found if u is not None]


def included(name: str) -> bool:
    """Whether ``include=`` asks for the `name` sideload."""
    return name in request.args.get("include", "").split(",")


def organizations(sandbox: Sandbox, ids: list[int | None]) -> list[dict[str, Any]]:
    """The ``organizations`` sideload for these ids, once each, skipping None and unknown ids."""
    found = (sandbox.store.organizations.get((PLATFORM, i)) for i in dict.fromkeys(ids)
             if i is not None)
    return [organization_json(o) for o in found if o is not None]


def organization_json(organization: Organization) -> dict[str, Any]:
    """An organisation as the Zendesk API renders it."""
    return {
        "id": organization.id,
        "url": f"{request.url_root.rstrip('/')}{PREFIX}/organizations/{organization.id}.json",
        "name": organization.name,
        "external_id": None,
        "domain_names": [],
        "details": "",
        "notes": "",
        "group_id": None,
        "shared_tickets": False,
        "shared_comments": False,
        "tags": [],
        "organization_fields": dict(organization.fields),
        "created_at": stamp(organization.created_at),
        "updated_at": stamp(organization.created_at),
    }


def not_found() -> tuple[Response, int]:
    """Zendesk's 404 answer."""
    return error(404, "RecordNotFound", "Not found")


def cursor(comment_id: int) -> str:
    """An opaque cursor pointing just after `comment_id`."""
    return base64.urlsafe_b64encode(f"c:{comment_id}".encode()).decode()


def uncursor(cursor: str) -> int:
    """The comment id in a cursor; ValueError when it is not one of ours."""
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(cursor) from exc
    if kind != "c" or not value.isdigit():
        raise ValueError(cursor)
    return int(value)


def webhook(sandbox: Sandbox, ticket: Ticket, event: str) -> Outgoing:
    """A trigger-style webhook for `ticket`, signed as Zendesk signs it."""
    latest = ticket.comments[-1].id if ticket.comments else None
    body = json.dumps({"ticket_id": str(ticket.id),
                       "comment_id": "" if latest is None else str(latest),
                       "event": event}).encode()
    sent_at = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    key = sandbox.zendesk.signing_secret.encode()
    signature = base64.b64encode(hmac.new(key, sent_at.encode() + body, hashlib.sha256).digest())
    invocation = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Zendesk Webhook",
        "x-zendesk-account-id": sandbox.zendesk.account_id,
        "x-zendesk-webhook-id": sandbox.zendesk.webhook_id,
        "x-zendesk-webhook-invocation-id": invocation,
        "x-zendesk-webhook-signature": signature.decode(),
        "x-zendesk-webhook-signature-timestamp": sent_at,
    }
    return Outgoing(PLATFORM, str(ticket.id), event, "/webhooks/zendesk", body, headers,
                    invocation)
