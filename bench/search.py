"""Name search and exact look-ups at scale. Prints p50/p99 and their ratio to a ceiling measured
in the same run: a primary-key read of one persons row through the same session.

    .venv/bin/python bench/search.py --people 1000000                       # SQLite file
    .venv/bin/python bench/search.py --people 1000000 \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres          # a fresh database
    .venv/bin/python bench/search.py --trigger-cost 100000 [--url ...]     # bulk-insert cost

The population is synthetic persons rows written straight into the table (names drawn with the
demo's surname/middle/given-name shares, two- to four-word names, 700 communes), loaded with
the name index suspended and then rebuilt (``kit.search``), as a bulk import would. Queries are
names of residents (exact), the same with one typo in one word (approximate), each with and
without their commune; every query goes through ``read.search_people`` (audit row included,
rolled back). Never asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dancu.auth.principal import SYSTEM
from dancu.idnumber import IdNumber
from dancu.kit import search as kit_search
from dancu.kit.db import build_engine, session_factory
from dancu.kit.text import fold
from dancu.migrations import upgrade
from dancu.registry.person import repository
from dancu.registry.person.models import Person
from dancu.registry.person.read import search_people
from dancu.synth.tables import GIVEN, MIDDLE, SURNAMES

COLUMNS = (
    "id, id_number, version, full_name, name_key, birth_year, birth_month, birth_day, sex, "
    "phone, commune_code, province_code, status, data, created_at, updated_at"
)


def _fresh_url(url: str | None) -> tuple[str, Callable[[], None]]:
    if url is None:
        path = Path(tempfile.mkdtemp()) / "search.db"
        return f"sqlite:///{path}", lambda: None
    server = make_url(url)
    name = f"dancu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def _names(rng: random.Random) -> Iterator[tuple[str, str]]:
    surnames, shares = list(SURNAMES), list(SURNAMES.values())
    while True:
        sex = rng.choice(("male", "female"))
        middles = list(MIDDLE[sex])
        words = [rng.choices(surnames, shares)[0]]
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            middle = rng.choices(middles, list(MIDDLE[sex].values()))[0]
            words += [middle] if middle not in words else []
        given = rng.choice([g for g in GIVEN[sex] if g not in words])
        words.append(given)
        yield " ".join(words), sex


def _rows(n: int, start: int, seed: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    names = _names(rng)
    at = "2026-11-29 00:00:00"
    for i in range(start, start + n):
        name, sex = next(names)
        year = 1930 + i // 1_000_000 % 90
        number = f"001{0 if sex == 'male' else 1}{year % 100:02d}{i % 1_000_000:06d}"
        commune = f"{rng.randrange(700) * 4 + 4:05d}"
        data = json.dumps({"full_name": name, "sex": sex})
        phone = f"09{i:08d}"
        key = f" {fold(name)} "
        yield (i + 1, number, 1, name, key, year, 1 + i % 12, 1 + i % 28, sex, phone, commune)
        yield ("01", "alive", data, at, at)  # the rest of the row: see _paired


def _paired(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for head in rows:
        yield head + next(rows)


def load(engine: Engine, n: int, *, start: int = 0, seed: int = 1) -> None:
    """``n`` persons rows in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        rows = _paired(_rows(n, start, seed))
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY persons ({COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(COLUMNS.split(", ")))
            raw.executemany(f"INSERT INTO persons ({COLUMNS}) VALUES ({marks})", rows)


def build(url: str, n: int) -> Engine:
    upgrade(url)
    engine = build_engine(url)
    with engine.begin() as conn:
        kit_search.suspend(conn, repository.PERSON_NAMES)
    started = time.perf_counter()
    for part in range(0, n, 1_000_000):
        load(engine, min(1_000_000, n - part), start=part, seed=part + 1)
    loaded = time.perf_counter()
    with engine.begin() as conn:
        kit_search.rebuild(conn, repository.PERSON_NAMES)
    rebuilt = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(
        f"built {n:,} persons: load {loaded - started:.1f} s, index rebuild "
        f"{rebuilt - loaded:.1f} s, analyze {time.perf_counter() - rebuilt:.1f} s{_size(engine)}"
    )
    return engine


def _size(engine: Engine) -> str:
    """PostgreSQL: the size of the GIN index (SQLite's FTS5 tables share the file)."""
    if engine.dialect.name != "postgresql":
        return ""
    index = repository.PERSON_NAMES.terms_index
    with engine.connect() as conn:
        size = conn.exec_driver_sql(f"SELECT pg_relation_size('{index}')").scalar_one()
    return f", index {size / 2**20:.0f} MiB"


def _typo(name: str, rng: random.Random) -> str:
    words = fold(name).split()
    i = max(range(len(words)), key=lambda k: (len(words[k]) > 2, rng.random()))
    w = words[i]
    p = rng.randrange(len(w) - 1) if len(w) > 1 else 0
    edits = [
        w[:p] + w[p + 1 :],  # deletion
        w[:p] + w[p + 1] + w[p] + w[p + 2 :] if len(w) > 1 else w + "a",  # transposition
        w[:p] + rng.choice("aeiouhn") + w[p:],  # insertion
    ]
    words[i] = next((e for e in rng.sample(edits, 3) if e != w and e), w + "h")
    return " ".join(words)


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _report(label: str, samples: list[float], ceiling: float) -> None:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"{label:<34} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  p50/ceiling {p50 / ceiling:7.1f}x")


