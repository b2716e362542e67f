"""The learned half of the human-request trigger: wordings no phrase list has.

Phrase lists (`core.triggers.human_request`) miss requests worded another way ("is a
person available to chat", "ein Angestellter soll sich das ansehen"). This model reads
the newest customer message: a logistic regression over the
multilingual-e5-small embedding (`core.embedding.E5Embedder`), trained by
``bench/train_human_model.py`` on labelled messages in twelve languages and on the
English development half of the evaluation tickets. The weights ship in
``core/weights/human_request.json`` with the threshold and what they were trained on.

It only adds: the trigger fires when a phrase matches or when this model's probability
reaches the threshold for one sentence of the message (a request inside a longer
message reads as a request once its sentence is read alone). Embeddings blur negation
("I don't need a human" sits next to "I need a human"), so a sentence with any negation
cue of any language never fires here; the phrase rules, which place negation in its
clause, decide those ("I don't want to talk to a robot" among them). A preference ("rather
than", "instead of") is read for what it keeps: only the words it prefers are scored.
The cost grows with the words read, so a long message is read by its first and last few
sentences, each cut at `MAX_CHARS`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np

from core.embedding import Embedder
from core.lexicon import CONTRAST_CUE, NEGATION_CLAUSE, NEGATION_CUE
from core.models import Signal
from core.phrasebook import all_triggers

RULE = "triggers.human_request_model"
MAX_CHARS = 300
# Sentences read from each end of a long message: where a request for a person sits.
END_SENTENCES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s*|\n+")
# The cues that follow what they negate ("担当者は不要です") are written for the text right
# after a phrase match; here they may sit anywhere in the sentence.
_AFTER = tuple(cue.removeprefix("^") for cue in all_triggers("negation_after"))
_NEGATIONS = tuple(re.compile(p, re.IGNORECASE) for p in (NEGATION_CUE, NEGATION_CLAUSE, *_AFTER))
_CONTRAST = re.compile(CONTRAST_CUE, re.IGNORECASE)


@dataclass(frozen=True)
class Weights:
    """A trained model: centre, weights, bias, threshold, and the encoder it needs."""

    encoder: str
    mean: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float


@cache
def shipped_weights() -> Weights:
    """The weights in the package. A missing or malformed file is a packaging bug:
    raises ValueError (or OSError) naming it."""
    source = resources.files("core") / "weights" / "human_request.json"
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        weights = Weights(
            encoder=str(data["encoder"]),
            mean=np.asarray(data["mean"], dtype=np.float32),
            weights=np.asarray(data["weights"], dtype=np.float32),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
        )
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{source}: not a human-request model ({exc})") from exc
    if weights.mean.shape != weights.weights.shape:
        raise ValueError(f"{source}: mean and weights differ in length")
    return weights


class HumanRequestModel:
    """Scores messages; build once per process and share it (it holds the encoder)."""

    def __init__(self, embedder: Embedder, weights: Weights | None = None) -> None:
        self.weights = weights or shipped_weights()
        if embedder.name != self.weights.encoder:
            raise ValueError(f"the human-request weights need {self.weights.encoder}, "
                             f"not {embedder.name}")
        self._embedder = embedder

    def probability(self, text: str) -> float:
        """How likely `text`, read as one piece, asks for a person, 0 to 1 (its first
        `MAX_CHARS` characters); never raises for any text."""
        return _probability(self, " ".join(text.split())[:MAX_CHARS])

    def signal(self, text: str) -> Signal | None:
        """``human_request`` for the first sentence of `text` that reaches the threshold
        and negates nothing, or None."""
        for sentence in sentences(text):
            kept = preferred(sentence)
            if not kept or negated(kept):
                continue
            p = self.probability(kept)
            if p >= self.weights.threshold:
                return Signal(name="human_request", value=RULE,
                              evidence=f"{kept[:120]!r} (model {p:.2f})")
        return None


def preferred(sentence: str) -> str:
    """What a preference in `sentence` keeps: the words before "rather than" ("Sort it
    out here rather than talk to a person"), or after the clause a leading one opens
    ("Instead of the bot, a person please"); the whole sentence when it has none."""
    found = _CONTRAST.search(sentence)
    if found is None:
        return sentence
    before = sentence[:found.start()].strip()
    return before or sentence[found.end():].partition(",")[2].strip()


def negated(sentence: str) -> bool:
    """Whether `sentence` holds a negation cue of any shipped language."""
    return any(p.search(sentence) for p in _NEGATIONS)


def sentences(text: str) -> list[str]:
    """The sentences of `text` the model reads: all of a short message, the first and
    last `END_SENTENCES` of a long one."""
    found = [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 1]
    if len(found) > 2 * END_SENTENCES:
        found = found[:END_SENTENCES] + found[-END_SENTENCES:]
    return found


@lru_cache(maxsize=4096)
def _probability(model: HumanRequestModel, text: str) -> float:
    vector = model._embedder.embed([text])[0]
    w = model.weights
    z = float((vector - w.mean) @ w.weights) + w.bias
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
