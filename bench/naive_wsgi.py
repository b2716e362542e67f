"""The receiver with the enqueue it had before (rq's ``Queue.enqueue(unique=True)``), for
bench/ingest.py ``--variants naive,ingest,ceiling``: the before/after of one round trip.

    gunicorn 'bench.naive_wsgi:build_app()'
"""

from __future__ import annotations

from flask import Flask
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

import receiver.app
from core.models import TicketEvent
from core.settings import Settings
from infra.queue import FAILED_TTL_SECONDS, JOB_FUNCTION, Enqueued, job_id_for
from receiver.wsgi import build_app as _build_app


def _rq_enqueue(queue: Queue, settings: Settings, event: TicketEvent) -> Enqueued:
    job_id = job_id_for(event)
    intervals = list(settings.queue.retry_intervals_seconds)
    try:
        queue.enqueue(
            JOB_FUNCTION, event.platform, event.ticket_id, event.event_id,
            job_id=job_id, unique=True,
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            result_ttl=settings.receiver.dedupe_ttl_seconds, failure_ttl=FAILED_TTL_SECONDS,
            description=f"{event.platform} ticket {event.ticket_id} ({event.kind})",
        )
    except DuplicateJobError:
        return Enqueued(job_id, duplicate=True)
    return Enqueued(job_id, duplicate=False)


def build_app() -> Flask:
    receiver.app.enqueue_event = _rq_enqueue
    return _build_app()
