"""The RQ jobs. They take JSON-safe primitives and reload state inside the job."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from rq import get_current_job

from connectors.base import Connector
from core.batching import Batch, already_on_ticket, batches
from core.models import Decision, Ticket
from infra import metrics
from infra.logs import bind
from worker.aftercare import after_decision, holdout
from worker.handback import decide_with_record
from worker.ladder import LadderContext, climb_locked, wants_climb
from worker.ledger import Ledger
from worker.lock import ticket_lock
from worker.reschedule import reschedule_when_rate_limited
from worker.runtime import Runtime, current

log = logging.getLogger("worker.jobs")


def decision_id_for(platform: str, ticket_id: str, event_id: str) -> str:
    """Stable across retries of the same event, so a retry finds its own ledger."""
    return hashlib.sha256(f"{platform}\0{ticket_id}\0{event_id}".encode()).hexdigest()[:32]


@reschedule_when_rate_limited
def process_event(platform: str, ticket_id: str, event_id: str) -> dict[str, Any]:
    """Load the ticket, decide, and write the decision back batch by batch.

    The ticket is locked for the whole job, so two events for one ticket never
    act at once. A spent rate budget reschedules the job without spending a retry
    (`worker.reschedule`). Any other helpdesk error (or a lost lock) propagates,
    so rq retries the job and finally moves it to the failed-job registry.
    Batches confirmed before the error are not repeated, nor is a comment the
    helpdesk already shows (the worker died between the helpdesk's answer and
    the ledger's record).
    A ticket carrying the next-level tag with an open escalation record is passed
    one level up its escalation ladder instead (`worker.ladder`).
    Returns a JSON-safe summary of the decision.
    """
    runtime = current()
    connector = runtime.connector(platform)
    decision_id = decision_id_for(platform, ticket_id, event_id)
    ledger = Ledger(runtime.redis, decision_id)
    timeout = runtime.settings.queue.job_timeout_seconds
    job = get_current_job()
    with (
        bind(platform=platform, ticket_id=ticket_id, decision_id=decision_id,
             job_id=job.id if job else None),
        ticket_lock(runtime.redis, platform, ticket_id, ttl=timeout, wait=timeout / 4) as lock,
    ):
        ticket = connector.get_ticket(ticket_id)
        ladder = LadderContext(runtime.settings, runtime.redis, runtime.log, connector)
        if wants_climb(ladder, ticket, ledger):
            tag = runtime.settings.escalation.next_level_tag
            climbed = climb_locked(ladder, ticket, lock, decision_id, f"an agent (tag {tag})",
                                   "", datetime.now(UTC))
            log.info("next-level request: %s", climbed.message)
            return summary(climbed.decision, decision_id) if climbed.decision else {
                "decision_id": decision_id, "ticket_id": ticket_id, "platform": platform,
                "path": "skip", "reasons": [], "message": climbed.message}
        decision = ledger.planned()
        if decision is None:
            started = time.perf_counter()
            decision = decide_with_record(runtime, ticket, decision_id)
            decide_ms = (time.perf_counter() - started) * 1000
            metrics.DECISION_SECONDS.observe(decide_ms / 1000)
            primary = decision.reasons[0].code if decision.reasons else "none"
            metrics.DECISIONS.labels(platform, decision.path.value, primary).inc()
            runtime.log.record_decision(
                decision_id, event_id, job.id if job else None, decision, decide_ms
            )
            decision = ledger.plan(holdout(runtime, decision_id, decision))
        for index, batch in enumerate(batches(decision.actions)):
            if ledger.is_done(index):
                continue
            if already_on_ticket(ticket, batch):
                log.warning("batch %d was written before a crash; not posting it again", index)
            else:
                lock.check()
                _apply(runtime, connector, ticket, decision_id, index, batch)
            ledger.mark_done(index)
        after_decision(runtime, ticket, decision, decision_id)
        log.info("decided path=%s confidence=%.2f", decision.path.value, decision.confidence)
    return summary(decision, decision_id)


def _apply(
    runtime: Runtime, connector: Connector, ticket: Ticket, decision_id: str, index: int,
    batch: Batch,
) -> None:
    started = time.perf_counter()
    error: str | None = None
    try:
        connector.apply(ticket, batch)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        metrics.ACTIONS.labels(ticket.platform, "failed" if error else "done").inc()
        runtime.log.record_batch(decision_id, index, batch, error, elapsed_ms)


def summary(decision: Decision, decision_id: str) -> dict[str, Any]:
    """The job's result: what was decided and written, as plain JSON data."""
    return {
        "decision_id": decision_id,
        "ticket_id": decision.ticket_id,
        "platform": decision.platform,
        "path": decision.path.value,
        "confidence": round(decision.confidence, 3),
        "reasons": [r.code for r in decision.reasons],
        "sources": [s.id for s in decision.sources],
        "actions": [a.kind for a in decision.actions],
    }
