"""Group planned actions into batches a connector can confirm one at a time.

A batch holds at most one comment (public reply or internal note). Field changes
(tags, assignment, status, priority) ride with the first comment, so on most
helpdesks a batch is a single API call and either lands whole or not at all. The
worker records each confirmed batch, so a retried job never posts a comment twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.models import Action, InternalNote, PublicReply

Batch = tuple[Action, ...]


def batches(actions: Sequence[Action]) -> list[Batch]:
    """Split `actions` into batches, keeping the order of the comments."""
    comments = [a for a in actions if isinstance(a, PublicReply | InternalNote)]
    fields = tuple(a for a in actions if not isinstance(a, PublicReply | InternalNote))
    if not comments:
        return [fields] if fields else []
    first, *rest = comments
    return [(first, *fields), *((c,) for c in rest)]
