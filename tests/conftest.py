"""Test harness: migrations run once per session (which also tests them); every test runs inside a
transaction that is rolled back at the end. SQLite by default; PostgreSQL when
DANCU_TEST_DATABASE_URL points at a server (a fresh database is created there and dropped after).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dancu.config import Settings
from dancu.kit.db import build_engine
from dancu.migrations import upgrade


def _create_pg_database(server_url: str) -> tuple[str, Callable[[], None]]:
    url = make_url(server_url)
    name = f"dancu_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def new_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Factory for an empty, migrated database of the kind under test (for tests that commit)."""
    drops: list[Callable[[], None]] = []
    server = os.environ.get("DANCU_TEST_DATABASE_URL")

    def make() -> str:
        if server:
            url, drop = _create_pg_database(server)
            drops.append(drop)
        else:
            path: Path = tmp_path_factory.mktemp("db") / "dancu.db"
            url = f"sqlite:///{path}"
        upgrade(url)
        return url

    yield make
    for drop in drops:
        drop()


@pytest.fixture(scope="session")
def database_url(new_database: Callable[[], str]) -> str:
    return new_database()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions whose commits only release SAVEPOINTs of one outer, rolled-back transaction."""
    connection = engine.connect()
    outer = connection.begin()
    yield sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    outer.rollback()
    connection.close()


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    s = sessions()
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        var_dir=tmp_path,
        auth={"secret_key": "test-secret-key-of-sufficient-length-0123456789"},
    )


@pytest.fixture
def client(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    from dancu.app import create_app

    with TestClient(create_app(settings, sessions=sessions)) as c:
        yield c
