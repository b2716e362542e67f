"""SIGTERM drains the worker: the job in hand finishes and nothing is lost.

The stack is up only once its worker has registered in Redis, and SIGTERM is sent
once the job has started: the test waits on those states, not on time, and its
timeouts are bounds for a busy machine.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import ai_comments, create, wait_for_job_state
from worker.cli.demo import Stack

pytestmark = pytest.mark.e2e


def test_sigterm_lets_the_worker_finish_its_job(stack: Stack, sandbox: httpx.Client) -> None:
    # The job's read of the ticket is slowed down, so SIGTERM arrives while it runs.
    sandbox.post("/sandbox/faults", json={"method": "GET", "path": r"/tickets/\d+(\.json)?$",
                                          "latency_ms": 1500, "times": 1}).raise_for_status()
    ticket_id = create(sandbox, "s-auto-track")
    worker = stack.processes["worker-0"]
    wait_for_job_state(sandbox, stack, ticket_id, {"started", "finished"})

    worker.terminate()
    assert worker.wait(timeout=180) == 0

    state = sandbox.get(f"/sandbox/tickets/zendesk/{ticket_id}").json()
    assert state["status"] == "solved"
    assert [c["public"] for c in ai_comments(sandbox, ticket_id)] == [True]
