"""Hand-backs to the AI and the customer's messages while a person has the ticket, in the
decision log: `HandBacks` is `Escalations` with them, and the admin page's store.

Database errors propagate to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from core.guards import EscalationState
from core.models import Message
from core.redact import mask
from infra.store.decision_log import escalations, handbacks
from infra.store.escalations import Escalations, State, TransitionError

EXCERPT_CHARS = 200
BY_FIELD_CHARS = 64


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True)
class HandBacks(Escalations):
    """`Escalations` with hand-backs and the follow-up count; the admin page's store."""

    def state(self, platform: str, ticket_id: str) -> EscalationState:
        """What the decision log knows of the ticket's escalations, for the guard."""
        mine = (escalations.c.platform == platform) & (escalations.c.ticket_id == ticket_id)
        is_open = sa.case((escalations.c.state == State.OPEN.value, 1), else_=0)
        with self.engine.connect() as connection:
            count, opened = connection.execute(sa.select(
                sa.func.coalesce(sa.func.sum(is_open), 0),
                sa.func.max(escalations.c.opened_at)).where(mine)).one()
            back = connection.execute(sa.select(sa.func.max(handbacks.c.at)).where(
                handbacks.c.platform == platform, handbacks.c.ticket_id == ticket_id)).scalar()
        return EscalationState(open_records=int(count), opened_at=_utc(opened),
                               handed_back_at=_utc(back))

    def hand_back(self, platform: str, ticket_id: str, request_id: str, by: str,
                  now: datetime, record_id: int | None = None) -> bool:
        """Close the ticket's open records (only `record_id` when given) as returned, and
        note the hand-back once per `request_id`. False when it was noted before (a retry).
        TransitionError (nothing changed) when `record_id` is not an open record of it."""
        who = by[:BY_FIELD_CHARS]
        with self.engine.begin() as connection:
            if connection.execute(sa.select(handbacks.c.id).where(
                    handbacks.c.request_id == request_id)).first() is not None:
                return False
            closing = escalations.update().where(
                escalations.c.platform == platform, escalations.c.ticket_id == ticket_id,
                escalations.c.state == State.OPEN.value)
            if record_id is not None:
                closing = closing.where(escalations.c.id == record_id)
            closed = connection.execute(closing.values(
                state=State.RETURNED.value, closed_at=now, closed_by=who,
                note="handed back to the AI")).rowcount
            if record_id is not None and closed != 1:
                raise TransitionError(f"escalation {record_id} is not open")
            connection.execute(handbacks.insert(), {
                "request_id": request_id, "platform": platform, "ticket_id": ticket_id,
                "record_id": record_id, "by": who, "at": now})
        return True

    def return_to_ai(self, record_id: int, by: str, now: datetime) -> dict[str, Any]:
        """Close open record `record_id` as returned to the AI; return the record as it
        was. TransitionError when it does not exist or is already closed."""
        record = self.get(record_id)
        if record is None:
            raise TransitionError(f"no escalation record {record_id}")
        if record["state"] != State.OPEN.value:
            raise TransitionError(f"escalation {record_id} is already {record['state']}")
        self.hand_back(record["platform"], record["ticket_id"], f"record:{record_id}", by, now,
                       record_id)
        return record

    def covered(self, platform: str, ticket_id: str) -> int:
        """How many customer messages the ticket's newest escalation was made on (0: none
        known): a person has dealt with them once the ticket is handed back."""
        with self.engine.connect() as connection:
            found = connection.execute(sa.select(escalations.c.customers_at_open).where(
                escalations.c.platform == platform, escalations.c.ticket_id == ticket_id)
                .order_by(escalations.c.opened_at.desc(), escalations.c.id.desc())
                .limit(1)).scalar()
        return int(found or 0)

    def note_messages(self, record_id: int, count: int, latest: Message) -> bool:
        """Store `count` customer messages since the escalation, the newest one's time and
        a masked excerpt, if `count` is more than stored; whether it was."""
        text = mask(" ".join(latest.text.split()))
        if len(text) > EXCERPT_CHARS:
            text = text[: EXCERPT_CHARS - 1] + "\u2026"
        with self.engine.begin() as connection:
            result = connection.execute(escalations.update().where(
                escalations.c.id == record_id,
                sa.or_(escalations.c.new_messages.is_(None),
                       escalations.c.new_messages < count)).values(
                new_messages=count, last_message_at=latest.created_at, last_message=text))
        return result.rowcount == 1
