"""API shapes of a resident record. Field names are English snake_case; values NFC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
)

from dancu.kit.partial_date import PartialDate, PartialDateError
from dancu.kit.text import has_control_chars, nfc

Sex = Literal["male", "female"]
MaritalStatus = Literal["single", "married", "divorced", "widowed"]
RelationKind = Literal[
    "father", "mother", "spouse", "child", "legal_representative", "represented_person"
]


def _clean_text(value: str) -> str:
    if has_control_chars(value):
        raise ValueError("contains control characters")
    cleaned = nfc(value)
    if not cleaned:
        raise ValueError("must not be blank")
    return cleaned


def _partial_date(value: str) -> str:
    try:
        return str(PartialDate.parse(value))
    except PartialDateError as exc:
        raise ValueError(str(exc)) from None


Text = Annotated[str, AfterValidator(_clean_text)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean_text)]
PartialDateText = Annotated[
    str,
    Field(
        examples=["1990-05-21", "1957-03", "1942"],
        description="YYYY-MM-DD, or YYYY-MM / YYYY where the legacy record knows only part",
    ),
    AfterValidator(_partial_date),
]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9]{8,15}$", examples=["0912345678"])]
DigitCode = Annotated[str, Field(pattern=r"^[0-9]{3}$", examples=["001"])]


class OldDocument(BaseModel):
    """An identity document previously issued (9-digit CMND, or a 12-digit CMND/CCCD card)."""

    model_config = ConfigDict(extra="forbid")
    number: Annotated[str, Field(pattern=r"^([0-9]{9}|[0-9]{12})$")]
    issued_on: date | None = None
    issued_place: Text | None = None
    expires_on: date | None = None


class Relation(BaseModel):
    """A parent, spouse, child, legal representative or represented person (law item 15)."""

    model_config = ConfigDict(extra="forbid")
    kind: RelationKind
    full_name: Name
    id_number: str | None = Field(
        default=None, description="Their 12-digit number, if they have one"
    )
    old_id_number: Annotated[str, Field(pattern=r"^[0-9]{9}$")] | None = None
    nationality_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "VN"


class TemporaryAbsence(BaseModel):
    """Khai báo tạm vắng (Law on Residence 2020, Art. 31)."""

    model_config = ConfigDict(extra="forbid")
    from_date: date
    to_date: date | None = None
    destination: Text
    reason: Text | None = None


class ResidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address_line: Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_clean_text)]
    commune_code: Annotated[str, Field(pattern=r"^[0-9]{5}$", examples=["26740"])]


class PersonFields(BaseModel):
    """Every item the Law on Identification (Art. 9) lists, bar residence and household."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: Name
    other_names: list[Name] = []
    birth_date: PartialDateText
    sex: Sex
    place_of_birth: Text | None = None
    birth_registration_code: DigitCode = Field(
        description="Province (0PP, pre-2025 GSO code) or country code where the birth was "
        "registered: the first three digits of the ID number"
    )
    birth_registration_place: Text | None = None
    hometown: Text | None = Field(default=None, description="Quê quán")
    ethnicity_code: Annotated[str, Field(pattern=r"^[0-9]{2}$", examples=["01"])] | None = None
    religion_code: Annotated[str, Field(max_length=8, examples=["00"])] | None = None
    nationality_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "VN"
    blood_group: Annotated[str, Field(pattern=r"^(A|B|AB|O)[+-]?$")] | None = None
    old_id_numbers: list[OldDocument] = []
    relations: list[Relation] = []
    marital_status: MaritalStatus | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    temporary_absence: TemporaryAbsence | None = None
    residence_document_number: Annotated[str, Field(max_length=40)] | None = Field(
        default=None, description="Number of the residence document (law item 20)"
    )


class PersonCreate(PersonFields):
    permanent_residence: ResidenceIn | None = None
    temporary_residence: ResidenceIn | None = None
    temporary_residence_until: date | None = None
    current_residence: ResidenceIn | None = None
    reason: Text = "registration"
    legal_reference: Text | None = None


