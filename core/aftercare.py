"""After the handoff: the pure parts of escalation records, keep-warm updates,
the SLA sweep, the draft feedback loop and the holdout.

Nothing here does I/O or reads a clock: callers pass ``now``. The settings
(`AftercareSettings`, the ``aftercare:`` section of the settings file) forbid
unknown keys like every other section.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field

from core.language_settings import LanguageSettings
from core.models import Action, Decision, Message, Path, Reason, Role, Signal, Status, Ticket
from core.platform_settings import Section as _Section


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SeverityRule(_Section):
    """`level` applies when every signal or reason code in `when` is present.

    A name ending in ``:`` matches a family (``high_risk:`` matches ``high_risk:refund``).
    """

    when: tuple[str, ...] = Field(min_length=1)
    level: Severity


DEFAULT_SEVERITY_RULES = (
    SeverityRule(when=("human_request", "vip"), level=Severity.HIGH),
    SeverityRule(when=("high_risk:security",), level=Severity.HIGH),
    SeverityRule(when=("human_request",), level=Severity.MEDIUM),
    SeverityRule(when=("high_risk:",), level=Severity.MEDIUM),
    SeverityRule(when=("vip",), level=Severity.MEDIUM),
    SeverityRule(when=("frustration",), level=Severity.MEDIUM),
    SeverityRule(when=("sla_risk",), level=Severity.MEDIUM),
)


class KeepWarmSettings(_Section):
    """Short public updates while an escalated ticket waits for a human."""

    enabled: bool = True
    delay_seconds: float = Field(default=4 * 3600, gt=0)
    max_updates: int = Field(default=2, ge=0, le=10)
    # Who the customer is waiting for, by reason code or family; "our team" otherwise.
    teams: dict[str, str] = Field(default_factory=lambda: {
        "high_risk:billing": "billing team", "high_risk:refund": "billing team",
        "high_risk:security": "account security team", "high_risk:legal": "legal team",
    })


class SlaSweepSettings(_Section):
    """Escalate AI-owned tickets before their SLA is breached (reason ``sla_risk``)."""

    enabled: bool = True
    every_seconds: float = Field(default=300, gt=0)
    margin_minutes: float = Field(default=30, ge=0)
    lookback_hours: float = Field(default=72, gt=0)
    # Tickets read per sweep, so a sweep never spends more than this of the rate budget.
    max_tickets: int = Field(default=50, gt=0)


class CsatSettings(_Section):
    """Read the customers' satisfaction ratings of solved tickets (the lead's CSAT).

    Each SLA sweep asks the helpdesk for the rating of at most `max_per_sweep` tickets
    solved in the last `days` and not rated yet, each at most once per `every_hours`
    (one to two helpdesk calls per ticket, from the same rate budget as every job).
    """

    enabled: bool = True
    days: int = Field(default=14, gt=0)
    every_hours: float = Field(default=12, gt=0)
    max_per_sweep: int = Field(default=20, ge=0)


class FeedbackSettings(_Section):
    accepted_ratio: float = Field(default=0.95, ge=0, le=1)
    rejected_ratio: float = Field(default=0.5, ge=0, le=1)


class NotifySettings(_Section):
    """Where escalations are announced. URLs are secrets, so they come from the
    environment variables named here (``HANDOFF_NOTIFY_<NAME>``), never from the file.
    Keys of `by_reason` are reason codes or families, as in routing."""

    default: tuple[str, ...] = ()
    by_reason: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    kinds: dict[str, Literal["slack", "webhook"]] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=5.0, gt=0)


class AftercareSettings(_Section):
    severity: tuple[SeverityRule, ...] = DEFAULT_SEVERITY_RULES
    keep_warm: KeepWarmSettings = KeepWarmSettings()
    sla_sweep: SlaSweepSettings = SlaSweepSettings()
    csat: CsatSettings = CsatSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    notify: NotifySettings = NotifySettings()
    holdout_percent: float = Field(default=0.0, ge=0, le=100)


def _names(decision: Decision) -> set[str]:
    return {s.name for s in decision.signals} | {r.code for r in decision.reasons}


def _matches(wanted: str, names: set[str]) -> bool:
    if wanted.endswith(":"):
        return any(n.startswith(wanted) for n in names)
    return wanted in names


def severity(decision: Decision, rules: Sequence[SeverityRule]) -> Severity:
    """The highest level among the rules whose names all fire; LOW when none does."""
    names = _names(decision)
    order = [Severity.HIGH, Severity.MEDIUM, Severity.LOW]
    found = [r.level for r in rules if all(_matches(w, names) for w in r.when)]
    return min(found, key=order.index, default=Severity.LOW)


def primary_reason(decision: Decision) -> str:
    return decision.reasons[0].code if decision.reasons else "unknown"


def for_reason(table: dict[str, str], code: str, default: str) -> str:
    """`table`'s entry for `code`, else for its family, else `default`."""
    return table.get(code) or table.get(code.split(":", 1)[0], default)


