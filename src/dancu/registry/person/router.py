"""HTTP for resident records. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from sqlalchemy.orm import Session

from dancu.auth.principal import Principal
from dancu.deps import PrincipalDep, SessionDep, read_unit
from dancu.registry.person import read, service
from dancu.registry.person.errors import StaleVersion, VersionRequired
from dancu.registry.person.schemas import (
    PersonCreate,
    PersonPage,
    PersonRead,
    PersonUpdate,
    VersionRead,
)

router = APIRouter(prefix="/v1/people", tags=["people"])
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int:
    if value is None:
        raise VersionRequired(
            "send If-Match with the ETag of the version you read (GET the record first)"
        )
    match = _ETAG.match(value)
    if match is None:
        raise StaleVersion(f"If-Match {value!r} is not an ETag this API gave out")
    return int(match.group(1))


@router.post("", response_model=PersonRead, status_code=status.HTTP_201_CREATED)
def register(
    body: PersonCreate, session: SessionDep, principal: PrincipalDep, response: Response
) -> PersonRead:
    """Register a resident and allocate their 12-digit personal ID number (Law on
    Identification 26/2023/QH15 Art. 9; Decree 137/2015 Art. 13)."""
    person = service.register_person(session, principal, body)
    response.headers["ETag"] = etag(person.version)
    response.headers["Location"] = f"/v1/people/{person.id_number}"
    return read.view(session, person)


@router.get("", response_model=PersonPage)
async def search(
    request: Request,
    principal: PrincipalDep,
    name: Annotated[str | None, Query(max_length=200, examples=["nguyen van an"])] = None,
    birth_date: Annotated[str | None, Query(examples=["1990", "1990-05-21"])] = None,
    commune_code: Annotated[str | None, Query(pattern=r"^[0-9]{5}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: str | None = None,
) -> PersonPage:
    """Search residents within your jurisdiction; case- and diacritic-insensitive name match."""
    return await read_unit(
        request,
        read.search_people,
        principal,
        name=name,
        birth_date=birth_date,
        commune_code=commune_code,
        limit=limit,
        cursor=cursor,
    )


@router.get("/{id_number}", response_model=PersonRead)
async def get(
    id_number: str,
    request: Request,
    principal: PrincipalDep,
    as_of: date | None = None,
) -> Response:
    """A resident's record, now or as it stood at the end of ``as_of`` (YYYY-MM-DD)."""
    body, version = await read_unit(request, _get_json, principal, id_number, as_of)
    headers = {"ETag": etag(version)} if as_of is None else None
    return Response(body, media_type="application/json", headers=headers)


def _get_json(
    session: Session, principal: Principal, id_number: str, as_of: date | None
) -> tuple[str, int]:
    # Rendered once, here, from the stored record; FastAPI would validate it a second time.
    return read.get_person_json(session, principal, id_number, as_of=as_of)


@router.patch("/{id_number}", response_model=PersonRead)
def update(
    id_number: str,
    body: PersonUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> PersonRead:
    """Correct or update a record. Requires ``If-Match`` with the ETag you read (412 when the
    record changed since) and a ``reason``; writes a new version, never overwrites."""
    person = service.update_person(
        session, principal, id_number, body, expected_version=parse_if_match(if_match)
    )
    response.headers["ETag"] = etag(person.version)
    return read.view(session, person)


@router.get("/{id_number}/history", response_model=list[VersionRead])
async def history(id_number: str, request: Request, principal: PrincipalDep) -> list[VersionRead]:
    """Every version of the record: who changed what, when, why, with old and new values."""
    return await read_unit(request, read.person_history, principal, id_number)
