"""The register's bulk path: many residents, their residences and households in a few
multi-row INSERTs, with the same rows (and version 1 history) that one-by-one registration writes.

For loading a new register (the demo population, digitised legacy files); the caller has
validated the data and allocated the ID numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dancu.auth.principal import Principal
from dancu.idnumber import IdNumber
from dancu.kit.clock import now
from dancu.kit.partial_date import PartialDate
from dancu.kit.text import fold
from dancu.registry.household.models import Household, HouseholdMember
from dancu.registry.person.models import OldIdNumber, Person, PersonVersion
from dancu.registry.residence.models import Residence


@dataclass
class BulkResidence:
    kind: str
    address_line: str
    commune_code: str  # current code, already resolved
    province_code: str
    valid_from: date
    valid_to: date | None = None


@dataclass
class BulkPerson:
    id_number: IdNumber
    snapshot: dict[str, Any]
    residences: list[BulkResidence]
    relation_to_head: str | None = None  # None: not in a household


@dataclass
class BulkHousehold:
    household_number: str
    commune_code: str
    province_code: str
    address_line: str
    members: list[BulkPerson] = field(default_factory=list)


def _person_row(p: BulkPerson, at: Any) -> dict[str, Any]:
    birth = PartialDate.parse(p.snapshot["birth_date"])
    home = p.residences[0] if p.residences else None
    return {
        "id_number": p.id_number,
        "version": 1,
        "full_name": p.snapshot["full_name"],
        "name_key": f" {fold(p.snapshot['full_name'])} ",
        "birth_year": birth.year,
        "birth_month": birth.month,
        "birth_day": birth.day,
        "sex": p.snapshot["sex"],
        "phone": p.snapshot.get("phone"),
        "commune_code": home.commune_code if home else None,
        "province_code": home.province_code if home else None,
        "status": "alive",
        "data": p.snapshot,
        "created_at": at,
        "updated_at": at,
    }


def insert_households(
    session: Session, principal: Principal, households: list[BulkHousehold], *, reason: str
) -> int:
    """Insert the households with all their members; returns the number of persons written."""
    at = now()
    people = [p for h in households for p in h.members]
    session.execute(insert(Person), [_person_row(p, at) for p in people])
    ids: dict[IdNumber, int] = dict(
        session.execute(
            select(Person.id_number, Person.id).where(
                Person.id_number.in_([p.id_number for p in people])
            )
        ).all()
    )
    who = {"officer": principal.username, "officer_id": principal.officer_id, "reason": reason}
    session.execute(
        insert(PersonVersion),
        [
            {
                "person_id": ids[p.id_number],
                "version": 1,
                "id_number": p.id_number,
                "recorded_at": at,
                "action": "register",
                "legal_reference": None,
                "snapshot": p.snapshot,
                "changes": {
                    k: {"old": None, "new": v} for k, v in p.snapshot.items() if v not in (None, [])
                },
                **who,
            }
            for p in people
        ],
    )
    old_ids = {
        (d["number"], ids[p.id_number]) for p in people for d in p.snapshot["old_id_numbers"]
    }
    if old_ids:
        session.execute(insert(OldIdNumber), [{"number": n, "person_id": i} for n, i in old_ids])
    session.execute(
        insert(Residence),
        [
            {
                "person_id": ids[p.id_number],
                "kind": r.kind,
                "address_line": r.address_line,
                "commune_code": r.commune_code,
                "province_code": r.province_code,
                "converted_from": None,
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
                "recorded_at": at,
                "recorded_by": principal.username,
                "officer_id": principal.officer_id,
                "reason": reason,
            }
            for p in people
            for r in p.residences
        ],
    )
    _insert_memberships(session, principal, households, ids, at, reason)
    return len(people)


def _insert_memberships(
    session: Session,
    principal: Principal,
    households: list[BulkHousehold],
    ids: dict[IdNumber, int],
    at: Any,
    reason: str,
) -> None:
    session.execute(
        insert(Household),
        [
            {
                "household_number": h.household_number,
                "commune_code": h.commune_code,
                "province_code": h.province_code,
                "address_line": h.address_line,
                "version": 1,
                "created_at": at,
            }
            for h in households
        ],
    )
    numbers = dict(
        session.execute(
            select(Household.household_number, Household.id).where(
                Household.household_number.in_([h.household_number for h in households])
            )
        ).all()
    )
    session.execute(
        insert(HouseholdMember),
        [
            {
                "household_id": numbers[h.household_number],
                "person_id": ids[p.id_number],
                "relation_to_head": p.relation_to_head,
                "is_head": p.relation_to_head == "head",
                "joined_at": at,
                "joined_reason": reason,
                "joined_by": principal.username,
            }
            for h in households
            for p in h.members
            if p.relation_to_head is not None
        ],
    )