def measure(engine: Engine, n: int, queries: int) -> None:
    rng = random.Random(7)
    factory = session_factory(engine)
    with factory() as session:
        sample = [rng.randrange(1, n + 1) for _ in range(queries)]
        people = [
            (p.full_name, p.commune_code, p.id_number)
            for p in session.scalars(select(Person).where(Person.id.in_(sample)))
        ]
        ids = iter(sample * 3)
        ceiling_ms = timed(lambda: session.get(Person, next(ids), populate_existing=True), queries)
        ceiling = statistics.median(ceiling_ms)
        _report("ceiling: primary-key read", ceiling_ms, ceiling)
        numbers = iter([number for _, _, number in people])
        by_number = timed(lambda: repository.by_id_number(session, next(numbers)), len(people))
        _report("ID-number look-up", by_number, ceiling)
        for label, typo, commune in (
            ("name, exact", False, False),
            ("name, exact + commune", False, True),
            ("name, one typo", True, False),
            ("name, one typo + commune", True, True),
        ):
            _report(label, _searches(session, people, rng, typo, commune), ceiling)
            session.rollback()


def _searches(
    session: Session, people: list[tuple[str, Any, Any]], rng: random.Random, typo: bool, c: bool
) -> list[float]:
    samples, missed = [], 0
    for name, commune, _ in people:
        asked = _typo(name, rng) if typo else fold(name)
        t = time.perf_counter()
        page = search_people(
            session, SYSTEM, name=asked, birth_date=None, commune_code=commune if c else None
        )
        samples.append((time.perf_counter() - t) * 1000)
        missed += not page.items  # a name with a word twice ("Lê Thu Thư") and a typo in one
    if missed:
        print(f"  ({missed} of {len(people)} queries found nothing)")
    return samples


def trigger_cost(url: str, n: int) -> None:
    """executemany of ``n`` persons rows through SQLAlchemy, index maintained vs. suspended."""
    upgrade(url)
    engine = build_engine(url)
    rows = [dict(zip(COLUMNS.split(", "), r, strict=True)) for r in _paired(_rows(n, 0, 3))]
    for r in rows:
        r["id_number"] = IdNumber.from_storage(r["id_number"])
        r["data"] = json.loads(r["data"])
        r.pop("created_at"), r.pop("updated_at")
    timings = {}
    for label, suspended in (("index maintained", False), ("index suspended", True)):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM persons"))
        with engine.begin() as conn:
            if suspended:
                kit_search.suspend(conn, repository.PERSON_NAMES)
            t = time.perf_counter()
            conn.execute(insert(Person), rows)
            timings[label] = time.perf_counter() - t
            t = time.perf_counter()
            if suspended:
                kit_search.rebuild(conn, repository.PERSON_NAMES)
            timings["rebuild"] = time.perf_counter() - t
    for label, seconds in timings.items():
        print(f"{label:<20} {seconds:7.2f} s  ({n / max(seconds, 1e-9):,.0f} rows/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--url", help="a PostgreSQL server; a fresh database is made and dropped")
    parser.add_argument("--trigger-cost", type=int, metavar="ROWS")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    url, drop = _fresh_url(args.url)
    try:
        if args.trigger_cost:
            trigger_cost(url, args.trigger_cost)
            return
        engine = build(url, args.people)
        measure(engine, args.people, args.queries)
        engine.dispose()
    finally:
        if not args.keep:
            drop()


if __name__ == "__main__":
    main()
