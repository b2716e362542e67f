"""Helpers shared by the worker tests (plain code; the fixtures are in `conftest`).

Three groups: the Zendesk sandbox the pipeline and aftercare tests drive (`create`,
`ticket`, `ai_comments`, a runtime on it with `make_runtime`, `deliver` and `work`
with a real rq worker); the three-helpdesk `Sandbox` the export tests list from; and
the samples and config file the engine commands read.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml
from rq.serializers import JSONSerializer

from connectors.base import Connector
from connectors.freshdesk.connector import FreshdeskConnector
from connectors.gorgias.connector import GorgiasConnector
from connectors.zendesk.connector import ZendeskConnector
from core.models import TicketEvent
from core.settings import FreshdeskSettings, GorgiasSettings, ZendeskSettings
from infra.queue import enqueue_event, make_queue
from tests.conftest import ROOT
from tests.connectors.support import Waits
from worker import runtime as runtime_module
from worker.cli.demo import read_samples
from worker.rq_worker import HandoffWorker
from worker.runtime import Runtime

# -- the Zendesk sandbox of the pipeline and aftercare tests ---------------------------------

TOKEN, SECRET, EMAIL = "sandbox-token", "sandbox-secret", "ai@acme.test"
SAMPLES = {s["id"]: s for s in read_samples(ROOT / "config" / "samples" / "tickets.jsonl")}
SLACK = "https://hooks.slack.test/services/T0/B0/x"
# Runtime settings in which only the SLA sweep (not the webhook's own check) escalates for SLA.
SWEEP_ONLY = {"triggers": {"sla_margin_minutes": 0}}


def sample_for(path: str) -> dict[str, Any]:
    """The first repository sample whose expected path is `path`."""
    return next(s for s in SAMPLES.values() if s["labels"]["expect_path"] == path)


def create(sandbox: httpx.Client, sample: dict[str, Any]) -> str:
    """Put `sample` into the sandbox as a Zendesk ticket; its id."""
    body = {**sample, "platform": "zendesk", "external_id": sample["id"]}
    return str(sandbox.post("/sandbox/tickets", json=body).raise_for_status().json()["ticket_id"])


def ticket(sandbox: httpx.Client, ticket_id: str) -> dict[str, Any]:
    """The sandbox's neutral view of the ticket."""
    tickets = sandbox.get("/sandbox/tickets").json()
    return next(t for t in tickets if str(t["ticket_id"]) == ticket_id)


def ai_comments(state: dict[str, Any]) -> list[tuple[bool, str]]:
    """(public, body) of each comment our API user wrote."""
    return [(c["public"], c["body"]) for c in state["comments"] if c["author"] == "ai"]


def agent_reply(sandbox: httpx.Client, ticket_id: str, body: str) -> None:
    """A person's public reply on the ticket."""
    sandbox.post(f"/sandbox/tickets/zendesk/{ticket_id}/comments",
                 json={"author": "agent", "body": body}).raise_for_status()


