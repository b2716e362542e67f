"""The access logs of `handoff sandbox` and `handoff serve` (real gunicorn) print no secret.

Freshdesk puts its API key in the basic-auth user name, which gunicorn's default
access-log format prints.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import ROOT
from worker.cli.demo import demo_credentials, write_demo_config
from worker.cli.processes import ProcessGroup, free_port, wait_http

pytestmark = pytest.mark.e2e


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_no_credential_reaches_an_access_log(redis_url: str, tmp_path: Path) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    sandbox_url = f"http://127.0.0.1:{free_port()}"
    receiver_url = f"http://127.0.0.1:{free_port()}"
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": redis_url, "HANDOFF_HOME": str(tmp_path),
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"), **demo_credentials(),
           "HANDOFF_ADMIN_TOKEN": "admin-token-that-must-not-be-logged"}
    env["HANDOFF_CONFIG"] = str(write_demo_config(tmp_path, sandbox_url, env))
    secrets = [env[k] for k in env if k.endswith(("_TOKEN", "_SECRET"))]
    with ProcessGroup(tmp_path / "logs") as group:
        sandbox = group.start("sandbox", ["sandbox", "--port", sandbox_url.rsplit(":", 1)[1]],
                              env)
        receiver = group.start("receiver", ["serve", "--port", receiver_url.rsplit(":", 1)[1],
                                            "--workers", "1"], env)
        wait_http(f"{sandbox_url}/sandbox/healthz", 60, sandbox)
        wait_http(f"{receiver_url}/healthz", 60, receiver)
        with httpx.Client(timeout=10) as client:
            for key in (env["HANDOFF_FRESHDESK_API_TOKEN"], "a-wrong-freshdesk-key"):
                answer = client.get(f"{sandbox_url}/freshdesk/api/v2/tickets/1",
                                    headers=basic(key, "X"))
                assert answer.status_code in (401, 404)
            client.get(f"{sandbox_url}/gorgias/api/tickets/1",
                       headers=basic(env["HANDOFF_GORGIAS_EMAIL"],
                                     env["HANDOFF_GORGIAS_API_TOKEN"]))
            # A delivery whose sender put the webhook secret in both basic-auth fields.
            secret = env["HANDOFF_FRESHDESK_WEBHOOK_SECRET"]
            delivery = client.post(f"{receiver_url}/webhooks/freshdesk",
                                   json={"freshdesk_webhook": {"ticket_id": 12}},
                                   headers=basic(secret, secret))
            assert delivery.status_code == 202, delivery.text
            admin = env["HANDOFF_ADMIN_TOKEN"]
            assert client.get(f"{receiver_url}/admin/login",
                              headers=basic(admin, admin)).status_code == 200
            assert client.get(f"{receiver_url}/metrics",
                              headers={"Authorization": f"Bearer {admin}"}).status_code == 200
    sandbox_log = (tmp_path / "logs" / "sandbox.log").read_text()
    receiver_log = (tmp_path / "logs" / "receiver.log").read_text()
    # The requests were logged, without who sent them.
    assert sandbox_log.count("GET /freshdesk/api/v2/tickets/1 ") == 2
    assert "GET /gorgias/api/tickets/1 " in sandbox_log
    assert "POST /webhooks/freshdesk " in receiver_log
    assert "GET /admin/login " in receiver_log
    for text in (sandbox_log, receiver_log):
        for value in (*secrets, "a-wrong-freshdesk-key", env["HANDOFF_GORGIAS_EMAIL"]):
            assert value not in text
