"""Allocation, cancellation and re-establishment of personal ID numbers. Flushes, never commits.

Decree 137/2015 Art 13-16 (numbers), Circular 59/2021/TT-BCA Art 6 (cancel and re-establish).
"""

from __future__ import annotations

import secrets
from typing import Final

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dancu.idnumber.errors import (
    CancelReasonMissing,
    IdNumberAlreadyCancelled,
    IdNumberNotFound,
    IdNumberRangeExhausted,
    ReplacementNotJustified,
)
from dancu.idnumber.models import ACTIVE, CANCELLED, IdNumberRecord
from dancu.idnumber.value import IdNumber
from dancu.kit import bulk
from dancu.kit.clock import now
from dancu.kit.text import nfc

SERIAL_RANGE: Final = 1_000_000
# Each try fails with probability = how full the range is; at 90 % full, 200 tries all fail with
# probability 0.9**200 ~ 7e-10. Failing that often means the range really is exhausted.
MAX_ATTEMPTS: Final = 200


def _draw_serial() -> int:
    """The law calls the last six digits a random range: drawn with a CSPRNG, not a counter."""
    return secrets.randbelow(SERIAL_RANGE)


def _is_unique_violation(exc: IntegrityError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == "23505")
    return "UNIQUE constraint failed" in str(exc.orig)  # sqlite3


def _try_insert(session: Session, number: IdNumber) -> bool:
    """Insert ``number`` in a SAVEPOINT; False (the caller's transaction intact) if it is taken."""
    try:
        with session.begin_nested():
            session.execute(
                insert(IdNumberRecord).values(
                    number=number,
                    province_code=number.province_code,
                    sex=number.sex,
                    birth_year=number.birth_year,
                    serial=number.serial,
                    status=ACTIVE,
                    allocated_at=now(),
                )
            )
    except IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        return False
    return True


def allocate(session: Session, *, province_code: str, sex: str, birth_year: int) -> IdNumber:
    """Allocate a new personal ID number that follows from the person's birth data.

    Digits 1-6 come from the birth-registration province (or country code when registered
    abroad), sex and birth year; the six-digit serial is a random draw (Decree 137/2015 Art 13).
    A draw already taken, also by a concurrent transaction, is retried with another serial. A
    number once allocated is never reused: rows are never deleted, cancelled ones included.
    """
    IdNumber.build(province_code, sex, birth_year, 0)  # refuse bad birth data before any insert
    for _ in range(MAX_ATTEMPTS):
        number = IdNumber.build(province_code, sex, birth_year, _draw_serial())
        if _try_insert(session, number):
            return number
    raise IdNumberRangeExhausted(
        f"no free ID number was found for province/country code {province_code}, {sex}, born "
        f"{birth_year} after {MAX_ATTEMPTS} random draws: that range is (nearly) used up"
    )


def get(session: Session, number: IdNumber) -> IdNumberRecord:
    """The allocation record of ``number``."""
    record = session.get(IdNumberRecord, number)
    if record is None:
        raise IdNumberNotFound(f"ID number {number.formatted()} was never allocated here")
    return record


