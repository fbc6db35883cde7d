"""Two officers change the same record at the same moment: exactly one wins, the other gets a
stale-version refusal, and nothing is lost. Runs with real commits on a fresh database."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from dancu.auth.principal import SYSTEM
from dancu.kit.db import build_engine, session_factory, unit_of_work
from dancu.kit.errors import DancuError
from dancu.registry.person.models import PersonVersion
from dancu.registry.person.read import get_person
from dancu.registry.person.schemas import PersonUpdate
from dancu.registry.person.service import update_person
from tests.factories.registry import make_person


def test_concurrent_updates_from_the_same_version(new_database: Callable[[], str]) -> None:
    engine = build_engine(new_database())
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        number = make_person(session).id_number
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def officer(i: int) -> None:
        barrier.wait()
        try:
            with unit_of_work(factory) as session:
                update_person(
                    session,
                    SYSTEM,
                    number,
                    PersonUpdate(phone=f"091234567{i}", reason=f"clerk {i}"),
                    expected_version=1,
                )
            outcomes.append("ok")
        except DancuError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=officer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok"] + ["registry.person.stale_version"] * 3
    with unit_of_work(factory) as session:
        person = get_person(session, SYSTEM, number)
        versions = session.scalar(
            select(func.count()).select_from(PersonVersion).where(PersonVersion.id_number == number)
        )
    assert person.version == 2
    assert versions == 2
    assert person.phone is not None and person.phone.startswith("091234567")
    engine.dispose()
