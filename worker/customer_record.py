"""The customer's record for the handoff note, gathered only when the AI escalates.

The decision log tells which articles the AI answered this ticket with before. One
call asks the helpdesk for the requester's other tickets
(``handoff_note.other_tickets``, 0 turns it off) and one query reads their earlier
escalation records (``handoff_note.escalations_before``). A helpdesk that cannot
list the tickets does not stop the escalation: the note says the list could not be
read and why. Database errors propagate, as for every other read of the decision
log in a job (rq retries it).
"""

from __future__ import annotations

import logging

from connectors.base import Helpdesk
from core.customer_record import (
    CustomerRecord,
    EarlierAnswer,
    PastEscalation,
    section,
    with_record,
)
from core.errors import HelpdeskError
from core.models import Decision, Path, Ticket
from infra.store.escalations import Escalations
from worker.runtime import Runtime

log = logging.getLogger("worker.customer_record")


def with_customer_record(runtime: Runtime, helpdesk: Helpdesk, ticket: Ticket,
                         decision: Decision) -> Decision:
    """`decision` with the customer's record in its handoff note; any other path as is."""
    if decision.path is not Path.ESCALATE:
        return decision
    wanted = runtime.settings.handoff_note
    records = Escalations(runtime.log.engine)
    record = CustomerRecord(answers_before=tuple(
        # Rows logged before titles were kept name the article by its id.
        EarlierAnswer(title=r["sources"][0].get("title") or r["sources"][0]["id"],
                      path=r["path"], decided_at=r["decided_at"])
        for r in records.answers_before(ticket.platform, ticket.id) if r["sources"]))
    if wanted.escalations_before:
        rows = records.of_requester(
            ticket.platform, ticket.requester.id, other_than=ticket.id)
        record = record.model_copy(update={"escalations_read": True, "escalations": tuple(
            PastEscalation(ticket_id=r["ticket_id"], reason=r["reason"],
                           opened_at=r["opened_at"], state=r["state"], url=r["ticket_url"])
            for r in rows)})
    if wanted.other_tickets:
        try:
            others = helpdesk.requester_tickets(ticket, wanted.other_tickets)
        except HelpdeskError as exc:
            log.warning("the requester's other tickets could not be read: %s", exc)
            record = record.model_copy(update={"other_tickets_error": _why(exc)})
        else:
            record = record.model_copy(update={"other_tickets_read": True,
                                               "other_tickets": tuple(others)})
    return with_record(decision, section(ticket.requester, record, wanted))


def _why(exc: HelpdeskError) -> str:
    status = f"HTTP {exc.status}: " if exc.status else ""
    return f"{status}{exc}"[:200]
