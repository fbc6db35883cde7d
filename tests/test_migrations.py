"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and
can be rolled back and replayed."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from dancu.kit.db import build_engine
from dancu.migrations import downgrade, upgrade
from dancu.models import metadata


def test_the_whole_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_base_and_upgrade_again(new_database: Callable[[], str]) -> None:
    url = new_database()
    downgrade(url, "base")
    engine = build_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    engine = build_engine(url)
    assert {"persons", "person_versions", "id_numbers", "households", "communes"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
