"""Escalated means escalated: the customer's messages since the escalation (how many,
the newest one's time and a masked excerpt), and every hand-back to the AI.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    # Nullable columns only: SQLite adds them in place, and older records counted nothing.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("customers_at_open", sa.Integer))
        batch.add_column(sa.Column("new_messages", sa.Integer))
        batch.add_column(sa.Column("last_message_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("last_message", sa.Text))
    op.create_table(
        "handbacks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(200), nullable=False, unique=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("record_id", sa.Integer),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_handbacks_ticket", "platform", "ticket_id"),
    )


def downgrade() -> None:
    op.drop_table("handbacks")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("last_message")
        batch.drop_column("last_message_at")
        batch.drop_column("new_messages")
        batch.drop_column("customers_at_open")
