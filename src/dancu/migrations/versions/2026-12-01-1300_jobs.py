"""jobs: the job queue and transactional outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dancu.kit.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_WAITING = sa.text("status IN ('queued', 'failed')")
_RUNNING = sa.text("status = 'running'")
_ORDERED = sa.text("status IN ('queued', 'failed', 'running') AND ordering_key IS NOT NULL")
_DEDUPED = sa.text("status IN ('queued', 'failed', 'running') AND dedupe_key IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("run_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.SmallInteger(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ordering_key", sa.String(length=200), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'failed', 'done', 'dead')",
            name=op.f("ck_jobs_status"),
        ),
        sa.CheckConstraint("max_attempts >= 1", name=op.f("ck_jobs_max_attempts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_due",
            ["priority", "run_at", "id"],
            unique=False,
            sqlite_where=_WAITING,
            postgresql_where=_WAITING,
        )
        batch_op.create_index(
            "ix_jobs_lease",
            ["locked_until"],
            unique=False,
            sqlite_where=_RUNNING,
            postgresql_where=_RUNNING,
        )
        batch_op.create_index(
            "ix_jobs_ordering",
            ["ordering_key", "id"],
            unique=False,
            sqlite_where=_ORDERED,
            postgresql_where=_ORDERED,
        )
        batch_op.create_index(
            "uq_jobs_dedupe_key",
            ["dedupe_key"],
            unique=True,
            sqlite_where=_DEDUPED,
            postgresql_where=_DEDUPED,
        )
        batch_op.create_index("ix_jobs_status_finished_at", ["status", "finished_at"], unique=False)


def downgrade() -> None:
    op.drop_table("jobs")
