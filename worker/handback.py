"""Escalated tickets in the worker: what the decision log knows of them, the hand-back
to the AI, and the customer's messages while a person has the ticket.

Before deciding, `decide_with_record` looks the ticket's escalations up and gives
them to the engine (`core.guards.EscalationState`): an open record, or the escalate
tag without a later hand-back, keeps the AI out (path ``skip``, reason
``escalated``), so it posts nothing, changes no status and offers nothing.
Keep-warm updates are separate jobs (`worker.aftercare.keep_warm`) and go on.

A person hands a ticket back in one of two ways:

- the tag ``tags.return_to_ai``, added in the helpdesk: the next job on the ticket
  (the customer's next message, or the one the SLA sweep queues when it finds the
  tag, since no webhook fires on tag changes) closes the ticket's open records as
  ``returned``, notes the hand-back, and removes that tag and the escalate tags in
  its first batch of writes;
- "Return to AI" on the admin page, or ``handoff escalations return ID``: the
  record closes as ``returned`` and a job is queued for the ticket, which removes
  the escalate tags the same way.

Either way the engine then decides as for any ticket, and agent replies older
than the hand-back no longer count as "a human answered".

While the AI stays out, `follow_up` counts the customer's new messages on the open
record (how many, the newest one's time and a masked excerpt, shown on the admin
page) and announces an urgent one (a request for a person, or strong frustration)
on the notification channels again. Counting is keyed by the thread itself, so a
retried or redelivered job neither counts nor announces twice. Database errors
propagate (rq retries the job); notifying never raises.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from core.engine import decide
from core.frustration import FRUSTRATION
from core.guards import ESCALATED
from core.models import (
    AddTags,
    Decision,
    EventKind,
    Message,
    Path,
    RemoveTags,
    Role,
    Ticket,
    TicketEvent,
)
from core.policy import strong
from core.triggers import HUMAN_REQUEST, detect
from infra import metrics
from infra.queue import enqueue_event, make_queue
from infra.store.escalations import NewEscalation
from infra.store.handbacks import HandBacks
from worker.notify import notify
from worker.runtime import Runtime

log = logging.getLogger("worker.handback")

def queue_tagged_return(runtime: Runtime, ticket: Ticket) -> str | None:
    """The SLA sweep's part, for an escalated ticket it read: when it carries the
    hand-back tag (the helpdesk sends no webhook for tag changes), queue the job that
    applies it, once per ticket update; its job id, else None."""
    wanted = runtime.settings.tags.return_to_ai.lower()
    if not any(t.lower() == wanted for t in ticket.tags):
        return None
    stamp = ticket.updated_at.isoformat() if ticket.updated_at else ""
    event = TicketEvent(platform=ticket.platform, ticket_id=ticket.id,
                        event_id=f"return-tag:{stamp}", kind=EventKind.TICKET_UPDATED)
    return enqueue_event(make_queue(runtime.settings, runtime.redis), runtime.settings,
                         event).job_id


def decide_with_record(runtime: Runtime, ticket: Ticket, decision_id: str) -> Decision:
    """Apply a hand-back tag, then decide with the ticket's escalation state.

    The decision's first batch removes the hand-back tag, and the escalate tags once
    the newest event is a hand-back, unless the decision adds them again. After a
    hand-back the engine no longer sees the customer messages the escalation was made
    on: the person dealt with them, and a request for a person already answered must
    not send the ticket straight back. Anything the customer wrote since still counts.
    """
    settings = runtime.settings
    records = HandBacks(runtime.log.engine)
    back_tag = settings.tags.return_to_ai.lower()
    stale = [t for t in ticket.tags if t.lower() == back_tag]
    if stale and records.hand_back(ticket.platform, ticket.id, f"tag:{decision_id}",
                                   f"agent (tag {settings.tags.return_to_ai})",
                                   datetime.now(UTC)):
        metrics.HANDBACKS.labels(ticket.platform, "tag").inc()
        log.info("%s ticket %s handed back to the AI by tag", ticket.platform, ticket.id)
    state = records.state(ticket.platform, ticket.id)
    messages = ticket.messages
    if state.open_records == 0 and state.handed_back():
        escalate = {t.lower() for t in settings.tags.escalate}
        stale += [t for t in ticket.tags if t.lower() in escalate]
        messages = _after(messages, records.covered(ticket.platform, ticket.id))
    seen = ticket.model_copy(update={
        "tags": tuple(t for t in ticket.tags if t not in stale), "messages": messages})
    decision = decide(seen, runtime.scorer, settings, escalation=state)
    added = {t.lower() for a in decision.actions if isinstance(a, AddTags) for t in a.tags}
    gone = tuple(t for t in stale if t.lower() not in added)
    if not gone:
        return decision
    return decision.model_copy(update={"actions": (RemoveTags(tags=gone), *decision.actions)})


def _after(messages: tuple[Message, ...], covered: int) -> tuple[Message, ...]:
    """`messages` without the first `covered` public customer messages."""
    kept: list[Message] = []
    for message in messages:
        if covered and message.author is Role.CUSTOMER and message.public:
            covered -= 1
            continue
        kept.append(message)
    return tuple(kept)


def urgency(runtime: Runtime, ticket: Ticket, since: tuple[Message, ...]) -> str | None:
    """Why the customer's messages `since` the escalation are urgent (``human_request``,
    or ``frustration`` at ``policy.strong_frustration``), or None. Only those messages
    count: the ones the escalation was made on were announced with it."""
    new = ticket.model_copy(update={"messages": since, "subject": ""})
    settings = runtime.settings
    signals = detect(new, settings.triggers, runtime.scorer.frustration,
                     human_model=runtime.scorer.human_model)
    if any(s.name == HUMAN_REQUEST for s in signals):
        return HUMAN_REQUEST
    if any(s.name == FRUSTRATION and strong(s, settings.policy) for s in signals):
        return FRUSTRATION
    return None


def follow_up(runtime: Runtime, ticket: Ticket, decision: Decision) -> None:
    """Count the customer's messages since the escalation on the newest open record and
    announce an urgent one, once. Does nothing unless the AI stayed out as escalated."""
    if decision.path is not Path.SKIP or [r.code for r in decision.reasons[:1]] != [ESCALATED]:
        return
    records = HandBacks(runtime.log.engine)
    found = records.open_for_ticket(ticket.platform, ticket.id)
    if not found:
        return  # only the tag says escalated: the helpdesk shows the message to its agents
    record = found[-1]
    mine = ticket.customer_messages()
    at_open = record.get("customers_at_open")
    since = mine[at_open:] if at_open is not None else tuple(
        m for m in mine if m.created_at > record["opened_at"])
    if not since or not records.note_messages(record["id"], len(since), since[-1]):
        return
    why = urgency(runtime, ticket, since)
    metrics.ESCALATED_MESSAGES.labels(ticket.platform, "true" if why else "false").inc()
    log.info("escalation %s: customer message %d since the handoff%s", record["id"],
             len(since), f" ({why})" if why else "")
    if why is None:
        return
    stored = records.get(record["id"]) or record
    notify(runtime.settings.aftercare.notify, NewEscalation(
        decision_id=record["decision_id"], platform=ticket.platform, ticket_id=ticket.id,
        reason=record["reason"], reasons=(*record["reasons"], why),
        severity=record["severity"], agent=record["agent"], ticket_url=record["ticket_url"],
        customer=record["customer"], summary=f"{why}: {stored['last_message']}",
        status_at_open=record["status_at_open"], event="escalation_message"), os.environ)
