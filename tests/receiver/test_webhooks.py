"""The receiver against a real Redis and the real Zendesk connector."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
from flask.testing import FlaskClient
from rq import Queue
from rq.serializers import JSONSerializer

from connectors.zendesk.connector import ZendeskConnector
from core.settings import ReceiverSettings, Settings, ZendeskSettings
from receiver.app import create_app
from tests.conftest import zendesk_headers

SECRET = "test-signing-secret"
BODY = json.dumps({"ticket_id": "42", "comment_id": "7", "event": "ticket_created"}).encode()


def make_client(connection: redis.Redis, max_body: int = 4096) -> FlaskClient:
    platform = ZendeskSettings(
        base_url="https://acme.example/api/v2", email="ai@acme.test",
        api_token="token", signing_secret=SECRET,
    )
    settings = Settings(receiver=ReceiverSettings(max_body_bytes=max_body))
    connector = ZendeskConnector(settings=platform,
                                 client=httpx.Client(base_url=platform.api_base()))
    return create_app(settings, connection, {"zendesk": connector}).test_client()


def queued(connection: redis.Redis) -> list[str]:
    return Queue("handoff", connection=connection, serializer=JSONSerializer).get_job_ids()


def test_signed_delivery_is_queued_with_primitives(redis_conn: redis.Redis) -> None:
    response = make_client(redis_conn).post(
        "/webhooks/zendesk", data=BODY, headers=zendesk_headers(SECRET, BODY)
    )
    assert response.status_code == 202
    job_ids = queued(redis_conn)
    assert job_ids == [response.json["job_id"]]
    job = Queue("handoff", connection=redis_conn, serializer=JSONSerializer).fetch_job(job_ids[0])
    assert job is not None
    assert job.func_name == "worker.jobs.process_event"
    assert job.args == ["zendesk", "42", "inv-1"]


def test_same_delivery_twice_enqueues_one_job(redis_conn: redis.Redis) -> None:
    client = make_client(redis_conn)
    first = client.post("/webhooks/zendesk", data=BODY, headers=zendesk_headers(SECRET, BODY))
    second = client.post("/webhooks/zendesk", data=BODY, headers=zendesk_headers(SECRET, BODY))
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json == {"status": "duplicate", "job_id": first.json["job_id"]}
    assert len(queued(redis_conn)) == 1


def test_distinct_deliveries_are_both_queued(redis_conn: redis.Redis) -> None:
    client = make_client(redis_conn)
    for invocation in ("inv-a", "inv-b"):
        headers = zendesk_headers(SECRET, BODY, invocation_id=invocation)
        assert client.post("/webhooks/zendesk", data=BODY, headers=headers).status_code == 202
    assert len(queued(redis_conn)) == 2


@pytest.mark.parametrize(
    ("headers_for", "body", "status", "message"),
    [
        (lambda b: zendesk_headers("wrong-secret", b), BODY, 401, "signature"),
        (lambda b: {"Content-Type": "application/json"}, BODY, 401, "signature"),
        (
            lambda b: zendesk_headers(SECRET, b, when=datetime.now(UTC) - timedelta(minutes=6)),
            BODY, 401, "timestamp",
        ),
        (lambda b: zendesk_headers(SECRET, b), b'{"ticket_id": 4', 400, "malformed JSON"),
        (lambda b: zendesk_headers(SECRET, b), b'{"comment_id": "7"}', 400, "ticket_id"),
        (lambda b: zendesk_headers(SECRET, b), b'{"ticket_id": "1", "pad": "' + b"x" * 5000 + b'"}',
         413, "larger than 4096 bytes"),
    ],
    ids=["bad-signature", "no-signature", "stale", "malformed-json", "no-ticket-id", "oversized"],
)
def test_refused_delivery_gets_json_error_and_queues_nothing(
    redis_conn: redis.Redis,
    headers_for: Callable[[bytes], dict[str, str]],
    body: bytes,
    status: int,
    message: str,
) -> None:
    client = make_client(redis_conn)
    response = client.post("/webhooks/zendesk", data=body, headers=headers_for(body))
    assert response.status_code == status
    assert message.lower() in response.json["error"].lower()
    assert queued(redis_conn) == []


def test_unknown_platform_is_404(redis_conn: redis.Redis) -> None:
    response = make_client(redis_conn).post("/webhooks/nosuchdesk", data=BODY)
    assert response.status_code == 404
    assert "nosuchdesk" in response.json["error"]


def test_redis_down_gives_503_so_the_helpdesk_retries(redis_conn: redis.Redis) -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    client = make_client(dead)
    response = client.post("/webhooks/zendesk", data=BODY, headers=zendesk_headers(SECRET, BODY))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_readyz_reports_redis(redis_conn: redis.Redis) -> None:
    response = make_client(redis_conn).get("/readyz")
    assert response.status_code == 200
    assert (response.json["status"], response.json["redis"]) == ("ready", "ok")


def test_readyz_fails_when_the_database_is_down(redis_conn: redis.Redis) -> None:
    def database_down() -> None:
        raise OSError("connection refused")

    settings = Settings()
    app = create_app(settings, redis_conn, {}, ready_checks={"database": database_down})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert (response.json["status"], response.json["redis"]) == ("unavailable", "ok")
    assert response.json["database"] == "OSError"  # the detail needs the admin token


def test_metrics_need_the_admin_token(redis_conn: redis.Redis) -> None:
    platform = ZendeskSettings(base_url="https://acme.example/api/v2", email="ai@acme.test",
                               api_token="token", signing_secret=SECRET)
    connector = ZendeskConnector(settings=platform,
                                 client=httpx.Client(base_url=platform.api_base()))
    app = create_app(Settings(), redis_conn, {"zendesk": connector}, admin_token="s3cret")
    client = app.test_client()
    client.post("/webhooks/zendesk", data=BODY, headers=zendesk_headers(SECRET, BODY))
    client.post("/webhooks/zendesk", data=BODY, headers=zendesk_headers(SECRET, BODY))

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    page = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'handoff_webhooks_total{platform="zendesk",status="202"}' in text
    assert 'handoff_dedupe_hits_total{platform="zendesk"}' in text
    assert "handoff_queue_depth 1.0" in text
    assert "handoff_failed_jobs 0.0" in text


def test_metrics_are_off_without_a_token(redis_conn: redis.Redis) -> None:
    response = make_client(redis_conn).get("/metrics")
    assert response.status_code == 404
    assert "HANDOFF_ADMIN_TOKEN" in response.json["error"]
