"""`handoff worker --processes N`: one parent loads the models, N forked workers run jobs;
a worker that dies is replaced, and SIGTERM stops them all after their jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from tests.conftest import ROOT


def until(check: Callable[[], Any], timeout: float = 120) -> Any:
    """Poll `check` until it returns something truthy (a generous bound, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout} s")


@pytest.fixture
def pool(redis_conn: redis.Redis, redis_url: str, tmp_path: Path
         ) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "REDIS_URL": redis_url, "HANDOFF_HOME": str(tmp_path / "home"),
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    with (tmp_path / "pool.log").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "worker", "worker", "--processes", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        yield process
    finally:
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
        process.wait(30)


def workers(connection: redis.Redis, parent: int) -> set[int]:
    """The pids of registered rq workers that are children of `parent`."""
    children = {c.pid for c in psutil.Process(parent).children()}
    return {w.pid for w in Worker.all(connection=connection) if w.pid in children}


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes in process group `pgid`."""
    found = []
    for process in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(process.pid) == pgid and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return found


def test_forked_workers_share_the_parents_models_are_replaced_and_stop_on_sigterm(
    pool: subprocess.Popen[bytes], redis_conn: redis.Redis
) -> None:
    first = until(lambda: (found := workers(redis_conn, pool.pid)) and len(found) == 2
                  and found)
    queue = Queue("handoff", connection=redis_conn, serializer=JSONSerializer)
    jobs = [queue.enqueue("tests.worker.pool_probe.runtime_facts") for _ in range(4)]
    results = until(lambda: all(j.is_finished for j in jobs) and [j.return_value()
                                                                   for j in jobs])
    assert all(r["preloaded"] for r in results)  # no child built a scorer of its own
    assert {r["pid"] for r in results} <= first

    victim = sorted(first)[0]
    os.kill(victim, signal.SIGKILL)
    after = until(lambda: (found := workers(redis_conn, pool.pid)) and len(found) == 2
                  and victim not in found and found)
    assert len(after - first) == 1  # the dead one was replaced, the other kept running
    # Nothing of the dead one's is left running (rq's scheduler process is in its group).
    until(lambda: not group_members(victim))

    pool.send_signal(signal.SIGTERM)
    assert pool.wait(60) == 0
    assert not [p for p in after if group_members(p)]
