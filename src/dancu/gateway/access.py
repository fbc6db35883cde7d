"""Access records: one per gateway call, written in the call's transaction, then sealed into a
hash chain.

A call only inserts its record (so the record exists if and only if the call's answer was
committed). Sealing, shortly after, takes the unsealed records in id order and links each into
its chain (one of ``CHAINS``, by request id): its ``position`` there, the previous record's
hash, and its own SHA-256 over its content and that previous hash. Only sealing writes the
chain heads, so calls never wait on a chain's lock, and sealers of several processes take
turns on the heads' row locks. A chain is in sealing order, not id order: a record committed
late simply comes later in its chain. ``dancu audit verify`` seals what is left, then
recomputes every chain and names the first altered, removed or reordered record. A record is
tamper-evident once sealed: within a second or so of its call, with the sealing thread that
every server process runs (``Sealer``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from dancu.audit.service import record_read
from dancu.auth.principal import Principal, Role
from dancu.gateway.agency import Caller
from dancu.gateway.models import AccessChainHead, AccessRecord, Agency
from dancu.gateway.schemas import AccessRead, UsageRow
from dancu.kit.clock import now
from dancu.kit.db import unit_of_work
from dancu.registry.person import read as people

CHAINS = 64
GENESIS = "0" * 64
OVERSIGHT = (Role.CENTRAL_ADMIN, Role.AUDITOR, Role.SYSTEM)
SEAL_BATCH = 2000

log = logging.getLogger(__name__)
_RECORDS, _HEADS = AccessRecord.__table__, AccessChainHead.__table__
_INSERT = insert(AccessRecord)


def _digest(record: Any, prev_hash: str) -> str:
    content = [
        record.chain,
        record.at.isoformat(),
        record.request_id,
        record.agency_id,
        record.client_id,
        record.operation,
        record.purpose,
        record.subject,
        record.fields,
        record.outcome,
        prev_hash,
    ]
    encoded = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def append(
    session: Session,
    caller: Caller,
    *,
    request_id: str,
    operation: str,
    purpose: str | None,
    subject: str | None,
    fields: list[str],
    outcome: str,
) -> None:
    """Write the call's record, unsealed, in the call's transaction (one INSERT, no lock)."""
    session.connection().execute(
        _INSERT,
        {
            "chain": zlib.crc32(request_id.encode()) % CHAINS,
            "at": now(),
            "request_id": request_id,
            "agency_id": caller.agency_id,
            "client_id": caller.client_id,
            "operation": operation,
            "purpose": purpose,
            "subject": subject,
            "fields": fields,
            "outcome": outcome,
        },
    )


_UNSEALED = (
    select(_RECORDS)
    .where(_RECORDS.c.position.is_(None))
    .order_by(_RECORDS.c.id)
    .limit(bindparam("limit"))
)
_SEAL_RECORD = (
    update(AccessRecord)
    .where(AccessRecord.id == bindparam("record_id"))
    .values(
        position=bindparam("new_position"),
        prev_hash=bindparam("new_prev_hash"),
        hash=bindparam("new_hash"),
    )
)
_SEAL_HEAD = (
    update(AccessChainHead)
    .where(AccessChainHead.chain == bindparam("head_chain"))
    .values(
        last_id=bindparam("new_last_id"),
        last_hash=bindparam("new_last_hash"),
        length=bindparam("new_length"),
    )
)


def seal(session: Session, *, limit: int = SEAL_BATCH) -> int:
    """Link up to ``limit`` unsealed records into their chains, oldest id first; returns how
    many. The heads are locked first, so that concurrent sealers take turns."""
    heads = {
        h.chain: [h.last_id, h.last_hash, h.length]
        for h in session.execute(select(_HEADS).order_by(_HEADS.c.chain).with_for_update())
    }
    rows = session.execute(_UNSEALED, {"limit": limit}).all()
    if not rows:
        return 0
    sealed = []
    for row in rows:
        head = heads[row.chain]
        digest = _digest(row, head[1])
        sealed.append(
            {
                "record_id": row.id,
                "new_position": head[2] + 1,
                "new_prev_hash": head[1],
                "new_hash": digest,
            }
        )
        head[:] = [row.id, digest, head[2] + 1]
    connection = session.connection()
    connection.execute(_SEAL_RECORD, sealed)
    touched = {row.chain for row in rows}
    connection.execute(
        _SEAL_HEAD,
        [
            {"head_chain": c, "new_last_id": h[0], "new_last_hash": h[1], "new_length": h[2]}
            for c, h in heads.items()
            if c in touched
        ],
    )
    return len(rows)


def seal_all(factory: sessionmaker[Session]) -> int:
    """Seal every record waiting, a batch per transaction."""
    total = 0
    while True:
        with unit_of_work(factory) as session:
            done = seal(session)
        total += done
        if done < SEAL_BATCH:
            return total


class Sealer:
    """A thread that seals access records every ``interval`` seconds (one per server process;
    sealers of several processes take turns on the chain heads)."""

    def __init__(self, factory: sessionmaker[Session], *, interval: float = 0.5) -> None:
        self.factory, self.interval = factory, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="access-sealer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._seal()  # what the last calls wrote

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._seal()

    def _seal(self) -> None:
        try:
            seal_all(self.factory)
        except Exception:  # the next round (or `dancu audit verify`) seals what this left
            log.exception("sealing access records failed")


@dataclass(frozen=True)
class ChainReport:
    chain: int
    records: int
    ok: bool
    detail: str


def _check_chain(session: Session, head: Any) -> ChainReport:
    # Plain rows, not ORM objects: what is stored now, whatever the session has seen before.
    previous, count = GENESIS, 0
    rows = session.execute(
        select(_RECORDS)
        .where(_RECORDS.c.chain == head.chain, _RECORDS.c.position.is_not(None))
        .order_by(_RECORDS.c.position)
    )
    for access in rows:
        count += 1
        if access.prev_hash != previous or access.position != count:
            return ChainReport(
                head.chain,
                count,
                False,
                f"record {access.id} does not follow the one before it "
                "(a record was removed or reordered)",
            )
        if _digest(access, previous) != access.hash:
            return ChainReport(head.chain, count, False, f"record {access.id} was altered")
        previous = access.hash
    if previous != head.last_hash or count != head.length:
        return ChainReport(
            head.chain, count, False, "the chain ends early: its last records were removed"
        )
    return ChainReport(head.chain, count, True, "intact")


def verify_chains(session: Session) -> list[ChainReport]:
    """Seal what is waiting (in this transaction), then recompute every chain."""
    while seal(session) == SEAL_BATCH:
        pass
    heads = session.execute(select(_HEADS).order_by(_HEADS.c.chain)).all()
    return [_check_chain(session, head) for head in heads]


def access_log(session: Session, principal: Principal, id_number: str) -> list[AccessRead]:
    """Every gateway access to one person's record (for the citizen, via an officer)."""
    person = people.find_readable(session, principal, id_number)
    numbers = {str(person.id_number), *person.data.get("cancelled_id_numbers", [])}
    record_read(
        session,
        principal,
        action="gateway:access_log:read",
        subject_type="person",
        subject_id=str(person.id_number),
    )
    rows = session.execute(
        select(AccessRecord, Agency)
        .join(Agency, Agency.id == AccessRecord.agency_id)
        .where(AccessRecord.subject.in_(numbers))
        .order_by(AccessRecord.at.desc(), AccessRecord.id.desc())
        .limit(1000)
    )
    return [
        AccessRead(
            at=a.at,
            agency_code=g.code,
            agency_name=g.name,
            operation=a.operation,
            purpose=a.purpose,
            fields=a.fields,
            outcome=a.outcome,
        )
        for a, g in rows
    ]


