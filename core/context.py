"""Context signals: SLA risk, loops, attachments, language.

- ``sla_risk``: the SLA is due within `triggers.sla_margin_minutes` of the ticket's
  latest activity (the engine reads no clock; the caller may pass `now`).
- ``loop``: the AI already answered `triggers.loop_ai_turns` times, or the customer's
  newest message restates an earlier one (share of shared words >= `restate_similarity`).
- ``attachment``: the customer's newest public message carries files; the reply to it
  is at most a draft (`core.policy`, ``policy.never_auto_resolve_attachments``).
- ``language``: always present; the customer's language (ISO 639-1, `core.language`).
  An article not in that language never auto-resolves (`core.language.knowledge_cap`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.language import LANGUAGE, language_signal
from core.language_settings import LanguageSettings
from core.models import Role, Signal, Ticket
from core.settings import TriggerSettings
from core.text import terms

SLA_RISK = "sla_risk"
LOOP = "loop"
ATTACHMENT = "attachment"
UNDETERMINED = "und"
__all__ = ["ATTACHMENT", "LANGUAGE", "LOOP", "SLA_RISK", "UNDETERMINED", "context_signals"]

def context_signals(
    ticket: Ticket, triggers: TriggerSettings, now: datetime | None = None,
    language: LanguageSettings | None = None,
) -> tuple[Signal, ...]:
    """``sla_risk``, ``loop`` and ``attachment`` when they apply, then ``language``.
    Never raises."""
    signals = [s for s in (sla_risk(ticket, triggers, now), loop(ticket, triggers),
                           attachment(ticket)) if s]
    signals.append(language_signal(ticket, language))
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


def attachment(ticket: Ticket) -> Signal | None:
    """``attachment`` when the customer's newest public message carries files."""
    customer = ticket.customer_messages()
    files = customer[-1].attachments if customer else ()
    if not files:
        return None
    names = ", ".join(f.name for f in files[:3]) + (", ..." if len(files) > 3 else "")
    return Signal(name=ATTACHMENT, value="policy.never_auto_resolve_attachments",
                  evidence=f"{len(files)} file(s): {names}")


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
