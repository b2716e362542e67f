"""The pure parts of the after-the-handoff work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import aftercare as care
from core.models import Decision, Message, Path, Reason, Requester, Role, Signal, Status, Ticket

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DRAFT = ("You can follow your order at any time: sign in, open Account and Orders, and "
         "select the order to see the carrier's tracking number.")
SETTINGS = care.FeedbackSettings()


def decision(*names: str) -> Decision:
    return Decision(ticket_id="1", platform="zendesk", path=Path.ESCALATE, confidence=0.2,
                    signals=tuple(Signal(name=n) for n in names),
                    reasons=(Reason(code=names[0], rule="r"),) if names else ())


@pytest.mark.parametrize(("names", "level"), [
    (("human_request", "vip"), "high"),
    (("human_request",), "medium"),
    (("ai_unavailable",), "low"),
    (("frustration",), "medium"),
    (("high_risk:refund",), "medium"),
    (("high_risk:security", "frustration"), "high"),
    ((), "low"),
])
def test_severity_comes_from_the_configured_rules(names: tuple[str, ...], level: str) -> None:
    assert care.severity(decision(*names), care.DEFAULT_SEVERITY_RULES) == level


def test_feedback_outcomes_for_identical_lightly_edited_and_different_replies() -> None:
    assert care.compare_draft(DRAFT, DRAFT, SETTINGS) == (care.Outcome.ACCEPTED, 0.0)
    edited = DRAFT.replace("at any time: sign in", "whenever you like: log in") + " Thanks, Sam"
    outcome, ratio = care.compare_draft(DRAFT, edited, SETTINGS)
    assert outcome is care.Outcome.EDITED
    assert 0.05 < ratio < 0.5
    different = "We have refunded your order in full; the money is back in 3 to 5 days."
    assert care.compare_draft(DRAFT, different, SETTINGS)[0] is care.Outcome.REJECTED
    assert care.compare_draft(DRAFT, None, SETTINGS) == (care.Outcome.REJECTED, 1.0)


def test_suggestions_for_mostly_rejected_or_mostly_unchanged_categories() -> None:
    assert "raise policy.draft_threshold" in str(care.suggestion("BILLING", {"rejected": 5}))
    assert "lowering" in str(care.suggestion("ORDERS", {"accepted": 9, "edited": 1}))
    assert care.suggestion("ORDERS", {"accepted": 2}) is None
    assert care.suggestion("MIXED", {"accepted": 3, "edited": 3, "rejected": 3}) is None


def ticket(status: Status = Status.OPEN, *messages: Message) -> Ticket:
    return Ticket(id="1", platform="zendesk", status=status, requester=Requester(id="c"),
                  messages=messages)


def test_keep_warm_stops_on_a_human_reply_or_a_status_change() -> None:
    since = NOW - timedelta(hours=1)
    human = Message(author=Role.AGENT, text="On it", created_at=NOW)
    note = Message(author=Role.AGENT, text="internal", public=False, created_at=NOW)
    assert care.keep_warm_stop(ticket(Status.OPEN), since, "open") is None
    assert care.keep_warm_stop(ticket(Status.OPEN, note), since, "open") is None
    assert care.keep_warm_stop(ticket(Status.OPEN, human), since, "open") == "a human replied"
    assert care.keep_warm_stop(ticket(Status.PENDING), since, "open") == "the ticket is now pending"
    assert not care.resolved_by_human(ticket(Status.OPEN, human), since)
    assert care.resolved_by_human(ticket(Status.SOLVED, human), since)


def test_keep_warm_message_promises_a_time_only_when_one_is_known() -> None:
    teams = care.KeepWarmSettings().teams
    dated = care.keep_warm_message("high_risk:billing", teams, NOW + timedelta(hours=3), NOW)
    assert "with our billing team" in dated
    assert "reply by Monday 02 March, 15:00 UTC" in dated
    assert "reply by" not in care.keep_warm_message("human_request", teams, None, NOW)
    assert "reply by" not in care.keep_warm_message("x", teams, NOW - timedelta(hours=1), NOW)


def test_sla_at_risk_within_the_margin_only() -> None:
    margin = timedelta(minutes=30)
    due = ticket(Status.OPEN).model_copy(update={"sla_due_at": NOW + timedelta(minutes=29)})
    assert care.sla_at_risk(due, NOW, margin)
    assert not care.sla_at_risk(due, NOW - timedelta(minutes=2), margin)
    solved = due.model_copy(update={"status": Status.SOLVED})
    assert not care.sla_at_risk(solved, NOW, margin)


def test_holdout_is_a_stable_share_of_tickets() -> None:
    drawn = [care.in_holdout("zendesk", str(n), 10) for n in range(5000)]
    assert 400 < sum(drawn) < 600
    assert drawn == [care.in_holdout("zendesk", str(n), 10) for n in range(5000)]
    assert not any(care.in_holdout("zendesk", str(n), 0) for n in range(100))
