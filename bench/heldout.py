"""Write the held-out half of a labelled set: the rows whose ids a history file lacks.

    .venv/bin/python bench/heldout.py /work/shared/data/eval/intents.jsonl \
        /work/shared/data/eval/history.jsonl --out /tmp/heldout.jsonl

Anything learned with `handoff learn HISTORY` is then measured with `handoff simulate`
on tickets it never saw. Prints how many rows were kept and left out. Exits 2 when a
line of either file is not JSON (the line number is printed).
"""

from __future__ import annotations

import argparse
import json
import sys


def _ids(path: str) -> set[str]:
    ids: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    ids.add(str(json.loads(line)["id"]))
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    sys.exit(f"{path}:{number}: no ticket id: {exc}")
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets")
    parser.add_argument("history")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    seen = _ids(args.history)
    kept = dropped = 0
    with open(args.tickets, encoding="utf-8") as source, \
            open(args.out, "w", encoding="utf-8") as out:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                ticket_id = str(json.loads(line)["id"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                print(f"{args.tickets}:{number}: no ticket id: {exc}", file=sys.stderr)
                sys.exit(2)
            if ticket_id in seen:
                dropped += 1
            else:
                kept += 1
                out.write(line if line.endswith("\n") else line + "\n")
    print(f"held out: {kept} rows written to {args.out}; {dropped} rows in the history left out")


if __name__ == "__main__":
    main()
