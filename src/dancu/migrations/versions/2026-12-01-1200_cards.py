"""identity cards: applications, encrypted biometrics, batches, cards, lifecycle events

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dancu.kit.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("produced_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cards_total", sa.Integer(), nullable=False),
        sa.Column("cards_produced", sa.Integer(), nullable=False),
        sa.Column("cards_failed", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_batches")),
        sa.UniqueConstraint("reference", name=op.f("uq_card_batches_reference")),
    )
    op.create_table(
        "card_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_events")),
    )
    with op.batch_alter_table("card_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_card_events_subject", ["subject_type", "subject_id", "id"], unique=False
        )

    op.create_table(
        "cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_number", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("office_commune_code", sa.String(length=5), nullable=False),
        sa.Column("office_province_code", sa.String(length=2), nullable=False),
        sa.Column("produced_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_cards_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards")),
        sa.UniqueConstraint("card_number", name=op.f("uq_cards_card_number")),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index("ix_cards_person_id", ["person_id"], unique=False)
        batch_op.create_index(
            "ix_cards_status_expiry_date", ["status", "expiry_date"], unique=False
        )
        batch_op.create_index(
            "uq_cards_active_person",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "card_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("office_commune_code", sa.String(length=5), nullable=False),
        sa.Column("office_province_code", sa.String(length=2), nullable=False),
        sa.Column("received_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("production_error", sa.String(length=500), nullable=True),
        sa.Column("production_attempts", sa.SmallInteger(), nullable=False),
        sa.Column("handed_over_at", dancu.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["card_batches.id"],
            name=op.f("fk_card_applications_batch_id_card_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_card_applications_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_card_applications_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_applications")),
    )
    with op.batch_alter_table("card_applications", schema=None) as batch_op:
        batch_op.create_index("ix_card_applications_batch_id", ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_card_applications_status_province", ["status", "office_province_code"], unique=False
        )
        batch_op.create_index(
            "uq_card_applications_open_person",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("status NOT IN ('rejected', 'handed_over')"),
            postgresql_where=sa.text("status NOT IN ('rejected', 'handed_over')"),
        )

    op.create_table(
        "card_biometrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["card_applications.id"],
            name=op.f("fk_card_biometrics_application_id_card_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_biometrics")),
    )
    with op.batch_alter_table("card_biometrics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_card_biometrics_application_id"), ["application_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("card_biometrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_biometrics_application_id"))

    op.drop_table("card_biometrics")
    with op.batch_alter_table("card_applications", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_card_applications_open_person",
            sqlite_where=sa.text("status NOT IN ('rejected', 'handed_over')"),
            postgresql_where=sa.text("status NOT IN ('rejected', 'handed_over')"),
        )
        batch_op.drop_index("ix_card_applications_status_province")
        batch_op.drop_index("ix_card_applications_batch_id")

    op.drop_table("card_applications")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_cards_active_person",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index("ix_cards_status_expiry_date")
        batch_op.drop_index("ix_cards_person_id")

    op.drop_table("cards")
    with op.batch_alter_table("card_events", schema=None) as batch_op:
        batch_op.drop_index("ix_card_events_subject")

    op.drop_table("card_events")
    op.drop_table("card_batches")
