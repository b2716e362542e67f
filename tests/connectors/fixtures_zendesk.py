"""Zendesk payloads as data, shaped as in shared/reference/helpdesk-apis.md section 1."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

SUBDOMAIN = "acme"
BASE = "https://acme.zendesk.com/api/v2"
EMAIL = "handoff@acme.test"
API_TOKEN = "zd-api-token-0001"
SIGNING_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="

AI_USER_ID = 900
REQUESTER_ID = 501
AGENT_ID = 601
ADMIN_ID = 602
TICKET_ID = 35436

# The docs' worked example: it reproduces only with BODY + TIMESTAMP and the raw key.
WORKED_EXAMPLE = {
    "secret": "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=",
    "body": b'{"say": "hello"}',
    "timestamp": "2021-07-25T10:00:00Z",
    "signature": "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=",
}

# A trigger-connected webhook: the body is whatever JSON the trigger renders.
TRIGGER_BODY: dict[str, Any] = {
    "ticket_id": "35436",
    "comment_id": "1003",
    "event": "comment_added",
}

# An event-subscription webhook (fixed Zendesk payload).
EVENT_BODY: dict[str, Any] = {
    "type": "zen:event-type:ticket.comment_added",
    "account_id": 10000001,
    "id": "6d5c9e1a-3f0b-4c1e-9a55-2f8f0c0e7b11",
    "time": "2024-05-02T09:30:00Z",
    "zendesk_event_version": "2022-11-06",
    "subject": "zen:ticket:35436",
    "detail": {
        "actor_id": "501",
        "assignee_id": None,
        "brand_id": "360001",
        "created_at": "2024-05-02T09:00:00Z",
        "custom_status": "1",
        "description": "My parcel has not arrived",
        "external_id": None,
        "form_id": "360002",
        "group_id": None,
        "id": "35436",
        "is_public": True,
        "organization_id": None,
        "priority": "NORMAL",
        "requester_id": "501",
        "status": "OPEN",
        "subject": "Where is my order?",
        "submitter_id": "501",
        "tags": ["shipping"],
        "type": "QUESTION",
        "updated_at": "2024-05-02T09:30:00Z",
        "via": {"channel": "email"},
    },
    "event": {"comment": {"id": "1004", "body": "Any news?", "is_public": True}},
}

REQUESTER: dict[str, Any] = {
    "id": REQUESTER_ID,
    "url": f"{BASE}/users/{REQUESTER_ID}.json",
    "name": "Dana Customer",
    "email": "dana@example.com",
    "role": "end-user",
    "organization_id": 7001,
    "tags": ["vip", "emea"],
    "active": True,
    "created_at": "2024-01-02T09:00:00Z",
    "user_fields": {"tier": "gold", "lifetime_value": 1200.5, "newsletter": True,
                    "regions": ["emea", "apac"], "notes": None},
}
# The requester's organisation, sideloaded with ``include=organizations``.
ORGANIZATION: dict[str, Any] = {
    "id": 7001, "url": f"{BASE}/organizations/7001.json", "name": "Acme Corp",
    "domain_names": ["acme.test"], "tags": [], "shared_tickets": False,
    "organization_fields": {"plan": "enterprise", "seats": 250, "renewal": None},
    "created_at": "2020-03-01T00:00:00Z", "updated_at": "2024-04-01T00:00:00Z",
}
AGENT: dict[str, Any] = {"id": AGENT_ID, "name": "Alex Agent", "email": "alex@acme.test",
                         "role": "agent", "organization_id": None, "tags": []}
ADMIN: dict[str, Any] = {"id": ADMIN_ID, "name": "Sam Admin", "email": "sam@acme.test",
                         "role": "admin", "organization_id": None, "tags": []}
AI_USER: dict[str, Any] = {"id": AI_USER_ID, "name": "Handoff AI", "email": EMAIL,
                           "role": "agent", "organization_id": None, "tags": []}

TICKET: dict[str, Any] = {
    "id": TICKET_ID,
    "url": f"{BASE}/tickets/{TICKET_ID}.json",
    "external_id": None,
    "type": "question",
    "subject": "Where is my order?",
    "raw_subject": "Where is my order?",
    "description": "My parcel has not arrived",
    "priority": "high",
    "status": "hold",
    "requester_id": REQUESTER_ID,
    "submitter_id": REQUESTER_ID,
    "assignee_id": AGENT_ID,
    "organization_id": 7001,
    "group_id": 360010,
    "brand_id": 360001,
    "ticket_form_id": 360002,
    "tags": ["shipping", "order"],
    "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
    "custom_fields": [{"id": 1100, "value": "parcel"}, {"id": 1101, "value": None}],
    "due_at": "2024-05-03T09:00:00Z",
    "created_at": "2024-05-02T09:00:00Z",
    "updated_at": "2024-05-02T09:30:00Z",
}


def ticket_response(**changes: Any) -> dict[str, Any]:
    """``GET /tickets/{id}.json?include=users,organizations``: the ticket with its
    requester and the requester's organisation sideloaded."""
    ticket = {**copy.deepcopy(TICKET), **changes}
    return {"ticket": ticket, "users": [copy.deepcopy(REQUESTER)],
            "organizations": [copy.deepcopy(ORGANIZATION)]}


