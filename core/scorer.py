"""Answer a ticket from the knowledge base, with a confidence and the sources used.

`Scorer` is the contract every answering backend meets: this lexical one, the
hybrid one that adds embeddings (`core.retrieval.HybridScorer`, the offline
default) and the LLM one over it (`core.llm.LLMScorer`). `LexicalScorer` is
TF-IDF cosine similarity between the customer's words and each
article's title and examples (what the article is known to answer), blended with
the similarity to the whole article.

Confidence is high only when all three hold:
- strength: how closely the query matches the best article's title or examples;
- separation: how far the best article's score is ahead of the runner-up's;
- coverage: how much of the query's question vocabulary (words some article's
  title or examples use) the best article covers; the rest hints at a second
  question the article does not answer.
A toss-up or a partial match keeps at most `AMBIGUOUS_SHARE` of the strength.
No overlap with any article gives confidence 0 and no reply.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from core.knowledge import KnowledgeDoc
from core.models import Source, Ticket
from core.passages import answering, question
from core.text import terms, unfilled_placeholders

if TYPE_CHECKING:
    from core.frustration import FrustrationModel
    from core.human_model import HumanRequestModel

Vector = dict[str, float]

# Example similarity at or below FLOOR is no evidence; at or above FULL it is as
# strong as lexical matching gets (a close paraphrase of a past question).
STRENGTH_FLOOR = 0.12
STRENGTH_FULL = 0.5
# The best article must lead the runner-up by this share of its score to count as
# clearly separated; below MARGIN_FLOOR the two are a toss-up.
MARGIN_FLOOR = 0.05
MARGIN_FULL = 0.4
# Share of the query's question vocabulary the best article must cover.
COVERAGE_FLOOR = 0.7
COVERAGE_FULL = 0.95
# A toss-up or partial match is worth a draft at best, never an auto-resolve.
AMBIGUOUS_SHARE = 0.6
EXAMPLE_WEIGHT = 0.75
# Below any sane auto-resolve threshold: a reply with a template gap must be reviewed.
PLACEHOLDER_CAP = 0.6
SUBJECT_WEIGHT = 0.7
OLDER_MESSAGE_DECAY = 0.6
MAX_SOURCES = 3

_FIELD = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}")
_CONSTANT = re.compile(r"\[([A-Z][A-Za-z0-9 _/&-]*)\](?!\()")


class Answer(BaseModel):
    """A proposed reply, how sure the scorer is, and what it is grounded on.

    `sources` are best first; `doc` is the best article, or None with `reply`
    None when nothing in the knowledge base matched.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reply: str | None
    confidence: float = Field(ge=0.0, le=1.0)
    sources: tuple[Source, ...] = ()
    doc: KnowledgeDoc | None = None
    # The scorer itself says a person should take this (an LLM's needs-human flag).
    needs_human: bool = False


class Scorer(Protocol):
    """Anything that can answer a ticket, with what the engine and the worker read of it."""

    @property
    def docs(self) -> tuple[KnowledgeDoc, ...]:
        """The articles it answers from (the worker names an answer's category from them)."""
        ...

    @property
    def frustration(self) -> FrustrationModel | None:
        """The frustration model the engine's triggers use; None: VADER and rules alone."""
        ...

    @property
    def human_model(self) -> HumanRequestModel | None:
        """The learned human-request model the triggers use; None: phrase rules alone."""
        ...

    def answer(self, ticket: Ticket) -> Answer:
        """Answer `ticket`; raise core.errors.ScorerError when no answer can be produced."""
        ...


@dataclass(frozen=True)
class _Entry:
    doc: KnowledgeDoc
    questions: tuple[Vector, ...]
    whole: Vector


class LexicalScorer:
    """TF-IDF over title + examples + body, built once; `answer` is pure and cheap.

    Neither construction nor `answer` raises: there is no I/O and no model to fail.
    Ids should be unique (`core.knowledge.parse_articles` enforces it).
    """

    frustration: FrustrationModel | None = None
    human_model: HumanRequestModel | None = None

    def __init__(self, docs: Sequence[KnowledgeDoc], *, placeholder_cap: float = PLACEHOLDER_CAP):
        self.docs = tuple(docs)
        self._placeholder_cap = placeholder_cap
        questions = [[terms(q) for q in (d.title, *d.examples)] for d in docs]
        bodies = [terms(d.body) for d in docs]
        self._idf = _idf([*(unit for units in questions for unit in units), *bodies])
        self._question_terms = frozenset(t for units in questions for unit in units for t in unit)
        self._entries = tuple(
            _Entry(
                doc=doc,
                questions=tuple(self._vector(Counter(unit)) for unit in units),
                whole=self._vector(Counter([t for unit in units for t in unit] + body)),
            )
            for doc, units, body in zip(docs, questions, bodies, strict=True)
        )
        self._postings = _Postings([q for e in self._entries for q in e.questions],
                                   [len(e.questions) for e in self._entries])
        self._whole = _Postings([e.whole for e in self._entries], [1] * len(self._entries))

    def _vector(self, counts: Counter[str] | dict[str, float]) -> Vector:
        # A word no article uses says nothing about which article fits, but it still
        # dilutes the match: give it the lowest weight an indexed word can have.
        raw = {t: math.log1p(c) * self._idf.get(t, 1.0) for t, c in counts.items() if c > 0}
        return _normalised(raw)

    def scores(self, ticket: Ticket) -> list[float]:
        """Each article's lexical score for `ticket`, in the order the articles were given."""
        query = self._vector(_query_counts(ticket))
        if not query or not self._entries:
            return [0.0] * len(self._entries)
        # The same blend as `_score`, through inverted lists: a learned index holds
        # thousands of examples, and a pure-Python dot product with each is too slow.
        blended = EXAMPLE_WEIGHT * self._postings.best(query) \
            + (1 - EXAMPLE_WEIGHT) * self._whole.best(query)
        return [float(v) for v in blended]

    def answer(self, ticket: Ticket) -> Answer:
        """Score every article against the customer's text and answer with the best."""
        query = self._vector(_query_counts(ticket))
        if not query or not self._entries:
            return Answer(reply=None, confidence=0.0)
        ranked = sorted(
            ((self._score(e, query), e) for e in self._entries),
            key=lambda pair: (-pair[0][0], pair[1].doc.id),
        )
        (best, best_match), top = ranked[0]
        if best <= 0.0:
            return Answer(reply=None, confidence=0.0)
        runner_up = ranked[1][0][0] if len(ranked) > 1 else 0.0
        reply = render(answering(top.doc.body, question(ticket)), ticket)
        coverage = _coverage(query, top.whole, self._question_terms)
        confidence = _confidence(best_match, best, runner_up, coverage)
        # The whole article decides the cap: an excerpt is trusted no more than it.
        if unfilled_placeholders(render(top.doc.body, ticket)):
            confidence = min(confidence, self._placeholder_cap)
        sources = tuple(
            Source(id=e.doc.id, title=e.doc.title, score=round(s, 4))
            for (s, _), e in ranked[:MAX_SOURCES]
            if s > 0.0
        )
        return Answer(reply=reply, confidence=round(confidence, 4), sources=sources, doc=top.doc)

    @staticmethod
    def _score(entry: _Entry, query: Vector) -> tuple[float, float]:
        """(blended score, best title/example similarity) of one article."""
        match = max((_dot(query, q) for q in entry.questions), default=0.0)
        return EXAMPLE_WEIGHT * match + (1 - EXAMPLE_WEIGHT) * _dot(query, entry.whole), match


