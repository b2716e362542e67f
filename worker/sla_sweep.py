"""The SLA sweep: escalate tickets the AI still owns before their SLA is breached.

A ticket is AI-owned when its latest decision (within ``lookback_hours``) was a
draft or an auto-resolve and it has no open escalation. The sweep reads at most
``max_tickets`` tickets per run through the connectors, so it draws on the same
shared rate budget as every job and stops at the first `RateLimited`. It also
resolves open escalation records a human has finished, and passes escalated tickets
up their ladder when they carry the next-level tag or (``escalation.climb_when_overdue``)
their level's time ran out (`worker.ladder.sweep_climb`), and queues the hand-back of
escalated tickets that carry the hand-back tag (`worker.handback`). It notes which tickets it
finds solved (the lead's report) and reads the ratings of solved tickets
(`worker.csat`). It runs as an rq job that
schedules its next run (``enqueue_in``; the worker runs rq's scheduler).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from core import aftercare as care
from core.actions import plan
from core.errors import ConfigError, RateLimited
from core.handoff_note import handoff_note
from core.language import language_signal
from core.models import Path, Ticket
from infra.ledger_view import decision_id_for
from infra.queue import SLA_SWEEP_JOB, make_queue
from worker.aftercare import after_decision, observe, scheduled_registry, store, track_outcome
from worker.csat import read_ratings
from worker.customer_record import with_customer_record
from worker.effects.apply import write
from worker.effects.ledger import Ledger
from worker.effects.lock import ticket_lock
from worker.handback import queue_tagged_return
from worker.ladder import LadderContext, sweep_climb
from worker.runtime import Runtime, current

log = logging.getLogger("worker.sla_sweep")

SLA_SWEEP_JOB_ID = "handoff-sla-sweep"


def sla_sweep(reschedule: bool = True) -> dict[str, Any]:
    """The rq job: one sweep, then schedule the next (unless `reschedule` is false)."""
    runtime = current()
    try:
        escalated = run_sla_sweep(runtime, datetime.now(UTC))
    finally:
        if reschedule:
            schedule_sla_sweep(runtime, replace=True)
    return {"escalated": [f"{p}:{t}" for p, t in escalated]}


def schedule_sla_sweep(runtime: Runtime, *, replace: bool = False) -> bool:
    """Schedule the next sweep unless one is waiting already (or the sweep is off)."""
    settings = runtime.settings.aftercare.sla_sweep
    if not settings.enabled:
        return False
    queue = make_queue(runtime.settings, runtime.redis)
    if not replace and SLA_SWEEP_JOB_ID in scheduled_registry(queue):
        return False
    queue.enqueue_in(timedelta(seconds=settings.every_seconds), SLA_SWEEP_JOB,
                     job_id=SLA_SWEEP_JOB_ID, description="SLA sweep")
    return True


def run_sla_sweep(runtime: Runtime, now: datetime) -> list[tuple[str, str]]:
    """Sweep once at `now`; return the (platform, ticket id) escalated for ``sla_risk``."""
    settings = runtime.settings.aftercare.sla_sweep
    records = store(runtime)
    margin = timedelta(minutes=settings.margin_minutes)
    budget = settings.max_tickets
    escalated: list[tuple[str, str]] = []
    open_records = {(r["platform"], r["ticket_id"]) for r in records.list_open(limit=budget)}
    owned = records.ai_owned(now - timedelta(hours=settings.lookback_hours), budget)
    for platform, ticket_id in [*owned, *sorted(open_records)][:budget]:
        try:
            connector = runtime.connector(platform)
            ticket = connector.get_ticket(ticket_id)
        except ConfigError:
            continue
        except RateLimited:
            log.warning("SLA sweep stopped early: the rate budget is spent")
            break
        # A person solving an escalated ticket sends no webhook: the sweep sees it.
        track_outcome(runtime, records, ticket, ticket.status.value, now)
        observe(runtime, records, ticket, now)
        if (platform, ticket_id) in open_records:
            sweep_climb(LadderContext(runtime.settings, runtime.redis, runtime.log, connector),
                        ticket, now)
            queue_tagged_return(runtime, ticket)
        if (platform, ticket_id) not in open_records and care.sla_at_risk(ticket, now, margin):
            escalate_sla_risk(runtime, ticket, now, margin)
            escalated.append((platform, ticket_id))
    rated = read_ratings(runtime, records, now)
    if rated:
        log.info("CSAT: %d ticket(s) newly rated", rated)
    return escalated


def escalate_sla_risk(runtime: Runtime, ticket: Ticket, now: datetime,
                      margin: timedelta) -> None:
    """Write the ``sla_risk`` escalation once per ticket and due time (retries included);
    a refused batch degrades as a webhook job's does (`worker.effects.apply`)."""
    settings = runtime.settings
    draft = care.sla_risk_decision(ticket, now, margin)
    spoken = language_signal(ticket, settings.language)
    note = handoff_note(ticket, draft.reasons, (spoken,), None)
    actions = plan(Path.ESCALATE, draft.reasons, None, note, settings.tags, settings.routing,
                   str(spoken.value), languages=settings.language)
    decision = draft.model_copy(update={"actions": actions, "language": str(spoken.value)})
    event_id = f"sla-sweep:{ticket.sla_due_at.isoformat() if ticket.sla_due_at else ''}"
    decision_id = decision_id_for(ticket.platform, ticket.id, event_id)
    connector = runtime.connector(ticket.platform)
    ledger = Ledger(runtime.redis, decision_id)
    timeout = settings.queue.job_timeout_seconds
    with ticket_lock(runtime.redis, ticket.platform, ticket.id, ttl=timeout,
                     wait=timeout / 4) as lock:
        if ledger.planned() is None:
            decision = with_customer_record(runtime, connector, ticket, decision)
            runtime.log.record_decision(decision_id, event_id, None, decision, 0.0)
        decision = ledger.plan(decision)
        write(runtime, connector, ticket, decision, decision_id, ledger, lock)
        after_decision(runtime, ticket, decision, decision_id)
    log.info("escalated %s ticket %s: SLA due within %s", ticket.platform, ticket.id, margin)
