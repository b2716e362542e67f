"""The loop guard and the human-first guard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.guards import ALREADY_HANDLED, ESCALATED, HUMAN_ENGAGED, EscalationState, guard
from core.models import Message, Role, Ticket
from core.settings import ExclusionSettings, HumanFirstSettings, TagSettings
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
    for answered in (owned, thread):
        reason = guard(answered, ExclusionSettings())
        assert reason is not None
        assert reason.code == HUMAN_ENGAGED


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


# -- escalated: the AI stays out until a person hands the ticket back ----------------------

FOLLOW_UP = ("Where is my order?", "Any news on this?")
OPENED = START + timedelta(minutes=5)


def escalated(*tags: str) -> Ticket:
    """A ticket escalated at OPENED whose customer wrote again afterwards."""
    base = ticket(*FOLLOW_UP, tags=tags)
    later = base.messages[-1].model_copy(update={"created_at": OPENED + timedelta(minutes=1)})
    return base.model_copy(update={"messages": (base.messages[0], later)})


def code(t: Ticket, state: EscalationState | None = None, **kwargs: object) -> str | None:
    reason = guard(t, ExclusionSettings(), escalation=state, **kwargs)  # type: ignore[arg-type]
    return reason.code if reason else None


def test_open_record_keeps_the_ai_out_even_when_the_tag_was_removed() -> None:
    assert code(escalated(), EscalationState(open_records=1, opened_at=OPENED)) == ESCALATED


def test_escalate_tag_keeps_the_ai_out_when_no_record_is_known() -> None:
    assert code(escalated("handoff_escalated")) == ESCALATED
    assert code(escalated("HANDOFF_ESCALATED")) == ESCALATED
    # The record was resolved or dismissed by hand: only a hand-back lets the AI in.
    assert code(escalated("handoff_escalated"), EscalationState(opened_at=OPENED)) == ESCALATED
    assert code(escalated("vip_escalated"),
                tags=TagSettings(escalate=("vip_escalated",))) == ESCALATED
    assert code(escalated()) is None


def test_hand_back_after_the_newest_escalation_lets_the_ai_in() -> None:
    back = EscalationState(opened_at=OPENED, handed_back_at=OPENED + timedelta(seconds=30))
    assert code(escalated("handoff_escalated"), back) is None


def test_hand_back_before_a_later_escalation_does_not() -> None:
    earlier = EscalationState(opened_at=OPENED, handed_back_at=OPENED - timedelta(hours=1))
    assert code(escalated("handoff_escalated"), earlier) == ESCALATED


def test_hand_back_never_overrides_an_open_record() -> None:
    both = EscalationState(open_records=1, opened_at=OPENED,
                           handed_back_at=OPENED + timedelta(minutes=1))
    assert code(escalated(), both) == ESCALATED


def test_our_own_writes_on_an_escalated_ticket_keep_their_own_reason() -> None:
    # The webhook of our own escalation message: not the customer's turn, nothing to count.
    base = escalated("handoff_escalated")
    ours = Message(author=Role.AI, text="Connecting you", created_at=OPENED + timedelta(hours=1))
    assert code(base.model_copy(update={"messages": (*base.messages, ours)})) == \
        "not_customer_turn"


# -- human first: a person who answered keeps the ticket ---------------------------------


def answered(public: bool, assignee: str | None = None) -> Ticket:
    thread = ticket("Hi", "Hello, I'm Sam", "One more thing",
                    authors=(Role.CUSTOMER, Role.AGENT, Role.CUSTOMER))
    agent = thread.messages[1].model_copy(update={"public": public})
    return thread.model_copy(update={
        "messages": (thread.messages[0], agent, thread.messages[2]), "assignee": assignee})


def test_any_public_agent_reply_keeps_the_ai_out_without_an_assignee() -> None:
    assert code(answered(public=True)) == HUMAN_ENGAGED


def test_internal_note_and_assignment_keep_the_ai_out_only_when_asked() -> None:
    note_only = answered(public=False)
    assert code(note_only) is None
    assert code(note_only, human_first=HumanFirstSettings(internal_note=True)) == HUMAN_ENGAGED
    assigned = ticket("Where is my order?").model_copy(update={"assignee": "agent-7"})
    assert code(assigned) is None
    assert code(assigned, human_first=HumanFirstSettings(assigned=True)) == HUMAN_ENGAGED


def every_human_first_setting() -> list[HumanFirstSettings]:
    # Every combination of every key: a new key that is not a bool fails here, on purpose.
    names = sorted(HumanFirstSettings.model_fields)
    combos = [dict(zip(names, (bool(n >> i & 1) for i in range(len(names))), strict=True))
              for n in range(2 ** len(names))]
    return [HumanFirstSettings(**c) for c in combos]


@pytest.mark.parametrize("settings", every_human_first_setting())
def test_no_setting_lets_the_ai_answer_after_a_public_agent_reply(
    settings: HumanFirstSettings,
) -> None:
    assert code(answered(public=True), human_first=settings) == HUMAN_ENGAGED
    assert code(answered(public=True, assignee="agent-7"), human_first=settings) == HUMAN_ENGAGED


def test_hand_back_forgives_agent_replies_before_it_but_not_after() -> None:
    thread = answered(public=True)
    agent_at = thread.messages[1].created_at
    assert code(thread, EscalationState(handed_back_at=agent_at + timedelta(seconds=1))) is None
    # Stamped to the second: a reply in the hand-back's own second may be later, so it counts.
    same_second = agent_at + timedelta(microseconds=400_000)
    assert code(thread, EscalationState(handed_back_at=same_second)) == HUMAN_ENGAGED
    assert code(thread, EscalationState(handed_back_at=agent_at - timedelta(minutes=1))) == \
        HUMAN_ENGAGED


def test_escalated_ticket_gets_no_actions() -> None:
    from core.engine import decide
    from core.models import Path
    from core.scorer import LexicalScorer
    from core.settings import Settings
    from tests.core.helpers import knowledge

    angry = ticket("Where is my order?", "This is useless. I want to talk to a real person NOW.",
                   tags=("handoff_escalated",))
    decision = decide(angry, LexicalScorer(knowledge()), Settings())
    assert decision.path is Path.SKIP
    assert [r.code for r in decision.reasons] == [ESCALATED]
    assert decision.actions == ()
