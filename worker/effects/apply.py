"""Write a decision's batches to the helpdesk, each once, and degrade when one is refused.

Batches go in order; each is marked done in the ledger once the helpdesk confirms
it, and one whose comment already stands on the ticket (the worker died between
the helpdesk's answer and the ledger's record) is marked done without posting.

A batch the helpdesk refuses for good (HTTP 400, 403, 404 or 422: a group id it
does not know, a field it will not set) does not stop the handoff. The worker
writes the fallbacks of `core.fallback` in turn, recording in the ledger which one
it is writing before it writes it, so a retry writes that same one and finds it
if it landed. Once a fallback stands, the alert goes out (the notification
channels and ``handoff_rejected_writes_total``) and the next batch is written:
an escalation's message to the customer still goes. When every fallback is
refused too, or the refusal is of another kind (401, a request that could not be
built), the alert goes out and the error propagates: the job fails without an rq
retry (`worker.effects.failures`). A 409 (a concurrent edit) propagates without an alert,
and rq's retry reads the ticket again.
"""

from __future__ import annotations

import logging
import os
import re
import time

from connectors.base import Helpdesk
from core.batching import Batch, already_on_ticket, batches
from core.errors import PermanentError
from core.fallback import describe, fallbacks
from core.models import Decision, Ticket
from infra import metrics
from worker.effects.failures import is_conflict
from worker.effects.ledger import Ledger
from worker.effects.lock import TicketLock
from worker.notify import RejectedWrite, alert_rejected
from worker.runtime import Runtime

log = logging.getLogger("worker.effects.apply")

REFUSED = frozenset({400, 403, 404, 422})
# "PUT https://acme.zendesk.com/api/v2/tickets/7.json: HTTP 422: {...}": the part after
# the URL is the helpdesk's answer, which is what an agent needs to read.
_REQUEST = re.compile(r"^[A-Z]+ \S+: ")


def write(
    runtime: Runtime, connector: Helpdesk, ticket: Ticket, decision: Decision,
    decision_id: str, ledger: Ledger, lock: TicketLock,
) -> None:
    """Write every batch of `decision` not yet done (see the module).

    Raises PermanentError when a batch and all its fallbacks are refused, and
    any other error from the helpdesk, Redis or the lock as it comes.
    """
    writer = _Writer(runtime, connector, ticket, decision, decision_id, ledger, lock)
    for index, planned in enumerate(batches(decision.actions)):
        if ledger.is_done(index):
            continue
        resumed = ledger.fallback(index)
        if resumed is None:
            try:
                writer.once(index, planned)
            except PermanentError as exc:
                writer.refused(index, planned, exc)
        else:
            writer.degrade(index, planned, *resumed)
        ledger.mark_done(index)


class _Writer:
    def __init__(self, runtime: Runtime, connector: Helpdesk, ticket: Ticket,
                 decision: Decision, decision_id: str, ledger: Ledger, lock: TicketLock) -> None:
        self.runtime, self.connector, self.ticket = runtime, connector, ticket
        self.decision, self.decision_id, self.ledger, self.lock = (
            decision, decision_id, ledger, lock)

    def once(self, index: int, batch: Batch) -> None:
        if already_on_ticket(self.ticket, batch):
            log.warning("batch %d was written before a crash; not posting it again", index)
            return
        self.lock.check()
        started = time.perf_counter()
        error: str | None = None
        try:
            self.connector.apply(self.ticket, batch)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            metrics.ACTIONS.labels(self.ticket.platform, "failed" if error else "done").inc()
            self.runtime.log.record_batch(self.decision_id, index, batch, error, elapsed_ms)

    def refused(self, index: int, planned: Batch, error: PermanentError) -> None:
        if is_conflict(error):
            raise error  # a concurrent edit: rq's retry reads the ticket again
        failure = _answer(error)
        if error.status not in REFUSED:
            self.alert(index, planned, None, failure)
            raise error
        log.warning("the helpdesk refused batch %d (%s); writing what it accepts", index,
                    failure)
        self.degrade(index, planned, 0, failure)

    def degrade(self, index: int, planned: Batch, first: int, failure: str) -> None:
        """Write the fallbacks of `planned` from step `first` on, until one stands."""
        options = fallbacks(planned, failure)
        last: PermanentError | None = None
        for step in range(first, len(options)):
            self.ledger.keep_fallback(index, step, failure)
            try:
                self.once(index, options[step])
            except PermanentError as exc:
                if is_conflict(exc):
                    raise  # the retry resumes at this same fallback
                if exc.status not in REFUSED:
                    self.alert(index, planned, None, failure)
                    raise
                last = exc
                continue
            self.alert(index, planned, options[step], failure)
            return
        self.alert(index, planned, None, failure)
        raise last or PermanentError(f"batch {index}: every fallback was refused")

    def alert(self, index: int, planned: Batch, written: Batch | None, failure: str) -> None:
        """Announce the refusal once per batch (a retried job does not announce it again)."""
        name = f"alerted:{index}"
        if self.ledger.recall(name) is not None:
            return
        outcome = "degraded" if written is not None else "failed"
        metrics.REJECTED_WRITES.labels(self.ticket.platform, self.decision.path.value,
                                       outcome).inc()
        not_done = tuple(describe(a) for a in planned if written is None or (
            a not in written and a.kind != "internal_note"))
        stands = ("nothing: the job failed" if written is None else
                  "a note for an agent saying what failed"
                  + ("" if len(written) == 1 else ", with the other writes"))
        alert_rejected(self.runtime.settings.aftercare.notify, RejectedWrite(
            platform=self.ticket.platform, ticket_id=self.ticket.id, ticket_url=self.ticket.url,
            path=self.decision.path.value, reasons=tuple(r.code for r in self.decision.reasons),
            failure=failure, not_done=not_done, written=stands), os.environ)
        self.ledger.remember(name, outcome)
        log.error("helpdesk refused batch %d: %s; %s", index, failure, stands)


def _answer(error: PermanentError) -> str:
    """The helpdesk's answer in `error`, without the request line, cut to 300 characters."""
    return _REQUEST.sub("", str(error), count=1)[:300]
