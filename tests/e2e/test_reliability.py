"""Reliability with real processes: duplicates, our own writes, and a human first.

The sandbox, the gunicorn receiver and an RQ worker run as child processes on a
real Redis; deliveries are sent over HTTP, signed like Zendesk signs them.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.conftest import zendesk_headers
from tests.e2e.conftest import SAMPLES, ai_comments, create
from worker.cli.demo import Stack

pytestmark = pytest.mark.e2e
def settled(sandbox: httpx.Client, stack: Stack, ticket_id: str, deliveries: int) -> list[Any]:
    """Wait until `deliveries` webhooks of the ticket were answered and their jobs ended."""
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mine = [d for d in sandbox.get("/sandbox/deliveries").json()
                if str(d["ticket_id"]) == ticket_id and d["status"] is not None]
        job_ids = [d["response"]["job_id"] for d in mine if (d.get("response") or {}).get("job_id")]
        jobs = [Job.fetch(j, connection=connection, serializer=JSONSerializer) for j in job_ids]
        if len(mine) >= deliveries and all(j.is_finished or j.is_failed for j in jobs):
            return [j.return_value() for j in jobs]
        time.sleep(0.2)
    raise AssertionError(f"ticket {ticket_id}: deliveries or jobs did not settle")


def redeliver(stack: Stack, ticket_id: str, invocation_id: str) -> httpx.Response:
    body = json.dumps({"ticket_id": ticket_id, "event": "comment_added"}).encode()
    secret = stack.env["HANDOFF_ZENDESK_SIGNING_SECRET"]
    headers = zendesk_headers(secret, body, invocation_id=invocation_id)
    return httpx.post(f"{stack.receiver_url}/webhooks/zendesk", content=body, headers=headers,
                      timeout=10)


def test_same_delivery_ten_times_at_once_gives_one_decision(
    stack: Stack, sandbox: httpx.Client
) -> None:
    ticket_id = create(sandbox, "s-draft-return-shipping")
    [first] = settled(sandbox, stack, ticket_id, deliveries=1)
    original = next(d for d in sandbox.get("/sandbox/deliveries").json()
                    if str(d["ticket_id"]) == ticket_id)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: redeliver(stack, ticket_id, original["invocation_id"]),
                                range(10)))

    assert [a.status_code for a in answers] == [200] * 10
    assert {a.json()["job_id"] for a in answers} == {original["response"]["job_id"]}
    assert first["path"] == "draft"
    assert [c["public"] for c in ai_comments(sandbox, ticket_id)] == [False]


def test_webhook_caused_by_our_own_note_is_ignored(stack: Stack, sandbox: httpx.Client) -> None:
    ticket_id = create(sandbox, "s-draft-giftcard-payment")
    settled(sandbox, stack, ticket_id, deliveries=1)

    answer = redeliver(stack, ticket_id, invocation_id=f"own-note-{ticket_id}")
    assert answer.status_code == 202
    job = Job.fetch(answer.json()["job_id"], serializer=JSONSerializer,
                    connection=redis.Redis.from_url(stack.env["REDIS_URL"]))
    deadline = time.monotonic() + 30
    while not (job.is_finished or job.is_failed) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job.return_value()["path"] == "skip"
    assert job.return_value()["reasons"] == ["already_handled"]
    assert [c["public"] for c in ai_comments(sandbox, ticket_id)] == [False]


def test_human_reply_between_event_and_action_means_nothing_is_posted(
    stack: Stack, sandbox: httpx.Client
) -> None:
    # The worker's read of the ticket is held back long enough for an agent to answer first.
    sandbox.post("/sandbox/faults", json={"method": "GET",
                                          "path": r"/tickets/\d+/audits(\.json)?$",
                                          "latency_ms": 2000, "times": 1}).raise_for_status()
    ticket_id = create(sandbox, "s-auto-password")
    sandbox.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                 json={"author": "agent", "body": "Hi Tom, I've sent you a reset link."}
                 ).raise_for_status()

    results = settled(sandbox, stack, ticket_id, deliveries=2)

    assert {r["path"] for r in results} == {"skip"}
    assert ai_comments(sandbox, ticket_id) == []



def test_customer_markup_and_mentions_reach_the_agent_escaped(
    stack: Stack, sandbox: httpx.Client
) -> None:
    body = {**SAMPLES["s-human-en"], "platform": "zendesk", "messages": [{
        "author": "customer", "public": True, "created_at": "2026-01-05T10:00:00Z",
        "body": 'Let me talk to a human <script>alert("x")</script> <b>@admin</b> now'}]}
    ticket_id = str(sandbox.post("/sandbox/tickets", json=body).raise_for_status().json()
                    ["ticket_id"])
    settled(sandbox, stack, ticket_id, deliveries=1)

    auth = (f"{stack.env['HANDOFF_ZENDESK_EMAIL']}/token", stack.env["HANDOFF_ZENDESK_API_TOKEN"])
    comments = sandbox.get(f"/zendesk/api/v2/tickets/{ticket_id}/comments.json", auth=auth
                           ).raise_for_status().json()["comments"]
    [note] = [c for c in comments if not c["public"]]
    assert "&lt;script&gt;" in note["html_body"]
    assert "<script" not in note["html_body"]
    assert "<b>" not in note["html_body"]
    assert "&lt;b&gt;@admin&lt;/b&gt;" in note["html_body"]
