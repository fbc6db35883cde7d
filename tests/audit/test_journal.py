"""The read journal: read events reach audit_events exactly once, across kills and restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dancu.app import create_app
from dancu.audit.journal import AuditJournal, drain
from dancu.audit.models import AuditEvent, AuditJournalSegment
from dancu.config import Settings
from dancu.kit.db import build_engine, session_factory, unit_of_work
from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import make_person


@pytest.fixture
def committing(new_database: Callable[[], str]) -> Iterator[tuple[str, sessionmaker[Session]]]:
    url = new_database()
    engine = build_engine(url)
    yield url, session_factory(engine)
    engine.dispose()


def _event(subject: str) -> dict[str, object]:
    return {
        "actor": "canbo.xa",
        "actor_role": "commune_officer",
        "action": "registry:person:read",
        "subject_type": "person",
        "subject_id": subject,
        "purpose": None,
        "details": {},
    }


def _events(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent.subject_id).order_by(AuditEvent.id)))


def test_events_move_to_the_database_once(
    tmp_path: Path, committing: tuple[str, sessionmaker[Session]]
) -> None:
    _, sessions = committing
    journal = AuditJournal(tmp_path, sessions)
    for n in range(5):
        journal.append(_event(f"00109000000{n}"))
    assert _events(sessions) == []  # not yet moved
    assert journal.flush() == 5
    assert journal.flush() == 0
    assert _events(sessions) == [f"00109000000{n}" for n in range(5)]
    with sessions() as session:
        assert session.scalar(select(func.sum(AuditJournalSegment.events))) == 5
    journal.append(_event("001090000009"))
    journal.stop()
    assert len(_events(sessions)) == 6
    assert list(tmp_path.iterdir()) == []


def test_a_live_segment_is_not_taken_by_another_process(
    tmp_path: Path, committing: tuple[str, sessionmaker[Session]]
) -> None:
    _, sessions = committing
    journal = AuditJournal(tmp_path, sessions)
    journal.append(_event("001090000001"))
    assert drain(tmp_path, sessions) == 0  # the writer holds its segment under flock
    assert _events(sessions) == []
    journal.stop()
    assert _events(sessions) == ["001090000001"]


def test_a_segment_already_moved_is_not_moved_again(
    tmp_path: Path, committing: tuple[str, sessionmaker[Session]]
) -> None:
    """A process that died between the commit and deleting the file leaves the file behind."""
    _, sessions = committing
    segment = tmp_path / "20261201T000000-1-abc.sealed"
    journal = AuditJournal(tmp_path, sessions)
    journal.append(_event("001090000001"))
    journal.flush()
    with unit_of_work(sessions) as session:
        name = session.scalars(select(AuditJournalSegment.name)).one()
    segment = tmp_path / f"{name}.sealed"
    segment.write_text(
        '{"actor":"a","actor_role":"r","action":"x","subject_type":"person",'
        '"subject_id":"001090000001","purpose":null,"details":{},"at":"2026-12-01T00:00:00+00:00"}\n'
    )
    assert drain(tmp_path, sessions) == 0
    assert not segment.exists()
    assert _events(sessions) == ["001090000001"]


def test_a_line_cut_short_by_a_crash_is_skipped(
    tmp_path: Path, committing: tuple[str, sessionmaker[Session]]
) -> None:
    _, sessions = committing
    (tmp_path / "20261201T000000-1-cut.open").write_text(
        '{"actor":"a","actor_role":"r","action":"x","subject_type":"person",'
        '"subject_id":"001090000001","purpose":null,"details":{},"at":"2026-12-01T00:00:00+00:00"}\n'
        '{"actor":"a","actor_'
    )
    assert drain(tmp_path, sessions) == 1
    assert _events(sessions) == ["001090000001"]


def test_events_of_a_killed_process_are_recovered(
    tmp_path: Path, committing: tuple[str, sessionmaker[Session]]
) -> None:
    url, sessions = committing
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from dancu.audit.journal import AuditJournal
        from dancu.kit.db import build_engine, session_factory
        journal = AuditJournal(Path({str(tmp_path)!r}), session_factory(build_engine({url!r})),
                               interval=3600)
        for n in range(100):
            journal.append({{"actor": "a", "actor_role": "r", "action": "x",
                             "subject_type": "person", "subject_id": str(n),
                             "purpose": None, "details": {{}}}})
        print("ready", flush=True)
        time.sleep(600)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        assert drain(tmp_path, sessions) == 0  # alive: its segment is locked
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    AuditJournal(tmp_path, sessions).start()  # a new process recovers the orphan at start
    assert sorted(_events(sessions), key=int) == [str(n) for n in range(100)]


def test_reads_through_the_api_are_audited_via_the_journal(
    tmp_path: Path, committing: tuple[str, sessionmaker[Session]]
) -> None:
    url, sessions = committing
    with unit_of_work(sessions) as session:
        officer = make_officer(session)
        number = str(make_person(session).id_number)
    settings = Settings(
        database_url=url,
        var_dir=tmp_path,
        auth={"secret_key": "test-secret-key-of-sufficient-length-0123456789"},
    )
    with TestClient(create_app(settings)) as client:
        headers = auth_headers(client, officer)
        for _ in range(3):
            assert client.get(f"/v1/people/{number}", headers=headers).status_code == 200
        assert client.get("/v1/people", params={"name": "an"}, headers=headers).status_code == 200
        assert client.get(f"/v1/people/{number}/history", headers=headers).status_code == 200
    with sessions() as session:
        actions = list(
            session.scalars(select(AuditEvent.action).where(AuditEvent.actor == officer.username))
        )
    assert sorted(actions) == [
        "auth:officer:sign_in",
        "registry:person:read",
        "registry:person:read",
        "registry:person:read",
        "registry:person:read_history",
        "registry:person:search",
    ]
    assert not any((tmp_path / "audit-journal").iterdir())
