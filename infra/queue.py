"""Queue a verified event: a repeat is merged only into a job that has not started.

One Lua call registers the queue, decides, saves the job and pushes it, so a crash
can never leave an event marked as seen but not queued. What it decides:

- An event whose id is the helpdesk's own id of one delivery or message
  (`TicketEvent.unique_id`) gets a job id derived from (platform, event id). A
  repeat finds that job and is a duplicate whatever its state: it is a redelivery
  of a change the job read (the job was created after the change existed).
- An event whose id is derived from the body can stand for a new customer message
  (Freshdesk sends the same body for every reply). Its job gets a fresh id, and a
  pointer per (platform, event id) names the latest job. A repeat is merged into
  that job only while it is queued and has never started: the job has not read the
  ticket yet, so it will see the new message. Once the job has started (or
  finished, failed, or waits for a retry), the repeat is queued as a job of its own,
  with an event id of its own, so it makes its own decision instead of replaying
  the earlier job's stored one (`worker.effects.ledger`). A true redelivery queued this way
  is harmless: the worker's guards skip a ticket the AI already answered.

The dedupe window is the time the job record (and the pointer) is kept
(`result_ttl`), set from ``receiver.dedupe_ttl_seconds``.

Why not ``Queue.enqueue(unique=True)``: it spends two round trips per delivery (a
MULTI/EXEC transaction for the queue registration, then rq's unique-enqueue script),
which halved the receiver's throughput (docs/performance.md), and it cannot look at
the state of another job. The job is still built by rq (`Queue.create_job`,
`Job.to_dict`), so a worker reads exactly what rq would have written;
tests/receiver pins that equivalence.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now

from core.models import EventKind, TicketEvent
from core.settings import Settings

# The jobs' names, stored in Redis with every queued or scheduled job: a job already
# queued runs only while its name still resolves (tests/worker/test_job_names.py).
JOB_FUNCTION = "worker.jobs.process_event"
KEEP_WARM_JOB = "worker.aftercare.keep_warm"
SLA_SWEEP_JOB = "worker.sla_sweep.sla_sweep"
JOB_NAMES = (JOB_FUNCTION, KEEP_WARM_JOB, SLA_SWEEP_JOB)
# Dead-letter entries are kept long enough for a weekend outage to be replayed.
FAILED_TTL_SECONDS = 14 * 86_400

# KEYS: the merge pointer, the new job's hash, the queue list, the set of queues.
# ARGV: the new job id, the queue key, rq's job key prefix, the pointer's TTL ("": a
# unique event, no pointer), then the hash's field/value pairs. Returns {job id, 1 if
# queued now}. The job key read through the pointer is built here, not passed in:
# which job it is is only known inside the script, and rq needs a single Redis anyway.
# A never-started job has an empty started_at; rq keeps it once set, through retries.
_ENQUEUE = """
redis.call("SADD", KEYS[4], ARGV[2])
if redis.call("EXISTS", KEYS[2]) == 1 then
    return {ARGV[1], 0}
end
if ARGV[4] ~= "" then
    local latest = redis.call("GET", KEYS[1])
    if latest then
        local state = redis.call("HMGET", ARGV[3] .. latest, "status", "started_at")
        if state[1] == "queued" and (not state[2] or state[2] == "") then
            return {latest, 0}
        end
    end
    redis.call("SET", KEYS[1], ARGV[1], "EX", ARGV[4])
end
redis.call("HSET", KEYS[2], unpack(ARGV, 5))
redis.call("RPUSH", KEYS[3], ARGV[1])
return {ARGV[1], 1}
"""


@dataclass(frozen=True)
class Enqueued:
    job_id: str
    duplicate: bool


def job_id_for(event: TicketEvent) -> str:
    """The job id of an event's id: the same delivery of a unique event always maps to it."""
    digest = hashlib.sha256(f"{event.platform}\0{event.event_id}".encode()).hexdigest()
    return f"handoff-{event.platform}-{digest[:32]}"


def pointer_key(event: TicketEvent) -> str:
    """The Redis key naming the latest job queued for a body-derived event id."""
    return f"handoff:intake:latest:{job_id_for(event)}"


def make_queue(settings: Settings, connection: redis.Redis) -> Queue:
    """The RQ queue Handoff's jobs go to, with the JSON serializer."""
    return Queue(
        settings.queue.name,
        connection=connection,
        serializer=JSONSerializer,
        default_timeout=settings.queue.job_timeout_seconds,
    )


def enqueue_event(queue: Queue, settings: Settings, event: TicketEvent) -> Enqueued:
    """Queue `event` in one round trip, or report it merged into an earlier job
    (duplicate), under the rules of the module docstring.

    Raises redis.RedisError when Redis is unavailable: nothing is recorded then,
    so the helpdesk's redelivery will be accepted.
    """
    pointer, ttl = pointer_key(event), str(settings.receiver.dedupe_ttl_seconds)
    if not event.unique_id:
        # The new job's own event id; it is written only if the script queues the job.
        event = event.model_copy(update={"event_id": f"{event.event_id}~{secrets.token_hex(8)}"})
    job = build_job(queue, settings, event)
    script = queue.connection.register_script(_ENQUEUE)
    job_id, created = script(
        keys=[pointer, job.key, queue.key, queue.redis_queues_keys],
        args=[job.id, queue.key, job.redis_job_namespace_prefix,
              "" if event.unique_id else ttl, *hash_fields(job)],
    )
    return Enqueued(_text(job_id), duplicate=not created)


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


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def queue_return(settings: Settings, connection: redis.Redis,
                 record: Mapping[str, Any]) -> str:
    """Queue the job that finishes handing `record`'s ticket back to the AI (it removes
    the escalate tags and answers the customer if it is their turn); its job id.
    Raises redis.RedisError when Redis is unavailable."""
    event = TicketEvent(platform=str(record["platform"]), ticket_id=str(record["ticket_id"]),
                        event_id=f"return-to-ai:{record['id']}", kind=EventKind.TICKET_UPDATED)
    return enqueue_event(make_queue(settings, connection), settings, event).job_id
