"""Households (hộ gia đình) and their membership over time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime

_OPEN = text("left_at IS NULL")
_OPEN_HEAD = text("left_at IS NULL AND is_head")


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_number: Mapped[str] = mapped_column(String(16), unique=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    province_code: Mapped[str] = mapped_column(String(2))
    address_line: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    dissolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))


class HouseholdMember(Base):
    __tablename__ = "household_members"
    __table_args__ = (
        # A person belongs to at most one household at a time.
        Index(
            "uq_household_members_open_person",
            "person_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        # A household has at most one head at a time (the service ensures at least one).
        Index(
            "uq_household_members_open_head",
            "household_id",
            unique=True,
            sqlite_where=_OPEN_HEAD,
            postgresql_where=_OPEN_HEAD,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    relation_to_head: Mapped[str] = mapped_column(String(24))
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    joined_reason: Mapped[str] = mapped_column(String(500))
    joined_by: Mapped[str] = mapped_column(String(64))
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_reason: Mapped[str | None] = mapped_column(String(500))
    left_by: Mapped[str | None] = mapped_column(String(64))
