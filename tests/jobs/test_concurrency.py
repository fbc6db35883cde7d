"""Four workers, each with its own engine (as separate processes would be), share 200 jobs:
every job runs exactly once, and jobs of one ordering key run one at a time, in order."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dancu.jobs import Job, Registry, Worker, enqueue
from dancu.kit.db import build_engine, session_factory, unit_of_work

WORKERS = 4
TOTAL = 200
ORDERED = 100  # the first 100 jobs share 10 ordering keys; the rest have none
KEYS = 10


@pytest.mark.slow
def test_four_workers_run_each_job_exactly_once_and_keys_in_order(
    new_database: Callable[[], str],
) -> None:
    url = new_database()
    lock = threading.Lock()
    runs: list[int] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    running_keys: set[str] = set()
    overlaps: list[str] = []
    failures: list[BaseException] = []
    registry = Registry()

    @registry.job("tests.deliver")
    def deliver(session: Session, payload: dict[str, Any]) -> None:
        key = payload.get("key")
        with lock:
            runs.append(payload["n"])
            if key is not None:
                if key in running_keys:
                    overlaps.append(key)
                running_keys.add(key)
                by_key[key].append(payload["n"])
        session.execute(select(func.count()).select_from(Job))  # some database work
        with lock:
            running_keys.discard(key or "")

    setup = build_engine(url)
    with unit_of_work(session_factory(setup)) as session:
        for n in range(TOTAL):
            key = f"agency:{n % KEYS}:person:0010900{n % KEYS:05d}" if n < ORDERED else None
            enqueue(session, "tests.deliver", {"n": n, "key": key}, ordering_key=key)
    start = threading.Barrier(WORKERS)

    def work(index: int) -> None:
        engine = build_engine(url)
        try:
            worker = Worker(
                session_factory(engine),
                registry=registry,
                concurrency=2,
                worker_id=f"worker-{index}",
            )
            start.wait()
            worker.run_once()
        except BaseException as exc:  # every failure is reported, not only the first
            with lock:
                failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with unit_of_work(session_factory(setup)) as session:
        states = session.execute(
            select(Job.status, Job.attempts, func.count()).group_by(Job.status, Job.attempts)
        ).all()
    setup.dispose()

    assert failures == []
    assert sorted(runs) == list(range(TOTAL))  # each exactly once
    assert states == [("done", 1, TOTAL)]
    assert overlaps == []
    assert all(seq == sorted(seq) and len(seq) == ORDERED // KEYS for seq in by_key.values())
    assert len(by_key) == KEYS
