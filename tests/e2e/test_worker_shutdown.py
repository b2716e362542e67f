"""SIGTERM drains the worker: the job in hand finishes and nothing is lost."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.conftest import ai_comments, create
from worker.demo import Stack

pytestmark = pytest.mark.e2e


def test_sigterm_lets_the_worker_finish_its_job(stack: Stack, sandbox: httpx.Client) -> None:
    sandbox.post("/sandbox/faults", json={"method": "GET", "path": r"/tickets/\d+(\.json)?$",
                                          "latency_ms": 1500, "times": 1}).raise_for_status()
    ticket_id = create(sandbox, "s-auto-track")
    worker = stack.processes["worker-0"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not sandbox.get("/sandbox/stats").json():
        time.sleep(0.05)
    time.sleep(0.3)  # the worker is now inside the slowed-down read of the ticket

    worker.terminate()
    assert worker.wait(timeout=30) == 0

    state = sandbox.get(f"/sandbox/tickets/zendesk/{ticket_id}").json()
    assert state["status"] == "solved"
    assert [c["public"] for c in ai_comments(sandbox, ticket_id)] == [True]
