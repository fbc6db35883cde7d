"""Batch check: an agency uploads a CSV of its own records; a background job matches each row
to the register and reports, per row, the matched ID number (where the grant allows), the
agreement of each field and the corrections the register would make (fields in the grant only).

Columns (header row; others are ignored): ``record_key`` (the agency's own key, required),
``id_number``, ``full_name``, ``birth_date`` (YYYY, YYYY-MM or YYYY-MM-DD), ``sex``
(male/female), and to help matching ``old_id_number``, ``permanent_commune`` (a commune code,
pre-2025 ones too) and ``phone``. A row whose ID number is the register's and whose name agrees
(exactly or but for diacritics and case) is that person. Every other row is matched by the
record-linkage engine (``dancu.linkage.candidates``: candidates through the register's indexes,
scored by the register's Fellegi-Sunter model): a match probability of ``MATCH`` or more is a
match, ``REVIEW`` or more goes to the clerical review queue and the agency is told "review",
anything less is no match.

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
from dancu.kit.errors import DancuError
from dancu.kit.text import fold
from dancu.linkage import review
from dancu.linkage.candidates import Scored, score_rows
from dancu.linkage.link import person_records
from dancu.linkage.models import LinkageRun, ReviewPair
from dancu.linkage.registermodel import for_register, register_model
from dancu.registry.person import read as people
from dancu.registry.person.models import Person
from dancu.registry.person.service import find

RUN_JOB = "gateway.run_batch_check"
CHUNK = 500
MAX_ROWS = 1_000_000
MATCH, REVIEW = 0.9, 0.5
COLUMNS = (
    "record_key",
    "id_number",
    "full_name",
    "birth_date",
    "sex",
    "old_id_number",
    "permanent_commune",
    "phone",
)
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


Outcome = tuple[str, Person | None, float | None]  # status, person, match probability


def _by_number(session: Session, row: dict[str, str]) -> Person | None:
    """The person of the row's ID number, when the row's name agrees with theirs."""
    person = person_or_none(session, row["id_number"]) if row["id_number"] else None
    if person is None or not row["full_name"]:
        return person
    return person if fold(row["full_name"]) == fold(person.full_name) else None


def _queue(
    session: Session, batch: BatchCheck, line: int, row: dict[str, str], scored: Scored
) -> None:
    """A review-band row, with its best candidate, in the clerical review queue; the pair
    names the batch and line (``"<batch>:<line>"``), where the clerk's decision goes back."""
    run = _review_run(session, batch)
    if run is None:
        run = review.open_run(
            session,
            kind="batch",
            source=_review_source(batch),
            params={"match": MATCH, "review": REVIEW, "batch_id": batch.id},
            username="gateway",
        )
    person = find(session, str(scored.id_number))
    register = person_records([person]).row(0, named=True)
    given = {k: row.get(k) or None for k in register if k != "record_key"}
    review.add_pairs(
        session,
        run,
        [
            review.PairIn(
                left_ref=str(person.id_number),
                right_ref=f"{batch.id}:{line}",
                left={k: v for k, v in register.items() if k != "record_key"},
                right=given,
                probability=scored.probability or 0.0,
                weight=scored.weight or 0.0,
                agreement={},
                province_code=person.province_code,
            )
        ],
    )


def _match(
    session: Session, batch: BatchCheck, lines: list[int], rows: list[dict[str, str]]
) -> list[Outcome]:
    """Each row's outcome: by its ID number where name and number agree, else by the engine."""
    outcomes: list[Outcome | None] = []
    for row in rows:
        if not row["id_number"] and not row["full_name"]:
            outcomes.append(("invalid", None, None))
            continue
        person = _by_number(session, row)
        outcomes.append(("matched", person, None) if person is not None else None)
    left = [i for i, outcome in enumerate(outcomes) if outcome is None]
    if left:
        _, model = register_model(session)
        scored = score_rows(
            session,
            for_register(session, model),
            [rows[i] for i in left],
            match=MATCH,
            review=REVIEW,
        )
        for i, found in zip(left, scored, strict=True):
            if found.decision == "match":
                outcomes[i] = ("matched", find(session, str(found.id_number)), found.probability)
            elif found.decision == "review":
                _queue(session, batch, lines[i], rows[i], found)
                outcomes[i] = ("review", None, found.probability)
            else:
                outcomes[i] = ("no_match", None, found.probability)
    return [outcome or ("no_match", None, None) for outcome in outcomes]


