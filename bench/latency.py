"""Webhook-to-reply latency under helpdesk-like latency, and tickets per box (issue 21).

    .venv/bin/python bench/latency.py [--latency-ms 150] [--jitter 0.2] [--processes 4]
                                      [--hosts 1] [--rate 5] [--seconds 60]
                                      [--load-rate 30] [--load-seconds 60]

Real processes on a private redis-server: `handoff sandbox`, `handoff serve`, and
`handoff worker --processes N` once per "host" (`--hosts`: each with its own
HANDOFF_HOME, all on the one Redis and, when DATABASE_URL is set, one database, whose
Handoff tables are dropped first); every helpdesk API call is delayed by the sandbox by
latency_ms * (1 +- jitter). Rate budgets are set far above the load (this measures
Handoff, not a helpdesk plan).
1. Latency: the sample tickets (config/samples/), round robin over Zendesk, Freshdesk and
   Gorgias, created at --rate per second for --seconds. For each job, the time from the
   receiver accepting the webhook (job enqueued) to the job's end (its last write confirmed
   by the helpdesk), by platform and path, p50 and p99. Our own writes coming back as
   webhooks are jobs too (path `skip`).
2. Load: --load-rate tickets per second for --load-seconds; completed tickets/s over the
   offer, and the queue depth when the offer ends and 10 s later (a backlog that is still
   there means the box does not keep up).
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import redis
from rq.job import Job
from rq.serializers import JSONSerializer
from support import bench_stack, child, handoff_cmd, machine, read_samples, redis_server

PLATFORMS = ("zendesk", "freshdesk", "gorgias")
_NO_LIMIT = {"calls": 1_000_000, "per_seconds": 1}
UNLIMITED = {"*": {"rate_budget": _NO_LIMIT}, "zendesk": {"update_ticket_budget": _NO_LIMIT}}


def round_robin(samples: list[dict[str, Any]], count: int, prefix: str
                ) -> list[dict[str, Any]]:
    """`count` tickets: the samples in turn, each on the next platform."""
    return [{**samples[n % len(samples)], "platform": PLATFORMS[n % len(PLATFORMS)],
             "external_id": f"{prefix}-{n}"} for n in range(count)]


def offer(sandbox: httpx.Client, specs: list[dict[str, Any]], rate: float) -> float:
    """Create `specs` at `rate` per second (each on its own schedule, never bunched up by a
    slow create); return when the last was sent."""
    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        for n, spec in enumerate(specs):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(create, sandbox, spec)
    return time.monotonic() - start


def create(sandbox: httpx.Client, spec: dict[str, Any]) -> None:
    sandbox.post("/sandbox/tickets", json=spec).raise_for_status()


def jobs_since(sandbox: httpx.Client, connection: redis.Redis, first: int
               ) -> dict[str, tuple[str, Job]]:
    """Job id -> (platform, job) for the deliveries from index `first` on."""
    found = job_tickets(sandbox, first)
    jobs = Job.fetch_many(sorted(found), connection=connection, serializer=JSONSerializer)
    return {j.id: (found[j.id][0], j) for j in jobs if j is not None}


def job_tickets(sandbox: httpx.Client, first: int) -> dict[str, tuple[str, str]]:
    """Job id -> (platform, ticket id) for the deliveries from index `first` on."""
    found: dict[str, tuple[str, str]] = {}
    for delivery in sandbox.get("/sandbox/deliveries").json()[first:]:
        job_id = (delivery.get("response") or {}).get("job_id")
        if job_id:
            found[job_id] = (delivery["platform"], str(delivery["ticket_id"]))
    return found


def wait_ended(connection: redis.Redis, sandbox: httpx.Client, first: int,
               timeout: float) -> dict[str, tuple[str, Job]]:
    """The jobs of the deliveries from `first` on, once every delivery has its answer
    (a webhook still in flight has no job yet) and every job has ended."""
    deadline = time.monotonic() + timeout
    while True:
        flying = any(d["state"] in ("pending", "retrying")
                     for d in sandbox.get("/sandbox/deliveries").json()[first:])
        jobs = jobs_since(sandbox, connection, first)
        if (not flying and all(j.is_finished or j.is_failed for _, j in jobs.values())) \
                or time.monotonic() > deadline:
            # is_finished reads the status afresh, the job's times were read before it:
            # fetch again, so a job that ended in between has its ended_at.
            return jobs_since(sandbox, connection, first)
        time.sleep(1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency_phase(sandbox: httpx.Client, connection: redis.Redis,
                  samples: list[dict[str, Any]], rate: float, seconds: int) -> None:
    first = len(sandbox.get("/sandbox/deliveries").json())
    count = int(rate * seconds)
    offer(sandbox, round_robin(samples, count, "lat"), rate)
    jobs = wait_ended(connection, sandbox, first, 300)
    by: dict[tuple[str, str], list[float]] = defaultdict(list)
    runs: dict[tuple[str, str], list[float]] = defaultdict(list)
    for platform, job in jobs.values():
        if job.enqueued_at and job.started_at and job.ended_at:
            path = (job.return_value() or {}).get("path", "failed") if job.is_finished \
                else "failed"
            by[(platform, path)].append((job.ended_at - job.enqueued_at).total_seconds() * 1e3)
            runs[(platform, path)].append((job.ended_at - job.started_at).total_seconds() * 1e3)
    print(f"  latency: {count} tickets at {rate:g}/s, {len(jobs)} jobs "
          "(webhook accepted -> last write confirmed, ms; of which the job's own run)")
    for (platform, path), values in sorted(by.items()):
        run = runs[(platform, path)]
        print(f"    {platform:<9} {path:<13} n={len(values):<4} p50 {percentile(values, .5):6.0f}"
              f"  p99 {percentile(values, .99):6.0f}   run p50 {percentile(run, .5):6.0f}"
              f"  p99 {percentile(run, .99):6.0f}")
    every = [v for values in by.values() for v in values]
    print(f"    all jobs: p50 {statistics.median(every):.0f}  p99 {percentile(every, .99):.0f}")


def load_phase(sandbox: httpx.Client, connection: redis.Redis,
               samples: list[dict[str, Any]], rate: float, seconds: int) -> None:
    first = len(sandbox.get("/sandbox/deliveries").json())
    count = int(rate * seconds)
    specs = round_robin(samples, count, "load")
    depth: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            depth.append(int(connection.llen("rq:queue:handoff")))
            time.sleep(1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    sent = offer(sandbox, specs, rate)
    at_end = int(connection.llen("rq:queue:handoff"))
    time.sleep(10)
    later = int(connection.llen("rq:queue:handoff"))
    jobs = wait_ended(connection, sandbox, first, 600)
    done.set()
    # A ticket's first job is the one its creation queued; later ones are our writes' echoes.
    first_job: dict[tuple[str, str], Job] = {}
    owners = job_tickets(sandbox, first)
    for job_id, (_, job) in jobs.items():
        known = first_job.get(owners[job_id])
        if job.enqueued_at and job.ended_at and (
                known is None or known.enqueued_at is None or job.enqueued_at < known.enqueued_at):
            first_job[owners[job_id]] = job
    spans = [(j.enqueued_at, j.ended_at) for j in first_job.values()
             if j.enqueued_at and j.ended_at]
    span = max(end for _, end in spans) - min(start for start, _ in spans)
    print(f"  load: {count} tickets offered at {rate:g}/s over {sent:.0f} s; "
          f"{len(spans)} tickets' first jobs done at "
          f"{len(spans) / span.total_seconds():.1f} tickets/s; queue depth max "
          f"{max(depth, default=0)}, at the end of the offer {at_end}, 10 s later {later}")
    # A ticket without a finished first job: its webhook was not accepted (the sandbox
    # tries 4 times in under 2 s, a real helpdesk for hours) or its job did not end.
    states = Counter((d["state"], d["status"], d.get("error") and d["error"][:60])
                     for d in sandbox.get("/sandbox/deliveries").json()[first:])
    print("  deliveries by (state, HTTP status, error): "
          + ", ".join(f"{k}: {n}" for k, n in states.most_common()))
    missing = sorted(set(owners.values()) - set(first_job))
    for platform, ticket_id in missing[:10]:
        ids = [j for j, owner in owners.items() if owner == (platform, ticket_id)]
        found = Job.fetch_many(ids, connection=connection, serializer=JSONSerializer)
        print(f"  no finished first job: {platform} {ticket_id}: "
              + "; ".join(f"{i} {j.get_status() if j else 'gone'}"
                          f"{' ' + (j.exc_info or '')[-200:] if j and j.is_failed else ''}"
                          for i, j in zip(ids, found, strict=True)))


def empty_database(url: str) -> None:
    """Drop Handoff's tables from the bench's database: the sandbox numbers tickets from 1
    in every run, and an escalation record left by an earlier run would keep the AI out of
    the new ticket with the same id (path ``skip``), which is cheaper."""
    import sqlalchemy as sa

    from infra.store.decision_log import metadata

    engine = sa.create_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    print(f"  one database for every host, emptied first: {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--jitter", type=float, default=0.2)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=1)
    parser.add_argument("--rate", type=float, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--load-rate", type=float, default=30)
    parser.add_argument("--load-seconds", type=int, default=60)
    args = parser.parse_args()
    print(f"latency: {machine()}; {args.latency_ms} ms +-{args.jitter:.0%} per helpdesk "
          f"call, {args.hosts} x handoff worker --processes {args.processes}")
    samples = read_samples()
    workers = ("worker", "--processes", str(args.processes))
    if os.environ.get("DATABASE_URL"):
        empty_database(os.environ["DATABASE_URL"])
    with redis_server() as url, tempfile.TemporaryDirectory() as tmp, \
            bench_stack(Path(tmp), url, workers=1, platform_extra=UNLIMITED,
                        worker_args=workers[1:], sandbox_args=("--threads", "64")) as stack, \
            httpx.Client(base_url=stack.sandbox_url, timeout=30) as sandbox, \
            contextlib.ExitStack() as hosts:
        for host in range(1, args.hosts):
            home = Path(tmp) / f"host-{host}"
            home.mkdir()
            hosts.enter_context(child(handoff_cmd(*workers),
                                      {**stack.env, "HANDOFF_HOME": str(home)},
                                      home / "worker.log"))
        connection = redis.Redis.from_url(url)
        deadline = time.monotonic() + 180
        while int(connection.scard("rq:workers")) < args.processes * args.hosts:
            if time.monotonic() > deadline:
                raise SystemExit("latency: the workers did not register")
            time.sleep(0.2)
        sandbox.post("/sandbox/faults", json={
            "latency_ms": args.latency_ms, "jitter": args.jitter, "times": None}
        ).raise_for_status()
        if args.seconds:
            latency_phase(sandbox, connection, samples, args.rate, args.seconds)
        if args.load_seconds:
            load_phase(sandbox, connection, samples, args.load_rate, args.load_seconds)


if __name__ == "__main__":
    main()
