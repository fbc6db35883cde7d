"""Database-backed job queue and transactional outbox.

A service writes work for later with ``enqueue(session, kind, payload)`` in its own transaction;
a worker (``dancu worker``) runs the handler registered with ``@job(kind)``. Every committed job
runs at least once, so handlers are idempotent; jobs sharing an ordering key run one after the
other in enqueue order; failures are retried with backoff, then kept as dead letters.
"""

from dancu.jobs.models import Job, JobStatus
from dancu.jobs.queue import Backoff, ClaimedJob, LeaseLost, claim, reclaim_expired
from dancu.jobs.registry import (
    Handler,
    Registry,
    default_registry,
    job,
    load_handlers,
    register,
)
from dancu.jobs.service import (
    DEFAULT_MAX_ATTEMPTS,
    count_by_status,
    enqueue,
    get_job,
    list_jobs,
    purge,
    retry,
)
from dancu.jobs.worker import Outcome, Tally, Worker

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Backoff",
    "ClaimedJob",
    "Handler",
    "Job",
    "JobStatus",
    "LeaseLost",
    "Outcome",
    "Registry",
    "Tally",
    "Worker",
    "claim",
    "count_by_status",
    "default_registry",
    "enqueue",
    "get_job",
    "job",
    "list_jobs",
    "load_handlers",
    "purge",
    "reclaim_expired",
    "register",
    "retry",
]
