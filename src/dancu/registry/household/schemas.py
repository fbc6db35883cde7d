from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from dancu.registry.person.schemas import Text


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: str
    relation_to_head: str = Field(examples=["spouse", "child", "parent"])


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    head_id_number: str
    address_line: Text | None = Field(
        default=None, description="Defaults to the head's permanent address"
    )
    members: list[MemberIn] = []
    reason: Text = "household registration"


class MemberAdd(MemberIn):
    reason: Text


class MemberRemove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text


class HeadChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: str = Field(description="The member who becomes head")
    former_head_relation: str = Field(description="The former head's relation to the new head")
    reason: Text


class HouseholdSplit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    head_id_number: str
    members: list[MemberIn] = []
    address_line: Text | None = None
    reason: Text


class MemberRead(BaseModel):
    id_number: str
    full_name: str
    relation_to_head: str
    is_head: bool
    joined_at: datetime
    left_at: datetime | None = None
    left_reason: str | None = None


class HouseholdRead(BaseModel):
    id: int
    household_number: str
    commune_code: str
    province_code: str
    address_line: str
    version: int
    dissolved_at: datetime | None
    split_from_id: int | None
    members: list[MemberRead]
