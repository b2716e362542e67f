"""Shared fixtures: a real Redis (embedded, or REDIS_URL) and Zendesk signing helpers.

With REDIS_URL set, the tests use (and flush) that database: point it at a
database number of its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
import sqlalchemy as sa
from werkzeug.serving import make_server

from infra.redis_conn import embedded_url, start_embedded, stop_embedded

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything that touches Redis is marked, so CI can run that part again on a real server.
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "redis_conn" in fixtures:
            item.add_marker(pytest.mark.redis)
        if "database_url" in fixtures:
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    home = tmp_path_factory.mktemp("redis")
    yield embedded_url(start_embedded(home))
    stop_embedded(home)


@pytest.fixture
def redis_conn(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """``DATABASE_URL`` emptied of Handoff's tables, or a new SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'decisions.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("handbacks", "ticket_outcomes", "escalations", "drafts", "holdouts",
                      "action_results", "decisions", "alembic_version"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    return url


def zendesk_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's webhook signature: base64(HMAC-SHA256(secret, timestamp + body))."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def zendesk_headers(
    secret: str, body: bytes, invocation_id: str = "inv-1", when: datetime | None = None
) -> dict[str, str]:
    timestamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Id": "01HWEBHOOK",
        "X-Zendesk-Webhook-Invocation-Id": invocation_id,
        "X-Zendesk-Account-Id": "123456",
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "X-Zendesk-Webhook-Signature": zendesk_signature(secret, timestamp, body),
    }


@contextmanager
def serve_in_thread(app: WSGIApplication) -> Iterator[str]:
    """Serve `app` over real HTTP on 127.0.0.1 for the duration of the block."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
