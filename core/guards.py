"""Guards: tickets the AI stays out of entirely (the ``skip`` path).

Checked in order: the exclusion lists of ``settings.exclusions`` (ticket tags,
channel, requester email, requester domain, subject pattern, auto-responder
sender or subject), then whose turn it
is: the AI only acts when the newest public message is the customer's, it has
not already written anything since that message (the loop guard: our own note
coming back as a webhook must not produce a second note), then whether a person
has the ticket:

- escalated: an escalation record is open, or the ticket carries an escalate tag
  (``tags.escalate``) and no hand-back to the AI came after the newest escalation.
  The two sources are read cautiously: either one alone keeps the AI out, so an
  agent who removes the tag while the record is open, or a record closed by hand
  while the tag stays, does not let the AI back in. Only a hand-back does (the
  ``tags.return_to_ai`` tag, or "return to AI" on the record), which the worker
  turns into `EscalationState.handed_back_at`.
- human-first: any public reply by an agent keeps the AI out for good;
  ``human_first`` can add an agent's internal note, or a person assigned, and can
  never take the public reply away. A hand-back forgives what came before it.

The escalated state is data the caller looked up (`EscalationState`): the guard
itself reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.models import Reason, Role, Ticket
from core.patterns import operator_pattern
from core.settings import ExclusionSettings, HumanFirstSettings, TagSettings

NOT_CUSTOMER_TURN = "not_customer_turn"
ALREADY_HANDLED = "already_handled"
ESCALATED = "escalated"
HUMAN_ENGAGED = "human_engaged"


class EscalationState(BaseModel):
    """What the decision log knows about a ticket's escalations (the worker looks it up).

    `open_records`: escalation records still open. `opened_at`: when the newest
    record, open or closed, was opened. `handed_back_at`: the newest hand-back to
    the AI (tag or "return to AI"), or None. The default knows nothing: the tags
    alone then decide.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    open_records: int = Field(default=0, ge=0)
    opened_at: datetime | None = None
    handed_back_at: datetime | None = None

    def handed_back(self) -> bool:
        """Whether the newest thing that happened is a hand-back to the AI."""
        back = self.handed_back_at
        return back is not None and (self.opened_at is None or back >= self.opened_at)


def guard(
    ticket: Ticket, exclusions: ExclusionSettings, *,
    escalation: EscalationState | None = None, tags: TagSettings | None = None,
    human_first: HumanFirstSettings | None = None,
) -> Reason | None:
    """The reason to skip `ticket`, or None when the AI may look at it. Never raises.

    `escalation` is what the decision log holds (None: nothing known, the tags of
    `tags.escalate` decide alone).
    """
    state = escalation or EscalationState()
    return (
        _excluded(ticket, exclusions)
        or _not_customer_turn(ticket)
        or _already_handled(ticket)
        or _escalated(ticket, state, tags or TagSettings())
        or _human_engaged(ticket, state, human_first or HumanFirstSettings())
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


def _escalated(ticket: Ticket, state: EscalationState, tags: TagSettings) -> Reason | None:
    if state.open_records:
        return Reason(code=ESCALATED, rule="guards.escalated",
                      detail=f"{state.open_records} escalation record(s) open: a person has "
                             "the ticket until it is handed back to the AI")
    wanted = {t.lower() for t in tags.escalate}
    tagged = [t for t in ticket.tags if t.lower() in wanted]
    if tagged and not state.handed_back():
        return Reason(code=ESCALATED, rule=f"tags.escalate ({tagged[0]})",
                      detail=f"tagged {tagged[0]} and not handed back to the AI "
                             f"(tag {tags.return_to_ai} or \"return to AI\")")
    return None


def _human_engaged(
    ticket: Ticket, state: EscalationState, settings: HumanFirstSettings
) -> Reason | None:
    # Helpdesks stamp messages to the second: a message in the hand-back's own second
    # may have come after it, so it still counts.
    since = state.handed_back_at.replace(microsecond=0) if state.handed_back_at else None
    agents = [m for m in ticket.messages
              if m.author is Role.AGENT and (since is None or m.created_at >= since)]
    if any(m.public for m in agents):
        detail = "an agent answered the customer in public: the human keeps it"
        rule = "guards.human_first"
    elif settings.internal_note and agents:
        detail = "an agent wrote an internal note: the human keeps it"
        rule = "human_first.internal_note"
    elif settings.assigned and ticket.assignee is not None:
        detail = f"assigned to {ticket.assignee}: the human keeps it"
        rule = "human_first.assigned"
    else:
        return None
    return Reason(code=HUMAN_ENGAGED, rule=rule, detail=detail)
