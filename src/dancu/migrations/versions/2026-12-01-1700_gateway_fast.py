"""gateway hot path: grants cached under a change counter; access records sealed after the call

Access records are written unsealed in the call's transaction and linked into their chain
shortly after by the sealer: ``prev_hash`` and ``hash`` become nullable, ``position`` (the
record's place in its chain, in sealing order) is added, and each chain head keeps its length.
Records already sealed get their positions in id order, the order they were chained in.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_UNSEALED = sa.text("position IS NULL")


def upgrade() -> None:
    op.create_table(
        "gateway_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_generation")),
    )
    op.execute("INSERT INTO gateway_generation (id, value) VALUES (1, 0)")
    with op.batch_alter_table("access_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_index("ix_access_records_chain")
    op.execute(
        "UPDATE access_records SET position = (SELECT count(*) FROM access_records AS a "
        "WHERE a.chain = access_records.chain AND a.id <= access_records.id)"
    )
    with op.batch_alter_table("access_records", schema=None) as batch_op:
        batch_op.create_index("ix_access_records_chain", ["chain", "position"], unique=False)
        batch_op.create_index(
            "ix_access_records_unsealed",
            ["id"],
            unique=False,
            sqlite_where=_UNSEALED,
            postgresql_where=_UNSEALED,
        )
    with op.batch_alter_table("access_chain_heads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("length", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE access_chain_heads SET length = (SELECT count(*) FROM access_records AS a "
        "WHERE a.chain = access_chain_heads.chain)"
    )
    with op.batch_alter_table("access_chain_heads", schema=None) as batch_op:
        batch_op.alter_column("length", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    unsealed = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM access_records WHERE position IS NULL")
    )
    if unsealed:
        raise RuntimeError(
            f"{unsealed} access record(s) are not sealed yet: run `dancu audit verify` (which "
            "seals them) before downgrading"
        )
    with op.batch_alter_table("access_chain_heads", schema=None) as batch_op:
        batch_op.drop_column("length")
    with op.batch_alter_table("access_records", schema=None) as batch_op:
        batch_op.drop_index("ix_access_records_unsealed", sqlite_where=_UNSEALED)
        batch_op.drop_index("ix_access_records_chain")
        batch_op.create_index("ix_access_records_chain", ["chain", "id"], unique=False)
    with op.batch_alter_table("access_records", schema=None) as batch_op:
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("position")
    op.drop_table("gateway_generation")
