"""The labels an export derives from a ticket's history, and the canonical row round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.history import Satisfaction, TicketHistory, expect_path, history_labels
from core.models import Message, Priority, Requester, Role, Status, Ticket
from core.simulation import row_from_ticket, ticket_from_row
from core.thresholds import judge

WHEN = datetime(2026, 1, 5, 10, tzinfo=UTC)


def ticket(*authors: Role, status: Status = Status.SOLVED, public: bool = True) -> Ticket:
    messages = (Message(author=Role.CUSTOMER, text="Where is my parcel?", created_at=WHEN),
                *(Message(author=a, text="On its way.", public=public, created_at=WHEN)
                  for a in authors))
    return Ticket(id="41", platform="zendesk", status=status, requester=Requester(id="c1"),
                  messages=messages)


GOOD = Satisfaction(score="good", raw="good")
BAD = Satisfaction(score="bad", raw="bad", comment="Wrong answer")


@pytest.mark.parametrize(("thread", "history", "path"), [
    # The AI's answer held: not reopened (or unknown but rated good), not rated bad.
    (ticket(Role.AI), TicketHistory(reopened=0), "auto_resolve"),
    (ticket(Role.AI), TicketHistory(satisfaction=GOOD), "auto_resolve"),
    # It did not hold: a checked draft is what history supports.
    (ticket(Role.AI), TicketHistory(reopened=1), "draft"),
    (ticket(Role.AI), TicketHistory(reopened=0, satisfaction=BAD), "draft"),
    # A human team took it over.
    (ticket(Role.AI), TicketHistory(reopened=0, regrouped=1), "escalate"),
    (ticket(Role.AGENT), TicketHistory(priority_raised=True), "escalate"),
    # History cannot judge these.
    (ticket(Role.AI), TicketHistory(), None),
    (ticket(Role.AGENT), TicketHistory(reopened=0, satisfaction=GOOD), None),
    (ticket(), TicketHistory(reopened=0), None),
    (ticket(Role.AI, status=Status.OPEN), TicketHistory(reopened=0), None),
    (ticket(Role.AGENT, public=False), TicketHistory(reopened=0), None),
])
def test_expect_path_only_where_history_is_clear(
    thread: Ticket, history: TicketHistory, path: str | None
) -> None:
    labels = history_labels(thread, history)
    assert labels.get("expect_path") == path
    assert expect_path(labels["history"]) == path


def test_facts_count_replies_and_say_who_solved() -> None:
    facts = history_labels(ticket(Role.AI, Role.AGENT, Role.AGENT), TicketHistory(
        reopened=2, reassigned=1, regrouped=0, satisfaction=BAD))["history"]
    assert facts == {
        "solved": True, "solved_by": "agent", "solved_without_human": False,
        "agent_public_replies": 2, "ai_public_replies": 1, "reopened": 2, "reassigned": 1,
        "regrouped": 0, "escalated": False,
        "csat": {"score": "bad", "raw": "bad", "comment": "Wrong answer"},
    }


def test_unknown_history_stays_unknown() -> None:
    facts = history_labels(ticket(status=Status.CLOSED), TicketHistory())["history"]
    assert facts["solved_by"] == "nobody"
    assert facts["solved_without_human"] is True
    assert (facts["reopened"], facts["reassigned"], facts["escalated"], facts["csat"]) == (
        None, None, None, None)


def test_a_reopened_ticket_was_solved_once() -> None:
    facts = history_labels(ticket(Role.AI, status=Status.OPEN), TicketHistory(reopened=1))
    assert facts["history"]["solved"] is True
    assert facts["expect_path"] == "draft"


@pytest.mark.parametrize(("path", "judged"), [
    ("auto_resolve", (True, False, True)), ("draft", (True, False, False)),
    ("escalate", (True, True, False)),
])
def test_the_sweep_judges_exported_labels(path: str, judged: tuple[bool, bool, bool]) -> None:
    assert judge({"history": {}, "expect_path": path}, "any-article") == judged


def test_a_row_reads_back_as_the_same_ticket() -> None:
    original = Ticket(
        id="7", platform="zendesk", subject="Parcel", status=Status.PENDING,
        priority=Priority.HIGH, tags=("shipping",), channel="email", group="g1", assignee="a1",
        requester=Requester(id="c1", email="dana@example.com", name="Dana", tags=("vip",),
                            vip=True, created_at=WHEN, fields={"tier": "gold"}),
        messages=(Message(id="m1", author=Role.CUSTOMER, text="Hi", html="<p>Hi</p>",
                          created_at=WHEN),
                  Message(author=Role.AGENT, text="note", public=False, created_at=WHEN)),
        sla_due_at=WHEN, custom_fields={"order": "1042"}, brand="b1", form="f1",
        type="question",
    )
    labels: dict[str, Any] = {"history": {"solved": False}}
    row = row_from_ticket(original, labels)

    assert row["labels"] == labels
    assert "platform" not in row
    back = ticket_from_row(row, platform="zendesk")
    # The canonical format keeps no message ids or HTML.
    plain = tuple(m.model_copy(update={"id": None, "html": None}) for m in original.messages)
    assert back == original.model_copy(update={"messages": plain})
