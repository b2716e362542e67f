"""A job that finds the rate budget spent is rescheduled, not failed (real rq, Redis, sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
import yaml
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now

from core.models import TicketEvent
from infra.queue import enqueue_event, make_queue
from tests.conftest import ROOT
from tests.worker.support import (
    EMAIL,
    SECRET,
    TOKEN,
    ai_comments,
    create,
    sample_for,
    ticket,
)
from worker import runtime as runtime_module
from worker.rq_worker import HandoffWorker
from worker.runtime import Runtime

PER_SECONDS = 600


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str, database_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> Iterator[Runtime]:
    # `calls` per ten minutes (1 unless the test is parametrized), and no waiting
    # inside the job: with one, the ticket read takes the only slot, so the first
    # write finds the budget spent.
    calls = getattr(request, "param", 1)
    zendesk = {"base_url": str(sandbox.base_url).rstrip("/") + "/zendesk/api/v2",
               "email": EMAIL, "ai_user_id": "900", "max_total_wait_seconds": 1,
               "rate_budget": {"calls": calls, "per_seconds": PER_SECONDS}}
    # The tests count each call of the budget: the handoff note's extra call for the
    # requester's other tickets is off (tests/worker/test_customer_record.py has it).
    config = {"platforms": {"zendesk": zendesk},
              "queue": {"retry_intervals_seconds": [0, 0]},
              "handoff_note": {"other_tickets": 0},
              "knowledge_dir": str(ROOT / "config" / "knowledge")}
    path = tmp_path / "handoff.yaml"
    path.write_text(yaml.safe_dump(config))
    for name, value in {"HANDOFF_CONFIG": str(path), "REDIS_URL": redis_url,
                        "DATABASE_URL": database_url, "HANDOFF_ZENDESK_API_TOKEN": TOKEN,
                        "HANDOFF_ZENDESK_SIGNING_SECRET": SECRET}.items():
        monkeypatch.setenv(name, value)
    runtime_module.current.cache_clear()
    yield runtime_module.current()
    runtime_module.current.cache_clear()


def test_a_rate_limited_job_is_rescheduled_with_its_retries_untouched(
    runtime: Runtime, sandbox: httpx.Client,
) -> None:
    ticket_id = create(sandbox, sample_for("auto_resolve"))
    queue = make_queue(runtime.settings, runtime.redis)
    event = TicketEvent(platform="zendesk", ticket_id=ticket_id, event_id="ev-rate")
    job_id = enqueue_event(queue, runtime.settings, event).job_id
    before = now()

    HandoffWorker([queue], connection=runtime.redis, serializer=JSONSerializer).work(burst=True)

    job = Job.fetch(job_id, connection=runtime.redis, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.SCHEDULED
    assert job_id in queue.scheduled_job_registry.get_job_ids()
    assert job_id not in queue.failed_job_registry.get_job_ids()
    assert job.retries_left == 2  # both error retries still there
    assert job.number_of_retries == 1
    # Due when the budget frees up: the window less the few seconds the read took.
    due = queue.scheduled_job_registry.get_scheduled_time(job_id)
    assert before + timedelta(seconds=PER_SECONDS - 30) <= due
    assert due <= now() + timedelta(seconds=PER_SECONDS + 1)
    assert ai_comments(ticket(sandbox, ticket_id)) == []

    # The budget frees up; the scheduler's move is done by hand (burst workers have none).
    for key in runtime.redis.scan_iter("handoff:rate:*"):
        runtime.redis.delete(key)
    queue.scheduled_job_registry.remove(job)
    queue.enqueue_job(job)
    stats_before = sandbox.get("/sandbox/stats").json()["zendesk"]["routes"]
    HandoffWorker([queue], connection=runtime.redis, serializer=JSONSerializer).work(burst=True)
    # Still one slot per window: the rerun reads (one call) and is rescheduled again.
    assert job.get_status(refresh=True) == JobStatus.SCHEDULED
    job.refresh()
    assert (job.retries_left, job.number_of_retries) == (2, 2)
    stats_after = sandbox.get("/sandbox/stats").json()["zendesk"]["routes"]
    assert stats_after.get("PUT /tickets/<ticket_id>", 0) == stats_before.get(
        "PUT /tickets/<ticket_id>", 0) == 0


@pytest.mark.parametrize("runtime", [20], indirect=True)
def test_once_the_budget_allows_the_rescheduled_job_finishes_and_writes_once(
    runtime: Runtime, sandbox: httpx.Client,
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    queue = make_queue(runtime.settings, runtime.redis)
    event = TicketEvent(platform="zendesk", ticket_id=ticket_id, event_id="ev-rate-2")
    job_id = enqueue_event(queue, runtime.settings, event).job_id
    worker = HandoffWorker([queue], connection=runtime.redis, serializer=JSONSerializer)
    worker.work(burst=True)
    job = Job.fetch(job_id, connection=runtime.redis, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.SCHEDULED

    # 20 calls per 600 s are paced 30 s apart after a burst of two: the read and the
    # note go, the public message must wait; the rerun reads again and writes only it.
    assert [public for public, _ in ai_comments(ticket(sandbox, ticket_id))] == [False]
    for _ in range(3):
        if job.get_status(refresh=True) != JobStatus.SCHEDULED:
            break
        for key in runtime.redis.scan_iter("handoff:rate:*"):
            runtime.redis.delete(key)
        queue.scheduled_job_registry.remove(job)
        queue.enqueue_job(job)
        worker.work(burst=True)

    assert job.get_status(refresh=True) == JobStatus.FINISHED
    job.refresh()
    assert job.retries_left == 2
    # The internal note and the public message, each exactly once.
    assert [public for public, _ in ai_comments(ticket(sandbox, ticket_id))] == [False, True]
