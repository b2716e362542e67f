"""Who was escalated: the requester's id on each escalation record, so the handoff note
can say whether a customer was escalated before.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    # Nullable: records made before this revision do not know their requester.
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("requester_id", sa.String(200)))
    op.create_index("ix_escalations_requester", "escalations", ["platform", "requester_id"])


def downgrade() -> None:
    op.drop_index("ix_escalations_requester", "escalations")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("requester_id")
