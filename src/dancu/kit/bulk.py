"""The fastest way each database offers to write many rows: COPY on PostgreSQL, one
executemany on SQLite. Rows arrive database-ready (str, int, float, None); the encoders here
turn timestamps, booleans and JSON documents into what each database stores, once per value
rather than once per cell of a generic row.

Rows go into the caller's transaction, so they commit or roll back with everything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def timestamp(session: Session, value: datetime) -> str:
    """A UTC timestamp as the database's column stores it (SQLAlchemy's format on SQLite)."""
    utc = value.astimezone(UTC)
    return utc.isoformat() if is_postgres(session) else utc.strftime("%Y-%m-%d %H:%M:%S.%f")


def boolean(session: Session, value: bool) -> Any:
    return value if is_postgres(session) else int(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def document(value: Any) -> str:
    """A JSON column's text."""
    return _ENCODER.encode(value)


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write ``rows`` (database-ready tuples in ``columns`` order) into ``table``."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch = rows if isinstance(rows, list) else list(rows)
    if batch:
        placeholders = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch
        )


def reserve_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` new primary-key values for ``table`` (an integer ``id`` column), so rows written
    by COPY can be referred to before they exist. On SQLite the caller holds the write lock."""
    if count == 0:
        return []
    if is_postgres(session):
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table, "n": count},
        )
        return [int(r[0]) for r in rows]
    top = int(session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())
    return list(range(top + 1, top + 1 + count))
