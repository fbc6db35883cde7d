"""linkage: versioned models, runs, and the clerical review queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dancu.kit.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("trained_on", sa.Text(), nullable=False),
        sa.Column("labels_used", sa.Integer(), nullable=False),
        sa.Column("created_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_models")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_linkage_models_name_version")),
    )
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["linkage_models.id"],
            name=op.f("fk_linkage_runs_model_id_linkage_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_runs")),
    )
    with op.batch_alter_table("linkage_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_runs_model_id"), ["model_id"], unique=False)

    op.create_table(
        "linkage_review_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("left_ref", sa.Text(), nullable=False),
        sa.Column("right_ref", sa.Text(), nullable=False),
        sa.Column("left_record", sa.JSON(), nullable=False),
        sa.Column("right_record", sa.JSON(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("agreement", sa.JSON(), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_linkage_review_pairs_run_id_linkage_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_review_pairs")),
    )
    with op.batch_alter_table("linkage_review_pairs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_linkage_review_pairs_queue", ["status", "run_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_linkage_review_pairs_run_status", ["run_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("linkage_review_pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_linkage_review_pairs_run_status")
        batch_op.drop_index("ix_linkage_review_pairs_queue")
    op.drop_table("linkage_review_pairs")
    with op.batch_alter_table("linkage_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_runs_model_id"))
    op.drop_table("linkage_runs")
    op.drop_table("linkage_models")