def _get_for_update(session: Session, number: IdNumber) -> IdNumberRecord:
    stmt = (
        select(IdNumberRecord)
        .where(IdNumberRecord.number == number)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    record = session.scalars(stmt).one_or_none()
    if record is None:
        raise IdNumberNotFound(f"ID number {number.formatted()} was never allocated here")
    return record


def cancel_and_replace(
    session: Session,
    *,
    number: IdNumber,
    reason: str,
    province_code: str,
    sex: str,
    birth_year: int,
) -> IdNumber:
    """Cancel ``number`` and re-establish a new one from the corrected birth data.

    Allowed only when sex, birth year or birth-registration place changes: sex re-determination,
    correction of the birth year, or a data-entry error in those (Circular 59/2021/TT-BCA Art 6;
    Decree 137/2015 Art 16). The cancelled number is kept, with reason and time, and linked to
    its replacement; it is never allocated again.
    """
    reason = nfc(reason)
    if not reason:
        raise CancelReasonMissing("say why the number is cancelled (the legal ground)")
    old = _get_for_update(session, number)
    if old.status == CANCELLED:
        replaced = f" and replaced by {old.replaced_by.formatted()}" if old.replaced_by else ""
        raise IdNumberAlreadyCancelled(
            f"ID number {number.formatted()} is already cancelled{replaced}"
        )
    if (old.province_code, old.sex, old.birth_year) == (province_code, sex, birth_year):
        raise ReplacementNotJustified(
            "a number is re-established only when sex, birth year or place of birth registration "
            f"changes; {number.formatted()} already encodes {province_code}, {sex}, {birth_year}"
        )
    new = allocate(session, province_code=province_code, sex=sex, birth_year=birth_year)
    old.status = CANCELLED
    old.cancelled_at = now()
    old.cancel_reason = reason
    old.replaced_by = new
    session.flush()
    return new


def current_number(session: Session, number: IdNumber) -> IdNumber:
    """The active number of the person who holds or held ``number`` (follows replacements)."""
    return history(session, number)[-1].number


def history(session: Session, number: IdNumber) -> list[IdNumberRecord]:
    """Every number of the person who holds or held ``number``, oldest first."""
    record = get(session, number)
    seen = {record.number}
    while (earlier := _replaced(session, record.number)) is not None and earlier.number not in seen:
        seen.add(earlier.number)
        record = earlier
    chain = [record]
    while record.replaced_by is not None and record.replaced_by not in {r.number for r in chain}:
        record = get(session, record.replaced_by)
        chain.append(record)
    return chain


def _replaced(session: Session, number: IdNumber) -> IdNumberRecord | None:
    stmt = select(IdNumberRecord).where(IdNumberRecord.replaced_by == number)
    return session.scalars(stmt).one_or_none()


def allocate_many(session: Session, requests: list[tuple[str, str, int]]) -> list[IdNumber]:
    """Allocate one number per ``(province_code, sex, birth_year)`` in a few multi-row INSERTs,
    for bulk loads (digitisation, the demo population). Serials are drawn as in ``allocate``;
    draws that are already taken, in the table or in the batch, are drawn again. A concurrent
    allocation of the same number makes the INSERT fail whole (the caller's transaction rolls
    back and can be retried); nothing is half-written."""
    if not requests:
        return []
    for province_code, sex, birth_year in set(requests):
        IdNumber.build(province_code, sex, birth_year, 0)
    numbers: list[IdNumber | None] = [None] * len(requests)
    taken: set[IdNumber] = set()
    for _ in range(MAX_ATTEMPTS):
        pending = [i for i, n in enumerate(numbers) if n is None]
        if not pending:
            break
        drawn = {i: IdNumber.build(*requests[i], _draw_serial()) for i in pending}
        for start in range(0, len(pending), 5000):
            chunk = [drawn[i] for i in pending[start : start + 5000]]
            taken.update(
                session.scalars(
                    select(IdNumberRecord.number).where(IdNumberRecord.number.in_(chunk))
                )
            )
        for i, number in drawn.items():
            if number not in taken:
                numbers[i] = number
                taken.add(number)
    if any(n is None for n in numbers):
        raise IdNumberRangeExhausted("no free ID numbers are left in one of the requested ranges")
    allocated = [n for n in numbers if n is not None]
    at = now()
    session.execute(
        insert(IdNumberRecord),
        [
            {
                "number": n,
                "province_code": n.province_code,
                "sex": n.sex,
                "birth_year": n.birth_year,
                "serial": n.serial,
                "status": ACTIVE,
                "allocated_at": at,
            }
            for n in allocated
        ],
    )
    return allocated


def taken(session: Session, numbers: list[IdNumber]) -> set[IdNumber]:
    """Which of ``numbers`` are already allocated (active or cancelled)."""
    found: set[IdNumber] = set()
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        found.update(
            session.scalars(select(IdNumberRecord.number).where(IdNumberRecord.number.in_(chunk)))
        )
    return found


def record_issued(session: Session, numbers: list[IdNumber]) -> None:
    """Enter numbers issued before the register held them (digitised legacy records), with the
    database's fast bulk path. The caller has checked they are not ``taken``."""
    at = bulk.timestamp(session, now())
    bulk.insert_rows(
        session,
        "id_numbers",
        ("number", "province_code", "sex", "birth_year", "serial", "status", "allocated_at"),
        [(str(n), n.province_code, n.sex, n.birth_year, n.serial, ACTIVE, at) for n in numbers],
    )
