"""The loop guard and the human-first guard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.guards import ALREADY_HANDLED, HUMAN_ENGAGED, guard
from core.models import Message, Role, Ticket
from core.settings import ExclusionSettings
from tests.core.helpers import START, ticket


def with_private_ai_note(text: str) -> Ticket:
    base = ticket(text)
    note = Message(author=Role.AI, public=False, text="AI draft", created_at=START + timedelta(1))
    return base.model_copy(update={"messages": (*base.messages, note)})


def test_our_own_note_coming_back_is_skipped() -> None:
    reason = guard(with_private_ai_note("Where is my order?"), ExclusionSettings())
    assert reason is not None
    assert reason.code == ALREADY_HANDLED


def test_new_customer_message_after_our_note_is_looked_at() -> None:
    handled = with_private_ai_note("Where is my order?")
    follow_up = Message(author=Role.CUSTOMER, text="Any news?", created_at=START + timedelta(2))
    fresh = handled.model_copy(update={"messages": (*handled.messages, follow_up)})
    assert guard(fresh, ExclusionSettings()) is None


def test_ticket_owned_and_answered_by_a_human_is_left_to_them() -> None:
    thread = ticket("Hi", "Hello, I'm Sam", "Thanks Sam, one more thing",
                    authors=(Role.CUSTOMER, Role.AGENT, Role.CUSTOMER))
    owned = thread.model_copy(update={"assignee": "agent-7"})
    reason = guard(owned, ExclusionSettings())
    assert reason is not None
    assert reason.code == HUMAN_ENGAGED
    assert guard(thread, ExclusionSettings()) is None


@pytest.mark.parametrize(
    ("email", "subject"),
    [
        ("mailer-daemon@mail.example.com", "Where is my order?"),
        ("no-reply@shop.example", "Order 1234"),
        ("maria@example.com", "Out of Office: back on Monday"),
        ("maria@example.com", "Automatic reply: Where is my order?"),
        ("maria@example.com", "Réponse automatique : absent"),
    ],
)
def test_auto_responders_are_never_answered(email: str, subject: str) -> None:
    reason = guard(ticket("Where is my order?", subject=subject, email=email), ExclusionSettings())
    assert reason is not None
    assert reason.code == "auto_responder"


def test_people_are_not_taken_for_auto_responders() -> None:
    plain = ticket("Where is my order?", subject="Reply about my order", email="noreen@example.com")
    assert guard(plain, ExclusionSettings()) is None
