"""The receiver's one-round-trip enqueue: rq's job record, merged only until started."""

from __future__ import annotations

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from core.models import EventKind, TicketEvent
from core.settings import Settings
from infra.queue import (
    FAILED_TTL_SECONDS,
    JOB_FUNCTION,
    Enqueued,
    enqueue_event,
    job_id_for,
    make_queue,
)

EVENT = TicketEvent(platform="zendesk", ticket_id="42", event_id="inv-1", unique_id=True,
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


CONTENT_EVENT = TicketEvent(platform="freshdesk", ticket_id="7", event_id="sha256:body",
                            kind=EventKind.MESSAGE_CREATED)


def start(connection: redis.Redis, job_id: str) -> Job:
    """What an rq worker does when it takes the job: mark it started."""
    job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    with connection.pipeline() as pipeline:
        job.prepare_for_execution("test-worker", pipeline)
        pipeline.execute()
    return job


def test_a_body_repeat_merges_only_while_the_job_has_not_started(
    redis_conn: redis.Redis,
) -> None:
    settings = Settings()
    queue = make_queue(settings, redis_conn)
    first = enqueue_event(queue, settings, CONTENT_EVENT)
    while_queued = enqueue_event(queue, settings, CONTENT_EVENT)
    assert (first.duplicate, while_queued.duplicate) == (False, True)
    assert while_queued.job_id == first.job_id

    start(redis_conn, first.job_id)
    after_start = enqueue_event(queue, settings, CONTENT_EVENT)
    again = enqueue_event(queue, settings, CONTENT_EVENT)

    assert after_start.duplicate is False
    assert after_start.job_id != first.job_id
    assert (again.duplicate, again.job_id) == (True, after_start.job_id)
    assert queue.get_job_ids() == [first.job_id, after_start.job_id]
    jobs = [Job.fetch(j, connection=redis_conn, serializer=JSONSerializer)
            for j in (first.job_id, after_start.job_id)]
    # Each job has its own event id, so the new one makes its own decision (worker.effects.ledger).
    assert jobs[0].args[:2] == jobs[1].args[:2] == ["freshdesk", "7"]
    assert jobs[0].args[2] != jobs[1].args[2]
    assert all(job.args[2].startswith("sha256:body") for job in jobs)


def test_a_job_queued_again_for_a_retry_takes_no_merge(redis_conn: redis.Redis) -> None:
    settings = Settings()
    queue = make_queue(settings, redis_conn)
    first = enqueue_event(queue, settings, CONTENT_EVENT)
    job = start(redis_conn, first.job_id)
    job.set_status(JobStatus.QUEUED)  # as rq leaves a job it queued again to retry it

    later = enqueue_event(queue, settings, CONTENT_EVENT)

    assert later.duplicate is False
    assert later.job_id != first.job_id


def test_a_finished_job_takes_no_merge_but_a_redelivery_of_one_id_stays_a_duplicate(
    redis_conn: redis.Redis,
) -> None:
    settings = Settings()
    queue = make_queue(settings, redis_conn)
    by_body, by_id = enqueue_event(queue, settings, CONTENT_EVENT), enqueue_event(
        queue, settings, EVENT)
    for result in (by_body, by_id):
        start(redis_conn, result.job_id).set_status(JobStatus.FINISHED)

    assert enqueue_event(queue, settings, CONTENT_EVENT).duplicate is False
    assert enqueue_event(queue, settings, EVENT) == Enqueued(by_id.job_id, duplicate=True)
