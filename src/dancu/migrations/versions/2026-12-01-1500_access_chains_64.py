"""64 access-record chains instead of 8 (fewer appends waiting on one chain's lock)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_HEADS = sa.table(
    "access_chain_heads",
    sa.column("chain", sa.Integer),
    sa.column("last_id", sa.Integer),
    sa.column("last_hash", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        _HEADS, [{"chain": n, "last_id": 0, "last_hash": "0" * 64} for n in range(8, 64)]
    )


def downgrade() -> None:
    # Records already in chains 8-63 keep their chain number; only empty heads go.
    op.execute("DELETE FROM access_chain_heads WHERE chain >= 8 AND last_id = 0")