def make_runtime(
    sandbox: httpx.Client, redis_url: str, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, aftercare: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Runtime:
    """The worker's runtime on the sandbox, with `aftercare` settings and alerts to `SLACK`."""
    config = {
        "platforms": {"zendesk": {"base_url": str(sandbox.base_url).rstrip("/") + "/zendesk/api/v2",
                                  "email": EMAIL, "ai_user_id": "900"}},
        # A queue of its own: rq's scheduler lock is per queue name, and a worker process
        # left by another test on the same Redis would hold "handoff"'s lock, so the burst
        # worker here would never move the due keep-warm job.
        "queue": {"name": f"handoff-{uuid.uuid4().hex[:8]}", "retry_intervals_seconds": [0]},
        "knowledge_dir": str(ROOT / "config" / "knowledge"),
        "aftercare": aftercare,
        **(extra or {}),
    }
    path = tmp_path / "handoff.yaml"
    path.write_text(yaml.safe_dump(config))
    for name, value in {"HANDOFF_CONFIG": str(path), "REDIS_URL": redis_url,
                        "DATABASE_URL": database_url, "HANDOFF_ZENDESK_API_TOKEN": TOKEN,
                        "HANDOFF_ZENDESK_SIGNING_SECRET": SECRET,
                        "HANDOFF_NOTIFY_OPS": SLACK}.items():
        monkeypatch.setenv(name, value)
    runtime_module.current.cache_clear()
    return runtime_module.current()


def work(runtime: Runtime) -> None:
    """A burst rq worker with its scheduler: every job due now runs."""
    queue = make_queue(runtime.settings, runtime.redis)
    HandoffWorker([queue], connection=runtime.redis, serializer=JSONSerializer).work(
        burst=True, with_scheduler=True)


def deliver(runtime: Runtime, ticket_id: str, event_id: str) -> None:
    """Queue a webhook's event for the ticket and `work` it, the Slack alerts answered 200."""
    queue = make_queue(runtime.settings, runtime.redis)
    enqueue_event(queue, runtime.settings,
                  TicketEvent(platform="zendesk", ticket_id=ticket_id, event_id=event_id))
    with respx.mock(assert_all_called=False) as mock:
        mock.post(SLACK).respond(200)
        mock.route(host="127.0.0.1").pass_through()
        work(runtime)


# -- the three-helpdesk sandbox of the export tests ------------------------------------------

ZD_EMAIL, ZD_TOKEN, ZD_SECRET = "ai@sandbox.test", "zd-key", "zd-secret"
FD_TOKEN, FD_SECRET = "fd-key", "fd-secret"
GG_EMAIL, GG_TOKEN, GG_SECRET = "ai@sandbox.test", "gg-key", "gg-secret"
SINCE = datetime(2020, 1, 1, tzinfo=UTC)
PLATFORMS = ["zendesk", "freshdesk", "gorgias"]


class Sandbox:
    """The sandbox playing all three helpdesks: connectors on it, tickets with histories,
    faults and call counts."""

    def __init__(self, url: str, http: httpx.Client) -> None:
        self.url, self.http, self.waits = url, http, Waits()

    def connector(self, platform: str) -> Connector:
        if platform == "zendesk":
            zd = ZendeskSettings(base_url=f"{self.url}/zendesk/api/v2", email=ZD_EMAIL,
                                 api_token=ZD_TOKEN, signing_secret=ZD_SECRET, ai_user_id="900")
            return ZendeskConnector(settings=zd, client=ZendeskConnector.make_client(zd),
                                    sleep=self.waits)
        if platform == "freshdesk":
            fd = FreshdeskSettings(base_url=f"{self.url}/freshdesk/api/v2", api_token=FD_TOKEN,
                                   webhook_secret=FD_SECRET, ai_user_id="900")
            return FreshdeskConnector(settings=fd, client=FreshdeskConnector.make_client(fd),
                                      sleep=self.waits)
        gg = GorgiasSettings(base_url=f"{self.url}/gorgias/api", email=GG_EMAIL,
                             api_token=GG_TOKEN, webhook_secret=GG_SECRET, ai_user_id="900")
        return GorgiasConnector(settings=gg, client=GorgiasConnector.make_client(gg),
                                sleep=self.waits)

    def create(self, platform: str, replies: list[str], status: str = "open",
               history: dict[str, Any] | None = None) -> str:
        messages = [{"author": "customer", "body": "Where is my parcel?", "public": True,
                     "created_at": "2026-01-05T10:00:00Z"}]
        messages += [{"author": who, "body": f"Reply from the {who}.", "public": True,
                      "created_at": f"2026-01-05T1{i + 1}:00:00Z"} for i, who in enumerate(replies)]
        answer = self.http.post("/sandbox/tickets", json={
            "platform": platform, "subject": "Parcel", "channel": "email", "status": status,
            "requester": {"id": f"c-{len(replies)}-{status}", "email": "dana@example.com",
                          "name": "Dana"},
            "messages": messages})
        assert answer.status_code == 201, answer.text
        ticket_id = str(answer.json()["ticket_id"])
        if history is not None:
            stated = self.http.post(f"/sandbox/history/{platform}/{ticket_id}", json=history)
            assert stated.status_code == 201, stated.text
        return ticket_id

    def fault(self, **spec: Any) -> None:
        assert self.http.post("/sandbox/faults", json=spec).status_code == 201

    def calls(self, platform: str, route: str) -> int:
        routes = self.http.get("/sandbox/stats").json().get(platform, {}).get("routes", {})
        return int(routes.get(route, 0))


def seven(sandbox: Sandbox, platform: str) -> dict[str, str]:
    """Seven tickets (three pages of three) with the histories the labels are read from."""
    return {
        "ai_solved": sandbox.create(platform, ["ai"], "solved",
                                    {"satisfaction": {"score": "good", "comment": "Quick!"}}),
        "agent_solved": sandbox.create(platform, ["agent"], "solved"),
        "ai_reopened": sandbox.create(platform, ["ai", "agent"], "solved", {"reopens": 1}),
        "moved": sandbox.create(platform, ["agent"], "open", {"reassignments": 2}),
        "ai_rated_bad": sandbox.create(platform, ["ai"], "closed",
                                       {"satisfaction": {"score": "bad", "comment": "Wrong"}}),
        "open_1": sandbox.create(platform, []),
        "open_2": sandbox.create(platform, []),
    }


def rows(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of an export."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the engine commands ------------------------------------------------------------------------

SAMPLES_FILE = ROOT / "config" / "samples" / "tickets.jsonl"


def engine_config(tmp_path: Path) -> Path:
    """A config file for ``simulate`` and ``calibrate``: the sample knowledge, an index dir."""
    file = tmp_path / "handoff.yaml"
    file.write_text(
        f"knowledge_dir: {ROOT / 'config' / 'knowledge'}\nindex_dir: {tmp_path / 'index'}\n"
        "exclusions: {tags: [legal_hold, no_ai]}\n",
        encoding="utf-8",
    )
    return file
