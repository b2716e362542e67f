"""The customer's satisfaction rating of a solved ticket, for the lead's CSAT.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    with op.batch_alter_table("ticket_outcomes") as batch:
        batch.add_column(sa.Column("csat", sa.String(8)))
        batch.add_column(sa.Column("csat_checked_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("ticket_outcomes") as batch:
        batch.drop_column("csat_checked_at")
        batch.drop_column("csat")
