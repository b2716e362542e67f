"""The job pipeline with a real RQ worker, real Redis and the sandbox over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import yaml
from click.testing import CliRunner
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

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
from worker.cli import main
from worker.rq_worker import HandoffWorker
from worker.runtime import Runtime


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str, database_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    config = {
        # One try per call: a 503 then fails the job's run at once, and rq retries the job.
        "platforms": {"zendesk": {"base_url": str(sandbox.base_url).rstrip("/") + "/zendesk/api/v2",
                                  "email": EMAIL, "ai_user_id": "900", "max_attempts": 1}},
        "queue": {"retry_intervals_seconds": [0]},
        "knowledge_dir": str(ROOT / "config" / "knowledge"),
    }
    path = tmp_path / "handoff.yaml"
    path.write_text(yaml.safe_dump(config))
    for name, value in {"HANDOFF_CONFIG": str(path), "REDIS_URL": redis_url,
                        "DATABASE_URL": database_url,
                        "HANDOFF_ZENDESK_API_TOKEN": TOKEN,
                        "HANDOFF_ZENDESK_SIGNING_SECRET": SECRET}.items():
        monkeypatch.setenv(name, value)
    runtime_module.current.cache_clear()
    yield runtime_module.current()
    runtime_module.current.cache_clear()


def deliver_and_work(runtime: Runtime, ticket_id: str, event_id: str = "ev-1") -> str:
    queue = make_queue(runtime.settings, runtime.redis)
    event = TicketEvent(platform="zendesk", ticket_id=ticket_id, event_id=event_id, unique_id=True)
    job_id = enqueue_event(queue, runtime.settings, event).job_id
    HandoffWorker([queue], connection=runtime.redis, serializer=JSONSerializer).work(burst=True)
    return job_id


def test_auto_resolve_replies_solves_and_tags(sandbox: httpx.Client, runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("auto_resolve"))
    deliver_and_work(runtime, ticket_id)
    state = ticket(sandbox, ticket_id)
    assert [public for public, _ in ai_comments(state)] == [True]
    assert state["status"] == "solved"
    assert "handoff_auto_resolved" in state["tags"]


def test_failing_helpdesk_leaves_ticket_untouched_and_job_replayable(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    before = ticket(sandbox, ticket_id)
    sandbox.post("/sandbox/faults", json={"method": "PUT", "path": "/tickets/",
                                          "status": 503, "times": 100})
    job_id = deliver_and_work(runtime, ticket_id)

    failed = FailedJobRegistry(queue=make_queue(runtime.settings, runtime.redis))
    assert job_id in failed.get_job_ids()
    after = ticket(sandbox, ticket_id)
    assert ai_comments(after) == []
    assert (after["tags"], after["status"]) == (before["tags"], before["status"])

    listing = CliRunner().invoke(main, ["failed"])
    assert listing.exit_code == 0
    assert f"{job_id}  zendesk ticket {ticket_id}  " in listing.output
    assert "HTTP 503" in listing.output

    sandbox.delete("/sandbox/faults")
    replayed = CliRunner().invoke(main, ["replay", "--all"])
    assert (replayed.exit_code, replayed.output.strip()) == (0, f"requeued {job_id}")
    HandoffWorker([make_queue(runtime.settings, runtime.redis)], connection=runtime.redis,
                 serializer=JSONSerializer).work(burst=True)
    assert [public for public, _ in ai_comments(ticket(sandbox, ticket_id))] == [False, True]
    assert failed.get_job_ids() == []

    [logged] = runtime.log.recent()
    assert (logged["ticket_id"], logged["path"]) == (ticket_id, "escalate")
    outcomes = [(r["batch"], r["outcome"]) for r in runtime.log.actions_of(logged["decision_id"])]
    assert outcomes[0] == (0, "failed")
    assert outcomes[-2:] == [(0, "done"), (1, "done")]


def test_replay_of_an_unknown_job_exits_1(runtime: Runtime) -> None:
    result = CliRunner().invoke(main, ["replay", "no-such-job"])
    assert result.exit_code == 1
    assert "not in the failed-job registry: no-such-job" in result.output


def test_retry_after_partial_write_never_posts_twice(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, sample_for("escalate"))
    # The handoff note lands; the customer message after it fails on every attempt.
    sandbox.post("/sandbox/faults", json={"method": "PUT", "path": "/tickets/",
                                          "status": 503, "times": 100, "skip": 1})
    job_id = deliver_and_work(runtime, ticket_id)
    assert [public for public, _ in ai_comments(ticket(sandbox, ticket_id))] == [False]

    sandbox.delete("/sandbox/faults")
    FailedJobRegistry(queue=make_queue(runtime.settings, runtime.redis)).requeue(job_id)
    HandoffWorker([make_queue(runtime.settings, runtime.redis)], connection=runtime.redis,
                 serializer=JSONSerializer).work(burst=True)
    comments = ai_comments(ticket(sandbox, ticket_id))
    assert [public for public, _ in comments] == [False, True]


def test_redelivered_event_is_processed_once(sandbox: httpx.Client, runtime: Runtime) -> None:
    ticket_id = create(sandbox, sample_for("draft"))
    first = deliver_and_work(runtime, ticket_id, event_id="same")
    second = deliver_and_work(runtime, ticket_id, event_id="same")
    assert first == second
    assert [public for public, _ in ai_comments(ticket(sandbox, ticket_id))] == [False]
