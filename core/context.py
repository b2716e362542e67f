"""Context signals: SLA risk, loops, language.

- ``sla_risk``: the SLA is due within `triggers.sla_margin_minutes` of the ticket's
  latest activity (the engine reads no clock; the caller may pass `now`).
- ``loop``: the AI already answered `triggers.loop_ai_turns` times, or the customer's
  newest message restates an earlier one (share of shared words >= `restate_similarity`).
- ``language``: always present; the detected language (ISO 639-1, or ``und`` when
  unsure). A language outside `triggers.knowledge_languages` never auto-resolves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.models import Role, Signal, Ticket
from core.settings import TriggerSettings
from core.text import terms, words

SLA_RISK = "sla_risk"
LOOP = "loop"
LANGUAGE = "language"
UNDETERMINED = "und"

def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP: dict[str, frozenset[str]] = {
    "en": _set(
        "the and is are you your my to of for with have how what where when can not this "
        "that it i me please order do does was"
    ),
    "es": _set(
        "el la los las es son usted mi para con tengo como que donde cuando puedo no "
        "esto eso por favor pedido y de del una un quiero"
    ),
    "fr": _set(
        "le la les est sont vous votre mon pour avec j'ai comment que où quand je ne pas "
        "ce cette merci commande et de des une un veux"
    ),
    "de": _set(
        "der die das ist sind sie ihr mein für mit habe wie was wo wann ich nicht dies "
        "bitte bestellung und von ein eine möchte"
    ),
    "pt": _set(
        "o a os as é são você seu meu para com tenho como que onde quando posso não isso "
        "por favor pedido e de do uma um quero"
    ),
    "it": _set(
        "il lo la gli le è sono lei suo mio per con ho come che dove quando posso non "
        "questo grazie ordine e di del una un voglio"
    ),
    "nl": _set(
        "de het is zijn u uw mijn voor met heb hoe wat waar wanneer ik niet dit "
        "alstublieft bestelling en van een wil"
    ),
}


def context_signals(
    ticket: Ticket, triggers: TriggerSettings, now: datetime | None = None
) -> tuple[Signal, ...]:
    """``sla_risk`` and ``loop`` when they apply, then ``language``. Never raises."""
    signals = [s for s in (sla_risk(ticket, triggers, now), loop(ticket, triggers)) if s]
    signals.append(language_signal(ticket))
    return tuple(signals)


def sla_risk(ticket: Ticket, triggers: TriggerSettings, now: datetime | None) -> Signal | None:
    """``sla_risk`` when the SLA falls due within the margin of `now` (default: last activity)."""
    if ticket.sla_due_at is None:
        return None
    times = [m.created_at for m in ticket.messages]
    if ticket.updated_at is not None:
        times.append(ticket.updated_at)
    reference = now or (max(times) if times else None)
    if reference is None:
        return None
    left = ticket.sla_due_at - reference
    if left > timedelta(minutes=triggers.sla_margin_minutes):
        return None
    minutes = int(left.total_seconds() // 60)
    return Signal(name=SLA_RISK, value=f"triggers.sla_margin_minutes={triggers.sla_margin_minutes}",
                  evidence=f"SLA due in {minutes} min" if minutes >= 0 else "SLA breached")


def loop(ticket: Ticket, triggers: TriggerSettings) -> Signal | None:
    """``loop`` when the AI answered too often, or the customer says the same thing again."""
    ai_turns = sum(1 for m in ticket.messages if m.author is Role.AI and m.public)
    if ai_turns >= triggers.loop_ai_turns:
        return Signal(name=LOOP, value=f"triggers.loop_ai_turns={triggers.loop_ai_turns}",
                      evidence=f"the AI already answered {ai_turns} time(s)")
    customer = ticket.customer_messages()
    if len(customer) < 2:
        return None
    latest = set(terms(customer[-1].text))
    for earlier in customer[:-1]:
        before = set(terms(earlier.text))
        if latest and before:
            overlap = len(latest & before) / len(latest | before)
            if overlap >= triggers.restate_similarity:
                return Signal(
                    name=LOOP, value=f"triggers.restate_similarity={triggers.restate_similarity:g}",
                    evidence=f"the customer restated an earlier message ({overlap:.2f} overlap)",
                )
    return None


def detect_language(text: str) -> str:
    """The most likely language of `text` by function words, or ``und`` when unsure."""
    tokens = [t for t in words(text) if len(t) > 0]
    if len(tokens) < 3:
        return UNDETERMINED
    counts = {code: sum(t in stop for t in tokens) for code, stop in _STOP.items()}
    best = max(counts, key=lambda code: (counts[code], code == "en"))
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] < 2 or (ranked[0] == ranked[1] and best != "en"):
        return UNDETERMINED
    return best


def language_signal(ticket: Ticket) -> Signal:
    """``language`` of the customer's newest message (with the subject as a fallback)."""
    customer = ticket.customer_messages()
    text = customer[-1].text if customer else ticket.subject
    code = detect_language(text)
    if code == UNDETERMINED and ticket.subject.strip():
        code = detect_language(f"{ticket.subject} {text}")
    return Signal(name=LANGUAGE, value=code, evidence="function words of the newest message")
