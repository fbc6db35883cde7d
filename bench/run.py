"""Register-core benchmarks. Prints figures and their ratio to a ceiling measured in the same run.

    .venv/bin/python bench/run.py [--people 2000] [--url sqlite:///var/bench.db]

1. registration through the full service (rules, ID allocation, version, residence, audit),
   one unit of work per resident as at a counter, vs. the raw ceiling: the same number of rows
   in one executemany into a bare table of the same database (bulk loads: bench/importer.py);
2. look-ups: exact ID-number read and diacritic-insensitive name search, median and p95.
Never asserted anywhere; results go into docs/performance.md by hand with the command used.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from dancu.auth.principal import SYSTEM
from dancu.kit.db import build_engine, session_factory, unit_of_work
from dancu.migrations import upgrade
from dancu.registry.person.models import Person
from dancu.registry.person.read import get_person, search_people
from dancu.registry.person.schemas import PersonCreate
from dancu.registry.person.service import register_person


def _payload(i: int) -> PersonCreate:
    return PersonCreate.model_validate(
        {
            "full_name": f"Nguyễn Văn Bench {i}",
            "birth_date": f"19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 9}",
            "sex": "male" if i % 2 else "female",
            "birth_registration_code": "001",
            "ethnicity_code": "01",
            "religion_code": "00",
            "permanent_residence": {"address_line": f"Số {i} Hoàng Diệu", "commune_code": "00004"},
        }
    )


def ceiling(engine_url: str, n: int) -> float:
    engine = build_engine(engine_url)
    meta = MetaData()
    raw = Table(
        "bench_raw",
        meta,
        Column("id", Integer, primary_key=True),
        Column("a", String(200)),
        Column("b", String(200)),
        Column("c", Integer),
    )
    meta.drop_all(engine)
    meta.create_all(engine)
    rows = [{"a": f"Nguyễn Văn {i}", "b": "x" * 100, "c": i} for i in range(n)]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(raw), rows)
    elapsed = time.perf_counter() - start
    meta.drop_all(engine)
    engine.dispose()
    return n / elapsed


def registration(engine_url: str, n: int) -> float:
    factory = session_factory(build_engine(engine_url))
    start = time.perf_counter()
    for i in range(n):
        with unit_of_work(factory) as session:
            register_person(session, SYSTEM, _payload(i))
    return n / (time.perf_counter() - start)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def lookups(engine_url: str) -> dict[str, tuple[float, float]]:
    factory = session_factory(build_engine(engine_url))
    with unit_of_work(factory) as session:
        people = session.execute(select(Person.id_number, Person.full_name).limit(300)).all()
    exact: list[float] = []
    search: list[float] = []
    for number, name in people:
        with unit_of_work(factory) as session:
            start = time.perf_counter()
            get_person(session, SYSTEM, number)
            exact.append(_ms(start))
        with unit_of_work(factory) as session:
            start = time.perf_counter()
            search_people(
                session,
                SYSTEM,
                name=" ".join(name.split()[-2:]),
                birth_date=None,
                commune_code=None,
                limit=20,
            )
            search.append(_ms(start))

    def q(v: list[float]) -> tuple[float, float]:
        return statistics.median(v), statistics.quantiles(v, n=20)[18]

    return {"read by ID number": q(exact), "name search": q(search)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument(
        "--url", default=None, help="database URL (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    top = ceiling(url, args.people * 5)
    reg = registration(url, args.people)
    kind = url.split(":")[0]
    print(f"database: {kind}   residents: {args.people} registered one by one")
    print(f"raw executemany ceiling      {top:12,.0f} rows/s")
    print(f"registration (full service)  {reg:12,.0f} residents/s   {reg / top:6.2%} of ceiling")
    for label, (median, p95) in lookups(url).items():
        print(f"{label:28} median {median:7.2f} ms   p95 {p95:7.2f} ms")


if __name__ == "__main__":
    main()
