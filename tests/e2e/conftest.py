"""Shared end-to-end fixtures: one running stack per test module."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import sqlalchemy as sa
import yaml
from rq.job import Job
from rq.serializers import JSONSerializer

from tests.conftest import ROOT
from worker.cli.demo import Stack, read_samples, running_stack

SAMPLES = {s["id"]: s for s in read_samples(ROOT / "config" / "samples" / "tickets.jsonl")}


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis.Redis.from_url(redis_url).flushdb()
    env = {"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin",
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml")}
    with running_stack(env, tmp_path_factory.mktemp("home")) as running:
        yield running


@contextmanager
def tuned_stack(
    redis_url: str, home: Path, changes: dict[str, Any], workers: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """A stack whose settings are the shipped ones with `changes` on top (one level deep),
    and `env` added to its processes' environment."""
    redis.Redis.from_url(redis_url).flushdb()
    config = yaml.safe_load((ROOT / "config" / "handoff.yaml").read_text())
    for section, value in changes.items():
        current = config.get(section)
        config[section] = {**current, **value} if isinstance(current, dict) else value
    config["knowledge_dir"] = str(ROOT / "config" / "knowledge")
    (home / "tuned.yaml").write_text(yaml.safe_dump(config))
    base = {"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin",
            "HANDOFF_CONFIG": str(home / "tuned.yaml")}
    with running_stack({**base, **(env or {})}, home, workers=workers) as running:
        yield running


@pytest.fixture
def sandbox(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.sandbox_url, timeout=10) as client:
        yield client
        client.delete("/sandbox/faults")


def create(sandbox: httpx.Client, sample_id: str) -> str:
    body = {**SAMPLES[sample_id], "platform": "zendesk", "external_id": sample_id}
    return str(sandbox.post("/sandbox/tickets", json=body).raise_for_status().json()["ticket_id"])


def ai_comments(sandbox: httpx.Client, ticket_id: str) -> list[dict[str, Any]]:
    ticket = sandbox.get(f"/sandbox/tickets/zendesk/{ticket_id}").json()
    return [c for c in ticket["comments"] if c["author"] == "ai"]



EXPECTED_WRITES = {"auto_resolve": [True], "draft": [False], "escalate": [False, True]}
"""The AI's comments (public or not) that one decision of each path writes on a Zendesk ticket."""


def acknowledged_jobs(sandbox: httpx.Client, ticket_ids: set[str]) -> dict[str, str]:
    """Job id -> ticket id, for every delivery of `ticket_ids` the receiver answered 202."""
    return {d["response"]["job_id"]: str(d["ticket_id"])
            for d in sandbox.get("/sandbox/deliveries").json()
            if str(d["ticket_id"]) in ticket_ids and d["status"] == 202}


def wait_for_jobs(connection: redis.Redis, job_ids: set[str], timeout: float
                  ) -> dict[str, Job]:
    """Poll until every job in `job_ids` finished or failed, or `timeout` (a generous bound)
    passes; return the jobs (those never seen are missing)."""
    deadline = time.monotonic() + timeout
    jobs: dict[str, Job] = {}
    while time.monotonic() < deadline:
        fetched = Job.fetch_many(sorted(job_ids), connection=connection,
                                 serializer=JSONSerializer)
        jobs = {job.id: job for job in fetched if job is not None}
        if len(jobs) == len(job_ids) and all(j.is_finished or j.is_failed for j in jobs.values()):
            break
        time.sleep(0.5)
    return jobs


def decisions_per_ticket(database_url: str) -> dict[str, int]:
    """How many decisions other than "skip" (our own writes coming back, for instance)
    the decision log holds for each ticket."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT ticket_id, COUNT(*) FROM decisions WHERE path != 'skip' "
            "GROUP BY ticket_id")).all()
    finally:
        engine.dispose()
    return {str(ticket_id): int(count) for ticket_id, count in rows}


def wait_for_job_state(sandbox: httpx.Client, stack: Stack, ticket_id: str, states: set[str],
                       timeout: float = 120) -> Job:
    """The job of the ticket's first acknowledged delivery, once its status is one of
    `states`; AssertionError after `timeout` seconds (a generous bound)."""
    connection = redis.Redis.from_url(stack.env["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job_ids = list(acknowledged_jobs(sandbox, {ticket_id}))
        if job_ids:
            job = Job.fetch(job_ids[0], connection=connection, serializer=JSONSerializer)
            status = job.get_status(refresh=True)
            if status is not None and status.value in states:
                return job
        time.sleep(0.05)
    raise AssertionError(f"ticket {ticket_id}: no job reached {sorted(states)}")
