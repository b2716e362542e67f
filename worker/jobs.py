"""The RQ jobs. They take JSON-safe primitives and reload state inside the job."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from rq import get_current_job

from core.batching import Batch, batches, rebase, without
from core.fallback import fallbacks
from core.models import Decision
from infra import metrics
from infra.ledger_view import decision_id_for
from infra.logs import bind
from worker.aftercare import after_decision, holdout
from worker.customer_record import with_customer_record
from worker.effects.apply import write
from worker.effects.failures import no_retry_when_permanent
from worker.effects.ledger import Ledger
from worker.effects.lock import ticket_lock
from worker.effects.reschedule import reschedule_when_rate_limited
from worker.handback import decide_with_record
from worker.ladder import LadderContext, climb_locked, wants_climb
from worker.runtime import current

log = logging.getLogger("worker.jobs")


@reschedule_when_rate_limited
@no_retry_when_permanent
def process_event(platform: str, ticket_id: str, event_id: str) -> dict[str, Any]:
    """Load the ticket, decide, and write the decision back batch by batch.

    The ticket is locked for the whole job, so two events for one ticket never
    act at once. A spent rate budget reschedules the job without spending a retry
    (`worker.effects.reschedule`). A batch the helpdesk refuses is replaced by what it
    accepts, with a note saying what failed and an alert (`worker.effects.apply`). A
    transient helpdesk error (or a lost lock) propagates, so rq retries the job
    and finally moves it to the failed-job registry; a permanent one moves it
    there at once (`worker.effects.failures`).
    Batches confirmed before the error are not repeated, nor is a comment the
    helpdesk already shows (the worker died between the helpdesk's answer and
    the ledger's record). A job replayed with ``handoff replay`` decides again
    from the current settings, keeping the batches already written
    (`core.batching.rebase`); the decision log keeps the decision as first made.
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
        replay = decision is not None and ledger.replan_asked()
        if decision is None or replay:
            # A replay decides the thread as it was before this decision's own writes.
            written = _written(decision, ledger) if decision is not None else []
            seen = without(ticket, written) if written else ticket
            started = time.perf_counter()
            fresh = decide_with_record(runtime, seen, decision_id)
            decide_ms = (time.perf_counter() - started) * 1000
            fresh = with_customer_record(runtime, connector, seen, fresh)
            metrics.DECISION_SECONDS.observe(decide_ms / 1000)
            primary = fresh.reasons[0].code if fresh.reasons else "none"
            metrics.DECISIONS.labels(platform, fresh.path.value, primary).inc()
            runtime.log.record_decision(
                decision_id, event_id, job.id if job else None, fresh, decide_ms
            )
            fresh = holdout(runtime, decision_id, fresh)
            if decision is None:
                decision = ledger.plan(fresh)
            else:
                log.info("replayed: planned again (%s, was %s), %d batch(es) already written",
                         fresh.path.value, decision.path.value, len(written))
                decision = ledger.replan(rebase(decision, fresh, len(written)))
        write(runtime, connector, ticket, decision, decision_id, ledger, lock)
        after_decision(runtime, ticket, decision, decision_id)
        log.info("decided path=%s confidence=%.2f", decision.path.value, decision.confidence)
    return summary(decision, decision_id)


def _written(decision: Decision, ledger: Ledger) -> list[Batch]:
    """The batches of `decision` the helpdesk confirmed (each the fallback written in its
    place where one was), in order: those before the first batch not done."""
    written: list[Batch] = []
    for index, planned in enumerate(batches(decision.actions)):
        if not ledger.is_done(index):
            break
        kept = ledger.fallback(index)
        written.append(planned if kept is None else fallbacks(planned, kept[1])[kept[0]])
    return written


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
