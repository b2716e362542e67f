"""kill -9 of the embedded Redis after deliveries were acknowledged: none is lost.

The receiver answers 202 once a job is queued in Redis. The embedded Redis keeps
an append-only file fsynced every second, so a delivery acknowledged more than a
second before the crash is on disk (docs/operations.md). No worker runs until
Redis has been killed and restarted on the same data directory, so every job is
still queued at the kill.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from infra.redis_conn import embedded_url, start_embedded, stop_embedded
from infra.store.decision_log import database_url
from tests.conftest import ROOT
from tests.e2e.conftest import (
    EXPECTED_WRITES,
    SAMPLES,
    acknowledged_jobs,
    ai_comments,
    decisions_per_ticket,
    wait_for_jobs,
)
from worker.cli.demo import running_stack
from worker.cli.processes import ProcessGroup

pytestmark = pytest.mark.e2e

TICKETS = ("s-auto-track", "s-auto-password", "s-draft-return-shipping",
           "s-draft-giftcard-payment", "s-refund", "s-auto-shipping-negation",
           "s-human-en", "s-billing", "s-vip-track", "s-cancel")
# appendfsync everysec writes the file to disk once a second: wait longer than that.
FSYNC_WINDOW_SECONDS = 1.5


def test_deliveries_acknowledged_before_a_kill_9_of_redis_are_processed(tmp_path: Path) -> None:
    redis_home, home = tmp_path / "redis-home", tmp_path / "home"
    home.mkdir()
    client = start_embedded(redis_home)
    env = {"REDIS_URL": embedded_url(client), "PATH": "/usr/bin:/bin",
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml")}
    try:
        with (running_stack(env, home, workers=0) as stack,
              httpx.Client(base_url=stack.sandbox_url, timeout=10) as sandbox):
            tickets = {str(sandbox.post("/sandbox/tickets",
                                        json={**SAMPLES[s], "platform": "zendesk"})
                           .raise_for_status().json()["ticket_id"]): SAMPLES[s] for s in TICKETS}
            deadline = time.monotonic() + 60
            while (time.monotonic() < deadline
                   and len(acknowledged_jobs(sandbox, set(tickets))) < len(tickets)):
                time.sleep(0.05)
            acknowledged = acknowledged_jobs(sandbox, set(tickets))
            assert len(acknowledged) == len(tickets), "not every delivery was acknowledged"
            time.sleep(FSYNC_WINDOW_SECONDS)

            server = psutil.Process(int(client.info("server")["process_id"]))
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
            restarted = start_embedded(redis_home)  # the same data directory

            with ProcessGroup(tmp_path / "logs") as group:
                group.start("worker", ["worker"], stack.env)
                jobs = wait_for_jobs(restarted, set(acknowledged), timeout=300)
                finished = {job_id for job_id, job in jobs.items() if job.is_finished}
            writes = {t: [c["public"] for c in ai_comments(sandbox, t)] for t in tickets}
        decisions = decisions_per_ticket(database_url(stack.env))
    finally:
        stop_embedded(redis_home)

    notes = sum(w.count(False) for w in writes.values())
    print(f"\nkill -9: {len(acknowledged)} deliveries acknowledged, "
          f"{len(jobs)} jobs found after the restart, {len(finished)} finished, "
          f"{sum(decisions.values())} decisions, {notes} notes written")
    assert sorted(jobs) == sorted(acknowledged), "acknowledged jobs lost with Redis"
    assert finished == set(acknowledged)
    for ticket_id, sample in tickets.items():
        assert decisions.get(ticket_id) == 1, (ticket_id, decisions)
        assert writes[ticket_id] == EXPECTED_WRITES[sample["labels"]["expect_path"]], ticket_id
