"""End to end: sandbox -> webhook -> receiver -> Redis -> 2 workers -> helpdesk writes.

    .venv/bin/python bench/e2e.py [--tickets 2000] [--runs 3] [--latency-tickets 300]
                                  [--latency-runs 3] [--latency-ms 50]

Real processes: `handoff sandbox`, `handoff serve`, two `handoff worker`,
on a private redis-server. First, each sample ticket (config/samples/) is processed
alone on each platform, and the sandbox's call counts by route give the helpdesk API
calls of each path (auto-resolve, draft, escalate, skip). Then `--tickets` tickets,
round robin over Zendesk, Freshdesk and Gorgias, are created through the sandbox as fast
as it takes them; tickets/s runs from the first webhook accepted (earliest job
``enqueued_at``) to the last job ended (its last batch confirmed by the helpdesk); queue
wait is ``started_at - enqueued_at``; API calls per ticket are the sandbox's counts per
platform. The same again with `--latency-ms` added to every API call (sandbox fault).
Figures are median (min, max) over the runs. Every platform's ``rate_budget`` is set
far above what the machine can do: this measures Handoff, not a helpdesk plan.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import redis
from rq.job import Job
from rq.serializers import JSONSerializer
from support import (
    BenchStack,
    Figure,
    bench_stack,
    machine,
    read_samples,
    redis_server,
    session_cpu_seconds,
    wait_jobs,
)

PLATFORMS = ("zendesk", "freshdesk", "gorgias")
# The plans' default budgets (connectors/ratelimit.py: Gorgias 40 calls / 20 s, Zendesk's
# Update Ticket 100 / min) would cap this at about 1.5 tickets/s; the sandbox has no limit,
# so measure the system instead.
_NO_LIMIT = {"calls": 1_000_000, "per_seconds": 1}
UNLIMITED = {"*": {"rate_budget": _NO_LIMIT}, "zendesk": {"update_ticket_budget": _NO_LIMIT}}


def ended_jobs(connection: redis.Redis) -> int:
    return int(connection.zcard("rq:finished:handoff") + connection.zcard("rq:failed:handoff"))


def per_path_calls(sandbox: httpx.Client, connection: redis.Redis,
                   samples: list[dict[str, Any]]) -> dict[str, dict[str, Counter[str]]]:
    """For each platform and path: the routes called, per ticket (one ticket at a time)."""
    found: dict[str, dict[str, Counter[str]]] = defaultdict(dict)
    seen: dict[tuple[str, str], int] = Counter()
    for platform in PLATFORMS:
        for sample in samples:
            sandbox.delete("/sandbox/stats")
            before = ended_jobs(connection)
            created = sandbox.post("/sandbox/tickets", json={**sample, "platform": platform})
            ticket_id = created.raise_for_status().json()["ticket_id"]
            wait_jobs(connection, before + 1, 60, poll=0.02)
            routes = Counter(sandbox.get("/sandbox/stats").json().get(platform, {})
                             .get("routes", {}))
            job = None
            for _ in range(40):  # the sandbox records the receiver's answer just after
                job = job_for(sandbox, connection, platform, ticket_id)
                if job is not None:
                    break
                time.sleep(0.05)
            path = (job.return_value() or {}).get("path", "failed") if job else "unknown"
            key = (platform, path)
            seen[key] += 1
            # Keep the costliest ticket of each path (escalations with a VIP lookup etc.).
            if path not in found[platform] or sum(routes.values()) > sum(
                    found[platform][path].values()):
                found[platform][path] = routes
    return found


def job_for(sandbox: httpx.Client, connection: redis.Redis, platform: str,
            ticket_id: str) -> Job | None:
    for delivery in reversed(sandbox.get("/sandbox/deliveries").json()):
        if delivery["platform"] == platform and str(delivery["ticket_id"]) == str(ticket_id):
            job_id = (delivery.get("response") or {}).get("job_id")
            return (Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
                    if job_id else None)
    return None


def cpu_now(sessions: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process session, and of this client."""
    own = os.times()
    return {**{name: session_cpu_seconds(sid) for name, sid in sessions.items()},
            "load client": own.user + own.system}


def redis_commands(connection: redis.Redis) -> Counter[str]:
    """Commands the server has run so far, by name (INFO commandstats)."""
    stats = connection.info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): int(value["calls"])
                    for name, value in stats.items()})


