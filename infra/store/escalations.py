"""Escalation records, AI drafts with their feedback, and holdout tickets, in the decision log.

An escalation record is ``open`` when made, then ``resolved`` (by itself when the
helpdesk shows a human public reply and the ticket solved, or by hand),
``dismissed`` (by hand, with a note saying why it was not needed) or ``returned``
(handed back to the AI, `worker.handback`). A closed record never changes again:
`resolve` and `dismiss` raise `TransitionError`.

The tables are declared in `infra.store.decision_log` (revision 0002; ladder, level,
level due time and handoff history since 0004). Customer text is masked
(`core.redact`) before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from core.aftercare import Outcome
from core.ladder import Step
from core.redact import mask
from infra.store.decision_log import (
    decisions,
    drafts,
    escalations,
    holdouts,
    insert_once,
    ticket_outcomes,
)


class State(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    # Handed back to the AI (`worker.handback`): the AI may act on the ticket again.
    RETURNED = "returned"


class TransitionError(ValueError):
    """The record does not exist, is already closed, or a dismissal has no note."""


@dataclass(frozen=True)
class NewEscalation:
    """What is known when a ticket is escalated."""

    decision_id: str
    platform: str
    ticket_id: str
    reason: str
    reasons: tuple[str, ...]
    severity: str
    agent: str | None
    ticket_url: str | None
    customer: str | None
    summary: str
    status_at_open: str
    # The escalation ladder it climbs, and step 1 of its history (level 0).
    ladder: str | None = None
    first_step: Step | None = None
    # The customer's public messages in the thread when it was escalated, so the ones
    # after it can be counted (`worker.handback`).
    customers_at_open: int | None = None
    # What is announced (`worker.notify`): the escalation, or a customer's urgent message
    # on a ticket already escalated ("escalation_message").
    event: str = "escalation"
    # The helpdesk's id of the requester, to tell their earlier escalations (revision 0008).
    requester_id: str | None = None


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _row(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key in ("opened_at", "closed_at", "drafted_at", "judged_at", "at", "decided_at",
                "level_due_at", "last_message_at", "first_reply_at", "reopened_at",
                "first_seen_at", "solved_at"):
        if data.get(key) is not None:
            data[key] = _utc(data[key])
    return data


def _stored(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = step.model_dump(mode="json")
    data["why"] = mask(step.why)
    return data


def steps(record: dict[str, Any]) -> tuple[Step, ...]:
    """The handoff history of a record read by `Escalations`, oldest first."""
    return tuple(Step.model_validate(s) for s in record.get("history") or ())


# The look-ups every job makes, built once: a statement built per call is rebuilt and keyed
# anew for SQLAlchemy's compiled cache every time, several percent of a worker's CPU.
_PLATFORM: sa.BindParameter[str] = sa.bindparam("platform")
_TICKET: sa.BindParameter[str] = sa.bindparam("ticket_id")
_OPEN_FOR_TICKET = sa.select(escalations).where(
    escalations.c.platform == _PLATFORM, escalations.c.ticket_id == _TICKET,
    escalations.c.state == State.OPEN.value).order_by(escalations.c.id)
_UNJUDGED_DRAFTS = sa.select(drafts).where(
    drafts.c.platform == _PLATFORM, drafts.c.ticket_id == _TICKET,
    drafts.c.outcome.is_(None)).order_by(drafts.c.drafted_at)
# The handoff note's customer record (`worker.customer_record`), on every escalation.
_OF_REQUESTER = sa.select(escalations).where(
    escalations.c.platform == _PLATFORM, escalations.c.requester_id == sa.bindparam(
        "requester_id"), escalations.c.ticket_id != _TICKET,
).order_by(escalations.c.opened_at.desc()).limit(20)
_ANSWERS = sa.select(decisions.c.path, decisions.c.decided_at, decisions.c.sources).where(
    decisions.c.platform == _PLATFORM, decisions.c.ticket_id == _TICKET,
    decisions.c.path.in_(("auto_resolve", "draft")),
).order_by(decisions.c.decided_at.desc()).limit(5)
_OUTCOME = sa.select(ticket_outcomes).where(
    ticket_outcomes.c.platform == _PLATFORM, ticket_outcomes.c.ticket_id == _TICKET)


@dataclass(frozen=True)
class Escalations:
    """Reads and writes the after-the-handoff tables of one decision-log database."""

    engine: sa.Engine

    # -- escalation records ------------------------------------------------------------

    def open(self, new: NewEscalation, now: datetime) -> tuple[int, bool]:
        """Open a record for `new.decision_id` once; return (id, created)."""
        with self.engine.begin() as connection:
            found = connection.execute(sa.select(escalations.c.id).where(
                escalations.c.decision_id == new.decision_id)).scalar()
            if found is not None:
                return int(found), False
            result = connection.execute(escalations.insert(), {
                "decision_id": new.decision_id, "platform": new.platform,
                "ticket_id": new.ticket_id, "reason": new.reason, "reasons": list(new.reasons),
                "severity": new.severity, "agent": new.agent, "ticket_url": new.ticket_url,
                "customer": mask(new.customer) if new.customer else None,
                "summary": mask(new.summary), "state": State.OPEN.value, "note": None,
                "status_at_open": new.status_at_open, "keep_warm_sent": 0, "opened_at": now,
                "ladder": new.ladder, "level": 0 if new.ladder else None,
                "level_due_at": new.first_step.due_at if new.first_step else None,
                "history": [_stored(new.first_step)] if new.first_step else None,
                "customers_at_open": new.customers_at_open, "new_messages": 0,
                "requester_id": new.requester_id,
            })
            key = result.inserted_primary_key
            return int(key[0]) if key else 0, True

    def of_requester(self, platform: str, requester_id: str,
                     other_than: str) -> list[dict[str, Any]]:
        """The requester's 20 newest escalation records on tickets other than
        `other_than`, newest first. Records made before revision 0008 are not found."""
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(_OF_REQUESTER, {
                "platform": platform, "requester_id": requester_id, "ticket_id": other_than})]

    def answers_before(self, platform: str, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's 5 newest decisions that answered (auto-resolve or draft), oldest
        first: path, decided_at, sources."""
        with self.engine.connect() as connection:
            rows = connection.execute(_ANSWERS, {"platform": platform, "ticket_id": ticket_id})
            return [_row(r) for r in rows][::-1]

    def get(self, record_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(escalations).where(escalations.c.id == record_id)).first()
        return _row(row) if row is not None else None

    def open_for_ticket(self, platform: str, ticket_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(
                _OPEN_FOR_TICKET, {"platform": platform, "ticket_id": ticket_id})]

    def list_open(
        self, *, reason: str | None = None, platform: str | None = None,
        older_than: timedelta | None = None, newer_than: timedelta | None = None,
        now: datetime | None = None, limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Open records, oldest first, filtered by reason, platform and age."""
        now = now or datetime.now(UTC)
        query = sa.select(escalations).where(escalations.c.state == State.OPEN.value)
        if reason:
            query = query.where(escalations.c.reason == reason)
        if platform:
            query = query.where(escalations.c.platform == platform)
        if older_than is not None:
            query = query.where(escalations.c.opened_at <= now - older_than)
        if newer_than is not None:
            query = query.where(escalations.c.opened_at >= now - newer_than)
        query = query.order_by(escalations.c.opened_at, escalations.c.id).limit(limit)
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query)]

    def count_open(self) -> int:
        query = sa.select(sa.func.count()).select_from(escalations).where(
            escalations.c.state == State.OPEN.value)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def open_facets(self) -> dict[str, list[str]]:
        """The reasons and platforms that open records have, for filter menus."""
        facets: dict[str, list[str]] = {}
        with self.engine.connect() as connection:
            for name in ("reason", "platform"):
                column = escalations.c[name]
                query = sa.select(column).distinct().where(
                    escalations.c.state == State.OPEN.value).order_by(column)
                facets[name] = [str(v) for v in connection.execute(query).scalars()]
        return facets

    def resolve(self, record_id: int, by: str, now: datetime, note: str | None = None) -> None:
        """Close an open record as resolved; TransitionError when it is not open."""
        self._close(record_id, State.RESOLVED, by, now, note)

    def dismiss(self, record_id: int, note: str, by: str, now: datetime) -> None:
        """Close an open record as not needed; `note` (why) is required."""
        if not note.strip():
            raise TransitionError("a dismissal needs a note saying why it was not needed")
        self._close(record_id, State.DISMISSED, by, now, note.strip())

    def _close(self, record_id: int, state: State, by: str, now: datetime,
               note: str | None) -> None:
        with self.engine.begin() as connection:
            result = connection.execute(
                escalations.update()
                .where(escalations.c.id == record_id, escalations.c.state == State.OPEN.value)
                .values(state=state.value, closed_at=now, closed_by=by,
                        note=mask(note) if note else None))
            if result.rowcount == 1:
                return
            current = connection.execute(sa.select(escalations.c.state).where(
                escalations.c.id == record_id)).scalar()
        if current is None:
            raise TransitionError(f"no escalation record {record_id}")
        raise TransitionError(f"escalation {record_id} is already {current}")

    def advance(self, record_id: int, from_level: int, step: Step) -> bool:
        """Move an open record from `from_level` to `step.level`, appending `step` to its
        history. False (and nothing changed) when the record is no longer open at
        `from_level`: a retried job never climbs twice."""
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(escalations.c.history).where(
                escalations.c.id == record_id, escalations.c.level == from_level,
                escalations.c.state == State.OPEN.value)).first()
            if row is None:
                return False
            result = connection.execute(
                escalations.update()
                .where(escalations.c.id == record_id, escalations.c.level == from_level)
                .values(level=step.level, level_due_at=step.due_at,
                        history=[*(row.history or []), _stored(step)]))
            return result.rowcount == 1

    def note_first_reply(self, record_id: int, at: datetime) -> None:
        """Remember the first human public reply after the escalation (kept once)."""
        with self.engine.begin() as connection:
            connection.execute(escalations.update().where(
                escalations.c.id == record_id, escalations.c.first_reply_at.is_(None))
                .values(first_reply_at=at))

    def count_keep_warm(self, record_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(escalations.update().where(escalations.c.id == record_id).values(
                keep_warm_sent=escalations.c.keep_warm_sent + 1))

    # -- drafts and feedback -----------------------------------------------------------

    def record_draft(self, decision_id: str, platform: str, ticket_id: str,
                     article_id: str | None, category: str, draft: str, now: datetime) -> None:
        """Remember an AI draft once, so the agent's reply can be compared with it."""
        with self.engine.begin() as connection:
            insert_once(connection, drafts, {
                "decision_id": decision_id, "platform": platform, "ticket_id": ticket_id,
                "article_id": article_id, "category": category, "draft": mask(draft),
                "drafted_at": now})

    def unjudged_drafts(self, platform: str, ticket_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(
                _UNJUDGED_DRAFTS, {"platform": platform, "ticket_id": ticket_id})]

    def judge(self, decision_id: str, outcome: Outcome, edit_ratio: float,
              now: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(drafts.update().where(
                drafts.c.decision_id == decision_id, drafts.c.outcome.is_(None)).values(
                outcome=outcome.value, edit_ratio=edit_ratio, judged_at=now))

    def feedback(self, by: str = "category") -> dict[str, dict[str, Any]]:
        """Per category (or ``article_id``): counts per outcome and the mean edit ratio."""
        column = drafts.c.category if by == "category" else drafts.c.article_id
        query = (sa.select(column, drafts.c.outcome, sa.func.count(),
                           sa.func.avg(drafts.c.edit_ratio))
                 .where(drafts.c.outcome.is_not(None))
                 .group_by(column, drafts.c.outcome).order_by(column))
        table: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as connection:
            for key, outcome, count, ratio in connection.execute(query):
                entry = table.setdefault(str(key), {"counts": {}, "ratios": []})
                entry["counts"][str(outcome)] = int(count)
                entry["ratios"].append((float(ratio or 0.0), int(count)))
        for entry in table.values():
            ratios = entry.pop("ratios")
            entry["total"] = sum(n for _, n in ratios)
            entry["mean_edit_ratio"] = round(
                sum(r * n for r, n in ratios) / max(1, entry["total"]), 3)
        return table

    # -- holdout -----------------------------------------------------------------------

    def record_holdout(self, decision_id: str, platform: str, ticket_id: str, path: str,
                       now: datetime) -> None:
        with self.engine.begin() as connection:
            insert_once(connection, holdouts, {"decision_id": decision_id, "platform": platform,
                                               "ticket_id": ticket_id, "path": path, "at": now})

    def holdout_summary(self) -> dict[str, int]:
        """Holdout tickets by the path the engine would have taken."""
        query = sa.select(holdouts.c.path, sa.func.count()).group_by(holdouts.c.path)
        with self.engine.connect() as connection:
            return {str(p): int(n) for p, n in connection.execute(query)}

    def track_outcome(self, platform: str, ticket_id: str, holdout: bool, solved: bool,
                      now: datetime) -> None:
        """Note the ticket's state as just seen: first seen, first solved, each reopening."""
        table = ticket_outcomes
        key = (table.c.platform == platform) & (table.c.ticket_id == ticket_id)
        with self.engine.begin() as connection:
            row = connection.execute(
                _OUTCOME, {"platform": platform, "ticket_id": ticket_id}).first()
            if row is None:
                connection.execute(table.insert(), {
                    "platform": platform, "ticket_id": ticket_id, "holdout": holdout,
                    "first_seen_at": now, "solved_at": now if solved else None,
                    "is_solved": solved, "reopened": 0})
                return
            changes: dict[str, Any] = {}
            if solved != row.is_solved:
                changes["is_solved"] = solved
            if solved and row.solved_at is None:
                changes["solved_at"] = now
            if row.is_solved and not solved:
                changes["reopened"] = row.reopened + 1
                if row.reopened_at is None:
                    changes["reopened_at"] = now
            if changes:  # most jobs see the ticket as it was: nothing to write
                connection.execute(table.update().where(key).values(**changes))

    def unrated(self, solved_since: datetime, checked_before: datetime,
                limit: int) -> list[tuple[str, str]]:
        """(platform, ticket id) of tickets solved since `solved_since`, not rated, and not
        asked about since `checked_before`; the least recently asked first."""
        table = ticket_outcomes
        query = (sa.select(table.c.platform, table.c.ticket_id)
                 .where(table.c.is_solved.is_(True), table.c.solved_at >= solved_since,
                        table.c.csat.is_(None),
                        sa.or_(table.c.csat_checked_at.is_(None),
                               table.c.csat_checked_at < checked_before))
                 .order_by(table.c.csat_checked_at.is_not(None), table.c.csat_checked_at,
                           table.c.solved_at)
                 .limit(limit))
        with self.engine.connect() as connection:
            return [(str(p), str(t)) for p, t in connection.execute(query)]

    def record_rating(self, platform: str, ticket_id: str, score: str | None,
                      now: datetime) -> None:
        """Keep the ticket's rating (`score` None: not rated yet) and when it was asked."""
        table = ticket_outcomes
        key = (table.c.platform == platform) & (table.c.ticket_id == ticket_id)
        with self.engine.begin() as connection:
            connection.execute(table.update().where(key).values(csat=score,
                                                                csat_checked_at=now))

    def lift(self, since: datetime | None = None,
             until: datetime | None = None) -> dict[str, dict[str, float]]:
        """Holdout against AI-handled tickets first seen in [`since`, `until`): count,
        solved count, mean hours to first solved, and reopen rate (reopened at least once,
        of those solved)."""
        table = ticket_outcomes
        query = sa.select(table)
        if since is not None:
            query = query.where(table.c.first_seen_at >= since)
        if until is not None:
            query = query.where(table.c.first_seen_at < until)
        result: dict[str, dict[str, float]] = {}
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        for group, flag in (("holdout", True), ("ai", False)):
            chosen = [r for r in rows if bool(r.holdout) is flag]
            solved = [r for r in chosen if r.solved_at is not None]
            hours = [(_utc(r.solved_at) - _utc(r.first_seen_at)).total_seconds() / 3600
                     for r in solved]
            result[group] = {
                "tickets": len(chosen),
                "solved": len(solved),
                "mean_hours_to_solve": round(sum(hours) / len(hours), 2) if hours else 0.0,
                "reopen_rate": round(sum(r.reopened > 0 for r in solved) / len(solved), 3)
                if solved else 0.0,
            }
        return result

    # -- reads for the admin page and the sweep ------------------------------------------

    def recent_decisions(self, limit: int = 25) -> list[dict[str, Any]]:
        query = sa.select(decisions).order_by(decisions.c.decided_at.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query)]

    def ai_owned(self, since: datetime, limit: int) -> list[tuple[str, str]]:
        """(platform, ticket id) whose latest decision since `since` left the AI in charge
        (draft or auto-resolve) and that have no open escalation, newest first."""
        latest = (sa.select(decisions.c.platform, decisions.c.ticket_id,
                            sa.func.max(decisions.c.decided_at).label("last"))
                  .where(decisions.c.decided_at >= since)
                  .group_by(decisions.c.platform, decisions.c.ticket_id).subquery())
        query = (sa.select(decisions.c.platform, decisions.c.ticket_id)
                 .join(latest, sa.and_(decisions.c.platform == latest.c.platform,
                                       decisions.c.ticket_id == latest.c.ticket_id,
                                       decisions.c.decided_at == latest.c.last))
                 .where(decisions.c.path.in_(("draft", "auto_resolve")))
                 .order_by(latest.c.last.desc()))
        found: list[tuple[str, str]] = []
        with self.engine.connect() as connection:
            for platform, ticket_id in connection.execute(query):
                if not self.open_for_ticket(platform, ticket_id):
                    found.append((platform, ticket_id))
                if len(found) >= limit:
                    break
        return found

