"""Every customer in their own language: the language each decision spoke (ISO 639-1).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    # Nullable: SQLite adds it in place, and older decisions recorded no language.
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("language", sa.String(8)))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("language")