class PersonUpdate(BaseModel):
    """A correction or update. Only the fields present change; ``reason`` is required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: Name | None = None
    other_names: list[Name] | None = None
    birth_date: PartialDateText | None = None
    sex: Sex | None = None
    place_of_birth: Text | None = None
    birth_registration_code: DigitCode | None = None
    birth_registration_place: Text | None = None
    hometown: Text | None = None
    ethnicity_code: Annotated[str, Field(pattern=r"^[0-9]{2}$")] | None = None
    religion_code: Annotated[str, Field(max_length=8)] | None = None
    nationality_code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    blood_group: Annotated[str, Field(pattern=r"^(A|B|AB|O)[+-]?$")] | None = None
    old_id_numbers: list[OldDocument] | None = None
    relations: list[Relation] | None = None
    marital_status: MaritalStatus | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    temporary_absence: TemporaryAbsence | None = None
    residence_document_number: Annotated[str, Field(max_length=40)] | None = None
    death_date: PartialDateText | None = None
    death_kind: Literal["dead", "missing"] | None = None
    reason: Annotated[str, Field(min_length=3, max_length=500), AfterValidator(_clean_text)]
    legal_reference: Text | None = None

    @field_validator("full_name", "birth_date", "sex", "birth_registration_code")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be removed, only corrected")
        return value


class ResidenceRead(BaseModel):
    kind: str
    address_line: str
    commune_code: str
    commune_name: str
    province_code: str
    province_name: str
    valid_from: date
    valid_to: date | None = None
    converted_from: str | None = None


class HouseholdMembership(BaseModel):
    household_id: int
    household_number: str
    relation_to_head: str
    is_head: bool


class PersonRead(PersonFields):
    model_config = ConfigDict(extra="ignore")

    id_number: str
    version: int
    status: Literal["alive", "dead", "missing"]
    death_date: str | None = None
    cancelled_id_numbers: list[str] = []
    residences: list[ResidenceRead] = []
    household: HouseholdMembership | None = None
    as_of: date | None = None
    updated_at: datetime


class OldDocumentOut(BaseModel):
    """``OldDocument`` as a read shows it, for ``PersonReadOut``."""

    number: str
    issued_on: date | None = None
    issued_place: str | None = None
    expires_on: date | None = None


class RelationOut(BaseModel):
    """``Relation`` as a read shows it, for ``PersonReadOut``."""

    kind: RelationKind
    full_name: str
    id_number: str | None = None
    old_id_number: str | None = None
    nationality_code: str = "VN"


class TemporaryAbsenceOut(BaseModel):
    """``TemporaryAbsence`` as a read shows it, for ``PersonReadOut``."""

    from_date: date
    to_date: date | None = None
    destination: str
    reason: str | None = None


class PersonReadOut(BaseModel):
    """``PersonRead``'s fields, in its order, with its defaults and JSON, without its input
    checks: renders a stored record, which was checked when it was written (control
    characters, NFC, patterns, e-mail syntax), at a fraction of the cost. The API still
    documents ``PersonRead``; tests hold the two to the same fields and the same JSON."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    full_name: str
    other_names: list[str] = []
    birth_date: str
    sex: Sex
    place_of_birth: str | None = None
    birth_registration_code: str
    birth_registration_place: str | None = None
    hometown: str | None = None
    ethnicity_code: str | None = None
    religion_code: str | None = None
    nationality_code: str = "VN"
    blood_group: str | None = None
    old_id_numbers: list[OldDocumentOut] = []
    relations: list[RelationOut] = []
    marital_status: MaritalStatus | None = None
    phone: str | None = None
    email: str | None = None
    temporary_absence: TemporaryAbsenceOut | None = None
    residence_document_number: str | None = None
    id_number: str
    version: int
    status: Literal["alive", "dead", "missing"]
    death_date: str | None = None
    cancelled_id_numbers: list[str] = []
    residences: list[ResidenceRead] = []
    household: HouseholdMembership | None = None
    as_of: date | None = None
    updated_at: datetime


class PersonSummary(BaseModel):
    id_number: str
    full_name: str
    birth_date: str
    sex: Sex
    status: str
    commune_code: str | None
    province_code: str | None
    match: Literal["exact", "approximate"] = Field(
        default="exact",
        description="exact: every word of the name asked for is in the name; approximate: one "
        "word of it is one typo away from a word of the name",
    )


class PersonPage(BaseModel):
    items: list[PersonSummary] = Field(description="Exact matches first, then approximate ones")
    next_cursor: str | None = Field(description="Pass as ?cursor= to get the next page")


class VersionRead(BaseModel):
    version: int
    id_number: Annotated[str, BeforeValidator(str)]
    recorded_at: datetime
    officer: str
    action: str
    reason: str
    legal_reference: str | None
    changes: dict[str, Any] = Field(
        description="Each field this version changed, with its old and new value. Empty for "
        "the first version (registration or import): read it with ?as_of="
    )
