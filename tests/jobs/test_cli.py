"""`dancu worker --once` runs the due jobs; `dancu jobs list/retry/purge` manage them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from dancu.cli import app
from dancu.jobs import Job, JobStatus, enqueue, job
from dancu.kit.db import build_engine, session_factory, unit_of_work


@job("tests.cli_check_record")
def check_record(session: Session, payload: dict[str, Any]) -> None:
    if payload.get("refused"):
        raise LookupError(f"record {payload['record']} not in the register")


@pytest.fixture
def env(new_database: Callable[[], str], tmp_path: Path) -> dict[str, str]:
    return {"DANCU_DATABASE_URL": new_database(), "DANCU_VAR_DIR": str(tmp_path)}


@pytest.fixture
def factory(env: dict[str, str]) -> Iterator[sessionmaker[Session]]:
    engine = build_engine(env["DANCU_DATABASE_URL"])
    yield session_factory(engine)
    engine.dispose()


def test_worker_once_runs_the_due_jobs_and_operators_retry_the_dead(
    env: dict[str, str], factory: sessionmaker[Session]
) -> None:
    runner = CliRunner()
    with unit_of_work(factory) as session:
        ok = [enqueue(session, "tests.cli_check_record", {"record": n}).id for n in (1, 2)]
        refused = enqueue(
            session, "tests.cli_check_record", {"record": 3, "refused": True}, max_attempts=1
        ).id

    ran = runner.invoke(app, ["worker", "--once", "--verbose"], env=env)
    assert ran.exit_code == 0, ran.output
    assert "ran 3 job(s): 2 done, 0 to retry, 1 dead, 0 lost" in ran.output
    assert f"job {refused} tests.cli_check_record attempt 1/1 dead" in ran.output
    with unit_of_work(factory) as session:
        assert [session.get_one(Job, i).status for i in [*ok, refused]] == ["done", "done", "dead"]

    listed = runner.invoke(app, ["jobs", "list", "--status", "dead"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "LookupError: record 3 not in the register" in listed.output
    assert "dead 1" in listed.output and "done 2" in listed.output

    revived = runner.invoke(app, ["jobs", "retry", str(refused)], env=env)
    assert revived.exit_code == 0, revived.output
    assert f"job {refused} (tests.cli_check_record) is queued again" in revived.output
    with unit_of_work(factory) as session:
        assert session.get_one(Job, refused).status == JobStatus.QUEUED

    again = runner.invoke(app, ["jobs", "retry", str(refused)], env=env)
    assert again.exit_code == 1
    assert "only dead jobs are retried" in again.output
    missing = runner.invoke(app, ["jobs", "retry", "99999"], env=env)
    assert missing.exit_code == 1 and "there is no job 99999" in missing.output

    purged = runner.invoke(app, ["jobs", "purge", "--days", "0"], env=env)
    assert purged.exit_code == 0, purged.output
    assert "deleted 2 done job(s)" in purged.output


def test_worker_once_with_nothing_due(env: dict[str, str]) -> None:
    ran = CliRunner().invoke(app, ["worker", "--once"], env=env)
    assert ran.exit_code == 0, ran.output
    assert "ran 0 job(s)" in ran.output


def test_worker_refuses_a_kind_without_a_handler(env: dict[str, str]) -> None:
    ran = CliRunner().invoke(app, ["worker", "--once", "--kind", "tests.no_such_job"], env=env)
    assert ran.exit_code == 1
    assert "no handler is registered for tests.no_such_job" in ran.output
