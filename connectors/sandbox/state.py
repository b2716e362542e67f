"""The sandbox's in-memory state: tickets, users, faults, call counts, deliveries.

One `Store` per app, shared by the threads of a threaded server: every read
and write of its contents happens under `Store.lock`. Tickets are kept in a
platform-neutral form; each platform's blueprint renders its own API shapes.
"""

from __future__ import annotations

import html
import random
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

AUTHOR_ROLES = ("customer", "agent", "ai", "system")
SYSTEM_USER_ID = -1
DEFAULT_GROUPS = {360001: "Billing", 360002: "Security", 360003: "Legal", 360004: "VIP",
                  360010: "Support"}


def now() -> datetime:
    """The current UTC time at the one-second resolution helpdesks report."""
    return datetime.now(UTC).replace(microsecond=0)


def to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs."""
    paragraphs = re.split(r"\n(?:[ \t]*\n)+", text.replace("\r\n", "\n").strip())
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p.strip()
    )


def to_text(markup: str) -> str:
    """HTML reduced to plain text, the way helpdesks fill ``plain_body``."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    text = re.sub(r"(?i)</p>\s*<p[^>]*>", "\n\n", text)
    text = re.sub(r"(?i)</(?:p|h[1-6]|li|ul|ol|pre|blockquote)>\s*", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def api_id(value: str | None) -> int | str | None:
    """A neutral id as the APIs render ids: an int when numeric."""
    return int(value) if value is not None and value.isdigit() else value


@dataclass
class User:
    """A helpdesk user: an end user (customer), an agent or an admin.

    `fields` are the user's custom fields with their JSON values (Zendesk
    ``user_fields``, Freshdesk ``custom_fields``, Gorgias ``data``).
    """

    id: int
    name: str
    email: str | None
    role: str  # "end-user", "agent" or "admin", as Zendesk names them
    tags: list[str] = field(default_factory=list)
    external_id: str | None = None
    created_at: datetime = field(default_factory=now)
    fields: dict[str, Any] = field(default_factory=dict)
    organization_id: int | None = None
    # The customer's language as the helpdesk keeps it (Zendesk `locale`, Freshdesk and
    # Gorgias `language`).
    locale: str | None = None


@dataclass
class Organization:
    """A customer's organisation (a Freshdesk company) and its custom fields."""

    id: int
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=now)


@dataclass
class Attachment:
    """A file listed with a comment. Without a `url` of its own the sandbox makes one up
    under the address it is served at (`address`); it serves nothing there."""

    id: int
    name: str
    content_type: str
    size: int | None = None
    url: str | None = None

    def address(self, root: str) -> str:
        """The file's URL: its own, or one under the sandbox's `root` URL."""
        if self.url is not None:
            return self.url
        return f"{root.rstrip('/')}/sandbox/files/{self.id}/{quote(self.name)}"


FileSpec = tuple[str, str, int | None, str | None]
"""An attachment before it has an id: name, content type, size, url."""


@dataclass
class Comment:
    """One comment of a thread; `body` is plain text, `html_body` its HTML."""

    id: int
    author_id: int
    body: str
    html_body: str
    public: bool
    channel: str
    created_at: datetime
    # The address a reply was sent from, as the API call named it (Gorgias ``source.from``).
    sender_address: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Ticket:
    """A ticket in neutral form; `status` uses Zendesk's words, a superset."""

    platform: str
    id: int
    subject: str
    status: str
    priority: str | None
    requester_id: int
    channel: str
    created_at: datetime
    updated_at: datetime
    tags: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    external_id: str | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    due_at: datetime | None = None
    organization_id: int | None = None
    brand: str | None = None
    form: str | None = None
    type: str | None = None


@dataclass
class Fault:
    """An injected failure for API requests whose method and path match."""

    id: int
    method: str
    path: re.Pattern[str]
    status: int | None
    times: int | None  # None: every matching request, forever
    retry_after: float | None
    latency_ms: int
    skip: int = 0  # matching requests to let through before the fault starts
    every: int = 1  # fire on every Nth matching request only (a 5% error rate is every=20)
    jitter: float = 0.0  # latency drawn uniformly from latency_ms * (1 +- jitter)
    seen: int = 0

    def delay_seconds(self) -> float:
        """This request's injected latency."""
        spread = random.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return self.latency_ms * (1 + spread) / 1000

    def describe(self) -> dict[str, Any]:
        """The fault as JSON data, as it was posted."""
        return {"id": self.id, "method": self.method, "path": self.path.pattern,
                "status": self.status, "times": self.times,
                "retry_after": self.retry_after, "latency_ms": self.latency_ms,
                "skip": self.skip, "every": self.every, "jitter": self.jitter,
                "matched": self.seen}


