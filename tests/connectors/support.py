"""Helpers shared by the connector tests (plain code; the fixtures are in `conftest`).

The sandbox side: `Waits`, `wait_until`, the webhook `Receiver`, the `sample` ticket and
the two-platform `Stack`. The transport side: a Zendesk or Gorgias connector on the
fixture accounts, the Zendesk audits route, and `FakeZendesk` for install.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from flask import Flask, jsonify, request

from connectors.base import Connector
from connectors.freshdesk.connector import FreshdeskConnector
from connectors.gorgias.connector import GorgiasConnector
from connectors.zendesk.connector import ZendeskConnector
from core.settings import FreshdeskSettings, GorgiasSettings, ZendeskSettings
from tests.connectors import fixtures_gorgias as gg
from tests.connectors import fixtures_zendesk as zd

NOW = datetime(2024, 5, 2, 9, 31, tzinfo=UTC)


class Waits(list[float]):
    """Records the connector's back-off instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)


# -- the sandbox over real HTTP -------------------------------------------------------------

@dataclass
class Receiver:
    """A webhook receiver that records deliveries and answers from a script."""

    statuses: list[int] = field(default_factory=list)
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Flask:
        app = Flask("test-receiver")

        @app.post("/webhooks/<platform>")
        def webhook(platform: str) -> Any:
            with self.lock:
                self.deliveries.append((dict(request.headers), request.get_data()))
                status = self.statuses.pop(0) if self.statuses else 202
                number = len(self.deliveries)
            return jsonify({"job_id": f"job-{number}", "platform": platform}), status

        return app

    def received(self) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return list(self.deliveries)


def sample(**changes: Any) -> dict[str, Any]:
    """A canonical sandbox ticket (Zendesk unless `platform` is changed)."""
    return {
        "platform": "zendesk", "id": "sample-1", "labels": {"expected_path": "draft"},
        "subject": "Refund for order 1042", "channel": "email", "tags": ["billing"],
        "priority": "normal",
        "requester": {"id": "c1", "email": "dana@example.com", "name": "Dana",
                      "vip": True, "tags": ["emea"]},
        "messages": [
            {"author": "customer", "body": "I was charged twice.\nPlease refund one.",
             "public": True, "created_at": "2024-05-02T09:00:00Z"},
            {"author": "agent", "body": "Looking into it", "public": False},
        ],
        "sla_due_at": "2024-05-03T09:00:00Z",
        **changes,
    }


FD_TOKEN, FD_SECRET = "fd-sandbox-key", "fd-sandbox-secret"
GG_EMAIL, GG_TOKEN, GG_SECRET = "ai@sandbox.test", "gg-sandbox-key", "gg-sandbox-secret"
ZD_EMAIL, ZD_TOKEN, ZD_SECRET = "z@sandbox.test", "z", "z"


