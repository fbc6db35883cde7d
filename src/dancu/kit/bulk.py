"""The fastest way each database offers to write many rows: COPY on PostgreSQL, one
executemany on SQLite. Values are given as Python objects; this module encodes what the driver
would not (timestamps as SQLAlchemy stores them on SQLite, JSON documents as text).

Rows go into the caller's transaction, so they commit or roll back with everything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

Json = dict[str, Any] | list[Any]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    if value is not None and not isinstance(value, int | float | str | bytes):
        return str(value)  # dates, value types such as IdNumber
    return value


def _postgres_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if value is not None and not isinstance(value, int | float | str | bytes | bool | datetime):
        return str(value)
    return value


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write ``rows`` (tuples in ``columns`` order) into ``table``."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row([_postgres_value(v) for v in row])
        return
    placeholders = ", ".join("?" for _ in columns)
    encoded = [tuple(_sqlite_value(v) for v in row) for row in rows]
    if encoded:
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", encoded
        )


def reserve_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` new primary-key values for ``table`` (an integer ``id`` column), so rows written
    by COPY can be referred to before they exist. On SQLite the caller holds the write lock."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table, "n": count},
        )
        return [int(r[0]) for r in rows]
    top = int(session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one())
    return list(range(top + 1, top + 1 + count))
