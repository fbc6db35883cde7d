"""name search: GIN over name words, pairs of them, province tokens and words within their
commune (PostgreSQL) or FTS5 (SQLite), and the name-word vocabulary

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 14:00
"""

from __future__ import annotations

from alembic import op

from dancu.kit.search import NameIndex, create_statements, drop_statements

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen here, not imported from the register, so that this revision keeps meaning what it did.
PERSON_NAMES = NameIndex(
    table="persons",
    key="name_key",
    id="id",
    name="search_person_names",
    scopes=(("c", "commune_code"), ("p", "province_code")),
    worded=("c",),
)


def upgrade() -> None:
    for statement in create_statements(PERSON_NAMES, op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements(PERSON_NAMES, op.get_bind().dialect.name):
        op.execute(statement)
