"""The personal ID number (số định danh cá nhân) and the old 9-digit identity-card number.

Structure ``PPP G YY RRRRRR`` (Decree 137/2015 Art 13; Circular 07/2016 Art 7, carried into
Circular 59/2021): ``PPP`` where the birth was registered (province code, or a country code when
registered abroad), ``G`` century and sex, ``YY`` the last two digits of the birth year,
``RRRRRR`` a random range. There is no check digit, so only the parts can be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from dancu.idnumber.errors import InvalidIdNumber, InvalidOldIdNumber
from dancu.idnumber.tables import COUNTRY_CODE_RANGE, PROVINCES, country_name
from dancu.kit.clock import today

SEXES: Final = ("male", "female")
FIRST_YEAR: Final = 1900  # G = 0/1
LAST_YEAR: Final = 2399  # G = 8/9

_SEPARATORS = re.compile(r"[\s\-‐‑–]+")
_ASCII_DIGITS = frozenset("0123456789")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text)


def _check_digits(digits: str, *, length: int, what: str, error: type[InvalidIdNumber]) -> None:
    if len(digits) == length and digits.isascii() and digits.isdigit():
        return  # the common case, checked without building anything
    bad = sorted({ch for ch in digits if ch not in _ASCII_DIGITS})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:5])
        verb = "is not a digit" if len(bad) == 1 else "are not digits"
        raise error(
            f"{what} is {length} digits; {shown} {verb} (only spaces and dashes may "
            "separate the digits)",
            part="characters",
        )
    if len(digits) != length:
        given = "nothing was given" if not digits else f"{len(digits)} were given"
        raise error(f"{what} is {length} digits; {given}", part="length")


def _check_place(code: str) -> None:
    if code[0] == "0":
        if code not in PROVINCES:
            raise InvalidIdNumber(
                f"digits 1-3 ({code}) are not a province code: the 63 codes are 0 + the GSO code "
                "of a pre-2025 province (001 Hà Nội … 096 Cà Mau), and there is no province "
                f"{code[1:]}",
                part="province",
            )
    elif int(code) not in COUNTRY_CODE_RANGE:
        raise InvalidIdNumber(
            f"digits 1-3 ({code}) are neither a province code (0xx) nor a country code for a "
            "birth registered abroad (100-299)",
            part="country",
        )


def _check_birth_year(century_sex: str, yy: str) -> None:
    year = FIRST_YEAR + 100 * (int(century_sex) // 2) + int(yy)
    this_year = today().year
    if year <= this_year:
        return
    if year - int(yy) > this_year:
        raise InvalidIdNumber(
            f"digit 4 ({century_sex}, century and sex) means born in {year - int(yy)}-"
            f"{year - int(yy) + 99}, which has not begun",
            part="century_sex",
        )
    raise InvalidIdNumber(
        f"digits 5-6 ({yy}) give birth year {year}, which is in the future", part="birth_year"
    )


def _check(digits: str) -> None:
    _check_digits(digits, length=12, what="a personal ID number", error=InvalidIdNumber)
    _check_place(digits[:3])
    _check_birth_year(digits[3], digits[4:6])


@dataclass(frozen=True, order=True)
class IdNumber:
    """A valid 12-digit personal ID number; ``str()`` gives the 12 digits."""

    digits: str

    def __post_init__(self) -> None:
        _check(self.digits)

    @classmethod
    def parse(cls, text: str) -> IdNumber:
        """The number in ``text`` (12 digits, optionally separated by spaces or dashes)."""
        return cls(_compact(text))

    @classmethod
    def build(cls, province_code: str, sex: str, birth_year: int, serial: str | int) -> IdNumber:
        """The number for a birth registered at ``province_code`` (or country code), of ``sex``."""
        if sex not in SEXES:
            raise InvalidIdNumber(
                f"sex must be 'male' or 'female', not {sex!r}", part="sex", field="sex"
            )
        if not FIRST_YEAR <= birth_year <= min(LAST_YEAR, today().year):
            raise InvalidIdNumber(
                f"birth year {birth_year} is outside {FIRST_YEAR}-{today().year}",
                part="birth_year",
                field="birth_year",
            )
        code = _code_part(province_code)
        serial_text = _serial_part(serial)
        g = 2 * ((birth_year - FIRST_YEAR) // 100) + SEXES.index(sex)
        return cls(f"{code}{g}{birth_year % 100:02d}{serial_text}")

    @classmethod
    def from_storage(cls, digits: str) -> IdNumber:
        """A number read back from the database: checked once when stored, so only its shape now."""
        _check_digits(digits, length=12, what="a personal ID number", error=InvalidIdNumber)
        number = object.__new__(cls)
        object.__setattr__(number, "digits", digits)
        return number

    def __str__(self) -> str:
        return self.digits

    def formatted(self) -> str:
        """Grouped as printed: ``001 0 90 123456``."""
        d = self.digits
        return f"{d[:3]} {d[3]} {d[4:6]} {d[6:]}"

    @property
    def province_code(self) -> str:
        """Digits 1-3: the birth-registration province code, or the country code when abroad."""
        return self.digits[:3]

    @property
    def registered_abroad(self) -> bool:
        return self.digits[0] != "0"

    @property
    def province_name(self) -> str | None:
        """The pre-2025 province of birth registration (024 is old Bắc Giang); None when abroad."""
        return None if self.registered_abroad else PROVINCES[self.province_code]

    @property
    def country_name(self) -> str | None:
        return country_name(self.province_code) if self.registered_abroad else None

    @property
    def birth_registration_place(self) -> str:
        return self.country_name or self.province_name or ""

    @property
    def sex(self) -> str:
        return SEXES[int(self.digits[3]) % 2]

    @property
    def birth_century_start(self) -> int:
        """First year of the birth century: 1900 for G = 0/1, 2000 for G = 2/3, ..."""
        return FIRST_YEAR + 100 * (int(self.digits[3]) // 2)

    @property
    def century(self) -> int:
        """The ordinal century of birth: 20 for 1900-1999, 21 for 2000-2099 (20 + G // 2)."""
        return 20 + int(self.digits[3]) // 2

    @property
    def birth_year(self) -> int:
        return self.birth_century_start + int(self.digits[4:6])

    @property
    def serial(self) -> str:
        return self.digits[6:]


def _code_part(province_code: str) -> str:
    code = str(province_code)
    if len(code) != 3 or not set(code) <= _ASCII_DIGITS:
        raise InvalidIdNumber(
            f"province code must be 3 digits (e.g. 001), not {code!r}",
            part="province",
            field="province_code",
        )
    _check_place(code)
    return code


def _serial_part(serial: str | int) -> str:
    text = f"{serial:06d}" if isinstance(serial, int) and serial >= 0 else str(serial)
    if len(text) != 6 or not set(text) <= _ASCII_DIGITS:
        raise InvalidIdNumber(
            f"serial must be 6 digits, not {serial!r}", part="serial", field="serial"
        )
    return text


@dataclass(frozen=True, order=True)
class OldIdNumber:
    """An old identity-card (chứng minh nhân dân, CMND) number: 9 digits, no structure.

    Kept only as a secondary identifier (CMNDs stopped being usable after 31 Dec 2024).
    """

    digits: str

    def __post_init__(self) -> None:
        compact = self.digits
        if len(compact) == 12 and set(compact) <= _ASCII_DIGITS:
            raise InvalidOldIdNumber(
                "an old identity card (CMND) number is 9 digits; 12 digits is the form of a "
                "personal ID number (the 12-digit CMND used that structure): read it as IdNumber",
                part="length",
            )
        _check_digits(
            compact, length=9, what="an old identity card (CMND) number", error=InvalidOldIdNumber
        )

    @classmethod
    def parse(cls, text: str) -> OldIdNumber:
        return cls(_compact(text))

    def __str__(self) -> str:
        return self.digits
