"""``handoff learn --gaps``: the knowledge-gap report, as HTML and the same data as JSON.

A second streaming pass over the history reads back the tickets the learned index
holds as abstained from (matched to no article), embeds their questions and replies,
and hands them to `core.gaps`. Only those tickets are held in memory.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from core.gaps import GapTicket, gap_report
from core.learning import Unusable, pair_from_row
from core.retrieval import HybridScorer
from worker.learned import LearnedIndex


def collect(path: Path, index: LearnedIndex) -> list[GapTicket]:
    """The abstained tickets of `path`, in file order; raises OSError or
    UnicodeDecodeError as reading does (the learn pass has read the file already)."""
    found: list[GapTicket] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                pair = pair_from_row(json.loads(line))
            except (json.JSONDecodeError, Unusable):
                continue
            learned_as = index.slot_of(pair.ticket_id)
            if learned_as is not None and learned_as.startswith("?") and pair.questions:
                found.append(GapTicket(pair.ticket_id, pair.questions[0], pair.readable,
                                       learned_as[1:] or None))
    return found


def report(path: Path, index: LearnedIndex, base: HybridScorer) -> list[dict[str, Any]]:
    """The gap clusters of `path` (see `core.gaps.gap_report`)."""
    items = collect(path, index)
    embed = base.embedder.embed
    return gap_report(items, embed([i.question for i in items]), embed([i.reply for i in items]))


def write(gaps: list[dict[str, Any]], html_path: Path) -> Path:
    """Write the HTML page and, beside it, the same data as JSON (``.json``); OSError
    when a file cannot be written. Returns the JSON path."""
    json_path = html_path.with_suffix(".json")
    json_path.write_text(json.dumps({"clusters": gaps}, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    html_path.write_text(page(gaps), encoding="utf-8")
    return json_path


def page(gaps: list[dict[str, Any]]) -> str:
    """A self-contained page: no script, no external resource."""
    parts = ["<!doctype html><meta charset='utf-8'><title>Knowledge gaps</title>",
             "<style>body{font:15px system-ui;max-width:60em;margin:2em auto}"
             "pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}</style>",
             "<h1>Knowledge gaps</h1>",
             f"<p>{len(gaps)} clusters of answered tickets that matched no article, "
             "biggest first. Each draft is the agents' most typical reply, ready to edit "
             "and save in the knowledge directory.</p>"]
    for number, gap in enumerate(gaps, 1):
        near = ", ".join(f"{html.escape(n['article'])} ({n['tickets']})"
                         for n in gap["near_articles"]) or "none"
        questions = "".join(f"<li>{html.escape(q)}</li>" for q in gap["questions"])
        parts.append(f"<h2>{number}. {gap['tickets']} tickets</h2><ul>{questions}</ul>"
                     f"<p>Closest articles: {near}</p><pre>{html.escape(gap['draft'])}</pre>")
    return "\n".join(parts) + "\n"
