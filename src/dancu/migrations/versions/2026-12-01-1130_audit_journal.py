"""audit journal segments (read events moved in batches, exactly once)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dancu.kit.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_journal_segments",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("moved_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_journal_segments")),
    )


def downgrade() -> None:
    op.drop_table("audit_journal_segments")
