"""Canonical, platform-neutral models.

Connectors translate each helpdesk's payloads into these types on the way in and
translate `Action` values back into API calls on the way out, so nothing in `core`
knows which helpdesk a ticket came from. All models are immutable pydantic v2
models; constructing one with a missing or wrongly typed field raises
`pydantic.ValidationError`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(StrEnum):
    """Who wrote a message."""

    CUSTOMER = "customer"
    AGENT = "agent"
    AI = "ai"
    SYSTEM = "system"


class Status(StrEnum):
    """Neutral ticket status; each connector maps it to its platform's values."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(StrEnum):
    """Neutral priority; each connector maps it to its platform's values."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Requester(_Model):
    """The customer who opened the ticket."""

    id: str
    email: str | None = None
    name: str | None = None
    organization: str | None = None
    # The organisation's name, where the helpdesk gives it with the ticket (`organization`
    # is the helpdesk's id, which rules match on).
    organization_name: str | None = None
    tags: tuple[str, ...] = ()
    vip: bool = False
    # When the customer's account was made: tenure rules count days from it.
    created_at: datetime | None = None
    # The helpdesk's custom fields of the user and of their organisation (tier, lifetime value).
    fields: dict[str, str] = Field(default_factory=dict)
    organization_fields: dict[str, str] = Field(default_factory=dict)
    # The helpdesk's locale of the customer ("de", "pt-BR"), when it has one.
    locale: str | None = None


class Attachment(_Model):
    """A file on a message, as the helpdesk lists it with the message (no extra call)."""

    name: str
    content_type: str | None = None
    size: int | None = None
    url: str | None = None


class TicketBrief(_Model):
    """Another ticket of the same customer, as the helpdesk lists it (one call for all)."""

    id: str
    subject: str = ""
    status: Status = Status.OPEN
    updated_at: datetime | None = None
    url: str | None = None


class Message(_Model):
    """One entry of a ticket's thread, public or private."""

    id: str | None = None
    author: Role
    public: bool = True
    text: str
    html: str | None = None
    created_at: datetime
    attachments: tuple[Attachment, ...] = ()


class Ticket(_Model):
    """A whole ticket: fields, requester and every message, oldest first."""

    id: str
    platform: str
    subject: str = ""
    status: Status = Status.OPEN
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    channel: str | None = None
    group: str | None = None
    assignee: str | None = None
    requester: Requester
    messages: tuple[Message, ...] = ()
    sla_due_at: datetime | None = None
    url: str | None = None
    updated_at: datetime | None = None
    custom_fields: dict[str, str] = Field(default_factory=dict)
    brand: str | None = None
    # The ticket form (Zendesk ticket_form_id) and type (question, incident, refund request...).
    form: str | None = None
    type: str | None = None
    # The helpdesk's own language of the ticket ("fr", "en-US"), when it has one.
    locale: str | None = None

    def customer_messages(self) -> tuple[Message, ...]:
        """Public messages written by the customer, oldest first."""
        return tuple(m for m in self.messages if m.author is Role.CUSTOMER and m.public)

    def latest_public(self) -> Message | None:
        """The newest public message, or None for an empty thread."""
        public = [m for m in self.messages if m.public]
        return public[-1] if public else None


class EventKind(StrEnum):
    """What happened on the helpdesk side."""

    TICKET_CREATED = "ticket_created"
    MESSAGE_CREATED = "message_created"
    TICKET_UPDATED = "ticket_updated"


class TicketEvent(_Model):
    """One parsed webhook delivery; `event_id` is the key duplicates collapse on.

    `unique_id` is True when `event_id` is the helpdesk's own id of this one
    delivery or message (Zendesk's invocation id, Gorgias's message id): a later
    delivery with the same id repeats it. False when the id is derived from the
    body, which two different customer messages can share; such deliveries are
    merged only while the earlier one's job has not started (`infra.queue`).
    """

    platform: str
    ticket_id: str
    event_id: str
    kind: EventKind = EventKind.TICKET_UPDATED
    unique_id: bool = False


class Path(StrEnum):
    """The three outcomes, plus `skip` when a guard keeps the AI out."""

    AUTO_RESOLVE = "auto_resolve"
    DRAFT = "draft"
    ESCALATE = "escalate"
    SKIP = "skip"


class PublicReply(_Model):
    kind: Literal["public_reply"] = "public_reply"
    body: str


class InternalNote(_Model):
    kind: Literal["internal_note"] = "internal_note"
    body: str


class AddTags(_Model):
    kind: Literal["add_tags"] = "add_tags"
    tags: tuple[str, ...]


class RemoveTags(_Model):
    """Take tags off the ticket (the next-level tag once Handoff has acted on it)."""

    kind: Literal["remove_tags"] = "remove_tags"
    tags: tuple[str, ...]


class Assign(_Model):
    kind: Literal["assign"] = "assign"
    group: str | None = None
    assignee: str | None = None


class SetStatus(_Model):
    kind: Literal["set_status"] = "set_status"
    status: Status


class SetPriority(_Model):
    kind: Literal["set_priority"] = "set_priority"
    priority: Priority


Action = Annotated[
    PublicReply | InternalNote | AddTags | RemoveTags | Assign | SetStatus | SetPriority,
    Field(discriminator="kind"),
]
"""A platform-neutral write; the connector decides which API calls carry it."""


class Signal(_Model):
    """A fact the engine noticed, with the text or field that made it fire."""

    name: str
    value: float | str | bool = True
    evidence: str = ""


class Reason(_Model):
    """Why the path was chosen: a stable code and the rule that fired."""

    code: str
    rule: str
    detail: str = ""


class Source(_Model):
    """A knowledge document the scorer consulted, with its score."""

    id: str
    title: str
    score: float


class Decision(_Model):
    """What the engine decided for one ticket, and everything it plans to write."""

    ticket_id: str
    platform: str
    path: Path
    confidence: float = Field(ge=0.0, le=1.0)
    signals: tuple[Signal, ...] = ()
    reasons: tuple[Reason, ...] = ()
    sources: tuple[Source, ...] = ()
    reply: str | None = None
    actions: tuple[Action, ...] = ()
    # The escalation ladder a policy rule picked (`core.rules`); None: routing decides.
    ladder: str | None = None
    # The customer's language (ISO 639-1) the decision speaks (`core.language`).
    language: str | None = None
