"""A worker killed with SIGKILL between two writes: after recovery, each write exactly once.

The escalation's first batch (handoff note, tags, group, priority, status) lands; the
worker is killed while the customer message is in flight. The helpdesk still
accepts that message, so the retried job must notice it on the ticket and not post
it again. rq finds the job abandoned once its heartbeat lapses and retries it.
The stack is up only once its worker has registered in Redis; every wait here is
on a state (a comment written, a job finished), bounded generously for a busy machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.e2e.conftest import SAMPLES, ai_comments, tuned_stack
from worker.cli.demo import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # A short job timeout (the ticket lock's TTL), heartbeat and maintenance cycle, so the
    # abandoned job is found in about a minute.
    changes = {"queue": {"job_timeout_seconds": 20, "heartbeat_seconds": 1,
                         "maintenance_interval_seconds": 5, "retry_intervals_seconds": [1, 1, 1]}}
    with tuned_stack(redis_url, tmp_path_factory.mktemp("home"), changes) as running:
        yield running


def test_killed_between_batches_then_recovered_posts_each_write_once(stack: Stack) -> None:
    with httpx.Client(base_url=stack.sandbox_url, timeout=10) as sandbox:
        # The second update (the customer message) is held, and the worker killed meanwhile.
        sandbox.post("/sandbox/faults", json={"method": "PUT", "path": r"/tickets/\d+(\.json)?$",
                                              "latency_ms": 3000, "skip": 1, "times": 1},
                     ).raise_for_status()
        ticket_id = str(sandbox.post("/sandbox/tickets", json={**SAMPLES["s-refund"],
                                                               "platform": "zendesk"})
                        .raise_for_status().json()["ticket_id"])
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not ai_comments(sandbox, ticket_id):
            time.sleep(0.05)
        assert [c["public"] for c in ai_comments(sandbox, ticket_id)] == [False]

        stack.processes["worker-0"].kill()
        stack.processes["worker-0"].wait()
        killed_at = time.monotonic()
        replacement = subprocess.Popen([sys.executable, "-m", "worker", "worker"], env=stack.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            recovered = False
            writes: list[bool] = []
            state: dict[str, object] = {}
            while not recovered and time.monotonic() < killed_at + 420:
                state = sandbox.get(f"/sandbox/tickets/zendesk/{ticket_id}").json()
                writes = [c["public"] for c in ai_comments(sandbox, ticket_id)]
                deliveries = [d for d in sandbox.get("/sandbox/deliveries").json()
                              if str(d["ticket_id"]) == ticket_id]
                recovered = writes == [False, True] and _job_finished(stack, deliveries)
                time.sleep(0.5)
        finally:
            replacement.terminate()
            replacement.wait(timeout=180)

    print(f"\nrecovered {time.monotonic() - killed_at:.0f} s after the kill")
    assert recovered, f"writes {writes}; the retried job did not finish"
    assert writes == [False, True]
    assert "handoff_escalated" in state["tags"]  # type: ignore[operator]


def _job_finished(stack: Stack, deliveries: list[dict[str, object]]) -> bool:
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    job_ids = [d["response"]["job_id"] for d in deliveries if d.get("response")]  # type: ignore[index]
    return bool(job_ids) and all(
        Job.fetch(j, connection=connection, serializer=JSONSerializer).is_finished for j in job_ids
    )
