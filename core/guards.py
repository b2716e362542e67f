"""Guards: tickets the AI stays out of entirely (the ``skip`` path).

Checked in order: the exclusion lists of ``settings.exclusions`` (ticket tags,
channel, requester email, requester domain, subject pattern, auto-responder
sender or subject), then whose turn it
is: the AI only acts when the newest public message is the customer's, it has
not already written anything since that message (the loop guard: our own note
coming back as a webhook must not produce a second note), and no human both
owns the ticket and has answered in it (human-first).
"""

from __future__ import annotations

from collections.abc import Callable

from core.models import Reason, Role, Ticket
from core.patterns import operator_pattern
from core.settings import ExclusionSettings

NOT_CUSTOMER_TURN = "not_customer_turn"
ALREADY_HANDLED = "already_handled"
HUMAN_ENGAGED = "human_engaged"


def guard(ticket: Ticket, exclusions: ExclusionSettings) -> Reason | None:
    """The reason to skip `ticket`, or None when the AI may look at it. Never raises."""
    return (
        _excluded(ticket, exclusions)
        or _not_customer_turn(ticket)
        or _already_handled(ticket)
        or _human_engaged(ticket)
    )


def _excluded(ticket: Ticket, exclusions: ExclusionSettings) -> Reason | None:
    tags = {t.lower() for t in ticket.tags}
    channel = (ticket.channel or "").lower()
    email = (ticket.requester.email or "").strip().lower()
    domain = email.rpartition("@")[2]
    checks: tuple[tuple[str, str, tuple[str, ...], Callable[[str], bool]], ...] = (
        ("excluded_tag", "tags", exclusions.tags, lambda v: v.lower() in tags),
        ("excluded_channel", "channels", exclusions.channels, lambda v: channel == v.lower()),
        (
            "excluded_requester",
            "requester_emails",
            exclusions.requester_emails,
            lambda v: bool(email) and email == v.strip().lower(),
        ),
        (
            "excluded_requester",
            "requester_domains",
            exclusions.requester_domains,
            lambda v: _in_domain(domain, v),
        ),
        (
            "excluded_subject",
            "subject_patterns",
            exclusions.subject_patterns,
            lambda v: operator_pattern(v).search(ticket.subject) is not None,
        ),
        (
            "auto_responder",
            "auto_responder_senders",
            exclusions.auto_responder_senders,
            lambda v: operator_pattern(v).search(email) is not None,
        ),
        (
            "auto_responder",
            "auto_responder_subjects",
            exclusions.auto_responder_subjects,
            lambda v: operator_pattern(v).search(ticket.subject.strip()) is not None,
        ),
    )
    for code, field, values, hit in checks:
        for i, value in enumerate(values):
            if hit(value):
                return Reason(
                    code=code,
                    rule=f"exclusions.{field}[{i}]",
                    detail=f"the ticket matches the excluded value {value!r}",
                )
    return None


def _in_domain(domain: str, excluded: str) -> bool:
    wanted = excluded.strip().lower().lstrip("@")
    return bool(domain) and (domain == wanted or domain.endswith("." + wanted))


def _not_customer_turn(ticket: Ticket) -> Reason | None:
    latest = ticket.latest_public()
    if latest is None:
        detail = "the thread has no public message"
    elif latest.author is not Role.CUSTOMER:
        detail = f"the latest public message is from the {latest.author.value}"
    else:
        return None
    return Reason(code=NOT_CUSTOMER_TURN, rule="guards.customer_turn", detail=detail)


def _already_handled(ticket: Ticket) -> Reason | None:
    last_customer = max(
        (i for i, m in enumerate(ticket.messages) if m.author is Role.CUSTOMER), default=-1
    )
    if any(m.author is Role.AI for m in ticket.messages[last_customer + 1 :]):
        return Reason(
            code=ALREADY_HANDLED,
            rule="guards.loop",
            detail="the AI already wrote after the latest customer message",
        )
    return None


def _human_engaged(ticket: Ticket) -> Reason | None:
    answered = any(m.author is Role.AGENT and m.public for m in ticket.messages)
    if ticket.assignee is not None and answered:
        return Reason(
            code=HUMAN_ENGAGED,
            rule="guards.human_first",
            detail=f"assigned to {ticket.assignee}, who has answered: the human keeps it",
        )
    return None
