"""administrative units: current and pre-2025 provinces, districts, communes, conversions

Reference data travels with the schema: the tables are filled here from the files packaged in
dancu/adminunit/data (see SOURCES.md there), so every database at this revision holds the same
units.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 13:10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dancu.adminunit import datafiles
from dancu.kit.text import fold

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 2000
_PROVINCE_KEY = ["provinces.unit_set", "provinces.code"]
_DISTRICT_KEY = ["districts.unit_set", "districts.code"]


def _unit_columns(code_length: int) -> list[sa.Column[str]]:
    return [
        sa.Column("unit_set", sa.String(8), nullable=False),
        sa.Column("code", sa.String(code_length), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("division_type", sa.String(32), nullable=False),
    ]


def _create_tables() -> tuple[sa.Table, sa.Table, sa.Table, sa.Table]:
    provinces = op.create_table(
        "provinces",
        *_unit_columns(2),
        sa.CheckConstraint("unit_set IN ('current', 'legacy')", name=op.f("ck_provinces_unit_set")),
        sa.PrimaryKeyConstraint("unit_set", "code", name=op.f("pk_provinces")),
    )
    districts = op.create_table(
        "districts",
        *_unit_columns(3),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.CheckConstraint("unit_set = 'legacy'", name=op.f("ck_districts_legacy_only")),
        sa.ForeignKeyConstraint(
            ["unit_set", "province_code"],
            _PROVINCE_KEY,
            name=op.f("fk_districts_unit_set_provinces"),
        ),
        sa.PrimaryKeyConstraint("unit_set", "code", name=op.f("pk_districts")),
    )
    communes = op.create_table(
        "communes",
        *_unit_columns(5),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("district_code", sa.String(3), nullable=True),
        sa.CheckConstraint("unit_set IN ('current', 'legacy')", name=op.f("ck_communes_unit_set")),
        sa.ForeignKeyConstraint(
            ["unit_set", "province_code"],
            _PROVINCE_KEY,
            name=op.f("fk_communes_unit_set_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_set", "district_code"],
            _DISTRICT_KEY,
            name=op.f("fk_communes_unit_set_districts"),
        ),
        sa.PrimaryKeyConstraint("unit_set", "code", name=op.f("pk_communes")),
    )
    op.create_index("ix_communes_province", "communes", ["unit_set", "province_code"])
    conversions = op.create_table(
        "commune_conversions",
        sa.Column("legacy_code", sa.String(5), nullable=False),
        sa.Column("current_code", sa.String(5), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("legacy_code", "current_code", name=op.f("pk_commune_conversions")),
    )
    op.create_index("ix_commune_conversions_current_code", "commune_conversions", ["current_code"])
    return provinces, districts, communes, conversions


def _insert(table: sa.Table, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), _BATCH):
        op.bulk_insert(table, rows[start : start + _BATCH])


def upgrade() -> None:
    provinces, districts, communes, conversions = _create_tables()
    _insert(provinces, [{**r, "name_key": fold(r["name"])} for r in datafiles.provinces()])
    _insert(
        districts,
        [{**r, "unit_set": "legacy", "name_key": fold(r["name"])} for r in datafiles.districts()],
    )
    _insert(
        communes,
        [
            {**r, "name_key": fold(r["name"]), "district_code": r["district_code"] or None}
            for r in datafiles.communes()
        ],
    )
    _insert(
        conversions,
        [{**r, "is_default": r["is_default"] == "1"} for r in datafiles.commune_conversions()],
    )


def downgrade() -> None:
    op.drop_index("ix_commune_conversions_current_code", table_name="commune_conversions")
    op.drop_table("commune_conversions")
    op.drop_index("ix_communes_province", table_name="communes")
    op.drop_table("communes")
    op.drop_table("districts")
    op.drop_table("provinces")
