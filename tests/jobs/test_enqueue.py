"""Enqueue is the outbox: a job exists if and only if the transaction that wrote it committed;
a dedupe key makes it idempotent, even between concurrent transactions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from dancu.jobs import Job, JobStatus, Registry, default_registry, enqueue, load_handlers
from dancu.kit.db import build_engine, session_factory, unit_of_work


@pytest.fixture(scope="module")
def url(new_database: Callable[[], str]) -> str:
    return new_database()


@pytest.fixture(autouse=True)
def factory(url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on this module's database, emptied of jobs after each test."""
    engine = build_engine(url)
    yield session_factory(engine)
    with unit_of_work(session_factory(engine)) as session:
        session.execute(delete(Job))
    engine.dispose()


def _count(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_a_rolled_back_transaction_leaves_no_job(factory: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError, match="the change failed"), unit_of_work(factory) as session:
        job = enqueue(session, "gateway.deliver_event", {"event_id": 1})
        assert job.id is not None  # flushed in the transaction, with its id
        raise RuntimeError("the change failed")
    assert _count(factory) == 0


def test_enqueue_never_commits(factory: sessionmaker[Session]) -> None:
    session = factory()
    enqueue(session, "gateway.deliver_event", {"event_id": 1})
    session.rollback()
    session.close()
    assert _count(factory) == 0


def test_a_committed_job_waits_in_the_queue(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        job_id = enqueue(session, "gateway.deliver_event", {"event_id": 1}, priority=5).id
    with unit_of_work(factory) as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.status, job.attempts, job.priority, job.payload) == (
            JobStatus.QUEUED,
            0,
            5,
            {"event_id": 1},
        )


def test_the_dedupe_key_makes_enqueue_idempotent(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        first = enqueue(session, "linkage.check_batch", {"batch": 4}, dedupe_key="batch:4")
        again = enqueue(session, "linkage.check_batch", {"batch": 4}, dedupe_key="batch:4")
        other = enqueue(session, "linkage.check_batch", {"batch": 5}, dedupe_key="batch:5")
        assert again.id == first.id != other.id
    with unit_of_work(factory) as session:
        later = enqueue(session, "linkage.check_batch", {"batch": 4}, dedupe_key="batch:4")
        assert later.id == first.id
        # Once the job is finished, the key is free for new work.
        session.get_one(Job, first.id).status = JobStatus.DONE.value
        session.flush()
        renewed = enqueue(session, "linkage.check_batch", {"batch": 4}, dedupe_key="batch:4")
        assert renewed.id != first.id
    assert _count(factory) == 3


def test_concurrent_enqueues_with_one_dedupe_key_make_one_job(url: str) -> None:
    engines = [build_engine(url), build_engine(url)]
    first_factory, second_factory = (session_factory(e) for e in engines)
    found: list[int] = []
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with unit_of_work(second_factory) as session:
                found.append(enqueue(session, "gateway.deliver_event", {}, dedupe_key="e:9").id)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    try:
        with unit_of_work(first_factory) as session:
            mine = enqueue(session, "gateway.deliver_event", {}, dedupe_key="e:9").id
            thread = threading.Thread(target=second)
            thread.start()
            # Let the second transaction reach its insert (PostgreSQL: it then waits on the
            # unique index) or its BEGIN IMMEDIATE (SQLite) before this one commits.
            time.sleep(0.3)
        thread.join()
        assert errors == []
        assert found == [mine]
        with unit_of_work(first_factory) as session:
            assert session.scalar(select(func.count()).select_from(Job)) == 1
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize(
    ("kind", "payload", "extra", "message"),
    [
        ("Deliver", {}, {}, "context.verb_noun"),
        ("gateway.deliver event", {}, {}, "context.verb_noun"),
        ("gateway.deliver_event", {"at": datetime(2026, 1, 1)}, {}, "not a JSON object"),
        ("gateway.deliver_event", {}, {"run_at": datetime(2026, 1, 1)}, "timezone-aware"),
        ("gateway.deliver_event", {}, {"max_attempts": 0}, "at least 1"),
        ("gateway.deliver_event", {}, {"ordering_key": "k" * 201}, "1 to 200"),
    ],
)
def test_bad_jobs_are_refused_before_anything_is_written(
    factory: sessionmaker[Session],
    kind: str,
    payload: dict[str, object],
    extra: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message), unit_of_work(factory) as session:
        enqueue(session, kind, payload, **extra)  # type: ignore[arg-type]
    assert _count(factory) == 0


def test_a_kind_has_one_handler() -> None:
    registry = Registry()

    @registry.job("gateway.deliver_event")
    def deliver(session: Session, payload: dict[str, object]) -> None:
        pass

    registry.register("gateway.deliver_event", deliver)  # the same again: harmless
    with pytest.raises(ValueError, match="already has a handler"):
        registry.register("gateway.deliver_event", lambda session, payload: None)
    assert registry.kinds() == ["gateway.deliver_event"]
    assert "gateway.deliver_event" in registry and "card.print" not in registry


def test_load_handlers_imports_each_contexts_jobs_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = tmp_path / "dancu_plugin_pkg" / "agency"
    context.mkdir(parents=True)
    (context.parent / "__init__.py").write_text("")
    (context / "__init__.py").write_text("")
    (context / "jobs.py").write_text(
        "from dancu.jobs import job\n\n"
        "@job('agency.ping_endpoint')\n"
        "def ping(session, payload):\n"
        "    pass\n"
    )
    (context / "service.py").write_text("raise RuntimeError('not a jobs module')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_handlers("dancu_plugin_pkg") == ["dancu_plugin_pkg.agency.jobs"]
    assert "agency.ping_endpoint" in default_registry
