"""Offer, don't force, end to end: the sandbox over real HTTP, a real RQ worker on real
Redis, the real scorer and frustration model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from core.messages import reach_person
from core.offer import DECLINED_LINES, OFFER_LINES
from tests.worker.support import (
    SAMPLES,
    ai_comments,
    create,
    deliver,
    make_runtime,
    ticket,
)
from worker import runtime as runtime_module
from worker.aftercare import store
from worker.runtime import Runtime

# "It still hasn't shown up. Where is my package?": mild frustration, answered by an article.
LATE_LAMP = SAMPLES["s-auto-track"]


@pytest.fixture
def runtime(
    sandbox: httpx.Client, redis_conn: redis.Redis, redis_url: str,
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    yield make_runtime(sandbox, redis_url, database_url, tmp_path, monkeypatch,
                       {"keep_warm": {"enabled": False}, "sla_sweep": {"enabled": False}},
                       extra={"policy": {"offer_human": ["frustration"]},
                              "routing": {"by_reason": {"human_request": {"group": "77"}}}})
    runtime_module.current.cache_clear()


def customer_says(client: httpx.Client, ticket_id: str, body: str) -> None:
    client.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                json={"author": "customer", "body": body}).raise_for_status()


def public_replies(client: httpx.Client, ticket_id: str) -> list[str]:
    return [body for public, body in ai_comments(ticket(client, ticket_id)) if public]


def test_offer_then_yes_escalates_on_the_human_request_route(
    sandbox: httpx.Client, runtime: Runtime
) -> None:
    ticket_id = create(sandbox, LATE_LAMP)
    deliver(runtime, ticket_id, "ev-1")
    state = ticket(sandbox, ticket_id)
    [reply] = public_replies(sandbox, ticket_id)
    assert reply.rstrip().endswith(OFFER_LINES["en"])
    assert state["status"] == "pending"  # left for the customer, not solved
    assert {"handoff_human_offered", "handoff_offered_frustration"} <= set(state["tags"])
    assert store(runtime).list_open() == []

    customer_says(sandbox, ticket_id, "Yes please")
    deliver(runtime, ticket_id, "ev-2")
    state = ticket(sandbox, ticket_id)
    assert "handoff_human_request" in state["tags"]
    assert state["group"] == "77"
    [record] = store(runtime).list_open()
    assert record["reason"] == "human_request"


def test_offer_then_no_stays_with_the_ai(sandbox: httpx.Client,
                                         runtime: Runtime) -> None:
    ticket_id = create(sandbox, LATE_LAMP)
    deliver(runtime, ticket_id, "ev-1")
    customer_says(sandbox, ticket_id, "No thanks, I'm fine")
    deliver(runtime, ticket_id, "ev-2")
    state = ticket(sandbox, ticket_id)
    declined = f"{DECLINED_LINES['en']}\n\n{reach_person('en')}"
    assert public_replies(sandbox, ticket_id)[-1] == declined
    assert state["status"] == "solved"
    assert "handoff_escalated" not in state["tags"]
    assert store(runtime).list_open() == []
