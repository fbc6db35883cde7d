"""Resident records. ``persons`` holds the current state (for search and jurisdiction);
``person_versions`` holds every state the record has had, with who, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dancu.idnumber.column import IdNumberType
from dancu.idnumber.value import IdNumber
from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (
        Index("ix_persons_name_key", "name_key"),
        Index("ix_persons_commune_code_name_key", "commune_code", "name_key"),
        Index("ix_persons_province_code", "province_code"),
        Index("ix_persons_birth_year", "birth_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[IdNumber] = mapped_column(IdNumberType, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    full_name: Mapped[str] = mapped_column(String(200))
    # " nguyen van an ": folded and padded so whole-word matches are a LIKE '% an %'.
    name_key: Mapped[str] = mapped_column(String(210))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    birth_day: Mapped[int | None] = mapped_column(SmallInteger)
    sex: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # Current codes of the commune/province whose officers are responsible for the resident
    # (permanent residence, else temporary, else current).
    commune_code: Mapped[str | None] = mapped_column(String(5))
    province_code: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(8), default="alive")
    # The whole current record (every item the law lists, bar residence and household). Past
    # states are this document with the versions' changes undone, newest first.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    # Every UPDATE checks and bumps the version (UPDATE ... WHERE version = :seen), so two
    # officers editing the same record can never both win.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PersonVersion(Base):
    __tablename__ = "person_versions"
    __table_args__ = (UniqueConstraint("person_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    version: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[IdNumber] = mapped_column(IdNumberType)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    officer: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500))
    legal_reference: Mapped[str | None] = mapped_column(String(200))
    # {"field": {"old": ..., "new": ...}} for every item this version changed (complete: the
    # record at any version is rebuilt from it). Empty for the first version. A copy of the whole
    # record per version would double the register's size at 100 million residents.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


class OldIdNumber(Base):
    """Old 9-digit (CMND) numbers a resident held, indexed for exact look-up."""

    __tablename__ = "person_old_id_numbers"

    number: Mapped[str] = mapped_column(String(12), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True, index=True)
