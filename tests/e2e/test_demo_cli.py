"""`handoff demo` as a user runs it: its table, and Ctrl-C leaving nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT
from worker.cli.demo import read_samples

pytestmark = pytest.mark.e2e


def demo_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["HANDOFF_HOME"] = str(tmp_path / "home")
    return env


def test_demo_prints_a_decision_per_sample_and_exits_0(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "worker", "demo"], cwd=ROOT, env=demo_env(tmp_path),
        capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    samples = read_samples(ROOT / "config" / "samples" / "tickets.jsonl")
    lines = result.stdout.splitlines()
    for sample in samples:
        row = next((line for line in lines if line.startswith(f"{sample['id']} ")), None)
        assert row is not None, f"no row for {sample['id']}"
        assert f" {sample['labels']['expect_path']} " in row, row
    admin = next(line for line in lines if line.startswith("admin page: http://127.0.0.1:"))
    escalations = sum(s["labels"]["expect_path"] == "escalate" for s in samples)
    assert f": {escalations} open escalation(s) to resolve or dismiss" in admin, admin


def command_line(process: psutil.Process) -> list[str]:
    """`process`'s command line; empty for a process that has just ended (a short-lived
    helper, such as the embedded Redis's daemonising parent, can be caught as a zombie)."""
    try:
        return process.cmdline()
    except (psutil.ZombieProcess, psutil.NoSuchProcess):
        return []


def test_ctrl_c_stops_every_child(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "demo", "--timeout", "600"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    children: list[psutil.Process] = []
    # The demo is up once the sandbox, the receiver and the worker are all running.
    while time.monotonic() < deadline and len(children) < 3:
        children = [c for c in parent.children() if "worker" in " ".join(command_line(c))]
        time.sleep(0.2)
    assert len(children) >= 3, "the demo did not start its children"
    descendants = parent.children(recursive=True)

    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)

    assert proc.returncode == 130, output
    _, alive = psutil.wait_procs(descendants, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
    assert "interrupted" in output
