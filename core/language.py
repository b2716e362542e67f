"""Which language the customer writes in: the helpdesk's locale, else a detector, else the
default.

In order, the first that applies wins (``language:`` settings, `core.language_settings`):
1. the ticket's or the requester's locale (``de-DE`` -> ``de``) when it is one of the
   configured languages and `trust_locale` is on;
2. the language the detector (py3langid, restricted to the configured languages) finds
   in the customer's newest messages, when they hold at least `min_words` words and its
   probability reaches `min_confidence`;
3. the configured `default`: a short or unclear message is never guessed at.

py3langid was measured against lingua on the labelled multilingual set
(`bench/language_detectors.py`, figures in docs/quality.md): more accurate there, faster,
and a third of lingua's memory. The detector is built once per set of languages per
process, so a decision only pays for the lookup. Never raises for settings that passed
validation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from py3langid.langid import (  # type: ignore[import-untyped]
    MODEL_DIR,
    MODEL_FILE,
    LanguageIdentifier,
)

from core.language_settings import LanguageSettings
from core.models import Signal, Ticket

LANGUAGE = "language"

# Kana and CJK ideographs carry about a word per two characters.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_LOCALE = re.compile(r"^([A-Za-z]{2})(?:[-_].*)?$")


@lru_cache(maxsize=1)
def supported() -> frozenset[str]:
    """Every ISO 639-1 code the detector's model knows (the model is read once for this
    and not kept: the detectors in use hold their own)."""
    model = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    return frozenset(str(code) for code in model.nb_classes)


@lru_cache(maxsize=8)
def detector(languages: tuple[str, ...]) -> LanguageIdentifier:
    """A detector restricted to `languages` (ISO 639-1), built once per set."""
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))  # one language: everything is that language
    return identifier


def word_count(text: str) -> int:
    """Whitespace words; a word in a script without spaces counts a word per two characters."""
    total = 0
    for token in text.split():
        cjk = len(_CJK.findall(token))
        total += (cjk + 1) // 2 if cjk else 1
    return total


def detect(text: str, settings: LanguageSettings) -> tuple[str | None, float]:
    """The language of `text` and the detector's confidence, or (None, top confidence)
    when the text is too short or the detector unsure."""
    if word_count(text) < settings.min_words:
        return None, 0.0
    code, probability = detector(settings.languages).classify(text)
    sure = probability >= settings.min_confidence and code in settings.languages
    return (str(code) if sure else None), float(probability)


def from_locale(locale: str | None, languages: Sequence[str]) -> str | None:
    """The language of a helpdesk locale (``pt-BR`` -> ``pt``) when it is configured."""
    match = _LOCALE.match((locale or "").strip())
    code = match.group(1).lower() if match else None
    return code if code in languages else None


def recent_text(ticket: Ticket, count: int) -> str:
    """The customer's `count` newest public messages, newest first; the subject when
    the customer wrote nothing."""
    customer = ticket.customer_messages()
    texts = [m.text for m in reversed(customer[-count:])]
    return "\n".join(texts) if texts else ticket.subject


def language_signal(ticket: Ticket, settings: LanguageSettings | None = None) -> Signal:
    """``language``: the code as the value, and where it came from as the evidence."""
    settings = settings or LanguageSettings()
    for where, locale in (("ticket", ticket.locale), ("requester", ticket.requester.locale)):
        code = from_locale(locale, settings.languages) if settings.trust_locale else None
        if code is not None:
            return Signal(name=LANGUAGE, value=code,
                          evidence=f"helpdesk locale of the {where} ({locale})")
    text = recent_text(ticket, settings.recent_messages)
    code, confidence = detect(text, settings)
    if code is not None:
        return Signal(name=LANGUAGE, value=code,
                      evidence=f"detected in the customer's newest messages ({confidence:.2f})")
    why = "too short to tell" if word_count(text) < settings.min_words \
        else f"unclear (best guess {confidence:.2f})"
    return Signal(name=LANGUAGE, value=settings.default,
                  evidence=f"default language: the customer's message is {why}")


def article_language(locale: str | None, settings: LanguageSettings) -> str:
    """The language an article is written in: its locale's, else the default language."""
    match = _LOCALE.match((locale or "").strip())
    return match.group(1).lower() if match else settings.default


def knowledge_cap(
    locale: str | None, language: str, settings: LanguageSettings,
    unlocalised: Sequence[str] = (),
) -> tuple[str, str] | None:
    """(rule, why) when an article in `locale` may not answer a customer writing
    `language` (it is neither in their language nor, when ``knowledge_fallback`` allows
    it, in the fallback language), else None. An article without a locale may answer
    the languages in `unlocalised` (``triggers.knowledge_languages``, the languages the
    whole knowledge base is written in)."""
    if locale is None and language in unlocalised:
        return None
    written = article_language(locale, settings)
    if written == language or (settings.knowledge_fallback and written == settings.fallback):
        return None
    if locale is None:
        return ("triggers.knowledge_languages",
                f"the knowledge base has no {language} articles")
    return ("language.knowledge_fallback" if settings.knowledge_fallback else "language",
            f"the article is in {written} and the customer writes {language}")


def language_of(signals: Sequence[Signal], default: str = "en") -> str:
    """The ``language`` signal's code among `signals`, else `default`."""
    return next((str(s.value) for s in signals if s.name == LANGUAGE), default)
