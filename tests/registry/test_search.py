"""Name search: whole words, exact matches first, one typo tolerated, through an index over the
name words and the jurisdiction (FTS5 on SQLite, GIN on PostgreSQL) that follows every insert,
rename, move and bulk rebuild; and exact look-ups that never read the whole table."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, event, insert, select
from sqlalchemy.orm import Session

from dancu.auth.principal import SYSTEM, Principal, Role
from dancu.idnumber import IdNumber
from dancu.kit import search as kit_search
from dancu.kit.bulk import is_postgres
from dancu.kit.clock import now
from dancu.kit.text import fold
from dancu.registry.person import repository
from dancu.registry.person.models import OldIdNumber, Person
from dancu.registry.person.read import search_people
from dancu.registry.person.schemas import PersonPage, PersonUpdate
from dancu.registry.person.service import change_residence, update_person
from dancu.registry.residence.service import NewResidence
from tests.factories.registry import BA_DINH, NGOC_HA, make_person

SAIGON = "26740"  # a commune of TP Hồ Chí Minh (province 79)
HANOI_OFFICER = Principal(username="p01", role=Role.PROVINCE_OFFICER, jurisdiction_code="01")
BA_DINH_OFFICER = Principal(username="c4", role=Role.COMMUNE_OFFICER, jurisdiction_code=BA_DINH)


def _person(session: Session, name: str, *, commune: str = BA_DINH, **over: Any) -> Person:
    home = {"address_line": "Số 1 Hoàng Diệu", "commune_code": commune}
    return make_person(session, full_name=name, permanent_residence=home, **over)


def _find(
    session: Session, name: str, principal: Principal = SYSTEM, **params: Any
) -> list[tuple[str, str]]:
    page = search_people(
        session,
        principal,
        name=name,
        birth_date=params.pop("birth_date", None),
        commune_code=params.pop("commune_code", None),
        **params,
    )
    return [(p.full_name, p.match) for p in page.items]


@pytest.mark.parametrize(
    "typed", ["nguyen van anh", "ngyuen van an", "nguen van an", "van nguyen am"]
)
def test_one_typo_still_finds_the_name(session: Session, typed: str) -> None:
    _person(session, "Nguyễn Văn An")
    _person(session, "Trần Thị Đào")
    assert _find(session, typed) == [("Nguyễn Văn An", "approximate")]


def test_two_typos_or_a_missing_word_find_nothing(session: Session) -> None:
    _person(session, "Nguyễn Văn An")
    for typed in ("ngyuen van anh", "nguyen an van thi", "nguyen vvan ann"):
        assert _find(session, typed) == [], typed


def test_exact_matches_come_first_then_one_typo_matches(session: Session) -> None:
    _person(session, "Nguyễn Văn Anh")  # registered first: ranking, not id order, puts it last
    _person(session, "Nguyễn Văn An")
    _person(session, "Nguyễn Thị An")
    _person(session, "Lê Văn An")
    _person(session, "An Văn Nguyễn")
    assert _find(session, "nguyen van an") == [
        ("Nguyễn Văn An", "exact"),
        ("An Văn Nguyễn", "exact"),
        ("Nguyễn Văn Anh", "approximate"),
    ]


def test_pages_run_through_the_exact_matches_then_the_approximate_ones(session: Session) -> None:
    for _ in range(3):
        _person(session, "Phạm Minh Tú")
    # "Tư" folds to "tu" too; "tue" and "thu" are one edit away, "tuan" two.
    for name in ("Phạm Minh Tư", "Phạm Minh Tuệ", "Phạm Minh Thu", "Phạm Minh Tuấn"):
        _person(session, name)
    seen: list[tuple[str, str]] = []
    numbers: list[str] = []
    cursor: str | None = None
    while True:
        page: PersonPage = search_people(
            session, SYSTEM, name="pham minh tu", birth_date=None, commune_code=None, limit=2,
            cursor=cursor,
        )  # fmt: skip
        seen += [(p.full_name, p.match) for p in page.items]
        numbers += [p.id_number for p in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [m for _, m in seen] == ["exact"] * 4 + ["approximate"] * 2
    assert {n for n, m in seen if m == "approximate"} == {"Phạm Minh Tuệ", "Phạm Minh Thu"}
    assert len(numbers) == len(set(numbers)) == 6


def test_filters_apply_to_approximate_matches_too(session: Session) -> None:
    _person(session, "Võ Thị Lan", birth_date="1985-03-02")
    _person(session, "Võ Thị Lam", birth_date="1985-07-09")
    _person(session, "Võ Thị Lan", birth_date="1990")
    _person(session, "Võ Thị Lang", birth_date="1985", commune=NGOC_HA)
    assert _find(session, "vo thi lan", birth_date="1985") == [
        ("Võ Thị Lan", "exact"),
        ("Võ Thị Lam", "approximate"),
        ("Võ Thị Lang", "approximate"),
    ]
    assert _find(session, "vo thi lan", birth_date="1985-07") == [
        ("Võ Thị Lam", "approximate"),
        ("Võ Thị Lang", "approximate"),  # the record knows only the year
    ]
    assert _find(session, "vo thi lan", birth_date="1985", commune_code=NGOC_HA) == [
        ("Võ Thị Lang", "approximate")
    ]


def test_approximate_matches_stay_inside_the_jurisdiction(session: Session) -> None:
    _person(session, "Đỗ Văn Hùng", commune=BA_DINH)
    _person(session, "Đỗ Văn Hưng", commune=NGOC_HA)
    _person(session, "Đỗ Văn Hưng", commune=SAIGON)
    assert _find(session, "do van hung", BA_DINH_OFFICER) == [("Đỗ Văn Hùng", "exact")]
    assert _find(session, "do van hungg", HANOI_OFFICER) == [
        ("Đỗ Văn Hùng", "approximate"),
        ("Đỗ Văn Hưng", "approximate"),
    ]
    assert len(_find(session, "do van hungg")) == 3


def test_a_renamed_resident_is_found_by_the_new_name_only(session: Session) -> None:
    person = _person(session, "Hoàng Thị Mai")
    update_person(
        session,
        SYSTEM,
        person.id_number,
        PersonUpdate(full_name="Hoàng Thị Xuân", reason="court decision on name change"),
        expected_version=person.version,
    )
    assert _find(session, "hoang thi xuan") == [("Hoàng Thị Xuân", "exact")]
    assert _find(session, "hoang thi xuaan") == [("Hoàng Thị Xuân", "approximate")]
    assert _find(session, "hoang thi mai") == []
    assert _find(session, "hoang thi mia") == []


def test_a_resident_who_moves_is_found_in_the_new_commune_only(session: Session) -> None:
    person = _person(session, "Lý Thị Hằng", commune=BA_DINH)
    change_residence(
        session,
        SYSTEM,
        person.id_number,
        new=NewResidence(kind="permanent", address_line="Số 9 Lê Lợi", commune_code=SAIGON),
        reason="moved",
    )
    assert _find(session, "ly thi hang", commune_code=SAIGON) == [("Lý Thị Hằng", "exact")]
    assert _find(session, "ly thi hangg", commune_code=SAIGON) == [("Lý Thị Hằng", "approximate")]
    assert _find(session, "ly thi hang", commune_code=BA_DINH) == []
    assert _find(session, "ly thi hang", HANOI_OFFICER) == []


def test_rows_loaded_with_the_index_suspended_are_found_after_a_rebuild(session: Session) -> None:
    connection = session.connection()
    kit_search.suspend(connection, repository.PERSON_NAMES)
    session.execute(insert(Person), [_row("Quách Văn Tĩnh", "001090000001")])
    kit_search.rebuild(connection, repository.PERSON_NAMES)
    assert _find(session, "quach van tinh") == [("Quách Văn Tĩnh", "exact")]
    assert _find(session, "quach van tnh") == [("Quách Văn Tĩnh", "approximate")]
    _person(session, "Quách Văn Tình")  # and the index is maintained again
    assert len(_find(session, "quach van tinh")) == 2


def _row(name: str, number: str, commune: str = BA_DINH) -> dict[str, Any]:
    return {
        "id_number": IdNumber.parse(number),
        "full_name": name,
        "name_key": f" {fold(name)} ",
        "birth_year": 1990,
        "sex": "male",
        "commune_code": commune,
        "province_code": "01",
        "data": {"full_name": name},
        "created_at": now(),
        "updated_at": now(),
    }


def test_one_edit_spellings() -> None:
    near = kit_search.edits1("an")
    assert {"anh", "lan", "a", "n", "na", "en"} <= near
    assert "an" not in near and "nah" not in near
    assert "nguyen" in kit_search.edits1("ngyuen")  # a transposition is one edit


# --- query plans ------------------------------------------------------------------------------


@contextmanager
def _statements(connection: Connection) -> Iterator[list[tuple[str, Any, str]]]:
    """Every SELECT that reads persons, with (PostgreSQL) whether index scans were on."""
    seen: list[tuple[str, Any, str]] = []

    def capture(c: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "persons" in statement:
            on = "on"
            if c.dialect.name == "postgresql":
                on = cursor.connection.execute("SHOW enable_indexscan").fetchone()[0]
            seen.append((statement, parameters, on))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", capture)


@pytest.fixture
def crowd(session: Session) -> None:
    """Enough residents, with statistics, for the planners to choose as they would at scale
    (on a table of three rows walking it all is the cheapest plan of any)."""
    surnames, middles = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"], ["Văn", "Thị"]
    givens = [
        "Bình",
        "Cường",
        "Dũng",
        "Giang",
        "Hải",
        "Hạnh",
        "Hoa",
        "Hùng",
        "Hương",
        "Khánh",
        "Lan",
        "Linh",
        "Long",
        "Mai",
        "Nam",
    ]
    rows = [
        _row(
            f"{surnames[i % 7]} {middles[i // 7 % 2]} {givens[i // 14 % 15]}",
            f"001095{i:06d}",
            commune=f"{i % 60 * 4 + 100:05d}",
        )
        | {"phone": f"09{i:08d}"}
        for i in range(3000)
    ]
    session.execute(insert(Person), rows)
    ids = session.scalars(
        select(Person.id).where(Person.id_number.in_([r["id_number"] for r in rows]))
    )
    session.execute(
        insert(OldIdNumber), [{"number": f"{9000 + i:09d}", "person_id": i} for i in ids]
    )
    session.connection().exec_driver_sql("ANALYZE")


def _plans(session: Session, run: Callable[[], object]) -> list[str]:
    """The plan of every SELECT ``run`` makes (PostgreSQL: with sequential scans off, index
    scans as they were: ``kit.search.bitmap_scans`` turns them off for some statements)."""
    connection = session.connection()
    with _statements(connection) as seen:
        run()
    assert seen
    plans = []
    for statement, parameters, index_scans in seen:
        if not is_postgres(session):
            explain, column = "EXPLAIN QUERY PLAN ", 3
        else:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql(f"SET LOCAL enable_indexscan = {index_scans}")
            explain, column = "EXPLAIN ", 0
        rows = connection.exec_driver_sql(explain + statement, parameters)
        plans.append("\n".join(row[column] for row in rows))
    return plans


def _assert_indexed(plan: str) -> None:
    """An index finds the rows: no scan of persons, nor a walk of its whole primary key (a
    window of ids bounded on both sides, ``kit.search.walk_window``, is no walk of it all; nor
    is the look-up of the newest id)."""
    assert "SCAN persons" not in plan and "Seq Scan" not in plan, plan
    assert any(w in plan for w in ("INDEX", "PRIMARY KEY", "Index Scan", "Index Only Scan")), plan
    lines = plan.splitlines()
    for i, line in enumerate(lines):
        if "using pk_persons" in line or "on pk_persons" in line:
            condition = lines[i + 1]
            window = re.search(r"Index Cond: \(\(id > \d+\) AND \(id <= \d+\)\)", condition)
            newest = "Index Only Scan Backward using pk_persons" in line
            assert "Index Cond: (id = " in condition or window or newest, plan


def test_exact_look_ups_use_an_index(session: Session, crowd: None) -> None:
    person = _person(session, "Nguyễn Văn An", phone="0912345678")
    session.execute(insert(OldIdNumber), [{"number": "012345678", "person_id": person.id}])
    by_phone = select(Person).where(Person.phone == "0912345678")
    plans = [
        *_plans(session, lambda: repository.by_id_number(session, person.id_number)),
        *_plans(session, lambda: repository.by_old_id_number(session, "012345678")),
        *_plans(session, lambda: session.scalars(by_phone).all()),
    ]
    for plan in plans:
        _assert_indexed(plan)


@pytest.mark.parametrize("typo", [False, True])
@pytest.mark.parametrize("commune", [None, BA_DINH])
def test_name_search_uses_the_name_index(
    session: Session, crowd: None, typo: bool, commune: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window of ids read in order first (kit.search.walk_window) would hold all of them.
    monkeypatch.setattr(kit_search, "walk_window", lambda limit, newest: 0)
    for name in ("Nguyễn Văn An", "Nguyễn Văn Anh", "Trần Thị Đào"):
        _person(session, name)

    def run() -> None:
        repository.search(
            session,
            words=["nguyen", "van", "an"],
            typo=typo,
            birth=None,
            commune_code=commune,
            province_code=None,
            after_id=0,
            limit=21,
        )

    plans = _plans(session, run)
    for plan in plans:
        _assert_indexed(plan)
    # The commune is looked up in the same index as the words, not through its own.
    assert "search_person_names" in plans[-1], plans[-1]
    assert "ix_persons_commune_code" not in plans[-1], plans[-1]
    if is_postgres(session):
        # In a commune, its words ("c:00004:nguyen"); elsewhere pairs of words ("an nguyen").
        token = f"c:{commune}:nguyen" if commune else "nguyen van"
        assert token in plans[-1], plans[-1]


def test_pages_run_across_the_window_read_in_id_order(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL reads a window of ids in order before asking the index for the rest: pages
    neither lose nor repeat a match at the seam, wherever it falls."""
    monkeypatch.setattr(kit_search, "walk_window", lambda limit, newest: 3)
    names = ["Đinh Văn Tú", "Đinh Thị Mơ", "Đinh Văn Tú", "Đinh Văn Tư", "Lê Văn Tú"] * 3
    people = [(_person(session, name), name) for name in names]
    expected = [n for _, n in people if n.startswith("Đinh Văn")]  # "Tư" folds to "tu" too
    for limit in (1, 2, 4):
        seen: list[tuple[str, str]] = []
        cursor: str | None = None
        while True:
            page = search_people(
                session, SYSTEM, name="dinh van tu", birth_date=None, commune_code=None,
                limit=limit, cursor=cursor,
            )  # fmt: skip
            seen += [(p.full_name, p.match) for p in page.items]
            if (cursor := page.next_cursor) is None:
                break
        assert seen == [(n, "exact") for n in expected], limit


def test_words_repeated_in_a_name_or_a_query(session: Session) -> None:
    _person(session, "Lê Thu Thư")
    _person(session, "Lê Văn Thu")
    assert _find(session, "thu le thu") == [("Lê Thu Thư", "exact"), ("Lê Văn Thu", "exact")]
    assert _find(session, "le thu thu") == _find(session, "thu le thu")
    assert _find(session, "le thuu") == [
        ("Lê Thu Thư", "approximate"),
        ("Lê Văn Thu", "approximate"),
    ]


def test_a_search_leaves_the_planner_settings_as_they_were(session: Session) -> None:
    if not is_postgres(session):
        pytest.skip("planner settings are PostgreSQL's")
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    _person(session, "Nguyễn Văn An")
    assert _find(session, "nguyen van an") == [("Nguyễn Văn An", "exact")]
    settings = [
        connection.exec_driver_sql(f"SHOW {n}").scalar()
        for n in ("enable_seqscan", "enable_indexscan", "jit")
    ]
    assert settings[:2] == ["on", "off"]
