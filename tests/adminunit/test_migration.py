"""Migration 0002: the schema matches the models, and the data equals the packaged files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from dancu.adminunit import datafiles
from dancu.adminunit.models import Commune, CommuneConversion, District, Province
from dancu.kit.db import build_engine
from dancu.kit.text import fold
from dancu.migrations import downgrade, upgrade
from dancu.models import metadata

TABLES = {"provinces", "districts", "communes", "commune_conversions"}


def _table_of(diff: Any) -> str | None:
    """The table an autogenerate difference is about (a tuple, or a list of column changes)."""
    if isinstance(diff, list):
        return _table_of(diff[0])
    kind, *rest = diff
    if kind.endswith("_table"):
        return str(rest[0].name)
    if kind.endswith(("_index", "_constraint", "_fk")):
        return str(rest[0].table.name)
    return str(rest[1])  # add_column / modify_* : (kind, schema, table, ...)


def test_autogenerate_finds_no_difference(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if _table_of(d) in TABLES]
    assert diffs == []


def test_provinces_and_districts_equal_the_packaged_files(session: Session) -> None:
    rows = session.scalars(select(Province)).all()
    assert {(p.unit_set, p.code, p.name, p.division_type) for p in rows} == {
        (r["unit_set"], r["code"], r["name"], r["division_type"]) for r in datafiles.provinces()
    }
    assert all(p.name_key == fold(p.name) for p in rows)
    districts = session.scalars(select(District)).all()
    assert {(d.code, d.name, d.division_type, d.province_code) for d in districts} == {
        (r["code"], r["name"], r["division_type"], r["province_code"])
        for r in datafiles.districts()
    }


def test_communes_equal_the_packaged_file(session: Session) -> None:
    rows = session.scalars(select(Commune)).all()
    assert {
        (c.unit_set, c.code, c.name, c.division_type, c.province_code, c.district_code)
        for c in rows
    } == {
        (
            r["unit_set"],
            r["code"],
            r["name"],
            r["division_type"],
            r["province_code"],
            r["district_code"] or None,
        )
        for r in datafiles.communes()
    }
    assert all(c.name_key == fold(c.name) for c in rows)


def test_conversions_equal_the_packaged_file(session: Session) -> None:
    rows = session.scalars(select(CommuneConversion)).all()
    assert {(c.legacy_code, c.current_code, c.is_default) for c in rows} == {
        (r["legacy_code"], r["current_code"], r["is_default"] == "1")
        for r in datafiles.commune_conversions()
    }


def test_downgrade_drops_the_tables_and_upgrade_restores_them(
    new_database: Callable[[], str],
) -> None:
    url = new_database()
    downgrade(url, "0001")
    engine = build_engine(url)
    try:
        assert TABLES.isdisjoint(inspect(engine).get_table_names())
        upgrade(url, "0002")
        assert set(inspect(engine).get_table_names()) >= TABLES
        with Session(engine) as session:
            assert len(session.scalars(select(Commune.code)).all()) == 3321 + 10035
    finally:
        engine.dispose()
