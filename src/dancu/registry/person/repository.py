"""Queries on resident records. No rules, no commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Row, Select, Text, bindparam, cast, or_, select
from sqlalchemy.orm import Session

from dancu.idnumber import IdNumber
from dancu.idnumber.models import IdNumberRecord
from dancu.kit import search as name_search
from dancu.kit.partial_date import PartialDate
from dancu.kit.search import NameIndex, Reading, excluding, find, one_typo_readings
from dancu.registry.household import service as households
from dancu.registry.person.models import OldIdNumber, Person, PersonVersion
from dancu.registry.residence import service as residences

# The index migration 0005 made over persons.name_key (" nguyen van an ") and the jurisdiction
# (commune and province codes, so that a search inside one intersects in the index; on
# PostgreSQL every word is also indexed with its commune, "c:26740:nguyen", and with each other
# word of the name, "an nguyen").
PERSON_NAMES = NameIndex(
    table="persons",
    key="name_key",
    id="id",
    name="search_person_names",
    scopes=(("c", "commune_code"), ("p", "province_code")),
    worded=("c",),
)


# The hottest query of the register (every read of a record), built once: constructing a
# statement costs more than SQLite takes to run it.
_BY_ID_NUMBER = select(Person).where(Person.id_number == bindparam("id_number"))


def by_id_number(session: Session, id_number: IdNumber) -> Person | None:
    return session.scalar(_BY_ID_NUMBER, {"id_number": id_number})


_PERSONS = Person.__table__
# The read of a record now, in one statement of plain rows (no ORM objects): the person, their
# open residences (a row each) and their current household membership. The document comes as
# its text, so that it is parsed once however many rows repeat it.
_CURRENT = households.with_membership_now(
    residences.with_open_now(
        select(
            _PERSONS.c.id,
            _PERSONS.c.id_number,
            _PERSONS.c.version,
            _PERSONS.c.commune_code,
            _PERSONS.c.province_code,
            cast(_PERSONS.c.data, Text).label("data"),
            _PERSONS.c.updated_at,
        ).where(_PERSONS.c.id_number == bindparam("id_number")),
        _PERSONS.c.id,
    ),
    _PERSONS.c.id,
)


def current_rows(session: Session, id_number: IdNumber) -> Sequence[Row[*tuple[Any, ...]]]:
    """The person holding ``id_number`` with what ``residences.with_open_now`` and
    ``households.with_membership_now`` add: one row per open residence (at least one), none
    when no one holds the number."""
    if session.autoflush:
        session.flush()  # as an ORM query would: the unit of work sees its own changes
    return session.execute(_CURRENT, {"id_number": id_number}).all()


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


def versions_after(session: Session, person_id: int, version: int) -> list[PersonVersion]:
    """The versions after ``version``, newest first."""
    stmt = (
        select(PersonVersion)
        .where(PersonVersion.person_id == person_id, PersonVersion.version > version)
        .order_by(PersonVersion.version.desc())
    )
    return list(session.scalars(stmt))


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
    typo: bool = False,
    birth: PartialDate | None,
    commune_code: str | None,
    province_code: str | None,
    after_id: int,
    limit: int,
) -> list[Person]:
    """Residents whose folded name holds every word of ``words`` as a whole word (``typo``:
    not that, but every word bar one, and that one a single edit away), keyset-paginated by
    id. The name and the jurisdiction are looked up together through ``kit.search``'s index;
    the birth date checks the rows it finds."""
    stmt = select(Person).where(*_birth_filters(birth))
    if not words:
        stmt = stmt.where(*_jurisdiction_filters(commune_code, province_code))
        return list(
            session.scalars(stmt.where(Person.id > after_id).order_by(Person.id).limit(limit))
        )
    readings = [Reading(tuple(words))]
    if typo:
        readings = one_typo_readings(session, PERSON_NAMES, words)
        if not readings:
            return []
        stmt = stmt.where(excluding(Person.name_key, words))
    return find(
        session,
        stmt,
        PERSON_NAMES,
        id_column=Person.id,
        key=Person.name_key,
        readings=readings,
        scope={"commune_code": commune_code, "province_code": province_code},
        after_id=after_id,
        limit=limit,
    )


def _birth_filters(birth: PartialDate | None) -> list[ColumnElement[bool]]:
    if birth is None:
        return []
    # A record that knows only part of the date matches any date agreeing with that part.
    conditions = [Person.birth_year == birth.year]
    if birth.month is not None:
        conditions.append(or_(Person.birth_month.is_(None), Person.birth_month == birth.month))
    if birth.day is not None:
        conditions.append(or_(Person.birth_day.is_(None), Person.birth_day == birth.day))
    return conditions


def _jurisdiction_filters(
    commune_code: str | None, province_code: str | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if commune_code is not None:
        conditions.append(Person.commune_code == commune_code)
    if province_code is not None:
        conditions.append(Person.province_code == province_code)
    return conditions


def suspend_name_index(session: Session) -> None:
    """Stop maintaining the name index row by row, before a bulk load of many residents."""
    name_search.suspend(session.connection(), PERSON_NAMES)


def rebuild_name_index(session: Session) -> None:
    """Rebuild the name index from the rows and maintain it again (after a bulk load)."""
    name_search.rebuild(session.connection(), PERSON_NAMES)


# The holder of a number in one statement, for callers that must answer fast (the gateway's
# verify and lookup): the person holding it now, and the number's allocation record (its
# ``replaced_by`` says whether someone held it before under another number, which ``find``
# then resolves). The caller's own columns lead, from its own table, so that it can read what
# it needs in the same round trip; ``:number`` is the number.
_PERSONS, _NUMBERS = Person.__table__, IdNumberRecord.__table__
HOLDER_COLUMNS = (
    _PERSONS.c.id,
    _PERSONS.c.full_name,
    _PERSONS.c.birth_year,
    _PERSONS.c.birth_month,
    _PERSONS.c.birth_day,
    _PERSONS.c.sex,
    _PERSONS.c.status,
    _PERSONS.c.province_code,
)


def holder_statement(
    *head: ColumnElement[Any], head_from: FromClause, what: str = "columns"
) -> Select[Any]:
    """``head`` from ``head_from``, then the number's ``replaced_by`` and the holder: its
    ``HOLDER_COLUMNS`` (``what="columns"``), those and ``data`` (``"data"``), or the
    ``Person`` entity (``"entity"``); all null when no one holds the number."""
    joined = head_from.outerjoin(_PERSONS, _PERSONS.c.id_number == bindparam("number")).outerjoin(
        _NUMBERS, _NUMBERS.c.number == bindparam("number")
    )
    holder: tuple[Any, ...] = {
        "columns": HOLDER_COLUMNS,
        "data": (*HOLDER_COLUMNS, _PERSONS.c.data),
        "entity": (Person,),
    }[what]
    return select(*head, _NUMBERS.c.replaced_by, *holder).select_from(joined)


def by_phone(session: Session, phone: str, *, limit: int) -> list[Person]:
    """Residents with this phone number (as stored: local 10-digit form)."""
    return list(session.scalars(select(Person).where(Person.phone == phone).limit(limit)))


def identity_rows(session: Session, *, every: int = 1) -> Sequence[Row[*tuple[Any, ...]]]:
    """The identifying columns of every resident (or every ``every``-th by row id, a sample):
    what record linkage compares."""
    stmt = select(
        Person.id_number,
        Person.full_name,
        Person.birth_year,
        Person.birth_month,
        Person.birth_day,
        Person.sex,
        Person.commune_code,
        Person.phone,
    )
    if every > 1:
        stmt = stmt.where(Person.id % every == 0)
    return session.execute(stmt).all()
