"""The receiver's one-round-trip enqueue writes exactly what rq's unique enqueue writes."""

from __future__ import annotations

import redis
from rq import Queue, Retry
from rq.job import Job
from rq.serializers import JSONSerializer

from core.models import EventKind, TicketEvent
from core.settings import Settings
from receiver.intake import FAILED_TTL_SECONDS, JOB_FUNCTION, enqueue_event, job_id_for, make_queue

EVENT = TicketEvent(platform="zendesk", ticket_id="42", event_id="inv-1",
                    kind=EventKind.MESSAGE_CREATED)
TIMESTAMPS = {b"created_at", b"enqueued_at"}


def written(connection: redis.Redis, job_id: str) -> tuple[dict[bytes, bytes], list[bytes],
                                                            set[bytes]]:
    fields = connection.hgetall(f"rq:job:{job_id}")
    stamps = {k: v for k, v in fields.items() if k not in TIMESTAMPS}
    assert fields.keys() >= TIMESTAMPS
    return stamps, connection.lrange("rq:queue:handoff", 0, -1), connection.smembers("rq:queues")


def test_same_job_record_as_rq_unique_enqueue(redis_conn: redis.Redis) -> None:
    settings = Settings()
    queue = make_queue(settings, redis_conn)
    intervals = list(settings.queue.retry_intervals_seconds)
    job_id = job_id_for(EVENT)
    queue.enqueue(JOB_FUNCTION, "zendesk", "42", "inv-1", job_id=job_id, unique=True,
                  retry=Retry(max=len(intervals), interval=intervals),
                  result_ttl=settings.receiver.dedupe_ttl_seconds,
                  failure_ttl=FAILED_TTL_SECONDS,
                  description=f"zendesk ticket 42 ({EVENT.kind})")
    by_rq = written(redis_conn, job_id)
    redis_conn.flushdb()

    result = enqueue_event(queue, settings, EVENT)

    assert (result.job_id, result.duplicate) == (job_id, False)
    assert written(redis_conn, job_id) == by_rq
    job = Job.fetch(job_id, connection=redis_conn, serializer=JSONSerializer)
    assert job.args == ["zendesk", "42", "inv-1"]
    assert job.timeout == settings.queue.job_timeout_seconds
    assert job.retries_left == len(intervals)


def test_repeat_is_a_duplicate_and_queues_nothing_more(redis_conn: redis.Redis) -> None:
    settings = Settings()
    queue = make_queue(settings, redis_conn)
    first = enqueue_event(queue, settings, EVENT)
    second = enqueue_event(queue, settings, EVENT)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.job_id == first.job_id
    assert Queue("handoff", connection=redis_conn).get_job_ids() == [first.job_id]
