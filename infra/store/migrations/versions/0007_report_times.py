"""What the support lead's report measures that was not kept: when an escalated ticket
first got a human public reply, and when a solved ticket was first reopened.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    # Nullable columns only: SQLite adds them in place, and older rows measured nothing.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("ticket_outcomes") as batch:
        batch.add_column(sa.Column("reopened_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("ticket_outcomes") as batch:
        batch.drop_column("reopened_at")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("first_reply_at")
