"""The record now is read in one statement and rendered from the stored document without the
input checks (``read.get_person_json``); it gives exactly what ``get_person`` gives, with the same
jurisdiction check, audit and version, and one consistent snapshot under concurrent changes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dancu.audit.journal import AuditJournal
from dancu.audit.models import AuditEvent
from dancu.auth.principal import SYSTEM, OutOfJurisdiction, Principal, Role
from dancu.idnumber.errors import InvalidIdNumber
from dancu.kit.db import build_engine, build_read_engine, session_factory, unit_of_work
from dancu.registry.household import service as households
from dancu.registry.person.errors import PersonNotFound
from dancu.registry.person.models import Person
from dancu.registry.person.read import get_person, get_person_json
from dancu.registry.person.schemas import (
    OldDocument,
    OldDocumentOut,
    PersonRead,
    PersonReadOut,
    PersonUpdate,
    Relation,
    RelationOut,
    TemporaryAbsence,
    TemporaryAbsenceOut,
)
from dancu.registry.person.service import update_person
from dancu.registry.residence import service as residences
from dancu.registry.residence.service import NewResidence
from tests.factories.registry import BA_DINH, NGOC_HA, make_person

NGOC_HA_OFFICER = Principal(username="c8", role=Role.COMMUNE_OFFICER, jurisdiction_code=NGOC_HA)
RICH: dict[str, Any] = {
    "full_name": "Đặng Thị Ngọc Ánh",
    "other_names": ["Bé Ba", "Ánh Đặng"],
    "birth_date": "1957-03",
    "sex": "female",
    "place_of_birth": "Xã Phù Đổng, huyện Gia Lâm, Hà Nội",
    "birth_registration_place": "UBND xã Phù Đổng",
    "hometown": "Làng Đông Ngạc, Hà Nội",
    "blood_group": "AB-",
    "old_id_numbers": [
        {"number": "012345678", "issued_on": "2005-06-01", "issued_place": "Công an Hà Nội"},
        {"number": "001157001234", "expires_on": "2030-03-01"},
    ],
    "relations": [
        {"kind": "father", "full_name": "Đặng Văn Thưởng", "id_number": "001030000123"},
        {"kind": "spouse", "full_name": "Trần Quốc Việt", "nationality_code": "VN"},
    ],
    "marital_status": "married",
    "phone": "0912345678",
    "email": "anh.dang@example.vn",
    "temporary_absence": {"from_date": "2026-01-10", "destination": "Thành phố Huế"},
    "residence_document_number": "CT07-2026-000123",
    "temporary_residence": {"address_line": "Số 9 phố Ngọc Hà", "commune_code": NGOC_HA},
    "current_residence": {"address_line": "Nhà 3, ngõ 12 Đội Cấn", "commune_code": NGOC_HA},
}


def _update(session: Session, person: Person, **fields: Any) -> None:
    update_person(
        session,
        SYSTEM,
        person.id_number,
        PersonUpdate.model_validate({**fields, "reason": "test"}),
        expected_version=person.version,
    )


def _assert_same(session: Session, number: str, principal: Principal = SYSTEM) -> dict[str, Any]:
    fast, version = get_person_json(session, principal, number)
    old = get_person(session, principal, number)
    assert fast == old.model_dump_json()
    assert json.loads(fast) == json.loads(old.model_dump_json())
    assert version == old.version
    parsed: dict[str, Any] = json.loads(fast)
    return parsed


@pytest.mark.parametrize(
    ("out", "checked"),
    [
        (PersonReadOut, PersonRead),
        (OldDocumentOut, OldDocument),
        (RelationOut, Relation),
        (TemporaryAbsenceOut, TemporaryAbsence),
    ],
)
def test_the_output_models_have_the_read_models_fields(
    out: type[BaseModel], checked: type[BaseModel]
) -> None:
    def fields(model: type[BaseModel]) -> list[tuple[str, Any, Any]]:
        return [
            (name, f.get_default(call_default_factory=True), f.serialization_alias)
            for name, f in model.model_fields.items()
        ]

    assert fields(out) == fields(checked)


def test_a_plain_record_reads_the_same(session: Session) -> None:
    person = make_person(session)
    read = _assert_same(session, str(person.id_number))
    assert read["household"] is None
    assert [r["kind"] for r in read["residences"]] == ["permanent"]


def test_every_item_and_three_residences_read_the_same(session: Session) -> None:
    until = (date.today() + timedelta(days=200)).isoformat()
    person = make_person(session, **RICH, temporary_residence_until=until)
    read = _assert_same(session, str(person.id_number))
    assert [r["kind"] for r in read["residences"]] == ["permanent", "temporary", "current"]
    assert read["birth_date"] == "1957-03"
    assert read["old_id_numbers"][1]["issued_place"] is None
    assert read["relations"][1]["id_number"] is None
    assert read["temporary_absence"]["to_date"] is None
    residences.end_residence(
        session, SYSTEM, person_id=person.id, kind="temporary", reason="moved back"
    )
    read = _assert_same(session, str(person.id_number))
    assert [r["kind"] for r in read["residences"]] == ["permanent", "current"]


def test_year_only_birth_and_a_converted_commune_read_the_same(session: Session) -> None:
    person = make_person(
        session,
        full_name="Hồ Thị Lệ",
        birth_date="1942",
        sex="female",
        permanent_residence={"address_line": "Số 2 Lê Duẩn", "commune_code": "26734"},
    )
    read = _assert_same(session, str(person.id_number))
    assert read["residences"][0]["converted_from"] == "26734"


def test_a_record_without_residence_reads_the_same(session: Session) -> None:
    person = make_person(session, permanent_residence=None)
    assert _assert_same(session, str(person.id_number))["residences"] == []


def test_dead_and_missing_people_read_the_same(session: Session) -> None:
    dead = make_person(session, full_name="Vũ Văn Hải")
    _update(session, dead, death_date="2025-11-02")
    assert _assert_same(session, str(dead.id_number))["status"] == "dead"
    missing = make_person(session, full_name="Lý Thị Hoa", sex="female")
    _update(session, missing, death_date="2024-07", death_kind="missing")
    assert _assert_same(session, str(missing.id_number))["status"] == "missing"


def test_a_re_established_number_reads_the_same_by_either_number(session: Session) -> None:
    person = make_person(session)
    old_number = str(person.id_number)
    _update(session, person, sex="female", full_name="Nguyễn Thị An")
    assert str(person.id_number) != old_number
    by_new = _assert_same(session, str(person.id_number))
    assert by_new["cancelled_id_numbers"] == [old_number]
    assert _assert_same(session, old_number) == by_new


def test_household_members_read_the_same(session: Session) -> None:
    head = make_person(session, full_name="Lê Văn Hùng")
    child = make_person(session, full_name="Lê Thị Mai", sex="female", birth_date="2010-02-03")
    household = households.create_household(
        session,
        SYSTEM,
        head_person_id=head.id,
        address_line="Số 5 Đội Cấn",
        reason="test",
        members_=[households.MemberRef(child.id, "child")],
    )
    assert _assert_same(session, str(head.id_number))["household"]["is_head"] is True
    read = _assert_same(session, str(child.id_number))
    assert read["household"] == {
        "household_id": household.id,
        "household_number": household.household_number,
        "relation_to_head": "child",
        "is_head": False,
    }
    households.remove_member(
        session, SYSTEM, household_id=household.id, person_id=child.id, reason="moved"
    )
    assert _assert_same(session, str(child.id_number))["household"] is None


def test_as_of_reads_take_the_versions_path(session: Session) -> None:
    person = make_person(session)
    _update(session, person, phone="0987654321")
    fast, version = get_person_json(session, SYSTEM, person.id_number, as_of=date.today())
    old = get_person(session, SYSTEM, person.id_number, as_of=date.today())
    assert (fast, version) == (old.model_dump_json(), old.version)


def _reads(session: Session, subject_id: str) -> int:
    stmt = select(func.count()).where(
        AuditEvent.action == "registry:person:read", AuditEvent.subject_id == subject_id
    )
    return session.scalar(stmt) or 0


def test_jurisdiction_and_audit_are_as_before(session: Session) -> None:
    person = make_person(session)
    number = str(person.id_number)
    with pytest.raises(OutOfJurisdiction):
        get_person_json(session, NGOC_HA_OFFICER, number)
    assert _reads(session, number) == 0
    officer = Principal(username="c4", role=Role.COMMUNE_OFFICER, jurisdiction_code=BA_DINH)
    get_person_json(session, officer, number)
    session.flush()
    assert _reads(session, number) == 1
    with pytest.raises(PersonNotFound):
        get_person_json(session, SYSTEM, "001090999999")
    with pytest.raises(InvalidIdNumber):
        get_person_json(session, SYSTEM, "12345")


def test_reads_see_one_snapshot_while_the_record_changes(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    """The person (version, phone) and their current residence change together in each write;
    every read, made as the API makes it, shows a version, phone and address of the same write,
    and is audited."""
    url = new_database()
    engine = build_engine(url)
    writes = session_factory(engine)
    journal = AuditJournal(tmp_path / "journal", writes)
    readers = build_read_engine(url)
    reads = sessionmaker(bind=readers, expire_on_commit=False, info={"audit_journal": journal})
    with unit_of_work(writes) as session:
        person = make_person(session, current_residence=_home(0))
        number, person_id = str(person.id_number), person.id
    done = threading.Event()
    seen: list[tuple[int, str, str]] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for k in range(1, 16):
                with unit_of_work(writes) as session:
                    update_person(
                        session,
                        SYSTEM,
                        number,
                        PersonUpdate(phone=f"09{k:08d}", reason="test"),
                        expected_version=k,
                    )
                    residences.register_residence(
                        session,
                        SYSTEM,
                        person_id=person_id,
                        new=NewResidence(kind="current", **_home(k)),
                        reason="test",
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def read(factory: sessionmaker[Session]) -> None:
        try:
            while not done.is_set():
                with factory() as session, session.begin():
                    body, version = get_person_json(session, SYSTEM, number)
                record = json.loads(body)
                current = [r for r in record["residences"] if r["kind"] == "current"]
                seen.append((version, record["phone"] or "", current[0]["address_line"]))
                assert record["version"] == version and len(current) == 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write)] + [
        threading.Thread(target=read, args=(reads,)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert journal.flush() == len(seen)
    engine.dispose()
    readers.dispose()
    assert not errors
    assert seen
    for version, phone, address in seen:
        k = version - 1
        assert (phone, address) == (f"09{k:08d}" if k else "", _home(k)["address_line"])


def _home(k: int) -> dict[str, str]:
    return {"address_line": f"Phòng {k}, nhà B, ngõ 12 Đội Cấn", "commune_code": NGOC_HA}
