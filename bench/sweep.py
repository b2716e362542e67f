"""Threshold sweep: `handoff simulate --sweep` over 100,000 tickets, timed.

    .venv/bin/python bench/sweep.py [--tickets 100000] [--runs 1]
                                    [--source /work/shared/data/eval/intents.jsonl]

The tickets are the evaluation set cycled to `--tickets` rows with fresh ids, written to a
temporary file (never into the repository). Each run is
``/usr/bin/time -v handoff simulate TICKETS --sweep --quiet --config bench/eval.yaml``;
prints wall time, tickets per second and the peak RSS, median (min, max) over the runs.
Skips (exit 0) when this `handoff` has no ``--sweep``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import ROOT, Figure, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--source", type=Path,
                        default=Path("/work/shared/data/eval/intents.jsonl"))
    parser.add_argument("--config", type=Path, default=ROOT / "bench" / "eval.yaml")
    args = parser.parse_args()
    handoff = [sys.executable, "-m", "worker", "simulate"]
    usage = subprocess.run([*handoff, "--help"], capture_output=True, text=True, cwd=ROOT)
    if "--sweep" not in usage.stdout or not args.source.is_file():
        print("sweep: `handoff simulate --sweep` or the ticket file is missing; skipped")
        return
    print(f"sweep: {machine()}; {args.tickets:,} tickets cycled from {args.source}")
    rows = [json.loads(x) for x in args.source.read_text(encoding="utf-8").splitlines()
            if x.strip()]
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-sweep-"))
    tickets = work / "tickets.jsonl"
    with tickets.open("w", encoding="utf-8") as out:
        for n in range(args.tickets):
            out.write(json.dumps({**rows[n % len(rows)], "id": f"sweep-{n}"}) + "\n")
    walls, rss = [], []
    try:
        for run in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run(
                ["/usr/bin/time", "-v", *handoff, str(tickets), "--sweep", "--quiet",
                 "--config", str(args.config)],
                capture_output=True, text=True, cwd=ROOT,
            )
            wall = time.perf_counter() - started
            peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
            if done.returncode != 0:
                print(done.stderr[-2000:])
                raise SystemExit(f"sweep: simulate exited with {done.returncode}")
            walls.append(wall)
            rss.append(int(peak.group(1)) / 1024 if peak else 0.0)
            print(f"  run {run + 1}: {wall:.1f} s, {args.tickets / wall:,.0f} tickets/s, "
                  f"peak RSS {rss[-1]:.0f} MB", flush=True)
            if run == 0:
                print("  " + "\n  ".join(done.stdout.strip().splitlines()[:25]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"  sweep over {args.tickets:,} tickets: wall s {Figure.of(walls).fmt(1)}, "
          f"tickets/s {Figure.of([args.tickets / w for w in walls]).fmt(0)}, "
          f"peak RSS MB {Figure.of(rss).fmt(0)}")


if __name__ == "__main__":
    main()
