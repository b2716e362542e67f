"""Gorgias payloads as data, shaped as in shared/reference/helpdesk-apis.md section 3."""

from __future__ import annotations

import copy
from typing import Any

DOMAIN = "acme"
BASE = "https://acme.gorgias.com/api"
EMAIL = "handoff@acme.test"
API_TOKEN = "gorgias-api-key-0001"
WEBHOOK_SECRET = "gorgias-webhook-secret-0001"
SECRET_HEADER = "X-Handoff-Secret"

AI_USER_ID = 900
CUSTOMER_ID = 501
AGENT_ID = 601
TICKET_ID = 5678

# The form `install` sets up.
FLAT_BODY: dict[str, Any] = {"ticket_id": "5678", "message_id": "3007"}
# Pipedream's "{{context}}" form: the ticket and the message objects.
CONTEXT_BODY: dict[str, Any] = {
    "event": {"type": "ticket-message-created"},
    "ticket": {"id": 5678, "status": "open", "channel": "email", "via": "email",
               "customer_id": CUSTOMER_ID, "subject": "Where is my order?",
               "tags": [{"id": 1, "name": "shipping"}]},
    "message": {"id": 3008, "ticket_id": 5678, "channel": "email", "from_agent": False,
                "body_text": "Any news?"},
}
CREATED_BODY: dict[str, Any] = {"ticket_id": 5678, "event": "ticket-created"}

CUSTOMER: dict[str, Any] = {
    "id": CUSTOMER_ID, "email": "dana@example.com", "name": "Dana Customer", "firstname": "Dana",
    "lastname": "Customer", "external_id": "customer-84203241",
    "created_datetime": "2024-01-02T09:00:00.000000",
    # The customer's own key-value data (not `integrations`, which holds Shopify and the like).
    "data": {"tier": "gold", "lifetime_value": 1200.5, "newsletter": True,
             "regions": ["emea", "apac"], "notes": None},
}


def message(
    message_id: int, sender_id: int, body: str, *, from_agent: bool,
    channel: str = "email", via: str = "email",
) -> dict[str, Any]:
    """One message object, as embedded in a ticket or listed by ``GET /api/messages``."""
    customer = {"address": "dana@example.com", "name": "Dana Customer"}
    support = {"address": "support@acme.test", "name": "Acme Support"}
    return {
        "id": message_id,
        "uri": f"/api/tickets/{TICKET_ID}/messages/{message_id}/",
        "ticket_id": TICKET_ID,
        "channel": channel,
        "via": via,
        "from_agent": from_agent,
        "public": channel != "internal-note",
        "sender": {"id": sender_id, "email": None, "name": None},
        "receiver": None,
        "source": {"type": channel, "from": support if from_agent else customer,
                   "to": [customer if from_agent else support]},
        "subject": "Where is my order?",
        "body_text": body,
        "body_html": f"<div>{body}</div>",
        "stripped_text": body,
        "attachments": [],
        "external_id": None,
        "integration_id": None,
        "created_datetime": f"2024-05-02T09:{message_id % 60:02d}:00.000000+00:00",
        "sent_datetime": f"2024-05-02T09:{message_id % 60:02d}:01.000000+00:00",
        "failed_datetime": None,
    }


THREAD: list[dict[str, Any]] = [
    message(3001, CUSTOMER_ID, "My parcel has not arrived", from_agent=False),
    message(3002, AGENT_ID, "Checking with the carrier", from_agent=True,
            channel="internal-note", via="helpdesk"),
    message(3003, AI_USER_ID, "Your parcel is on its way", from_agent=True, via="api"),
    message(3004, AGENT_ID, "Auto-tagged", from_agent=True, channel="internal-note", via="rule"),
    message(3005, CUSTOMER_ID, "Any news?", from_agent=False),
]

TICKET: dict[str, Any] = {
    "id": TICKET_ID,
    "uri": f"/api/tickets/{TICKET_ID}/",
    "external_id": None,
    "language": "en",
    "status": "open",
    "priority": "high",
    "channel": "email",
    "via": "email",
    "from_agent": False,
    "spam": False,
    "customer": CUSTOMER,
    "assignee_user": {"id": AGENT_ID, "email": "alex@acme.test", "name": "Alex Agent"},
    "assignee_team": {"id": 360010, "name": "Support"},
    "subject": "Where is my order?",
    "tags": [{"id": 1, "name": "shipping"}, {"id": 2, "name": "order"}],
    "messages": THREAD,
    "meta": None,
    "snooze_datetime": None,
    "created_datetime": "2024-05-02T09:00:00.000000+00:00",
    "opened_datetime": None,
    "last_message_datetime": "2024-05-02T09:05:00.000000+00:00",
    "updated_datetime": "2024-05-02T09:30:00.000000+00:00",
    "closed_datetime": None,
    "trashed_datetime": None,
}


def ticket_response(**changes: Any) -> dict[str, Any]:
    """``GET /api/tickets/{id}``."""
    return {**copy.deepcopy(TICKET), **changes}


def cursor_pages(items: list[dict[str, Any]], size: int) -> dict[str | None, dict[str, Any]]:
    """Cursor pages keyed by the ``cursor`` that asks for them (None: the first)."""
    answer: dict[str | None, dict[str, Any]] = {}
    cursor: str | None = None
    for start in range(0, max(1, len(items)), size):
        following = f"c{start + size}" if start + size < len(items) else None
        answer[cursor] = {"data": items[start:start + size], "object": "list",
                          "uri": "/api/messages",
                          "meta": {"prev_cursor": cursor, "next_cursor": following}}
        cursor = following
    return answer


MACROS: list[dict[str, Any]] = [
    {"id": 71, "name": "Where is my order", "intent": "shipping/status", "language": "en",
     "usage": 12, "actions": [
         {"name": "setResponseText", "title": "Add response text", "type": "user",
          "arguments": {"body_text": "Hi {{ticket.customer.firstname}}, it ships today.",
                        "body_html": "<p>Hi {{ticket.customer.firstname}}, it ships today.</p>"}},
         {"name": "addTags", "arguments": {"tags": "shipping"}}]},
    {"id": 72, "name": "Only tags", "intent": None, "language": "en", "usage": 1,
     "actions": [{"name": "addTags", "arguments": {"tags": "x"}}]},
]

INTEGRATION: dict[str, Any] = {
    "id": 81, "name": "Handoff", "type": "http", "deactivated_datetime": None,
    "http": {"url": "https://handoff.example/webhooks/gorgias", "method": "POST",
             "request_content_type": "application/json",
             "response_content_type": "application/json",
             "form": {"ticket_id": "{{ticket.id}}"},
             "triggers": {"ticket-created": True, "ticket-message-created": True}},
}
OTHER_INTEGRATION: dict[str, Any] = {"id": 82, "name": "Slack relay", "type": "http",
                                     "http": {"url": "https://slack.example/hook"}}
