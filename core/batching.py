"""Group planned actions into batches a connector can confirm one at a time.

A batch holds at most one comment (public reply or internal note). Field changes
(tags, assignment, status, priority) ride with the first comment, so on most
helpdesks a batch is a single API call and either lands whole or not at all. The
worker records each confirmed batch, so a retried job never posts a comment twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.models import Action, InternalNote, PublicReply, Role, Ticket

Batch = tuple[Action, ...]
_SPACE = re.compile(r"\s+")


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
    recorded it; the retry then finds its own comment (same visibility, same text
    once white space is folded, since helpdesks re-render HTML) and must not post
    it again. A batch without a comment is never found: field changes are safe
    to repeat.
    """
    comment = next((a for a in batch if isinstance(a, PublicReply | InternalNote)), None)
    if comment is None:
        return False
    public = isinstance(comment, PublicReply)
    wanted = _SPACE.sub(" ", comment.body).strip()
    return any(
        m.author is Role.AI and m.public == public and _SPACE.sub(" ", m.text).strip() == wanted
        for m in ticket.messages
    )
