"""Load: 5,000 webhooks over 200 tickets, 20% duplicates, 5% of helpdesk calls failing.

Real processes (sandbox, gunicorn receiver, two RQ workers) on a real Redis. The
figures are printed; the test asserts that nothing was lost, duplicated or stuck.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from tests.conftest import zendesk_headers
from tests.e2e.conftest import SAMPLES, tuned_stack
from worker.cli.demo import Stack

pytestmark = pytest.mark.e2e
TICKETS, WEBHOOKS, DUPLICATE_SHARE = 200, 5_000, 0.2
EXPECTED_WRITES = {"auto_resolve": [True], "draft": [False], "escalate": [False, True], "skip": []}


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The sandbox has no plan limits: lift the budgets so the test measures the pipeline.
    unlimited = {"calls": 1_000_000, "per_seconds": 60}
    platforms = {"zendesk": {"subdomain": "load", "email": "ai@example.com",
                             "rate_budget": unlimited, "update_ticket_budget": unlimited}}
    home = tmp_path_factory.mktemp("home")
    with tuned_stack(redis_url, home, {"platforms": platforms}, workers=2) as running:
        yield running


def send(client: httpx.Client, secret: str, ticket_id: str, invocation: str) -> httpx.Response:
    body = json.dumps({"ticket_id": ticket_id, "event": "comment_added"}).encode()
    return client.post("/webhooks/zendesk", content=body,
                       headers=zendesk_headers(secret, body, invocation_id=invocation))


def drained(connection: redis.Redis, deadline: float) -> bool:
    """Every event job ran to its end (keep-warm updates and sweeps may stay scheduled)."""
    queue = Queue("handoff", connection=connection, serializer=JSONSerializer)
    while time.monotonic() < deadline:
        retrying = [j for j in ScheduledJobRegistry(queue=queue).get_job_ids()
                    if j.startswith("handoff-zendesk-")]
        if queue.count + StartedJobRegistry(queue=queue).count + len(retrying) == 0:
            return True
        time.sleep(0.5)
    return False


def test_nothing_lost_duplicated_or_stuck(stack: Stack) -> None:
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    secret = stack.env["HANDOFF_ZENDESK_SIGNING_SECRET"]
    samples = list(itertools.islice(itertools.cycle(SAMPLES.values()), TICKETS))
    with httpx.Client(base_url=stack.sandbox_url, timeout=30) as sandbox:
        # One helpdesk call in twenty fails; like Zendesk, the 503 says when to come back.
        sandbox.post("/sandbox/faults", json={"method": "*", "path": "/tickets/", "status": 503,
                                              "retry_after": 0.05, "times": None, "every": 20},
                     ).raise_for_status()
        created = {str(sandbox.post("/sandbox/tickets", json={**s, "platform": "zendesk"})
                       .raise_for_status().json()["ticket_id"]): s for s in samples}

        # The sandbox sent one webhook per ticket; the rest are ours, a fifth of them repeats.
        ours = WEBHOOKS - TICKETS
        duplicates = int(WEBHOOKS * DUPLICATE_SHARE)
        ticket_ids = list(created)
        plan = [(ticket_ids[i % TICKETS], f"load-{i}") for i in range(ours - duplicates)]
        plan += [plan[i % len(plan)] for i in range(duplicates)]
        with httpx.Client(base_url=stack.receiver_url, timeout=30) as receiver, \
                ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda p: send(receiver, secret, *p), plan))

        assert drained(connection, time.monotonic() + 300), "jobs still queued after 300 s"
        [fault] = sandbox.get("/sandbox/faults").json()
        sandbox.delete("/sandbox/faults")
        deliveries = sandbox.get("/sandbox/deliveries").json()
        tickets = {str(t["ticket_id"]): t for t in sandbox.get("/sandbox/tickets").json()}

    statuses = Counter(a.status_code for a in answers)
    job_ids = {a.json()["job_id"] for a in answers if a.status_code == 202}
    job_ids |= {d["response"]["job_id"] for d in deliveries if d.get("status") == 202}
    jobs = [Job.fetch(j, connection=connection, serializer=JSONSerializer) for j in job_ids]
    finished = [j for j in jobs if j.is_finished]
    lost = [j.id for j in jobs if j.is_failed]
    stuck = [j.id for j in jobs if not (j.is_finished or j.is_failed)]
    duplicated = []
    for ticket_id, sample in created.items():
        writes = [c["public"] for c in tickets[ticket_id]["comments"] if c["author"] == "ai"]
        if writes != EXPECTED_WRITES[sample["labels"]["expect_path"]]:
            duplicated.append((ticket_id, writes))

    injected = fault["matched"] // fault["every"]
    print(f"\nwebhooks sent: {WEBHOOKS} ({TICKETS} by the sandbox, {len(plan)} by the test); "
          f"helpdesk calls: {fault['matched']}, of which {injected} answered 503; "
          f"receiver answers to the test: {dict(statuses)}; jobs: {len(jobs)} "
          f"(finished {len(finished)}, failed {len(lost)}, stuck {len(stuck)}); "
          f"tickets with unexpected writes: {len(duplicated)}")
    assert statuses == {202: ours - duplicates, 200: duplicates}
    assert injected > 0
    assert len(jobs) == WEBHOOKS - duplicates
    assert (lost, stuck, duplicated) == ([], [], [])
