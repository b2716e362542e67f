"""The default local scorer: hybrid retrieval (lexical + dense) with calibrated confidence.

Each article is indexed by its title and examples (what it is known to answer)
and its body. Per ticket:
- lexical: the TF-IDF blend of `core.scorer.LexicalScorer`;
- dense: the best cosine similarity between the ticket and the article's title
  or examples, from an `Embedder` (WordLlama by default; see docs/retrieval.md);
- fused = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * lexical.
The best fused article answers. Its confidence is a calibrated probability that
it answers the question (`core.calibration`), from the fused score, the margin
over the runner-up and whether both retrievers agree. A reply that still has a
template gap is capped at `PLACEHOLDER_CAP`, below any auto-resolve threshold.

The index (unit embeddings) is built once, in the constructor; `answer` is pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from core.calibration import DEFAULT, FEATURES, Calibration
from core.embedding import Embedder, Matrix
from core.frustration import FrustrationModel
from core.human_model import HumanRequestModel
from core.knowledge import KnowledgeDoc
from core.models import Source, Ticket
from core.passages import answering, question
from core.scorer import PLACEHOLDER_CAP, Answer, LexicalScorer, render
from core.text import unfilled_placeholders

# Shares of the fused score: dense similarity to the title or an example, lexical
# similarity, dense similarity to the body (the answer says what it covers too).
DENSE_WEIGHT = 0.6
LEXICAL_WEIGHT = 0.3
BODY_WEIGHT = 0.1
MAX_SOURCES = 3
# Older customer messages still count, but the newest says what is asked now.
OLDER_MESSAGE_WEIGHT = 0.5
# Fused-score lead over the runner-up below which the answer is a near tie: a draft at most.
# The calibration is fitted on wording like the articles' own examples, where a close second
# rarely wins; on other wording nearly every wrong auto-resolve was such a tie. Chosen on the
# history half only (docs/quality.md, "Near ties").
NEAR_TIE_MARGIN = 0.08


class HybridScorer:
    """Lexical + dense retrieval over `docs`, built once per process.

    `embeddings`, when given, must be what `index_embeddings` returns for the same
    docs and embedder (a persisted index); otherwise they are computed here.
    Never raises in `answer`: no I/O happens there.
    """

    human_model: HumanRequestModel | None = None

    def __init__(
        self,
        docs: Sequence[KnowledgeDoc],
        embedder: Embedder,
        *,
        calibration: Calibration = DEFAULT,
        constants: Mapping[str, str] | None = None,
        embeddings: Matrix | None = None,
    ) -> None:
        self.docs = tuple(docs)
        self._embedder = embedder
        self.calibration = calibration
        self._constants = dict(constants or {})
        self._lexical = LexicalScorer(self.docs)
        # Shares the embedder, so the frustration signal's semantic part costs no extra model.
        self.frustration = FrustrationModel(embedder)
        units, owners = index_units(self.docs)
        self._owners = np.asarray(owners, dtype=np.int64)
        self._starts = np.asarray(
            [owners.index(i) for i in range(len(self.docs))], dtype=np.int64
        ) if self.docs else np.zeros(0, dtype=np.int64)
        self._units = len(units)
        self.embeddings = (
            embeddings if embeddings is not None
            else embedder.embed([*units, *(d.body for d in self.docs)])
        )

    @property
    def embedder(self) -> Embedder:
        """The model the index was embedded with (shared, never copied)."""
        return self._embedder

    @property
    def constants(self) -> dict[str, str]:
        """The operator's placeholder values the replies are filled with."""
        return dict(self._constants)

    def body_embeddings(self) -> Matrix:
        """One unit row per article body, in the order of `docs`."""
        return self.embeddings[self._units:]

    def unit_embeddings(self, index: int) -> Matrix:
        """The rows of article `index`'s title and examples, in that order."""
        start = int(self._starts[index])
        return self.embeddings[start:start + 1 + len(self.docs[index].examples)]

    def features(self, ticket: Ticket) -> tuple[list[float], list[int], list[float]]:
        """(calibration features, article indexes best first, fused scores) for `ticket`."""
        if not self.docs:
            return [0.0] * len(FEATURES), [], []
        lexical = np.asarray(self._lexical.scores(ticket), dtype=np.float64)
        dense, body = self._dense(ticket)
        fused = DENSE_WEIGHT * dense + LEXICAL_WEIGHT * lexical + BODY_WEIGHT * body
        order = [int(i) for i in np.lexsort((np.arange(len(fused)), -fused))]
        best = order[0]
        runner_up = float(fused[order[1]]) if len(order) > 1 else 0.0
        # A retriever that found nothing at all agrees with nobody.
        picks = {int(np.argmax(v)) if v.max() > 0 else -1 for v in (dense, lexical, body)}
        agree = float(
            lexical.max() > 0 and int(np.argmax(dense)) == int(np.argmax(lexical)) == best
        )
        row = [float(fused[best]), float(fused[best]) - runner_up, agree,
               float(picks == {best}), float(dense[best]), float(lexical[best])]
        return row, order, [float(v) for v in fused]

    def query_vector(self, ticket: Ticket) -> np.ndarray | None:
        """The unit embedding of what the customer asks (newest message weighs most),
        or None when there is no text."""
        texts = query_texts(ticket)
        if not texts:
            return None
        vectors = self._embedder.embed(texts)
        weights = np.asarray([OLDER_MESSAGE_WEIGHT**age for age in range(len(texts))])
        query = (weights[:, None] * vectors).sum(0)
        norm = float(np.linalg.norm(query))
        # float32 like the index, so the product does not copy the index to float64.
        return None if norm == 0.0 else (query / norm).astype(np.float32)

    def _dense(self, ticket: Ticket) -> tuple[np.ndarray, np.ndarray]:
        """Per article: best similarity to its title or examples, and to its body."""
        query = self.query_vector(ticket)
        none = np.zeros(len(self.docs))
        if query is None:
            return none, none
        similarity = np.clip(self.embeddings @ query, 0.0, 1.0)
        units = similarity[: self._units]
        return np.maximum.reduceat(units, self._starts), similarity[self._units:]

    def answer(self, ticket: Ticket) -> Answer:
        """Answer with the best article; confidence 0 and no reply when nothing matches."""
        row, order, scores = self.features(ticket)
        if not order or row[0] <= 0.0:
            return Answer(reply=None, confidence=0.0)
        top = self.docs[order[0]]
        reply = render(answering(top.body, question(ticket)), ticket, self._constants)
        confidence = self.calibration.probability(row)
        # The whole article decides the cap: an excerpt is trusted no more than it.
        whole = render(top.body, ticket, self._constants)
        if unfilled_placeholders(whole) or row[1] < NEAR_TIE_MARGIN:
            confidence = min(confidence, PLACEHOLDER_CAP)
        sources = tuple(
            Source(id=self.docs[i].id, title=self.docs[i].title, score=round(scores[i], 4))
            for i in order[:MAX_SOURCES]
            if scores[i] > 0.0
        )
        return Answer(reply=reply, confidence=round(confidence, 4), sources=sources, doc=top)