def summary(ticket: Ticket, limit: int = 160) -> str:
    """One line: the subject, else the start of the customer's latest message."""
    latest = ticket.customer_messages()
    text = ticket.subject or (latest[-1].text if latest else "")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# -- automatic resolution and keep-warm ------------------------------------------------


def human_replied_since(ticket: Ticket, since: datetime) -> Message | None:
    """The first public agent message written at or after `since`, or None.

    Helpdesks stamp messages to the second, so `since` is compared to the second too.
    """
    floor = since.replace(microsecond=0)
    return next((m for m in ticket.messages
                 if m.author is Role.AGENT and m.public and m.created_at >= floor), None)


def resolved_by_human(ticket: Ticket, since: datetime) -> bool:
    """A human answered in public after the escalation and the ticket is solved."""
    done = ticket.status in (Status.SOLVED, Status.CLOSED)
    return done and human_replied_since(ticket, since) is not None


def keep_warm_stop(ticket: Ticket, since: datetime, status_at_open: str) -> str | None:
    """Why no keep-warm update may go out now, or None when one may."""
    if human_replied_since(ticket, since) is not None:
        return "a human replied"
    if ticket.status.value != status_at_open:
        return f"the ticket is now {ticket.status.value}"
    return None


def keep_warm_message(reason: str, teams: dict[str, str], due: datetime | None,
                      now: datetime, language: str = "en",
                      languages: LanguageSettings | None = None) -> str:
    """An honest update in the customer's `language`: who has the request and, only when
    known, by when they reply (`core.messages.keep_warm`)."""
    from core.messages import keep_warm  # core.messages needs core.settings, which needs us

    when = None
    if due is not None and due > now:
        # Month and day names are English words; other languages get the numeric form.
        when = due.strftime("%A %d %B, %H:%M UTC" if language == "en" else "%d.%m.%Y %H:%M UTC")
    return keep_warm(reason, teams, when, language, languages)


# -- SLA sweep -------------------------------------------------------------------------


def sla_at_risk(ticket: Ticket, now: datetime, margin: timedelta) -> bool:
    """Open and due within `margin` (or overdue)."""
    waiting = ticket.status in (Status.NEW, Status.OPEN, Status.PENDING)
    return waiting and ticket.sla_due_at is not None and ticket.sla_due_at - now <= margin


# -- feedback --------------------------------------------------------------------------


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


def _words(text: str) -> list[str]:
    return text.lower().split()


def compare_draft(draft: str, published: str | None,
                  settings: FeedbackSettings) -> tuple[Outcome, float]:
    """How much of the draft survived: (outcome, edit ratio in [0, 1]).

    The edit ratio is ``1 - similarity`` over words (difflib). None for `published`
    means the draft was discarded (a rejection with ratio 1).
    """
    if published is None:
        return Outcome.REJECTED, 1.0
    similarity = difflib.SequenceMatcher(None, _words(draft), _words(published)).ratio()
    ratio = round(1.0 - similarity, 3)
    if similarity >= settings.accepted_ratio:
        return Outcome.ACCEPTED, ratio
    if similarity >= settings.rejected_ratio:
        return Outcome.EDITED, ratio
    return Outcome.REJECTED, ratio


def suggestion(category: str, counts: dict[str, int], minimum: int = 5) -> str | None:
    """A threshold or exclusion hint for a category, once it has `minimum` drafts."""
    total = sum(counts.values())
    if total < minimum:
        return None
    if counts.get(Outcome.REJECTED, 0) / total >= 0.6:
        return (f"{category}: {counts.get(Outcome.REJECTED, 0)}/{total} drafts rejected; "
                "raise policy.draft_threshold for it or exclude it from drafting")
    if counts.get(Outcome.ACCEPTED, 0) / total >= 0.8:
        return (f"{category}: {counts.get(Outcome.ACCEPTED, 0)}/{total} drafts sent unchanged; "
                "consider lowering policy.auto_resolve_threshold for it")
    return None


# -- holdout ---------------------------------------------------------------------------


def in_holdout(platform: str, ticket_id: str, percent: float) -> bool:
    """A stable pseudo-random draw per ticket: retries and later events agree."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{platform}\0{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100


def signal_names(signals: Sequence[Signal]) -> list[str]:
    return [s.name for s in signals]


def sla_risk_decision(ticket: Ticket, now: datetime, margin: timedelta,
                      actions: tuple[Action, ...] = ()) -> Decision:
    """The escalation the SLA sweep writes: reason ``sla_risk``, with `actions` planned."""
    due = ticket.sla_due_at
    left = int((due - now).total_seconds() // 60) if due else 0
    detail = (f"SLA due at {due:%Y-%m-%d %H:%M} UTC, {left} min from now" if due
              else "no SLA due time")
    return Decision(ticket_id=ticket.id, platform=ticket.platform, path=Path.ESCALATE,
                    confidence=0.0,
                    reasons=(Reason(code=SLA_RISK, detail=detail,
                                    rule=f"aftercare.sla_sweep.margin_minutes="
                                         f"{margin.total_seconds() / 60:g}"),),
                    actions=actions)


SLA_RISK = "sla_risk"
