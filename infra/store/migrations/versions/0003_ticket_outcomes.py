"""What became of each ticket (solved when, reopened how often), holdout or not.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "ticket_outcomes",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("ticket_id", sa.String(64), primary_key=True),
        sa.Column("holdout", sa.Boolean, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True)),
        sa.Column("is_solved", sa.Boolean, nullable=False),
        sa.Column("reopened", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ticket_outcomes")
