"""Households (Law on Residence 68/2020/QH14, Art. 10 and 25).

Invariants, held by the service and by partial unique indexes in the database: a household has
exactly one head; a person belongs to at most one household, the one at their permanent
residence. Membership rows are closed, never deleted, so the household's past can be read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dancu.adminunit import service as adminunit
from dancu.auth.principal import Principal
from dancu.kit.clock import now
from dancu.registry.household.errors import (
    AlreadyInHousehold,
    HouseholdNotFound,
    HouseholdRuleViolation,
)
from dancu.registry.household.models import Household, HouseholdMember
from dancu.registry.residence.service import open_residences

RELATIONS = (
    "head",
    "spouse",
    "child",
    "parent",
    "grandparent",
    "grandchild",
    "sibling",
    "parent_in_law",
    "child_in_law",
    "other_relative",
    "other",
)


@dataclass(frozen=True)
class MemberRef:
    """A person to place in a household: their internal id and relation to the head."""

    person_id: int
    relation_to_head: str


def get_household(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id)
    if household is None:
        raise HouseholdNotFound(f"there is no household {household_id}")
    return household


def members(
    session: Session, household_id: int, *, include_past: bool = False
) -> list[HouseholdMember]:
    stmt = select(HouseholdMember).where(HouseholdMember.household_id == household_id)
    if not include_past:
        stmt = stmt.where(HouseholdMember.left_at.is_(None))
    return list(session.scalars(stmt.order_by(HouseholdMember.is_head.desc(), HouseholdMember.id)))


def membership_of(session: Session, person_id: int) -> HouseholdMember | None:
    stmt = select(HouseholdMember).where(
        HouseholdMember.person_id == person_id, HouseholdMember.left_at.is_(None)
    )
    return session.scalar(stmt)


_MEMBERSHIP = (
    select(HouseholdMember, Household)
    .join(Household, Household.id == HouseholdMember.household_id)
    .where(HouseholdMember.person_id == bindparam("person_id"))
)
_MEMBERSHIP_NOW = (
    _MEMBERSHIP.where(HouseholdMember.left_at.is_(None))
    .order_by(HouseholdMember.id.desc())
    .limit(1)
)


def membership_at(
    session: Session, person_id: int, moment: datetime | None = None
) -> tuple[HouseholdMember, Household] | None:
    """The person's membership and household now, or at ``moment`` (one query)."""
    if moment is None:
        stmt = _MEMBERSHIP_NOW
    else:
        stmt = (
            _MEMBERSHIP.where(
                HouseholdMember.joined_at <= moment,
                or_(HouseholdMember.left_at.is_(None), HouseholdMember.left_at > moment),
            )
            .order_by(HouseholdMember.id.desc())
            .limit(1)
        )
    row = session.execute(stmt, {"person_id": person_id}).first()
    return None if row is None else (row[0], row[1])


_MEMBERS = HouseholdMember.__table__
_HOUSEHOLDS = Household.__table__


def with_membership_now(
    stmt: Select[*tuple[Any, ...]], person_id: ColumnElement[int]
) -> Select[*tuple[Any, ...]]:
    """``stmt`` LEFT JOINed with the current membership of ``person_id`` and its household
    (what ``membership_at`` gives now; NULLs when none). Adds ``household_id``,
    ``household_number``, ``household_relation_to_head`` and ``household_is_head``. A person
    belongs to at most one household at a time (``uq_household_members_open_person``), so this
    never multiplies ``stmt``'s rows."""
    return (
        stmt.add_columns(
            _MEMBERS.c.household_id.label("household_id"),
            _HOUSEHOLDS.c.household_number.label("household_number"),
            _MEMBERS.c.relation_to_head.label("household_relation_to_head"),
            _MEMBERS.c.is_head.label("household_is_head"),
        )
        .outerjoin(_MEMBERS, and_(_MEMBERS.c.person_id == person_id, _MEMBERS.c.left_at.is_(None)))
        .outerjoin(_HOUSEHOLDS, _HOUSEHOLDS.c.id == _MEMBERS.c.household_id)
    )


def _permanent_commune(session: Session, person_id: int) -> str | None:
    for residence in open_residences(session, person_id):
        if residence.kind == "permanent":
            return residence.commune_code
    return None


def _check_relation(relation: str, *, head: bool = False) -> None:
    if relation not in RELATIONS or (relation == "head") != head:
        allowed = ", ".join(r for r in RELATIONS if r != "head")
        raise HouseholdRuleViolation(
            f"relation to the head {relation!r} is not valid here; use one of: {allowed}"
        )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyInHousehold(
            "another change to this household or person was made at the same time; reload and retry"
        ) from exc


def _join(
    session: Session,
    principal: Principal,
    household: Household,
    ref: MemberRef,
    reason: str,
    *,
    head: bool = False,
) -> HouseholdMember:
    if membership_of(session, ref.person_id) is not None:
        raise AlreadyInHousehold(
            "this person already belongs to a household; remove them from it first"
        )
    commune = _permanent_commune(session, ref.person_id)
    if commune != household.commune_code:
        raise HouseholdRuleViolation(
            "a household member must have their permanent residence in the household's commune "
            f"({household.commune_code}); register the permanent residence first"
        )
    member = HouseholdMember(
        household_id=household.id,
        person_id=ref.person_id,
        relation_to_head=ref.relation_to_head,
        is_head=head,
        joined_reason=reason,
        joined_by=principal.username,
    )
    session.add(member)
    return member


