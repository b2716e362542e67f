"""Per-language figures on the labelled multilingual set (bench/multilingual/*.yaml).

    .venv/bin/python bench/multilingual.py [--config FILE] [--rules-only]
        [--heldout | --fresh | --round4 | ... | --round8]

`--heldout` reads bench/multilingual-heldout instead: messages written after the trigger
phrases were frozen (the main set was used while writing them). `--fresh` reads
bench/multilingual-fresh: a round written before the compositional human-request
detector was designed, never used to change it. `--round4` to
`--round8` read the rounds written independently (by other writers, who saw none of the
sets or phrase lists) to measure the learned human-request model: round 4 was measured
once and then trained on, rounds 5 and 6 joined the training after their figures were
taken, round 7's errors led to the preference cues (`negation_contrast`), and round 8,
never trained on, chose between two models (docs/quality.md says how). `--rules-only`
turns that model off (``triggers.human_request_model: false``), for the figures before it.

Each message becomes a one-message ticket and goes through `decide` with the local
scorer, as in a worker. Every other short message (1 or 2 words) carries its
language as the requester's helpdesk locale, as a helpdesk that knows the customer
would send it; the rest carry none. Prints per language:

- language accuracy on messages of 3+ words (the detector's answer, default included);
- on shorter messages: how often the locale was used, and that no guess was made;
- human-request recall and precision (the ``human_request`` signal);
- reply language: every public reply (escalation message, offer, answer) is identified
  with the detector; "own" is the share in the customer's language, "wrong" counts
  replies in neither the customer's language nor the fallback.
Not a test; figures go to docs/quality.md.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.multilingual_set import (
    DIR,
    FRESH,
    HELDOUT,
    ROUND4,
    ROUND5,
    ROUND6,
    ROUND7,
    ROUND8,
    Row,
    rows,
)
from core.engine import decide
from core.language import detector
from core.models import Message, PublicReply, Requester, Role, Ticket
from core.triggers import HUMAN_REQUEST
from infra.config import load_settings
from worker.scoring import build_scorer

ROOT = Path(__file__).resolve().parents[1]
WHEN = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def as_ticket(row: Row, index: int, locale: str | None) -> Ticket:
    return Ticket(id=f"ml-{index}", platform="bench", subject="",
                  requester=Requester(id=f"r-{index}", locale=locale),
                  messages=(Message(author=Role.CUSTOMER, text=row.text, created_at=WHEN),),
                  updated_at=WHEN)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(ROOT / "config/handoff.yaml"))
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--heldout", action="store_true")
    which.add_argument("--fresh", action="store_true")
    which.add_argument("--round4", action="store_true")
    which.add_argument("--round5", action="store_true")
    which.add_argument("--round6", action="store_true")
    which.add_argument("--round7", action="store_true")
    which.add_argument("--round8", action="store_true")
    parser.add_argument("--rules-only", action="store_true")
    args = parser.parse_args()
    settings = load_settings(args.config)
    if args.rules_only:
        settings = settings.model_copy(update={"triggers": settings.triggers.model_copy(
            update={"human_request_model": False})})
    scorer = build_scorer(settings)
    languages = settings.language
    identify = detector(languages.languages)
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    short_seen = 0
    for index, row in enumerate(rows(_directory(args))):
        s = stats[row.language]
        locale = None
        if row.words < 3:
            short_seen += 1
            locale = row.language if short_seen % 2 == 0 else None
        decision = decide(as_ticket(row, index, locale), scorer, settings)
        if row.words >= 3:
            s["long"] += 1
            s["long_right"] += decision.language == row.language
        else:
            s["short"] += 1
            s["short_locale"] += locale is not None
            s["short_right"] += decision.language == (locale or languages.default)
        asked = any(sig.name == HUMAN_REQUEST for sig in decision.signals)
        s["tp"] += asked and row.human
        s["fp"] += asked and not row.human
        s["fn"] += row.human and not asked
        for action in decision.actions:
            if isinstance(action, PublicReply):
                said = str(identify.classify(action.body)[0])
                s["replies"] += 1
                s["own"] += said == row.language
                s["wrong"] += said not in (row.language, languages.fallback)
    print("| language | accuracy (3+ words) | short: default/locale kept | human recall "
          "| human precision | replies | in own language | wrong language |")
    print("|---|---|---|---|---|---|---|---|")
    total: dict[str, int] = defaultdict(int)
    for code in languages.languages:
        s = stats.get(code)
        if not s:
            continue
        for key, value in s.items():
            total[key] += value
        print(_line(code, s))
    print(_line("all", total))


def _directory(args: argparse.Namespace) -> Path:
    chosen = {HELDOUT: args.heldout, FRESH: args.fresh, ROUND4: args.round4,
              ROUND5: args.round5, ROUND6: args.round6, ROUND7: args.round7,
              ROUND8: args.round8}
    return next((d for d, on in chosen.items() if on), DIR)


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


def _line(code: str, s: dict[str, int]) -> str:
    return (f"| {code} | {_ratio(s['long_right'], s['long'])} ({s['long']}) "
            f"| {s['short_right']}/{s['short']} ({s['short_locale']} with a locale) "
            f"| {_ratio(s['tp'], s['tp'] + s['fn'])} | {_ratio(s['tp'], s['tp'] + s['fp'])} "
            f"| {s['replies']} | {_ratio(s['own'], s['replies'])} | {s['wrong']} |")


if __name__ == "__main__":
    main()
