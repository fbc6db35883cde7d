"""the register: persons, versions, old ID numbers, residences, households

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dancu.kit.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _persons() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(210), nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=False),
        sa.Column("birth_month", sa.SmallInteger(), nullable=True),
        sa.Column("birth_day", sa.SmallInteger(), nullable=True),
        sa.Column("sex", sa.String(6), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("commune_code", sa.String(5), nullable=True),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_number", name=op.f("uq_persons_id_number")),
    )
    op.create_index("ix_persons_name_key", "persons", ["name_key"])
    op.create_index("ix_persons_commune_code_name_key", "persons", ["commune_code", "name_key"])
    op.create_index("ix_persons_province_code", "persons", ["province_code"])
    op.create_index("ix_persons_birth_year", "persons", ["birth_year"])
    op.create_index(op.f("ix_persons_phone"), "persons", ["phone"])
    op.create_table(
        "person_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(12), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("officer", sa.String(64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("legal_reference", sa.String(200), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_versions_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_versions")),
        sa.UniqueConstraint(
            "person_id", "version", name=op.f("uq_person_versions_person_id_version")
        ),
    )
    op.create_table(
        "person_old_id_numbers",
        sa.Column("number", sa.String(12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_old_id_numbers_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("number", "person_id", name=op.f("pk_person_old_id_numbers")),
    )
    op.create_index(
        op.f("ix_person_old_id_numbers_person_id"), "person_old_id_numbers", ["person_id"]
    )


def _residences() -> None:
    op.create_table(
        "residences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("address_line", sa.String(300), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("converted_from", sa.String(5), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.Column("end_reason", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_residences_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residences")),
    )
    op.create_index(op.f("ix_residences_person_id"), "residences", ["person_id"])
    op.create_index("ix_residences_commune_code", "residences", ["commune_code"])
    op.create_index(
        "uq_residences_open_kind",
        "residences",
        ["person_id", "kind"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )


def _households() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_number", sa.String(16), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("address_line", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("dissolved_at", UTCDateTime(), nullable=True),
        sa.Column("split_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["split_from_id"],
            ["households.id"],
            name=op.f("fk_households_split_from_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("household_number", name=op.f("uq_households_household_number")),
    )
    op.create_index(op.f("ix_households_commune_code"), "households", ["commune_code"])
    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relation_to_head", sa.String(24), nullable=False),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("joined_reason", sa.String(500), nullable=False),
        sa.Column("joined_by", sa.String(64), nullable=False),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.Column("left_reason", sa.String(500), nullable=True),
        sa.Column("left_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_household_members_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    op.create_index(
        op.f("ix_household_members_household_id"), "household_members", ["household_id"]
    )
    op.create_index(op.f("ix_household_members_person_id"), "household_members", ["person_id"])
    op.create_index(
        "uq_household_members_open_person",
        "household_members",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL"),
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_index(
        "uq_household_members_open_head",
        "household_members",
        ["household_id"],
        unique=True,
        sqlite_where=sa.text("left_at IS NULL AND is_head"),
        postgresql_where=sa.text("left_at IS NULL AND is_head"),
    )


def upgrade() -> None:
    _persons()
    _residences()
    _households()


def downgrade() -> None:
    for table in (
        "household_members",
        "households",
        "residences",
        "person_old_id_numbers",
        "person_versions",
        "persons",
    ):
        op.drop_table(table)
