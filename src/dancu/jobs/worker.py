"""``Worker``: claims due jobs and runs each in its own unit of work, on a pool of threads.

Guarantees (see ``dancu.jobs.queue``): every committed job runs at least once; a handler's
database writes and the job being marked done commit together, at most once; a job with an
ordering key starts only after every earlier job of its key finished (done or dead). A failed
attempt is retried after an exponential backoff with jitter, and the job is dead (a dead letter,
see ``dancu jobs list --status dead``) after ``max_attempts``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from dancu.jobs.queue import (
    Backoff,
    ClaimedJob,
    LeaseLost,
    claim,
    complete,
    describe,
    extend_leases,
    record_failure,
)
from dancu.jobs.registry import Registry, default_registry
from dancu.kit import clock as kit_clock
from dancu.kit.db import unit_of_work

logger = logging.getLogger("dancu.jobs")

DONE, FAILED, DEAD, LOST = "done", "failed", "dead", "lost"


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: done, failed (will retry), dead (out of attempts) or lost (the
    lease was taken over; nothing this attempt wrote was kept)."""

    job: ClaimedJob
    result: str
    seconds: float
    error: str | None = None


@dataclass
class Tally:
    done: int = 0
    failed: int = 0
    dead: int = 0
    lost: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.result, getattr(self, outcome.result) + 1)

    @property
    def total(self) -> int:
        return self.done + self.failed + self.dead + self.lost


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """Runs the jobs of the kinds in ``registry`` (or only ``kinds``), ``concurrency`` at a time.

    Each job runs in its own unit of work from ``sessions``. Leases last ``lease_seconds`` and
    are renewed every third of that while the job runs, so a job is taken over only when its
    worker stopped; a handler bounds its own run time (timeouts on network calls). ``clock``
    gives the time (tests pass their own).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        registry: Registry = default_registry,
        kinds: Sequence[str] | None = None,
        concurrency: int = 1,
        lease_seconds: float = 300.0,
        backoff: Backoff | None = None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = kit_clock.now,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        if concurrency < 1 or lease_seconds <= 0:
            raise ValueError("concurrency and lease_seconds must be positive")
        unknown = sorted(set(kinds or ()) - set(registry.kinds()))
        if unknown:
            raise ValueError(f"no handler is registered for {', '.join(unknown)}")
        self.id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.tally = Tally()
        self._sessions = sessions
        self._registry = registry
        self._only = list(kinds) if kinds else None
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._on_outcome = on_outcome
        self._beat_every = lease_seconds / 3
        self._next_beat = 0.0

    @property
    def kinds(self) -> list[str]:
        return self._only if self._only is not None else self._registry.kinds()

    def run_once(self) -> int:
        """Run the jobs due now, and those they release (the next job of an ordering key),
        until none is due; returns how many ran. A failed job waits for its backoff, so it
        does not run twice in one pass."""
        return self._loop(stop=None, poll_interval=self._beat_every, due_by=self._clock())

    def run_forever(self, stop_event: threading.Event, poll_interval: float = 1.0) -> int:
        """Claim and run jobs, looking for new ones every ``poll_interval`` seconds when idle,
        until ``stop_event`` is set; then claim nothing more, let the running jobs finish (a
        graceful stop) and return how many ran."""
        return self._loop(stop=stop_event, poll_interval=poll_interval, due_by=None)

    def _loop(
        self, *, stop: threading.Event | None, poll_interval: float, due_by: datetime | None
    ) -> int:
        ran = 0
        self._next_beat = time.monotonic() + self._beat_every
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="dancu-job") as pool:
            running: dict[Future[Outcome], ClaimedJob] = {}
            while True:
                for job in self._claim(len(running), stop, due_by):
                    running[pool.submit(self._run, job)] = job
                if running:
                    ran += self._collect(running, min(poll_interval, self._beat_every))
                elif stop is None or stop.is_set():
                    return ran
                else:
                    stop.wait(poll_interval)

    def _claim(
        self, busy: int, stop: threading.Event | None, due_by: datetime | None
    ) -> list[ClaimedJob]:
        free = self.concurrency - busy
        if free < 1 or (stop is not None and stop.is_set()):
            return []
        try:
            with unit_of_work(self._sessions) as session:
                return claim(
                    session,
                    self.id,
                    limit=free,
                    lease_seconds=self.lease_seconds,
                    kinds=self.kinds,
                    now=self._clock(),
                    due_by=due_by,
                )
        except Exception:
            if stop is None:
                raise
            logger.exception("worker %s could not claim jobs; trying again", self.id)
            return []

    def _collect(self, running: dict[Future[Outcome], ClaimedJob], timeout: float) -> int:
        finished, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in finished:
            del running[future]
            outcome = future.result()
            self.tally.add(outcome)
            if self._on_outcome is not None:
                self._on_outcome(outcome)
        self._heartbeat(running)
        return len(finished)

    def _heartbeat(self, running: dict[Future[Outcome], ClaimedJob]) -> None:
        if not running or time.monotonic() < self._next_beat:
            return
        self._next_beat = time.monotonic() + self._beat_every
        try:
            with unit_of_work(self._sessions) as session:
                extend_leases(
                    session,
                    self.id,
                    running.values(),
                    lease_seconds=self.lease_seconds,
                    now=self._clock(),
                )
        except Exception:
            logger.exception("worker %s could not renew its leases", self.id)

    def _run(self, job: ClaimedJob) -> Outcome:
        started = time.monotonic()
        try:
            with unit_of_work(self._sessions) as session:
                self._registry.handler(job.kind)(session, job.payload)
                complete(session, job, worker_id=self.id, now=self._clock())
        except LeaseLost:
            logger.warning("job %s (%s): lease lost, its writes rolled back", job.id, job.kind)
            return Outcome(job, LOST, time.monotonic() - started)
        except Exception as exc:
            return self._failed(job, exc, started)
        return Outcome(job, DONE, time.monotonic() - started)

    def _failed(self, job: ClaimedJob, exc: Exception, started: float) -> Outcome:
        error = describe(exc)
        logger.warning(
            "job %s (%s) attempt %s/%s failed: %s",
            job.id,
            job.kind,
            job.attempts,
            job.max_attempts,
            error,
        )
        logger.debug("job %s traceback", job.id, exc_info=exc)
        try:
            with unit_of_work(self._sessions) as session:
                result = record_failure(
                    session,
                    job,
                    worker_id=self.id,
                    error=error,
                    now=self._clock(),
                    backoff=self._backoff,
                )
        except LeaseLost:
            result = LOST
        except Exception:
            # The lease expires and the job is put back: nothing is lost but time.
            logger.exception("job %s: the failure could not be recorded", job.id)
            result = LOST
        return Outcome(job, result, time.monotonic() - started, error)
