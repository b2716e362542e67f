"""Frustration: anger, exasperation, sarcasm, waiting and repeating oneself.

Three kinds of evidence per customer message, combined into a score:
- VADER (`vadersentiment` package): the compound polarity, negative counts;
- rules (`FRUSTRATION_CUES` in `core.lexicon`): "still waiting", "third time I'm
  writing", "on hold for hours", "thanks for nothing", "!!!", shouting; plus weak
  markers (`WEAK_FRUSTRATION_CUES`: negation, time spans, "why", "still") that
  count only when two or more appear together;
- semantic similarity (the scorer's `Embedder`, when given) to short frustrated
  and calm example messages in `core.lexicon`: nearer the frustrated ones adds.
The signal fires when the newest message's score reaches `THRESHOLD`, or when
the thread turned negative: an earlier calm message followed by a frustrated
one counts even if the very last message is milder (trend "worsening").

Nothing here is trained on customer data: the weights are set by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np

from core.embedding import Embedder
from core.lexicon import (
    CALM_EXAMPLES,
    FRUSTRATED_EXAMPLES,
    FRUSTRATION_CUES,
    WEAK_FRUSTRATION_CUES,
)
from core.models import Signal
from core.text import unique

FRUSTRATION = "frustration"
THRESHOLD = 0.1
VADER_WEIGHT = 1.6
CUE_WEIGHT = 0.75
SEMANTIC_WEIGHT = 6.0
# VADER reads "thanks" and "great" as praise; a positive message with a complaint
# cue in it is usually sarcasm, so positive polarity only counts down this much.
POSITIVE_DAMPING = 0.4
TREND_DROP = 1.0
SEMANTIC_NEIGHBOURS = 3
MAX_EVIDENCE = 4

_CUES = tuple(re.compile(p, re.IGNORECASE) for p in FRUSTRATION_CUES)
_WEAK = tuple(re.compile(p, re.IGNORECASE) for p in WEAK_FRUSTRATION_CUES)
# Each weak marker adds this much, but only when at least two are present.
WEAK_WEIGHT = 0.3
# Shouting is whole words in capitals, not airport codes or acronyms.
_SHOUT = re.compile(r"\b[A-Z]{4,}\b")


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@dataclass(frozen=True)
class Reading:
    """One message's frustration score and why."""

    score: float
    compound: float
    cues: tuple[str, ...]
    semantic: float


class FrustrationModel:
    """Scores messages; build once per process (loads VADER, embeds the examples)."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder
        self._frustrated = embedder.embed(FRUSTRATED_EXAMPLES) if embedder else None
        self._calm = embedder.embed(CALM_EXAMPLES) if embedder else None
        _vader()

    def read(self, text: str) -> Reading:
        """The frustration reading of one message; never raises."""
        return _read(self, text)

    def semantic(self, text: str) -> float:
        """Nearest frustrated example minus nearest calm one (0 without an embedder)."""
        if self._embedder is None or self._frustrated is None or self._calm is None:
            return 0.0
        vector = self._embedder.embed([text])[0]
        if not np.any(vector):
            return 0.0
        near = np.sort(self._frustrated @ vector)[-SEMANTIC_NEIGHBOURS:].mean()
        calm = np.sort(self._calm @ vector)[-SEMANTIC_NEIGHBOURS:].mean()
        return float(near - calm)

    def signal(self, texts: Sequence[str]) -> Signal | None:
        """``frustration`` for the customer's messages, oldest first, or None."""
        readings = [self.read(t) for t in texts if t.strip()]
        if not readings:
            return None
        latest = readings[-1]
        peak = max(readings, key=lambda r: r.score)
        first = readings[0]
        worsening = (
            len(readings) > 1 and peak is not first and first.score < THRESHOLD
            and peak.score - first.score >= TREND_DROP
        )
        fired = latest.score >= THRESHOLD or (worsening and peak.score >= THRESHOLD)
        if not fired:
            return None
        trend = "worsening" if worsening else ("steady" if len(readings) > 1 else "single")
        shown = peak if latest.score < THRESHOLD else latest
        evidence = [f"trend {trend}", f"vader {shown.compound:+.2f}"]
        evidence += [f'"{c}"' for c in unique(shown.cues)[:MAX_EVIDENCE]]
        return Signal(name=FRUSTRATION, value=round(shown.score, 3), evidence="; ".join(evidence))


@lru_cache(maxsize=4096)
def _read(model: FrustrationModel, text: str) -> Reading:
    compound = float(_vader().polarity_scores(text)["compound"])
    cues = [m.group(0).strip() for p in _CUES for m in [p.search(text)] if m]
    if len(_SHOUT.findall(text)) >= 2 and "!" in text:
        cues.append("SHOUTING")
    weak = sum(1 for p in _WEAK if p.search(text))
    semantic = model.semantic(text)
    polarity = -compound if compound < 0 else -POSITIVE_DAMPING * compound
    score = VADER_WEIGHT * polarity + CUE_WEIGHT * len(cues) + SEMANTIC_WEIGHT * semantic
    if weak >= 2:
        score += WEAK_WEIGHT * weak
        cues.append(f"{weak} weak markers")
    return Reading(round(score, 4), compound, tuple(cues), round(semantic, 4))


@cache
def default_frustration() -> FrustrationModel:
    """VADER and rules only, for callers without an embedder (built once)."""
    return FrustrationModel(None)
