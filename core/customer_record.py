"""The customer's record in the warm handoff note: their organisation and its tier,
whether they were escalated before, and their other open and recent tickets.

The worker gathers the record only for an escalation (one extra helpdesk call for the
other tickets, and one query of the escalation records) and `with_record` adds it to
the decision's handoff note; everything here is pure and never raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from core.handoff_note import SENTIMENT_LABEL, TITLE
from core.models import Decision, InternalNote, Path, Requester, TicketBrief
from core.note_settings import CustomerRecordSettings
from core.text import excerpt

HEADING = "Customer record:"
_BEFORE = "\n\n" + SENTIMENT_LABEL
"""The record goes after the summary and attachments, before the sentiment."""
SUBJECT_CHARS = 80


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PastEscalation(_Record):
    """One earlier escalation of the same customer, from the escalation records."""

    ticket_id: str
    reason: str
    opened_at: datetime
    state: str
    url: str | None = None


class EarlierAnswer(_Record):
    """An answer the AI gave on this ticket before, from the decision log."""

    title: str
    path: str
    decided_at: datetime


class CustomerRecord(_Record):
    """What the worker found; `other_tickets_error` says why the list could not be read
    (the decision log's parts are read or the job fails)."""

    other_tickets: tuple[TicketBrief, ...] = ()
    other_tickets_error: str = ""
    other_tickets_read: bool = False
    escalations: tuple[PastEscalation, ...] = ()
    escalations_read: bool = False
    answers_before: tuple[EarlierAnswer, ...] = ()


def tier(requester: Requester, fields: Sequence[str]) -> str | None:
    """The first of `fields` set on the organisation, else on the customer; None if none."""
    for source in (requester.organization_fields, requester.fields):
        lowered = {k.lower(): v for k, v in source.items()}
        for name in fields:
            value = lowered.get(name.lower(), "").strip()
            if value:
                return value
    return None


def section(requester: Requester, record: CustomerRecord,
            settings: CustomerRecordSettings) -> str:
    """The "Customer record" part of the handoff note, as plain text lines."""
    lines = [HEADING, _organisation(requester, settings)]
    if record.answers_before:
        lines.append("- The AI answered on this ticket before with: " + "; ".join(
            f'"{excerpt(a.title, SUBJECT_CHARS)}" ({a.path.replace("_", " ")}, '
            f"{a.decided_at:%Y-%m-%d %H:%M})" for a in record.answers_before) + ".")
    if settings.escalations_before:
        lines.append(_escalations(record))
    if settings.other_tickets:
        lines.extend(_others(record, settings.other_tickets))
    return "\n".join(lines)


def with_record(decision: Decision, text: str) -> Decision:
    """`decision` with `text` added to its handoff note, after the summary. A decision
    that is not an escalation, or has no handoff note, is returned unchanged."""
    if decision.path is not Path.ESCALATE or not text:
        return decision
    actions = list(decision.actions)
    for index, action in enumerate(actions):
        if isinstance(action, InternalNote) and action.body.startswith(TITLE):
            head, found, tail = action.body.partition(_BEFORE)
            body = f"{head}\n\n{text}{found}{tail}" if found else f"{head}\n\n{text}"
            actions[index] = InternalNote(body=body)
            return decision.model_copy(update={"actions": tuple(actions)})
    return decision


def _organisation(requester: Requester, settings: CustomerRecordSettings) -> str:
    level = tier(requester, settings.tier_fields)
    suffix = f" (tier: {level})." if level else "."
    if requester.organization_name:
        return f"- Organisation: {excerpt(requester.organization_name, 120)}{suffix}"
    if requester.organization:
        return f"- Organisation: id {excerpt(requester.organization, 60)}{suffix}"
    return f"- Organisation: none on record{suffix}"


def _escalations(record: CustomerRecord) -> str:
    if not record.escalations_read:
        return "- Escalated before: not known."
    if not record.escalations:
        return "- Escalated before: no."
    latest = max(record.escalations, key=lambda e: e.opened_at)
    where = f" {latest.url}" if latest.url else ""
    return (f"- Escalated before: yes, {len(record.escalations)} time(s); the latest on "
            f"{latest.opened_at:%Y-%m-%d}, ticket {latest.ticket_id} ({latest.reason}, "
            f"{latest.state}){where}.")


def _others(record: CustomerRecord, limit: int) -> list[str]:
    if record.other_tickets_error:
        return [f"- Other tickets: could not be read ({record.other_tickets_error})."]
    if not record.other_tickets_read:
        return ["- Other tickets: not read."]
    if not record.other_tickets:
        return ["- Other tickets: none."]
    shown = record.other_tickets[:limit]
    lines = [f"- Other tickets ({len(shown)}, latest update first):"]
    for brief in shown:
        when = f", updated {brief.updated_at:%Y-%m-%d}" if brief.updated_at else ""
        subject = excerpt(brief.subject, SUBJECT_CHARS) or "(no subject)"
        link = f" {brief.url}" if brief.url else ""
        lines.append(f"  - #{brief.id} {brief.status.value}{when}: \"{subject}\"{link}")
    return lines
