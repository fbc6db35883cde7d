"""Alembic environment: batch mode (SQLite can't ALTER most things), one transaction per run."""

from __future__ import annotations

from alembic import context

from dancu.kit.db import build_engine
from dancu.kit.search import is_search_object
from dancu.models import metadata

config = context.config


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The search objects (FTS5 and vocabulary tables, GIN index: ``kit.search``) are made by
    their own migration and are not described by the models; compare everything else."""
    return not (type_ in {"table", "index"} and is_search_object(name))


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    engine = build_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline SQL generation is not supported: run `dancu db upgrade`")
run_migrations_online()
