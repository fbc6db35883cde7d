"""HTTP for residence registration, under the person it belongs to."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from dancu.deps import PrincipalDep, SessionDep
from dancu.registry.person import read
from dancu.registry.person import service as people
from dancu.registry.person.schemas import PersonRead
from dancu.registry.residence import service
from dancu.registry.residence.schemas import ResidenceChange, ResidenceEnd, ResidenceRecord

router = APIRouter(prefix="/v1/people/{id_number}/residence", tags=["residence"])
Kind = Literal["permanent", "temporary", "current"]


@router.get("", response_model=list[ResidenceRecord])
def residence_history(
    id_number: str, session: SessionDep, principal: PrincipalDep
) -> list[ResidenceRecord]:
    """All residence registrations of the person, open and closed, oldest first."""
    person = read.find_readable(session, principal, id_number)
    return [
        ResidenceRecord.model_validate(r) for r in service.residence_history(session, person.id)
    ]


@router.put("/{kind}", response_model=PersonRead)
def register(
    id_number: str, kind: Kind, body: ResidenceChange, session: SessionDep, principal: PrincipalDep
) -> PersonRead:
    """Register a permanent (Law on Residence Art. 20), temporary (Art. 27, at most 2 years)
    or current residence; the open one of that kind is closed. A pre-2025 commune code is
    converted to the current commune."""
    new = service.NewResidence(
        kind=kind,
        address_line=body.address_line,
        commune_code=body.commune_code,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )
    person = people.change_residence(
        session,
        principal,
        id_number,
        new=new,
        reason=body.reason,
        legal_reference=body.legal_reference,
    )
    return read.view(session, person)


@router.post("/{kind}/end", response_model=PersonRead)
def end(
    id_number: str, kind: Kind, body: ResidenceEnd, session: SessionDep, principal: PrincipalDep
) -> PersonRead:
    """End (xóa đăng ký) the open registration of this kind (Law on Residence Art. 24, 29)."""
    person = people.change_residence(
        session,
        principal,
        id_number,
        new=None,
        end_kind=kind,
        reason=body.reason,
        legal_reference=body.legal_reference,
    )
    return read.view(session, person)