class Store:
    """All sandbox state; hold `lock` around any sequence of reads and writes."""

    def __init__(self, ai_user_ids: dict[str, int]) -> None:
        self.lock = threading.RLock()
        self.ai_user_ids = dict(ai_user_ids)
        self.tickets: dict[tuple[str, int], Ticket] = {}
        self.users: dict[tuple[str, int], User] = {}
        self.organizations: dict[tuple[str, int], Organization] = {}
        self.faults: list[Fault] = []
        self.calls: Counter[tuple[str, str]] = Counter()
        self.deliveries: list[dict[str, Any]] = []
        # The groups (Gorgias: teams) a write may name, for each platform whose writes are
        # checked (declared through ``/sandbox/groups``); other platforms accept any id.
        self.checked_groups: dict[str, set[int]] = {}
        first_user = max(ai_user_ids.values(), default=0) + 1
        # Webhook registrations per platform (Gorgias HTTP integrations), for `install`.
        self.integrations: dict[str, list[dict[str, Any]]] = {}
        self._next = {"ticket": 1, "comment": 10_001, "user": first_user, "fault": 1,
                      "integration": 1, "organization": 7_001,
                      "attachment": 80_001}
        self.agent_ids: dict[str, int] = {}
        # Agent groups (Gorgias teams) by id, per platform: the demo configuration's routing.
        self.groups: dict[str, dict[int, str]] = {
            platform: dict(DEFAULT_GROUPS) for platform in ai_user_ids}
        for platform, ai_id in ai_user_ids.items():
            self.users[(platform, ai_id)] = User(ai_id, "Handoff AI", None, "agent")
            agent = self.add_user(platform, "Alex Agent", "agent@sandbox.invalid", "agent")
            self.agent_ids[platform] = agent.id

    def next_id(self, kind: str) -> int:
        """A fresh id for a ticket, comment, user, fault, integration, organisation or
        attachment; KeyError for another kind."""
        with self.lock:
            value = self._next[kind]
            self._next[kind] = value + 1
            return value

    def add_user(
        self, platform: str, name: str, email: str | None, role: str, *,
        tags: list[str] | None = None, external_id: str | None = None,
        created_at: datetime | None = None, fields: dict[str, Any] | None = None,
        organization_id: int | None = None, locale: str | None = None,
    ) -> User:
        """Create a user of `platform` with a fresh id."""
        with self.lock:
            user = User(self.next_id("user"), name, email, role, list(tags or ()), external_id,
                        created_at or now(), dict(fields or {}), organization_id, locale)
            self.users[(platform, user.id)] = user
            return user

    def organization(self, platform: str, name: str, fields: dict[str, Any]) -> Organization:
        """The organisation of `platform` named `name`, made with `fields` if new."""
        with self.lock:
            for (owner, _), found in self.organizations.items():
                if owner == platform and found.name == name:
                    return found
            made = Organization(self.next_id("organization"), name, dict(fields))
            self.organizations[(platform, made.id)] = made
            return made

    def find_customer(self, platform: str, email: str | None, external_id: str | None) -> User:
        """The end user with this email or external id; KeyError when there is none."""
        with self.lock:
            for (owner, _), user in self.users.items():
                if owner == platform and user.role == "end-user" and (
                    (email and user.email == email)
                    or (external_id and user.external_id == external_id)
                ):
                    return user
        raise KeyError(email or external_id)

    def ticket(self, platform: str, ticket_id: int) -> Ticket | None:
        """The ticket, or None when there is no such ticket."""
        return self.tickets.get((platform, ticket_id))

    def touch(self, ticket: Ticket) -> None:
        """Move `updated_at` strictly forward, so every write changes it."""
        ticket.updated_at = max(now(), ticket.updated_at + timedelta(seconds=1))

    def add_comment(
        self, ticket: Ticket, author_id: int, *, text: str | None = None,
        html_body: str | None = None, public: bool = True, channel: str = "api",
        created_at: datetime | None = None, touch: bool = True, files: Sequence[FileSpec] = (),
    ) -> Comment:
        """Append a comment from plain `text` or from `html_body`, with `files` attached;
        `touch` the ticket."""
        markup = html_body if html_body is not None else to_html(text or "")
        plain = text if text is not None else to_text(markup)
        with self.lock:
            comment = Comment(self.next_id("comment"), author_id, plain, markup, public,
                              channel, created_at or now())
            comment.attachments = [Attachment(self.next_id("attachment"), *f) for f in files]
            ticket.comments.append(comment)
            if touch:
                self.touch(ticket)
            return comment

    def unknown_group(self, platform: str, value: Any) -> bool:
        """Whether `value` names a group the account of `platform` does not have.

        Always False for an account whose groups were never declared.
        """
        with self.lock:
            known = self.checked_groups.get(platform)
            return known is not None and value is not None and value not in known

    def role_of(self, platform: str, author_id: int) -> str:
        """The neutral role of a comment's author: customer, agent, ai or system."""
        if author_id == self.ai_user_ids.get(platform):
            return "ai"
        if author_id == SYSTEM_USER_ID:
            return "system"
        user = self.users.get((platform, author_id))
        return "customer" if user is not None and user.role == "end-user" else "agent"

    # -- faults, counts and deliveries ---------------------------------------------

    def add_fault(self, spec: dict[str, Any]) -> Fault:
        """Validate and store a fault; ValueError names the bad field."""
        method = str(spec.get("method") or "*").upper()
        try:
            pattern = re.compile(str(spec.get("path") or ".*"))
        except re.error as exc:
            raise ValueError(f"path: not a regular expression: {exc}") from exc
        status, times = spec.get("status"), spec.get("times", 1)
        retry_after, latency = spec.get("retry_after"), spec.get("latency_ms") or 0
        skip, every = spec.get("skip") or 0, spec.get("every") or 1
        jitter = spec.get("jitter") or 0.0
        if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError("status: must be an HTTP error status (400-599) or null")
        if times is not None and not (isinstance(times, int) and times >= 1):
            raise ValueError("times: must be a positive integer or null (for ever)")
        if retry_after is not None and not isinstance(retry_after, int | float):
            raise ValueError("retry_after: must be a number of seconds or null")
        if not isinstance(latency, int) or latency < 0:
            raise ValueError("latency_ms: must be a non-negative integer")
        if not isinstance(skip, int) or skip < 0:
            raise ValueError("skip: must be a non-negative integer")
        if not isinstance(every, int) or every < 1:
            raise ValueError("every: must be a positive integer")
        if not isinstance(jitter, int | float) or not 0 <= jitter < 1:
            raise ValueError("jitter: must be a fraction of latency_ms from 0 to below 1")
        if status is None and not latency:
            raise ValueError("a fault needs a status, a latency_ms, or both")
        fault = Fault(self.next_id("fault"), method, pattern, status, times, retry_after,
                      latency, skip, every, float(jitter))
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, using up one of its `times`."""
        with self.lock:
            for fault in self.faults:
                if fault.method in ("*", method) and fault.path.search(path):
                    if fault.skip:
                        fault.skip -= 1
                        continue
                    fault.seen += 1
                    if fault.seen % fault.every:
                        continue
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def count(self, platform: str, route: str) -> None:
        """Count one API call to `route` (``METHOD /template``)."""
        with self.lock:
            self.calls[(platform, route)] += 1

    def stats(self) -> dict[str, Any]:
        """Calls per platform: ``{"zendesk": {"total": n, "routes": {route: n}}}``."""
        with self.lock:
            result: dict[str, Any] = {}
            for (platform, route), calls in sorted(self.calls.items()):
                entry = result.setdefault(platform, {"total": 0, "routes": {}})
                entry["total"] += calls
                entry["routes"][route] = calls
            return result

    def record_delivery(self, delivery: dict[str, Any]) -> dict[str, Any]:
        """Append a webhook delivery record, giving it an id; return it."""
        with self.lock:
            delivery["id"] = len(self.deliveries) + 1
            self.deliveries.append(delivery)
            return delivery

    def update_delivery(self, delivery: dict[str, Any], **changes: Any) -> None:
        """Change a recorded delivery under the lock."""
        with self.lock:
            delivery.update(changes)
