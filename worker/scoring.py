"""Build the configured scorer once per process (models load here, never per job).

The dense index is persisted next to the knowledge directory in
``.handoff-index/`` (embeddings keyed by a digest of the indexed texts and the
model, the calibration from ``handoff calibrate``, and ``learned.json`` from
``handoff learn``), so a worker does not re-embed an unchanged knowledge base
on start-up. A learned index for the same articles adds its examples and
brings its cross-fitted calibration.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import httpx
import numpy as np
from threadpoolctl import threadpool_limits

from connectors.base import Helpdesk
from connectors.llm import AnthropicMessages, HttpChat, OpenAIChat, Provider
from connectors.registry import build_connectors
from core.calibration import DEFAULT, Calibration
from core.crossfit import augmented_scorer
from core.embedding import E5Embedder, WordLlamaEmbedder
from core.errors import ConfigError, HandoffError
from core.human_model import HumanRequestModel
from core.knowledge import KnowledgeDoc
from core.learning import question_ticket
from core.llm import LLMScorer
from core.retrieval import HybridScorer, index_key
from core.scorer import Scorer
from core.settings import LLMSettings, Settings
from core.triggers import detect
from infra.config import load_knowledge
from worker.learned import applicable

log = logging.getLogger("worker.scoring")

INDEX_DIR = ".handoff-index"
CALIBRATION_FILE = "calibration.json"


def gather_knowledge(
    settings: Settings, connectors: Mapping[str, Helpdesk]
) -> tuple[KnowledgeDoc, ...]:
    """The local articles, plus each helpdesk's articles and macros when
    `knowledge_from_helpdesk` is on. A helpdesk that fails is logged and left out (the
    local articles still load); a helpdesk article whose id a local one uses is dropped.
    Raises ConfigError for a bad local knowledge base.
    """
    docs = list(load_knowledge(settings.knowledge_dir))
    if not settings.knowledge_from_helpdesk:
        return tuple(docs)
    seen = {d.id for d in docs}
    for name, connector in sorted(connectors.items()):
        try:
            remote = connector.list_knowledge()
        except HandoffError as exc:
            log.warning("knowledge from %s unavailable, using local articles: %s", name, exc)
            continue
        for doc in remote:
            if doc.id not in seen:
                seen.add(doc.id)
                docs.append(doc)
    return tuple(docs)


def worker_knowledge(settings: Settings) -> tuple[KnowledgeDoc, ...]:
    """What a worker indexes for `settings`: the local articles, plus the helpdesks' when
    `knowledge_from_helpdesk` is on (connectors built for this call), so `learn`,
    `calibrate` and `simulate` key their index, and the learned one, as a worker does.
    Raises ConfigError for a bad knowledge base or a platform without its credentials.
    """
    if not settings.knowledge_from_helpdesk:
        return load_knowledge(settings.knowledge_dir)
    return gather_knowledge(settings, build_connectors(settings))


def index_dir(settings: Settings) -> Path:
    """Where the index and its calibration are saved for `settings.knowledge_dir`."""
    return settings.index_dir or settings.knowledge_dir / INDEX_DIR


def build_scorer(
    settings: Settings,
    docs: tuple[KnowledgeDoc, ...] | None = None,
    env: Mapping[str, str] = os.environ,
) -> Scorer:
    """The configured scorer: the local hybrid one, or an LLM over its retrieval.

    Raises ConfigError for a bad knowledge base or an LLM without its API key.
    """
    hybrid = build_hybrid(settings, docs)
    if settings.llm is None:
        return hybrid
    return LLMScorer(hybrid, HttpChat(*build_llm(settings.llm, env)))


def warm_up(scorer: Scorer, settings: Settings) -> None:
    """Read one made-up customer message as a decision does (`core.triggers.detect`), so
    what the engine builds on first use (the language model, the compiled trigger
    patterns, the encoder's buffers) exists before the first job: about half a second
    that would otherwise fall on it, in each process of `handoff worker --processes`
    unless the parent warms up before the fork. Pure: no call to a helpdesk or an LLM.
    Raises only what every decision would raise with these settings."""
    ticket = question_ticket("warm-up", ["Hello, where is my order? Thank you."])
    detect(ticket, settings.triggers, scorer.frustration, datetime.now(UTC), settings.language,
           human_model=scorer.human_model)


def build_llm(
    llm: LLMSettings, env: Mapping[str, str] = os.environ, max_tokens: int | None = None
) -> tuple[Provider, httpx.Client]:
    """The configured provider and an HTTP client for it (`max_tokens` overrides the
    setting). Raises ConfigError when the API key's environment variable is unset."""
    key = env.get(llm.api_key_env)
    if not key:
        raise ConfigError(f"llm.provider = {llm.provider!r}: set {llm.api_key_env}")
    tokens = max_tokens or llm.max_tokens
    provider: Provider = (
        OpenAIChat(llm.model, key, tokens) if llm.provider == "openai"
        else AnthropicMessages(llm.model, key, tokens)
    )
    return provider, httpx.Client(base_url=llm.api_base(), timeout=llm.timeout_seconds)


def build_hybrid(settings: Settings, docs: tuple[KnowledgeDoc, ...] | None = None,
                 *, learned: bool = True) -> HybridScorer:
    """Build (or load the persisted index of) the hybrid scorer, with what `handoff learn`
    kept for this knowledge base unless `learned` is False; ConfigError on bad input or
    an unreadable learned index."""
    # A ticket at a time: BLAS threads only add hand-offs to matrix-vector products this
    # small (held-out simulate 336 -> 497 tickets/s, learn 13.4 -> 5.3 s, both cores busy).
    threadpool_limits(limits=1, user_api="blas")
    docs = docs if docs is not None else worker_knowledge(settings)
    embedder = WordLlamaEmbedder()
    folder = index_dir(settings)
    key = index_key(docs, embedder.name)
    cached = folder / f"embeddings-{key}.npy"
    embeddings = None
    if cached.is_file():
        try:
            embeddings = np.load(cached)
        except (OSError, ValueError):
            embeddings = None  # a damaged cache is rebuilt below, never trusted
    scorer = HybridScorer(docs, embedder, calibration=load_calibration(folder),
                          constants=settings.placeholders, embeddings=embeddings)
    if embeddings is None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written aside then renamed, so a worker starting alongside never reads half a file.
            partial = cached.with_name(f"{cached.stem}.{os.getpid()}.partial.npy")
            np.save(partial, scorer.embeddings)
            os.replace(partial, cached)
        except OSError:
            pass  # a read-only knowledge directory only costs a re-embed next start
    found = applicable(folder, key) if learned else None
    if found is not None and found.learned():
        # Learned questions are embedded here, once per process (~0.04 ms each).
        scorer = augmented_scorer(scorer, found.learned(), calibration=found.calibration,
                                  history=found.history())
    scorer.human_model = human_model() if settings.triggers.human_request_model else None
    return scorer


@cache
def human_model() -> HumanRequestModel:
    """The learned human-request model, loaded once per process (the encoder's pages
    are shared by the worker processes forked after it). ConfigError when it cannot load."""
    return HumanRequestModel(E5Embedder())


def load_calibration(folder: Path) -> Calibration:
    """The saved calibration in `folder`, else the default; ConfigError when it is unreadable."""
    file = folder / CALIBRATION_FILE
    if not file.is_file():
        return DEFAULT
    try:
        return Calibration.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{file}: not a calibration file: {exc}") from exc


def save_calibration(folder: Path, calibration: Calibration) -> Path:
    """Write `calibration` into `folder`; raises OSError when it cannot."""
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / CALIBRATION_FILE
    file.write_text(calibration.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return file
