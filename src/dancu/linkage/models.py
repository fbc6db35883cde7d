"""Linkage tables: the trained models (versioned per name), the runs that used them, and the
pairs a run left for clerical review with the officers' decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime


class LinkageModelRow(Base):
    """One version of a named model (``register-link``, ``register-dedupe``, ``batch``): the
    ``LinkageModel`` JSON document, what it was trained on, and how many clerical labels went
    into it. Versions are never overwritten; retraining adds the next one."""

    __tablename__ = "linkage_models"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_on: Mapped[str] = mapped_column(Text)
    labels_used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class LinkageRun(Base):
    """One linkage of a file to the register, a deduplication of the register, or a batch."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # link | dedupe | batch
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("linkage_models.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewPair(Base):
    """A candidate pair between the match and review thresholds, with the evidence an officer
    decides on: both records as display strings, the score and the agreement of each field."""

    __tablename__ = "linkage_review_pairs"
    __table_args__ = (
        Index("ix_linkage_review_pairs_queue", "status", "run_id", "id"),
        Index("ix_linkage_review_pairs_run_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("linkage_runs.id"))
    left_ref: Mapped[str] = mapped_column(Text)  # the register's ID number, or a record key
    right_ref: Mapped[str] = mapped_column(Text)
    left_record: Mapped[dict[str, Any]] = mapped_column(JSON)
    right_record: Mapped[dict[str, Any]] = mapped_column(JSON)
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    agreement: Mapped[dict[str, Any]] = mapped_column(JSON)
    province_code: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
