"""Group planned actions into batches a connector can confirm one at a time.

A batch holds at most one comment (public reply or internal note). Field changes
(tags, assignment, status, priority) ride with the first comment, so on most
helpdesks a batch is a single API call and either lands whole or not at all. The
worker records each confirmed batch, so a retried job never posts a comment twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.models import Action, Decision, InternalNote, Message, PublicReply, Role, Ticket

Batch = tuple[Action, ...]
# What a helpdesk's text of our rendered Markdown may lose or add: link targets and list
# numbers (HTML to text drops them; plain text keeps them), markers and punctuation.
_URL = re.compile(r"(?:https?://|mailto:)[^\s)\]>]+")
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:\d+[.)]|[-*+])[ \t]+")
_WORD = re.compile(r"\w+")


def batches(actions: Sequence[Action]) -> list[Batch]:
    """Split `actions` into batches, keeping the order of the comments."""
    comments = [a for a in actions if isinstance(a, PublicReply | InternalNote)]
    fields = tuple(a for a in actions if not isinstance(a, PublicReply | InternalNote))
    if not comments:
        return [fields] if fields else []
    first, *rest = comments
    return [(first, *fields), *((c,) for c in rest)]


def already_on_ticket(ticket: Ticket, batch: Batch) -> bool:
    """Whether the batch's comment already stands on `ticket`, written by the AI.

    A worker can die after the helpdesk accepted a batch but before the ledger
    recorded it; the retry then finds its own comment (same visibility, the same words
    in the same order, since helpdesks show our Markdown as HTML or text) and must not post
    it again. A batch without a comment is never found: field changes are safe
    to repeat.
    """
    comment = _comment(batch)
    return comment is not None and any(_is(m, comment) for m in ticket.messages)


def without(ticket: Ticket, written: Sequence[Batch]) -> Ticket:
    """`ticket` without the comments of the `written` batches: the thread as it was
    before a decision's first writes, so that deciding it again is not stopped by
    the loop guard, which would see the AI's own note. Never raises."""
    comments = [c for c in map(_comment, written) if c is not None]
    kept = tuple(m for m in ticket.messages if not any(_is(m, c) for c in comments))
    return ticket.model_copy(update={"messages": kept})


def rebase(stored: Decision, fresh: Decision, done: int) -> Decision:
    """The plan a replayed decision finishes: `fresh` (decided again from the current
    settings) where it can replace `stored`, whose first `done` batches stand already.

    Nothing written yet: `fresh` whole. Some batches written: those stay as they
    were and `fresh` supplies the rest, if it takes the same path (the batches of
    one path line up: the note with its fields, then the customer message). A
    `fresh` plan on another path would contradict what stands on the ticket, so
    then `stored` is finished as planned. Never raises.
    """
    if done == 0:
        return fresh
    if fresh.path is not stored.path:
        return stored
    kept = batches(stored.actions)[:done] + batches(fresh.actions)[done:]
    return fresh.model_copy(update={"actions": tuple(a for b in kept for a in b)})


def _comment(batch: Batch) -> PublicReply | InternalNote | None:
    return next((a for a in batch if isinstance(a, PublicReply | InternalNote)), None)


def _is(message: Message, comment: PublicReply | InternalNote) -> bool:
    return (message.author is Role.AI and message.public == isinstance(comment, PublicReply)
            and _words(message.text) == _words(comment.body))


def _words(text: str) -> str:
    # Joined without spaces: some helpdesks glue the text of adjacent blocks together.
    return "".join(_WORD.findall(_LIST_MARKER.sub("", _URL.sub(" ", text))))
