"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and
can be rolled back and replayed."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from dancu.kit.db import build_engine
from dancu.kit.search import is_search_object
from dancu.migrations import downgrade, upgrade
from dancu.models import metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The same rule as migrations/env.py: only kit.search's own objects are left out.
    return not (type_ in {"table", "index"} and is_search_object(name))


def test_the_whole_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, metadata) == []


def test_only_the_search_objects_are_left_out_of_the_comparison(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    left_out = {n for n in names if not include_name(n, "table", {})}
    assert left_out and all(n.startswith("search_person_name") for n in left_out)
    assert not is_search_object("persons") and not is_search_object("ix_persons_name_key")


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
