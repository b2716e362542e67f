"""What happens after the handoff: escalation records, keep-warm updates, draft
feedback and notifications (the SLA sweep is `worker.sla_sweep`).

`after_decision` is the one call `worker.jobs.process_event` makes once a
decision's writes are confirmed. It never raises for anything but a database or
Redis failure: notification failures are logged and forgotten, so they never
block a ticket. The keep-warm update is an rq job scheduled with ``enqueue_in``
(the worker runs with rq's scheduler).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import Queue
from rq.registry import ScheduledJobRegistry

from core import aftercare as care
from core.actions import route_for
from core.batching import batches
from core.fallback import fallbacks
from core.history import CLOSED_STATUSES
from core.id_refs import IdKind
from core.ladder import choose_ladder, first_step
from core.language import language_signal
from core.models import Decision, Path, PublicReply, Reason, SetStatus, Ticket
from infra.queue import KEEP_WARM_JOB, make_queue
from infra.store.escalations import Escalations, NewEscalation, State
from worker.effects.ledger import Ledger
from worker.effects.lock import ticket_lock
from worker.handback import follow_up
from worker.names import label
from worker.notify import notify
from worker.runtime import Runtime, current

log = logging.getLogger("worker.aftercare")


def _now() -> datetime:
    return datetime.now(UTC)


def store(runtime: Runtime) -> Escalations:
    return Escalations(runtime.log.engine)


def after_decision(runtime: Runtime, ticket: Ticket, decision: Decision, decision_id: str) -> None:
    """Keep the after-the-handoff state in step with what this job saw and did.

    `ticket` is the ticket as loaded at the start of the job. Idempotent per
    decision id, so a retried job changes nothing twice.
    """
    records = store(runtime)
    now = _now()
    status = status_after(ticket, decision, Ledger(runtime.redis, decision_id))
    held = track_outcome(runtime, records, ticket, status, now)
    observe(runtime, records, ticket, now)
    follow_up(runtime, ticket, decision)
    if held:
        return
    if decision.path is Path.ESCALATE:
        open_escalation(runtime, records, ticket, decision, decision_id, now)
    elif decision.path is Path.DRAFT and decision.reply:
        article = decision.sources[0].id if decision.sources else None
        records.record_draft(decision_id, ticket.platform, ticket.id, article,
                             category_of(runtime, article), decision.reply, now)


def status_after(ticket: Ticket, decision: Decision, ledger: Ledger) -> str:
    """The ticket's status once this decision's confirmed writes are on it: the last status
    a written batch (or the fallback written in its place) set, else the status as loaded.

    Our own writes fire no webhook (the loop guard), so an AI-solved ticket is seen solved
    by no later job: this one has to count it. Raises redis.RedisError."""
    status = ticket.status.value
    for index, planned in enumerate(batches(decision.actions)):
        if not ledger.is_done(index):
            break
        kept = ledger.fallback(index)
        written = planned if kept is None else fallbacks(planned, kept[1])[kept[0]]
        status = next((a.status.value for a in reversed(written) if isinstance(a, SetStatus)),
                      status)
    return status


def holdout(runtime: Runtime, decision_id: str, decision: Decision) -> Decision:
    """`decision` without its actions when the ticket is in the holdout (and that noted),
    else `decision` unchanged. The decision itself is logged either way."""
    percent = runtime.settings.aftercare.holdout_percent
    if decision.path is Path.SKIP or not care.in_holdout(decision.platform, decision.ticket_id,
                                                         percent):
        return decision
    store(runtime).record_holdout(decision_id, decision.platform, decision.ticket_id,
                                  decision.path.value, _now())
    return decision.model_copy(update={"actions": ()})


def category_of(runtime: Runtime, article_id: str | None) -> str:
    found = next((d for d in runtime.scorer.docs if d.id == article_id), None)
    return (found.category if found else "") or "uncategorised"


def observe(runtime: Runtime, records: Escalations, ticket: Ticket, now: datetime) -> None:
    """Resolve records a human has finished, stop keep-warm where the ticket moved on,
    and judge drafts an agent has answered."""
    for record in records.open_for_ticket(ticket.platform, ticket.id):
        reply = care.human_replied_since(ticket, record["opened_at"])
        if reply is not None and record["first_reply_at"] is None:
            records.note_first_reply(record["id"], reply.created_at)
        if care.resolved_by_human(ticket, record["opened_at"]):
            records.resolve(record["id"], "auto: human reply, ticket solved", now)
            log.info("escalation %s resolved by a human reply", record["id"])
        if care.keep_warm_stop(ticket, record["opened_at"], record["status_at_open"]):
            cancel_keep_warm(runtime, record["id"])
    settings = runtime.settings.aftercare.feedback
    for draft in records.unjudged_drafts(ticket.platform, ticket.id):
        reply = care.human_replied_since(ticket, draft["drafted_at"])
        if reply is None and ticket.status.value not in ("solved", "closed"):
            continue
        outcome, ratio = care.compare_draft(draft["draft"], reply.text if reply else None,
                                            settings)
        records.judge(draft["decision_id"], outcome, ratio, now)


def track_outcome(runtime: Runtime, records: Escalations, ticket: Ticket, status: str,
                  now: datetime) -> bool:
    """Note the ticket's state (`status`) for the lead's report; whether it is a holdout
    ticket."""
    held = care.in_holdout(ticket.platform, ticket.id, runtime.settings.aftercare.holdout_percent)
    records.track_outcome(ticket.platform, ticket.id, held, status in CLOSED_STATUSES, now)
    return held


def open_escalation(runtime: Runtime, records: Escalations, ticket: Ticket,
                    decision: Decision, decision_id: str, now: datetime) -> int:
    """Open the record for `decision`, schedule its keep-warm update and announce it."""
    settings = runtime.settings
    route = route_for(decision.reasons, settings.routing)
    ladder = choose_ladder(decision.reasons, settings.escalation, decision.ladder)
    first = first_step(ladder, settings.escalation, decision.reasons, now) if ladder else None
    goes_to = first or route
    agent = _where(runtime, ticket.platform, goes_to.assignee, goes_to.group)
    set_status = next((a.status.value for a in decision.actions if isinstance(a, SetStatus)),
                      ticket.status.value)
    new = NewEscalation(
        decision_id=decision_id, platform=ticket.platform, ticket_id=ticket.id,
        reason=care.primary_reason(decision), reasons=tuple(r.code for r in decision.reasons),
        severity=care.severity(decision, settings.aftercare.severity).value, agent=agent,
        ticket_url=ticket.url, customer=ticket.requester.name or ticket.requester.email,
        summary=care.summary(ticket), status_at_open=set_status, ladder=ladder, first_step=first,
        customers_at_open=len(ticket.customer_messages()), requester_id=ticket.requester.id,
    )
    record_id, created = records.open(new, now)
    if created:
        schedule_keep_warm(runtime, ticket, record_id, 1)
        notify(settings.aftercare.notify, new, os.environ)
    return record_id


def _where(runtime: Runtime, platform: str, assignee: str | None,
           group: str | None) -> str | None:
    """Who the escalation went to, as people name them: the agent, else the group."""
    if assignee:
        return label(runtime, platform, IdKind.AGENT, assignee)
    return label(runtime, platform, IdKind.GROUP, group) if group else None


# -- keep-warm -------------------------------------------------------------------------


def _keep_warm_id(record_id: int, number: int) -> str:
    return f"handoff-keepwarm-{record_id}-{number}"


def schedule_keep_warm(runtime: Runtime, ticket: Ticket, record_id: int, number: int) -> None:
    """Queue update `number` after the configured delay, unless updates are off or used up."""
    settings = runtime.settings.aftercare.keep_warm
    if not settings.enabled or number > settings.max_updates:
        return
    queue = make_queue(runtime.settings, runtime.redis)
    queue.enqueue_in(timedelta(seconds=settings.delay_seconds), KEEP_WARM_JOB,
                     ticket.platform, ticket.id, record_id, number,
                     job_id=_keep_warm_id(record_id, number),
                     description=f"keep-warm {number} for escalation {record_id}")


def cancel_keep_warm(runtime: Runtime, record_id: int) -> None:
    """Drop every scheduled keep-warm update of a record (the job re-checks anyway)."""
    queue = make_queue(runtime.settings, runtime.redis)
    registry = scheduled_registry(queue)
    for number in range(1, runtime.settings.aftercare.keep_warm.max_updates + 1):
        job_id = _keep_warm_id(record_id, number)
        if job_id in registry:
            registry.remove(job_id, delete_job=True)


def keep_warm(platform: str, ticket_id: str, record_id: int, number: int) -> dict[str, Any]:
    """The rq job: send keep-warm update `number` if the ticket still waits for a human.

    The record and the ticket are checked just before sending, under the ticket
    lock. Sending goes through a ledger, so a retried job never posts twice.
    Helpdesk errors propagate (rq retries).
    """
    runtime = current()
    records = store(runtime)
    record = records.get(record_id)
    if record is None or record["state"] != State.OPEN.value:
        return {"sent": False, "why": "the escalation is closed"}
    connector = runtime.connector(platform)
    timeout = runtime.settings.queue.job_timeout_seconds
    with ticket_lock(runtime.redis, platform, ticket_id, ttl=timeout, wait=timeout / 4) as lock:
        ticket = connector.get_ticket(ticket_id)
        why = care.keep_warm_stop(ticket, record["opened_at"], record["status_at_open"])
        if why is not None:
            return {"sent": False, "why": why}
        languages = runtime.settings.language
        text = care.keep_warm_message(record["reason"], runtime.settings.aftercare.keep_warm.teams,
                                      ticket.sla_due_at, _now(),
                                      str(language_signal(ticket, languages).value), languages)
        update = Decision(ticket_id=ticket_id, platform=platform, path=Path.ESCALATE,
                          confidence=0.0, reasons=(Reason(code="keep_warm", rule="aftercare"),),
                          actions=(PublicReply(body=text),))
        ledger = Ledger(runtime.redis, _keep_warm_id(record_id, number))
        planned = ledger.plan(update)
        if not ledger.is_done(0):
            lock.check()
            connector.apply(ticket, planned.actions)
            ledger.mark_done(0)
            records.count_keep_warm(record_id)
    schedule_keep_warm(runtime, ticket, record_id, number + 1)
    return {"sent": True, "number": number}


def scheduled_registry(queue: Queue) -> ScheduledJobRegistry:
    return ScheduledJobRegistry(queue=queue)  # type: ignore[no-untyped-call]


def scheduled_keep_warm(queue: Queue) -> list[str]:
    """Ids of the keep-warm updates waiting in rq's scheduler (for tests and the CLI)."""
    return [j for j in scheduled_registry(queue).get_job_ids()
            if j.startswith("handoff-keepwarm-")]

