"""What the administrative-unit context hands out: read-only views of units and code lists."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class UnitSet(StrEnum):
    """`current`: the units in force from 1 Jul 2025 (34 provinces, no districts);
    `legacy`: the units before (63 provinces, 696 districts, 10,035 communes)."""

    CURRENT = "current"
    LEGACY = "legacy"


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProvinceRead(_Read):
    code: str
    name: str
    division_type: str
    unit_set: UnitSet


class CommuneRead(_Read):
    code: str
    name: str
    division_type: str
    unit_set: UnitSet
    province_code: str
    province_name: str
    district_code: str | None = None
    district_name: str | None = None


class ConversionRead(_Read):
    """A current commune that took over (part of) a pre-2025 commune."""

    legacy_code: str
    code: str
    name: str
    division_type: str
    province_code: str
    province_name: str
    is_default: bool


class CommuneDetail(CommuneRead):
    """A commune and, for a pre-2025 one, the current commune(s) it became (default first)."""

    converted_to: list[ConversionRead] = []


class ResolvedCommune(_Read):
    """The current commune for a code that may be current or pre-2025."""

    code: str
    name: str
    division_type: str
    province_code: str
    province_name: str
    converted_from: str | None = None
    ambiguous: bool = False


class CodeItem(_Read):
    code: str
    name: str


class BirthRegistrationPlace(CodeItem):
    """A birth-registration code (first 3 digits of the personal ID number): a pre-2025
    province, and the current province that now covers it."""

    legacy_province_code: str
    current_province_code: str


class CodeListName(StrEnum):
    ETHNICITIES = "ethnicities"
    RELIGIONS = "religions"
    NATIONALITIES = "nationalities"
    BIRTH_REGISTRATION_PLACES = "birth-registration-places"
