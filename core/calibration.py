"""Calibrated confidence: P(the top article answers the question) from retrieval features.

Platt scaling (a logistic regression over a few features) fitted by Newton's
method with a small L2 penalty, so a few dozen labelled examples are enough.
Features, all in [0, 1] or close to it:
- ``fused``: the best article's fused (dense + lexical) score;
- ``margin``: how far it leads the runner-up;
- ``agree``: 1 when the dense and the lexical rankings both pick the best article;
- ``unanimous``: 1 when the body embedding picks it too;
- ``dense`` and ``lexical``: the best article's score in each retriever.

`expected_calibration_error` reports how far predicted probabilities are from
observed accuracy (10 equal-width bins).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

FEATURES = ("fused", "margin", "agree", "unanimous", "dense", "lexical")
L2 = 0.1
ITERATIONS = 50


class Calibration(BaseModel):
    """A fitted Platt model; saved as JSON next to the index."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str = "platt"
    features: tuple[str, ...] = FEATURES
    weights: tuple[float, ...]
    bias: float
    samples: int = 0
    ece: float | None = Field(default=None, description="ECE on the data it was fitted on")

    def probability(self, features: Sequence[float]) -> float:
        """P(correct) for one feature vector, in the order of `self.features`."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return _sigmoid(z)


# Fitted with `handoff calibrate` on the sample knowledge base (leave-one-out over
# its articles' examples); used when no calibration file is saved with the index.
DEFAULT = Calibration(weights=(2.0, 3.0, 0.5, 2.0, 1.5, 0.5), bias=-1.5)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit_platt(rows: Sequence[Sequence[float]], outcomes: Sequence[bool],
              weights: Sequence[float] | None = None) -> Calibration:
    """Fit a Platt model, each row weighted by `weights` (default 1 each); raises
    ValueError without both outcomes or with ragged rows."""
    if not rows or len(rows) != len(outcomes):
        raise ValueError("need as many outcomes as feature rows, and at least one")
    if all(outcomes) or not any(outcomes):
        raise ValueError("calibration needs both correct and wrong examples")
    import numpy as np

    x = np.hstack([np.asarray(rows, dtype=float), np.ones((len(rows), 1))])
    y = np.asarray(outcomes, dtype=float)
    sample = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    w = np.zeros(x.shape[1])
    penalty = L2 * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (sample * (p - y)) + penalty @ w
        hessian = (x.T * (sample * p * (1 - p))) @ x + penalty + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    fitted = Calibration(weights=tuple(float(v) for v in w[:-1]), bias=float(w[-1]),
                         samples=len(rows))
    ece = expected_calibration_error([fitted.probability(r) for r in rows], outcomes)
    return fitted.model_copy(update={"ece": round(ece, 4)})


def expected_calibration_error(
    probabilities: Sequence[float], outcomes: Sequence[bool], bins: int = 10
) -> float:
    """Weighted mean |accuracy - confidence| over equal-width bins; 0.0 for no data."""
    total = len(probabilities)
    if not total:
        return 0.0
    sums: list[list[float]] = [[0.0, 0.0, 0.0] for _ in range(bins)]
    for p, ok in zip(probabilities, outcomes, strict=True):
        b = sums[min(bins - 1, int(p * bins))]
        b[0] += 1
        b[1] += p
        b[2] += float(ok)
    return sum(abs(b[2] - b[1]) for b in sums if b[0]) / total
