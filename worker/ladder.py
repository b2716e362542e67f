"""Escalation ladders in the worker: pass an escalated ticket one level up.

Two ways in, one function: an agent adds ``escalation.next_level_tag`` in the
helpdesk (the webhook's job, `worker.jobs.process_event`, finds the tag and an
open escalation record, and calls `climb_locked` instead of deciding), or an
operator runs ``handoff escalate`` (`climb_ticket`). Each step writes one
internal note holding the whole handoff history, assigns the next level's route,
sets its priority, drops the tag, and moves the record up a level.

The step is planned once per request id and kept in the decision ledger, so a
retried job finishes the same step and never climbs twice; the record moves only
from the level the step was planned at. Helpdesk and database errors propagate.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis

from connectors.base import Helpdesk
from core.batching import batches
from core.ladder import NEXT_LEVEL, Step, climb, overdue
from core.models import Decision, Path, Reason, Role, Ticket
from core.settings import Settings
from infra.store.decision_log import DecisionLog
from infra.store.escalations import Escalations, steps
from worker.effects.ledger import Ledger
from worker.effects.lock import TicketLock, ticket_lock

log = logging.getLogger("worker.ladder")

CLIMB = "climb"


@dataclass(frozen=True)
class LadderContext:
    """What a step needs: no scorer, so the CLI can run it without loading models."""

    settings: Settings
    redis: redis.Redis
    log: DecisionLog
    connector: Helpdesk


@dataclass(frozen=True)
class Outcome:
    """What one request did: `climbed` to `level` (0-based) of `ladder`, or why not."""

    climbed: bool
    message: str
    decision: Decision | None = None
    ladder: str | None = None
    level: int | None = None


def wants_climb(context: LadderContext, ticket: Ticket, ledger: Ledger) -> bool:
    """Whether the job whose ledger is `ledger` is a next-level step: it already began
    one (a retry), or, having planned nothing else yet, the ticket carries the
    next-level tag and has an open escalation record."""
    # The tag is checked first: an ordinary job pays one Redis read here (the ledger's,
    # which the job then reuses), no more.
    if context.settings.escalation.next_level_tag not in ticket.tags:
        return ledger.recall(CLIMB) is not None
    if ledger.recall(CLIMB) is not None:
        return True
    if ledger.planned() is not None:
        return False
    records = Escalations(context.log.engine)
    return bool(records.open_for_ticket(ticket.platform, ticket.id))


def climb_ticket(context: LadderContext, ticket_id: str, request_id: str, by: str, why: str,
                 now: datetime) -> Outcome:
    """Load the ticket under its lock and take one step (see `climb_locked`)."""
    timeout = context.settings.queue.job_timeout_seconds
    platform = context.connector.name
    with ticket_lock(context.redis, platform, ticket_id, ttl=timeout, wait=timeout / 4) as lock:
        ticket = context.connector.get_ticket(ticket_id)
        return climb_locked(context, ticket, lock, request_id, by, why, now)


def climb_locked(context: LadderContext, ticket: Ticket, lock: TicketLock, request_id: str,
                 by: str, why: str, now: datetime) -> Outcome:
    """One next-level step for `ticket`, whose lock the caller holds.

    `by` and `why` are who asked and why (for the tag path `why` defaults to the
    newest internal note an agent wrote since the last step). Without an open
    escalation record nothing is written.
    """
    records = Escalations(context.log.engine)
    ledger = Ledger(context.redis, request_id)
    decision = ledger.planned()
    if decision is None:
        found = records.open_for_ticket(ticket.platform, ticket.id)
        if not found:
            return Outcome(False, f"{ticket.platform} ticket {ticket.id} has no open escalation")
        record = found[-1]
        history = steps(record)
        why = why or _agent_note(ticket, history[-1].at if history else record["opened_at"])
        plan = climb(record["ladder"], record["level"], history,
                     f"{record['reason']}: {record['summary']}", context.settings.escalation,
                     by, why, now)
        decision = Decision(
            ticket_id=ticket.id, platform=ticket.platform, path=Path.ESCALATE, confidence=0.0,
            reasons=(Reason(code=NEXT_LEVEL, rule=f"escalation.ladders.{record['ladder']}",
                            detail=plan.note.splitlines()[0]),),
            actions=plan.actions)
        ledger.remember(CLIMB, json.dumps({
            "record": record["id"], "from": record["level"], "ladder": record["ladder"],
            "step": plan.step.model_dump(mode="json") if plan.step else None}))
        context.log.record_decision(request_id, f"next-level:{by}"[:200], None, decision, 0.0)
        decision = ledger.plan(decision)
    for index, batch in enumerate(batches(decision.actions)):
        if not ledger.is_done(index):
            lock.check()
            context.connector.apply(ticket, batch)
            context.log.record_batch(request_id, index, batch, None, 0.0)
            ledger.mark_done(index)
    return _finish(records, ledger, decision)


def sweep_climb(context: LadderContext, ticket: Ticket, now: datetime) -> Outcome | None:
    """The SLA sweep's part, for a ticket it read: pass it up when it carries the
    next-level tag (no webhook came, or none is configured for tag changes) or, with
    ``escalation.climb_when_overdue``, when its level's time ran out with no reply
    from a person. None when neither applies."""
    settings = context.settings.escalation
    found = Escalations(context.log.engine).open_for_ticket(ticket.platform, ticket.id)
    if not found:
        return None
    record = found[-1]
    history = steps(record)
    if settings.next_level_tag in ticket.tags:
        by, why = f"an agent (tag {settings.next_level_tag}, found by the SLA sweep)", ""
    elif settings.climb_when_overdue and overdue(
            record["level_due_at"], history[-1].at if history else record["opened_at"],
            ticket, now):
        by = "the SLA sweep"
        why = (f"level \"{history[-1].name if history else record['level']}\" was due "
               f"{record['level_due_at']:%Y-%m-%d %H:%M} UTC and no person has replied")
    else:
        return None
    stamp = ticket.updated_at.isoformat() if ticket.updated_at else ""
    request_id = f"sweep-climb:{record['id']}:{record['level']}:{stamp}"
    return climb_ticket(context, ticket.id, request_id, by, why, now)


def _finish(records: Escalations, ledger: Ledger, decision: Decision) -> Outcome:
    meta: dict[str, Any] = json.loads(ledger.recall(CLIMB) or "{}")
    message = decision.reasons[0].detail if decision.reasons else ""
    if not meta.get("step"):
        return Outcome(False, message, decision, meta.get("ladder"), meta.get("from"))
    step = Step.model_validate(meta["step"])
    if records.advance(int(meta["record"]), int(meta["from"]), step):
        log.info("escalation %s climbed to level %d (%s)", meta["record"], step.level, step.name)
    return Outcome(True, message, decision, meta.get("ladder"), step.level)


def _agent_note(ticket: Ticket, since: datetime) -> str:
    """The newest internal note an agent wrote at or after `since`, else ''."""
    floor = since.replace(microsecond=0)
    notes = [m for m in ticket.messages
             if m.author is Role.AGENT and not m.public and m.created_at >= floor]
    return notes[-1].text if notes else ""
