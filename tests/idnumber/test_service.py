"""Allocation follows birth data; cancelled numbers are kept, linked and never reused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dancu.idnumber import IdNumber, InvalidIdNumber, service
from dancu.idnumber.errors import (
    CancelReasonMissing,
    IdNumberAlreadyCancelled,
    IdNumberNotFound,
    IdNumberRangeExhausted,
    ReplacementNotJustified,
)
from dancu.idnumber.models import IdNumberRecord


def _draws(monkeypatch: pytest.MonkeyPatch, *serials: int) -> None:
    """Make the random draw return ``serials`` in order (then keep returning the last one)."""
    values: Iterator[int] = iter(serials)
    last = serials[-1]
    monkeypatch.setattr(service, "_draw_serial", lambda: next(values, last))


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(IdNumberRecord)) or 0


def test_allocation_follows_birth_data(session: Session) -> None:
    number = service.allocate(session, province_code="024", sex="female", birth_year=2007)
    assert str(number).startswith("024307")
    assert (number.province_name, number.sex, number.birth_year) == ("Bắc Giang", "female", 2007)
    record = service.get(session, number)
    assert record.status == "active" and record.active
    assert (record.province_code, record.sex, record.birth_year, record.serial) == (
        "024",
        "female",
        2007,
        number.serial,
    )
    assert record.allocated_at.tzinfo is not None
    assert isinstance(record.number, IdNumber)


def test_allocation_for_a_birth_registered_abroad(session: Session) -> None:
    number = service.allocate(session, province_code="232", sex="male", birth_year=1988)
    assert number.registered_abroad and str(number).startswith("232088")


def test_bad_birth_data_is_refused_before_anything_is_written(session: Session) -> None:
    before = _count(session)
    with pytest.raises(InvalidIdNumber) as caught:
        service.allocate(session, province_code="003", sex="male", birth_year=1990)
    assert caught.value.part == "province"
    with pytest.raises(InvalidIdNumber):
        service.allocate(session, province_code="001", sex="x", birth_year=1990)
    assert _count(session) == before


def test_a_taken_serial_is_drawn_again_and_the_transaction_survives(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _draws(monkeypatch, 5, 5, 5, 7)
    first = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    second = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    assert (first.serial, second.serial) == ("000005", "000007")
    assert service.get(session, first).status == "active"  # rolled back only to the SAVEPOINT


def test_an_exhausted_range_gives_up_with_a_clear_error(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _draws(monkeypatch, 9)
    first = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    with pytest.raises(IdNumberRangeExhausted) as caught:
        service.allocate(session, province_code="001", sex="male", birth_year=1990)
    assert "001" in caught.value.detail and "1990" in caught.value.detail
    assert service.get(session, first).active
    # Another sex or year is another range: serial 9 is free there.
    other = service.allocate(session, province_code="001", sex="female", birth_year=1990)
    assert other.serial == "000009"


def test_cancel_and_replace_keeps_and_links_the_old_number(session: Session) -> None:
    old = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    new = service.cancel_and_replace(
        session,
        number=old,
        reason="sex re-determination",
        province_code="001",
        sex="female",
        birth_year=1990,
    )
    assert str(new).startswith("001190")
    old_record = service.get(session, old)
    assert old_record.status == "cancelled"
    assert old_record.cancel_reason == "sex re-determination"
    assert old_record.cancelled_at is not None
    assert old_record.replaced_by == new
    assert service.get(session, new).active
    assert service.current_number(session, old) == new
    assert service.current_number(session, new) == new


def test_history_is_the_whole_chain_oldest_first(session: Session) -> None:
    first = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    second = service.cancel_and_replace(
        session,
        number=first,
        reason="birth year corrected",
        province_code="001",
        sex="male",
        birth_year=1991,
    )
    third = service.cancel_and_replace(
        session,
        number=second,
        reason="place of birth registration corrected",
        province_code="079",
        sex="male",
        birth_year=1991,
    )
    for member in (first, second, third):
        assert [r.number for r in service.history(session, member)] == [first, second, third]
        assert service.current_number(session, member) == third
    assert service.history(session, third)[-1].active


def test_a_cancelled_number_cannot_be_cancelled_again(session: Session) -> None:
    old = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    new = service.cancel_and_replace(
        session,
        number=old,
        reason="year corrected",
        province_code="001",
        sex="male",
        birth_year=1992,
    )
    with pytest.raises(IdNumberAlreadyCancelled) as caught:
        service.cancel_and_replace(
            session, number=old, reason="again", province_code="001", sex="female", birth_year=1990
        )
    assert caught.value.code == "idnumber.already_cancelled"
    assert new.formatted() in caught.value.detail


def test_an_unknown_number_is_not_found(session: Session) -> None:
    unknown = IdNumber.parse("001090999999")
    with pytest.raises(IdNumberNotFound) as caught:
        service.get(session, unknown)
    assert caught.value.code == "idnumber.not_found"
    with pytest.raises(IdNumberNotFound):
        service.cancel_and_replace(
            session, number=unknown, reason="x", province_code="001", sex="female", birth_year=1990
        )
    with pytest.raises(IdNumberNotFound):
        service.history(session, unknown)


def test_replacement_needs_changed_birth_data_and_a_reason(session: Session) -> None:
    old = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    with pytest.raises(ReplacementNotJustified):
        service.cancel_and_replace(
            session, number=old, reason="typo", province_code="001", sex="male", birth_year=1990
        )
    with pytest.raises(CancelReasonMissing):
        service.cancel_and_replace(
            session, number=old, reason="  ", province_code="001", sex="female", birth_year=1990
        )
    assert service.get(session, old).active


def test_a_cancelled_number_is_never_allocated_again(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _draws(monkeypatch, 1, 2)
    old = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    service.cancel_and_replace(
        session,
        number=old,
        reason="sex re-determination",
        province_code="001",
        sex="female",
        birth_year=1990,
    )
    # The draw offers the cancelled serial first; it is taken, so another one is used.
    _draws(monkeypatch, 1, 3)
    again = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    assert again != old and again.serial == "000003"
    assert service.get(session, old).status == "cancelled"


def test_the_column_accepts_a_plain_string_in_queries(session: Session) -> None:
    number = service.allocate(session, province_code="001", sex="male", birth_year=1990)
    found = session.scalars(
        select(IdNumberRecord).where(IdNumberRecord.number == number.formatted())
    ).one()
    assert found.number == number


def test_allocate_many_gives_distinct_numbers_that_follow_the_birth_data(session: Session) -> None:
    already = service.allocate(session, province_code="079", sex="female", birth_year=1985)
    requests = [("079", "female", 1985)] * 300 + [("001", "male", 2010)] * 200
    numbers = service.allocate_many(session, requests)
    assert len(set(numbers)) == 500
    assert already not in numbers
    assert [(n.province_code, n.sex, n.birth_year) for n in numbers] == requests
    stored = session.scalar(
        select(func.count()).select_from(IdNumberRecord).where(IdNumberRecord.number.in_(numbers))
    )
    assert stored == 500
