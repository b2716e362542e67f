"""Escalated means the AI stays out (issue 15), on Zendesk, Freshdesk and Gorgias.

Real processes: the sandbox helpdesk, the gunicorn receiver and an RQ worker on a
real Redis. Every customer message is a sandbox webhook that goes through the
receiver; the notification channel is a webhook served by this test. Each test
prints one ``FIGURES`` line: deliveries acknowledged, decisions made, and the
notes and public replies the AI wrote.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy as sa
from flask import Flask, request
from rq.job import Job
from rq.serializers import JSONSerializer

from infra.store.decision_log import database_url
from infra.store.escalations import Escalations
from tests.conftest import serve_in_thread
from tests.e2e.conftest import tuned_stack
from worker.cli.demo import PLATFORMS, Stack

pytestmark = pytest.mark.e2e

ASKS_FOR_A_PERSON = "My parcel is two weeks late. I want to talk to a real person please."
ANGRY = ("This is absolutely unacceptable!!! Three weeks and my order never arrived. Worst "
         "service ever, I am furious and disgusted.")
ROUTINE = "I forgot my password and now I can't log in to my account. How do I reset it?"
URGENT = ("This is ridiculous!!! Two weeks and NOBODY answers. Get me a human NOW, "
          "I am furious. Mail me at dana.k@example.com.")
RETURN_TAG = "handoff_return_to_ai"


@pytest.fixture(scope="module")
def notified() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    app = Flask("notify-sink")

    @app.post("/notify")
    def sink() -> tuple[str, int]:
        received.append(request.get_json(force=True))
        return "", 204

    with serve_in_thread(app) as url:
        yield f"{url}/notify", received


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory,
          notified: tuple[str, list[dict[str, Any]]]) -> Iterator[Stack]:
    changes = {"aftercare": {"notify": {"default": ["ops"], "kinds": {"ops": "webhook"}},
                             "keep_warm": {"enabled": False}}}
    with tuned_stack(redis_url, tmp_path_factory.mktemp("home"), changes,
                     env={"HANDOFF_NOTIFY_OPS": notified[0]}) as running:
        yield running


@pytest.fixture
def sandbox(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.sandbox_url, timeout=10) as client:
        yield client


def create(sandbox: httpx.Client, platform: str, messages: list[tuple[str, str]],
           subject: str = "My order") -> str:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    body = {"platform": platform, "subject": subject, "channel": "email",
            "requester": {"email": f"dana-{time.monotonic_ns()}@example.com", "name": "Dana"},
            "messages": [{"author": a, "body": b, "public": True,
                          "created_at": (start + timedelta(minutes=i)).isoformat()}
                         for i, (a, b) in enumerate(messages)]}
    return str(sandbox.post("/sandbox/tickets", json=body).raise_for_status().json()["ticket_id"])


def customer_says(sandbox: httpx.Client, platform: str, ticket_id: str, text: str) -> None:
    sandbox.post(f"/sandbox/tickets/{platform}/{ticket_id}/comments",
                 json={"author": "customer", "body": text}).raise_for_status()


def ticket(sandbox: httpx.Client, platform: str, ticket_id: str) -> dict[str, Any]:
    return dict(sandbox.get(f"/sandbox/tickets/{platform}/{ticket_id}").raise_for_status().json())


def ai_writes(state: dict[str, Any]) -> list[bool]:
    """Whether each comment the AI wrote is public, oldest first."""
    return [c["public"] for c in state["comments"] if c["author"] == "ai"]


def settled(sandbox: httpx.Client, stack: Stack, ticket_id: str,
            deliveries: int) -> list[dict[str, Any]]:
    """Wait until `deliveries` webhooks of the ticket were answered and their jobs ended;
    their records, each with the job's result (None for a duplicate of an earlier one)."""
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        mine = [d for d in sandbox.get("/sandbox/deliveries").json()
                if str(d["ticket_id"]) == ticket_id and d["status"] is not None]
        jobs = [Job.fetch(d["response"]["job_id"], connection=connection,
                          serializer=JSONSerializer) for d in mine]
        if len(mine) >= deliveries and all(j.is_finished or j.is_failed for j in jobs):
            seen: set[str] = set()
            for delivery, job in zip(mine, jobs, strict=True):
                delivery["result"] = None if job.id in seen else job.return_value()
                seen.add(job.id)
            return mine
        time.sleep(0.2)
    raise AssertionError(f"ticket {ticket_id}: deliveries or jobs did not settle")


def figures(platform: str, case: str, done: list[dict[str, Any]],
            state: dict[str, Any]) -> None:
    writes = ai_writes(state)
    print(f"FIGURES {case} {platform}: acknowledged "
          f"{sum(1 for d in done if 200 <= d['status'] < 300)}/{len(done)}, decisions "
          f"{[d['result']['path'] if d['result'] else 'duplicate' for d in done]}, notes "
          f"{writes.count(False)}, public replies {writes.count(True)}")


