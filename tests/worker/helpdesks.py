"""A sandbox playing all three helpdesks over real HTTP, a worker runtime on it with a
real Redis and real rq jobs, and a webhook sink that records the alerts sent.

Import the fixtures (`sandbox`, `alerts`, `handoff`) into a test module to use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml
from flask import Flask, request
from prometheus_client import REGISTRY
from rq.serializers import JSONSerializer

from connectors.sandbox import create_app
from core.models import TicketEvent
from infra.queue import enqueue_event, make_queue
from tests.conftest import ROOT, serve_in_thread
from worker import runtime as runtime_module
from worker.cli.demo import read_samples
from worker.rq_worker import HandoffWorker
from worker.runtime import Runtime

PLATFORMS = ("zendesk", "freshdesk", "gorgias")
ZD_EMAIL, ZD_TOKEN, ZD_SECRET = "ai@acme.test", "zd-token", "zd-secret"
FD_TOKEN, FD_SECRET = "fd-token", "fd-secret"
GG_EMAIL, GG_TOKEN, GG_SECRET = "ai@acme.test", "gg-token", "gg-secret"
SAMPLES = {s["id"]: s for s in read_samples(ROOT / "config" / "samples" / "tickets.jsonl")}
# A ticket update, on each platform's API path.
TICKET_PUT = r"/tickets/\d+(\.json)?$"


@pytest.fixture
def sandbox() -> Iterator[httpx.Client]:
    app = create_app(webhook_url=None, zendesk_email=ZD_EMAIL, zendesk_api_token=ZD_TOKEN,
                     zendesk_signing_secret=ZD_SECRET, freshdesk_api_token=FD_TOKEN,
                     freshdesk_webhook_secret=FD_SECRET, gorgias_email=GG_EMAIL,
                     gorgias_api_token=GG_TOKEN, gorgias_webhook_secret=GG_SECRET)
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture
def alerts() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(URL, bodies received): a generic notification webhook."""
    received: list[dict[str, Any]] = []
    app = Flask("alerts")

    @app.post("/hook")
    def hook() -> tuple[str, int]:
        received.append(request.get_json(force=True))
        return "", 204

    with serve_in_thread(app) as url:
        yield f"{url}/hook", received


class Handoff:
    """The worker side: settings written to a file, a runtime built from them, and rq."""

    def __init__(self, sandbox: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 redis_url: str, database_url: str, alert_url: str) -> None:
        self.sandbox, self.config = sandbox, tmp_path / "handoff.yaml"
        root = str(sandbox.base_url).rstrip("/")
        self.platforms = {
            "zendesk": {"base_url": f"{root}/zendesk/api/v2", "email": ZD_EMAIL},
            "freshdesk": {"base_url": f"{root}/freshdesk/api/v2"},
            "gorgias": {"base_url": f"{root}/gorgias/api", "email": GG_EMAIL},
        }
        for section in self.platforms.values():
            # One try per call: the job's own retries are what these tests look at.
            section.update({"ai_user_id": "900", "max_attempts": 1})
        for name, value in {
            "HANDOFF_CONFIG": str(self.config), "REDIS_URL": redis_url,
            "DATABASE_URL": database_url, "HANDOFF_NOTIFY_OPS": alert_url,
            "HANDOFF_ZENDESK_API_TOKEN": ZD_TOKEN, "HANDOFF_ZENDESK_SIGNING_SECRET": ZD_SECRET,
            "HANDOFF_FRESHDESK_API_TOKEN": FD_TOKEN, "HANDOFF_FRESHDESK_WEBHOOK_SECRET": FD_SECRET,
            "HANDOFF_GORGIAS_API_TOKEN": GG_TOKEN, "HANDOFF_GORGIAS_WEBHOOK_SECRET": GG_SECRET,
        }.items():
            monkeypatch.setenv(name, value)
        self.runtime = self.configure()

    def configure(self, group: str | None = "999999",
                  retry_intervals: tuple[int, ...] = (0,),
                  extra: dict[str, Any] | None = None) -> Runtime:
        """Write the settings (every escalation routed to `group`, plus the sections of
        `extra`) and build the runtime afresh, as a restarted worker would."""
        config = {
            "platforms": self.platforms,
            "queue": {"retry_intervals_seconds": list(retry_intervals)},
            "routing": {"default": {"group": group, "priority": "high"}},
            "aftercare": {"notify": {"default": ["ops"], "kinds": {"ops": "webhook"}}},
            "knowledge_dir": str(ROOT / "config" / "knowledge"),
            **(extra or {}),
        }
        self.config.write_text(yaml.safe_dump(config))
        runtime_module.current.cache_clear()
        self.runtime = runtime_module.current()
        return self.runtime

    @property
    def redis(self) -> redis.Redis:
        return self.runtime.redis

    def create(self, platform: str, sample_id: str) -> str:
        body = {**SAMPLES[sample_id], "platform": platform, "external_id": sample_id}
        answer = self.sandbox.post("/sandbox/tickets", json=body).raise_for_status()
        return str(answer.json()["ticket_id"])

    def deliver(self, platform: str, ticket_id: str, event_id: str = "ev-1") -> str:
        queue = make_queue(self.runtime.settings, self.redis)
        event = TicketEvent(platform=platform, ticket_id=ticket_id, event_id=event_id)
        return enqueue_event(queue, self.runtime.settings, event).job_id

    def work(self) -> None:
        queue = make_queue(self.runtime.settings, self.redis)
        HandoffWorker([queue], connection=self.redis, serializer=JSONSerializer).work(burst=True)

    def ticket(self, platform: str, ticket_id: str) -> dict[str, Any]:
        found = self.sandbox.get(f"/sandbox/tickets/{platform}/{ticket_id}").raise_for_status()
        data: dict[str, Any] = found.json()
        return data

    def ai_comments(self, platform: str, ticket_id: str) -> list[tuple[bool, str]]:
        return [(c["public"], c["body"]) for c in self.ticket(platform, ticket_id)["comments"]
                if c["author"] == "ai"]

    def fault(self, **spec: Any) -> None:
        self.sandbox.post("/sandbox/faults", json=spec).raise_for_status()

    def groups(self, platform: str, *ids: int) -> None:
        self.sandbox.put(f"/sandbox/groups/{platform}", json={"ids": list(ids)}).raise_for_status()


@pytest.fixture
def handoff(
    sandbox: httpx.Client, alerts: tuple[str, list[dict[str, Any]]], redis_conn: redis.Redis,
    redis_url: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Handoff]:
    yield Handoff(sandbox, tmp_path, monkeypatch, redis_url, database_url, alerts[0])
    runtime_module.current.cache_clear()


def rejected_writes(platform: str, path: str, outcome: str) -> float:
    """``handoff_rejected_writes_total`` for these labels in this process (0 before any)."""
    value = REGISTRY.get_sample_value("handoff_rejected_writes_total",
                                      {"platform": platform, "path": path, "outcome": outcome})
    return value or 0.0


def rejections(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The refused-write alerts among the notification bodies received."""
    return [b for b in bodies if b.get("event") == "write_rejected"]
