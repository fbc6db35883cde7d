"""Access records: one per gateway call, written in the call's transaction, hash-chained.

There are ``CHAINS`` independent chains (a call goes to one by its request id) so that appends
do not all queue on one lock: a chain's head row is locked while appending, until the commit
(on PostgreSQL that includes the commit's fsync; on SQLite the single writer serialises them
anyway). Each record's hash covers its content and the previous hash of its chain: ``dancu
audit verify`` recomputes every chain and shows the first break.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dancu.audit.service import record_read
from dancu.auth.principal import Principal, Role
from dancu.gateway.agency import Caller
from dancu.gateway.models import AccessChainHead, AccessRecord, Agency
from dancu.gateway.schemas import AccessRead, UsageRow
from dancu.kit.clock import now
from dancu.registry.person import read as people

CHAINS = 64
GENESIS = "0" * 64
OVERSIGHT = (Role.CENTRAL_ADMIN, Role.AUDITOR, Role.SYSTEM)


def _digest(record: AccessRecord) -> str:
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
        record.prev_hash,
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
) -> AccessRecord:
    chain = zlib.crc32(request_id.encode()) % CHAINS
    head = session.scalars(
        select(AccessChainHead).where(AccessChainHead.chain == chain).with_for_update()
    ).one()  # the migrations create every chain's head
    access = AccessRecord(
        chain=chain,
        at=now(),
        request_id=request_id,
        agency_id=caller.agency_id,
        client_id=caller.client_id,
        operation=operation,
        purpose=purpose,
        subject=subject,
        fields=fields,
        outcome=outcome,
        prev_hash=head.last_hash,
    )
    access.hash = _digest(access)
    session.add(access)
    session.flush()
    head.last_id, head.last_hash = access.id, access.hash
    session.flush()
    return access


@dataclass(frozen=True)
class ChainReport:
    chain: int
    records: int
    ok: bool
    detail: str


def _check_chain(session: Session, head: AccessChainHead) -> ChainReport:
    previous, count = GENESIS, 0
    rows = session.scalars(
        select(AccessRecord).where(AccessRecord.chain == head.chain).order_by(AccessRecord.id)
    )
    for access in rows:
        count += 1
        if access.prev_hash != previous:
            return ChainReport(
                head.chain,
                count,
                False,
                f"record {access.id} does not follow the one before it "
                "(a record was removed or reordered)",
            )
        if _digest(access) != access.hash:
            return ChainReport(head.chain, count, False, f"record {access.id} was altered")
        previous = access.hash
    if previous != head.last_hash:
        return ChainReport(
            head.chain, count, False, "the chain ends early: its last records were removed"
        )
    return ChainReport(head.chain, count, True, "intact")


def verify_chains(session: Session) -> list[ChainReport]:
    heads = session.scalars(select(AccessChainHead).order_by(AccessChainHead.chain))
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
                access.at.isoformat(),
                access.request_id,
                code,
                access.client_id,
                access.operation,
                access.purpose or "",
                access.subject or "",
                " ".join(access.fields),
                access.outcome,
                access.prev_hash,
                access.hash,
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
