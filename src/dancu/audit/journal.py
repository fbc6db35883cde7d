"""The read journal: audit events of reads, appended to a local file and moved to the database
in batches.

A read changes nothing, so its audit event need not cost a write transaction per request (on
SQLite that would serialise every read behind the one writer). Instead the event is appended
to this process's journal segment with one ``write(2)`` before the response is sent: the
kernel has it from then on, so a killed process loses nothing (a power cut can lose the last
moment's events; ``fsync_every`` bounds that when set). A background thread seals the segment
every ``interval`` seconds and moves it into ``audit_events`` in one transaction, together with
a row naming the segment in ``audit_journal_segments`` — so a segment is moved exactly once,
even if the process dies between the commit and the deletion of the file.

Segments of processes that died are recovered by the next process that starts (or by
``dancu audit flush``): each live segment is held under an exclusive ``flock``, so a file that
can be locked belongs to nobody.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dancu.audit.models import AuditEvent, AuditJournalSegment
from dancu.kit.clock import now
from dancu.kit.db import unit_of_work

log = logging.getLogger(__name__)

_OPEN = ".open"
_SEALED = ".sealed"


class AuditJournal:
    """Per-process journal of read events; thread-safe."""

    def __init__(
        self,
        directory: Path,
        sessions: sessionmaker[Session],
        *,
        interval: float = 0.5,
        fsync_every: int = 0,
    ) -> None:
        self.directory = directory
        self.sessions = sessions
        self.interval = interval
        self.fsync_every = fsync_every
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._path: Path | None = None
        self._written = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- writing -------------------------------------------------------------------------------

    def append(self, event: dict[str, Any]) -> None:
        """Append one event (a dict of AuditEvent's columns; ``at`` is set here)."""
        line = json.dumps({**event, "at": now().isoformat()}, separators=(",", ":")) + "\n"
        data = line.encode()
        with self._lock:
            if self._fd is None:
                self._open_segment()
            assert self._fd is not None
            os.write(self._fd, data)
            self._written += 1
            if self.fsync_every and self._written % self.fsync_every == 0:
                os.fsync(self._fd)

    def _open_segment(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{now():%Y%m%dT%H%M%S}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        path = self.directory / (name + _OPEN)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd, self._path, self._written = fd, path, 0

    def _seal(self) -> None:
        """Close the live segment (if it holds anything) and mark it ready to move."""
        with self._lock:
            if self._fd is None or self._path is None:
                return
            fd, path = self._fd, self._path
            self._fd = self._path = None
            if self._written == 0:
                self._fd, self._path = fd, path  # nothing to seal; keep writing to it
                return
            os.rename(path, path.with_suffix(_SEALED))
            os.close(fd)  # releases the lock

    # -- moving to the database ----------------------------------------------------------------

    def flush(self) -> int:
        """Seal the live segment and move every unowned segment to the database. Returns the
        number of events moved."""
        self._seal()
        return drain(self.directory, self.sessions)

    def start(self) -> None:
        """Recover what dead processes left, then move segments in the background."""
        drain(self.directory, self.sessions)
        self._thread = threading.Thread(target=self._run, name="audit-journal", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()
        with self._lock:
            if self._fd is not None and self._path is not None:
                os.close(self._fd)
                self._path.unlink(missing_ok=True)  # empty: _seal kept it only because so
                self._fd = self._path = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # the database may be briefly away; the files wait
                log.exception("moving audit journal segments failed; will retry")


def drain(directory: Path, sessions: sessionmaker[Session]) -> int:
    """Move every segment no live process holds into ``audit_events``; exactly once each."""
    if not directory.exists():
        return 0
    moved = 0
    for path in sorted(directory.iterdir()):
        if path.suffix not in (_OPEN, _SEALED):
            continue
        with _locked(path) as fd:
            if fd is None:
                continue  # a live writer holds it
            moved += _move(path, fd, sessions)
    return moved


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int | None]:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield None  # another process moved it meanwhile
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)


def _move(path: Path, fd: int, sessions: sessionmaker[Session]) -> int:
    if not path.exists():
        return 0  # moved by another process between listing and locking
    name = path.name.removesuffix(path.suffix)
    with os.fdopen(os.dup(fd), encoding="utf-8") as handle:
        # A line cut short by a crash mid-write is the only possible damage; skip it.
        events = [_event(line) for line in handle if line.endswith("\n")]
    with unit_of_work(sessions) as session:
        done = session.scalar(
            select(AuditJournalSegment.name).where(AuditJournalSegment.name == name)
        )
        if done is None:
            session.add_all(events)
            session.add(AuditJournalSegment(name=name, events=len(events)))
    path.unlink()
    return 0 if done is not None else len(events)


def _event(line: str) -> AuditEvent:
    raw = json.loads(line)
    raw["at"] = datetime.fromisoformat(raw["at"])
    return AuditEvent(**raw)
