"""Register events: births, deaths, residence changes, data corrections and card status
changes, written in the same transaction as the change (a transactional outbox).

Each event also enqueues one ``registry.event_published`` job; whoever consumes events (the
agency gateway's subscriptions) registers a handler for it, so the register does not need to
know who listens. Events carry identifiers and the names of what changed, never values: a
consumer reads the record through its own grant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from dancu.jobs import enqueue
from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime

EVENT_TYPES = ("birth", "registration", "death", "residence_change", "data_correction",
               "card_status")  # fmt: skip
PUBLISHED_JOB = "registry.event_published"


class RegisterEvent(Base):
    __tablename__ = "register_events"
    __table_args__ = (Index("ix_register_events_type_id", "type", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    type: Mapped[str] = mapped_column(String(24))
    id_number: Mapped[str] = mapped_column(String(12))
    province_code: Mapped[str | None] = mapped_column(String(2))
    commune_code: Mapped[str | None] = mapped_column(String(5))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def publish(
    session: Session,
    event_type: str,
    *,
    id_number: str,
    province_code: str | None,
    commune_code: str | None,
    details: dict[str, Any] | None = None,
) -> RegisterEvent:
    """Write an event and its notification job in the caller's transaction."""
    assert event_type in EVENT_TYPES, event_type
    event = RegisterEvent(
        type=event_type,
        id_number=id_number,
        province_code=province_code,
        commune_code=commune_code,
        details=details or {},
        occurred_at=now(),
    )
    session.add(event)
    session.flush()
    enqueue(session, PUBLISHED_JOB, {"event_id": event.id})
    return event
