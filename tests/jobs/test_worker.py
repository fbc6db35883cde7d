"""The worker: runs each job once, retries failures with growing backoff until they are dead
letters, keeps jobs of one ordering key in order, and takes over the jobs of a killed worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from dancu.jobs import (
    Backoff,
    Job,
    JobStatus,
    LeaseLost,
    Registry,
    Worker,
    claim,
    enqueue,
    retry,
)
from dancu.jobs.errors import JobNotDead, JobNotFound
from dancu.jobs.queue import complete
from dancu.kit.clock import now
from dancu.kit.db import build_engine, session_factory, unit_of_work

PERSON_A = "agency:7:person:001090012345"
PERSON_B = "agency:7:person:079203000001"


class FakeClock:
    """A clock the test moves. It starts a minute ahead, so every job enqueued now is due."""

    def __init__(self) -> None:
        self.at = now() + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def registry() -> Registry:
    return Registry()


def add(factory: sessionmaker[Session], kind: str, payload: dict[str, Any], **kw: Any) -> int:
    with unit_of_work(factory) as session:
        return enqueue(session, kind, payload, **kw).id


def load(factory: sessionmaker[Session], job_id: int) -> Job:
    with unit_of_work(factory) as session:
        return session.get_one(Job, job_id)


def kinds_of(factory: sessionmaker[Session], kind: str) -> list[dict[str, Any]]:
    with unit_of_work(factory) as session:
        return [j.payload for j in session.scalars(select(Job).where(Job.kind == kind))]


def test_a_job_runs_once_and_is_done(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    seen: list[int] = []
    registry.register("tests.note", lambda session, payload: seen.append(payload["n"]))
    job_id = add(factory, "tests.note", {"n": 1})
    worker = Worker(factory, registry=registry, clock=clock, worker_id="w1")

    assert worker.run_once() == 1
    assert worker.run_once() == 0
    assert seen == [1]
    job = load(factory, job_id)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.DONE, 1, "w1")
    assert job.finished_at == clock.at and job.locked_until is None
    assert (worker.tally.done, worker.tally.total) == (1, 1)


def test_a_handlers_writes_commit_with_the_job_or_not_at_all(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    @registry.job("tests.forward")
    def forward(session: Session, payload: dict[str, Any]) -> None:
        enqueue(session, "tests.forwarded", {"of": payload["n"]})
        if payload["n"] == 2:
            raise RuntimeError("event 2 refused by agency 7")

    add(factory, "tests.forward", {"n": 1})
    add(factory, "tests.forward", {"n": 2})
    assert Worker(factory, registry=registry, clock=clock).run_once() == 2
    assert kinds_of(factory, "tests.forwarded") == [{"of": 1}]


def test_a_failing_job_backs_off_then_dies_and_retry_revives_it(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    broken = {"agency 7"}

    @registry.job("tests.deliver")
    def deliver(session: Session, payload: dict[str, Any]) -> None:
        if payload["agency"] in broken:
            raise ConnectionError(f"{payload['agency']} unreachable\nsecond line")

    job_id = add(factory, "tests.deliver", {"agency": "agency 7"}, max_attempts=4)
    worker = Worker(factory, registry=registry, clock=clock, backoff=Backoff(base=2, factor=2))
    delays = []
    for attempt in (1, 2, 3):
        assert worker.run_once() == 1
        job = load(factory, job_id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, attempt)
        assert job.last_error == "ConnectionError: agency 7 unreachable"
        delay = (job.run_at - clock.at).total_seconds()
        # base * factor**(attempt-1) = 2**attempt seconds, less up to half of it (jitter)
        assert 2**attempt / 2 <= delay <= 2**attempt
        delays.append(delay)
        assert worker.run_once() == 0  # not before its time
        clock.at = job.run_at
    assert delays == sorted(delays)

    assert worker.run_once() == 1
    dead = load(factory, job_id)
    assert (dead.status, dead.attempts, dead.finished_at) == (JobStatus.DEAD, 4, clock.at)
    clock.advance(86400)
    assert worker.run_once() == 0  # a dead letter waits for an operator
    assert (worker.tally.failed, worker.tally.dead) == (3, 1)

    broken.clear()  # the agency is back
    with unit_of_work(factory) as session:
        revived = retry(session, job_id, now=clock.at)
        assert (revived.status, revived.attempts) == (JobStatus.QUEUED, 0)
    assert worker.run_once() == 1
    assert load(factory, job_id).status == JobStatus.DONE


def test_only_dead_jobs_are_retried(factory: sessionmaker[Session]) -> None:
    job_id = add(factory, "tests.deliver", {})
    with unit_of_work(factory) as session:
        with pytest.raises(JobNotDead, match="is queued"):
            retry(session, job_id)
        with pytest.raises(JobNotFound):
            retry(session, job_id + 1000)


def test_an_ordering_key_holds_back_later_jobs_of_that_key_only(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    ran: list[str] = []
    fail_once = {"a1"}

    @registry.job("tests.deliver")
    def deliver(session: Session, payload: dict[str, Any]) -> None:
        ran.append(payload["n"])
        if payload["n"] in fail_once:
            fail_once.discard(payload["n"])
            raise ConnectionError("agency 7 unreachable")

    a1 = add(factory, "tests.deliver", {"n": "a1"}, ordering_key=PERSON_A)
    a2 = add(factory, "tests.deliver", {"n": "a2"}, ordering_key=PERSON_A)
    add(factory, "tests.deliver", {"n": "b1"}, ordering_key=PERSON_B)
    add(factory, "tests.deliver", {"n": "c1"})
    worker = Worker(factory, registry=registry, clock=clock)

    assert worker.run_once() == 3
    assert sorted(ran) == ["a1", "b1", "c1"]
    assert load(factory, a2).status == JobStatus.QUEUED  # a1 waits to retry: a2 waits too
    assert worker.run_once() == 0

    clock.at = load(factory, a1).run_at
    assert worker.run_once() == 2  # a1 done releases a2 in the same pass
    assert ran[3:] == ["a1", "a2"]


def test_a_dead_job_releases_its_ordering_key(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    ran: list[str] = []

    @registry.job("tests.deliver")
    def deliver(session: Session, payload: dict[str, Any]) -> None:
        ran.append(payload["n"])
        if payload["n"] == "a1":
            raise ValueError("event a1 rejected by agency 7")

    a1 = add(factory, "tests.deliver", {"n": "a1"}, ordering_key=PERSON_A, max_attempts=1)
    a2 = add(factory, "tests.deliver", {"n": "a2"}, ordering_key=PERSON_A)
    assert Worker(factory, registry=registry, clock=clock).run_once() == 2
    assert ran == ["a1", "a2"]
    assert (load(factory, a1).status, load(factory, a2).status) == ("dead", "done")


def test_smaller_priority_runs_first(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    ran: list[str] = []
    registry.register("tests.note", lambda session, payload: ran.append(payload["n"]))
    add(factory, "tests.note", {"n": "batch"}, priority=10)
    add(factory, "tests.note", {"n": "webhook"})
    Worker(factory, registry=registry, clock=clock).run_once()
    assert ran == ["webhook", "batch"]


def test_a_worker_claims_only_the_kinds_it_can_run(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    registry.register("tests.note", lambda session, payload: None)
    registry.register("tests.other", lambda session, payload: None)
    unknown = add(factory, "tests.newer_kind", {})
    other = add(factory, "tests.other", {})
    add(factory, "tests.note", {})
    worker = Worker(factory, registry=registry, clock=clock, kinds=["tests.note"])
    assert worker.run_once() == 1
    assert load(factory, unknown).status == load(factory, other).status == JobStatus.QUEUED
    with pytest.raises(ValueError, match=r"no handler is registered for tests\.newer_kind"):
        Worker(factory, registry=registry, kinds=["tests.newer_kind"])


def test_a_killed_workers_job_is_taken_over_when_its_lease_expires(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    @registry.job("tests.forward")
    def forward(session: Session, payload: dict[str, Any]) -> None:
        enqueue(session, "tests.forwarded", {"of": payload["n"]})

    job_id = add(factory, "tests.forward", {"n": 1})
    with unit_of_work(factory) as session:
        [stale] = claim(session, "killed", limit=5, lease_seconds=60, now=clock.at)
    other = Worker(factory, registry=registry, clock=clock, worker_id="other")

    clock.advance(59)
    assert other.run_once() == 0  # the lease still holds
    clock.advance(2)
    assert other.run_once() == 1
    job = load(factory, job_id)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.DONE, 2, "other")
    assert job.last_error == "lease expired: worker killed stopped during attempt 1"

    # The killed worker was only stalled: it finishes late and is refused, writes and all.
    with pytest.raises(LeaseLost), unit_of_work(factory) as session:
        forward(session, stale.payload)
        complete(session, stale, worker_id="killed", now=clock.at)
    assert kinds_of(factory, "tests.forwarded") == [{"of": 1}]


def test_a_job_whose_lease_expires_on_its_last_attempt_is_dead(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    registry.register("tests.note", lambda session, payload: None)
    job_id = add(factory, "tests.note", {}, max_attempts=1)
    with unit_of_work(factory) as session:
        claim(session, "killed", limit=1, lease_seconds=60, now=clock.at)
    clock.advance(61)
    assert Worker(factory, registry=registry, clock=clock).run_once() == 0
    assert load(factory, job_id).status == JobStatus.DEAD


@pytest.mark.slow
def test_a_running_jobs_lease_is_renewed_while_its_worker_lives(
    factory: sessionmaker[Session], registry: Registry
) -> None:
    started, release = threading.Event(), threading.Event()
    runs: list[int] = []

    @registry.job("tests.slow")
    def slow(session: Session, payload: dict[str, Any]) -> None:
        runs.append(1)
        started.set()
        release.wait(10)

    job_id = add(factory, "tests.slow", {})
    worker = Worker(factory, registry=registry, lease_seconds=1.5)
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    try:
        assert started.wait(10)
        time.sleep(3.5)  # more than two leases: only renewals keep the job
        assert Worker(factory, registry=registry).run_once() == 0
    finally:
        release.set()
        thread.join()
    assert runs == [1]
    assert load(factory, job_id).status == JobStatus.DONE


def test_database_errors_are_kept_without_their_parameters(
    factory: sessionmaker[Session], clock: FakeClock, registry: Registry
) -> None:
    @registry.job("tests.clash")
    def clash(session: Session, payload: dict[str, Any]) -> None:
        for _ in range(2):  # the same dedupe key twice, bypassing enqueue: a unique violation
            session.add(
                Job(
                    kind="tests.note",
                    payload={},
                    run_at=clock.at,
                    max_attempts=1,
                    dedupe_key=f"person:{payload['id_number']}",
                )
            )
        session.flush()

    job_id = add(factory, "tests.clash", {"id_number": "001090012345"}, max_attempts=1)
    Worker(factory, registry=registry, clock=clock).run_once()
    error = load(factory, job_id).last_error
    assert error is not None and error.startswith("IntegrityError (")
    assert "001090012345" not in error


def test_backoff_grows_to_its_cap() -> None:
    low = Backoff(base=2, factor=2, cap=3600, rng=lambda: 0.0)
    high = Backoff(base=2, factor=2, cap=3600, rng=lambda: 1.0)
    assert [low.delay(n).total_seconds() for n in (1, 2, 3, 12, 13, 10_000)] == [
        1,
        2,
        4,
        1800,
        1800,
        1800,
    ]
    assert [high.delay(n).total_seconds() for n in (1, 2, 3, 12, 13)] == [2, 4, 8, 3600, 3600]


def test_run_forever_stops_gracefully(factory: sessionmaker[Session], registry: Registry) -> None:
    stop = threading.Event()
    ran: list[int] = []

    @registry.job("tests.note")
    def note(session: Session, payload: dict[str, Any]) -> None:
        ran.append(payload["n"])
        if len(ran) == 3:
            stop.set()  # stop asked while this job runs: it still finishes

    for n in range(3):
        add(factory, "tests.note", {"n": n})
    worker = Worker(factory, registry=registry)
    thread = threading.Thread(target=worker.run_forever, args=(stop, 0.05))
    thread.start()
    thread.join(20)
    assert not thread.is_alive()
    assert sorted(ran) == [0, 1, 2] and worker.tally.done == 3
