"""Customer sentiment from a small word list: negative, neutral or positive.

A first cut: count positive and negative words in the customer's public
messages, flipping a word's polarity when a negator comes right before it
("not happy"). Later issues add frustration and its trend over the thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.lexicon import NEGATIVE_WORDS, POSITIVE_WORDS, SENTIMENT_NEGATORS
from core.models import Signal
from core.text import fold, unique, words

SENTIMENT = "sentiment"
NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"

_NEGATIVE = frozenset(fold(w) for w in NEGATIVE_WORDS)
_POSITIVE = frozenset(fold(w) for w in POSITIVE_WORDS)
_NEGATORS = frozenset(fold(w) for w in SENTIMENT_NEGATORS)
MAX_EVIDENCE = 5


def sentiment(texts: Sequence[str]) -> Signal:
    """The polarity of `texts` as a ``sentiment`` signal; the evidence lists the words.

    Never raises; text without any sentiment word is neutral.
    """
    negative: list[str] = []
    positive: list[str] = []
    for text in texts:
        tokens = words(text)
        for i, token in enumerate(tokens):
            polarity = (token in _POSITIVE) - (token in _NEGATIVE)
            if polarity and i > 0 and tokens[i - 1] in _NEGATORS:
                polarity, token = -polarity, f"{tokens[i - 1]} {token}"
            if polarity > 0:
                positive.append(token)
            elif polarity < 0:
                negative.append(token)
    if len(negative) > len(positive):
        label, shown = NEGATIVE, negative
    elif len(positive) > len(negative):
        label, shown = POSITIVE, positive
    else:
        label, shown = NEUTRAL, negative + positive
    return Signal(name=SENTIMENT, value=label, evidence=", ".join(unique(shown)[:MAX_EVIDENCE]))
