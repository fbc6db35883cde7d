"""`import_file`: digitised legacy records into the register, in checkpointed chunks.

Validation runs on the whole file first (vectorised); every bad row goes to the rejects with
its line, field, value and reason, and is never written. Good rows are written in a fixed
order, a chunk per transaction together with the run's checkpoint, so an import killed at any
moment resumes where its last commit ended and never writes a row twice; the same file
(by content) imported again adds nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dancu.audit.service import record
from dancu.auth.principal import Principal
from dancu.kit.clock import now, today
from dancu.kit.db import unit_of_work
from dancu.registry.importer import writer
from dancu.registry.importer.errors import ImportInProgress
from dancu.registry.importer.models import ImportReject, ImportRun
from dancu.registry.importer.reader import LINE, file_digest, read_file
from dancu.registry.importer.reference import load_reference
from dancu.registry.importer.validate import check
from dancu.registry.person import repository as people
from dancu.registry.person.models import Person

CHUNK = 20_000
Progress = Callable[[int, int], None]  # (rows done, rows total)


@dataclass(frozen=True)
class ImportSummary:
    file_name: str
    rows_total: int
    rows_imported: int
    rows_rejected: int
    already_done: bool
    resumed: bool
    rejects_path: Path | None


def _start(
    factory: sessionmaker[Session], principal: Principal, path: Path, digest: str
) -> tuple[int, pl.DataFrame, bool]:
    """Validate and open (or find) the run; returns its id, the good rows and whether resumed."""
    frame = read_file(path)
    with unit_of_work(factory) as session:
        checked = check(frame, load_reference(session), today())
        run = session.scalar(select(ImportRun).where(ImportRun.file_sha256 == digest))
        if run is not None:
            return run.id, checked.good, True
        run = ImportRun(
            file_sha256=digest,
            file_name=path.name,
            officer=principal.username,
            rows_total=frame.height,
            rows_valid=checked.good.height,
            rows_rejected=checked.errors[LINE].n_unique(),
        )
        session.add(run)
        try:
            session.flush()
        except IntegrityError as exc:
            raise ImportInProgress(
                "another process started importing this file at the same time; let it finish"
            ) from exc
        _store_rejects(session, run.id, checked.errors)
        held = session.scalar(select(func.count()).select_from(Person)) or 0
        if checked.good.height >= max(held, 1000):
            people.suspend_name_index(session)
            run.index_suspended = True
        return run.id, checked.good, False


def _store_rejects(session: Session, run_id: int, errors: pl.DataFrame) -> None:
    rows = [
        {
            "run_id": run_id,
            "line": e[LINE],
            "field": e["field"],
            "value": (e["value"] or "")[:300],
            "reason": e["reason"][:300],
        }
        for e in errors.iter_rows(named=True)
    ]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(ImportReject), rows[start : start + 10_000])


def _chunks(good: pl.DataFrame, start: int, size: int) -> Iterator[tuple[int, pl.DataFrame]]:
    """Slices of about ``size`` rows from ``start``, never cutting a household in two."""
    order = good["_order"].to_list()
    position = start
    while position < len(order):
        end = min(position + size, len(order))
        while 0 < end < len(order) and order[end] == order[end - 1]:
            end += 1
        yield end, good.slice(position, end - position)
        position = end


def _finish(
    factory: sessionmaker[Session], principal: Principal, run_id: int, rejects_to: Path | None
) -> ImportRun:
    with unit_of_work(factory) as session:
        run = session.get_one(ImportRun, run_id)
        if run.index_suspended:
            people.rebuild_name_index(session)
            run.index_suspended = False
        if run.status != "done":
            run.status, run.finished_at = "done", now()
            record(
                session,
                principal,
                action="registry:import:run",
                subject_type="import",
                subject_id=run.file_sha256[:16],
                details={
                    "rows": run.rows_total,
                    "imported": run.rows_imported,
                    "rejected": run.rows_rejected,
                },
            )
        if rejects_to is not None:
            _write_rejects(session, run_id, rejects_to)
        return run


def _write_rejects(session: Session, run_id: int, path: Path) -> None:
    rows = session.execute(
        select(ImportReject.line, ImportReject.field, ImportReject.value, ImportReject.reason)
        .where(ImportReject.run_id == run_id)
        .order_by(ImportReject.line, ImportReject.id)
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["line", "field", "value", "reason"])
        out.writerows(rows)


def import_file(
    factory: sessionmaker[Session],
    principal: Principal,
    path: Path,
    *,
    rejects_to: Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK,
) -> ImportSummary:
    """Import ``path``; see the module docstring for the guarantees."""
    principal.require_writer()
    digest = file_digest(path)
    with unit_of_work(factory) as session:
        done = session.scalar(
            select(ImportRun).where(ImportRun.file_sha256 == digest, ImportRun.status == "done")
        )
    if done is None:
        run_id, good, resumed = _start(factory, principal, path, digest)
        _write_chunks(factory, principal, run_id, good, progress, chunk_size)
    else:
        run_id, resumed = done.id, False
    run = _finish(factory, principal, run_id, rejects_to if (done is None or rejects_to) else None)
    return ImportSummary(
        path.name,
        run.rows_total,
        run.rows_imported,
        run.rows_rejected,
        already_done=done is not None,
        resumed=resumed,
        rejects_path=rejects_to if run.rows_rejected else None,
    )


def _write_chunks(
    factory: sessionmaker[Session],
    principal: Principal,
    run_id: int,
    good: pl.DataFrame,
    progress: Progress | None,
    chunk_size: int,
) -> None:
    with unit_of_work(factory) as session:
        start = session.get_one(ImportRun, run_id).position
    if progress:
        progress(start, good.height)
    for end, chunk in _chunks(good, start, chunk_size):
        with unit_of_work(factory) as session:
            run = session.get_one(ImportRun, run_id, with_for_update=True)
            if run.position != start:
                raise ImportInProgress(
                    "another process is importing this file at the same time; let it finish"
                )
            result = writer.write_chunk(session, principal, chunk, reason=f"import {run.file_name}")
            _store_rejects(session, run_id, result.rejects)
            run.position, run.rows_imported = end, run.rows_imported + result.imported
            run.rows_rejected += result.rejects[LINE].n_unique()
        start = end
        if progress:
            progress(end, good.height)
