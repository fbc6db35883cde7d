"""Card tables: applications (intake to hand-over), their encrypted biometrics, production
batches, the cards themselves, and the lifecycle log of every state change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime

# Applications still on their way (not rejected, not handed over).
_OPEN_APPLICATION = text("status NOT IN ('rejected', 'handed_over')")
_ACTIVE_CARD = text("status = 'active'")


class CardApplication(Base):
    __tablename__ = "card_applications"
    __table_args__ = (
        # One application under way per person.
        Index(
            "uq_card_applications_open_person",
            "person_id",
            unique=True,
            sqlite_where=_OPEN_APPLICATION,
            postgresql_where=_OPEN_APPLICATION,
        ),
        Index("ix_card_applications_status_province", "status", "office_province_code"),
        Index("ix_card_applications_batch_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    # The office that took the application and hands the card over.
    office_commune_code: Mapped[str] = mapped_column(String(5))
    office_province_code: Mapped[str] = mapped_column(String(2))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    received_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("card_batches.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    production_error: Mapped[str | None] = mapped_column(String(500))
    production_attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CardBiometric(Base):
    """One biometric record, sealed with AES-256-GCM (see ``card.biometrics``)."""

    __tablename__ = "card_biometrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("card_applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # face | fingerprint | iris
    position: Mapped[int] = mapped_column(SmallInteger, default=0)  # finger 1-10, eye 1-2
    key_id: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)


class CardBatch(Base):
    __tablename__ = "card_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(12))  # created | produced | partial
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64))
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cards_total: Mapped[int] = mapped_column(Integer, default=0)
    cards_produced: Mapped[int] = mapped_column(Integer, default=0)
    cards_failed: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Card(Base):
    __tablename__ = "cards"
    __table_args__ = (
        # One valid card per person at a time.
        Index(
            "uq_cards_active_person",
            "person_id",
            unique=True,
            sqlite_where=_ACTIVE_CARD,
            postgresql_where=_ACTIVE_CARD,
        ),
        Index("ix_cards_person_id", "person_id"),
        Index("ix_cards_status_expiry_date", "status", "expiry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(10), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    # produced | dispatched | active | lost | revoked | superseded | expired
    status: Mapped[str] = mapped_column(String(12))
    issue_date: Mapped[date] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    office_commune_code: Mapped[str] = mapped_column(String(5))
    office_province_code: Mapped[str] = mapped_column(String(2))
    produced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CardEvent(Base):
    """Every state change of an application, batch or card: who, when, from, to, why."""

    __tablename__ = "card_events"
    __table_args__ = (Index("ix_card_events_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(12))  # application | card | batch
    subject_id: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    reason: Mapped[str | None] = mapped_column(String(500))
