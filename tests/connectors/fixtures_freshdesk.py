"""Freshdesk payloads as data, shaped as in shared/reference/helpdesk-apis.md section 2."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

DOMAIN = "acme"
BASE = "https://acme.freshdesk.com/api/v2"
API_TOKEN = "fd-api-key-0001"
WEBHOOK_SECRET = "fd-webhook-secret-0001"
SECRET_HEADER = "X-Handoff-Secret"

AI_USER_ID = 900
REQUESTER_ID = 501
AGENT_ID = 601
TICKET_ID = 1234

# Advanced JSON body of a "Trigger webhook" action, as Freshdesk renders it:
# every value a string, status and priority as labels, description as HTML.
WRAPPED_BODY: dict[str, Any] = {"freshdesk_webhook": {
    "triggered_event": "{ticket_action:created}",
    "ticket_id": "1234",
    "ticket_url": "https://acme.freshdesk.com/helpdesk/tickets/1234",
    "ticket_subject": "Where is my order?",
    "ticket_description": "<div>My parcel has not arrived</div>",
    "ticket_status": "Open",
    "ticket_priority": "High",
    "requester_email": "dana@example.com",
}}
REPLY_BODY: dict[str, Any] = {"freshdesk_webhook": {
    "triggered_event": "{note_type:private}", "ticket_id": 1234,
    "ticket_status": "Waiting on Customer", "ticket_priority": "Urgent",
}}
FLAT_BODY: dict[str, Any] = {"ticket_id": "1234", "triggered_event": "{status:{from:4,to:6}}"}

TICKET: dict[str, Any] = {
    "id": TICKET_ID,
    "subject": "Where is my order?",
    "description": "<div>My parcel has not arrived</div>",
    "description_text": "My parcel has not arrived",
    "status": 2,
    "priority": 3,
    "source": 1,
    "type": "Question",
    "product_id": 4001,
    "requester_id": REQUESTER_ID,
    "responder_id": AGENT_ID,
    "group_id": 360010,
    "company_id": None,
    "tags": ["shipping", "order"],
    "cc_emails": [],
    "fr_escalated": False,
    "is_escalated": False,
    "spam": False,
    "fr_due_by": "2024-05-02T13:00:00Z",
    "due_by": "2024-05-03T09:00:00Z",
    "custom_fields": {"cf_order_number": "1042", "cf_carrier": None},
    "created_at": "2024-05-02T09:00:00Z",
    "updated_at": "2024-05-02T09:30:00Z",
    "requester": {"id": REQUESTER_ID, "name": "Dana Customer", "email": "dana@example.com",
                  "mobile": None, "phone": None},
}


CONTACT: dict[str, Any] = {
    "id": REQUESTER_ID, "name": "Dana Customer", "email": "dana@example.com",
    "phone": None, "mobile": None, "company_id": 7001, "tags": ["vip", "emea"],
    "active": True, "language": "en", "time_zone": "Berlin",
    "custom_fields": {"tier": "gold", "lifetime_value": 1200.5, "newsletter": True,
                      "regions": ["emea", "apac"], "notes": None},
    "created_at": "2024-01-02T09:00:00Z", "updated_at": "2024-05-01T09:00:00Z",
}


def ticket_response(**changes: Any) -> dict[str, Any]:
    """``GET /tickets/{id}?include=requester``."""
    return {**copy.deepcopy(TICKET), **changes}


def conversation(
    conversation_id: int, user_id: int | None, body: str, *, private: bool = False,
    incoming: bool = False, source: int = 0,
) -> dict[str, Any]:
    """One entry of ``GET /tickets/{id}/conversations``."""
    return {
        "id": conversation_id,
        "body": f"<div>{body}</div>",
        "body_text": body,
        "incoming": incoming,
        "private": private,
        "user_id": user_id,
        "support_email": "support@acme.test",
        "source": source,
        "category": 2,
        "ticket_id": TICKET_ID,
        "to_emails": ["dana@example.com"],
        "from_email": None,
        "cc_emails": [],
        "bcc_emails": [],
        "attachments": [],
        "created_at": f"2024-05-02T09:{conversation_id % 60:02d}:00Z",
        "updated_at": f"2024-05-02T09:{conversation_id % 60:02d}:00Z",
    }


THREAD: list[dict[str, Any]] = [
    conversation(2001, REQUESTER_ID, "Any news?", incoming=True, source=0),
    conversation(2002, AGENT_ID, "Checking with the carrier", private=True, source=2),
    conversation(2003, AI_USER_ID, "Your parcel is on its way", source=0),
    conversation(2004, 777, "Rated: great", source=6),
    conversation(2005, 888, "Forwarded from the customer's colleague", incoming=True, source=8),
    conversation(2006, AGENT_ID, "We shipped it", source=0),
]


def pages(items: list[dict[str, Any]], size: int, path: str) -> dict[int, tuple[list[Any], str]]:
    """Page number -> (items, Link header) for a Freshdesk list endpoint."""
    answer: dict[int, tuple[list[Any], str]] = {}
    count = max(1, -(-len(items) // size))
    for number in range(1, count + 1):
        chunk = items[(number - 1) * size:number * size]
        query = urlencode({"per_page": 100, "page": number + 1})
        link = f'<{BASE}{path}?{query}>; rel="next"' if number < count else ""
        answer[number] = (chunk, link)
    return answer


AGENT_ME: dict[str, Any] = {"id": AI_USER_ID, "available": True, "occasional": False,
                            "contact": {"name": "Handoff AI", "email": "ai@acme.test"}}

CATEGORIES = [{"id": 11, "name": "Orders", "description": None}]
FOLDERS = [{"id": 21, "name": "Shipping", "visibility": 1}]
ARTICLES = [
    {"id": 31, "title": "Track your order", "status": 2, "folder_id": 21, "category_id": 11,
     "description": "<p>Hi {{ticket.requester.name}}, use the link in your email.</p>",
     "description_text": "Hi {{ticket.requester.name}}, use the link in your email."},
    {"id": 32, "title": "Draft article", "status": 1, "folder_id": 21, "category_id": 11,
     "description": "<p>Not yet</p>", "description_text": "Not yet"},
]
CANNED_FOLDERS = [{"id": 41, "name": "Refunds", "responses_count": 1}]
CANNED = [{"id": 51, "title": "Refund sent", "folder_id": 41,
           "content": "Dear {{ticket.requester.firstname}}, see {{ticket.url}}.",
           "content_html": "<p>Dear {{ticket.requester.firstname}}, see {{ticket.url}}.</p>",
           "attachments": []}]
