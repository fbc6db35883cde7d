"""HTTP: public, read-only reference data (administrative units and code lists); no sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dancu.adminunit import service
from dancu.adminunit.schemas import (
    BirthRegistrationPlace,
    CodeItem,
    CodeListName,
    CommuneDetail,
    CommuneRead,
    ProvinceRead,
    UnitSet,
)
from dancu.deps import SessionDep

router = APIRouter(prefix="/v1/admin-units", tags=["admin units"])

SetQuery = Annotated[
    UnitSet,
    Query(alias="set", description="`current`: units from 1 Jul 2025; `legacy`: units before"),
]


@router.get("/provinces", response_model=list[ProvinceRead])
def list_provinces(session: SessionDep, unit_set: SetQuery = UnitSet.CURRENT) -> list[ProvinceRead]:
    """Provinces and centrally-run cities. `current`: the 34 formed by Resolution 202/2025/QH15
    (in force 1 Jul 2025); `legacy`: the 63 before, still found in older records."""
    return service.list_provinces(session, unit_set=unit_set)


@router.get("/provinces/{code}", response_model=ProvinceRead)
def get_province(
    session: SessionDep, code: str, unit_set: SetQuery = UnitSet.CURRENT
) -> ProvinceRead:
    """One province by its two-digit GSO code."""
    return service.get_province(session, code, unit_set=unit_set)


@router.get("/provinces/{code}/communes", response_model=list[CommuneRead])
def list_communes(
    session: SessionDep, code: str, unit_set: SetQuery = UnitSet.CURRENT
) -> list[CommuneRead]:
    """The commune-level units of a province: xã, phường and đặc khu since 1 Jul 2025 (no
    district level any more); xã, phường and thị trấn under a district before."""
    return service.list_communes(session, province_code=code, unit_set=unit_set)


@router.get("/communes", response_model=list[CommuneRead])
def search_communes(
    session: SessionDep,
    name: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="part of the name; case and diacritics are ignored",
        ),
    ],
    province_code: Annotated[str | None, Query(max_length=2)] = None,
    unit_set: SetQuery = UnitSet.CURRENT,
    limit: Annotated[int, Query(ge=1, le=service.MAX_SEARCH_RESULTS)] = 20,
) -> list[CommuneRead]:
    """Find communes by name, ignoring case and Vietnamese diacritics ("ben nghe" finds
    "Phường Bến Nghé"); whole-name matches first."""
    return service.search_communes(
        session, name=name, province_code=province_code, unit_set=unit_set, limit=limit
    )


@router.get("/communes/{code}", response_model=CommuneDetail)
def get_commune(
    session: SessionDep, code: str, unit_set: SetQuery = UnitSet.CURRENT
) -> CommuneDetail:
    """One commune by its five-digit GSO code. A pre-2025 (`legacy`) commune comes with the
    current commune(s) it became under the 2025 rearrangement, the default first; current codes
    reuse pre-2025 ones, so say which set the code is from."""
    commune = service.get_commune(session, code, unit_set=unit_set)
    converted = (
        service.convert_legacy_commune(session, commune.code) if unit_set is UnitSet.LEGACY else []
    )
    return CommuneDetail(**commune.model_dump(), converted_to=converted)


@router.get("/code-lists/birth-registration-places", response_model=list[BirthRegistrationPlace])
def birth_registration_places() -> list[BirthRegistrationPlace]:
    """The first three digits of the personal ID number: "0" + the pre-2025 GSO code of the
    province where the birth was registered (Decree 137/2015/NĐ-CP Art 13, Circular
    59/2021/TT-BCA). Historical: numbers were not re-issued in 2025, so 024 is the old Bắc Giang
    while current province 24 is Bắc Ninh; `current_province_code` gives today's province."""
    return service.birth_registration_places()


@router.get("/code-lists/{name}", response_model=list[CodeItem])
def code_list(name: CodeListName) -> list[CodeItem]:
    """A code list of the population register (Law on Identification 26/2023/QH15 Art 9):
    `ethnicities` (GSO list of 54 groups, Decision 121-TCTK/PPCĐ), `religions` (recognised
    religions, 00 = none), `nationalities` (ISO 3166-1 alpha-2)."""
    lists = {
        CodeListName.ETHNICITIES: service.ethnicities,
        CodeListName.RELIGIONS: service.religions,
        CodeListName.NATIONALITIES: service.nationalities,
    }
    if name is CodeListName.BIRTH_REGISTRATION_PLACES:
        return list(service.birth_registration_places())
    return lists[name]()
