"""personal ID numbers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dancu.kit.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "id_numbers",
        sa.Column("number", sa.String(12), nullable=False),
        sa.Column("province_code", sa.String(3), nullable=False),
        sa.Column("sex", sa.String(6), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(6), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("allocated_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(500), nullable=True),
        sa.Column("replaced_by", sa.String(12), nullable=True),
        sa.CheckConstraint("status IN ('active', 'cancelled')", name=op.f("ck_id_numbers_status")),
        sa.CheckConstraint("sex IN ('male', 'female')", name=op.f("ck_id_numbers_sex")),
        sa.ForeignKeyConstraint(
            ["replaced_by"],
            ["id_numbers.number"],
            name=op.f("fk_id_numbers_replaced_by_id_numbers"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_id_numbers")),
        sa.UniqueConstraint("replaced_by", name=op.f("uq_id_numbers_replaced_by")),
    )


def downgrade() -> None:
    op.drop_table("id_numbers")
