"""The support lead's report: each figure computed on a decision log seeded by hand, and
``handoff report`` printing, writing and serving it with its targets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.admin_settings import ReportSettings
from core.aftercare import Outcome
from core.models import Decision, Reason
from core.models import Path as Route
from infra.store import lead_report
from infra.store.decision_log import DecisionLog, decisions, open_log
from infra.store.escalations import Escalations, NewEscalation
from worker.cli import main

pytestmark = pytest.mark.db

# Monday 2026-11-02 00:00 UTC: weeks 45 and 46 of 2026.
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)
NOW = MONDAY + timedelta(days=30)


def decide(log: DecisionLog, n: int, path: str, reason: str, at: datetime) -> None:
    decision = Decision(ticket_id=str(n), platform="zendesk", path=Route(path), confidence=0.5,
                        reasons=(Reason(code=reason, rule="test"),))
    log.record_decision(f"d{n}", f"e{n}", None, decision, 1.0)
    with log.engine.begin() as connection:
        connection.execute(decisions.update().where(decisions.c.decision_id == f"d{n}")
                           .values(decided_at=at))


@pytest.fixture
def seeded(database_url: str) -> Escalations:
    """Ten tickets over two weeks: 2 escalated (refund, human request), 6 auto-resolved
    (one reopened after 1 day, one after 10 days), 1 drafted, 1 skipped."""
    records = Escalations(open_log(database_url).engine)
    log = DecisionLog(records.engine)
    plan = [(1, "escalate", "high_risk:refund", 0), (2, "escalate", "human_request", 8),
            (3, "auto_resolve", "high_confidence", 1), (4, "auto_resolve", "high_confidence", 2),
            (5, "auto_resolve", "high_confidence", 3), (6, "auto_resolve", "high_confidence", 9),
            (7, "auto_resolve", "high_confidence", 10), (8, "auto_resolve", "high_confidence", 11),
            (9, "draft", "medium_confidence", 4), (10, "skip", "not_customer_turn", 5)]
    for n, path, reason, day in plan:
        at = MONDAY + timedelta(days=day)
        decide(log, n, path, reason, at)
        if path == "auto_resolve":
            records.track_outcome("zendesk", str(n), False, True, at)
    records.track_outcome("zendesk", "3", False, False, MONDAY + timedelta(days=2))
    records.track_outcome("zendesk", "4", False, False, MONDAY + timedelta(days=12))
    for n, group, day, reply_minutes in ((1, "group Billing", 0, 30), (2, "group Tier 1", 8, 90)):
        record_id, _ = records.open(NewEscalation(
            decision_id=f"d{n}", platform="zendesk", ticket_id=str(n), reason="r",
            reasons=("r",), severity="high", agent=group, ticket_url=None, customer=None,
            summary="s", status_at_open="open"), MONDAY + timedelta(days=day))
        records.note_first_reply(record_id, MONDAY + timedelta(days=day,
                                                               minutes=reply_minutes))
    for n, outcome in enumerate((Outcome.ACCEPTED, Outcome.EDITED, Outcome.REJECTED)):
        records.record_draft(f"x{n}", "zendesk", "9", None, "ORDERS", "d", MONDAY)
        records.judge(f"x{n}", outcome, 0.1, MONDAY)
    return records


def test_each_figure_of_the_period(seeded: Escalations) -> None:
    report = lead_report.collect(seeded, MONDAY, MONDAY + timedelta(days=14), ReportSettings(),
                                 NOW)
    assert report["tickets"] == 9  # the skipped ticket is not one the AI decided on
    escalation = report["escalation"]
    assert (escalation["escalated"], escalation["rate"], escalation["met"]) == (2, 0.2222, False)
    assert escalation["by_reason"] == {"high_risk:refund": {"tickets": 1, "rate": 0.1111},
                                       "human_request": {"tickets": 1, "rate": 0.1111}}
    assert escalation["by_week"] == {
        "2026-W45": {"tickets": 5, "escalated": 1, "rate": 0.2},
        "2026-W46": {"tickets": 4, "escalated": 1, "rate": 0.25}}
    # Six AI solves: ticket 3 came back within 7 days, ticket 4 after 10 (still contained).
    assert report["containment"] == {"auto_resolved": 6, "contained": 5, "pending": 0,
                                     "reopened_within_days": 1, "rate": 0.5556, "met": True}
    assert report["reopen"] == {"solved": 6, "rate": 0.3333, "met": False}
    reply = report["first_reply"]
    assert (reply["median_minutes"], reply["p90_minutes"], reply["waiting"]) == (60.0, 90.0, 0)
    assert reply["by_group"]["group Billing"] == {"replied": 1, "median_minutes": 30.0,
                                                  "p90_minutes": 30.0}
    assert report["drafts"] == {"judged": 3, "accepted": 1, "edited": 1, "rejected": 1,
                                "acceptance": 0.6667, "met": True}
    assert report["lift"]["ai"]["solved"] == 6
    assert report["csat"] == {"ai": {"rated": 0, "good": 0, "score": None},
                              "human": {"rated": 0, "good": 0, "score": None}, "met": None}


def test_csat_sets_ai_solved_against_human_solved(seeded: Escalations) -> None:
    for n, day in ((1, 1), (2, 9)):  # the two escalated tickets, solved by people
        seeded.track_outcome("zendesk", str(n), False, True, MONDAY + timedelta(days=day))
    ratings = {"1": "good", "2": "good", "3": "bad", "5": "good", "6": "bad", "7": "good",
               "8": "neutral"}
    for ticket_id, score in ratings.items():
        seeded.record_rating("zendesk", ticket_id, score, NOW)

    csat = lead_report.collect(seeded, MONDAY, MONDAY + timedelta(days=14), ReportSettings(),
                               NOW)["csat"]

    # AI-solved: 5, 6, 7, 8 (3 was reopened, so a person finished it); human: 1, 2, 3.
    assert csat["ai"] == {"rated": 4, "good": 2, "score": 0.5}
    assert csat["human"] == {"rated": 3, "good": 2, "score": 0.6667}
    assert csat["met"] is False
    lenient = lead_report.collect(seeded, MONDAY, MONDAY + timedelta(days=14),
                                  ReportSettings(csat_gap_max=0.2), NOW)["csat"]
    assert lenient["met"] is True


def test_the_period_bounds_every_figure_and_an_empty_one_has_no_data(
    seeded: Escalations,
) -> None:
    first_week = lead_report.collect(seeded, MONDAY, MONDAY + timedelta(days=7),
                                     ReportSettings(), NOW)
    assert (first_week["tickets"], first_week["escalation"]["escalated"]) == (5, 1)
    empty = lead_report.collect(seeded, NOW, NOW + timedelta(days=1), ReportSettings(), NOW)
    assert empty["tickets"] == 0
    assert [empty[k]["met"] for k in ("escalation", "containment", "reopen", "first_reply",
                                      "drafts", "csat")] == [None] * 6


def test_targets_are_configurable_and_checked() -> None:
    assert ReportSettings(escalation_rate_max=0.3).escalation_rate_max == 0.3
    with pytest.raises(ValueError, match="escalation_rate_min is above"):
        ReportSettings(escalation_rate_min=0.5, escalation_rate_max=0.2)


def test_handoff_report_prints_writes_and_serves_the_period(
    seeded: Escalations, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "handoff.yaml"
    config.write_text("report:\n  escalation_rate_max: 0.25\n")
    monkeypatch.setenv("HANDOFF_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", database_url)
    period = ["--since", "2026-11-02", "--until", "2026-11-16"]
    printed = CliRunner().invoke(main, ["report", *period])
    assert printed.exit_code == 0, printed.output
    assert "escalation rate     22.2%  target 10%-25%  met" in printed.output
    assert "Refund request: 1 (11.1%)" in printed.output
    assert "2026-W46: 1/4 escalated (25.0%)" in printed.output
    assert "group Tier 1: median 90.0 min" in printed.output
    assert "CSAT AI / human   - (0 rated) / - (0 rated)  target AI >= human - 5%  no data" \
        in printed.output

    answer = CliRunner().invoke(main, ["report", "--json", *period])
    data = json.loads(answer.stdout)
    assert data["lead"]["targets"]["escalation_rate_max"] == 0.25
    assert data["lead"]["escalation"]["met"] is True

    page = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["report", "--html", str(page), *period]).exit_code == 0
    text = page.read_text()
    assert '<div class="value good">22.2%</div>' in text
    assert "target: 10%\u201325% \u00b7 met" in text
    assert 'id="chart-weeks"' in text
    assert "2026-11-02 00:00 UTC" in text  # readable, not ISO with microseconds
    bad = CliRunner().invoke(main, ["report", "--since", "2026-11-16", "--until", "2026-11-02"])
    assert bad.exit_code == 2
