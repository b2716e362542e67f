"""`handoff serve`, `worker` and `sandbox` as operators run them: /metrics sums every
process (the same figures on every scrape), and with --log-format json every line each of
them writes is a JSON object, gunicorn's own lines included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import ROOT
from worker.cli.processes import ProcessGroup, free_port, wait_http

pytestmark = pytest.mark.e2e

TOKEN = "metrics-token"
WEBHOOKS = re.compile(r'^handoff_webhooks_total\{(.*)\} (\S+)$', re.MULTILINE)


def stack_env(redis_url: str, home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "REDIS_URL": redis_url, "HANDOFF_HOME": str(home),
            "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"),
            "HANDOFF_ADMIN_TOKEN": TOKEN}


def test_every_scrape_under_serve_sums_every_process(redis_url: str, tmp_path: Path) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    url = f"http://127.0.0.1:{free_port()}"
    with ProcessGroup(tmp_path / "logs") as group:
        receiver = group.start("receiver", ["serve", "--port", url.rsplit(":", 1)[1],
                                            "--workers", "3", "--threads", "1"],
                               stack_env(redis_url, tmp_path))
        wait_http(f"{url}/healthz", 120, receiver)
        for _ in range(30):  # a connection each, so the deliveries spread over the processes
            assert httpx.post(f"{url}/webhooks/nonesuch", json={}).status_code == 404
        scrapes = [httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
                   for _ in range(6)]
    seen = [sorted(WEBHOOKS.findall(scrape.text)) for scrape in scrapes]
    assert seen[0] == [('platform="unknown",status="404"', "30.0")], scrapes[0].text
    assert all(labels == seen[0] for labels in seen)
    assert list((tmp_path / "metrics").glob("counter_*.db"))


def json_lines(log: Path) -> list[dict[str, object]]:
    """Every line of `log` as JSON; fails naming the first line that is not."""
    entries = []
    for line in log.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"{log.name}: not a JSON line: {line!r}")
    return entries


def test_json_logs_mean_every_line_of_serve_worker_and_sandbox(redis_url: str,
                                                               tmp_path: Path) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    env = {**stack_env(redis_url, tmp_path), "HANDOFF_LOG_FORMAT": "json"}
    receiver_url, sandbox_url = (f"http://127.0.0.1:{free_port()}" for _ in range(2))
    with ProcessGroup(tmp_path / "logs") as group:
        receiver = group.start("receiver", ["serve", "--port", receiver_url.rsplit(":", 1)[1],
                                            "--workers", "2"], env)
        sandbox = group.start("sandbox", ["--log-format", "json", "sandbox", "--port",
                                          sandbox_url.rsplit(":", 1)[1]],
                              {k: v for k, v in env.items() if k != "HANDOFF_LOG_FORMAT"})
        worker = group.start("worker", ["worker", "--burst"], env)
        wait_http(f"{receiver_url}/healthz", 120, receiver)
        wait_http(f"{sandbox_url}/sandbox/healthz", 120, sandbox)
        httpx.post(f"{receiver_url}/webhooks/nonesuch", json={})
        assert worker.wait(timeout=120) == 0
    logs = {name: json_lines(tmp_path / "logs" / f"{name}.log")
            for name in ("receiver", "sandbox", "worker")}
    receiver_loggers = {entry["logger"] for entry in logs["receiver"]}
    assert {"gunicorn.error", "gunicorn.access"} <= receiver_loggers, receiver_loggers
    assert any("POST /webhooks/nonesuch" in str(e["message"]) for e in logs["receiver"])
    assert "gunicorn.access" in {entry["logger"] for entry in logs["sandbox"]}
    assert logs["worker"], "the worker wrote nothing"