def comment(
    comment_id: int, author_id: int, body: str, *, public: bool = True, channel: str = "email",
) -> dict[str, Any]:
    """One entry of ``GET /tickets/{id}/comments``."""
    return {
        "id": comment_id,
        "type": "Comment",
        "author_id": author_id,
        "body": body,
        "html_body": f"<div class=\"zd-comment\"><p>{body}</p></div>",
        "plain_body": body,
        "public": public,
        "attachments": [],
        "audit_id": comment_id + 50_000,
        "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
        "metadata": {"system": {}, "custom": {}},
        "created_at": f"2024-05-02T09:{comment_id % 60:02d}:00Z",
    }


THREAD: list[dict[str, Any]] = [
    comment(1001, REQUESTER_ID, "My parcel has not arrived"),
    comment(1002, AGENT_ID, "Checking with the carrier", public=False, channel="web"),
    comment(1003, AI_USER_ID, "Your parcel is on its way", channel="api"),
    comment(1004, ADMIN_ID, "Escalated to logistics", public=False, channel="web"),
    comment(1005, -1, "Ticket merged", public=False, channel="system"),
    comment(1006, AGENT_ID, "Automatic reminder", channel="rule"),
    comment(1007, REQUESTER_ID, "Any news?"),
]


def comment_pages(comments: list[dict[str, Any]], size: int) -> dict[str | None, dict[str, Any]]:
    """Cursor pages keyed by the ``page[after]`` that asks for them (None: the first)."""
    users = [REQUESTER, AGENT, ADMIN, AI_USER]
    pages: dict[str | None, dict[str, Any]] = {}
    cursor: str | None = None
    for start in range(0, len(comments), size):
        chunk = comments[start:start + size]
        after = f"cursor-{start + len(chunk)}"
        has_more = start + size < len(comments)
        query = urlencode({"include": "users", "page[size]": size, "page[after]": after})
        pages[cursor] = {
            "comments": chunk,
            "users": [u for u in users if any(c["author_id"] == u["id"] for c in chunk)],
            "meta": {"has_more": has_more, "after_cursor": after,
                     "before_cursor": f"cursor-{start}"},
            "links": {"next": f"{BASE}/tickets/{TICKET_ID}/comments.json?{query}"
                      if has_more else None,
                      "prev": None},
        }
        cursor = after
    return pages


def audit(comment: dict[str, Any]) -> dict[str, Any]:
    """The audit that added `comment`: its Comment event has no time or channel of its own."""
    event = {k: v for k, v in comment.items() if k not in ("created_at", "via", "metadata")}
    return {"id": comment["audit_id"], "ticket_id": TICKET_ID, "author_id": comment["author_id"],
            "created_at": comment["created_at"], "via": comment["via"],
            "metadata": {"system": {}, "custom": {}}, "events": [event]}


# An audit without a comment (a trigger changed a tag): reading the thread skips it.
TAG_AUDIT: dict[str, Any] = {
    "id": 60_000, "ticket_id": TICKET_ID, "author_id": -1, "created_at": "2024-05-02T09:20:00Z",
    "via": {"channel": "rule", "source": {"from": {}, "to": {}, "rel": None}},
    "events": [{"id": 60_001, "type": "Change", "field_name": "tags", "value": ["shipping"],
                "previous_value": []}],
}


def audit_pages(
    comments: list[dict[str, Any]], size: int, ticket: dict[str, Any] | None = None,
) -> dict[str | None, dict[str, Any]]:
    """``GET /tickets/{id}/audits.json?include=tickets,users,organizations`` cursor pages,
    the requester's organisation on every page, one audit per
    comment, keyed by the ``page[after]`` that asks for them (None: the first)."""
    users = [REQUESTER, AGENT, ADMIN, AI_USER]
    pages: dict[str | None, dict[str, Any]] = {}
    cursor: str | None = None
    for start in range(0, max(1, len(comments)), size):
        chunk = comments[start:start + size]
        after = f"cursor-{start + len(chunk)}"
        has_more = start + size < len(comments)
        query = urlencode({"include": "tickets,users,organizations", "page[size]": size,
                           "page[after]": after})
        pages[cursor] = {
            "audits": [audit(c) for c in chunk],
            "tickets": [copy.deepcopy(ticket or TICKET)],
            "users": [u for u in users if any(c["author_id"] == u["id"] for c in chunk)],
            "organizations": [copy.deepcopy(ORGANIZATION)],
            "meta": {"has_more": has_more, "after_cursor": after,
                     "before_cursor": f"cursor-{start}"},
            "links": {"next": f"{BASE}/tickets/{TICKET_ID}/audits.json?{query}"
                      if has_more else None,
                      "prev": None},
        }
        cursor = after
    return pages
