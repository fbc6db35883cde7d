from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from dancu.registry.person.schemas import ResidenceIn, Text


class ResidenceChange(ResidenceIn):
    valid_from: date | None = Field(default=None, description="Defaults to today")
    valid_to: date | None = Field(default=None, description="Required for temporary residence")
    reason: Text
    legal_reference: Text | None = None


class ResidenceEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text
    legal_reference: Text | None = None


class ResidenceRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    address_line: str
    commune_code: str
    province_code: str
    converted_from: str | None
    valid_from: date
    valid_to: date | None
    recorded_at: datetime
    recorded_by: str
    reason: str
    ended_at: datetime | None
    ended_by: str | None
    end_reason: str | None
