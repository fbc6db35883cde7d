"""Batch check: an agency uploads a CSV of its own records; a background job matches each row
to the register and reports, per row, the matched ID number (where the grant allows), the
agreement of each field and the corrections the register would make (fields in the grant only).

Columns (header row; others are ignored): ``record_key`` (the agency's own key, required),
``id_number``, ``full_name``, ``birth_date`` (YYYY, YYYY-MM or YYYY-MM-DD), ``sex``
(male/female). Rows with an ID number are checked against that person; rows without one are
matched on the exact name (case and diacritics folded) and birth year — unique candidates
only. (The record-linkage engine will deepen this.)

The work runs as a chain of jobs of ``CHUNK`` rows, each committing its results and progress,
so a restarted server or worker goes on where it stopped.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from dancu.gateway import access, agency
from dancu.gateway.agency import Caller
from dancu.gateway.errors import BadGrant, GrantNotFound
from dancu.gateway.models import BatchCheck, BatchCheckRow, Grant
from dancu.gateway.schemas import VerifyRequest
from dancu.gateway.service import agreements, person_or_none, visible
from dancu.jobs import enqueue
from dancu.kit.clock import now
from dancu.kit.text import fold
from dancu.registry.person import read as people
from dancu.registry.person.models import Person

RUN_JOB = "gateway.run_batch_check"
CHUNK = 500
MAX_ROWS = 1_000_000
COLUMNS = ("record_key", "id_number", "full_name", "birth_date", "sex")
COMPARED = ("full_name", "birth_date", "sex")


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "record_key" not in reader.fieldnames:
        raise BadGrant("the file needs a header row with a record_key column")
    if not {"id_number", "full_name"} & set(reader.fieldnames):
        raise BadGrant("the file needs an id_number or a full_name column")
    rows = []
    for row in reader:
        rows.append({c: (row.get(c) or "").strip() for c in COLUMNS})
        if len(rows) > MAX_ROWS:
            raise BadGrant(f"at most {MAX_ROWS:,} rows per file; split it")
    if not rows:
        raise BadGrant("the file has no rows")
    return rows


def submit(
    session: Session, caller: Caller, *, purpose: str, file_name: str, text: str
) -> BatchCheck:
    """Store the rows and queue the check (the caller's grant must allow ``batch``)."""
    agency.grant_for(session, caller, "batch", purpose)
    rows = _rows(text)
    batch = BatchCheck(
        agency_id=caller.agency_id,
        client_id=caller.client_id,
        purpose=purpose,
        file_name=file_name[:200],
        status="queued",
        rows_total=len(rows),
    )
    session.add(batch)
    session.flush()
    session.execute(
        insert(BatchCheckRow),
        [
            {"batch_id": batch.id, "line": n, "given": row, "result": None}
            for n, row in enumerate(rows, start=2)
        ],
    )
    enqueue(
        session, RUN_JOB, {"batch_id": batch.id, "after_line": 1}, ordering_key=f"batch:{batch.id}"
    )
    return batch


def own(session: Session, caller: Caller, batch_id: int) -> BatchCheck:
    found = session.get(BatchCheck, batch_id)
    if found is None or found.agency_id != caller.agency_id:
        raise GrantNotFound(f"you have no batch check {batch_id}")
    return found


def _by_name(session: Session, row: dict[str, str]) -> tuple[str, Person | None]:
    if not row["full_name"] or not row["birth_date"][:4].isdigit():
        return "invalid", None
    found = list(
        session.scalars(
            select(Person)
            .where(
                Person.name_key == f" {fold(row['full_name'])} ",
                Person.birth_year == int(row["birth_date"][:4]),
            )
            .limit(2)
        )
    )
    if len(found) > 1:
        return "ambiguous", None
    return ("matched", found[0]) if found else ("no_match", None)


def _check_row(
    session: Session, grant: Grant, caller: Caller, purpose: str, row: dict[str, str]
) -> tuple[dict[str, Any], Person | None]:
    if row["id_number"]:
        status, person = "matched", person_or_none(session, row["id_number"])
        if person is None:
            status = "no_match"
    else:
        status, person = _by_name(session, row)
    person = visible(session, grant, caller, person, purpose, release=True)
    if status == "matched" and person is None:
        status = "no_match"  # outside the grant looks like no record at all
    result: dict[str, Any] = {"record_key": row["record_key"], "status": status}
    if person is None:
        return result, None
    try:
        request = VerifyRequest(
            id_number=str(person.id_number),
            purpose=purpose,
            **{k: row[k] or None for k in COMPARED},
        )
    except ValueError:
        return {**result, "status": "invalid"}, None
    result["agreement"] = agreements(request, person)
    if "id_number" in grant.fields:
        result["id_number"] = str(person.id_number)
    record = people.view(session, person).model_dump(mode="json")
    result["corrections"] = {
        k: record.get(k)
        for k in COMPARED
        if k in grant.fields and row[k] and result["agreement"].get(k) != "exact"
    }
    return result, person


def run_chunk(session: Session, batch_id: int, after_line: int) -> int | None:
    """Check the next ``CHUNK`` rows; returns the last line done, or None when finished."""
    batch = session.get_one(BatchCheck, batch_id)
    caller = Caller(batch.agency_id, "", batch.client_id)
    grant = agency.grant_for(session, caller, "batch", batch.purpose)  # suspension stops it
    batch.status = "running"
    rows = list(
        session.scalars(
            select(BatchCheckRow)
            .where(BatchCheckRow.batch_id == batch_id, BatchCheckRow.line > after_line)
            .order_by(BatchCheckRow.line)
            .limit(CHUNK)
        )
    )
    for row in rows:
        if row.result is not None:
            continue  # done by an earlier attempt of this chunk
        row.result, person = _check_row(session, grant, caller, batch.purpose, row.given)
        batch.rows_done += 1
        if person is not None:
            batch.rows_matched += 1
            access.append(
                session,
                caller,
                request_id=f"batch-{batch.id}-{row.line}",
                operation="batch",
                purpose=batch.purpose,
                subject=str(person.id_number),
                fields=sorted(row.result.get("corrections", {})),
                outcome=row.result["status"],
            )
    if len(rows) < CHUNK:
        batch.status, batch.finished_at = "done", now()
        return None
    last = rows[-1].line
    enqueue(
        session,
        RUN_JOB,
        {"batch_id": batch.id, "after_line": last},
        ordering_key=f"batch:{batch.id}",
    )
    return last


def results_csv(session: Session, batch: BatchCheck) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "line",
            "record_key",
            "status",
            "id_number",
            *(f"{c}_agreement" for c in COMPARED),
            *(f"{c}_correction" for c in COMPARED),
        ]
    )
    rows = session.scalars(
        select(BatchCheckRow).where(BatchCheckRow.batch_id == batch.id).order_by(BatchCheckRow.line)
    )
    for row in rows:
        result = row.result or {"record_key": row.given["record_key"], "status": "pending"}
        agreement, corrections = result.get("agreement", {}), result.get("corrections", {})
        writer.writerow(
            [
                row.line,
                result["record_key"],
                result["status"],
                result.get("id_number", ""),
                *(agreement.get(c, "") for c in COMPARED),
                *(corrections.get(c) or "" for c in COMPARED),
            ]
        )
    return buffer.getvalue()


def forget(session: Session, batch: BatchCheck) -> None:
    """Delete the rows and results (the agency's data is kept no longer than needed)."""
    session.execute(delete(BatchCheckRow).where(BatchCheckRow.batch_id == batch.id))
    session.execute(delete(BatchCheck).where(BatchCheck.id == batch.id))