def usage(
    session: Session, principal: Principal, since: datetime | None, until: datetime | None
) -> list[UsageRow]:
    principal.require_role(*OVERSIGHT)
    stmt = (
        select(Agency.code, AccessRecord.operation, AccessRecord.outcome, func.count())
        .join(Agency, Agency.id == AccessRecord.agency_id)
        .group_by(Agency.code, AccessRecord.operation, AccessRecord.outcome)
        .order_by(Agency.code, AccessRecord.operation, AccessRecord.outcome)
    )
    if since is not None:
        stmt = stmt.where(AccessRecord.at >= since)
    if until is not None:
        stmt = stmt.where(AccessRecord.at < until)
    return [
        UsageRow(agency_code=c, operation=o, outcome=r, calls=n)
        for c, o, r, n in session.execute(stmt)
    ]


EXPORT_COLUMNS = (
    "id",
    "chain",
    "position",
    "at",
    "request_id",
    "agency",
    "client_id",
    "operation",
    "purpose",
    "subject",
    "fields",
    "outcome",
    "prev_hash",
    "hash",
)


def export_csv(
    session: Session, principal: Principal, since: datetime | None, until: datetime | None
) -> Iterator[str]:
    """Access records as CSV for an oversight body, with the hashes so it can check them."""
    principal.require_role(*OVERSIGHT)
    record_read(
        session,
        principal,
        action="gateway:access:export",
        subject_type="access_records",
        subject_id=f"{since}..{until}",
    )
    stmt = select(AccessRecord, Agency.code).join(Agency, Agency.id == AccessRecord.agency_id)
    if since is not None:
        stmt = stmt.where(AccessRecord.at >= since)
    if until is not None:
        stmt = stmt.where(AccessRecord.at < until)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for access, code in session.execute(stmt.order_by(AccessRecord.id)).yield_per(1000):
        writer.writerow(
            [
                access.id,
                access.chain,
                access.position or "",
                access.at.isoformat(),
                access.request_id,
                code,
                access.client_id,
                access.operation,
                access.purpose or "",
                access.subject or "",
                " ".join(access.fields),
                access.outcome,
                access.prev_hash or "",
                access.hash or "",
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