def index_units(docs: Sequence[KnowledgeDoc]) -> tuple[list[str], list[int]]:
    """The texts embedded for each article (title, then examples) and their owners."""
    units: list[str] = []
    owners: list[int] = []
    for index, doc in enumerate(docs):
        for text in (doc.title, *doc.examples):
            units.append(text)
            owners.append(index)
    return units, owners


def index_key(docs: Sequence[KnowledgeDoc], embedder_name: str) -> str:
    """A digest of the indexed texts and the model: a persisted index is valid while it holds."""
    digest = hashlib.sha256(embedder_name.encode())
    for text in [*index_units(docs)[0], *(d.body for d in docs)]:
        digest.update(b"\0" + text.encode())
    return digest.hexdigest()[:16]


def query_texts(ticket: Ticket) -> list[str]:
    """The customer's public messages newest first, then the subject; empty ones dropped."""
    texts = [m.text for m in reversed(ticket.customer_messages()) if m.text.strip()]
    if ticket.subject.strip():
        texts.append(ticket.subject)
    return texts


def leave_one_out(
    scorer: HybridScorer, make_ticket: Callable[[str], Ticket]
) -> tuple[list[list[float]], list[bool]]:
    """Calibration data from the knowledge base itself, no labelled tickets needed.

    Each article example in turn becomes a ticket (`make_ticket`) scored against the
    index without that example; the outcome is whether its own article comes first.
    """
    docs = scorer.docs
    units, owners = index_units(docs)
    rows: list[list[float]] = []
    outcomes: list[bool] = []
    position = 0
    for index, doc in enumerate(docs):
        position += 1  # the title row
        for k, example in enumerate(doc.examples):
            held_out = position + k
            kept = doc.model_copy(update={"examples": doc.examples[:k] + doc.examples[k + 1:]})
            if not kept.examples:
                kept = kept.model_copy(update={"examples": (doc.title,)})
                embeddings = scorer.embeddings.copy()
                embeddings[held_out] = embeddings[held_out - k - 1]
            else:
                embeddings = np.delete(scorer.embeddings, held_out, axis=0)
            trial = HybridScorer(
                (*docs[:index], kept, *docs[index + 1:]), scorer._embedder,
                calibration=scorer.calibration, embeddings=embeddings,
            )
            row, order, _ = trial.features(make_ticket(example))
            rows.append(row)
            outcomes.append(bool(order) and order[0] == index)
        position += len(doc.examples)
    del units, owners
    return rows, outcomes
