"""No customer message is merged away: real processes, all three platforms.

The sandbox, the gunicorn receiver and an RQ worker run as child processes on a
real Redis. A customer asks two routine questions and then, within the same
minute, asks for a person while the second question's job is done. Freshdesk
sends the same webhook body for both replies (it has no delivery id), so the
third delivery looks exactly like the second; it may only be merged into a job
that has not started yet.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.e2e.conftest import SAMPLES
from worker.cli.demo import PLATFORMS, Stack

pytestmark = pytest.mark.e2e
HUMAN_REQUEST = "Actually I want to speak to a human agent right now please"
SECOND_QUESTION = "And can I pay for the return label with my gift card?"


def deliveries_of(sandbox: httpx.Client, platform: str, ticket_id: str) -> list[dict[str, Any]]:
    return [d for d in sandbox.get("/sandbox/deliveries").json()
            if d["platform"] == platform and str(d["ticket_id"]) == ticket_id]


def settled(sandbox: httpx.Client, stack: Stack, platform: str, ticket_id: str,
            count: int) -> list[dict[str, Any]]:
    """The ticket's first `count` deliveries, once each was answered and every job ended."""
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answered = [d for d in deliveries_of(sandbox, platform, ticket_id)
                    if d["status"] is not None]
        job_ids = {d["response"]["job_id"] for d in answered
                   if isinstance(d.get("response"), dict) and d["response"].get("job_id")}
        jobs = [Job.fetch(j, connection=connection, serializer=JSONSerializer) for j in job_ids]
        if len(answered) >= count and all(j.is_finished or j.is_failed for j in jobs):
            return answered
        time.sleep(0.2)
    raise AssertionError(f"{platform} ticket {ticket_id}: deliveries or jobs did not settle")


def comment(sandbox: httpx.Client, platform: str, ticket_id: str, body: str) -> None:
    sandbox.post(f"/sandbox/tickets/{platform}/{ticket_id}/comments",
                 json={"body": body}).raise_for_status()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_human_request_after_the_previous_job_ran_is_not_merged_away(
    stack: Stack, sandbox: httpx.Client, platform: str
) -> None:
    sample = {**SAMPLES["s-draft-return-shipping"], "platform": platform}
    ticket_id = str(sandbox.post("/sandbox/tickets", json=sample).raise_for_status()
                    .json()["ticket_id"])
    settled(sandbox, stack, platform, ticket_id, 1)
    comment(sandbox, platform, ticket_id, SECOND_QUESTION)
    settled(sandbox, stack, platform, ticket_id, 2)

    comment(sandbox, platform, ticket_id, HUMAN_REQUEST)
    answered = settled(sandbox, stack, platform, ticket_id, 3)

    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    job_ids = list(dict.fromkeys(d["response"]["job_id"] for d in answered))
    results = [Job.fetch(j, connection=connection, serializer=JSONSerializer).return_value()
               for j in job_ids]
    ticket = sandbox.get(f"/sandbox/tickets/{platform}/{ticket_id}").json()
    notes = [c for c in ticket["comments"] if c["author"] == "ai" and not c["public"]]
    print(f"\n{platform}: deliveries acknowledged {len(answered)} "
          f"({[d['status'] for d in answered]}), decisions made {len(results)} "
          f"({[r['path'] for r in results]}), notes written {len(notes)}")
    assert [d["status"] for d in answered] == [202, 202, 202]
    assert [r["path"] for r in results] == ["draft", "draft", "escalate"]
    assert "human_request" in results[-1]["reasons"]
    assert "handoff_escalated" in ticket["tags"]
    assert len(notes) == 3
