"""Memory per worker process: `handoff worker --processes N` against N separate workers.

    .venv/bin/python bench/worker_pss.py [--processes 1 2 4]

For each N, starts the workers on a private Redis, waits until N rq workers are registered
(each has built its runtime, models included, by then) and 3 s more, then sums PSS
(proportional set size: a page shared by k processes counts 1/k in each) over the
process tree, rq's scheduler process included. "Per extra worker" is the difference to the
smallest N divided by the added workers. Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path

import psutil
import redis
from rq import Worker
from support import ROOT, child, handoff_cmd, machine, redis_server


def tree_pss_mb(roots: list[int]) -> float:
    """Summed PSS of `roots` and all their descendants, in MB."""
    total = 0
    for root in roots:
        process = psutil.Process(root)
        for member in [process, *process.children(recursive=True)]:
            total += member.memory_full_info().pss
    return total / 1e6


def measure(n: int, pooled: bool, url: str, work: Path) -> float:
    """The tree's PSS with `n` workers, forked from one parent or started separately."""
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    env = {**os.environ, "REDIS_URL": url, "HANDOFF_HOME": str(work / f"home-{n}-{pooled}"),
           "HANDOFF_CONFIG": str(ROOT / "config" / "handoff.yaml")}
    commands = [handoff_cmd("worker", "--processes", str(n))] if pooled \
        else [handoff_cmd("worker") for _ in range(n)]
    with contextlib.ExitStack() as stack:
        procs = [stack.enter_context(child(c, env, work / f"w-{n}-{pooled}-{i}.log"))
                 for i, c in enumerate(commands)]
        deadline = time.monotonic() + 180
        while len(Worker.all(connection=connection)) < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"worker_pss: {n} workers did not register")
            time.sleep(0.2)
        time.sleep(3)
        return tree_pss_mb([p.pid for p in procs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(f"worker PSS: {machine()}")
    with redis_server() as url, tempfile.TemporaryDirectory() as tmp:
        for pooled in (True, False):
            figures = {n: measure(n, pooled, url, Path(tmp)) for n in args.processes}
            low = min(figures)
            label = "--processes N" if pooled else "N separate workers"
            for n, pss in figures.items():
                extra = f", {(pss - figures[low]) / (n - low):.0f} MB per extra worker" \
                    if n > low else ""
                print(f"  {label:<20} N={n}: tree PSS {pss:.0f} MB{extra}")


if __name__ == "__main__":
    main()
