"""Escalation ladders: the ladder an escalation climbs, its level, the level's due
time, and the handoff history (one JSON list of steps, oldest first).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    # Nullable columns only: SQLite adds them in place, and older records have no ladder.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("ladder", sa.String(64)))
        batch.add_column(sa.Column("level", sa.Integer))
        batch.add_column(sa.Column("level_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("history", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("history")
        batch.drop_column("level_due_at")
        batch.drop_column("level")
        batch.drop_column("ladder")
