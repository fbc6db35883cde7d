"""Administrative-unit tables: the current (from 1 Jul 2025) and the pre-2025 (legacy) sets side
by side, keyed by (unit_set, code), and the legacy -> current commune conversion.

Reference data: created and filled by migration 0002 from the packaged files, never edited by
the application.
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.db import Base

UNIT_SETS = ("current", "legacy")


class Province(Base):
    __tablename__ = "provinces"
    __table_args__ = (CheckConstraint("unit_set IN ('current', 'legacy')", name="unit_set"),)

    unit_set: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(32))


class District(Base):
    """Pre-2025 district-level units (the district level was abolished on 1 Jul 2025)."""

    __tablename__ = "districts"
    __table_args__ = (
        CheckConstraint("unit_set = 'legacy'", name="legacy_only"),
        ForeignKeyConstraint(
            ["unit_set", "province_code"], ["provinces.unit_set", "provinces.code"]
        ),
    )

    unit_set: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(32))
    province_code: Mapped[str] = mapped_column(String(2))


class Commune(Base):
    __tablename__ = "communes"
    __table_args__ = (
        CheckConstraint("unit_set IN ('current', 'legacy')", name="unit_set"),
        ForeignKeyConstraint(
            ["unit_set", "province_code"], ["provinces.unit_set", "provinces.code"]
        ),
        ForeignKeyConstraint(
            ["unit_set", "district_code"], ["districts.unit_set", "districts.code"]
        ),
        Index("ix_communes_province", "unit_set", "province_code"),
    )

    unit_set: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(32))
    province_code: Mapped[str] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(3))


class CommuneConversion(Base):
    """A pre-2025 commune and a current commune that took (part of) it; exactly one row per
    legacy code is the default, used when a split commune must be resolved to one."""

    __tablename__ = "commune_conversions"
    __table_args__ = (Index("ix_commune_conversions_current_code", "current_code"),)

    legacy_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    current_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    is_default: Mapped[bool] = mapped_column(Boolean)
