"""Summarise a py-spy ``--format raw`` (collapsed stacks) profile: inclusive share per frame.

    .venv/bin/python bench/pyspy_summary.py PROFILE.txt [--top 40] [--match TEXT]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def inclusive(path: Path) -> tuple[Counter[str], Counter[str], int]:
    """Samples per frame counted once per stack (inclusive) and at the leaf (self)."""
    incl: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            incl[frame] += n
        self_[frames[-1]] += n
    return incl, self_, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="")
    args = parser.parse_args()
    incl, self_, total = inclusive(args.profile)
    print(f"{total} samples; inclusive share per frame (self share):")
    for frame, n in incl.most_common():
        if args.match and args.match not in frame:
            continue
        print(f"  {100 * n / total:5.1f}%  ({100 * self_[frame] / total:4.1f}%)  {frame}")
        args.top -= 1
        if args.top <= 0:
            break


if __name__ == "__main__":
    main()
