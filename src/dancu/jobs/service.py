"""Enqueue work for later, and the operators' view of it. Flushes, never commits.

``enqueue`` writes the job in the caller's transaction (the transactional outbox): the job exists
if and only if the change that asked for it committed, and a worker sees it only then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dancu.jobs.errors import JobDuplicate, JobNotDead, JobNotFound
from dancu.jobs.models import ACTIVE, Job, JobStatus
from dancu.jobs.registry import check_kind
from dancu.kit import clock

DEFAULT_MAX_ATTEMPTS: Final = 20
# What operators are shown unless they ask: everything but the done jobs.
NOT_DONE: Final = (*ACTIVE, JobStatus.DEAD.value)
KEY_LENGTH: Final = 200


def enqueue(
    session: Session,
    kind: str,
    payload: Mapping[str, Any],
    *,
    run_at: datetime | None = None,
    priority: int = 0,
    ordering_key: str | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job:
    """Add a job of ``kind`` to the caller's transaction (flushed, never committed).

    ``payload`` is a JSON object of identifiers, never personal data. The job runs at least
    once, not before ``run_at`` (default: as soon as a worker is free), smaller ``priority``
    first. A job with an ``ordering_key`` does not start while an earlier-enqueued job with the
    same key is unfinished (queued, running or waiting to retry), so enqueue after the write
    that serialises the change (a versioned UPDATE) for ids to follow commit order. While a job
    with the same ``dedupe_key`` is unfinished, that job is returned and nothing is added.
    """
    job = Job(
        kind=check_kind(kind),
        payload=_document(payload),
        run_at=_aware(run_at) if run_at is not None else clock.now(),
        priority=priority,
        max_attempts=_positive(max_attempts),
        ordering_key=_key(ordering_key),
        dedupe_key=_key(dedupe_key),
        status=JobStatus.QUEUED.value,
        attempts=0,
    )
    if dedupe_key is None:
        session.add(job)
        session.flush()
        return job
    return _enqueue_once(session, job)


def _enqueue_once(session: Session, job: Job) -> Job:
    assert job.dedupe_key is not None
    existing = _unfinished_with_key(session, job.dedupe_key)
    if existing is not None:
        return existing
    try:
        # A concurrent transaction may insert the same key first: on PostgreSQL this insert then
        # waits for it and fails on the unique index, leaving the caller's transaction intact.
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        existing = _unfinished_with_key(session, job.dedupe_key)
        if existing is None:
            raise
        return existing
    return job


def _unfinished_with_key(session: Session, dedupe_key: str) -> Job | None:
    return session.scalars(
        select(Job).where(Job.dedupe_key == dedupe_key, Job.status.in_(ACTIVE))
    ).first()


def _document(payload: Mapping[str, Any]) -> dict[str, Any]:
    document = dict(payload)
    try:
        json.dumps(document)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"job payload is not a JSON object: {exc}") from None
    return document


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("run_at must be timezone-aware: use kit.clock.now()")
    return value


def _positive(value: int) -> int:
    if value < 1:
        raise ValueError("max_attempts must be at least 1")
    return value


def _key(value: str | None) -> str | None:
    if value is not None and not 0 < len(value) <= KEY_LENGTH:
        raise ValueError(f"job keys are 1 to {KEY_LENGTH} characters")
    return value


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise JobNotFound(f"there is no job {job_id}")
    return job


def retry(session: Session, job_id: int, *, now: datetime | None = None) -> Job:
    """Put a dead job back in the queue with a fresh set of attempts, due at once.

    Only dead jobs are put back; one whose dedupe key another unfinished job has taken since is
    refused. A dead job released its ordering key, so later jobs of that key may already have
    run: the retried one runs after them, and its handler must cope (as with any redelivery).
    """
    job = get_job(session, job_id)
    if job.status != JobStatus.DEAD:
        raise JobNotDead(f"job {job_id} is {job.status}: only dead jobs are retried")
    if job.dedupe_key is not None and _unfinished_with_key(session, job.dedupe_key):
        raise JobDuplicate(f"job {job_id}'s dedupe key is taken by an unfinished job")
    job.status = JobStatus.QUEUED.value
    job.attempts = 0
    job.run_at = now or clock.now()
    job.finished_at = None
    job.locked_by = None
    job.locked_until = None
    session.flush()
    return job


def list_jobs(
    session: Session,
    *,
    statuses: tuple[str, ...] = NOT_DONE,
    kind: str | None = None,
    limit: int = 50,
) -> list[Job]:
    """The newest jobs in ``statuses`` (default: all but done), newest first."""
    query = select(Job).where(Job.status.in_(statuses)).order_by(Job.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.scalars(query))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status))
    counts = {status.value: 0 for status in JobStatus}
    counts.update({status: int(n) for status, n in rows})
    return counts


def purge(session: Session, *, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete done jobs finished more than ``older_than`` ago; dead jobs stay for operators."""
    cutoff = (now or clock.now()) - older_than
    result = session.execute(
        delete(Job)
        .where(Job.status == JobStatus.DONE.value, Job.finished_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
