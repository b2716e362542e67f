"""Worker and receiver processes' metrics add up in one scrape (prometheus multiprocess mode)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

COUNT = """
from infra import metrics
metrics.DECISIONS.labels("zendesk", "escalate", "human_request").inc()
metrics.HELPDESK_CALLS.labels("zendesk", "200").inc(3)
"""
SCRAPE = """
import sys, redis
from rq import Queue
from rq.serializers import JSONSerializer
from infra import metrics
queue = Queue("handoff", connection=redis.Redis.from_url(sys.argv[1]), serializer=JSONSerializer)
sys.stdout.write(metrics.render(queue).decode())
"""


def run(code: str, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                            text=True, check=True, timeout=60)
    return result.stdout


def test_two_processes_counts_are_summed(
    tmp_path: Path, redis_conn: redis.Redis, redis_url: str
) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    run(COUNT, env)
    run(COUNT, env)
    page = run(SCRAPE, env, redis_url)
    assert ('handoff_decisions_total{path="escalate",platform="zendesk",reason="human_request"} 2.0'
            in page)
    assert 'handoff_helpdesk_calls_total{platform="zendesk",status="200"} 6.0' in page
    assert "handoff_queue_depth 0.0" in page
