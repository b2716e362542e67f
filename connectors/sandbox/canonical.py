"""Tickets from the canonical sample format, and the neutral view of a ticket.

The canonical format is what ``POST /sandbox/tickets`` takes and what the
sample tickets in ``config/samples`` use::

    {"platform": "zendesk", "subject": "...", "channel": "email", "tags": [...],
     "priority": "normal", "requester": {"id": "c1", "email": "...", "name": "...",
     "vip": false, "tags": [...]}, "messages": [{"author": "customer", "body": "...",
     "public": true, "created_at": "..."}], "sla_due_at": null, "external_id": "s-1"}

An optional ``status`` (Zendesk's words) sets the starting status, ``new`` by
default. Unknown keys are ignored; ``id`` stands in for a missing ``external_id``.

A message may list files: ``"attachments": [{"name": "...", "content_type": "image/png",
"size": 48213, "url": "https://..."}]``, only the name required (a missing type is guessed
from the name, a missing url made up under the sandbox's own address). Each platform lists
them with the message in its own shape: Zendesk comment ``attachments`` (``file_name``,
``content_url``), Freshdesk ``attachments`` (``name``, ``attachment_url``) on the ticket
for its first message and on the conversations for the others, Gorgias message
``attachments`` (``name``, ``url``).

Optional attributes for policy rules: the ticket's ``brand``, ``form`` and
``type`` (strings; numeric brand and form ids render as the APIs' integer ids),
and the requester's ``created_at``, ``fields`` (custom fields, any JSON values),
``organization`` (a name), ``organization_fields`` and ``locale`` (the customer's
language: Zendesk ``locale``, Freshdesk and Gorgias ``language``). Each platform renders
them in its own shape: Zendesk ``brand_id``, ``ticket_form_id``, ``type``,
``user_fields`` and a sideloadable organisation; Freshdesk ``product_id``,
``form_id``, ``type``, the contact's ``custom_fields`` and ``company_id``;
Gorgias the customer's ``created_datetime`` and ``data``.
"""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from typing import Any

from connectors.sandbox.state import (
    AUTHOR_ROLES,
    SYSTEM_USER_ID,
    FileSpec,
    Store,
    Ticket,
    User,
    now,
)

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
_COMMENT_CHANNELS = {"agent": "web", "ai": "api", "system": "rule"}


def create_ticket(store: Store, platform: str, data: dict[str, Any]) -> Ticket:
    """Validate `data` and add the ticket it describes; ValueError names the bad field."""
    subject = _text(data, "subject", default="")
    channel = _text(data, "channel", default="web")
    priority = data.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise ValueError(f"priority: must be one of {', '.join(PRIORITIES)} or null")
    status = data.get("status", "new")
    if status not in STATUSES:
        raise ValueError(f"status: must be one of {', '.join(STATUSES)}")
    tags = _tags(data.get("tags", []), "tags")
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages: a ticket needs at least one message")
    parsed = [_message(m, i) for i, m in enumerate(messages)]
    due_at = _time(data.get("sla_due_at"), "sla_due_at")
    external = data.get("external_id", data.get("id"))
    brand, form, kind = (_optional_text(data, key) for key in ("brand", "form", "type"))
    with store.lock:
        requester = _requester(store, platform, data.get("requester"))
        created = parsed[0][3] or now()
        ticket = Ticket(
            platform=platform, id=store.next_id("ticket"), subject=subject, status=status,
            priority=priority, requester_id=requester.id, channel=channel, created_at=created,
            updated_at=created, tags=tags,
            external_id=None if external is None else str(external), due_at=due_at,
            organization_id=requester.organization_id, brand=brand, form=form, type=kind,
        )
        store.tickets[(platform, ticket.id)] = ticket
        for author, body, public, created_at, files in parsed:
            author_id = {"customer": requester.id, "ai": store.ai_user_ids[platform],
                         "agent": store.agent_ids[platform], "system": SYSTEM_USER_ID}[author]
            store.add_comment(ticket, author_id, text=body, public=public,
                              channel=_COMMENT_CHANNELS.get(author, channel),
                              created_at=created_at, touch=False, files=files)
        ticket.updated_at = max(now(), created)
        return ticket


