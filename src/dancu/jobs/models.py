"""The ``jobs`` table: the job queue and transactional outbox.

A row is written by ``enqueue`` in the transaction of the change that justifies it, so work exists
if and only if that change committed. Rows hold identifiers, never personal data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for its run_at (and for earlier jobs of its ordering key)
    RUNNING = "running"  # claimed by a worker until locked_until
    FAILED = "failed"  # an attempt failed; waiting for its retry at run_at
    DONE = "done"
    DEAD = "dead"  # out of attempts: a dead letter, left for an operator to retry


# Waiting to be claimed once due.
WAITING: Final = (JobStatus.QUEUED.value, JobStatus.FAILED.value)
# Not finished: these hold back later jobs of the same ordering key and own their dedupe key.
ACTIVE: Final = (*WAITING, JobStatus.RUNNING.value)

_WAITING_SQL = text("status IN ('queued', 'failed')")
_RUNNING_SQL = text("status = 'running'")
_ORDERED_SQL = text("status IN ('queued', 'failed', 'running') AND ordering_key IS NOT NULL")
_DEDUPED_SQL = text("status IN ('queued', 'failed', 'running') AND dedupe_key IS NOT NULL")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'failed', 'done', 'dead')", name="status"),
        CheckConstraint("max_attempts >= 1", name="max_attempts"),
        # The claim: due jobs in priority, then run_at, then id order.
        Index(
            "ix_jobs_due",
            "priority",
            "run_at",
            "id",
            sqlite_where=_WAITING_SQL,
            postgresql_where=_WAITING_SQL,
        ),
        # Leases to reclaim when a worker stopped without finishing.
        Index(
            "ix_jobs_lease",
            "locked_until",
            sqlite_where=_RUNNING_SQL,
            postgresql_where=_RUNNING_SQL,
        ),
        # "Is an earlier job of this ordering key unfinished?"
        Index(
            "ix_jobs_ordering",
            "ordering_key",
            "id",
            sqlite_where=_ORDERED_SQL,
            postgresql_where=_ORDERED_SQL,
        ),
        # Idempotent enqueue: one unfinished job per dedupe key.
        Index(
            "uq_jobs_dedupe_key",
            "dedupe_key",
            unique=True,
            sqlite_where=_DEDUPED_SQL,
            postgresql_where=_DEDUPED_SQL,
        ),
        # Operators' lists (dead letters) and the purge of old finished jobs.
        Index("ix_jobs_status_finished_at", "status", "finished_at"),
        # Ids are never reused on SQLite either (they name deliveries in logs and webhooks).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default=JobStatus.QUEUED.value)
    # Smaller runs first (0 is the default; batch work can wait behind with a larger number).
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ordering_key: Mapped[str | None] = mapped_column(String(200))
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
