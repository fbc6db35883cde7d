"""Audit events. Rows are only ever inserted; they hold identifiers, never personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditJournalSegment(Base):
    """A read-journal segment already moved into ``audit_events`` (see ``audit.journal``)."""

    __tablename__ = "audit_journal_segments"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
