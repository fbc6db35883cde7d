"""The id_numbers migration builds exactly the table the model describes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from dancu.kit.db import build_engine
from dancu.models import metadata


def _only_id_numbers(name: str | None, type_: str, _parent: Any) -> bool:
    return type_ != "table" or name == "id_numbers"


def test_migration_matches_the_model(new_database: Callable[[], str]) -> None:
    model = MetaData()
    metadata.tables["id_numbers"].to_metadata(model)
    engine = build_engine(new_database())
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": _only_id_numbers}
            )
            diffs = compare_metadata(context, model)
    finally:
        engine.dispose()
    assert diffs == []
