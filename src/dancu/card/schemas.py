"""Card API shapes. Biometric data goes in; it never comes out (sizes only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Base64Bytes, BaseModel, Field

ApplicationKind = Literal["first_issue", "renewal", "replacement", "change_of_data"]
Reason = Annotated[str, Field(min_length=3, max_length=500)]

MAX_FACE_BYTES = 1_000_000
MAX_BIOMETRIC_BYTES = 256_000


class BiometricIn(BaseModel):
    position: Annotated[int, Field(ge=1, le=10, description="finger 1-10, eye 1 (right) 2 (left)")]
    data: Annotated[Base64Bytes, Field(description="the record, base64")]


class ApplicationCreate(BaseModel):
    id_number: Annotated[str, Field(pattern=r"^[0-9]{12}$", examples=["001090012345"])]
    kind: ApplicationKind = "first_issue"
    reason: Reason | None = Field(
        default=None, description="why: the age milestone, 'lost', 'damaged', the data changed"
    )
    office_commune_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = Field(
        default=None,
        description="where the card is applied for and collected; a commune officer's own "
        "commune by default, else the resident's",
    )
    face_jpeg: Base64Bytes | None = Field(default=None, description="face photo, JPEG, base64")
    fingerprints: list[BiometricIn] = Field(default=[], max_length=10)
    iris: list[BiometricIn] = Field(default=[], max_length=2)


class Decision(BaseModel):
    reason: Reason


class EventRead(BaseModel):
    from_state: str | None
    to_state: str
    actor: str
    actor_role: str
    at: datetime
    reason: str | None


class BiometricRead(BaseModel):
    kind: str
    position: int
    size: int


class ApplicationRead(BaseModel):
    id: int
    id_number: str
    kind: str
    reason: str | None
    status: str
    office_commune_code: str
    office_province_code: str
    received_at: datetime
    received_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    batch_id: int | None
    card_number: str | None
    production_error: str | None
    biometrics: list[BiometricRead]
    events: list[EventRead]


class ApplicationSummary(BaseModel):
    id: int
    id_number: str
    kind: str
    status: str
    office_commune_code: str
    received_at: datetime


class BatchCreate(BaseModel):
    province_code: Annotated[str, Field(pattern=r"^[0-9]{2}$")] | None = None
    application_ids: list[int] | None = Field(default=None, max_length=10_000)
    limit: Annotated[int, Field(ge=1, le=10_000)] = 500


class BatchFailure(BaseModel):
    application_id: int
    error: str


class BatchRead(BaseModel):
    id: int
    reference: str
    status: str
    created_at: datetime
    created_by: str
    produced_at: datetime | None
    cards_total: int
    cards_produced: int
    cards_failed: int
    failures: list[BatchFailure]


class CardRead(BaseModel):
    card_number: str
    status: str
    issue_date: date
    expiry_date: date | None
    office_commune_code: str
    produced_at: datetime
    activated_at: datetime | None
    ended_at: datetime | None


class CardStatus(BaseModel):
    status: Literal["valid", "expired", "revoked", "unknown"]


class CardEnd(BaseModel):
    reason: Reason


class RenewalEntry(BaseModel):
    id_number: str
    full_name: str
    commune_code: str | None
    due: Literal["renewal", "first_card_at_14"]
    card_number: str | None
    expiry_date: date | None


class StatsRow(BaseModel):
    province_code: str
    month: str
    received: int
    approved: int
    rejected: int
    printed: int
    handed_over: int
