"""What a ticket's history says about how it ended, as evaluation labels.

Connectors read what each helpdesk keeps (Zendesk ticket metrics and
satisfaction rating, Freshdesk ticket stats and satisfaction ratings, Gorgias
satisfaction survey) into a neutral `TicketHistory`; `history_labels` turns it
and the ticket's thread into the ``labels`` of an exported row. Pure: no I/O,
no clock.

The rules, one per label (``labels.history``):

- ``solved``: the ticket is solved or closed now, or was once (it was reopened).
- ``agent_public_replies`` / ``ai_public_replies``: public messages by a human
  agent / by our API user (the AI) in the thread.
- ``solved_by``: for a solved ticket, ``agent`` when a human agent replied in
  public, else ``ai`` when the AI did, else ``nobody`` (closed without a public
  answer: spam, "never mind"). None while unsolved.
- ``solved_without_human``: solved with no public human reply.
- ``reopened``: how many times it went from solved or closed back to open
  (Zendesk ``reopens``; Freshdesk 1 when ``stats.reopened_at`` is set, else 0);
  None when the helpdesk does not say (Gorgias).
- ``reassigned``: how many times the assignee changed after the first one was
  set (Zendesk ``assignee_stations`` - 1); None when not known.
- ``regrouped``: the same for groups (Zendesk ``group_stations`` - 1).
- ``escalated``: moved to another group, or its priority raised; None when
  neither is known.
- ``csat``: ``{"score": good|neutral|bad, "raw": <the platform's value>,
  "comment"}`` when the customer rated the ticket, else None.

And ``labels.expect_path``, only where history is clear (the sweep reads it,
see `core.thresholds.judge`):

- ``escalate`` when the ticket was escalated (a human team had to take it over);
- ``auto_resolve`` when the AI's public answer solved it, it was not reopened
  (known not reopened, or unknown but rated good) and the rating, if any, is
  not bad;
- ``draft`` when the AI's answer solved it but the customer reopened it or
  rated it bad: resolving alone would have been wrong, a checked draft not;
- nothing for tickets a human solved or nobody answered: history cannot tell
  whether the AI's answer would have been right.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from core.models import Role, Status, Ticket

CLOSED_STATUSES = frozenset({Status.SOLVED.value, Status.CLOSED.value})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Satisfaction(_Model):
    """The customer's rating: a neutral score and the platform's own value."""

    score: Literal["good", "neutral", "bad"]
    raw: str
    comment: str | None = None


class TicketHistory(_Model):
    """What the helpdesk tells about a ticket's course; None where it does not tell.

    `reopened`: times solved or closed and opened again. `reassigned` and
    `regrouped`: times the assignee (group) changed after the first one was set.
    `priority_raised`: whether someone raised the priority.
    """

    reopened: int | None = None
    reassigned: int | None = None
    regrouped: int | None = None
    priority_raised: bool | None = None
    satisfaction: Satisfaction | None = None


def history_facts(ticket: Ticket, history: TicketHistory) -> dict[str, Any]:
    """``labels.history`` for `ticket`: see the module docstring for each rule."""
    public = [m for m in ticket.messages if m.public]
    agent = sum(1 for m in public if m.author is Role.AGENT)
    ai = sum(1 for m in public if m.author is Role.AI)
    solved = ticket.status.value in CLOSED_STATUSES or bool(history.reopened)
    solved_by = None if not solved else "agent" if agent else "ai" if ai else "nobody"
    moved = (history.regrouped, history.priority_raised)
    escalated = None if moved == (None, None) else bool(history.regrouped) or bool(
        history.priority_raised)
    rating = history.satisfaction
    return {
        "solved": solved,
        "solved_by": solved_by,
        "solved_without_human": solved and not agent,
        "agent_public_replies": agent,
        "ai_public_replies": ai,
        "reopened": history.reopened,
        "reassigned": history.reassigned,
        "regrouped": history.regrouped,
        "escalated": escalated,
        "csat": rating.model_dump() if rating is not None else None,
    }


def expect_path(facts: dict[str, Any]) -> str | None:
    """The path history supports for the sweep, or None where it is not clear."""
    if facts["escalated"]:
        return "escalate"
    if facts["solved_by"] != "ai":
        return None
    csat = (facts["csat"] or {}).get("score")
    if facts["reopened"] or csat == "bad":
        return "draft"
    if facts["reopened"] == 0 or csat == "good":
        return "auto_resolve"
    return None


def history_labels(ticket: Ticket, history: TicketHistory) -> dict[str, Any]:
    """The ``labels`` of an exported row: ``history`` facts and, where clear, ``expect_path``."""
    facts = history_facts(ticket, history)
    labels: dict[str, Any] = {"history": facts}
    path = expect_path(facts)
    if path is not None:
        labels["expect_path"] = path
    return labels