def _check_row(
    session: Session,
    grant: Grant,
    caller: Caller,
    purpose: str,
    row: dict[str, str],
    outcome: Outcome,
) -> tuple[dict[str, Any], Person | None]:
    status, person, probability = outcome
    person = visible(session, grant, caller, person, purpose, release=True)
    if status == "matched" and person is None:
        status = "no_match"  # outside the grant looks like no record at all
    result: dict[str, Any] = {"record_key": row["record_key"], "status": status}
    if person is None:
        return result, None
    result["match_probability"] = probability
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
    todo = [row for row in rows if row.result is None]  # others done by an earlier attempt
    given = [{c: row.given.get(c, "") for c in COLUMNS} for row in todo]
    outcomes = _match(session, batch, [row.line for row in todo], given)
    for row, values, outcome in zip(todo, given, outcomes, strict=True):
        _settle(session, batch, grant, caller, row, values, outcome)
        batch.rows_done += 1
    if len(rows) < CHUNK:
        batch.status, batch.finished_at = "done", now()
        _finish_review_run(session, batch)
        return None
    last = rows[-1].line
    enqueue(
        session,
        RUN_JOB,
        {"batch_id": batch.id, "after_line": last},
        ordering_key=f"batch:{batch.id}",
    )
    return last


def _settle(
    session: Session,
    batch: BatchCheck,
    grant: Grant,
    caller: Caller,
    row: BatchCheckRow,
    values: dict[str, str],
    outcome: Outcome,
) -> None:
    """The row's result from its outcome; a person released is access-recorded."""
    row.result, person = _check_row(session, grant, caller, batch.purpose, values, outcome)
    if person is None:
        return
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


def apply_decision(session: Session, pair_id: int) -> None:
    """A clerk decided a pair this batch check queued: its row, still "review", becomes the
    decided person's result (what the grant allows of it, access-recorded) or no_match. Nothing
    happens if the batch was deleted, the row is no longer in review, or the grant no longer
    allows batch checks for the purpose (nothing is released then)."""
    pair = session.get(ReviewPair, pair_id)
    if pair is None or pair.status == "pending" or ":" not in pair.right_ref:
        return
    batch_id, line = (int(part) for part in pair.right_ref.split(":", 1))
    batch = session.get(BatchCheck, batch_id)
    row = session.scalars(
        select(BatchCheckRow).where(BatchCheckRow.batch_id == batch_id, BatchCheckRow.line == line)
    ).one_or_none()
    if batch is None or row is None or (row.result or {}).get("status") != "review":
        return
    caller = Caller(batch.agency_id, "", batch.client_id)
    try:
        grant = agency.grant_for(session, caller, "batch", batch.purpose)
    except DancuError:
        return
    values = {c: row.given.get(c, "") for c in COLUMNS}
    if pair.status == "match":
        person = person_or_none(session, pair.left_ref)
        outcome: Outcome = ("matched", person, pair.match_probability)
    else:
        outcome = ("no_match", None, pair.match_probability)
    _settle(session, batch, grant, caller, row, values, outcome)
    row.result = {**(row.result or {}), "decided_by_clerk": True}


def _review_source(batch: BatchCheck) -> str:
    return f"gateway batch {batch.id}"


def _review_run(session: Session, batch: BatchCheck) -> LinkageRun | None:
    """The linkage run holding this batch's review-band pairs, once it has any."""
    return session.scalars(
        select(LinkageRun).where(
            LinkageRun.kind == "batch", LinkageRun.source == _review_source(batch)
        )
    ).first()


def _finish_review_run(session: Session, batch: BatchCheck) -> None:
    run = _review_run(session, batch)
    if run is not None:
        review.finish_run(session, run, {"rows": batch.rows_total, "matched": batch.rows_matched})


def results_csv(session: Session, batch: BatchCheck) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "line",
            "record_key",
            "status",
            "id_number",
            "match_probability",
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
                "" if result.get("match_probability") is None else result["match_probability"],
                *(agreement.get(c, "") for c in COMPARED),
                *(corrections.get(c) or "" for c in COMPARED),
            ]
        )
    return buffer.getvalue()


def forget(session: Session, batch: BatchCheck) -> None:
    """Delete the rows and results (the agency's data is kept no longer than needed)."""
    session.execute(delete(BatchCheckRow).where(BatchCheckRow.batch_id == batch.id))
    session.execute(delete(BatchCheck).where(BatchCheck.id == batch.id))
