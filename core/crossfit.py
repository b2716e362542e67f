"""Cross-fitted confidence: calibrate on history the learner did not train on.

The learned pairs (question -> article) are split into `FOLDS` folds by a hash
of the ticket id (stable across runs and machines). For each fold, the index
is the knowledge base plus the examples learned from the *other* folds, and the
fold's own questions are scored against it: did the top article equal the one
the agent answered with? Those out-of-fold feature rows fit the Platt model, so
the confidence describes new wording, not questions the index has memorised
(scored in-sample, every learned question finds itself and looks certain).

Pure: embeddings come from the scorer's embedder, nothing is read or written.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.calibration import Calibration, fit_platt
from core.embedding import Matrix
from core.learned_scorer import LearnedScorer
from core.learning import augment, question_ticket
from core.retrieval import HybridScorer

FOLDS = 5


@dataclass(frozen=True)
class Learned:
    """One ticket matched to an article: its id, the article id and the questions."""

    ticket_id: str
    article: str
    questions: tuple[str, ...]


@dataclass
class CrossFit:
    """Out-of-fold feature rows and outcomes, per-article hits, and the fitted model
    (`calibration` None when the rows do not hold both outcomes)."""

    rows: list[list[float]] = field(default_factory=list)
    outcomes: list[bool] = field(default_factory=list)
    hits: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    calibration: Calibration | None = None

    def accuracy(self, article: str) -> float | None:
        """Share of `article`'s held-out questions whose top article was `article`."""
        right, total = self.hits.get(article, (0, 0))
        return right / total if total else None


def article_weights(seen: Mapping[str, int], matched: Mapping[str, int]) -> dict[str, float]:
    """Per article, the history tickets whose best guess it was (`seen`, matched or
    abstained) over those matched to it. Replies that are hard to tell apart get abstained
    from, so such articles are under-represented among the learned pairs; weighting their
    rows up lets them stand for the questions the learner could not label."""
    return {a: max(1.0, seen.get(a, 0) / n) for a, n in matched.items() if n}


def fold_of(ticket_id: str, folds: int = FOLDS) -> int:
    """The fold a ticket belongs to: a hash of its id, the same on every run."""
    return int.from_bytes(hashlib.sha256(ticket_id.encode()).digest()[:4], "big") % folds


def augmented_scorer(base: HybridScorer, learned: Sequence[Learned],
                     vectors: Mapping[str, Matrix] | None = None,
                     calibration: Calibration | None = None,
                     history: Sequence[tuple[str, str]] | None = None) -> HybridScorer:
    """`base` plus the questions of `learned` as examples, reusing `base`'s embeddings and
    `vectors` (question text -> embedding) so nothing already embedded is embedded again;
    `calibration` replaces `base`'s when given. With `history` (every past question and
    the article it was matched to, "" when abstained), a `LearnedScorer` that checks the
    nearest past questions before its confidence stands."""
    examples: dict[str, list[str]] = defaultdict(list)
    for item in learned:
        examples[item.article].extend(item.questions)
    docs = augment(base.docs, examples)
    known = dict(vectors or {})
    needed = {q for d in docs for q in d.examples} | {q for q, _ in history or ()}
    missing = sorted(needed - set(known))
    if missing:
        known.update(zip(missing, base.embedder.embed(missing), strict=True))
    parts = []
    for index, (old, new) in enumerate(zip(base.docs, docs, strict=True)):
        parts.append(base.unit_embeddings(index))
        extra = new.examples[len(old.examples):]
        if extra:
            parts.append(np.stack([known[q] for q in extra]))
    parts.append(base.body_embeddings())
    embeddings = np.vstack(parts)
    chosen = calibration or base.calibration
    if history is None:
        return HybridScorer(docs, base.embedder, calibration=chosen,
                            constants=base.constants, embeddings=embeddings)
    rows = np.stack([known[q] for q, _ in history]) if history else np.zeros((0, 1))
    return LearnedScorer(docs, base.embedder, history=rows.astype(np.float32),
                         history_articles=[a for _, a in history], calibration=chosen,
                         zero_shot=base,
                         constants=base.constants, embeddings=embeddings)


def cross_fit(base: HybridScorer, learned: Sequence[Learned], folds: int = FOLDS,
              weights: Mapping[str, float] | None = None) -> CrossFit:
    """Score each fold's questions against the index learned from the other folds and fit
    the calibration on those rows, each weighted by its article's entry in `weights`
    (default 1; see `article_weights`). Never raises: without both outcomes (too little
    history, or never wrong) `calibration` stays None and the caller keeps what it had.
    """
    result = CrossFit()
    weight = {item.article: (weights or {}).get(item.article, 1.0) for item in learned}
    rows_weights: list[float] = []
    texts = sorted({q for item in learned for q in item.questions})
    vectors = dict(zip(texts, base.embedder.embed(texts), strict=True)) if texts else {}
    ids = [d.id for d in base.docs]
    for fold in range(folds):
        held = [item for item in learned if fold_of(item.ticket_id, folds) == fold]
        if not held:
            continue
        trained = [item for item in learned if fold_of(item.ticket_id, folds) != fold]
        scorer = augmented_scorer(base, trained, vectors)
        for item in held:
            row, order, _ = scorer.features(question_ticket(item.ticket_id, item.questions))
            ok = bool(order) and ids[order[0]] == item.article
            result.rows.append(row)
            result.outcomes.append(ok)
            rows_weights.append(weight[item.article])
            result.hits[item.article][0] += int(ok)
            result.hits[item.article][1] += 1
    try:
        result.calibration = fit_platt(result.rows, result.outcomes, rows_weights)
    except ValueError:
        result.calibration = None
    return result
