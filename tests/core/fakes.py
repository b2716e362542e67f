"""A deterministic stand-in embedder: hashed bag of words, no model needed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from core.embedding import Matrix
from core.text import terms

DIM = 64


class HashEmbedder:
    name = "hash-64"

    def embed(self, texts: Sequence[str]) -> Matrix:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text):
                out[row, int(hashlib.sha256(term.encode()).hexdigest(), 16) % DIM] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out
