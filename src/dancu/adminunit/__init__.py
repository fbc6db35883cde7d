"""Administrative units (current and pre-2025), their old -> new conversion, and the code lists
the register records against. Other contexts use ``dancu.adminunit.service``."""

from __future__ import annotations

from dancu.adminunit.errors import (
    CommuneNotFound,
    InvalidEthnicity,
    InvalidNationality,
    InvalidReligion,
    InvalidSearch,
    InvalidUnitSet,
    ProvinceNotFound,
)
from dancu.adminunit.schemas import (
    BirthRegistrationPlace,
    CodeItem,
    CodeListName,
    CommuneDetail,
    CommuneRead,
    ConversionRead,
    ProvinceRead,
    ResolvedCommune,
    UnitSet,
)

__all__ = [
    "BirthRegistrationPlace",
    "CodeItem",
    "CodeListName",
    "CommuneDetail",
    "CommuneNotFound",
    "CommuneRead",
    "ConversionRead",
    "InvalidEthnicity",
    "InvalidNationality",
    "InvalidReligion",
    "InvalidSearch",
    "InvalidUnitSet",
    "ProvinceNotFound",
    "ProvinceRead",
    "ResolvedCommune",
    "UnitSet",
]
