"""Every personal ID number ever allocated. A number is never deleted or reused: cancelled ones
stay, linked to the number that re-established them (``replaced_by``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dancu.idnumber.column import IdNumberType
from dancu.idnumber.value import IdNumber
from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime

ACTIVE = "active"
CANCELLED = "cancelled"


class IdNumberRecord(Base):
    __tablename__ = "id_numbers"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
        CheckConstraint("sex IN ('male', 'female')", name="sex"),
    )

    number: Mapped[IdNumber] = mapped_column(IdNumberType, primary_key=True)
    # Digits 1-3: birth-registration province code, or country code for a birth abroad.
    province_code: Mapped[str] = mapped_column(String(3))
    sex: Mapped[str] = mapped_column(String(6))
    birth_year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # Unique: a cancelled number is re-established by exactly one number, so history is a chain.
    replaced_by: Mapped[IdNumber | None] = mapped_column(
        IdNumberType, ForeignKey("id_numbers.number"), unique=True
    )

    @property
    def active(self) -> bool:
        return self.status == ACTIVE
