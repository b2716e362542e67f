"""The hybrid scorer with what was learned from history, and history's own doubt.

`LearnedScorer` is a `HybridScorer` over the knowledge base plus the learned
examples, with one more check before its confidence stands: among the
`NEIGHBOURS` past questions nearest to the ticket (every answered ticket the
learner read, matched or abstained from), at least `AGREEING` must have been
answered with the same article. Where history could not tell which article the
agent used (the learner abstained), or used another one, the learned examples
say little about new wording there, and the answer falls back on the knowledge
base alone (`zero_shot`): it stands only if the zero-shot scorer picks the same
article, with the lower of the two confidences; otherwise it is capped at
`HISTORY_CAP`, a draft at most. The counts and the fallback were chosen by
cross-validation inside the history file (docs/quality.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.calibration import DEFAULT, Calibration
from core.embedding import Embedder, Matrix
from core.knowledge import KnowledgeDoc
from core.models import Ticket
from core.retrieval import HybridScorer
from core.scorer import PLACEHOLDER_CAP, Answer

NEIGHBOURS = 5
AGREEING = 2
HISTORY_CAP = PLACEHOLDER_CAP


class LearnedScorer(HybridScorer):
    """`HybridScorer` plus the history check. `history` holds one unit row per past
    question and `history_articles` the article each was matched to ("" when the learner
    abstained); `zero_shot` is the scorer over the knowledge base alone (None: always
    cap). Never raises in `answer`."""

    def __init__(
        self,
        docs: Sequence[KnowledgeDoc],
        embedder: Embedder,
        *,
        history: Matrix,
        history_articles: Sequence[str],
        zero_shot: HybridScorer | None = None,
        calibration: Calibration = DEFAULT,
        constants: Mapping[str, str] | None = None,
        embeddings: Matrix | None = None,
    ) -> None:
        super().__init__(docs, embedder, calibration=calibration, constants=constants,
                         embeddings=embeddings)
        if len(history) != len(history_articles):
            raise ValueError("one article (or '') per history row")
        self._history = history
        self._history_articles = np.asarray(history_articles, dtype=object)
        self._zero_shot = zero_shot

    def votes(self, ticket: Ticket, article: str) -> int:
        """How many of the nearest past questions were answered with `article`."""
        query = self.query_vector(ticket)
        if query is None or not len(self._history):
            return 0
        similarity = self._history @ query
        k = min(NEIGHBOURS, len(similarity))
        nearest = np.argpartition(-similarity, k - 1)[:k]
        return int((self._history_articles[nearest] == article).sum())

    def answer(self, ticket: Ticket) -> Answer:
        """As `HybridScorer.answer`; where history disagrees, the zero-shot fallback."""
        answer = super().answer(ticket)
        if answer.doc is None or answer.confidence <= HISTORY_CAP:
            return answer
        if self.votes(ticket, answer.doc.id) >= AGREEING:
            return answer
        if self._zero_shot is not None:
            plain = self._zero_shot.answer(ticket)
            if plain.doc is not None and plain.doc.id == answer.doc.id:
                confidence = min(answer.confidence, plain.confidence)
                return answer.model_copy(update={"confidence": confidence})
        return answer.model_copy(update={"confidence": min(answer.confidence, HISTORY_CAP)})
