"""End to end with real processes: sandbox, gunicorn receiver, RQ worker, real Redis.

Each bundled sample ticket is created in the sandbox, round robin over Zendesk,
Freshdesk and Gorgias, which sends that platform's webhook; the test then checks
what the worker wrote back into the sandbox through that platform's API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import ROOT
from worker.cli.demo import Stack, create_samples, read_samples, running_stack, wait_for_jobs

pytestmark = pytest.mark.e2e
SAMPLES = read_samples(ROOT / "config" / "samples" / "tickets.jsonl")


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        "REDIS_URL": redis_url,
        "PATH": "/usr/bin:/bin",
        "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"),
    }
    home = tmp_path_factory.mktemp("home")
    with running_stack(env, home) as running:
        yield running


@pytest.fixture(scope="module")
def outcome(stack: Stack, redis_url: str) -> dict[str, Any]:
    with httpx.Client(base_url=stack.sandbox_url, timeout=10) as sandbox:
        created = create_samples(sandbox, SAMPLES)
        jobs = wait_for_jobs(sandbox, redis.Redis.from_url(redis_url), set(created), timeout=90)
        tickets = {str(t["ticket_id"]): t for t in sandbox.get("/sandbox/tickets").json()}
    by_sample = {sample["id"]: ticket_id for ticket_id, sample in created.items()}
    platforms = {sample["id"]: sample["platform"] for sample in created.values()}
    return {"jobs": jobs, "tickets": tickets, "by_sample": by_sample, "platforms": platforms}


def ai_comments(ticket: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in ticket["comments"] if c["author"] == "ai"]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_sample_ends_with_expected_writes(outcome: dict[str, Any], sample: dict[str, Any]) -> None:
    ticket_id = outcome["by_sample"][sample["id"]]
    job = outcome["jobs"].get(ticket_id)
    assert job is not None, f"no finished job for {sample['id']}"
    assert job["status"] == "finished", job
    expected = sample["labels"]["expect_path"]
    assert job["result"]["path"] == expected
    ticket = outcome["tickets"][ticket_id]
    assert ticket["platform"] == outcome["platforms"][sample["id"]]
    comments = ai_comments(ticket)
    if expected == "auto_resolve":
        assert [c["public"] for c in comments] == [True]
        assert ticket["status"] == "solved"
        assert "handoff_auto_resolved" in ticket["tags"]
    elif expected == "draft":
        assert [c["public"] for c in comments] == [False]
        assert ticket["status"] != "solved"
        assert "handoff_draft" in ticket["tags"]
    elif expected == "escalate":
        assert [c["public"] for c in comments] == [False, True]
        assert "handoff_escalated" in ticket["tags"]
        assert ticket["status"] == "open"
        reason = sample["labels"].get("expect_reason")
        if reason:
            assert reason in job["result"]["reasons"]
            assert reason in comments[0]["body"]
    else:
        assert comments == []
        assert not [t for t in ticket["tags"] if t.startswith("handoff")]


def test_every_delivery_was_accepted_once(stack: Stack, outcome: dict[str, Any]) -> None:
    deliveries = httpx.get(f"{stack.sandbox_url}/sandbox/deliveries", timeout=10).json()
    accepted = [d for d in deliveries if d["status"] == 202]
    assert sorted(str(d["ticket_id"]) for d in accepted) == sorted(outcome["by_sample"].values())



def test_the_samples_cover_every_platform(outcome: dict[str, Any]) -> None:
    assert set(outcome["platforms"].values()) == {"zendesk", "freshdesk", "gorgias"}
