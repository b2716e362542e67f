"""Signals that force a path whatever the knowledge base says.

- ``human_request``: the customer asked for a person (phrases in
  ``settings.triggers.human_request``), unless the phrase is negated in its own
  clause ("I don't need a human"); or, when no phrase matched, the learned model
  (`core.human_model`) reads the newest customer message as a request.
- ``high_risk:<topic>``: a topic a human must handle (``settings.triggers.high_risk``).
- ``vip``: ``requester.vip`` or a ``vip`` tag on the ticket or the requester.
- ``sentiment`` (always present): see `core.sentiment`.

Each `Signal` carries the rule that fired as its `value` (for example
``triggers.human_request[3]``) and the matched text as its `evidence`. The text
searched is the subject and the customer's public messages, newest first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from core.context import context_signals
from core.frustration import FrustrationModel, default_frustration
from core.fuzzy import repair
from core.human_model import HumanRequestModel
from core.knowledge import KnowledgeDoc
from core.language_settings import LanguageSettings
from core.lexicon import (
    CLAUSE_BREAK,
    NEGATION_AFTER,
    NEGATION_CLAUSE,
    NEGATION_CONTRAST,
    NEGATION_CUE,
    QUESTION_CUE,
)
from core.models import Signal, Ticket
from core.patterns import OperatorPattern, any_of, operator_pattern
from core.phrasebook import composed
from core.sentiment import sentiment
from core.settings import TriggerSettings
from core.text import straighten

HUMAN_REQUEST = "human_request"
HIGH_RISK = "high_risk"
VIP = "vip"

# How many words before a phrase can negate it ("I really don't need a human").
NEGATION_REACH = 3

_NEGATION = re.compile(NEGATION_CUE, re.IGNORECASE)
COMPOSED = composed()
_NEGATION_AFTER = re.compile(NEGATION_AFTER, re.IGNORECASE)
_NEGATION_CLAUSE = re.compile(NEGATION_CLAUSE, re.IGNORECASE)
_NEGATION_CONTRAST = re.compile(NEGATION_CONTRAST, re.IGNORECASE)
_CLAUSE_BREAK = re.compile(CLAUSE_BREAK, re.IGNORECASE)
_QUESTION = re.compile(QUESTION_CUE, re.IGNORECASE)


def detect(
    ticket: Ticket,
    triggers: TriggerSettings,
    frustration: FrustrationModel | None = None,
    now: datetime | None = None,
    language: LanguageSettings | None = None,
    human_model: HumanRequestModel | None = None,
) -> tuple[Signal, ...]:
    """Every signal of `ticket`: human request, high-risk topics, VIP, frustration, context
    (`core.context`, the language among them), sentiment.

    Never raises for settings that passed validation (which compiles every pattern).
    `frustration` defaults to VADER and rules without the semantic part; without
    `human_model`, human requests are the phrase rules alone.
    """
    texts = customer_texts(ticket)
    repaired = tuple(repair(straighten(t)) for t in texts)
    signals: list[Signal] = []
    human = human_request(repaired, triggers.human_request, triggers.negation,
                          triggers.negation_after)
    if human is None and human_model is not None and texts:
        human = human_model.signal(texts[0])
    if human is not None:
        signals.append(human)
    signals.extend(high_risk(repaired, triggers.high_risk, triggers.high_risk_except))
    vip = vip_signal(ticket, triggers)
    if vip is not None:
        signals.append(vip)
    model = frustration or default_frustration()
    upset = model.signal([m.text for m in ticket.customer_messages()] or [ticket.subject])
    if upset is not None:
        signals.append(upset)
    signals.extend(context_signals(ticket, triggers, now, language))
    signals.append(sentiment(texts))
    return tuple(signals)


def customer_texts(ticket: Ticket) -> tuple[str, ...]:
    """The customer's public messages, newest first, then the subject."""
    texts = [m.text for m in reversed(ticket.customer_messages())]
    if ticket.subject.strip():
        texts.append(ticket.subject)
    return tuple(texts)


def human_request(
    texts: Sequence[str], patterns: Sequence[str], cues: Sequence[str] = (),
    after: Sequence[str] = (),
) -> Signal | None:
    """The first non-negated human-request phrase, by text then by pattern order.
    `cues` and `after` are the operator's negation cues (`TriggerSettings.negation`)."""
    compiled_patterns = compiled(tuple(patterns))
    extra = (compiled(tuple(cues)), compiled(tuple(after)))
    anything = any_of(tuple(patterns), per_line=True)
    for text in map(straighten, texts):
        if not anything.search(text):
            continue
        for index, pattern in enumerate(compiled_patterns):
            for start, end in pattern.spans(text):
                inside = pattern.source in COMPOSED and _NEGATION.search(
                    text[start:end]) is not None
                if not inside and not negated(text, start, end, extra):
                    return Signal(
                        name=HUMAN_REQUEST,
                        value=f"triggers.human_request[{index}]",
                        evidence=text[start:end].strip(),
                    )
    return None


