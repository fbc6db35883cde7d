"""Linkage API shapes: the review queue with its evidence, decisions, runs with their quality,
and the stored model versions (without their parameters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DecisionValue = Literal["match", "not_match"]
PairStatus = Literal["pending", "match", "not_match"]


class ReviewPairRead(BaseModel):
    """Both records side by side as given, the score, and per compared field whether they
    agree, differ or one is missing."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    run_id: int
    left_ref: str = Field(description="the register's ID number, or the file's record key")
    right_ref: str
    left_record: dict[str, str | None]
    right_record: dict[str, str | None]
    match_probability: float
    match_weight: float
    agreement: dict[str, str] = Field(examples=[{"full_name": "agree", "phone": "missing"}])
    province_code: str | None
    status: PairStatus
    decided_by: str | None
    decided_at: datetime | None
    note: str | None


class ReviewPage(BaseModel):
    items: list[ReviewPairRead]
    next_after_id: int | None = Field(
        description="pass as after_id for the next page; null on the last page"
    )


class DecisionIn(BaseModel):
    decision: DecisionValue
    note: str | None = Field(default=None, max_length=500)


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    source: str
    status: str
    params: dict[str, Any]
    counts: dict[str, Any]
    model_id: int | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None


class BandQuality(BaseModel):
    band: str
    low: float
    high: float
    pending: int
    match: int
    not_match: int
    precision: float | None = Field(description="match / (match + not_match); null if none")


class QualityRead(BaseModel):
    run_id: int
    total: int
    by_status: dict[str, int]
    decided: int
    decided_share: float | None
    precision: float | None = Field(description="clerical precision of the decided pairs")
    bands: list[BandQuality]
    run_counts: dict[str, Any]


class RunDetail(BaseModel):
    run: RunRead
    quality: QualityRead


class ModelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    version: int
    trained_on: str
    labels_used: int
    created_at: datetime
