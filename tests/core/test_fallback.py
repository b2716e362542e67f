"""What is written instead of a batch the helpdesk refused."""

from __future__ import annotations

from core.fallback import REJECTED_TAG, fallbacks
from core.models import (
    AddTags,
    Assign,
    InternalNote,
    Priority,
    PublicReply,
    SetPriority,
    SetStatus,
    Status,
)

NOTE = InternalNote(body="Reason: high_risk:refund")
TAGS = AddTags(tags=("handoff_escalated",))
ASSIGN = Assign(group="999999")
PRIORITY = SetPriority(priority=Priority.HIGH)
OPEN = SetStatus(status=Status.OPEN)
FAILURE = 'HTTP 422: {"error": "RecordInvalid"}'
REJECTED = AddTags(tags=(REJECTED_TAG,))


def test_an_escalation_note_drops_the_assignment_then_every_field_then_the_tags() -> None:
    first, second, third = fallbacks((NOTE, TAGS, ASSIGN, PRIORITY, OPEN), FAILURE)
    assert first[1:] == (TAGS, PRIORITY, OPEN, REJECTED)
    assert second[1:] == (TAGS, REJECTED)
    assert third[1:] == ()
    note = first[0]
    assert isinstance(note, InternalNote)
    assert note.body == (
        "Handoff could not write everything it planned on this ticket: the helpdesk refused "
        f"it ({FAILURE}).\nNot done: assign to group 999999. Please see to it by hand.\n\n"
        "Reason: high_risk:refund")
    assert "Not done: assign to group 999999; set priority high; set status open." in (
        second[0].body if isinstance(second[0], InternalNote) else "")


def test_a_refused_reply_is_never_sent_but_handed_to_an_agent_in_a_note() -> None:
    reply = PublicReply(body="Your order ships today.")
    options = fallbacks((reply, AddTags(tags=("handoff_auto_resolved",)),
                         SetStatus(status=Status.SOLVED)), FAILURE)
    assert [type(o[0]) for o in options] == [InternalNote, InternalNote]
    assert [o[1:] for o in options] == [(REJECTED,), ()]
    body = options[0][0].body if isinstance(options[0][0], InternalNote) else ""
    assert "Not done: send the public reply; add tags handoff_auto_resolved; " \
           "set status solved." in body
    assert body.endswith("please answer them yourself:\n\nYour order ships today.")


def test_a_batch_without_an_assignment_skips_that_step() -> None:
    assert [o[1:] for o in fallbacks((NOTE, TAGS), FAILURE)] == [(TAGS, REJECTED), ()]
