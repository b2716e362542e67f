"""Rate budget: tickets processed at the budget's pace, with the sandbox enforcing the same limit.

    .venv/bin/python bench/ratebudget.py [--tickets 50] [--calls 100] [--per-seconds 60]
                                          [--window 10] [--runs 1]

Starts the sandbox, the receiver and two workers with ``rate_budget: {calls, per_seconds}``
on every platform (connectors/ratelimit.py), tells the sandbox to answer 429 beyond the
same limit (``POST /sandbox/rate-limits``, fixed windows like a helpdesk's per-minute
counter), creates `tickets` Zendesk tickets at once, and waits until every job has ended.
Prints the API calls the sandbox saw per `window` seconds, the most calls in any sliding
`per_seconds` interval (must be <= calls), and the 429s the sandbox answered (must be 0).
The workers are warmed up first (scorer loaded), and the warm-up's budget is then cleared.
The issue's case is 500 tickets at 100 calls/min (about 15 min); `run_all.py` runs the
same pace with the time scaled down (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import redis
from support import Figure, bench_stack, machine, read_samples, redis_server, wait_jobs


def max_in_window(times: list[float], per: float) -> int:
    """The most calls inside any interval of `per` seconds (two-pointer sweep)."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= per:
            start += 1
        best = max(best, end - start + 1)
    return best


def one_run(tickets: int, calls: int, per: float, window: float,
            max_wait: float | None) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="handoff-bench-rate-"))
    samples = [s for s in read_samples() if not s.get("tags")]
    budget: dict[str, object] = {"rate_budget": {"calls": calls, "per_seconds": per}}
    if max_wait is not None:
        budget["max_total_wait_seconds"] = max_wait
    # Zendesk's Update Ticket limit (100/min by default) scales with the budget, so the
    # account budget under test is the one that binds.
    update = {"update_ticket_budget": {"calls": calls, "per_seconds": per}}
    try:
        extra = {"*": budget, "zendesk": update}
        with redis_server() as redis_url, bench_stack(home, redis_url, 2, extra) as stack, \
                httpx.Client(base_url=stack.sandbox_url, timeout=30) as sandbox:
            connection = redis.Redis.from_url(redis_url)
            for n in range(4):  # warm both workers: scorer, clients, connections
                sandbox.post("/sandbox/tickets", json={**samples[n], "platform": "zendesk"})
            wait_jobs(connection, 4, 180)
            for key in connection.scan_iter("handoff:rate:*"):
                connection.delete(key)
            sandbox.delete("/sandbox/rate-limits").raise_for_status()
            sandbox.post("/sandbox/rate-limits", json={"platform": "zendesk", "calls": calls,
                                                       "per_seconds": per}).raise_for_status()
            started = time.time()
            for n in range(tickets):
                sample = samples[n % len(samples)]
                sandbox.post("/sandbox/tickets", json={**sample, "platform": "zendesk",
                                                       "external_id": f"{sample['id']}-{n}"})
            ended = wait_jobs(connection, 4 + tickets, timeout=tickets * 10 * per / calls + 120)
            state = sandbox.get("/sandbox/rate-limits").json()
            done, failed = connection.zcard("rq:finished:handoff"), \
                connection.zcard("rq:failed:handoff")
            rescheduled, retried = retry_counts(connection)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    times = sorted(state["call_times"].get("zendesk", []))
    first = times[0] if times else started
    buckets = [0] * (int((times[-1] - first) // window) + 1 if times else 0)
    for t in times:
        buckets[int((t - first) // window)] += 1
    return {"calls": len(times), "seconds": ended - started, "per_window": buckets,
            "max_in_budget_window": max_in_window(times, per),
            "rejected": state["rejected"].get("zendesk", 0),
            "finished": done - 4, "failed": failed, "rescheduled": rescheduled,
            "retried": retried}


def retry_counts(connection: redis.Redis) -> tuple[int, int]:
    """(rate-limit reschedules, error retries spent) summed over every ended job.

    A reschedule (worker/effects/reschedule.py) counts in rq's ``number_of_retries``; an
    error retry lowers ``retries_left`` below the number of retry intervals.
    """
    rescheduled = retried = 0
    for registry in ("rq:finished:handoff", "rq:failed:handoff"):
        for job_id in connection.zrange(registry, 0, -1):
            fields = connection.hmget(f"rq:job:{job_id.decode()}", "number_of_retries",
                                      "retries_left", "retry_intervals")
            rescheduled += int(fields[0] or 0)
            intervals = len(json.loads(fields[2])) if fields[2] else 0
            retried += intervals - int(fields[1] or intervals)
    return rescheduled, retried


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--per-seconds", type=float, default=60)
    parser.add_argument("--window", type=float, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--max-wait", type=float, help="platforms' max_total_wait_seconds "
                        "(default: the setting's default, 30 s)")
    args = parser.parse_args()
    print(f"ratebudget: {machine()}")
    print(f"  budget {args.calls} calls / {args.per_seconds:g} s, sandbox limit the same, "
          f"{args.tickets} Zendesk tickets, 2 workers, max_total_wait_seconds "
          f"{args.max_wait or 'default'}")
    runs = []
    for run in range(args.runs):
        got = one_run(args.tickets, args.calls, args.per_seconds, args.window, args.max_wait)
        runs.append(got)
        print(f"  run {run + 1}: {got['calls']} calls in {got['seconds']:.1f} s, calls per "
              f"{args.window:g} s window {got['per_window']}, most in any "
              f"{args.per_seconds:g} s: {got['max_in_budget_window']} (limit {args.calls}), "
              f"429s {got['rejected']}, jobs finished {got['finished']} failed {got['failed']}, "
              f"rate-limit reschedules {got['rescheduled']}, error retries spent "
              f"{got['retried']}, {got['calls'] / got['seconds'] * 60:.1f} calls/min",  # type: ignore[operator]
              flush=True)
    windows = [list(r["per_window"]) for r in runs]  # type: ignore[call-overload]
    print(f"  calls per {args.window:g} s window: mean "
          f"{Figure.of([sum(w) / len(w) for w in windows]).fmt(1)}, "
          f"max {Figure.of([max(w) for w in windows]).fmt(0)}; most in any "
          f"{args.per_seconds:g} s {Figure.of([r['max_in_budget_window'] for r in runs]).fmt(0)};"
          f" 429s total {sum(r['rejected'] for r in runs)}"  # type: ignore[misc]
          f"  (target: 0 429s, at most {args.calls} calls in any {args.per_seconds:g} s)")


if __name__ == "__main__":
    main()
