"""Two-fold cross-validation of `handoff learn` inside the history file (no held-out ticket).

    .venv/bin/python bench/learn_cv.py [--history /work/shared/data/eval/history.jsonl]
        [--tickets /work/shared/data/eval/intents.jsonl] [--config bench/eval.yaml]

The history is split in two halves by a hash of the ticket id. For each half: learn from it
(into a temporary index directory), then simulate the *other* half's labelled tickets
(the rows of `--tickets` whose ids that half holds), and simulate them zero-shot too (the
configured index). Only tickets whose ids the history holds are ever read from `--tickets`,
so the held-out half stays unseen. Prints simulate's metrics for each run. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from support import ROOT

KEYS = ("auto_resolve_rate", "wrong_article_rate", "unnecessary_escalation_rate",
        "human_request_recall", "human_request_precision", "safety_violations")


def half(ticket_id: str) -> int:
    return hashlib.sha256(f"cv{ticket_id}".encode()).digest()[3] % 2


def simulate(tickets: Path, config: Path, work: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "worker", "simulate", str(tickets), "--config",
                           str(config), "--quiet", "--out", str(work / "decisions.jsonl")],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    found = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    return ", ".join(f"{k} {found.get(k)}" for k in KEYS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=Path,
                        default=Path("/work/shared/data/eval/history.jsonl"))
    parser.add_argument("--tickets", type=Path,
                        default=Path("/work/shared/data/eval/intents.jsonl"))
    parser.add_argument("--config", type=Path, default=ROOT / "bench" / "eval.yaml")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-learn-cv-"))
    try:
        rows = [x for x in args.history.read_text(encoding="utf-8").splitlines() if x.strip()]
        side = {json.loads(x)["id"]: half(json.loads(x)["id"]) for x in rows}
        for n in (0, 1):
            (work / f"history{n}.jsonl").write_text(
                "".join(x + "\n" for x in rows if side[json.loads(x)["id"]] == n))
        labelled = {0: [], 1: []}  # type: dict[int, list[str]]
        with args.tickets.open(encoding="utf-8") as handle:
            for line in handle:
                ticket_id = json.loads(line)["id"] if line.strip() else None
                if ticket_id in side:  # never a held-out ticket
                    labelled[side[ticket_id]].append(line)
        settings = yaml.safe_load(args.config.read_text(encoding="utf-8"))
        for learn, test in ((0, 1), (1, 0)):
            tickets = work / f"tickets{test}.jsonl"
            tickets.write_text("".join(labelled[test]), encoding="utf-8")
            config = work / f"learn{learn}.yaml"
            config.write_text(yaml.safe_dump({**settings, "index_dir": str(work / f"i{learn}")}))
            subprocess.run([sys.executable, "-m", "worker", "learn",
                            str(work / f"history{learn}.jsonl"), "--quiet", "--config",
                            str(config)], capture_output=True, cwd=ROOT, check=True)
            print(f"half {test} ({len(labelled[test])} tickets)")
            print(f"  zero-shot: {simulate(tickets, args.config, work)}")
            print(f"  learned on half {learn}: {simulate(tickets, config, work)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
