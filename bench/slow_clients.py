"""Slow clients: /healthz latency of `handoff serve` while N slow connections are held open.

    .venv/bin/python bench/slow_clients.py [--connections 20] [--probes 10]
                                           [--setups sync:3,default]

For each set-up a real `handoff serve` starts on a private redis-server (``sync:W``
is ``--workers W --threads 1``, gunicorn's sync worker; ``gthread:W:T`` is ``--workers
W --threads T``; ``default`` is `handoff serve` with no options). First /healthz is
probed alone, then while `--connections` clients each hold a connection open after
sending a webhook's headers and 1 byte of its 100-byte body. Each probe is a new
connection with a 5 s client timeout; a probe that times out or fails is counted,
not timed. Prints the median (min, max) latency in ms and the failures per set-up.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from support import ROOT, Figure, child, free_port, handoff_cmd, machine, redis_server, wait_ready

from worker.cli.demo import demo_credentials, write_demo_config

HEAD = (b"POST /webhooks/zendesk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
PROBE_TIMEOUT = 5.0
NEW_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)


@contextlib.contextmanager
def slow_clients(port: int, count: int) -> Iterator[None]:
    """`count` connections that sent the head and one body byte, then stall."""
    with contextlib.ExitStack() as stack:
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sock.sendall(HEAD)
        time.sleep(0.5)  # let the server take them before probing
        yield


def probe(url: str, count: int) -> tuple[list[float], int]:
    """`count` /healthz probes, each on a new connection: latencies (ms) and failures."""
    latencies, failures = [], 0
    # No keep-alive: every probe opens a connection, as a load balancer's health check does.
    with httpx.Client(timeout=PROBE_TIMEOUT, limits=NEW_CONNECTIONS) as client:
        for _ in range(count):
            started = time.perf_counter()
            try:
                ok = client.get(url).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                failures += 1
    return latencies, failures


def serve_args(setup: str) -> list[str]:
    kind, *numbers = setup.split(":")
    if kind == "default":
        return []
    if kind == "sync" and len(numbers) == 1:
        return ["--workers", numbers[0], "--threads", "1"]
    if kind == "gthread" and len(numbers) == 2:
        return ["--workers", numbers[0], "--threads", numbers[1]]
    raise SystemExit(f"slow_clients: unknown set-up {setup!r}")


def figures(latencies: list[float], failures: int, probes: int) -> str:
    timed = Figure.of(latencies).fmt(1, " ms") if latencies else "none answered"
    return f"{timed}; failed {failures}/{probes}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--probes", type=int, default=10)
    parser.add_argument("--setups", default="sync:3,default")
    args = parser.parse_args()
    print(f"slow clients: {args.connections} connections, {args.probes} probes of /healthz "
          f"(timeout {PROBE_TIMEOUT:.0f} s); {machine()}")
    with redis_server() as redis_url, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {"REDIS_URL": redis_url, "HANDOFF_HOME": str(home), "PATH": "/usr/bin:/bin",
               "PYTHONPATH": str(ROOT), "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml"),
               **demo_credentials()}
        # No sandbox runs: the receiver needs settings, never a helpdesk.
        env["HANDOFF_CONFIG"] = str(write_demo_config(home, "http://127.0.0.1:9", env))
        for setup in args.setups.split(","):
            port = free_port()
            url = f"http://127.0.0.1:{port}/healthz"
            argv = handoff_cmd("serve", "--port", str(port), *serve_args(setup))
            with child(argv, env, home / f"serve-{setup}.log") as server:
                wait_ready(url, server)
                alone = probe(url, args.probes)
                with slow_clients(port, args.connections):
                    held = probe(url, args.probes)
                    alive = "running" if server.poll() is None else "exited"
            print(f"{setup:>12}: alone {figures(*alone, args.probes)} | with "
                  f"{args.connections} slow {figures(*held, args.probes)} | server {alive}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
