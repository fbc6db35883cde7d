"""Queries on resident records. No rules, no commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from dancu.idnumber import IdNumber
from dancu.kit.partial_date import PartialDate
from dancu.registry.person.models import OldIdNumber, Person, PersonVersion


def by_id_number(session: Session, id_number: IdNumber) -> Person | None:
    return session.scalar(select(Person).where(Person.id_number == id_number))


def by_old_id_number(session: Session, number: str) -> list[Person]:
    stmt = (
        select(Person)
        .join(OldIdNumber, OldIdNumber.person_id == Person.id)
        .where(OldIdNumber.number == number)
    )
    return list(session.scalars(stmt))


def version_as_of(session: Session, person_id: int, moment: datetime) -> PersonVersion | None:
    stmt = (
        select(PersonVersion)
        .where(PersonVersion.person_id == person_id, PersonVersion.recorded_at <= moment)
        .order_by(PersonVersion.version.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def versions(session: Session, person_id: int) -> list[PersonVersion]:
    stmt = (
        select(PersonVersion)
        .where(PersonVersion.person_id == person_id)
        .order_by(PersonVersion.version)
    )
    return list(session.scalars(stmt))


def search(
    session: Session,
    *,
    words: list[str],
    birth: PartialDate | None,
    commune_code: str | None,
    province_code: str | None,
    after_id: int,
    limit: int,
) -> list[Person]:
    """Whole-word, folded name match (``name_key`` is padded with spaces), keyset-paginated."""
    conditions: list[ColumnElement[bool]] = [Person.id > after_id]
    conditions += [Person.name_key.like(f"% {word} %") for word in words]
    if birth is not None:
        # A record that knows only part of the date matches any date agreeing with that part.
        conditions.append(Person.birth_year == birth.year)
        if birth.month is not None:
            conditions.append(or_(Person.birth_month.is_(None), Person.birth_month == birth.month))
        if birth.day is not None:
            conditions.append(or_(Person.birth_day.is_(None), Person.birth_day == birth.day))
    if commune_code is not None:
        conditions.append(Person.commune_code == commune_code)
    if province_code is not None:
        conditions.append(Person.province_code == province_code)
    stmt = select(Person).where(and_(*conditions)).order_by(Person.id)
    return list(session.scalars(stmt.limit(limit)))
