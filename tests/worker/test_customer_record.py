"""The customer's record in the handoff note (issue 19, 2): organisation and tier, earlier
escalations, and the requester's other tickets, through a real rq job on each platform
of the sandbox over real HTTP. The note arrives rendered from Markdown (its "- " list
markers become list items), so the lines are matched without them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worker.helpdesks import PLATFORMS, Handoff, alerts, handoff, sandbox

__all__ = ["alerts", "handoff", "sandbox"]  # fixtures, imported for pytest

CUSTOMER = {"email": "rita@example.com", "name": "Rita Moreno", "organization": "Acme Ltd",
            "organization_fields": {"tier": "gold"}}
# The list call of each platform (`requester_tickets`), for a fault.
LIST_PATH = {"zendesk": r"/users/\d+/tickets/requested", "freshdesk": r"/api/v2/tickets$",
             "gorgias": r"/api/tickets$"}


def create(handoff: Handoff, platform: str, subject: str, text: str,
           customer: dict[str, Any] = CUSTOMER) -> str:
    body = {"platform": platform, "subject": subject, "requester": customer,
            "messages": [{"author": "customer", "body": text}]}
    answer = handoff.sandbox.post("/sandbox/tickets", json=body).raise_for_status()
    return str(answer.json()["ticket_id"])


def escalate(handoff: Handoff, platform: str, ticket_id: str, event_id: str = "ev-1") -> str:
    """Deliver and work the ticket; the AI's newest internal note on it."""
    handoff.deliver(platform, ticket_id, f"{event_id}-{ticket_id}")
    handoff.work()
    notes = [body for public, body in handoff.ai_comments(platform, ticket_id) if not public]
    assert notes, "no internal note"
    return notes[-1]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_note_names_earlier_escalations_and_other_tickets(
    handoff: Handoff, platform: str,
) -> None:
    handoff.configure(group=None)
    first = create(handoff, platform, "Broken mixer", "My mixer broke, I want a refund.")
    someone_else = create(handoff, platform, "Mine", "Where is my order?",
                          {"email": "other@example.com", "name": "Otto"})
    first_note = escalate(handoff, platform, first)
    second = create(handoff, platform, "Still waiting",
                    "Please let me talk to a human agent.")

    note = escalate(handoff, platform, second)

    assert "Escalated before: no." in first_note
    assert "Other tickets: none." in first_note
    record = note[note.index("Customer record:"):note.index("Customer sentiment:")]
    assert f"ticket {first} (high_risk:refund, open)" in record
    assert "Escalated before: yes, 1 time(s)" in record
    assert f'#{first} open' in record
    assert '"Broken mixer"' in record
    assert f"#{second} " not in record
    assert f"#{someone_else} " not in record
    if platform == "zendesk":  # the one API here that gives the organisation with the ticket
        assert "Organisation: Acme Ltd (tier: gold)." in record


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_helpdesk_that_cannot_list_the_tickets_does_not_stop_the_escalation(
    handoff: Handoff, platform: str,
) -> None:
    handoff.configure(group=None)
    ticket_id = create(handoff, platform, "Help", "I want to speak to a person.")
    handoff.fault(method="GET", path=LIST_PATH[platform], status=503)

    note = escalate(handoff, platform, ticket_id)

    assert "Other tickets: could not be read (HTTP 503" in note
    assert "handoff_escalated" in handoff.ticket(platform, ticket_id)["tags"]
    assert [public for public, _ in handoff.ai_comments(platform, ticket_id)] == [False, True]


def test_the_extra_call_is_not_made_when_turned_off(handoff: Handoff) -> None:
    handoff.configure(group=None, extra={"handoff_note": {"other_tickets": 0}})
    ticket_id = create(handoff, "zendesk", "Help", "I want to speak to a person.")
    handoff.fault(method="GET", path=LIST_PATH["zendesk"], status=503)

    note = escalate(handoff, "zendesk", ticket_id)

    assert "Other tickets" not in note
    faults = handoff.sandbox.get("/sandbox/faults").json()
    assert [f["matched"] for f in faults] == [0]


def test_the_note_names_the_articles_the_ai_answered_with_before(handoff: Handoff) -> None:
    handoff.configure(group=None)
    ticket_id = create(handoff, "zendesk", "Parcel", "How can I track my order?")
    handoff.deliver("zendesk", ticket_id, "ev-1")
    handoff.work()
    handoff.sandbox.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                         json={"body": "That did not help. I want to talk to a human."})

    note = escalate(handoff, "zendesk", ticket_id, "ev-2")

    record = note[note.index("Customer record:"):note.index("Customer sentiment:")]
    assert 'The AI answered on this ticket before with: "Track your order" (' in record

