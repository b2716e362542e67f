"""An LLM scorer behind the same `Scorer` interface: retrieval stays local, a chat model
writes the answer, and this module keeps it grounded.

    LLMScorer(retriever, chat)
        retriever: the local HybridScorer, which picks the candidate articles;
        chat:      a `Chat`; the HTTP ones (an OpenAI-compatible endpoint, Anthropic's
                   Messages API) are in `connectors.llm`, so this module does no I/O.

The model gets the customer's thread and the top retrieved articles and must
return one JSON object: ``{"answer": str, "sources": [article ids],
"confidence": 0..1, "needs_human": bool}``.

Grounding: an answer that cites no source, or cites an id that was not among
the retrieved articles, keeps its text as a draft for an agent but gets no
sources and a confidence of at most `UNGROUNDED_CAP`, so it can never be
auto-resolved. The confidence used is the lower of the model's own rating and
the retriever's calibrated confidence.

Failure: a chat that cannot answer, or a reply that is not the JSON asked for, raises
`ScorerError`; the engine then escalates with reason ``ai_unavailable``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from core.errors import ScorerError
from core.knowledge import KnowledgeDoc
from core.models import Role, Source, Ticket
from core.retrieval import HybridScorer
from core.scorer import Answer
from core.text import unfilled_placeholders

CANDIDATES = 3
UNGROUNDED_CAP = 0.3
PLACEHOLDER_CAP = 0.6
SYSTEM_PROMPT = (
    "You answer customer support tickets using ONLY the knowledge articles given. "
    "Reply with one JSON object and nothing else: "
    '{"answer": "<reply to the customer>", "sources": ["<ids of the articles you used>"], '
    '"confidence": <0 to 1, how sure you are the articles answer the question>, '
    '"needs_human": <true if a person should handle this>}. '
    "If the articles do not answer the question, or the customer asks for a person, "
    'set "needs_human" to true and "sources" to [].'
)


class Chat(Protocol):
    """One chat model, whatever carries the call (`connectors.llm.HttpChat` over httpx)."""

    name: str

    def complete(self, system: str, user: str) -> str:
        """The model's reply text to `system` and `user`; raises ScorerError when none
        can be had (timeout, transport error, refused call, malformed response)."""
        ...


class LLMScorer:
    """Retrieve locally, let a remote model write the answer, keep it grounded."""

    def __init__(self, retriever: HybridScorer, chat: Chat) -> None:
        self._retriever = retriever
        self._chat = chat
        self.docs = retriever.docs
        self.frustration = retriever.frustration
        self.human_model = retriever.human_model

    def answer(self, ticket: Ticket) -> Answer:
        """Answer `ticket`; raise ScorerError when the model cannot be used (see module doc)."""
        local = self._retriever.answer(ticket)
        _, order, scores = self._retriever.features(ticket)
        candidates = [self._retriever.docs[i] for i in order[:CANDIDATES]]
        raw = self._chat.complete(SYSTEM_PROMPT, prompt(ticket, candidates))
        reply = parse_reply(self._chat.name, raw)
        by_id = {self._retriever.docs[i].id: (i, self._retriever.docs[i])
                 for i in order[:CANDIDATES]}
        cited = list(dict.fromkeys(reply["sources"]))
        grounded = bool(cited) and all(c in by_id for c in cited)
        text = reply["answer"].strip() or None
        if reply["needs_human"] or text is None:
            return Answer(reply=text, confidence=0.0, needs_human=True)
        if not grounded:
            return Answer(reply=text, confidence=min(reply["confidence"], UNGROUNDED_CAP))
        confidence = min(reply["confidence"], local.confidence)
        if unfilled_placeholders(text):
            confidence = min(confidence, PLACEHOLDER_CAP)
        sources = tuple(
            Source(id=c, title=by_id[c][1].title, score=round(scores[by_id[c][0]], 4))
            for c in cited
        )
        return Answer(reply=text, confidence=round(confidence, 4), sources=sources,
                      doc=by_id[cited[0]][1])


def prompt(ticket: Ticket, docs: Sequence[KnowledgeDoc]) -> str:
    """The user message: the articles, then the thread (oldest first)."""
    parts = ["Knowledge articles:"]
    for doc in docs:
        parts.append(f"--- id: {doc.id}\ntitle: {doc.title}\n{doc.body}")
    parts.append("Ticket thread (oldest first):")
    if ticket.subject.strip():
        parts.append(f"subject: {ticket.subject}")
    for message in ticket.messages:
        if message.public and message.author is not Role.SYSTEM:
            parts.append(f"{message.author.value}: {message.text}")
    return "\n\n".join(parts)


def unfenced(text: str) -> str:
    """`text` without a surrounding Markdown code fence (```json ... ```), stripped."""
    text = text.strip()
    if text.startswith("```"):
        text = text.strip("`").strip()
        first, _, rest = text.partition("\n")
        if first.strip().isalpha():  # the fence's language tag: json, yaml
            text = rest
    return text.strip()


def parse_reply(provider: str, text: str) -> dict[str, Any]:
    """The model's JSON object, checked; raises ScorerError when it is not what was asked."""
    try:
        data = json.loads(unfenced(text))
        answer = data["answer"]
        sources = data.get("sources") or []
        confidence = float(data["confidence"])
        needs_human = bool(data.get("needs_human", False))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ScorerError(f"{provider}: malformed reply ({type(exc).__name__})") from exc
    if not isinstance(answer, str) or not isinstance(sources, list):
        raise ScorerError(f"{provider}: malformed reply (wrong field types)")
    return {
        "answer": answer,
        "sources": [str(s) for s in sources],
        "confidence": min(1.0, max(0.0, confidence)),
        "needs_human": needs_human,
    }
