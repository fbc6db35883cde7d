"""The workers' side of the queue: claim due jobs under a lease, then mark them done or failed.

Delivery is at least once. A claim takes a job for ``lease_seconds`` and counts an attempt; a
worker that stops without finishing (killed, lost its database) leaves the lease to expire, and
the next claim by any worker puts the job back. Finishing is fenced by the lease: a worker whose
lease was taken over finds the job no longer its own, and its unit of work is rolled back, so a
handler's database writes commit at most once per job. What it did outside the database may have
happened twice: handlers are idempotent.

On PostgreSQL workers claim concurrently with ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite
renders no ``FOR UPDATE`` and needs none, since every transaction there starts with ``BEGIN
IMMEDIATE`` and so claims one writer at a time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, exists, or_, select, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, aliased

from dancu.jobs.models import ACTIVE, WAITING, Job, JobStatus
from dancu.kit import clock

ERROR_LENGTH: Final = 500


class LeaseLost(Exception):
    """The job is no longer this worker's: its lease expired and it was put back or taken."""


@dataclass(frozen=True)
class ClaimedJob:
    """A job as claimed: what a worker needs to run it and to prove the claim is still its own
    (``attempts`` is the fencing token: every claim counts one)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    ordering_key: str | None


@dataclass(frozen=True)
class Backoff:
    """Delay before retry ``n``: ``base * factor**(n-1)`` seconds, at most ``cap``, of which a
    random half is taken off ("equal jitter") so that jobs failing together retry apart."""

    base: float = 2.0
    factor: float = 2.0
    cap: float = 3600.0
    rng: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempts: int) -> timedelta:
        ceiling = min(self.cap, self.base * self.factor ** min(max(attempts - 1, 0), 64))
        return timedelta(seconds=ceiling / 2 * (1 + self.rng()))


def claim(
    session: Session,
    worker_id: str,
    *,
    limit: int,
    lease_seconds: float,
    kinds: Sequence[str] | None = None,
    now: datetime | None = None,
    due_by: datetime | None = None,
) -> list[ClaimedJob]:
    """Take up to ``limit`` due jobs for ``worker_id`` until ``now + lease_seconds``, first
    putting back jobs whose lease expired. Smaller priority first, then earliest ``run_at``.

    A job is due when it waits (queued, or failed and waiting to retry) with ``run_at`` at or
    before ``due_by`` (default ``now``), its kind is one of ``kinds`` (default: every kind), and
    no earlier job of its ordering key is unfinished. Runs in the caller's transaction, which
    should commit at once: the claim is what other workers see.
    """
    at = now or clock.now()
    reclaim_expired(session, now=at)
    if limit < 1 or (kinds is not None and not kinds):
        return []
    query = _due(due_by or at, kinds).limit(limit)
    jobs = list(session.scalars(_locking(query)))
    for job in jobs:
        job.status = JobStatus.RUNNING.value
        job.attempts += 1
        job.locked_by = worker_id
        job.locked_until = at + timedelta(seconds=lease_seconds)
    session.flush()
    return [_claimed(job) for job in jobs]


# Built once: aliasing a mapped class is costly enough to show in the claim's profile.
_EARLIER = aliased(Job, name="earlier")


def _due(due_by: datetime, kinds: Sequence[str] | None) -> Select[Job]:
    held_back = exists().where(
        _EARLIER.ordering_key == Job.ordering_key,
        _EARLIER.id < Job.id,
        _EARLIER.status.in_(ACTIVE),
    )
    conditions: list[ColumnElement[bool]] = [
        Job.status.in_(WAITING),
        Job.run_at <= due_by,
        or_(Job.ordering_key.is_(None), ~held_back),
    ]
    if kinds is not None:
        conditions.append(Job.kind.in_(kinds))
    return select(Job).where(*conditions).order_by(Job.priority, Job.run_at, Job.id)


def _locking(query: Select[Job]) -> Select[Job]:
    # SKIP LOCKED: rows another worker is claiming are passed over, never waited for. SQLite
    # leaves FOR UPDATE out (its BEGIN IMMEDIATE already serialises the claim).
    return query.with_for_update(skip_locked=True).execution_options(populate_existing=True)


def _claimed(job: Job) -> ClaimedJob:
    return ClaimedJob(
        id=job.id,
        kind=job.kind,
        payload=dict(job.payload),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        ordering_key=job.ordering_key,
    )


def reclaim_expired(session: Session, *, now: datetime | None = None) -> int:
    """Put back the jobs whose lease expired (their worker stopped): the attempt counts as
    failed, and the job is due again from when its lease ran out, or dead if out of attempts."""
    at = now or clock.now()
    query = select(Job).where(Job.status == JobStatus.RUNNING.value, Job.locked_until < at)
    expired = list(session.scalars(_locking(query)))
    for job in expired:
        assert job.locked_until is not None
        error = f"lease expired: worker {job.locked_by} stopped during attempt {job.attempts}"
        _set_failed(job, error, at, retry_at=job.locked_until)
    session.flush()
    return len(expired)


def complete(session: Session, claimed: ClaimedJob, *, worker_id: str, now: datetime) -> None:
    """Mark the job done in the session that ran its handler, so both commit together; raises
    ``LeaseLost`` (the caller rolls back) when the job is no longer this worker's."""
    job = _held(session, claimed, worker_id)
    job.status = JobStatus.DONE.value
    job.finished_at = now
    job.locked_until = None
    session.flush()


