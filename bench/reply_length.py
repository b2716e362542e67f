"""Reply length and key-step coverage of two `handoff simulate --out` runs, on the dev half.

    .venv/bin/python bench/reply_length.py /tmp/before.jsonl /tmp/after.jsonl \
        --history /work/shared/data/eval/history.jsonl

Only tickets whose ids the history file holds are counted (the half choices may be made
on; see docs/quality.md "Tickets never seen"), and only those both runs auto-resolved.
A key step is a list item of the first run's reply (the whole article); it is covered
when the second run's reply holds its text. Prints characters (median, mean, p90) and
coverage (mean share of steps kept, share of replies keeping every step). Exits 2 when a
line is not JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any

from core.passages import key_steps


def _rows(path: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    sys.exit(f"{path}:{number}: not JSON: {exc}")
                rows[str(row["id"])] = row
    return rows


def _lengths(replies: list[str]) -> str:
    sizes = sorted(len(r) for r in replies)
    p90 = sizes[int(0.9 * (len(sizes) - 1))]
    return (f"median {statistics.median(sizes):.0f}, mean {statistics.fmean(sizes):.0f}, "
            f"p90 {p90}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--history", required=True)
    args = parser.parse_args()
    dev = set(_rows(args.history))
    before, after = _rows(args.before), _rows(args.after)
    pairs = [(before[i]["reply"], after[i]["reply"]) for i in sorted(dev & set(before))
             if i in after and before[i]["path"] == after[i]["path"] == "auto_resolve"]
    print(f"dev-half auto-resolved replies: {len(pairs)}")
    print(f"characters before: {_lengths([b for b, _ in pairs])}")
    print(f"characters after:  {_lengths([a for _, a in pairs])}")
    shares = [sum(s in a for s in steps) / len(steps)
              for b, a in pairs if (steps := key_steps(b))]
    print(f"replies with steps: {len(shares)}; steps kept: mean {statistics.fmean(shares):.3f}, "
          f"every step {sum(s == 1.0 for s in shares) / len(shares):.3f}")


if __name__ == "__main__":
    main()
