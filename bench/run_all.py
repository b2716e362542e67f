"""Run every benchmark with the settings docs/performance.md reports; about 10 minutes.

    python3 dev.py bench            (or .venv/bin/python bench/run_all.py [--quick])

Each benchmark prints its own figures (median, min and max over its runs). The sizes
below are chosen so that the whole set fits in 10 minutes on a 2-core machine; where
that means less than the issue's full case, the figure's line in docs/performance.md
says so and gives the command for the full case. `--quick` is a smoke run (a minute).
Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from worker.cli.serve import RECEIVER_THREADS, receiver_workers

BENCH = Path(__file__).resolve().parent

FULL = [
    # The recommended set-up (gthread, cores + 1 processes), then sync workers beside it.
    ["ingest.py", "--seconds", "10", "--runs", "3", "--servers",
     f"gthread:{receiver_workers()}:{RECEIVER_THREADS},sync:{receiver_workers()}"],
    ["decision.py", "--runs", "3", "--limit", "1000"],
    # The issue's pace with time divided by 10, the connectors' 30 s wait included.
    ["ratebudget.py", "--tickets", "150", "--calls", "100", "--per-seconds", "6",
     "--window", "1", "--max-wait", "3", "--runs", "3"],
    ["e2e.py", "--tickets", "600", "--runs", "3", "--latency-tickets", "90",
     "--latency-runs", "3"],
    ["sweep.py", "--tickets", "10000", "--runs", "1"],
]
QUICK = [
    ["ingest.py", "--seconds", "3", "--runs", "1"],
    ["decision.py", "--runs", "1", "--limit", "100"],
    ["ratebudget.py", "--tickets", "20", "--calls", "20", "--per-seconds", "3",
     "--window", "1", "--max-wait", "1.5"],
    ["e2e.py", "--tickets", "60", "--runs", "1", "--latency-tickets", "15",
     "--latency-runs", "1", "--skip-paths"],
    ["sweep.py", "--tickets", "500", "--runs", "1"],
]


def main(argv: list[str]) -> int:
    plan = QUICK if "--quick" in argv else FULL
    started = time.monotonic()
    failed = 0
    for args in plan:
        print(f"\n$ .venv/bin/python bench/{' '.join(args)}", flush=True)
        begin = time.monotonic()
        code = subprocess.call([sys.executable, str(BENCH / args[0]), *args[1:]], cwd=BENCH.parent)
        print(f"  ({time.monotonic() - begin:.0f} s, exit {code})", flush=True)
        failed += code != 0
    print(f"\nall benchmarks: {time.monotonic() - started:.0f} s, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
