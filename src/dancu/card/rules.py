"""What the law says about who gets a card, with which biometrics, valid until when.

Law on Identification 26/2023/QH15:
- Art. 19: a citizen from 14 must apply for a card; under 14 may, on request.
- Art. 16, 23: face, fingerprints and iris are collected from age 6; under 6 nothing is
  collected and the card carries no photo.
- Art. 21: the card is replaced at 14, 25, 40 and 60; a card issued (or replaced) within the
  two years before one of those ages stays valid until the next one; a card issued at 60 or
  later does not expire.

The printed expiry date is the holder's birthday at the next renewal age, as on issued cards
(born 2001-11-24: valid to 2026-11-24; see the MRZ samples in the domain facts). A birth date
known only in part counts from the first day it could be (the 1st of the month, or 1 January),
so the card expires no later than the law allows.
"""

from __future__ import annotations

from datetime import date

from dancu.card.errors import CardRuleViolation
from dancu.kit.partial_date import PartialDate

RENEWAL_AGES = (14, 25, 40, 60)
MANDATORY_AGE = 14
BIOMETRICS_AGE = 6
NO_EXPIRY_AGE = 60
GRACE_YEARS = 2


def reckoned_birth_date(birth: PartialDate) -> date:
    """The birth date the rules count from: unknown parts taken as the earliest possible."""
    return date(birth.year, birth.month or 1, birth.day or 1)


def birthday_at(birth: PartialDate, age: int) -> date:
    """The day the person turns ``age`` (29 February births: 28 February in common years)."""
    born = reckoned_birth_date(birth)
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 2, 28)


def age_on(birth: PartialDate, day: date) -> int:
    born = reckoned_birth_date(birth)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def expiry_date(birth: PartialDate, issued: date) -> date | None:
    """The last day of validity printed on a card issued on ``issued``; None: no expiry."""
    for index, age in enumerate(RENEWAL_AGES):
        milestone = birthday_at(birth, age)
        if issued >= milestone:
            continue
        if issued < _years_before(milestone, GRACE_YEARS):
            return milestone
        # Issued within two years of this milestone: valid to the next one.
        if index + 1 < len(RENEWAL_AGES):
            return birthday_at(birth, RENEWAL_AGES[index + 1])
        return None  # within two years of 60: no expiry
    return None  # issued at 60 or later


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def check_biometrics(
    birth: PartialDate, on: date, *, face: bool, fingerprints: bool, iris: bool
) -> None:
    """Refuse an intake whose biometrics do not match the applicant's age."""
    age = age_on(birth, on)
    if age < BIOMETRICS_AGE:
        if face or fingerprints or iris:
            raise CardRuleViolation(
                f"the applicant is {age}: no face photo, fingerprints or iris are collected "
                "under 6 (Law 26/2023 Art. 23); send the application without biometrics"
            )
        return
    missing = [
        name for name, given in (("face photo", face), ("fingerprints", fingerprints)) if not given
    ]
    if missing:
        raise CardRuleViolation(
            f"from age 6 the application needs the {' and '.join(missing)} "
            "(Law 26/2023 Art. 16, 23)"
        )


def is_mandatory(birth: PartialDate, on: date) -> bool:
    return age_on(birth, on) >= MANDATORY_AGE