class _Postings:
    """Sparse unit vectors as inverted lists: term -> (unit rows, weights). `best`
    returns, per group of consecutive units (`sizes`), the highest dot product."""

    def __init__(self, vectors: Sequence[Vector], sizes: Sequence[int]) -> None:
        rows: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        for row, vector in enumerate(vectors):
            for term, weight in vector.items():
                rows.setdefault(term, []).append(row)
                weights.setdefault(term, []).append(weight)
        self._lists = {t: (np.asarray(rows[t], dtype=np.int64),
                           np.asarray(weights[t], dtype=np.float64)) for t in rows}
        self._units = len(vectors)
        self._starts = np.cumsum([0, *sizes[:-1]], dtype=np.int64)

    def best(self, query: Vector) -> npt.NDArray[np.float64]:
        total = np.zeros(self._units)
        for term, weight in query.items():
            found = self._lists.get(term)
            if found is not None:
                total[found[0]] += weight * found[1]  # rows are unique within one list
        return np.maximum.reduceat(total, self._starts)


def render(body: str, ticket: Ticket, constants: Mapping[str, str] | None = None) -> str:
    """Fill ``{{requester.name}}``-style fields from `ticket` and ``[Website Name]``-style
    gaps from `constants` (the operator's values); unknown or empty ones stay."""
    values = _fields(ticket)

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1)) or match.group(0)

    def constant(match: re.Match[str]) -> str:
        return (constants or {}).get(match.group(1)) or match.group(0)

    text = _FIELD.sub(fill, body)
    return _CONSTANT.sub(constant, text) if constants else text


def _fields(ticket: Ticket) -> dict[str, str]:
    name = (ticket.requester.name or "").strip()
    fields = {
        "requester.name": name,
        "requester.first_name": name.split()[0] if name else "",
        "requester.email": ticket.requester.email or "",
        "ticket.id": ticket.id,
        "ticket.subject": ticket.subject.strip(),
    }
    # Zendesk macros and articles arrive with Zendesk's names for the same fields.
    fields.update({f"ticket.{key}": value for key, value in list(fields.items())
                   if key.startswith("requester.")})
    fields["ticket.title"] = fields["ticket.subject"]
    return fields


def _query_counts(ticket: Ticket) -> dict[str, float]:
    """Customer words weighted by recency: newest message 1, each older one less."""
    counts: dict[str, float] = {}
    messages = ticket.customer_messages()
    weighted = [(ticket.subject, SUBJECT_WEIGHT)]
    weighted += [(m.text, OLDER_MESSAGE_DECAY**age) for age, m in enumerate(reversed(messages))]
    for text, weight in weighted:
        for term, count in Counter(terms(text)).items():
            counts[term] = counts.get(term, 0.0) + weight * count
    return counts


def _confidence(match: float, best: float, runner_up: float, coverage: float) -> float:
    strength = _ramp(match, STRENGTH_FLOOR, STRENGTH_FULL)
    separation = _ramp((best - runner_up) / best, MARGIN_FLOOR, MARGIN_FULL)
    covered = _ramp(coverage, COVERAGE_FLOOR, COVERAGE_FULL)
    return strength * (AMBIGUOUS_SHARE + (1 - AMBIGUOUS_SHARE) * min(separation, covered))


def _coverage(query: Vector, doc: Vector, vocabulary: frozenset[str]) -> float:
    """Share of the query's weight on `vocabulary` words that `doc` also uses."""
    asked = {t: w * w for t, w in query.items() if t in vocabulary}
    total = sum(asked.values())
    return sum(w for t, w in asked.items() if t in doc) / total if total else 1.0


def _ramp(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _idf(units: Sequence[list[str]]) -> dict[str, float]:
    df = Counter(t for unit in units for t in set(unit))
    n = len(units)
    return {t: math.log((n + 1) / (c + 1)) + 1 for t, c in df.items()}


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def _dot(a: Vector, b: Vector) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
