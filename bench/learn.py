"""`handoff learn` on a long history: wall time and peak RSS, by history length.

    .venv/bin/python bench/learn.py [--tickets 100000] [--config bench/eval.yaml]
                                    [--source /work/shared/data/eval/history.jsonl]
                                    [--keep-index DIR]

The history is the exported dev history cycled to `--tickets` rows with fresh ids; after
the first cycle each question gets a few words and a number appended, so the questions stay
distinct and the learned examples grow with N as they would with real customers. Written to
a temporary directory with its own index directory (never into the repository). Each run is
``/usr/bin/time -v handoff learn HISTORY --quiet --config TMP.yaml``. With `--keep-index`
the index directory is DIR and stays (for `bench/bench_engine.py` on an index of that size),
beside DIR.yaml, the config that uses it. Not a test.
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

import yaml
from support import ROOT, machine

FILLERS = ("thanks", "please help", "asap", "regarding my account", "quick question")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--source", type=Path,
                        default=Path("/work/shared/data/eval/history.jsonl"))
    parser.add_argument("--config", type=Path, default=ROOT / "bench" / "eval.yaml")
    parser.add_argument("--keep-index", type=Path)
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"learn: {args.source} is missing; skipped")
        return
    print(f"learn: {machine()}; {args.tickets:,} history tickets cycled from {args.source}")
    lines = [x for x in args.source.read_text(encoding="utf-8").splitlines() if x.strip()]
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-learn-"))
    try:
        history = work / "history.jsonl"
        with history.open("w", encoding="utf-8") as out:
            for n in range(args.tickets):
                row = json.loads(lines[n % len(lines)])
                if n >= len(lines):  # later cycles ask in other words, as new customers do
                    first = dict(row["messages"][0])
                    first["body"] = f"{first['body']} ({FILLERS[n % len(FILLERS)]} {n})"
                    row["messages"] = [first, *row["messages"][1:]]
                out.write(json.dumps({**row, "id": f"learn-{n}"}) + "\n")
        settings = yaml.safe_load(args.config.read_text(encoding="utf-8"))
        index = args.keep_index.resolve() if args.keep_index else work / "index"
        settings["index_dir"] = str(index)
        config = index.with_suffix(".yaml") if args.keep_index else work / "handoff.yaml"
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", sys.executable, "-m", "worker", "learn", str(history),
             "--quiet", "--config", str(config)], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-2000:])
            raise SystemExit(f"learn: exited with {done.returncode}")
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        size = (index / "learned.json").stat().st_size / 1e6
        print("  " + "\n  ".join(done.stdout.strip().splitlines()[-3:]))
        print(f"  learn over {args.tickets:,} tickets: {wall:.1f} s, "
              f"{args.tickets / wall:,.0f} tickets/s, peak RSS "
              f"{int(peak.group(1)) / 1024 if peak else 0:.0f} MB, learned.json {size:.1f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
