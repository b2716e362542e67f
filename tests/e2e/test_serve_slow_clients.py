"""Slow clients cannot take `handoff serve` down: a real gunicorn, its default workers.

Each slow client sends a webhook's headers and one byte of its 100-byte body, then
nothing more, and keeps the connection open. The bound is the probe's client
timeout: ``/healthz`` must answer 200 within 1 s while 20 of them are held open.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from worker.cli.demo import demo_credentials, write_demo_config
from worker.cli.processes import ProcessGroup, free_port, wait_http

pytestmark = pytest.mark.e2e
SLOW_CLIENTS = 20
HEAD = (b"POST /webhooks/zendesk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")


@contextmanager
def slow_clients(port: int, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that each sent the head and one byte of a 100-byte body."""
    with ExitStack() as stack:
        held = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sock.sendall(HEAD)
            held.append(sock)
        yield held


def test_healthz_answers_while_20_slow_clients_are_held_open(
    redis_url: str, tmp_path: Path
) -> None:
    env = {"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin", "HANDOFF_HOME": str(tmp_path),
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"), **demo_credentials()}
    # No sandbox runs: nothing here reaches a helpdesk, the receiver only needs settings.
    env["HANDOFF_CONFIG"] = str(write_demo_config(tmp_path, "http://127.0.0.1:9", env))
    port = free_port()
    with ProcessGroup(tmp_path / "logs") as group:
        server = group.start("receiver", ["serve", "--port", str(port)], env)
        wait_http(f"http://127.0.0.1:{port}/healthz", 30, server)

        # No keep-alive: every probe opens a connection, as a load balancer's health check does.
        with (slow_clients(port, SLOW_CLIENTS),
              httpx.Client(timeout=1.0, limits=httpx.Limits(max_keepalive_connections=0)) as probe):
            answers = [probe.get(f"http://127.0.0.1:{port}/healthz").status_code
                       for _ in range(3)]
            alive = server.poll() is None

    assert answers == [200, 200, 200]
    assert alive