class Stack:
    """The sandbox playing the three helpdesks, its webhook `receiver` and an HTTP client."""

    def __init__(self, url: str, http: httpx.Client, receiver: Receiver) -> None:
        self.url, self.http, self.receiver, self.waits = url, http, receiver, Waits()

    def connector(self, platform: str, token: str | None = None) -> Connector:
        if platform == "freshdesk":
            fd = FreshdeskSettings(base_url=f"{self.url}/freshdesk/api/v2",
                                   api_token=token or FD_TOKEN, webhook_secret=FD_SECRET)
            return FreshdeskConnector(settings=fd,
                                      client=FreshdeskConnector.make_client(fd), sleep=self.waits)
        if platform == "zendesk":
            zs = ZendeskSettings(base_url=f"{self.url}/zendesk/api/v2", email=ZD_EMAIL,
                                 api_token=token or ZD_TOKEN, signing_secret=ZD_SECRET)
            return ZendeskConnector(settings=zs, client=ZendeskConnector.make_client(zs),
                                    sleep=self.waits)
        settings = GorgiasSettings(base_url=f"{self.url}/gorgias/api", email=GG_EMAIL,
                                   api_token=token or GG_TOKEN, webhook_secret=GG_SECRET)
        return GorgiasConnector(settings=settings, client=GorgiasConnector.make_client(settings),
                                sleep=self.waits)

    def create(self, platform: str, **changes: Any) -> str:
        answer = self.http.post("/sandbox/tickets", json=sample(platform=platform, **changes))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["ticket_id"])

    def neutral(self, platform: str, ticket_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/sandbox/tickets/{platform}/{ticket_id}")
        return dict(answer.json())


# -- Zendesk and Gorgias at the transport -----------------------------------------------------

ZENDESK_AUTH = "Basic " + base64.b64encode(f"{zd.EMAIL}/token:{zd.API_TOKEN}".encode()).decode()
GORGIAS_TICKET_URL = f"{gg.BASE}/tickets/{gg.TICKET_ID}"


def zendesk_settings(**changes: Any) -> ZendeskSettings:
    """The fixture Zendesk account's settings, with `changes`."""
    values: dict[str, Any] = {
        "subdomain": zd.SUBDOMAIN, "email": zd.EMAIL, "ai_user_id": str(zd.AI_USER_ID),
        "api_token": zd.API_TOKEN, "signing_secret": zd.SIGNING_SECRET, **changes,
    }
    return ZendeskSettings(**values)


def zendesk_connector(waits: Waits | None = None, **changes: Any) -> ZendeskConnector:
    """A connector on the fixture Zendesk account at `NOW`, its back-off into `waits`."""
    config = zendesk_settings(**changes)
    return ZendeskConnector(settings=config, client=ZendeskConnector.make_client(config),
                            clock=lambda: NOW, sleep=waits if waits is not None else Waits())


def serve_audits(
    api: respx.MockRouter, comments: list[dict[str, Any]], size: int,
    ticket: dict[str, Any] | None = None, first: list[httpx.Response] | None = None,
) -> respx.Route:
    """The Zendesk audits route: `first` answers in order, then the pages by ``page[after]``."""
    pages = zd.audit_pages(comments, size, ticket)
    queued = list(first or [])

    def page(request: httpx.Request) -> httpx.Response:
        if queued:
            return queued.pop(0)
        return httpx.Response(200, json=pages[request.url.params.get("page[after]")])

    return api.get(f"/tickets/{zd.TICKET_ID}/audits.json").mock(side_effect=page)


def gorgias_connector(**changes: Any) -> GorgiasConnector:
    """A connector on the fixture Gorgias account at `NOW` that never sleeps."""
    values: dict[str, Any] = {"domain": gg.DOMAIN, "email": gg.EMAIL,
                              "ai_user_id": str(gg.AI_USER_ID), "api_token": gg.API_TOKEN,
                              "webhook_secret": gg.WEBHOOK_SECRET, **changes}
    settings = GorgiasSettings(**values)
    return GorgiasConnector(settings=settings, client=GorgiasConnector.make_client(settings),
                            clock=lambda: NOW, sleep=lambda s: None)


class FakeZendesk:
    """Answers the install calls from in-memory lists and records what was sent."""

    def __init__(self, secret_shape: Callable[[str], Any]) -> None:
        self.webhooks: list[dict[str, Any]] = []
        self.triggers: list[dict[str, Any]] = []
        self.sent: list[httpx.Request] = []
        self.secret_shape = secret_shape

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        path = request.url.path.removeprefix("/api/v2").removesuffix(".json")
        if (request.method, path) == ("GET", "/webhooks"):
            return httpx.Response(200, json={"webhooks": self.webhooks, "meta": {}})
        if (request.method, path) == ("POST", "/webhooks"):
            hook = {**json.loads(request.content)["webhook"], "id": "01HWEBHOOK"}
            self.webhooks.append(hook)
            return httpx.Response(201, json={"webhook": hook})
        if path == "/webhooks/01HWEBHOOK/signing_secret":
            return httpx.Response(200, json=self.secret_shape("s3cret"))
        if (request.method, path) == ("GET", "/triggers"):
            return httpx.Response(200, json={"triggers": self.triggers, "next_page": None})
        if (request.method, path) == ("POST", "/triggers"):
            trigger = {**json.loads(request.content)["trigger"], "id": 55}
            self.triggers.append(trigger)
            return httpx.Response(201, json={"trigger": trigger})
        return httpx.Response(404, json={"error": "RecordNotFound"})

    def posts(self) -> list[str]:
        return [r.url.path for r in self.sent if r.method == "POST"]
