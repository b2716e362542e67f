"""`handoff purge`: rows past the retention period go, open escalations and their
decisions stay (SQLite here; PostgreSQL with DATABASE_URL, as CI runs the `db` tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from infra.store.decision_log import (
    action_results,
    decisions,
    drafts,
    escalations,
    handbacks,
    holdouts,
    open_log,
    ticket_outcomes,
)
from tests.conftest import ROOT
from worker.cli import main

NOW = datetime.now(UTC)
OLD, RECENT = NOW - timedelta(days=200), NOW - timedelta(days=10)


def decision(decision_id: str, at: datetime) -> dict[str, object]:
    return {"decision_id": decision_id, "platform": "zendesk", "ticket_id": decision_id,
            "event_id": f"e-{decision_id}", "path": "escalate", "confidence": 0.1,
            "signals": [], "reasons": [], "sources": [], "decide_ms": 1.0, "decided_at": at}


def escalation(decision_id: str, state: str, opened: datetime,
               closed: datetime | None) -> dict[str, object]:
    return {"decision_id": decision_id, "platform": "zendesk", "ticket_id": decision_id,
            "reason": "human_request", "reasons": [], "severity": "normal", "summary": "s",
            "state": state, "status_at_open": "open", "keep_warm_sent": 0, "opened_at": opened,
            "closed_at": closed}


def fill(url: str) -> sa.Engine:
    engine = open_log(url).engine
    with engine.begin() as connection:
        connection.execute(decisions.insert(), [
            decision("old", OLD), decision("recent", RECENT), decision("still-open", OLD),
            decision("closed-late", OLD)])
        connection.execute(action_results.insert(), [
            {"decision_id": d, "batch": 0, "kinds": ["note"], "outcome": "done",
             "duration_ms": 1.0, "at": at} for d, at in (("old", OLD), ("recent", RECENT))])
        connection.execute(escalations.insert(), [
            escalation("old", "resolved", OLD, OLD),
            escalation("still-open", "open", OLD, None),
            escalation("closed-late", "dismissed", OLD, RECENT)])
        connection.execute(drafts.insert(), [
            {"decision_id": d, "platform": "zendesk", "ticket_id": d, "category": "ORDERS",
             "draft": "text", "drafted_at": at} for d, at in (("old", OLD), ("recent", RECENT))])
        connection.execute(handbacks.insert(), [
            {"request_id": r, "platform": "zendesk", "ticket_id": r, "by": "tag", "at": at}
            for r, at in (("old", OLD), ("recent", RECENT))])
        connection.execute(holdouts.insert(), [
            {"decision_id": d, "platform": "zendesk", "ticket_id": d, "path": "draft", "at": at}
            for d, at in (("old", OLD), ("recent", RECENT))])
        connection.execute(ticket_outcomes.insert(), [
            {"platform": "zendesk", "ticket_id": t, "holdout": False, "first_seen_at": at,
             "is_solved": True, "reopened": 0} for t, at in (("old", OLD), ("recent", RECENT))])
    return engine


def left(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table.name: connection.execute(
            sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (decisions, action_results, escalations, drafts, handbacks, holdouts,
                          ticket_outcomes)}


def purge(url: str, *args: str, config: Path | None = None) -> tuple[int, str]:
    env = {"DATABASE_URL": url,
           "HANDOFF_CONFIG": str(config or ROOT / "config" / "handoff.yaml")}
    result = CliRunner().invoke(main, ["purge", *args], env=env)
    return result.exit_code, result.output


def test_rows_past_the_period_go_and_kept_escalations_keep_their_decisions(
        database_url: str) -> None:
    engine = fill(database_url)
    code, output = purge(database_url, "--older-than", "90d")
    assert code == 0, output
    assert "deleted       1 decisions" in output
    assert left(engine) == {"decisions": 3, "action_results": 1, "escalations": 2,
                            "drafts": 1, "handbacks": 1, "holdouts": 1, "ticket_outcomes": 1}
    with engine.connect() as connection:
        kept = set(connection.execute(sa.select(decisions.c.decision_id)).scalars())
        states = set(connection.execute(sa.select(escalations.c.state)).scalars())
    assert kept == {"recent", "still-open", "closed-late"}
    assert states == {"open", "dismissed"}


def test_a_dry_run_counts_and_deletes_nothing(database_url: str) -> None:
    engine = fill(database_url)
    before = left(engine)
    code, output = purge(database_url, "--older-than", "12w", "--dry-run")
    assert code == 0, output
    assert "would delete       1 escalations" in output
    assert left(engine) == before


def test_without_a_period_the_settings_retention_applies(database_url: str,
                                                         tmp_path: Path) -> None:
    engine = fill(database_url)
    (tmp_path / "knowledge").symlink_to(ROOT / "config" / "knowledge")
    config = tmp_path / "handoff.yaml"
    config.write_text("retention_days: 365\n")
    before = left(engine)
    assert purge(database_url, config=config)[0] == 0
    assert left(engine) == before  # nothing is 365 days old
    config.write_text("retention_days: 100\n")
    assert purge(database_url, config=config)[0] == 0
    assert left(engine)["decisions"] == 3
    assert left(engine)["escalations"] == 2


def test_a_bad_period_is_a_usage_error(database_url: str) -> None:
    code, output = purge(database_url, "--older-than", "soon")
    assert code == 2
    assert "'soon' is not a period" in output
