"""The requester's other tickets (`Helpdesk.requester_tickets`): what every connector does
with the one page of tickets its helpdesk lists.

Each connector asks for the requester's tickets newest first, one more than wanted (the
ticket being handled is usually among them), and reads each item with its platform's
``payloads.brief``. These helpers do not trust the helpdesk's order or page size: an item
that cannot be read is skipped, the ticket itself is dropped, the rest is sorted again by
update time (newest first, unknown times last) and cut to the limit. Pure; nothing here
raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from connectors.webhook_tools import identifier
from core.models import Status, TicketBrief

logger = logging.getLogger("connectors.briefs")

# Every helpdesk caps one page of a list at 100 items.
MAX_PAGE = 100
_UNKNOWN = datetime.min.replace(tzinfo=UTC)


def page_size(limit: int) -> int:
    """How many tickets to ask for: `limit` plus the ticket itself, within one page."""
    return max(1, min(limit + 1, MAX_PAGE))


def brief(raw: dict[str, Any], status: Status, updated_at: datetime | None,
          link: Callable[[str], str]) -> TicketBrief:
    """One listed ticket as a `TicketBrief` (its status and update time read by the
    platform's payloads), linked with `link(id)`; KeyError when it has no numeric ``id``."""
    ticket_id = identifier(raw.get("id"))
    if ticket_id is None:
        raise KeyError("id")
    return TicketBrief(id=ticket_id, subject=str(raw.get("subject") or ""), status=status,
                       updated_at=updated_at, url=link(ticket_id))


def read_each(items: Iterable[dict[str, Any]], read: Callable[[dict[str, Any]], TicketBrief],
              platform: str) -> list[TicketBrief]:
    """`read` of each item, in order; an item it cannot read (KeyError, TypeError or
    ValueError: no id, a time that is not one) is skipped and logged, not fatal."""
    found: list[TicketBrief] = []
    for item in items:
        try:
            found.append(read(item))
        except (KeyError, TypeError, ValueError) as exc:
            logger.info("%s: skipping an unreadable ticket in the requester's list: %r",
                        platform, exc)
    return found


def newest_others(briefs: Iterable[TicketBrief], ticket_id: str, limit: int) -> list[TicketBrief]:
    """`briefs` without `ticket_id` and without repeats, most recently updated first
    (the helpdesk's order kept between equal times), at most `limit`."""
    seen = {ticket_id}
    others: list[TicketBrief] = []
    for brief in briefs:
        if brief.id not in seen:
            seen.add(brief.id)
            others.append(brief)
    others.sort(key=_updated, reverse=True)
    return others[:max(0, limit)]


def _updated(brief: TicketBrief) -> datetime:
    moment = brief.updated_at
    if moment is None:
        return _UNKNOWN
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
