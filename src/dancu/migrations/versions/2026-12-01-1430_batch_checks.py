"""gateway batch checks: an agency's uploaded rows and their results

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dancu.kit.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_matched", sa.Integer(), nullable=False),
        sa.Column("created_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_batch_checks_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_checks")),
    )
    with op.batch_alter_table("batch_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_checks_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "batch_check_rows",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("given", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch_checks.id"],
            name=op.f("fk_batch_check_rows_batch_id_batch_checks"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "line", name=op.f("pk_batch_check_rows")),
    )


def downgrade() -> None:
    op.drop_table("batch_check_rows")
    with op.batch_alter_table("batch_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_checks_agency_id"))

    op.drop_table("batch_checks")
