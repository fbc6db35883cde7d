"""Every past state of a record comes back exactly, from the current record and the versions'
changes (the register keeps no second copy of the record per version)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dancu.auth.principal import SYSTEM
from dancu.registry.person import history, repository
from dancu.registry.person.models import PersonVersion
from dancu.registry.person.read import get_person
from dancu.registry.person.schemas import PersonUpdate
from dancu.registry.person.service import update_person
from tests.factories.registry import make_person

EDITS = [
    {"phone": "0912345678", "email": "an@example.vn"},
    {"full_name": "Nguyễn Văn Ân", "other_names": ["Tèo"]},
    {"relations": [{"kind": "father", "full_name": "Nguyễn Văn Bố"}], "blood_group": "O+"},
    {"phone": None, "marital_status": "married"},
    {"sex": "female"},  # re-establishes the ID number
    {"birth_date": "1991-05-21"},  # and again
    {"death_date": "2026-01"},  # death_kind follows
]


def _fields(read: object) -> dict[str, object]:
    data = read.model_dump(mode="json")  # type: ignore[attr-defined]
    for volatile in ("updated_at", "as_of", "residences", "household", "version"):
        data.pop(volatile)
    return data


def test_every_version_is_rebuilt_exactly(session: Session) -> None:
    person = make_person(session)
    states = {1: _fields(get_person(session, SYSTEM, person.id_number))}
    for version, edit in enumerate(EDITS, start=2):
        update_person(
            session,
            SYSTEM,
            person.id_number,
            PersonUpdate.model_validate({**edit, "reason": f"edit {version}"}),
            expected_version=version - 1,
        )
        states[version] = _fields(get_person(session, SYSTEM, person.id_number))
    assert len(set(str(s["id_number"]) for s in states.values())) == 3
    versions = repository.versions(session, person.id)
    for version, expected in states.items():
        later = [v for v in reversed(versions) if v.version > version]
        rebuilt = history.rewind(person.data, later)
        for item in (
            "full_name",
            "other_names",
            "phone",
            "email",
            "relations",
            "sex",
            "birth_date",
            "death_date",
            "cancelled_id_numbers",
            "marital_status",
            "blood_group",
        ):
            assert (rebuilt.get(item) or None) == (expected[item] or None), (version, item)
        status = (rebuilt.get("death_kind") or "dead") if rebuilt.get("death_date") else "alive"
        assert status == expected["status"], version


def test_as_of_dates_read_the_right_version(session: Session) -> None:
    person = make_person(session)
    for version, edit in enumerate(EDITS[:4], start=2):
        update_person(
            session,
            SYSTEM,
            person.id_number,
            PersonUpdate.model_validate({**edit, "reason": "edit"}),
            expected_version=version - 1,
        )
    rows = session.scalars(select(PersonVersion).where(PersonVersion.person_id == person.id)).all()
    for row in rows:  # version v was recorded on 2025-01-0v
        session.execute(
            update(PersonVersion)
            .where(PersonVersion.id == row.id)
            .values(recorded_at=datetime(2025, 1, row.version, 12, tzinfo=UTC))
        )
    assert get_person(session, SYSTEM, person.id_number, as_of=date(2025, 1, 1)).phone is None
    second = get_person(session, SYSTEM, person.id_number, as_of=date(2025, 1, 2))
    assert (second.phone, second.full_name) == ("0912345678", "Nguyễn Văn An")
    third = get_person(session, SYSTEM, person.id_number, as_of=date(2025, 1, 3))
    assert (third.full_name, third.other_names) == ("Nguyễn Văn Ân", ["Tèo"])
    fifth = get_person(session, SYSTEM, person.id_number, as_of=date(2025, 1, 5))
    assert (fifth.phone, fifth.marital_status, fifth.version) == (None, "married", 5)
