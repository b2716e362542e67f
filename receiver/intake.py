"""Queue a verified event exactly once per delivery.

The job id is derived from (platform, event id), and rq's unique enqueue checks,
saves and pushes the job in one atomic Lua call. A redelivery inside the dedupe
window therefore finds the job already there and is dropped, and a crash can
never leave an event marked as seen but not queued. The window is the time the
job record is kept (`result_ttl`), set from ``receiver.dedupe_ttl_seconds``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from core.models import TicketEvent
from core.settings import Settings

JOB_FUNCTION = "worker.jobs.process_event"
# Dead-letter entries are kept long enough for a weekend outage to be replayed.
FAILED_TTL_SECONDS = 14 * 86_400


@dataclass(frozen=True)
class Enqueued:
    job_id: str
    duplicate: bool


def job_id_for(event: TicketEvent) -> str:
    """The stable job id of an event: the same delivery always maps to the same id."""
    digest = hashlib.sha256(f"{event.platform}\0{event.event_id}".encode()).hexdigest()
    return f"handoff-{event.platform}-{digest[:32]}"


def make_queue(settings: Settings, connection: redis.Redis) -> Queue:
    """The RQ queue Handoff's jobs go to, with the JSON serializer."""
    return Queue(
        settings.queue.name,
        connection=connection,
        serializer=JSONSerializer,
        default_timeout=settings.queue.job_timeout_seconds,
    )


def enqueue_event(queue: Queue, settings: Settings, event: TicketEvent) -> Enqueued:
    """Queue `event` once; a repeat inside the dedupe window is reported as duplicate.

    Raises redis.RedisError when Redis is unavailable: nothing is recorded then,
    so the helpdesk's redelivery will be accepted.
    """
    job_id = job_id_for(event)
    intervals = list(settings.queue.retry_intervals_seconds)
    try:
        queue.enqueue(
            JOB_FUNCTION,
            event.platform,
            event.ticket_id,
            event.event_id,
            job_id=job_id,
            unique=True,
            retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            result_ttl=settings.receiver.dedupe_ttl_seconds,
            failure_ttl=FAILED_TTL_SECONDS,
            description=f"{event.platform} ticket {event.ticket_id} ({event.kind})",
        )
    except DuplicateJobError:
        return Enqueued(job_id, duplicate=True)
    return Enqueued(job_id, duplicate=False)