def _leave(member: HouseholdMember, principal: Principal, reason: str) -> None:
    member.left_at = now()
    member.left_reason = reason
    member.left_by = principal.username


def _new_number(session: Session, commune_code: str) -> str:
    for _ in range(20):
        number = f"{commune_code}{secrets.randbelow(10**7):07d}"
        if session.scalar(select(Household.id).where(Household.household_number == number)) is None:
            return number
    raise HouseholdRuleViolation("could not allocate a household number; retry")


def create_household(
    session: Session,
    principal: Principal,
    *,
    head_person_id: int,
    address_line: str,
    reason: str,
    members_: list[MemberRef] | None = None,
    split_from_id: int | None = None,
) -> Household:
    """Create a household at the head's permanent residence, with the head and other members."""
    commune = _permanent_commune(session, head_person_id)
    if commune is None:
        raise HouseholdRuleViolation("the head needs a registered permanent residence first")
    principal.require_writer()
    province = adminunit.get_commune(session, commune).province_code
    principal.require_covers(commune, province)
    household = Household(
        household_number=_new_number(session, commune),
        commune_code=commune,
        province_code=province,
        address_line=address_line,
        split_from_id=split_from_id,
    )
    session.add(household)
    session.flush()
    _join(session, principal, household, MemberRef(head_person_id, "head"), reason, head=True)
    for ref in members_ or []:
        _check_relation(ref.relation_to_head)
        _join(session, principal, household, ref, reason)
    _flush(session)
    return household


def _writable(
    session: Session, principal: Principal, household_id: int, *, enforce_jurisdiction: bool = True
) -> Household:
    household = get_household(session, household_id)
    principal.require_writer()
    if enforce_jurisdiction:
        principal.require_covers(household.commune_code, household.province_code)
    if household.dissolved_at is not None:
        raise HouseholdRuleViolation("this household has been dissolved")
    household.version += 1
    return household


def add_member(
    session: Session, principal: Principal, *, household_id: int, ref: MemberRef, reason: str
) -> HouseholdMember:
    """Add a person to the household with their relation to its head."""
    _check_relation(ref.relation_to_head)
    household = _writable(session, principal, household_id)
    member = _join(session, principal, household, ref, reason)
    _flush(session)
    return member


def _open_member(session: Session, household_id: int, person_id: int) -> HouseholdMember:
    for member in members(session, household_id):
        if member.person_id == person_id:
            return member
    raise HouseholdRuleViolation("this person is not a member of the household")


def remove_member(
    session: Session,
    principal: Principal,
    *,
    household_id: int,
    person_id: int,
    reason: str,
    enforce_jurisdiction: bool = True,
) -> None:
    """Remove a member. The head can leave only as the last member (the household dissolves).
    A move registered by another commune's officers passes ``enforce_jurisdiction=False``."""
    household = _writable(
        session, principal, household_id, enforce_jurisdiction=enforce_jurisdiction
    )
    member = _open_member(session, household_id, person_id)
    if member.is_head:
        if len(members(session, household_id)) > 1:
            raise HouseholdRuleViolation(
                "the head cannot leave while others remain; change the head first"
            )
        household.dissolved_at = now()
    _leave(member, principal, reason)
    _flush(session)


def change_head(
    session: Session,
    principal: Principal,
    *,
    household_id: int,
    new_head_id: int,
    former_head_relation: str,
    reason: str,
) -> None:
    """Make another member the head; the former head stays with the relation given."""
    _check_relation(former_head_relation)
    household = _writable(session, principal, household_id)
    new_head = _open_member(session, household_id, new_head_id)
    if new_head.is_head:
        raise HouseholdRuleViolation("this person is already the head")
    old_head = next(m for m in members(session, household_id) if m.is_head)
    for member in (old_head, new_head):
        _leave(member, principal, reason)
    _flush(session)
    for person_id, relation, head in (
        (new_head_id, "head", True),
        (old_head.person_id, former_head_relation, False),
    ):
        session.add(
            HouseholdMember(
                household_id=household.id,
                person_id=person_id,
                relation_to_head=relation,
                is_head=head,
                joined_reason=reason,
                joined_by=principal.username,
            )
        )
    _flush(session)


def split_household(
    session: Session,
    principal: Principal,
    *,
    household_id: int,
    new_head_id: int,
    movers: list[MemberRef],
    address_line: str | None,
    reason: str,
) -> Household:
    """Tách hộ (Art. 25): members leave to form a new household at the same residence."""
    household = _writable(session, principal, household_id)
    leaving = {new_head_id, *(m.person_id for m in movers)}
    current = {m.person_id: m for m in members(session, household_id)}
    if not leaving <= current.keys():
        raise HouseholdRuleViolation("everyone who splits off must be a member of the household")
    if any(current[p].is_head for p in leaving):
        raise HouseholdRuleViolation("the current head cannot split off; change the head first")
    for person_id in leaving:
        _leave(current[person_id], principal, f"split: {reason}")
    _flush(session)
    return create_household(
        session,
        principal,
        head_person_id=new_head_id,
        members_=movers,
        reason=reason,
        address_line=address_line or household.address_line,
        split_from_id=household.id,
    )
