"""Batches of writes, finding a batch the helpdesk already shows, and re-planning."""

from __future__ import annotations

from datetime import timedelta

from core.batching import already_on_ticket, batches, rebase, without
from core.models import (
    AddTags,
    Assign,
    Decision,
    InternalNote,
    Message,
    Path,
    PublicReply,
    Role,
    SetStatus,
    Status,
)
from tests.core.helpers import START, ticket

NOTE = InternalNote(body="Reason: human_request\n\nSummary:  the customer asked for a person.")
REPLY = PublicReply(body="I'm connecting you with our team.")
TAGS = AddTags(tags=("handoff_escalated",))


def test_fields_ride_with_the_first_comment_and_comments_keep_their_order() -> None:
    planned = (NOTE, TAGS, SetStatus(status=Status.OPEN), REPLY)
    assert batches(planned) == [(NOTE, TAGS, SetStatus(status=Status.OPEN)), (REPLY,)]
    assert batches((TAGS,)) == [(TAGS,)]
    assert batches(()) == []


def test_a_comment_the_helpdesk_already_shows_is_found_despite_rerendering() -> None:
    rerendered = Message(author=Role.AI, public=False, created_at=START + timedelta(minutes=5),
                         text="Reason: human_request\nSummary: the customer asked for a person.")
    posted = ticket("I want a person").model_copy(
        update={"messages": (*ticket("I want a person").messages, rerendered)})
    assert already_on_ticket(posted, (NOTE, TAGS))
    assert not already_on_ticket(posted, (REPLY,))


def test_same_text_from_someone_else_or_other_visibility_is_not_ours() -> None:
    by_agent = Message(author=Role.AGENT, public=False, text=NOTE.body, created_at=START)
    public_ai = Message(author=Role.AI, public=True, text=NOTE.body, created_at=START)
    for message in (by_agent, public_ai):
        assert not already_on_ticket(ticket("hi").model_copy(update={"messages": (message,)}),
                                     (NOTE,))
    assert not already_on_ticket(ticket("hi"), (TAGS,))


def test_deciding_again_sees_the_thread_without_the_decisions_own_comments() -> None:
    ours = Message(author=Role.AI, public=False, created_at=START + timedelta(minutes=5),
                   text=NOTE.body)
    earlier = ticket("I want a person")
    posted = earlier.model_copy(update={"messages": (*earlier.messages, ours)})
    assert without(posted, [(NOTE, TAGS)]).messages == earlier.messages
    assert without(posted, [(REPLY,)]).messages == posted.messages


def test_a_replan_keeps_the_written_batches_and_takes_the_rest_from_the_new_plan() -> None:
    old = Decision(ticket_id="1", platform="zendesk", path=Path.ESCALATE, confidence=0.1,
                   actions=(NOTE, TAGS, Assign(group="999"), REPLY))
    new_reply = PublicReply(body="Someone from the billing team will reply.")
    new = old.model_copy(update={"actions": (NOTE, TAGS, Assign(group="1"), new_reply)})
    assert rebase(old, new, 0) == new
    assert rebase(old, new, 1).actions == (NOTE, TAGS, Assign(group="999"), new_reply)
    assert rebase(old, new, 2).actions == old.actions
    skip = Decision(ticket_id="1", platform="zendesk", path=Path.SKIP, confidence=0.0)
    assert rebase(old, skip, 1) == old  # what stands on the ticket commits the path
    assert rebase(old, skip, 0) == skip
