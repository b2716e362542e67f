"""Build the configured scorer once per process (models load here, never per job).

The dense index is persisted next to the knowledge directory in
``.handoff-index/`` (embeddings keyed by a digest of the indexed texts and the
model, and the calibration from ``handoff calibrate``), so a worker does not
re-embed an unchanged knowledge base on start-up.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.calibration import DEFAULT, Calibration
from core.embedding import WordLlamaEmbedder
from core.errors import ConfigError
from core.knowledge import KnowledgeDoc
from core.retrieval import HybridScorer, index_key
from core.scorer import Scorer
from core.settings import Settings
from worker.config import load_knowledge

INDEX_DIR = ".handoff-index"
CALIBRATION_FILE = "calibration.json"


def index_dir(settings: Settings) -> Path:
    """Where the index and its calibration are saved for `settings.knowledge_dir`."""
    return settings.index_dir or settings.knowledge_dir / INDEX_DIR


def build_scorer(settings: Settings, docs: tuple[KnowledgeDoc, ...] | None = None) -> Scorer:
    """The local hybrid scorer over the knowledge base; raise ConfigError when it is bad."""
    return build_hybrid(settings, docs)


def build_hybrid(settings: Settings, docs: tuple[KnowledgeDoc, ...] | None = None) -> HybridScorer:
    """Build (or load the persisted index of) the hybrid scorer; ConfigError on bad input."""
    docs = docs if docs is not None else load_knowledge(settings.knowledge_dir)
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
            np.save(cached, scorer.embeddings)
        except OSError:
            pass  # a read-only knowledge directory only costs a re-embed next start
    return scorer


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
