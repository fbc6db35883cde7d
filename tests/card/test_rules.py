"""The law's ages: validity at each renewal age and its two-year grace, biometrics by age."""

from __future__ import annotations

from datetime import date

import pytest

from dancu.card import rules
from dancu.card.errors import CardRuleViolation
from dancu.kit.partial_date import PartialDate

BORN = PartialDate(2001, 11, 24)


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        # Before 14: valid to the 14th birthday, unless issued within two years of it.
        (date(2010, 1, 1), date(2015, 11, 24)),
        (date(2013, 11, 23), date(2015, 11, 24)),  # 2 years and a day before 14
        (date(2013, 11, 24), date(2026, 11, 24)),  # exactly 2 years before 14: to 25
        (date(2015, 11, 23), date(2026, 11, 24)),  # the day before 14: to 25
        # At 14 exactly: the 14 milestone is reached, valid to 25.
        (date(2015, 11, 24), date(2026, 11, 24)),
        (date(2024, 11, 23), date(2026, 11, 24)),  # 2 years and a day before 25
        (date(2024, 11, 24), date(2041, 11, 24)),  # within 2 years of 25: to 40
        (date(2026, 11, 24), date(2041, 11, 24)),  # at 25
        (date(2039, 11, 23), date(2041, 11, 24)),
        (date(2039, 11, 24), date(2061, 11, 24)),  # within 2 years of 40: to 60
        (date(2041, 11, 24), date(2061, 11, 24)),  # at 40
        (date(2059, 11, 23), date(2061, 11, 24)),
    ],
)
def test_expiry_at_each_renewal_age_and_grace(issued: date, expires: date) -> None:
    assert rules.expiry_date(BORN, issued) == expires


@pytest.mark.parametrize(
    "issued", [date(2059, 11, 24), date(2061, 11, 23), date(2061, 11, 24), date(2080, 1, 1)]
)
def test_no_expiry_within_two_years_of_60_and_after(issued: date) -> None:
    assert rules.expiry_date(BORN, issued) is None


def test_partial_birth_dates_count_from_the_earliest_day() -> None:
    assert rules.expiry_date(PartialDate(1990), date(2010, 6, 1)) == date(2015, 1, 1)
    assert rules.expiry_date(PartialDate(1990, 7), date(2010, 6, 1)) == date(2015, 7, 1)


def test_29_february_birthdays() -> None:
    leap = PartialDate(2004, 2, 29)
    assert rules.birthday_at(leap, 25) == date(2029, 2, 28)
    assert rules.age_on(leap, date(2018, 2, 28)) == 13
    assert rules.age_on(leap, date(2018, 3, 1)) == 14


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(2015, 11, 23), 13),
        (date(2015, 11, 24), 14),
        (date(2007, 11, 23), 5),
        (date(2007, 11, 24), 6),
    ],
)
def test_age(on: date, age: int) -> None:
    assert rules.age_on(BORN, on) == age


def test_no_biometrics_under_6() -> None:
    rules.check_biometrics(BORN, date(2007, 11, 23), face=False, fingerprints=False, iris=False)
    with pytest.raises(CardRuleViolation, match="under 6"):
        rules.check_biometrics(BORN, date(2007, 11, 23), face=True, fingerprints=False, iris=False)


def test_face_and_fingerprints_from_6() -> None:
    rules.check_biometrics(BORN, date(2007, 11, 24), face=True, fingerprints=True, iris=False)
    with pytest.raises(CardRuleViolation, match="face photo and fingerprints"):
        rules.check_biometrics(BORN, date(2007, 11, 24), face=False, fingerprints=False, iris=True)
    with pytest.raises(CardRuleViolation, match="fingerprints"):
        rules.check_biometrics(BORN, date(2030, 1, 1), face=True, fingerprints=False, iris=True)


def test_mandatory_from_14() -> None:
    assert not rules.is_mandatory(BORN, date(2015, 11, 23))
    assert rules.is_mandatory(BORN, date(2015, 11, 24))
