"""Zendesk payload shapes, both ways: API JSON to `core.models` and back.

Pure functions used by `connectors.zendesk.connector`; nothing here does I/O. Readers of
API responses raise KeyError, TypeError or ValueError on a shape they cannot
use, which the connector turns into PermanentError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from connectors import briefs
from connectors.fields import attachments, locale_text, text_fields
from connectors.markup import to_html
from connectors.webhook_tools import is_number
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

PLATFORM = "zendesk"
STATUSES = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    # Neutral statuses have no "on hold": it waits on someone else, like pending.
    "hold": Status.PENDING,
    "solved": Status.SOLVED,
    "closed": Status.CLOSED,
}
PRIORITIES = {p.value: p for p in Priority}
EVENT_KINDS = {
    "ticket_created": EventKind.TICKET_CREATED,
    "ticket.created": EventKind.TICKET_CREATED,
    "comment_added": EventKind.MESSAGE_CREATED,
    "ticket.comment_added": EventKind.MESSAGE_CREATED,
}
_SYSTEM_CHANNELS = frozenset({"rule", "system"})
_SYSTEM_AUTHOR_ID = "-1"
_COMMENT_EVENTS = frozenset({"Comment", "VoiceComment"})


def update_body(ticket: Ticket, actions: Sequence[Action]) -> dict[str, Any]:
    """The ``ticket`` object of one ``PUT /tickets/{id}`` carrying a whole batch.

    Empty when the batch writes nothing. Raises ValueError for two comments.
    """
    update: dict[str, Any] = {}
    added: list[str] = []
    removed: list[str] = []
    for action in actions:
        if isinstance(action, PublicReply | InternalNote):
            if "comment" in update:
                raise ValueError("zendesk: a batch holds at most one comment; "
                                 "split actions with core.batching.batches")
            update["comment"] = {"html_body": to_html(action.body),
                                 "public": isinstance(action, PublicReply)}
        elif isinstance(action, AddTags):
            added.extend(action.tags)
        elif isinstance(action, RemoveTags):
            removed.extend(action.tags)
        elif isinstance(action, Assign):
            if action.group is not None:
                update["group_id"] = api_id(action.group)
            if action.assignee is not None:
                update["assignee_id"] = api_id(action.assignee)
        elif isinstance(action, SetStatus):
            update["status"] = action.status.value
        elif isinstance(action, SetPriority):
            update["priority"] = action.priority.value
    if added or removed:
        # A ticket update's `tags` replaces the list, so send the whole merged list.
        merged = dict.fromkeys([*ticket.tags, *added])
        update["tags"] = [t for t in merged if t not in removed]
    return update


def api_id(value: str) -> int | str:
    """A neutral id as Zendesk wants it: an int when numeric."""
    return int(value) if is_number(value) else value


def iso(moment: datetime) -> str:
    """Zendesk's timestamp format, e.g. ``2021-07-25T10:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def items(data: Any, key: str) -> list[dict[str, Any]]:
    """The objects of the list `data[key]`; PermanentError when there is no such list."""
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise PermanentError(f"zendesk: response has no '{key}' list")
    return [item for item in found if isinstance(item, dict)]


def users_by_id(data: Any) -> dict[str, dict[str, Any]]:
    """Sideloaded ``users`` keyed by id as a string; empty when absent."""
    return sideloaded(data, "users")


def sideloaded(data: Any, key: str) -> dict[str, dict[str, Any]]:
    """The sideload `key` (``users``, ``organizations``) keyed by id as a string;
    empty when absent."""
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, list):
        return {}
    return {str(item["id"]): item for item in found if isinstance(item, dict) and "id" in item}


