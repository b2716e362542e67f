"""Shared end-to-end fixtures: one running stack per test module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml

from tests.conftest import ROOT
from worker.demo import Stack, read_samples, running_stack

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


