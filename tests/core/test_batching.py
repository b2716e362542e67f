"""Batches of writes, and finding a batch the helpdesk already shows."""

from __future__ import annotations

from datetime import timedelta

from core.batching import already_on_ticket, batches
from core.models import AddTags, InternalNote, Message, PublicReply, Role, SetStatus, Status
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