def audit_comments(audits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Comment events of `audits` in order, shaped as entries of List Comments.

    An audit event carries no time or channel of its own: it takes its audit's.
    Raises KeyError when an audit holding a comment has no ``created_at``.
    """
    found: list[dict[str, Any]] = []
    for audit in audits:
        for event in audit.get("events") or ():
            if isinstance(event, dict) and event.get("type") in _COMMENT_EVENTS:
                found.append({
                    **event,
                    "author_id": event.get("author_id", audit.get("author_id")),
                    "created_at": event.get("created_at") or audit["created_at"],
                    "via": event.get("via") or audit.get("via"),
                })
    return found


def sideloaded_ticket(data: Any, ticket_id: str) -> dict[str, Any] | None:
    """Ticket `ticket_id` from an ``include=tickets`` sideload, or None when absent."""
    tickets = data.get("tickets") if isinstance(data, dict) else None
    if not isinstance(tickets, list):
        return None
    return next((t for t in tickets if isinstance(t, dict) and str(t.get("id")) == ticket_id),
                None)


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _optional_id(value: Any) -> str | None:
    return None if value is None else str(value)


def ticket_from_api(
    raw: dict[str, Any],
    users: dict[str, dict[str, Any]],
    comments: list[dict[str, Any]],
    ai_id: str,
    organizations: dict[str, dict[str, Any]] | None = None,
) -> Ticket:
    """Map a ticket, its sideloaded users and organisations and its comments to
    `core.models.Ticket`.

    Raises KeyError, TypeError or ValueError (pydantic's ValidationError
    included) when a required field is missing or malformed.
    """
    requester_id = str(raw["requester_id"])
    user = users.get(requester_id)
    # The ticket's organisation is the requester's unless someone changed it;
    # it stands in when the requester was not sideloaded.
    organization_id = _optional_id((user or raw).get("organization_id"))
    organization = (organizations or {}).get(organization_id or "")
    fields = text_fields({f["id"]: f.get("value") for f in raw.get("custom_fields") or []
                          if isinstance(f, dict) and "id" in f})
    return Ticket(
        id=str(raw["id"]),
        platform=PLATFORM,
        subject=raw.get("subject") or "",
        status=STATUSES.get(str(raw.get("status")), Status.OPEN),
        priority=PRIORITIES.get(str(raw.get("priority"))),
        tags=tuple(raw.get("tags") or ()),
        channel=as_dict(raw.get("via")).get("channel"),
        group=_optional_id(raw.get("group_id")),
        assignee=_optional_id(raw.get("assignee_id")),
        requester=_requester(requester_id, user, organization_id, organization),
        messages=tuple(_message(c, users, ai_id, requester_id) for c in comments),
        sla_due_at=_time(raw.get("due_at")),
        url=raw.get("url"),
        updated_at=_time(raw.get("updated_at")),
        custom_fields=fields,
        brand=_optional_id(raw.get("brand_id")),
        form=_optional_id(raw.get("ticket_form_id")),
        type=raw.get("type") or None,
    )


def brief(raw: dict[str, Any], link: Callable[[str], str]) -> TicketBrief:
    """One ticket of a List Tickets answer as a `TicketBrief`, linked with `link(id)`.

    Raises KeyError when the ticket has no numeric ``id`` and ValueError for an
    ``updated_at`` that is not a time.
    """
    return briefs.brief(raw, STATUSES.get(str(raw.get("status")), Status.OPEN),
                        _time(raw.get("updated_at")), link)


# Zendesk's ids of a few locales (GET /api/v2/locales/public): used only when a user
# carries `locale_id` without `locale`.
LOCALE_IDS: dict[Any, str] = {1: "en-US", 2: "es", 8: "de", 13: "pl"}


def _requester(
    requester_id: str, user: dict[str, Any] | None, organization_id: str | None,
    organization: dict[str, Any] | None,
) -> Requester:
    org_fields = text_fields(as_dict(organization).get("organization_fields"))
    org_name = as_dict(organization).get("name")
    org_name = org_name if isinstance(org_name, str) and org_name else None
    if user is None:
        return Requester(id=requester_id, organization=organization_id,
                         organization_name=org_name, organization_fields=org_fields)
    tags = tuple(user.get("tags") or ())
    return Requester(
        id=requester_id,
        email=user.get("email"),
        name=user.get("name"),
        organization=organization_id,
        organization_name=org_name,
        tags=tags,
        vip="vip" in tags,
        created_at=_time(user.get("created_at")),
        fields=text_fields(user.get("user_fields")),
        organization_fields=org_fields,
        locale=locale_text(user.get("locale"), LOCALE_IDS.get(user.get("locale_id"))),
    )


def _message(
    raw: dict[str, Any], users: dict[str, dict[str, Any]], ai_id: str, requester_id: str
) -> Message:
    return Message(
        id=_optional_id(raw.get("id")),
        author=_role(raw, users, ai_id, requester_id),
        public=bool(raw.get("public", True)),
        text=raw.get("plain_body") or raw.get("body") or "",
        html=raw.get("html_body"),
        created_at=datetime.fromisoformat(raw["created_at"]),
        attachments=attachments(raw.get("attachments"), "content_url", "file_name"),
    )


def _role(
    raw: dict[str, Any], users: dict[str, dict[str, Any]], ai_id: str, requester_id: str
) -> Role:
    author_id = raw.get("author_id")
    if str(author_id) == ai_id:
        return Role.AI
    channel = as_dict(raw.get("via")).get("channel")
    if str(author_id) == _SYSTEM_AUTHOR_ID or channel in _SYSTEM_CHANNELS:
        return Role.SYSTEM
    user = users.get(str(author_id))
    if user is not None:
        return Role.CUSTOMER if user.get("role") == "end-user" else Role.AGENT
    # An author the API did not sideload: only the requester is safely a customer;
    # calling anyone else an agent keeps the AI out rather than answering staff.
    return Role.CUSTOMER if str(author_id) == requester_id else Role.AGENT
