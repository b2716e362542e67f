"""The decision log: every decision and every write's outcome, in SQL.

SQLAlchemy Core over SQLite under ``$HANDOFF_HOME`` by default, or the database in
``DATABASE_URL`` (PostgreSQL in production). The schema is owned by Alembic
(`infra/store/migrations`); `open_log` upgrades it to the latest revision, under a
Redis lock so that workers starting together do not migrate twice.

Personal data in reasons and signal evidence is masked (`core.redact`) before it
is stored. Writing is idempotent per decision id: a retried job does not log
its decision twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite

from core.errors import ConfigError
from core.models import Action, Decision
from core.redact import mask

metadata = sa.MetaData()

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(200), nullable=False),
    sa.Column("job_id", sa.String(200)),
    sa.Column("path", sa.String(16), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("signals", sa.JSON, nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("decide_ms", sa.Float, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    # The customer's language, ISO 639-1 (revision 0006; null on older rows).
    sa.Column("language", sa.String(8)),
    sa.Index("ix_decisions_ticket", "platform", "ticket_id"),
    sa.Index("ix_decisions_decided_at", "decided_at"),
)

action_results = sa.Table(
    "action_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("decision_id", sa.String(64), sa.ForeignKey("decisions.decision_id"), nullable=False),
    sa.Column("batch", sa.Integer, nullable=False),
    sa.Column("kinds", sa.JSON, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_action_results_decision", "decision_id"),
)

# After the handoff (revision 0002); read and written by `infra.store.escalations`.
escalations = sa.Table(
    "escalations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("agent", sa.String(200)),
    sa.Column("ticket_url", sa.String(500)),
    sa.Column("customer", sa.String(200)),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("status_at_open", sa.String(16), nullable=False),
    sa.Column("keep_warm_sent", sa.Integer, nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("closed_by", sa.String(64)),
    # Revision 0004: escalation ladders (`core.ladder`); null for an escalation without one.
    sa.Column("ladder", sa.String(64)),
    sa.Column("level", sa.Integer),
    sa.Column("level_due_at", sa.DateTime(timezone=True)),
    sa.Column("history", sa.JSON),
    # Revision 0005: the customer's messages since the escalation (`worker.handback`).
    sa.Column("customers_at_open", sa.Integer),
    sa.Column("new_messages", sa.Integer),
    sa.Column("last_message_at", sa.DateTime(timezone=True)),
    sa.Column("last_message", sa.Text),
    # Revision 0006: the first human public reply after the escalation (the lead's report).
    sa.Column("first_reply_at", sa.DateTime(timezone=True)),
    # Revision 0008: the requester, so the handoff note can tell an earlier escalation.
    sa.Column("requester_id", sa.String(200)),
    sa.Index("ix_escalations_state", "state", "opened_at"),
    sa.Index("ix_escalations_ticket", "platform", "ticket_id"),
    sa.Index("ix_escalations_requester", "platform", "requester_id"),
)

# Revision 0005: every hand-back of a ticket to the AI, by tag or "return to AI".
handbacks = sa.Table(
    "handbacks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(200), nullable=False, unique=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.String(64), nullable=False),
    sa.Column("record_id", sa.Integer),
    sa.Column("by", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_handbacks_ticket", "platform", "ticket_id"),
)

drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.String(64), nullable=False),
    sa.Column("article_id", sa.String(200)),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("draft", sa.Text, nullable=False),
    sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(16)),
    sa.Column("edit_ratio", sa.Float),
    sa.Column("judged_at", sa.DateTime(timezone=True)),
    sa.Index("ix_drafts_ticket", "platform", "ticket_id"),
)

holdouts = sa.Table(
    "holdouts",
    metadata,
    sa.Column("decision_id", sa.String(64), primary_key=True),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("ticket_id", sa.String(64), nullable=False),
    sa.Column("path", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Revision 0003: what became of each ticket, to compare the holdout with the rest.
ticket_outcomes = sa.Table(
    "ticket_outcomes",
    metadata,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("ticket_id", sa.String(64), primary_key=True),
    sa.Column("holdout", sa.Boolean, nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("solved_at", sa.DateTime(timezone=True)),
    sa.Column("is_solved", sa.Boolean, nullable=False),
    sa.Column("reopened", sa.Integer, nullable=False),
    # Revision 0006: when it was first reopened, so containment can count N days.
    sa.Column("reopened_at", sa.DateTime(timezone=True)),
    # Revision 0009: the customer's rating (good, neutral, bad), and when it was last asked.
    sa.Column("csat", sa.String(8)),
    sa.Column("csat_checked_at", sa.DateTime(timezone=True)),
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(env: Mapping[str, str] = os.environ) -> str:
    """``DATABASE_URL``, or SQLite in the state directory."""
    url = env.get("DATABASE_URL")
    if url:
        return url
    home = Path(env.get("HANDOFF_HOME", ".handoff")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'decisions.db'}"


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the latest Alembic revision; raise ConfigError on failure."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except sa.exc.SQLAlchemyError as exc:
        raise ConfigError(f"decision log {engine.url!r}: migration failed: {exc}") from exc


# The databases the decision log runs on, each with its INSERT ... ON CONFLICT.
DIALECTS: dict[str, Callable[[sa.Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert, "postgresql": postgresql.insert}


def insert_once(connection: sa.Connection, table: sa.Table, row: dict[str, Any]) -> None:
    """Insert `row` unless a row with its primary or unique key exists, in one statement
    (ON CONFLICT DO NOTHING). Raises sqlalchemy's error for any other failure."""
    insert = DIALECTS[connection.dialect.name]
    connection.execute(insert(table).on_conflict_do_nothing(), row)


