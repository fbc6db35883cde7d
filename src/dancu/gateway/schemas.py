"""Gateway API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from dancu.gateway.fields import FIELDS, OPERATIONS, PURPOSES

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,31}$", examples=["bhxh"])]
IdNumberText = Annotated[str, Field(pattern=r"^[0-9]{12}$", examples=["001090012345"])]


class AgencyCreate(BaseModel):
    code: Code
    name: Annotated[str, Field(min_length=2, max_length=200)]
    kind: Literal["ministry", "province", "bank", "other"]


class AgencyRead(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    status: str
    created_at: datetime


class ClientCreated(BaseModel):
    client_id: str
    client_secret: str | None = Field(description="shown once; only its hash is kept")


class ClientCreate(BaseModel):
    public_jwk: dict[str, Any] | None = Field(
        default=None, description="an EC or RSA public JWK for private_key_jwt (no secret then)"
    )


class GrantCreate(BaseModel):
    operations: list[str] = Field(min_length=1)
    fields: list[str] = []
    purposes: list[str] = Field(min_length=1)
    provinces: list[Annotated[str, Field(pattern=r"^[0-9]{2}$")]] | None = None
    requires_consent: bool = False
    rate_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] = 600
    valid_from: date | None = None
    valid_to: date | None = None
    legal_basis: Annotated[str, Field(min_length=3, max_length=300)]

    @field_validator("operations")
    @classmethod
    def _operations(cls, value: list[str]) -> list[str]:
        return _known(value, OPERATIONS, "operation")

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        return _known(value, FIELDS, "field")

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, value: list[str]) -> list[str]:
        return _known(value, PURPOSES, "purpose")


def _known(values: list[str], known: Any, what: str) -> list[str]:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown {what}(s) {unknown}; known: {', '.join(known)}")
    return sorted(set(values))


class GrantRead(BaseModel):
    id: int
    agency_code: str
    operations: list[str]
    fields: list[str]
    purposes: list[str]
    provinces: list[str] | None
    requires_consent: bool
    rate_per_minute: int
    valid_from: date
    valid_to: date | None
    status: str
    legal_basis: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str


class VerifyRequest(BaseModel):
    id_number: IdNumberText
    purpose: str
    full_name: Annotated[str, Field(max_length=200)] | None = None
    birth_date: Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] | None = None
    sex: Literal["male", "female"] | None = None
    old_id_number: Annotated[str, Field(pattern=r"^[0-9]{9}$")] | None = None


Agreement = Literal["exact", "normalised", "no_match"]


class VerifyResponse(BaseModel):
    match: bool
    attributes: dict[str, Agreement]
    alive: bool | None = Field(
        description="only when every attribute sent matched; otherwise null, so that a wrong "
        "guess learns nothing"
    )
    request_id: str


class AccessRead(BaseModel):
    at: datetime
    agency_code: str
    agency_name: str
    operation: str
    purpose: str | None
    fields: list[str]
    outcome: str


class UsageRow(BaseModel):
    agency_code: str
    operation: str
    outcome: str
    calls: int


class ConsentCreate(BaseModel):
    agency_code: Code
    purpose: str
    expires_at: datetime | None = None


class SubscriptionCreate(BaseModel):
    purpose: str
    event_types: list[str] = Field(min_length=1, examples=[["birth", "death"]])
    webhook_url: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="where to POST events; none: read them from the pull feed"
    )
    provinces: list[Annotated[str, Field(pattern=r"^[0-9]{2}$")]] | None = None


class SubscriptionRead(BaseModel):
    id: int
    purpose: str
    event_types: list[str]
    provinces: list[str] | None
    webhook_url: str | None
    status: str
    created_at: datetime
    secret: str | None = Field(default=None, description="the webhook signing secret, once")


class BatchCheckRead(BaseModel):
    id: int
    purpose: str
    file_name: str
    status: str
    rows_total: int
    rows_done: int
    rows_matched: int
    created_at: datetime
    finished_at: datetime | None
