"""The decision log on SQLite, or on the database in DATABASE_URL."""

from __future__ import annotations

import pathlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.errors import ConfigError
from core.models import AddTags, Decision, InternalNote, Path, Reason, Signal, Source
from infra.store import decision_log
from infra.store.decision_log import metadata, open_log, ticket_outcomes
from infra.store.escalations import Escalations

DECISION = Decision(
    ticket_id="42", platform="zendesk", path=Path.ESCALATE, confidence=0.3,
    signals=(Signal(name="human_request", value="triggers.human_request[0]",
                    evidence="call me at +1 415 555 0134 or jo@example.com"),),
    reasons=(Reason(code="human_request", rule="triggers.human_request[0]",
                    detail="card 4111 1111 1111 1111"),),
    sources=(Source(id="track_order", title="Track", score=0.4),),
    actions=(InternalNote(body="note"), AddTags(tags=("x",))),
    language="de",
)


def test_migrations_build_exactly_the_declared_schema(database_url: str) -> None:
    log = open_log(database_url)
    with log.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_decision_is_stored_once_with_personal_data_masked(database_url: str) -> None:
    log = open_log(database_url)
    log.record_decision("d1", "ev-1", "job-1", DECISION, decide_ms=2.5)
    log.record_decision("d1", "ev-1", "job-1", DECISION, decide_ms=9.9)
    rows = log.recent()
    assert len(rows) == 1
    row = rows[0]
    assert (row["path"], row["ticket_id"], row["decide_ms"]) == ("escalate", "42", 2.5)
    assert row["language"] == "de"
    assert row["signals"][0]["evidence"] == "call me at [phone] or [email]"
    assert row["reasons"][0]["detail"] == "card [card]"
    assert row["sources"] == [{"id": "track_order", "title": "Track", "score": 0.4}]


def test_batch_outcomes_are_kept_in_order(database_url: str) -> None:
    log = open_log(database_url)
    log.record_decision("d1", "ev-1", None, DECISION, decide_ms=1.0)
    log.record_batch("d1", 0, DECISION.actions, "TransientError: HTTP 503", 12.0)
    log.record_batch("d1", 0, DECISION.actions, None, 8.0)
    outcomes = [(r["batch"], r["outcome"], r["kinds"]) for r in log.actions_of("d1")]
    assert outcomes == [(0, "failed", ["internal_note", "add_tags"]),
                        (0, "done", ["internal_note", "add_tags"])]


def head() -> str:
    """The newest revision in infra/store/migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(decision_log.MIGRATIONS))
    found = ScriptDirectory.from_config(config).get_current_head()
    assert found is not None
    return found


def test_open_log_twice_is_a_no_op_migration(database_url: str) -> None:
    open_log(database_url)
    log = open_log(database_url)
    with log.engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head()


def test_drafts_and_holdouts_are_stored_once(database_url: str) -> None:
    records = Escalations(open_log(database_url).engine)
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    records.record_draft("d1", "zendesk", "7", "track_order", "ORDERS", "first", now)
    records.record_draft("d1", "zendesk", "7", "refunds", "BILLING", "second", now)
    records.record_holdout("d2", "zendesk", "8", "escalate", now)
    records.record_holdout("d2", "zendesk", "8", "draft", now)
    drafts = records.unjudged_drafts("zendesk", "7")
    assert [(d["decision_id"], d["draft"], d["category"]) for d in drafts] == [
        ("d1", "first", "ORDERS")]
    assert records.holdout_summary() == {"escalate": 1}


def test_outcomes_note_the_first_solve_and_each_reopening(database_url: str) -> None:
    records = Escalations(open_log(database_url).engine)
    start = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    for minutes, solved in ((0, False), (1, False), (2, True), (3, True), (4, False), (5, True)):
        records.track_outcome("zendesk", "9", False, solved, start + timedelta(minutes=minutes))
    with records.engine.connect() as connection:
        row = connection.execute(sa.select(ticket_outcomes)).one()
    assert (row.is_solved, row.reopened) == (True, 1)
    assert row.solved_at.replace(tzinfo=UTC) == start + timedelta(minutes=2)


def test_a_database_the_log_does_not_run_on_fails_at_start_naming_the_url(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(decision_log.DIALECTS, "sqlite")
    with pytest.raises(ConfigError, match=r"DATABASE_URL = .*decisions\.db.*SQLite or "
                                          r"PostgreSQL, not sqlite"):
        open_log(f"sqlite:///{tmp_path / 'decisions.db'}")


def test_a_database_from_before_the_move_upgrades_and_keeps_its_rows(database_url: str) -> None:
    """The migrations moved from infra/store/migrations to infra/store/migrations; Alembic
    keys a database by revision id, not by path, so a decision log the previous layout
    left at revision 0004 (the last release before the move) upgrades in place."""
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(decision_log.MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        connection.execute(decision_log.decisions.insert(), {
            "decision_id": "old", "event_id": "ev-0", "job_id": None, "platform": "zendesk",
            "ticket_id": "7", "path": "draft", "confidence": 0.7, "reasons": [],
            "signals": [], "sources": [], "decide_ms": 1.0,
            "decided_at": datetime.now(UTC)})
    engine.dispose()

    log = open_log(database_url)
    with log.engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert (version, diff) == (head(), [])
    assert [(row["decision_id"], row["language"]) for row in log.recent()] == [("old", None)]
