"""After the handoff: escalation records, AI drafts and their feedback, holdout tickets.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "escalations",
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
    )
    op.create_index("ix_escalations_state", "escalations", ["state", "opened_at"])
    op.create_index("ix_escalations_ticket", "escalations", ["platform", "ticket_id"])
    op.create_table(
        "drafts",
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
    )
    op.create_index("ix_drafts_ticket", "drafts", ["platform", "ticket_id"])
    op.create_table(
        "holdouts",
        sa.Column("decision_id", sa.String(64), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("holdouts")
    op.drop_table("drafts")
    op.drop_table("escalations")
