"""Learn from a helpdesk's own history: which article did the agent answer with?

Input is one exported row at a time (the canonical format `handoff export`
writes), never a file. For a ticket a human agent answered in public:

- `pair_from_row` takes the customer's public question(s) before the agent's
  first public reply, and that reply cleaned of HTML, greetings, sign-offs and
  numbers (`clean_reply`); it raises `Unusable` with the reason otherwise.
- `ReplyMatcher.match` finds the article the reply corresponds to. It combines
  the reply's similarity to each article body (dense + lexical) with the
  zero-shot retrieval of the question, and abstains unless the combined best
  article leads the runner-up by `MARGIN` and the reply on its own ranks it
  first too. Learning from a wrong pair is worse than learning nothing.

Weights and the margin were chosen by cross-validation inside the history file
(see docs/quality.md); nothing here reads a clock or a file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from core.knowledge import KnowledgeDoc
from core.models import Message, Requester, Role, Ticket
from core.retrieval import HybridScorer
from core.scorer import LexicalScorer
from core.text import terms

REPLY_WEIGHT = 0.6  # the rest is the question's zero-shot retrieval
REPLY_DENSE = 0.7  # within the reply score; the rest is lexical
MARGIN = 0.12
MIN_REPLY_TERMS = 4  # fewer content words than this is a greeting or a signature
# Questions kept per article (and per best guess, for abstentions). A few hundred say what
# an article answers; beyond that the index, the worker's memory and the decision time
# would grow with the history for little gain, so later tickets are counted, not kept.
MAX_KEPT = 300

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6])\b[^>]*>", re.I)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b"
    r"[^.!?\n]{0,40}[,!:.]?\s*$", re.I)
_CLOSING = re.compile(
    r"^\s*(((best|kind|warm|warmest)\s+)?(regards|wishes)|sincerely|cheers|best)\b"
    r"[^.!?\n]{0,20}[,!.]?\s*$", re.I)
_THANKS = re.compile(r"^\s*(many\s+)?(thanks|thank you)\b[^.!?\n]{0,30}[,!.]?\s*$", re.I)
_NUMBER = re.compile(r"\+?\d[\d\s().-]{2,}\d|\d+")
_LONG_NUMBER = re.compile(r"#?\+?\d[\d\s().-]{3,}\d")
_BLANKS = re.compile(r"[ \t]+")


class Unusable(ValueError):
    """A history row that cannot teach anything; the message says why."""


@dataclass(frozen=True)
class HistoryPair:
    """One answered ticket: the customer's question(s) and the agent's cleaned reply."""

    ticket_id: str
    questions: tuple[str, ...]
    reply: str
    readable: str = ""  # the reply for people: numbers kept, long ones as "[number]"


@dataclass(frozen=True)
class Match:
    """The article a reply corresponds to, or `article` None when abstaining.

    `candidate` is the best article even when abstaining (for the report), `margin`
    its combined lead over the runner-up, `reason` why it abstained ("" when not).
    """

    ticket_id: str
    article: str | None
    candidate: str | None
    margin: float
    reason: str = ""


def clean_reply(text: str, *, for_reading: bool = False) -> str:
    """The content of an agent reply: HTML tags and entities, greeting and sign-off lines
    (with the name under a sign-off) and digits removed; `for_reading` keeps short numbers
    (list items, "24 hours") and writes long ones (orders, phones) as "[number]".
    Total: never raises."""
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub(" ", text))
    kept: list[str] = []
    for line in text.replace("\r", "\n").split("\n"):
        if _CLOSING.match(line):
            break  # then a name, a title, a phone number
        if _THANKS.match(line) or _GREETING.match(line):
            if kept:
                break  # "Thanks," after the content closes the reply
            continue  # "Thanks for reaching out!" before it is a greeting
        if not line.strip():
            continue
        line = _LONG_NUMBER.sub("[number]", line) if for_reading else _NUMBER.sub(" ", line)
        kept.append(_BLANKS.sub(" ", line).strip())
    return "\n".join(line for line in kept if line)


def pair_from_row(row: Mapping[str, Any]) -> HistoryPair:
    """The question/reply pair of one exported row.

    Raises Unusable when the row is not a ticket a human agent answered in public
    (`labels.history.solved_by` other than "agent", the AI answered first, no public
    agent reply, no customer question before it) or when the reply is empty once
    cleaned (only a greeting or a signature).
    """
    if not isinstance(row, Mapping) or not isinstance(row.get("id"), str | int):
        raise Unusable("not a ticket object with an id")
    labels = row.get("labels")
    history = labels.get("history") if isinstance(labels, Mapping) else None
    if isinstance(history, Mapping) and history.get("solved_by") not in (None, "agent"):
        raise Unusable(f"solved_by is {history.get('solved_by')!r}, not a human agent")
    messages = row.get("messages")
    if not isinstance(messages, list):
        raise Unusable("no messages list")
    questions: list[str] = []
    for message in messages:
        if not isinstance(message, Mapping) or not message.get("public", True):
            continue
        body = message.get("body")
        if not isinstance(body, str):
            continue
        author = message.get("author")
        if author == "customer" and body.strip():
            questions.append(body.strip())
        elif author in ("agent", "ai"):
            if author == "ai":
                raise Unusable("the AI replied before any human agent")
            if not questions:
                raise Unusable("no customer question before the first agent reply")
            reply = clean_reply(body)
            if len(terms(reply)) < MIN_REPLY_TERMS:
                raise Unusable("the agent's reply is only a greeting or a signature")
            return HistoryPair(str(row["id"]), tuple(questions), reply,
                               clean_reply(body, for_reading=True))
    raise Unusable("no public agent reply")


def question_ticket(ticket_id: str, questions: Sequence[str]) -> Ticket:
    """A ticket holding only the customer's question(s), as the engine would see it."""
    when = datetime(2026, 1, 1, tzinfo=UTC)
    return Ticket(id=ticket_id, platform="history", requester=Requester(id="history"),
                  messages=tuple(Message(author=Role.CUSTOMER, text=q, created_at=when)
                                 for q in questions))


