"""The part of an article that answers the question, not the whole article.

An article is cut into passages: a section under a Markdown heading, a list of steps
with the line that introduces it, or a paragraph. The article's own greeting (a short
first line ending in a comma) and sign-off (a short last line without a full stop) are
kept as they are. Each passage is scored by the question's terms it holds; the best
passage and those within `KEEP_SHARE` of it are kept, in the article's order, and so
is every list of steps (what the customer has to do is never cut). When no
passage shares a term with the question, or every passage would be kept, the article is
returned whole: nothing was learned about what to leave out. Pure; never raises.
"""

from __future__ import annotations

import math
import re

from core.models import Ticket
from core.text import terms

KEEP_SHARE = 0.5
"""A passage is kept when its score is at least this share of the best passage's."""

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+")
_GREETING_WORDS = 6


def paragraphs(text: str) -> list[str]:
    """`text`'s paragraphs (split at blank lines), empty ones left out."""
    return [p for p in _PARAGRAPH.split(text.replace("\r\n", "\n").strip()) if p.strip()]


def answering(body: str, question: str) -> str:
    """The passages of `body` that answer `question`, with the article's greeting and
    sign-off; `body` unchanged when it cannot tell what to leave out."""
    parts = paragraphs(body)
    head = parts.pop(0) if len(parts) > 1 and greets(parts[0]) else None
    tail = parts.pop() if len(parts) > 1 and signs_off(parts[-1]) else None
    blocks = _blocks(parts)
    wanted = set(terms(question))
    scores = [_score(p, wanted) for p in blocks]
    best = max(scores, default=0.0)
    if best <= 0.0:
        return body
    kept = [p for p, s in zip(blocks, scores, strict=True)
            if s >= KEEP_SHARE * best or key_steps(p)]
    if len(kept) == len(blocks):
        return body
    return "\n\n".join(b for b in (head, *kept, tail) if b)


def key_steps(body: str) -> list[str]:
    """The article's list items (its steps), without their markers: what a reply must
    keep to still tell the customer what to do."""
    return [_ITEM.sub("", line).strip() for line in body.splitlines() if _ITEM.match(line)]


def _blocks(parts: list[str]) -> list[str]:
    """Passages in order: a section under a heading whole; a list with its introduction
    (the line before it ending in a colon); otherwise each paragraph, where a line
    after a list starts a new one."""
    passages: list[list[str]] = []
    section = False
    for paragraph in parts:
        fresh = True
        for line in (x for x in paragraph.split("\n") if x.strip()):
            last = passages[-1] if passages else None
            if last is not None and _joins(line, last[-1], fresh, section):
                last.extend(["", line] if fresh else [line])
            else:
                passages.append([line])
                section = section or bool(_HEADING.match(line))
            fresh = False
    return ["\n".join(p) for p in passages]


def _joins(line: str, previous: str, fresh: bool, section: bool) -> bool:
    if _HEADING.match(line):
        return False
    if section:
        return True
    if _ITEM.match(line):
        return bool(_ITEM.match(previous)) or previous.rstrip().endswith(":")
    return not fresh and not _ITEM.match(previous)


def question(ticket: Ticket) -> str:
    """What the reply should answer: the subject and the customer's newest message."""
    newest = ticket.customer_messages()[-1:]
    return "\n".join([ticket.subject, *(m.text for m in newest)])


def _score(passage: str, wanted: set[str]) -> float:
    own = terms(passage)
    if not own:
        return 0.0
    # Shared distinct terms, damped by length so a long passage does not win on size.
    return len(wanted & set(own)) / math.sqrt(len(set(own)))


def greets(block: str) -> bool:
    """Whether a paragraph is a greeting: one short line ending in a comma."""
    return "\n" not in block and block.rstrip().endswith(",") \
        and len(block.split()) <= _GREETING_WORDS


def signs_off(block: str) -> bool:
    """Whether a paragraph is a sign-off: one short line without a full stop."""
    return "\n" not in block and not re.search(r"[.!?:]\s*$", block) \
        and len(block.split()) <= _GREETING_WORDS and not _ITEM.match(block)
