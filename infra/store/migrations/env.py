"""Alembic environment: migrations run on the connection `decision_log.upgrade` passes."""

from __future__ import annotations

from alembic import context

from infra.store.decision_log import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
