"""docs/deploy.md's systemd units, run as written: each unit's ExecStart with the
documented environment file (its paths pointed at a temporary directory, Redis and the
database at the test's) and the unit's own Environment= lines, expanded as systemd
expands them; the long-running ones must serve, then stop with exit 0 on their KillSignal
within their TimeoutStopSec."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from configparser import ConfigParser
from pathlib import Path

import redis
from rq import Worker

from tests.conftest import ROOT
from worker.cli.processes import free_port, wait_http

DEPLOY = ROOT / "docs" / "deploy.md"
BLOCK = re.compile(r"```ini\n# (/etc/\S+)\n(.*?)```", re.DOTALL)
HANDOFF = str(Path(sys.executable).parent / "handoff")


def blocks() -> dict[str, str]:
    return dict(BLOCK.findall(DEPLOY.read_text()))


def unit(name: str) -> ConfigParser:
    parser = ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(blocks()[f"/etc/systemd/system/{name}"])
    return parser


def environment(service: ConfigParser, tmp_path: Path, redis_url: str,
                **overrides: str) -> dict[str, str]:
    """The EnvironmentFile (as documented) and Environment= lines, with the test's places."""
    assert service["Service"]["EnvironmentFile"] == "/etc/handoff/handoff.env"
    env = dict(line.split("=", 1) for line in blocks()["/etc/handoff/handoff.env"].splitlines()
               if line.strip() and not line.startswith("#"))
    for assignment in service["Service"].get("Environment", "").split():
        key, value = assignment.split("=", 1)
        env[key] = value
    (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
    (tmp_path / "handoff.yaml").write_text("retention_days: 30\n")
    env.update({"PATH": os.environ["PATH"], "HANDOFF_HOME": str(tmp_path / "home"),
                "HANDOFF_CONFIG": str(tmp_path / "handoff.yaml"), "REDIS_URL": redis_url,
                "DATABASE_URL": os.environ.get("DATABASE_URL")
                or f"sqlite:///{tmp_path / 'decisions.db'}", **overrides})
    (tmp_path / "home").mkdir()
    return env


def command(service: ConfigParser, env: dict[str, str], instance: str = "") -> list[str]:
    """ExecStart as systemd runs it: %i and ${VAR} expanded, the documented executable
    replaced by this environment's `handoff`."""
    line = service["Service"]["ExecStart"].replace("%i", instance)
    argv = [re.sub(r"\$\{(\w+)\}", lambda m: env[m[1]], arg) for arg in shlex.split(line)]
    assert argv[0] == "/opt/handoff/bin/handoff"
    return [HANDOFF, *argv[1:]]


def stop(service: ConfigParser, proc: subprocess.Popen[bytes]) -> int:
    """Send the unit's KillSignal; the exit code, within its TimeoutStopSec."""
    proc.send_signal(getattr(signal, service["Service"]["KillSignal"]))
    return proc.wait(timeout=int(service["Service"]["TimeoutStopSec"]))


def start(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


def test_the_receiver_unit_serves_and_stops_cleanly(redis_url: str, tmp_path: Path) -> None:
    service = unit("handoff-receiver.service")
    port = str(free_port())
    env = environment(service, tmp_path, redis_url, HANDOFF_PORT=port)
    proc = start(command(service, env), env, tmp_path, tmp_path / "receiver.log")
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", 120, proc)
    finally:
        code = stop(service, proc)
    log = (tmp_path / "receiver.log").read_text()
    assert code == 0, log
    assert '"logger": "gunicorn.error"' in log  # HANDOFF_LOG_FORMAT=json from the file


def test_the_worker_unit_registers_and_stops_cleanly(redis_url: str, tmp_path: Path) -> None:
    service = unit("handoff-worker@.service")
    env = environment(service, tmp_path, redis_url)
    connection = redis.Redis.from_url(redis_url)
    proc = start(command(service, env, "1"), env, tmp_path, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 180
        while proc.pid not in {w.pid for w in Worker.all(connection=connection)}:
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker did not register in Redis"
            time.sleep(0.2)
    finally:
        code = stop(service, proc)
    assert code == 0, (tmp_path / "worker.log").read_text()


def test_the_purge_unit_runs_and_its_timer_starts_it(redis_url: str, tmp_path: Path) -> None:
    service = unit("handoff-purge.service")
    assert service["Service"]["Type"] == "oneshot"
    env = environment(service, tmp_path, redis_url)
    result = subprocess.run(command(service, env), env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(30 days)" in result.stderr  # retention_days from the settings file
    timer = unit("handoff-purge.timer")
    assert timer["Timer"]["OnCalendar"] == "daily"
    assert timer["Install"]["WantedBy"] == "timers.target"