def neutral(store: Store, ticket: Ticket) -> dict[str, Any]:
    """The platform-neutral view listed by ``GET /sandbox/tickets``."""
    with store.lock:
        requester = store.users.get((ticket.platform, ticket.requester_id))
        return {
            "platform": ticket.platform,
            "ticket_id": str(ticket.id),
            "external_id": ticket.external_id,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "tags": list(ticket.tags),
            "group": None if ticket.group_id is None else str(ticket.group_id),
            "assignee": None if ticket.assignee_id is None else str(ticket.assignee_id),
            "requester": requester.email if requester else None,
            "updated_at": ticket.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "comments": [
                {"id": str(c.id), "author": store.role_of(ticket.platform, c.author_id),
                 "public": c.public, "body": c.body}
                for c in ticket.comments
            ],
        }


def _requester(store: Store, platform: str, raw: Any) -> User:
    if not isinstance(raw, dict):
        raise ValueError("requester: must be an object with at least an email or an id")
    email, external = raw.get("email"), raw.get("id")
    if email is None and external is None:
        raise ValueError("requester: needs an email or an id")
    external = None if external is None else str(external)
    tags = _tags(raw.get("tags", []), "requester.tags")
    if raw.get("vip") and "vip" not in tags:
        tags.append("vip")
    created_at = _time(raw.get("created_at"), "requester.created_at")
    fields = _object(raw, "fields")
    organization = _optional_text(raw, "organization", "requester.organization")
    organization_fields = _object(raw, "organization_fields")
    locale = _optional_text(raw, "locale", "requester.locale")
    try:
        return store.find_customer(platform, email, external)
    except KeyError:
        name = raw.get("name") or email or external or "Customer"
        org = None
        if organization is not None or organization_fields:
            org = store.organization(platform, organization or f"{name}'s organisation",
                                     organization_fields)
        return store.add_user(platform, str(name), email, "end-user", tags=tags,
                              external_id=external, created_at=created_at, fields=fields,
                              organization_id=None if org is None else org.id, locale=locale)


def attachments(value: Any, where: str) -> list[FileSpec]:
    """The files a message lists (`where` names the field in errors); ValueError names the
    bad entry and field."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list of objects with at least a name")
    files: list[FileSpec] = []
    for index, raw in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(raw, dict):
            raise ValueError(f"{at}: must be an object with at least a name")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{at}.name: must be a non-empty string")
        kind = raw.get("content_type")
        if kind is not None and (not isinstance(kind, str) or "/" not in kind):
            raise ValueError(f"{at}.content_type: must be a media type such as image/png")
        size = raw.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                                 or size < 0):
            raise ValueError(f"{at}.size: must be a non-negative integer (bytes)")
        url = raw.get("url")
        if url is not None and not (isinstance(url, str)
                                    and url.startswith(("https://", "http://"))):
            raise ValueError(f"{at}.url: must be an http(s) URL")
        kind = kind or mimetypes.guess_type(name)[0] or "application/octet-stream"
        files.append((name, kind, size, url))
    return files


def _message(
    raw: Any, index: int,
) -> tuple[str, str, bool, datetime | None, list[FileSpec]]:
    where = f"messages[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be an object")
    author = raw.get("author", "customer")
    if author not in AUTHOR_ROLES:
        raise ValueError(f"{where}.author: must be one of {', '.join(AUTHOR_ROLES)}")
    body = raw.get("body")
    if not isinstance(body, str) or not body.strip():
        raise ValueError(f"{where}.body: must be a non-empty string")
    public = raw.get("public", True)
    if not isinstance(public, bool):
        raise ValueError(f"{where}.public: must be true or false")
    created_at = _time(raw.get("created_at"), f"{where}.created_at")
    return author, body, public, created_at, attachments(raw.get("attachments"),
                                                         f"{where}.attachments")


def _text(data: dict[str, Any], key: str, *, default: str) -> str:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"{key}: must be a string")
    return value


def _optional_text(data: dict[str, Any], key: str, where: str | None = None) -> str | None:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where or key}: must be a string or null")
    return value


def _object(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"requester.{key}: must be an object of field names to values")
    return {str(name): item for name, item in value.items()}


def _tags(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValueError(f"{key}: must be a list of strings")
    return list(dict.fromkeys(value))


def _time(value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{key}: not an ISO-8601 time: {value!r}") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