class ReplyMatcher:
    """Matches agent replies to articles with the zero-shot index `scorer` (built on the
    knowledge base alone, so a re-run or a longer history matches the same way)."""

    def __init__(self, scorer: HybridScorer) -> None:
        self._scorer = scorer
        self._ids = [d.id for d in scorer.docs]
        self._bodies = scorer.body_embeddings()
        # The body as the article's only "example": lexical similarity of reply to body.
        self._lexical = LexicalScorer([
            KnowledgeDoc(id=d.id, title=d.title, category=d.category, examples=(d.body,),
                         body=d.body) for d in scorer.docs])

    def match(self, pairs: Sequence[HistoryPair]) -> list[Match]:
        """One Match per pair, in order (replies are embedded in one batch)."""
        if not pairs or not self._ids:
            return [Match(p.ticket_id, None, None, 0.0, "no articles") for p in pairs]
        dense = np.clip(self._scorer.embedder.embed([p.reply for p in pairs]) @ self._bodies.T,
                        0.0, 1.0)
        out = []
        for pair, row in zip(pairs, dense, strict=True):
            lexical = np.asarray(self._lexical.scores(question_ticket("r", [pair.reply])))
            reply = REPLY_DENSE * row + (1 - REPLY_DENSE) * lexical
            _, _, fused = self._scorer.features(question_ticket(pair.ticket_id, pair.questions))
            out.append(self._decide(pair.ticket_id, reply, np.asarray(fused)))
        return out

    def _decide(self, ticket_id: str, reply: np.ndarray, question: np.ndarray) -> Match:
        combined = REPLY_WEIGHT * reply + (1 - REPLY_WEIGHT) * question
        order = np.argsort(-combined, kind="stable")
        best = int(order[0])
        margin = float(combined[best] - (combined[order[1]] if len(order) > 1 else 0.0))
        candidate = self._ids[best]
        if margin < MARGIN:
            return Match(ticket_id, None, candidate, margin, "unclear")
        if int(np.argmax(reply)) != best:
            return Match(ticket_id, None, candidate, margin, "reply disagrees")
        return Match(ticket_id, candidate, candidate, margin)


def augment(docs: Sequence[KnowledgeDoc],
            examples: Mapping[str, Sequence[str]]) -> tuple[KnowledgeDoc, ...]:
    """`docs` with the learned `examples` (by article id) appended, repeats left out."""
    out = []
    for doc in docs:
        added = [e for e in dict.fromkeys(examples.get(doc.id, ())) if e not in doc.examples]
        out.append(doc.model_copy(update={"examples": (*doc.examples, *added)}) if added else doc)
    return tuple(out)