def redis_reads(connection: redis.Redis) -> int:
    """Requests the server has read so far: one per round trip, a pipeline being one."""
    return int(connection.info("stats")["total_reads_processed"])


def stack_sessions(stack: BenchStack, connection: redis.Redis) -> dict[str, int]:
    """Each process group of the run, by the session its processes share."""
    return {"sandbox": stack.sandbox.pid, "receiver": stack.receiver.pid,
            **{f"worker {n + 1}": w.pid for n, w in enumerate(stack.workers)},
            "redis": int(connection.info("server")["process_id"])}


def load_run(sandbox: httpx.Client, connection: redis.Redis, samples: list[dict[str, Any]],
             tickets: int, sessions: dict[str, int]) -> dict[str, Any]:
    """Create `tickets` tickets round robin over the platforms; time them through, and
    count the CPU each process group spent meanwhile."""
    sandbox.delete("/sandbox/stats")
    deliveries_before = len(sandbox.get("/sandbox/deliveries").json())
    before = ended_jobs(connection)
    specs = [{**samples[n % len(samples)], "platform": PLATFORMS[n % len(PLATFORMS)],
              "external_id": f"load-{n}"} for n in range(tickets)]
    created: Counter[str] = Counter()

    def create(spec: dict[str, Any]) -> str:
        sandbox.post("/sandbox/tickets", json=spec).raise_for_status()
        return str(spec["platform"])

    cpu_before = cpu_now(sessions)
    commands_before = redis_commands(connection)
    reads_before = redis_reads(connection)
    begin = time.time()
    with ThreadPoolExecutor(4) as pool:
        created.update(pool.map(create, specs))
    create_s = time.time() - begin
    wait_jobs(connection, before + tickets, timeout=600, poll=0.05)
    cpu_ms = {name: (spent - cpu_before[name]) * 1000 / tickets
              for name, spent in cpu_now(sessions).items()}
    commands = redis_commands(connection) - commands_before
    reads = redis_reads(connection) - reads_before
    stats = sandbox.get("/sandbox/stats").json()
    deliveries = sandbox.get("/sandbox/deliveries").json()[deliveries_before:]
    ids = [(d.get("response") or {}).get("job_id") for d in deliveries]
    jobs = [j for j in Job.fetch_many([i for i in ids if i], connection=connection,
                                         serializer=JSONSerializer) if j]
    enqueued = [j.enqueued_at.timestamp() for j in jobs if j.enqueued_at]
    ended = [j.ended_at.timestamp() for j in jobs if j.ended_at]
    waits = sorted((j.started_at - j.enqueued_at).total_seconds() * 1000
                   for j in jobs if j.started_at and j.enqueued_at)
    service = sorted((j.ended_at - j.started_at).total_seconds() * 1000
                     for j in jobs if j.started_at and j.ended_at)
    statuses = Counter(str(j.get_status(refresh=False)) for j in jobs)
    paths = Counter((j.return_value() or {}).get("path", "?") for j in jobs)
    return {
        "tickets": len(jobs),
        "seconds": max(ended) - min(enqueued),
        "tps": len(jobs) / (max(ended) - min(enqueued)),
        "wait_p50": waits[len(waits) // 2],
        "wait_p99": waits[min(len(waits) - 1, int(0.99 * len(waits)))],
        "create_s": create_s,
        "first_enqueued": min(enqueued) - begin,
        "job_p50": service[len(service) // 2],
        "calls_per_ticket": {p: stats.get(p, {}).get("total", 0) / created[p]
                             for p in PLATFORMS if created[p]},
        "cpu_ms_per_ticket": cpu_ms,
        "redis_commands": {name: n / tickets for name, n in commands.most_common()},
        "redis_round_trips": reads / tickets,
        "statuses": dict(statuses),
        "paths": dict(paths),
    }


def report(label: str, runs: list[dict[str, Any]]) -> None:
    print(f"  {label}: tickets/s {Figure.of([r['tps'] for r in runs]).fmt(1)}")
    print(f"  {label}: queue wait p50 ms {Figure.of([r['wait_p50'] for r in runs]).fmt(0)}")
    print(f"  {label}: queue wait p99 ms {Figure.of([r['wait_p99'] for r in runs]).fmt(0)}")
    print(f"  {label}: job run time p50 ms {Figure.of([r['job_p50'] for r in runs]).fmt(0)}")
    for platform in PLATFORMS:
        values = [r["calls_per_ticket"][platform] for r in runs
                  if platform in r["calls_per_ticket"]]
        if values:
            print(f"  {label}: {platform} API calls per ticket {Figure.of(values).fmt(2)}")
    for name in runs[0]["cpu_ms_per_ticket"]:
        spent = Figure.of([r["cpu_ms_per_ticket"][name] for r in runs])
        print(f"  {label}: CPU ms per ticket, {name}: {spent.fmt(2)}")
    total = Figure.of([sum(r["cpu_ms_per_ticket"].values()) for r in runs])
    print(f"  {label}: CPU ms per ticket, all: {total.fmt(2)}")
    trips = Figure.of([r["redis_round_trips"] for r in runs])
    print(f"  {label}: Redis round trips per ticket (server reads): {trips.fmt(1)}")
    commands = runs[0]["redis_commands"]
    print(f"  {label}: Redis commands per ticket (run 1): {sum(commands.values()):.1f}: "
          + ", ".join(f"{name} {n:.2f}" for name, n in commands.items() if n >= 0.05))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-tickets", type=int, default=300)
    parser.add_argument("--latency-runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--skip-paths", action="store_true")
    parser.add_argument("--profile", type=Path, help="py-spy one worker (and the sandbox) "
                        "through the first run without latency; raw profiles go here")
    args = parser.parse_args()
    print(f"e2e: {machine()}")
    samples = read_samples()
    home = Path(tempfile.mkdtemp(prefix="handoff-bench-e2e-"))
    try:
        with redis_server() as redis_url, \
                bench_stack(home, redis_url, workers=2, platform_extra=UNLIMITED) as stack, \
                httpx.Client(base_url=stack.sandbox_url, timeout=60) as sandbox:
            connection = redis.Redis.from_url(redis_url)
            sessions = stack_sessions(stack, connection)
            for n, platform in enumerate(PLATFORMS * 2):  # warm: scorer, clients, connections
                sandbox.post("/sandbox/tickets", json={**samples[n], "platform": platform})
            wait_jobs(connection, 6, 180)
            if not args.skip_paths:
                print("  API calls per ticket by path (one ticket at a time, costliest sample):")
                for platform, paths in per_path_calls(sandbox, connection, samples).items():
                    for path, routes in sorted(paths.items()):
                        listed = ", ".join(f"{r} x{n}" if n > 1 else r
                                           for r, n in sorted(routes.items()))
                        print(f"    {platform:9s} {path:12s} {sum(routes.values())}: {listed}")
            for label, tickets, runs, latency in (
                ("no injected latency", args.tickets, args.runs, 0),
                (f"{args.latency_ms} ms per API call", args.latency_tickets, args.latency_runs,
                 args.latency_ms),
            ):
                sandbox.delete("/sandbox/faults")
                if latency:
                    sandbox.post("/sandbox/faults", json={"method": "*", "path": ".",
                                                          "latency_ms": latency, "times": None}
                                 ).raise_for_status()
                results = []
                for run in range(runs):
                    spies = [] if args.profile is None or latency or run else [
                        py_spy(proc.pid, args.profile / f"{name}.txt")
                        for name, proc in (("worker", stack.workers[0]),
                                           ("sandbox", stack.sandbox))]
                    got = load_run(sandbox, connection, samples, tickets, sessions)
                    for spy in spies:
                        spy.send_signal(signal.SIGINT)  # py-spy writes its profile and exits
                        spy.wait(timeout=60)
                    results.append(got)
                    print(f"  run {run + 1} ({label}, {tickets} tickets): "
                          f"{got['tps']:.1f} tickets/s over {got['seconds']:.1f} s (created in "
                          f"{got['create_s']:.1f} s), wait p50 "
                          f"{got['wait_p50']:.0f} ms p99 {got['wait_p99']:.0f} ms, job p50 "
                          f"{got['job_p50']:.0f} ms, calls/ticket "
                          + ", ".join(f"{p} {v:.2f}" for p, v in got["calls_per_ticket"].items())
                          + f", jobs {got['statuses']}, paths {got['paths']}", flush=True)
                    time.sleep(1)
                if results:
                    report(label, results)
            sandbox.delete("/sandbox/faults")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def py_spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """``py-spy record`` of `pid` and its children until SIGINT, raw stacks to `out`: only
    the thread holding the GIL is sampled, so the shares are of Python CPU time, not of
    waiting."""
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    return subprocess.Popen([spy, "record", "-p", str(pid), "-r", "200", "-f", "raw", "--gil",
                             "--subprocesses", "-o", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
