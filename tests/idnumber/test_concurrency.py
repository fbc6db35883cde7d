"""500 numbers from 8 concurrent workers: all distinct, nobody fails, the retry path is taken."""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from dancu.idnumber import IdNumber, service
from dancu.idnumber.models import IdNumberRecord
from dancu.kit.db import build_engine, session_factory, unit_of_work

WORKERS = 8
TOTAL = 500
# A narrow serial range (instead of a million) so that draws really collide, also with numbers
# that a concurrent transaction inserted but has not committed yet.
NARROW_RANGE = 1000


@pytest.mark.slow
def test_concurrent_allocation_never_duplicates(
    new_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    draws = itertools.count()  # next() on a count is atomic under the GIL

    def narrow_draw() -> int:
        next(draws)
        return secrets.randbelow(NARROW_RANGE)

    monkeypatch.setattr(service, "_draw_serial", narrow_draw)
    engine = build_engine(new_database())
    factory = session_factory(engine)
    start = threading.Barrier(WORKERS)
    allocated: list[IdNumber] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(count: int) -> None:
        start.wait()
        for _ in range(count):
            try:
                with unit_of_work(factory) as session:
                    number = service.allocate(
                        session, province_code="001", sex="female", birth_year=2001
                    )
            except BaseException as exc:  # the test reports every failure, not only the first
                with lock:
                    failures.append(exc)
            else:
                with lock:
                    allocated.append(number)

    shares = [TOTAL // WORKERS + (i < TOTAL % WORKERS) for i in range(WORKERS)]
    threads = [threading.Thread(target=worker, args=(n,)) for n in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count(func.distinct(IdNumberRecord.number))))
    finally:
        engine.dispose()

    assert failures == []
    assert len(allocated) == len(set(allocated)) == TOTAL
    assert stored == TOTAL
    assert next(draws) > TOTAL  # some draws collided and were retried