@dataclass(frozen=True)
class DecisionLog:
    """Writes to and reads from the decision log."""

    engine: sa.Engine

    def record_decision(
        self, decision_id: str, event_id: str, job_id: str | None, decision: Decision,
        decide_ms: float,
    ) -> None:
        """Store `decision` once; a second call for the same id changes nothing."""
        row = {
            "decision_id": decision_id,
            "platform": decision.platform,
            "ticket_id": decision.ticket_id,
            "event_id": event_id,
            "job_id": job_id,
            "path": decision.path.value,
            "confidence": decision.confidence,
            "signals": [
                {"name": s.name, "value": s.value, "evidence": mask(s.evidence)}
                for s in decision.signals
            ],
            "reasons": [
                {"code": r.code, "rule": r.rule, "detail": mask(r.detail)} for r in decision.reasons
            ],
            "sources": [{"id": s.id, "title": s.title, "score": s.score}
                        for s in decision.sources],
            "decide_ms": decide_ms,
            "decided_at": datetime.now(UTC),
            "language": decision.language,
        }
        with self.engine.begin() as connection:
            insert_once(connection, decisions, row)

    def record_batch(
        self, decision_id: str, batch: int, actions: Sequence[Action], error: str | None,
        duration_ms: float,
    ) -> None:
        """Store the outcome of one batch of writes (``done`` or ``failed``)."""
        with self.engine.begin() as connection:
            # Parameters apart from the statement: SQLAlchemy then compiles and caches it
            # once, instead of keying a new statement by its values on every call.
            connection.execute(action_results.insert(), {
                "decision_id": decision_id,
                "batch": batch,
                "kinds": [a.kind for a in actions],
                "outcome": "failed" if error else "done",
                "error": mask(error) if error else None,
                "duration_ms": duration_ms,
                "at": datetime.now(UTC),
            })

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest decisions first, as plain dictionaries."""
        query = sa.select(decisions).order_by(decisions.c.decided_at.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def actions_of(self, decision_id: str) -> list[dict[str, Any]]:
        """Every recorded batch outcome of one decision, oldest first."""
        query = (
            sa.select(action_results)
            .where(action_results.c.decision_id == decision_id)
            .order_by(action_results.c.id)
        )
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def ping(self) -> None:
        """Raise sqlalchemy's error if the database does not answer."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))


def _sqlite_for_several_writers(connection: Any, _record: Any) -> None:
    # Several worker processes write at once: WAL lets readers go on while one writes, and
    # the busy timeout makes a writer wait for the lock instead of failing. In WAL mode,
    # synchronous=NORMAL skips the fsync of every commit (a fifth of a job's time, measured
    # in docs/performance.md): a crashed process loses nothing, a power cut at most the
    # last commits, which the Redis ledger and the helpdesk still record.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_log(url: str, lock: redis.Redis | None = None) -> DecisionLog:
    """Connect to `url` and migrate it (under a Redis lock when `lock` is given).

    Raises ConfigError for a bad URL or a failed migration.
    """
    try:
        # A pre-ping guards against server connections gone stale; a SQLite file has no
        # server, and the ping would cost a query per transaction (several per job).
        engine = sa.create_engine(url, pool_pre_ping=sa.make_url(url).get_backend_name()
                                  != "sqlite")
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"DATABASE_URL = {url!r}: {exc}") from exc
    if engine.dialect.name not in DIALECTS:
        raise ConfigError(f"DATABASE_URL = {engine.url!r}: the decision log runs on SQLite "
                          f"or PostgreSQL, not {engine.dialect.name}")
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_for_several_writers)
    if lock is None:
        upgrade(engine)
    else:
        with lock.lock("handoff:lock:migrate", timeout=120, blocking_timeout=120):
            upgrade(engine)
    return DecisionLog(engine)
