"""The helpdesk answers 503 for 30 seconds, then recovers: every ticket is processed once.

Jobs that fail while the helpdesk is down wait in rq's scheduled registry for their
next try; nothing is dropped and nothing is written twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import redis
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from tests.e2e.conftest import SAMPLES, ai_comments, tuned_stack
from worker.cli.demo import Stack

pytestmark = pytest.mark.e2e
OUTAGE_SECONDS = 30
EXPECTED_WRITES = {"auto_resolve": [True], "draft": [False], "escalate": [False, True], "skip": []}


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Short, many job retries so the test covers the outage in well under a minute; each call
    # gives up after two tries so the job fails fast and waits in the scheduled registry.
    changes = {
        "queue": {"retry_intervals_seconds": [3] * 20},
        "platforms": {"zendesk": {"subdomain": "outage", "email": "ai@example.com",
                                  "max_attempts": 2, "max_total_wait_seconds": 2}},
    }
    with tuned_stack(redis_url, tmp_path_factory.mktemp("home"), changes, workers=2) as running:
        yield running


def test_every_ticket_is_processed_once_after_the_outage(stack: Stack) -> None:
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    queue = Queue("handoff", connection=connection, serializer=JSONSerializer)
    with httpx.Client(base_url=stack.sandbox_url, timeout=10) as sandbox:
        sandbox.post("/sandbox/faults", json={"method": "*", "path": ".*", "status": 503,
                                              "times": None}).raise_for_status()
        samples = list(SAMPLES.values())
        created = {str(sandbox.post("/sandbox/tickets", json={**s, "platform": "zendesk"})
                       .raise_for_status().json()["ticket_id"]): s for s in samples}
        time.sleep(OUTAGE_SECONDS)
        waiting = [j for j in ScheduledJobRegistry(queue=queue).get_job_ids()
                   if j.startswith("handoff-zendesk-")]
        assert waiting, "no job was waiting for a retry during the outage"
        sandbox.delete("/sandbox/faults")

        deadline = time.monotonic() + 120
        writes: dict[str, list[bool]] = {}
        while time.monotonic() < deadline:
            writes = {t: [c["public"] for c in ai_comments(sandbox, t)] for t in created}
            retrying = [j for j in ScheduledJobRegistry(queue=queue).get_job_ids()
                        if j.startswith("handoff-zendesk-")]
            busy = queue.count + StartedJobRegistry(queue=queue).count + len(retrying)
            if busy == 0 and all(writes[t] == EXPECTED_WRITES[s["labels"]["expect_path"]]
                                 for t, s in created.items()):
                break
            time.sleep(0.5)

    assert FailedJobRegistry(queue=queue).count == 0
    assert queue.count == 0
    assert not [j for j in ScheduledJobRegistry(queue=queue).get_job_ids()
                if j.startswith("handoff-zendesk-")]
    for ticket_id, sample in created.items():
        assert writes[ticket_id] == EXPECTED_WRITES[sample["labels"]["expect_path"]], ticket_id
