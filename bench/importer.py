"""Digitisation import speed against the raw bulk-insert ceiling of the same database.

    .venv/bin/python bench/importer.py [--people 200000] [--url DATABASE_URL]

1. `dancu synth` writes N residents to Parquet;
2. `import_file` loads them into an empty register: read, validate every row, normalise,
   allocate/record ID numbers, write persons, versions, residences, households, checkpoints;
3. the ceiling: the very rows step 2 wrote (read back from the database) are inserted into a
   second empty register with the same fast path (PostgreSQL COPY; SQLite executemany), in one
   transaction, with no reading, validation or transformation;
and prints rows/s for both and their ratio. With `--url`, the two databases are created as
`<name>_import` and `<name>_ceiling` on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dancu.auth.principal import SYSTEM
from dancu.kit import bulk
from dancu.kit.db import build_engine, session_factory, unit_of_work
from dancu.migrations import upgrade
from dancu.registry.importer.service import import_file
from dancu.registry.person import repository as people
from dancu.synth import write

TABLES = ("id_numbers", "persons", "person_versions", "person_old_id_numbers", "residences",
          "households", "household_members")  # fmt: skip


@contextmanager
def databases(url: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    if url is None:
        yield f"sqlite:///{workdir / 'import.db'}", f"sqlite:///{workdir / 'ceiling.db'}"
        return
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    names = [f"{base.database}_import", f"{base.database}_ceiling"]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rows(url: str) -> dict[str, tuple[list[str], list[tuple[object, ...]]]]:
    engine = build_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            result = conn.exec_driver_sql(f"SELECT * FROM {table}")
            # JSON documents come back parsed on PostgreSQL: write them back as their text.
            out[table] = (
                list(result.keys()),
                [
                    tuple(bulk.document(v) if isinstance(v, dict | list) else v for v in r)
                    for r in result
                ],
            )
    engine.dispose()
    return out


def ceiling(url: str, rows: dict[str, tuple[list[str], list[tuple[object, ...]]]]) -> float:
    factory = session_factory(build_engine(url))
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        people.suspend_name_index(session)
        for table in TABLES:
            columns, values = rows[table]
            bulk.insert_rows(session, table, columns, values)
        people.rebuild_name_index(session)
    return time.perf_counter() - started


def size_bytes(url: str) -> int:
    """Tables and indexes of the register (after the import), as the database reports them."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            return int(pages * conn.execute("PRAGMA page_size").fetchone()[0])
    engine = build_engine(url)
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return int(size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--url", default=None, help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    source = write(args.people, 7, workdir, "parquet")
    with databases(args.url, workdir) as (import_url, ceiling_url):
        upgrade(import_url)
        upgrade(ceiling_url)
        factory = session_factory(build_engine(import_url))
        started = time.perf_counter()
        summary = import_file(factory, SYSTEM, source)
        imported = time.perf_counter() - started
        size = size_bytes(import_url)
        top = ceiling(ceiling_url, _rows(import_url))
    n = summary.rows_imported
    kind = "postgresql" if args.url else "sqlite"
    print(f"database {kind}: {n:,} residents from {source.name}, {summary.rows_rejected} rejected")
    print(f"raw bulk insert of the same rows (ceiling)  {n / top:10,.0f} residents/s  {top:7.1f} s")
    print(
        f"import with full validation                 {n / imported:10,.0f} residents/s  "
        f"{imported:7.1f} s   {top / imported:6.1%} of the ceiling"
    )
    per_million = size / n * 1_000_000 / 2**30
    print(
        f"database size {size / 2**20:,.0f} MiB: {per_million:.2f} GiB per million residents, "
        f"{per_million * 100:,.0f} GiB for 100 million (linear extrapolation)"
    )


if __name__ == "__main__":
    main()
