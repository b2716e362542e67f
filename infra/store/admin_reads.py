"""What the admin page reads beyond the open list, and the one change it may take back.

`AdminReads` adds to `HandBacks`: one record with its decision (reasons, signals
and the articles tried), everything known about one ticket, the newest decisions
with a link to their ticket, and `undo_dismiss`, which reopens a record dismissed
a moment ago. Reads raise sqlalchemy's errors; `undo_dismiss` raises
`TransitionError` when there is nothing it may undo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from infra.store.decision_log import decisions, escalations
from infra.store.escalations import State, TransitionError, _row
from infra.store.handbacks import HandBacks

# The newest helpdesk link known for a ticket, from its escalation records.
_LINK = (sa.select(escalations.c.ticket_url)
         .where(escalations.c.platform == decisions.c.platform,
                escalations.c.ticket_id == decisions.c.ticket_id,
                escalations.c.ticket_url.is_not(None))
         .order_by(escalations.c.id.desc()).limit(1).correlate(decisions).scalar_subquery())


class AdminReads(HandBacks):
    """The admin page's reads (see the module docstring)."""

    def recent_decisions(self, limit: int = 25) -> list[dict[str, Any]]:
        """The newest decisions first, each with ``ticket_url`` when a record knows it."""
        query = (sa.select(decisions, _LINK.label("ticket_url"))
                 .order_by(decisions.c.decided_at.desc()).limit(limit))
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query)]

    def decision(self, decision_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(decisions).where(
                decisions.c.decision_id == decision_id)).first()
        return _row(row) if row is not None else None

    def ticket(self, platform: str, ticket_id: str, limit: int = 100) -> dict[str, Any]:
        """One ticket's escalation records and decisions, newest first."""
        with self.engine.connect() as connection:
            records = [_row(r) for r in connection.execute(
                sa.select(escalations).where(escalations.c.platform == platform,
                                             escalations.c.ticket_id == ticket_id)
                .order_by(escalations.c.id.desc()).limit(limit))]
            made = [_row(r) for r in connection.execute(
                sa.select(decisions).where(decisions.c.platform == platform,
                                           decisions.c.ticket_id == ticket_id)
                .order_by(decisions.c.decided_at.desc()).limit(limit))]
        url = next((r["ticket_url"] for r in records if r["ticket_url"]), None)
        return {"records": records, "decisions": made, "ticket_url": url}

    def undo_dismiss(self, record_id: int, by: str, now: datetime, within: timedelta) -> None:
        """Reopen `record_id` if `by` dismissed it no longer than `within` before `now`."""
        with self.engine.begin() as connection:
            result = connection.execute(
                escalations.update()
                .where(escalations.c.id == record_id,
                       escalations.c.state == State.DISMISSED.value,
                       escalations.c.closed_by == by,
                       escalations.c.closed_at >= now - within)
                .values(state=State.OPEN.value, closed_at=None, closed_by=None, note=None))
        if result.rowcount != 1:
            raise TransitionError(f"escalation {record_id} cannot be undone any more")
