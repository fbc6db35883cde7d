"""Residence registrations: permanent, temporary and current. Rows are closed, never deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime

_OPEN = text("ended_at IS NULL")


class Residence(Base):
    __tablename__ = "residences"
    __table_args__ = (
        # One open registration of each kind per person (Law on Residence 2020, Art. 11-12).
        Index(
            "uq_residences_open_kind",
            "person_id",
            "kind",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_residences_commune_code", "commune_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    address_line: Mapped[str] = mapped_column(String(300))
    commune_code: Mapped[str] = mapped_column(String(5))
    province_code: Mapped[str] = mapped_column(String(2))
    # The pre-2025 commune code the clerk gave, when it was converted to a current one.
    converted_from: Mapped[str | None] = mapped_column(String(5))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    recorded_by: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(64))
    end_reason: Mapped[str | None] = mapped_column(String(500))