def record_failure(
    session: Session,
    claimed: ClaimedJob,
    *,
    worker_id: str,
    error: str,
    now: datetime,
    backoff: Backoff,
) -> str:
    """Count a failed attempt: the job waits ``backoff`` to retry, or is dead when out of
    attempts. Returns the new status; raises ``LeaseLost`` if the job is no longer ours."""
    job = _held(session, claimed, worker_id)
    _set_failed(job, error, now, retry_at=now + backoff.delay(job.attempts))
    session.flush()
    return job.status


def _set_failed(job: Job, error: str, now: datetime, *, retry_at: datetime) -> None:
    job.last_error = error[:ERROR_LENGTH]
    job.locked_until = None
    if job.attempts >= job.max_attempts:
        job.status = JobStatus.DEAD.value
        job.finished_at = now
    else:
        job.status = JobStatus.FAILED.value
        job.run_at = retry_at


def _held(session: Session, claimed: ClaimedJob, worker_id: str) -> Job:
    job = session.scalars(
        select(Job)
        .where(
            Job.id == claimed.id,
            Job.status == JobStatus.RUNNING.value,
            Job.locked_by == worker_id,
            Job.attempts == claimed.attempts,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if job is None:
        raise LeaseLost(f"job {claimed.id} attempt {claimed.attempts} is no longer {worker_id}'s")
    return job


def extend_leases(
    session: Session,
    worker_id: str,
    jobs: Iterable[ClaimedJob],
    *,
    lease_seconds: float,
    now: datetime | None = None,
) -> int:
    """Renew this worker's leases on ``jobs`` it is still running (its heartbeat), so a long
    job is not taken over while the worker is alive. Returns how many leases were renewed."""
    ids = [job.id for job in jobs]
    if not ids:
        return 0
    at = now or clock.now()
    result = session.execute(
        update(Job)
        .where(
            Job.id.in_(ids),
            Job.status == JobStatus.RUNNING.value,
            Job.locked_by == worker_id,
        )
        .values(locked_until=at + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def describe(exc: BaseException) -> str:
    """An error as kept in ``last_error``: its class and the first line of its message. For
    database errors only the driver's first line, never the SQL parameters (personal data)."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        name = f"{type(exc).__name__} ({type(exc.orig).__name__})"
        message = str(exc.orig)
    else:
        name, message = type(exc).__name__, str(exc)
    first = message.strip().splitlines()[0] if message.strip() else ""
    return f"{name}: {first}"[:ERROR_LENGTH] if first else name
