"""``handoff policy edit``: how long the preview (two engine runs) takes over a history file.

    .venv/bin/python bench/policy_edit.py [--tickets 8097]
                                          [--source /work/shared/data/eval/intents.jsonl]

Runs the command in-process on a copy of `bench/eval.yaml` with an `llm:` section, the
model's answer faked at the transport (respx: no network, so the figure is Handoff's own
cost, not the model's), `--tickets` rows cycled from `--source` with fresh ids, answering
`n` at the question. Prints the wall time and tickets per second for the whole command,
whose cost is one scoring pass plus two policy passes. Skips (exit 0) without the source.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import respx
from click.testing import CliRunner
from support import ROOT, machine

from worker.cli import main as handoff

ANSWER = {"summary": "Escalate billing disputes over $500; draft smaller ones.", "changes": {
    "policy": {"never_auto_resolve": ["billing"]},
    "rules": {"list": [{"name": "billing disputes over $500",
                        "when": {"signals": ["high_risk:billing"],
                                 "amount": {"over": 500, "currency": "USD"}},
                        "then": {"action": "escalate"}}]},
}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=8097)
    parser.add_argument("--source", type=Path,
                        default=Path("/work/shared/data/eval/intents.jsonl"))
    args = parser.parse_args()
    if not args.source.is_file():
        print(f"policy edit: {args.source} is missing; skipped")
        return
    rows = [json.loads(x) for x in args.source.read_text(encoding="utf-8").splitlines()
            if x.strip()]
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-policy-edit-"))
    try:
        tickets = work / "tickets.jsonl"
        with tickets.open("w", encoding="utf-8") as out:
            for n in range(args.tickets):
                out.write(json.dumps({**rows[n % len(rows)], "id": f"edit-{n}"}) + "\n")
        config = work / "handoff.yaml"
        config.write_text((ROOT / "bench" / "eval.yaml").read_text(encoding="utf-8")
                          + "llm: {provider: openai, model: bench, base_url: "
                            "'https://llm.invalid/v1'}\n", encoding="utf-8")
        os.environ["HANDOFF_LLM_API_KEY"] = "bench"
        content = json.dumps(ANSWER)
        reply = httpx.Response(200, json={"choices": [{"message": {"content": content}}]})
        with respx.mock:
            respx.post("https://llm.invalid/v1/chat/completions").mock(return_value=reply)
            started = time.perf_counter()
            result = CliRunner().invoke(handoff, ["policy", "edit", "only escalate billing "
                                                  "disputes over $500", "--config", str(config),
                                                  "--tickets", str(tickets)], input="n\n")
            wall = time.perf_counter() - started
        if result.exit_code != 1 or "simulated over" not in result.stdout:
            raise SystemExit(f"policy edit did not run as expected:\n{result.output}")
        print(f"policy edit: {machine()}; {args.tickets:,} tickets from {args.source}")
        print(f"  preview wall time {wall:.1f} s, {args.tickets / wall:,.0f} tickets/s "
              "(one scoring pass, two policy passes)")
        split = result.stdout[result.stdout.index("simulated over"):]
        print("\n".join("  " + line for line in split.splitlines()[:8]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
