"""HTTP for households (Law on Residence Art. 10, 25)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from dancu.audit.service import record_read
from dancu.auth.principal import Principal
from dancu.deps import PrincipalDep, SessionDep
from dancu.registry.household import service
from dancu.registry.household.schemas import (
    HeadChange,
    HouseholdCreate,
    HouseholdRead,
    HouseholdSplit,
    MemberAdd,
    MemberIn,
    MemberRead,
    MemberRemove,
)
from dancu.registry.person import service as people
from dancu.registry.person.models import Person

router = APIRouter(prefix="/v1/households", tags=["households"])


def _refs(session: Session, members: list[MemberIn]) -> list[service.MemberRef]:
    return [
        service.MemberRef(people.find(session, m.id_number).id, m.relation_to_head) for m in members
    ]


def _read(
    session: Session, principal: Principal, household_id: int, *, include_past: bool = False
) -> HouseholdRead:
    household = service.get_household(session, household_id)
    principal.require_covers(household.commune_code, household.province_code)
    rows = service.members(session, household_id, include_past=include_past)
    persons = {p.id: p for p in people.by_ids(session, [m.person_id for m in rows])}
    record_read(
        session,
        principal,
        action="registry:household:read",
        subject_type="household",
        subject_id=household.household_number,
    )
    return HouseholdRead(
        id=household.id,
        household_number=household.household_number,
        commune_code=household.commune_code,
        province_code=household.province_code,
        address_line=household.address_line,
        version=household.version,
        dissolved_at=household.dissolved_at,
        split_from_id=household.split_from_id,
        members=[
            MemberRead(
                id_number=str(persons[m.person_id].id_number),
                full_name=persons[m.person_id].full_name,
                relation_to_head=m.relation_to_head,
                is_head=m.is_head,
                joined_at=m.joined_at,
                left_at=m.left_at,
                left_reason=m.left_reason,
            )
            for m in rows
        ],
    )


def _address(session: Session, head: Person, given: str | None) -> str:
    if given:
        return given
    from dancu.registry.residence.service import open_residences

    permanent = [r for r in open_residences(session, head.id) if r.kind == "permanent"]
    return permanent[0].address_line if permanent else ""


@router.post("", response_model=HouseholdRead, status_code=status.HTTP_201_CREATED)
def create(
    body: HouseholdCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> HouseholdRead:
    """Register a household at the head's permanent residence, with its members."""
    head = people.find(session, body.head_id_number)
    household = service.create_household(
        session,
        principal,
        head_person_id=head.id,
        members_=_refs(session, body.members),
        address_line=_address(session, head, body.address_line),
        reason=body.reason,
    )
    response.headers["Location"] = f"/v1/households/{household.id}"
    return _read(session, principal, household.id)


@router.get("/{household_id}", response_model=HouseholdRead)
def get(
    household_id: int, session: SessionDep, principal: PrincipalDep, include_past: bool = False
) -> HouseholdRead:
    """The household and its members (``include_past`` adds those who left, with when and why)."""
    return _read(session, principal, household_id, include_past=include_past)


@router.post("/{household_id}/members", response_model=HouseholdRead)
def add_member(
    household_id: int, body: MemberAdd, session: SessionDep, principal: PrincipalDep
) -> HouseholdRead:
    """Add a member; they must have their permanent residence in the household's commune."""
    ref = _refs(session, [body])[0]
    service.add_member(session, principal, household_id=household_id, ref=ref, reason=body.reason)
    return _read(session, principal, household_id)


@router.post("/{household_id}/members/{id_number}/remove", response_model=HouseholdRead)
def remove_member(
    household_id: int,
    id_number: str,
    body: MemberRemove,
    session: SessionDep,
    principal: PrincipalDep,
) -> HouseholdRead:
    """Remove a member (the head only as the last member, which dissolves the household)."""
    person = people.find(session, id_number)
    service.remove_member(
        session, principal, household_id=household_id, person_id=person.id, reason=body.reason
    )
    return _read(session, principal, household_id)


@router.post("/{household_id}/head", response_model=HouseholdRead)
def change_head(
    household_id: int, body: HeadChange, session: SessionDep, principal: PrincipalDep
) -> HouseholdRead:
    """Make another member the head (chủ hộ)."""
    person = people.find(session, body.id_number)
    service.change_head(
        session,
        principal,
        household_id=household_id,
        new_head_id=person.id,
        former_head_relation=body.former_head_relation,
        reason=body.reason,
    )
    return _read(session, principal, household_id)


@router.post(
    "/{household_id}/split", response_model=HouseholdRead, status_code=status.HTTP_201_CREATED
)
def split(
    household_id: int, body: HouseholdSplit, session: SessionDep, principal: PrincipalDep
) -> HouseholdRead:
    """Tách hộ (Law on Residence Art. 25): members form a new household; returns the new one."""
    head = people.find(session, body.head_id_number)
    new = service.split_household(
        session,
        principal,
        household_id=household_id,
        new_head_id=head.id,
        movers=_refs(session, body.members),
        address_line=body.address_line,
        reason=body.reason,
    )
    return _read(session, principal, new.id)
