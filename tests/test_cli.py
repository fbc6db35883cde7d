"""The operator's command line, run as an operator would (a fresh database each time)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from dancu.cli import app
from dancu.kit.db import build_engine, session_factory, unit_of_work
from tests.factories.registry import make_person


@pytest.fixture
def env(new_database: Callable[[], str], tmp_path: object) -> dict[str, str]:
    return {"DANCU_DATABASE_URL": new_database(), "DANCU_VAR_DIR": str(tmp_path)}


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "db", "user", "id", "person", "audit"):
        assert command in result.output
    serve = CliRunner().invoke(app, ["serve", "--help"])
    assert "--host" in serve.output and "--workers" in serve.output


def test_db_upgrade_creates_a_new_sqlite_database(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/fresh/dancu.db"
    result = CliRunner().invoke(app, ["db", "upgrade"], env={"DANCU_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "head" in result.output


def test_user_create_then_refusals_are_clear(env: dict[str, str]) -> None:
    runner = CliRunner()
    args = [
        "user",
        "create",
        "--username",
        "canbo.x",
        "--password",
        "s3cret-pass",
        "--role",
        "commune_officer",
        "--jurisdiction",
        "00004",
    ]
    created = runner.invoke(app, args, env=env)
    assert created.exit_code == 0, created.output
    assert "canbo.x" in created.output
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 1
    assert "already taken" in again.output
    bad_role = runner.invoke(app, [*args[:6], "--role", "king"], env=env)
    assert bad_role.exit_code == 1
    assert "unknown role" in bad_role.output
    no_commune = runner.invoke(
        app,
        [
            "user",
            "create",
            "--username",
            "canbo.y",
            "--password",
            "s3cret-pass",
            "--role",
            "commune_officer",
            "--jurisdiction",
            "99999",
        ],
        env=env,
    )
    assert no_commune.exit_code == 1


def test_person_show_prints_the_record(env: dict[str, str]) -> None:
    engine = build_engine(env["DANCU_DATABASE_URL"])
    with unit_of_work(session_factory(engine)) as session:
        number = str(make_person(session, full_name="Hoàng Thị Thu").id_number)
    engine.dispose()
    result = CliRunner().invoke(app, ["person", "show", number], env=env)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["full_name"] == "Hoàng Thị Thu"
    assert record["id_number"] == number
    missing = CliRunner().invoke(app, ["person", "show", "001090999999"], env=env)
    assert missing.exit_code == 1
    assert "no resident" in missing.output


def test_audit_flush_moves_a_dead_servers_read_events(env: dict[str, str]) -> None:
    from pathlib import Path

    journal = Path(env["DANCU_VAR_DIR"]) / "audit-journal"
    journal.mkdir()
    (journal / "20261201T000000-1-dead.open").write_text(
        '{"actor":"canbo.xa","actor_role":"commune_officer","action":"registry:person:read",'
        '"subject_type":"person","subject_id":"001090000001","purpose":null,"details":{},'
        '"at":"2026-12-01T00:00:00+00:00"}\n'
    )
    result = CliRunner().invoke(app, ["audit", "flush"], env=env)
    assert result.exit_code == 0, result.output
    assert "moved 1 read event" in result.output
    again = CliRunner().invoke(app, ["audit", "flush"], env=env)
    assert "moved 0 read event" in again.output
