"""Freshdesk payload shapes, both ways: API JSON to `core.models` and back.

Pure functions used by `connectors.freshdesk.connector`; nothing here does I/O. Readers of
API responses raise KeyError, TypeError or ValueError on a shape they cannot
use, which the connector turns into PermanentError.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from connectors import briefs
from connectors.fields import attachments, locale_text, text_fields
from connectors.markup import to_html, to_text
from connectors.webhook_tools import api_int, neutral_placeholders
from core.errors import PermanentError
from core.knowledge import KnowledgeDoc
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

logger = logging.getLogger("connectors.freshdesk.connector")

PLATFORM = "freshdesk"
STATUSES = {2: Status.OPEN, 3: Status.PENDING, 4: Status.SOLVED, 5: Status.CLOSED}
# Freshdesk has no "new" and no "on hold": a fresh ticket is open.
STATUS_CODES = {Status.NEW: 2, Status.OPEN: 2, Status.PENDING: 3, Status.SOLVED: 4,
                Status.CLOSED: 5}
PRIORITIES = {1: Priority.LOW, 2: Priority.NORMAL, 3: Priority.HIGH, 4: Priority.URGENT}
PRIORITY_CODES = {p: code for code, p in PRIORITIES.items()}
# Ticket `source` codes; conversation sources differ (see `_role`).
CHANNELS = {1: "email", 2: "portal", 3: "phone", 4: "forum", 5: "twitter", 6: "facebook",
            7: "chat", 9: "feedback_widget", 10: "outbound_email"}
_OUTBOUND_EMAIL = 10
_SURVEY_SOURCE = 6
# Canned responses and solution articles use these; the engine knows the right-hand names.
PLACEHOLDERS = {
    "ticket.requester.name": "requester.name",
    "ticket.requester.firstname": "requester.first_name",
    "ticket.requester.first_name": "requester.first_name",
    "ticket.requester.email": "requester.email",
    "ticket.id": "ticket.id",
    "ticket.subject": "ticket.subject",
}


# Our automation rules: (name, automation type id, what to create).
RULES = (("Handoff: new ticket", 1, "Ticket creation rule, for every new ticket"),
         ("Handoff: customer reply", 4, "Ticket update rule, event 'Reply is sent' "
                                        "performed by the requester"))


def event_kind(triggered: str) -> EventKind:
    """The kind of a ``{{triggered_event}}`` value such as ``{ticket_action:created}``."""
    folded = triggered.replace(" ", "").lower()
    if "ticket_action:created" in folded or folded in ("created", "ticket_created"):
        return EventKind.TICKET_CREATED
    if any(word in folded for word in ("reply", "note_type", "conversation", "comment")):
        return EventKind.MESSAGE_CREATED
    return EventKind.TICKET_UPDATED


def writes(ticket: Ticket, actions: Sequence[Action]) -> tuple[tuple[str, dict[str, Any]] | None,
                                                              dict[str, Any]]:
    """The comment call (``("notes"|"reply", body)`` or None) and the ``PUT`` fields.

    The fields are empty when the batch changes no field; tags are sent as the
    whole merged list, and only when it differs from the ticket's. Raises
    ValueError for two comments and PermanentError for a non-numeric id.
    """
    comment: tuple[str, dict[str, Any]] | None = None
    fields: dict[str, Any] = {}
    added: list[str] = []
    removed: list[str] = []
    for action in actions:
        if isinstance(action, PublicReply | InternalNote):
            if comment is not None:
                raise ValueError("freshdesk: a batch holds at most one comment; "
                                 "split actions with core.batching.batches")
            if isinstance(action, PublicReply):
                comment = ("reply", {"body": to_html(action.body)})
            else:
                comment = ("notes", {"body": to_html(action.body), "private": True})
        elif isinstance(action, AddTags):
            added.extend(action.tags)
        elif isinstance(action, RemoveTags):
            removed.extend(action.tags)
        elif isinstance(action, Assign):
            if action.group is not None:
                fields["group_id"] = api_int(PLATFORM, "group", action.group)
            if action.assignee is not None:
                fields["responder_id"] = api_int(PLATFORM, "assignee", action.assignee)
        elif isinstance(action, SetStatus):
            fields["status"] = STATUS_CODES[action.status]
        elif isinstance(action, SetPriority):
            fields["priority"] = PRIORITY_CODES[action.priority]
    merged = [t for t in dict.fromkeys([*ticket.tags, *added]) if t not in removed]
    if merged != list(ticket.tags):
        # Freshdesk has no add-tags call: `tags` replaces the list, so send all of it.
        fields["tags"] = merged
    return comment, fields


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _code(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    return value if isinstance(value, int) else 0


def _optional_id(value: Any) -> str | None:
    return None if value is None else str(value)


def status_of(raw: dict[str, Any]) -> Status:
    """The neutral status; a custom status (6 and up) counts as pending, and is logged."""
    code = raw.get("status")
    known = STATUSES.get(code) if isinstance(code, int) else None
    if known is not None:
        return known
    logger.info("freshdesk ticket %s has custom status %r: treated as pending",
                raw.get("id"), code)
    return Status.PENDING


def ticket_from_api(
    raw: dict[str, Any], conversations: list[dict[str, Any]], ai_id: str, url: str,
    contact: dict[str, Any] | None = None,
) -> Ticket:
    """Map ``GET /tickets/{id}?include=requester,conversations``, the conversations and the
    requester's contact (may be empty) to a `Ticket`.

    The ticket's description is the first message. Raises KeyError, TypeError
    or ValueError (pydantic's ValidationError included) on a malformed field.
    """
    requester_id = str(raw["requester_id"])
    person = raw.get("requester")
    person = person if isinstance(person, dict) else {}
    description = Message(
        id=f"{raw['id']}:description",
        author=Role.AGENT if raw.get("source") == _OUTBOUND_EMAIL else Role.CUSTOMER,
        public=True,
        text=raw.get("description_text") or to_text(raw.get("description") or ""),
        html=raw.get("description"),
        created_at=datetime.fromisoformat(raw["created_at"]),
        attachments=attachments(raw.get("attachments"), "attachment_url"),
    )
    messages = (description, *(_message(c, ai_id, requester_id) for c in conversations))
    fields = text_fields(raw.get("custom_fields"))
    return Ticket(
        id=str(raw["id"]),
        platform=PLATFORM,
        subject=raw.get("subject") or "",
        status=status_of(raw),
        priority=PRIORITIES.get(_code(raw, "priority")),
        tags=tuple(raw.get("tags") or ()),
        channel=CHANNELS.get(_code(raw, "source")),
        group=_optional_id(raw.get("group_id")),
        assignee=_optional_id(raw.get("responder_id")),
        requester=_requester(requester_id, {**person, **(contact or {})}),
        messages=messages,
        sla_due_at=sla_due_at(raw, messages),
        url=url,
        updated_at=_time(raw.get("updated_at")),
        custom_fields=fields,
        # Products are Freshdesk's brands; `form_id` (ticket forms) is UNCONFIRMED on tickets.
        brand=_optional_id(raw.get("product_id")),
        form=_optional_id(raw.get("form_id")),
        type=raw.get("type") or None,
        # Not documented on tickets; read when an account's ticket carries it.
        locale=locale_text(raw.get("language")),
    )


def listed(data: Any, what: str) -> list[dict[str, Any]]:
    """The objects of a list answer (Freshdesk lists are bare JSON arrays); PermanentError
    naming `what` when the body is not a list."""
    if not isinstance(data, list):
        raise PermanentError(f"freshdesk: {what} did not answer a list")
    return [item for item in data if isinstance(item, dict)]


def brief(raw: dict[str, Any], link: Callable[[str], str]) -> TicketBrief:
    """One ticket of ``GET /tickets`` as a `TicketBrief`, linked with `link(id)`.

    Raises KeyError when the ticket has no numeric ``id`` and ValueError for an
    ``updated_at`` that is not a time.
    """
    return briefs.brief(raw, status_of(raw), _time(raw.get("updated_at")), link)


def _requester(requester_id: str, person: dict[str, Any]) -> Requester:
    # The company's own custom fields need GET /companies/{id}: not read, so left empty.
    tags = tuple(str(t) for t in person.get("tags") or ())
    return Requester(id=requester_id, email=person.get("email"), name=person.get("name"),
                     organization=_optional_id(person.get("company_id")), tags=tags,
                     vip="vip" in tags, created_at=_time(person.get("created_at")),
                     fields=text_fields(person.get("custom_fields")),
                     locale=locale_text(person.get("language")))


def sla_due_at(raw: dict[str, Any], messages: Sequence[Message]) -> datetime | None:
    """The earliest deadline still running: ``fr_due_by`` until staff first reply
    in public, and ``due_by`` (resolution) until the ticket is resolved."""
    if raw.get("status") in (4, 5):
        return None
    answered = any(m.public and m.author in (Role.AGENT, Role.AI) for m in messages)
    candidates = [_time(raw.get("due_by"))]
    if not answered:
        candidates.append(_time(raw.get("fr_due_by")))
    present = [c for c in candidates if c is not None]
    return min(present) if present else None


def _message(raw: dict[str, Any], ai_id: str, requester_id: str) -> Message:
    body = raw.get("body")
    return Message(
        id=_optional_id(raw.get("id")),
        author=_role(raw, ai_id, requester_id),
        public=not raw.get("private", False),
        text=raw.get("body_text") or to_text(body or ""),
        html=body,
        created_at=datetime.fromisoformat(raw["created_at"]),
        attachments=attachments(raw.get("attachments"), "attachment_url"),
    )


def _role(raw: dict[str, Any], ai_id: str, requester_id: str) -> Role:
    user = raw.get("user_id")
    if user is not None and str(user) == ai_id:
        return Role.AI
    if raw.get("source") == _SURVEY_SOURCE or user is None:
        return Role.SYSTEM
    if raw.get("incoming") or str(user) == requester_id:
        return Role.CUSTOMER
    # Anyone else writing on the ticket is staff: calling them an agent keeps the AI out.
    return Role.AGENT


def article_doc(article: dict[str, Any], category: dict[str, Any],
                portal: str | None = None) -> KnowledgeDoc:
    """A solution article as knowledge, linked to its page on the support `portal`
    (``https://{domain}.freshdesk.com``) when given; KeyError or ValueError on a
    malformed one."""
    body = article.get("description_text") or to_text(article.get("description") or "")
    # Multilingual accounts tag an article version with its language; read when present.
    doc = _doc("article", article["id"], article["title"],
               str(category.get("name") or "solutions"), body,
               locale_text(article.get("language")))
    if portal is None:
        return doc
    return doc.model_copy(update={
        "url": f"{portal.rstrip('/')}/support/solutions/articles/{article['id']}"})


def canned_doc(response: dict[str, Any], folder: dict[str, Any]) -> KnowledgeDoc:
    """A canned response as knowledge; KeyError or ValueError on a malformed one."""
    body = response.get("content") or to_text(response.get("content_html") or "")
    return _doc("canned", response["id"], response["title"],
                str(folder.get("name") or "canned responses"), body)


def _doc(kind: str, raw_id: Any, title: Any, category: str, body: str,
         locale: str | None = None) -> KnowledgeDoc:
    # Variables get the engine's names; it renders them from the ticket it answers.
    name = str(title).strip()
    return KnowledgeDoc(id=knowledge_id(kind, raw_id), title=name, category=category,
                        examples=(name,), body=neutral_placeholders(body.strip(), PLACEHOLDERS),
                        locale=locale)


def knowledge_id(kind: str, raw_id: Any) -> str:
    """A `KnowledgeDoc` id such as ``freshdesk-article-42``; ValueError if not numeric."""
    if not str(raw_id).isdigit():
        raise ValueError(f"freshdesk: {kind} id {raw_id!r} is not numeric")
    return f"freshdesk-{kind}-{raw_id}"


def instructions(missing: Sequence[tuple[str, int, str]], target: str, header: str) -> str:
    """The automation-rule settings an admin pastes for each missing rule."""
    if not missing:
        return "Both automation rules exist.\n"
    body = ('{"freshdesk_webhook": {"ticket_id": "{{ticket.id}}", '
            '"triggered_event": "{{triggered_event}}"}}')
    lines = ["In Freshdesk: Admin > Workflows > Automations, create:"]
    for name, _, kind in missing:
        lines += [
            f"  * {kind}: name {name!r}, action 'Trigger webhook' with",
            "      Request type: POST",
            f"      URL: {target}",
            f"      Custom header: {header}: <the value of HANDOFF_FRESHDESK_WEBHOOK_SECRET>",
            "        (or tick 'Requires authentication' with any username and that value",
            "        as the password)",
            "      Encoding: JSON, Content: Advanced, with the body",
            f"        {body}",
        ]
    return "\n".join(lines) + "\n"
