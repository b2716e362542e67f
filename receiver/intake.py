"""Queue a verified event exactly once per delivery.

The job id is derived from (platform, event id). One Lua call registers the queue,
checks that the job does not exist yet, saves it and pushes it: a redelivery inside
the dedupe window finds the job already there and is dropped, and a crash can never
leave an event marked as seen but not queued. The window is the time the job record
is kept (`result_ttl`), set from ``receiver.dedupe_ttl_seconds``.

Why not ``Queue.enqueue(unique=True)``: it spends two round trips per delivery (a
MULTI/EXEC transaction for the queue registration, then rq's unique-enqueue script),
which halved the receiver's throughput (docs/performance.md). The job is still built
by rq (`Queue.create_job`, `Job.to_dict`), so a worker reads exactly what rq would
have written; tests/receiver pins that equivalence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now

from core.models import TicketEvent
from core.settings import Settings

JOB_FUNCTION = "worker.jobs.process_event"
# Dead-letter entries are kept long enough for a weekend outage to be replayed.
FAILED_TTL_SECONDS = 14 * 86_400

# KEYS: the job hash, the queue list, the set of queues. ARGV: the job id, the queue
# key, then the hash's field/value pairs. rq's own unique enqueue does the same
# EXISTS/HSET/RPUSH; adding the SADD here saves the separate transaction rq sends first.
_UNIQUE_ENQUEUE = """
redis.call("SADD", KEYS[3], ARGV[2])
if redis.call("EXISTS", KEYS[1]) == 1 then
    return 0
end
redis.call("HSET", KEYS[1], unpack(ARGV, 3))
redis.call("RPUSH", KEYS[2], ARGV[1])
return 1
"""


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
    """Queue `event` once, in one round trip; a repeat inside the dedupe window is
    reported as duplicate.

    Raises redis.RedisError when Redis is unavailable: nothing is recorded then,
    so the helpdesk's redelivery will be accepted.
    """
    job = build_job(queue, settings, event)
    script = queue.connection.register_script(_UNIQUE_ENQUEUE)
    created = script(keys=[job.key, queue.key, queue.redis_queues_keys],
                     args=[job.id, queue.key, *hash_fields(job)])
    return Enqueued(job.id, duplicate=not created)


def build_job(queue: Queue, settings: Settings, event: TicketEvent) -> Job:
    """The rq job for `event`, ready to save, as ``Queue.enqueue`` would prepare it."""
    intervals = list(settings.queue.retry_intervals_seconds)
    job = queue.create_job(
        JOB_FUNCTION,
        args=(event.platform, event.ticket_id, event.event_id),
        job_id=job_id_for(event),
        status=JobStatus.QUEUED,
        timeout=settings.queue.job_timeout_seconds,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        result_ttl=settings.receiver.dedupe_ttl_seconds,
        failure_ttl=FAILED_TTL_SECONDS,
        description=f"{event.platform} ticket {event.ticket_id} ({event.kind})",
    )
    job.origin = queue.name
    job.enqueued_at = now()
    return job


def hash_fields(job: Job) -> list[str | bytes]:
    """The job's Redis hash as flat field/value pairs (what rq's unique enqueue writes)."""
    fields: list[str | bytes] = []
    for key, value in job.to_dict().items():
        if value is not None:
            fields.append(key)
            # A tuple, not `str | bytes`: on Python 3.11 a union costs three times as much
            # here, and this runs for every field of every delivery.
            fields.append(value if isinstance(value, (str, bytes)) else str(value))
    return fields