def records(stack: Stack, platform: str, ticket_id: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(database_url(stack.env))
    try:
        found = Escalations(engine).list_open(platform=platform, limit=10_000)
        with engine.connect() as connection:
            closed = [dict(r._mapping) for r in connection.execute(sa.text(
                "SELECT id, state, closed_by FROM escalations WHERE platform = :p AND "
                "ticket_id = :t AND state != 'open'"), {"p": platform, "t": ticket_id})]
    finally:
        engine.dispose()
    return [r for r in found if r["ticket_id"] == ticket_id] + closed


def escalated(sandbox: httpx.Client, stack: Stack, platform: str,
              first: str = ASKS_FOR_A_PERSON) -> tuple[str, dict[str, Any]]:
    ticket_id = create(sandbox, platform, [("customer", first)], "Late parcel")
    [first] = settled(sandbox, stack, ticket_id, 1)
    assert first["result"]["path"] == "escalate"
    state = ticket(sandbox, platform, ticket_id)
    assert ai_writes(state) == [False, True]  # the handoff note, the customer's message
    return ticket_id, state


# The case: escalated for anger, then a routine question the AI could answer. And
# escalated for a request for a person, then an urgent message.
@pytest.mark.parametrize("urgent", [True, False], ids=["urgent-after-human-request",
                                                       "routine-after-anger"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_new_message_on_escalated_ticket_reaches_the_person_not_the_ai(
    stack: Stack, sandbox: httpx.Client, notified: tuple[str, list[dict[str, Any]]],
    platform: str, urgent: bool,
) -> None:
    ticket_id, before = escalated(sandbox, stack, platform,
                                  ASKS_FOR_A_PERSON if urgent else ANGRY)

    customer_says(sandbox, platform, ticket_id, URGENT if urgent else ROUTINE)
    done = settled(sandbox, stack, ticket_id, 2)

    after = ticket(sandbox, platform, ticket_id)
    figures(platform, f"escalated+{'urgent' if urgent else 'routine'}", done, after)
    assert [d["status"] for d in done] == [202, 202]
    assert (done[1]["result"]["path"], done[1]["result"]["reasons"]) == ("skip", ["escalated"])
    assert ai_writes(after) == ai_writes(before)  # no reply, no note, no offer
    assert after["status"] == before["status"] == "open"
    assert "handoff_escalated" in after["tags"]
    [record] = records(stack, platform, ticket_id)
    assert (record["state"], record["new_messages"]) == ("open", 1)
    assert record["last_message_at"] is not None
    if urgent:
        assert "Get me a human NOW" in record["last_message"]
        assert "dana.k@example.com" not in record["last_message"]  # masked when stored
    mine = [n for n in notified[1] if n["ticket_id"] == ticket_id]
    assert [n["event"] for n in mine] == ["escalation"] + (["escalation_message"] if urgent
                                                           else [])
    page = httpx.get(f"{stack.receiver_url}/admin/", timeout=10, headers={
        "Authorization": f"Bearer {stack.env['HANDOFF_ADMIN_TOKEN']}"}).text
    assert (URGENT if urgent else ROUTINE)[:30].replace("'", "&#39;") in page


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hand_back_tag_lets_the_ai_answer_again(
    stack: Stack, sandbox: httpx.Client, platform: str,
) -> None:
    ticket_id, before = escalated(sandbox, stack, platform)
    sandbox.post(f"/sandbox/tickets/{platform}/{ticket_id}/tags",
                 json={"add": [RETURN_TAG]}).raise_for_status()

    customer_says(sandbox, platform, ticket_id, ROUTINE)
    done = settled(sandbox, stack, ticket_id, 2)

    after = ticket(sandbox, platform, ticket_id)
    figures(platform, "hand-back", done, after)
    assert done[1]["result"]["path"] in ("auto_resolve", "draft")
    assert len(ai_writes(after)) == len(ai_writes(before)) + 1
    assert RETURN_TAG not in after["tags"]
    assert "handoff_escalated" not in after["tags"]
    [record] = records(stack, platform, ticket_id)
    assert record["state"] == "returned"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_agent_public_reply_without_assignee_keeps_the_ai_out(
    stack: Stack, sandbox: httpx.Client, platform: str,
) -> None:
    ticket_id = create(sandbox, platform, [
        ("customer", "Where is my parcel?"),
        ("agent", "Hi Dana, it left our warehouse today; here is the tracking link."),
        ("customer", ROUTINE)], "Can't sign in")

    done = settled(sandbox, stack, ticket_id, 1)

    after = ticket(sandbox, platform, ticket_id)
    figures(platform, "agent-replied", done, after)
    assert after["assignee"] is None
    assert (done[0]["result"]["path"], done[0]["result"]["reasons"]) == \
        ("skip", ["human_engaged"])
    assert ai_writes(after) == []
    assert after["status"] == "new"
