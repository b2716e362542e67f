"""Small text helpers shared by the triggers, the scorer and the notes.

Everything here is pure and total: no function raises on any string input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from core.lexicon import STOP_WORDS

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"'})
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACE = re.compile(r"\s+")
_TAG_UNSAFE = re.compile(r"[^a-z0-9_]+")
# `{{requester.name}}`-style fields and `[Website Name]`-style template gaps; a
# Markdown link `[text](url)` is not a gap.
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\[[A-Z][A-Za-z0-9 _/&-]*\](?!\()")


def straighten(text: str) -> str:
    """Replace typographic quotes and apostrophes with ASCII ones."""
    return text.translate(_QUOTES)


def fold(text: str) -> str:
    """Lowercase and strip accents, so "Café" and "cafe" compare equal."""
    decomposed = unicodedata.normalize("NFKD", straighten(text).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A crude English suffix stripper: "orders", "ordered", "ordering" -> "order"."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("ing", "ed")) and len(word) > 5:
        word = word[:-3] if word.endswith("ing") else word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]
    elif word.endswith(("xes", "shes", "ches")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ly") and len(word) > 5:
        word = word[:-2]
    if word.endswith("y") and len(word) > 5:
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Index terms of `text`: folded, tokenised, stop words and numbers dropped, stemmed."""
    out: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        word = token.replace("'", "")
        if word in STOP_WORDS or any(c.isdigit() for c in word):
            continue
        out.append(stem(word))
    return out


def words(text: str) -> list[str]:
    """Folded word tokens with apostrophes removed ("don't" -> "dont"), nothing dropped."""
    return [t.replace("'", "") for t in _TOKEN.findall(fold(text))]


def excerpt(text: str, limit: int = 240) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut + "\u2026"


def unfilled_placeholders(text: str) -> list[str]:
    """Template gaps left in `text`, such as ``{{ticket.id}}`` or ``[Website Name]``."""
    return _PLACEHOLDER.findall(text)


def tag_safe(value: str) -> str:
    """`value` as a helpdesk tag: lowercase, only ``[a-z0-9_]``, no leading/trailing ``_``."""
    return _TAG_UNSAFE.sub("_", fold(value)).strip("_")


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """`items` without repeats, in first-seen order."""
    return tuple(dict.fromkeys(items))
