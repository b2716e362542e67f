"""Decision latency and simulate throughput with the default local scorer.

    .venv/bin/python bench/bench_engine.py [TICKETS.jsonl] [--config FILE]

Defaults to the repository's sample tickets and config. Prints p50/p95/p99 of
one `decide` call (scorer and models already loaded, as in a worker) and the
tickets per second of a whole pass. Not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from core.engine import decide
from core.simulation import ticket_from_row
from infra.config import load_settings
from worker.scoring import build_scorer

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tickets", nargs="?", default=str(ROOT / "config/samples/tickets.jsonl"))
    parser.add_argument("--config", default=str(ROOT / "config/handoff.yaml"))
    parser.add_argument("--limit", type=int, default=3000)
    args = parser.parse_args()
    started = time.perf_counter()
    settings = load_settings(args.config)
    scorer = build_scorer(settings)
    print(f"scorer built in {time.perf_counter() - started:.2f} s")
    lines = Path(args.tickets).read_text(encoding="utf-8").splitlines()
    tickets = [ticket_from_row(json.loads(x)) for x in lines if x.strip()][: args.limit]
    while len(tickets) < 200:
        tickets = tickets * 2
    for t in tickets[:20]:
        decide(t, scorer, settings)  # warm caches the way a long-lived worker has them
    timings = []
    started = time.perf_counter()
    for t in tickets:
        begin = time.perf_counter()
        decide(t, scorer, settings)
        timings.append((time.perf_counter() - begin) * 1000)
    total = time.perf_counter() - started
    timings.sort()
    pick = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]  # noqa: E731
    print(f"decisions: {len(timings)}")
    print(f"p50 {statistics.median(timings):.2f} ms, p95 {pick(0.95):.2f} ms, "
          f"p99 {pick(0.99):.2f} ms")
    print(f"throughput: {len(timings) / total:.0f} tickets/s (one process)")


if __name__ == "__main__":
    main()