def high_risk(
    texts: Sequence[str],
    topics: dict[str, tuple[str, ...]],
    exceptions: dict[str, tuple[str, ...]] | None = None,
) -> tuple[Signal, ...]:
    """One signal per topic with a match, in the settings' topic order.

    High-risk phrases are not checked for negation: "I don't want a refund, I
    want my money back" must still reach a human. A match whose sentence matches
    one of the topic's `exceptions` ("refund policy") does not count.
    """
    signals: list[Signal] = []
    for topic, patterns in topics.items():
        unless = compiled(tuple((exceptions or {}).get(topic, ())))
        hit = _first_match(texts, patterns, unless)
        if hit is not None:
            index, evidence = hit
            signals.append(
                Signal(
                    name=f"{HIGH_RISK}:{topic}",
                    value=f"triggers.high_risk.{topic}[{index}]",
                    evidence=evidence,
                )
            )
    return tuple(signals)


def article_topics(doc: KnowledgeDoc, triggers: TriggerSettings) -> tuple[str, ...]:
    """High-risk topics the article's own title and examples raise ("Get a refund").

    An article that answers a high-risk question is never used to auto-resolve,
    whatever the customer's wording, so a missed phrase cannot slip through.
    """
    return _article_topics(
        (doc.title, *doc.examples),
        tuple(triggers.high_risk.items()),
        tuple(triggers.high_risk_except.items()),
    )


@lru_cache(maxsize=1024)
def _article_topics(
    texts: tuple[str, ...],
    topics: tuple[tuple[str, tuple[str, ...]], ...],
    exceptions: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[str, ...]:
    repaired = tuple(repair(straighten(t)) for t in texts)
    found = high_risk(repaired, dict(topics), dict(exceptions))
    return tuple(s.name.split(":", 1)[1] for s in found)


def vip_signal(ticket: Ticket, triggers: TriggerSettings | None = None) -> Signal | None:
    """``vip`` from ``requester.vip``, a configured tag on the ticket or requester, the
    requester's organisation, or a configured custom-field value."""
    triggers = triggers or TriggerSettings()
    if ticket.requester.vip:
        return Signal(name=VIP, value="requester.vip", evidence="requester.vip = true")
    wanted = {t.lower() for t in triggers.vip_tags}
    for field, tags in (("ticket.tags", ticket.tags), ("requester.tags", ticket.requester.tags)):
        hit = next((tag for tag in tags if tag.lower() in wanted), None)
        if hit is not None:
            return Signal(name=VIP, value=field, evidence=f"{field} contains '{hit.lower()}'")
    organization = (ticket.requester.organization or "").strip().lower()
    if organization and organization in {o.lower() for o in triggers.vip_organizations}:
        return Signal(name=VIP, value="triggers.vip_organizations",
                      evidence=f"requester.organization = {ticket.requester.organization!r}")
    for name, values in triggers.vip_fields.items():
        value = ticket.custom_fields.get(name, "")
        if value and value.lower() in {v.lower() for v in values}:
            return Signal(name=VIP, value=f"triggers.vip_fields.{name}",
                          evidence=f"custom field {name} = {value!r}")
    return None


def negated(
    text: str, start: int, end: int | None = None,
    extra: tuple[Sequence[OperatorPattern], Sequence[OperatorPattern]] = ((), ()),
) -> bool:
    """Whether a negation cue sits in the few words before `start`, in the same clause;
    or a clause-wide cue ("no hace falta") anywhere before it in the clause, or a
    preference ("rather than") two words or fewer before it; or, given
    the phrase's `end`, a cue right after it ("担当者は不要です"). `extra` holds the
    operator's cues (before, after)."""
    clause = _CLAUSE_BREAK.split(text[:start])[-1]
    if _QUESTION.search(clause):
        return False
    lead = " ".join(clause.split()[-NEGATION_REACH:])
    if any(p.search(clause) for p in (_NEGATION_CLAUSE, _NEGATION_CONTRAST)) \
            or _NEGATION.search(lead) is not None:
        return True
    if any(cue.search(lead) is not None for cue in extra[0]):
        return True
    if end is None:
        return False
    tail = _CLAUSE_BREAK.split(text[end:])[0]
    return _NEGATION_AFTER.search(tail) is not None \
        or any(cue.search(tail) is not None for cue in extra[1])


@lru_cache(maxsize=64)
def compiled(patterns: tuple[str, ...]) -> tuple[OperatorPattern, ...]:
    """Trigger patterns as matched: case-insensitive, per line; operator-written ones on
    RE2 (`core.patterns`), each compiled once.

    Raises ValueError for an invalid pattern; settings validation prevents that.
    """
    return tuple(operator_pattern(p, per_line=True) for p in patterns)


def _first_match(
    texts: Sequence[str],
    sources: Sequence[str],
    unless: Sequence[OperatorPattern] = (),
) -> tuple[int, str] | None:
    patterns = compiled(tuple(sources))
    anything = any_of(tuple(sources), per_line=True)
    for text in map(straighten, texts):
        if not anything.search(text):
            continue
        for index, pattern in enumerate(patterns):
            for start, end in pattern.spans(text):
                if not unless or not _excepted(text, (start, end), unless):
                    return index, text[start:end].strip()
    return None


def _excepted(text: str, span: tuple[int, int], unless: Sequence[OperatorPattern]) -> bool:
    """Whether the sentence around the match at `span` matches one of `unless`."""
    start = max(text.rfind(c, 0, span[0]) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, span[1]) for c in ".!?\n") if i >= 0]
    sentence = text[start: min(ends) if ends else len(text)]
    return any(p.search(sentence) is not None for p in unless)
