"""Decision: per-ticket `core.engine.decide` time with the scorer a worker builds.

    .venv/bin/python bench/decision.py [--tickets /work/shared/data/eval/intents.jsonl]
                                       [--config bench/eval.yaml] [--limit 1000] [--runs 3]

Each run is a fresh process (so model load time and RSS are those of a new worker): it
loads the settings, builds the scorer with worker.scoring.build_scorer (as
worker/runtime.py does; the default local scorer unless the config names an LLM),
decides 20 tickets to warm up, then times `decide` on `--limit` tickets from the file
(read, never copied). Prints model load time, p50/p99 per ticket, tickets/s of the whole
pass and the process's RSS (VmRSS, and the peak VmHWM), median (min, max) over the runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from support import ROOT, Figure, machine

DEFAULT_TICKETS = Path("/work/shared/data/eval/intents.jsonl")


def measure(tickets: Path, config: Path, limit: int) -> dict[str, float]:
    """One run inside this process (called in a child by `main`)."""
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    from core.engine import decide
    from core.simulation import ticket_from_row
    from infra.config import load_settings
    from worker.scoring import build_scorer

    settings = load_settings(config)
    scorer = build_scorer(settings)
    load_s = time.perf_counter() - started
    rows = [json.loads(x) for x in tickets.read_text(encoding="utf-8").splitlines() if x.strip()]
    # Spread the sample over the whole file: it is grouped by intent.
    step = max(1, len(rows) // limit)
    chosen = [ticket_from_row(r) for r in rows[::step][:limit]]
    for ticket in chosen[:20]:
        decide(ticket, scorer, settings)
    timings = []
    begin = time.perf_counter()
    for ticket in chosen:
        t0 = time.perf_counter()
        decide(ticket, scorer, settings)
        timings.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - begin
    timings.sort()
    status = Path("/proc/self/status").read_text().splitlines()
    mem = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status
           if line.startswith(("VmRSS", "VmHWM"))}
    return {"load_s": load_s, "p50_ms": timings[len(timings) // 2],
            "p99_ms": timings[min(len(timings) - 1, int(0.99 * len(timings)))],
            "tps": len(timings) / total, "rss_mb": mem["VmRSS"], "hwm_mb": mem["VmHWM"],
            "n": len(timings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=Path, default=DEFAULT_TICKETS)
    parser.add_argument("--config", type=Path, default=ROOT / "bench" / "eval.yaml")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.tickets, args.config, args.limit)))
        return
    if not args.tickets.is_file():
        print(f"decision: {args.tickets} not found; skipped")
        return
    print(f"decision: {machine()}; config {args.config}, tickets {args.tickets}")
    runs = []
    for run in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--tickets", str(args.tickets),
             "--config", str(args.config), "--limit", str(args.limit)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        ).stdout
        got = json.loads(out.strip().splitlines()[-1])
        runs.append(got)
        print(f"  run {run + 1}: load {got['load_s']:.2f} s, p50 {got['p50_ms']:.2f} ms, "
              f"p99 {got['p99_ms']:.2f} ms, {got['tps']:.0f} tickets/s over {got['n']} "
              f"tickets, RSS {got['rss_mb']:.0f} MB (peak {got['hwm_mb']:.0f} MB)", flush=True)
    print("  decision, warm, one process:")
    for key, label, digits in (("load_s", "model load s", 2), ("p50_ms", "p50 ms", 2),
                               ("p99_ms", "p99 ms", 2), ("tps", "tickets/s", 0),
                               ("rss_mb", "RSS MB", 0), ("hwm_mb", "peak RSS MB", 0)):
        print(f"    {label:13s} {Figure.of([r[key] for r in runs]).fmt(digits)}")
    print("  targets: p50 < 15 ms, >= 100 tickets/s, worker RSS <= 600 MB with the model loaded")


if __name__ == "__main__":
    main()
