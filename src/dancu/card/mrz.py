"""The machine readable zone on the back of the card: ICAO 9303 TD1, three lines of 30 characters.

Vietnamese layout (ICAO 9303 Part 5 TD1 with Vietnam's use of the optional data)::

    IDVNM093047064 1 001093047064 << 2      line 1: "ID", issuer, last 9 digits of the ID number,
                                            check digit, the full 12-digit ID number (optional
                                            data), "<<", check digit of the 12 digits
    930105 4 M 330105 2 VNM <<<<<<<<<<< 8   line 2: birth date, cd, sex, expiry, cd, nationality,
                                            11 fillers, composite check digit
    UNG<<HOANG<HIEP<<<<<<<<<<<<<<<          line 3: primary identifier << secondary identifier

Check digits (Part 3 §4.9): weights 7, 3, 1 repeating; ``0``-``9`` are their value, ``A``-``Z``
10-35, ``<`` 0; the sum mod 10. The composite digit covers line 1 positions 6-30 and line 2
positions 1-7, 9-15 and 19-29 (Part 5).

Dates are ``YYMMDD``. An unknown month or day of birth is written as fillers (``93<<<<``,
``9301<<``), which count as 0 in the check digit (Part 3). A card with no expiry (issued at 60 or
later) carries ``991231``; the parser reads ``991231`` back as "no expiry".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from dancu.card.data import CardData, Sex
from dancu.card.translit import FILLER, split_full_name, to_mrz
from dancu.kit import clock
from dancu.kit.errors import FieldError, InvalidInput
from dancu.kit.partial_date import PartialDate

WIDTH: Final = 30
DOCUMENT_CODE: Final = "ID"
ISSUER: Final = "VNM"
NO_EXPIRY: Final = "991231"
OPTIONAL_DATA_2: Final = FILLER * 11

_VALUES: Final = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}
_WEIGHTS: Final = (7, 3, 1)
_LINE: Final = re.compile(r"[A-Z0-9<]{30}")
_BIRTH: Final = re.compile(r"(\d\d)(?:(\d\d)(\d\d|<<)|<<<<)")
_DIGITS_12: Final = re.compile(r"\d{12}")


class MrzInvalid(InvalidInput):
    """An MRZ that cannot be built or read; ``field`` names the faulty part."""

    code = "card.mrz.invalid"
    title = "Invalid machine readable zone"

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail, errors=[FieldError(("mrz", field), detail, f"card.mrz.{field}")])
        self.field = field


class MrzCheckDigitMismatch(MrzInvalid):
    """A check digit disagrees with its data: misread, or altered. ``field`` is the data's name
    (``document_number``, ``id_number``, ``birth_date``, ``expiry_date``, ``composite``)."""

    code = "card.mrz.check_digit"


@dataclass(frozen=True)
class ParsedMrz:
    """What a TD1 MRZ of a Vietnamese card says, every check digit verified."""

    document_code: str
    issuer: str
    document_number: str
    """Line 1 positions 6-14: the last 9 digits of the ID number."""
    id_number: str
    birth_date: PartialDate
    sex: Sex
    expiry_date: date | None
    nationality: str
    primary_identifier: str
    """The family name in MRZ letters, components separated by spaces: ``"UNG"``."""
    secondary_identifier: str
    """``"HOANG HIEP"``; empty when the name has one component."""
    possibly_truncated: bool
    """Line 3 ends in a letter: the name filled the field and may have been cut (Part 3)."""
    lines: tuple[str, str, str]


def check_digit(data: str) -> str:
    """ICAO 9303 Part 3 §4.9 check digit of ``data`` (MRZ characters only)."""
    total = 0
    for i, ch in enumerate(data):
        value = _VALUES.get(ch)
        if value is None:
            raise ValueError(f"{ch!r} is not an MRZ character (A-Z, 0-9, <)")
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def composite_check_digit(line1: str, line2: str) -> str:
    """The TD1 composite check digit: line 1 positions 6-30, line 2 positions 1-7, 9-15, 19-29."""
    return check_digit(_composite_data(line1, line2))


def _composite_data(line1: str, line2: str) -> str:
    return line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]


def build_td1(card: CardData) -> tuple[str, str, str]:
    """The three MRZ lines of ``card`` in the Vietnamese TD1 layout (see the module docstring)."""
    id_number = _id_number(card.id_number)
    number = id_number[3:]
    line1 = f"{DOCUMENT_CODE}{ISSUER}{number}{check_digit(number)}{id_number}<<"
    line1 += check_digit(id_number)
    if card.sex not in ("M", "F"):
        raise MrzInvalid(f"sex must be M or F, not {card.sex!r}", field="sex")
    birth = birth_date_field(card.birth_date)
    expiry = NO_EXPIRY if card.expiry_date is None else card.expiry_date.strftime("%y%m%d")
    line2 = f"{birth}{check_digit(birth)}{card.sex}{expiry}{check_digit(expiry)}"
    line2 += _nationality(card.nationality) + OPTIONAL_DATA_2
    line2 += composite_check_digit(line1, line2)
    return line1, line2, name_line(card.full_name)


def mrz_text(card: CardData) -> str:
    """The content of ``mrz.txt``: the three lines, each ended by a newline."""
    return "".join(f"{line}\n" for line in build_td1(card))


def birth_date_field(birth_date: PartialDate) -> str:
    """``YYMMDD``, with the unknown month and/or day as fillers (``57<<<<``, ``5703<<``)."""
    month = FILLER * 2 if birth_date.month is None else f"{birth_date.month:02d}"
    day = FILLER * 2 if birth_date.day is None else f"{birth_date.day:02d}"
    return f"{birth_date.year % 100:02d}{month}{day}"


def name_line(full_name: str) -> str:
    """Line 3: ``PRIMARY<<SECONDARY<NAMES`` padded with fillers, or truncated to 30.

    Truncation (ICAO 9303 Part 3, names too long for the MRZ): characters are removed from the
    end of the secondary identifier's components, last component first, each kept to at least its
    initial; only then from the primary identifier's components the same way; a name that still
    does not fit is cut at 30. Removal stops exactly at 30 characters, so a truncated line ends in
    a letter at position 30 — the mark ICAO readers take as "possibly truncated" — whereas a
    name that fits leaves at least one trailing filler unless it is exactly 30 long.
    """
    family, given = split_full_name(full_name)
    primary = [c for c in to_mrz(family).split(FILLER) if c]
    secondary = [c for c in to_mrz(given).split(FILLER) if c]
    if not primary:
        raise MrzInvalid(
            f"the name {full_name!r} has no letter that can be written in the MRZ", field="name"
        )
    excess = len(_join_name(primary, secondary)) - WIDTH
    excess = _shorten_components(secondary, excess)
    _shorten_components(primary, excess)
    return _join_name(primary, secondary)[:WIDTH].ljust(WIDTH, FILLER)


def _join_name(primary: list[str], secondary: list[str]) -> str:
    text = FILLER.join(primary)
    return f"{text}{FILLER * 2}{FILLER.join(secondary)}" if secondary else text


def _shorten_components(components: list[str], excess: int) -> int:
    """Cut ``excess`` characters off ``components`` (in place), last first, down to initials."""
    for i in reversed(range(len(components))):
        if excess <= 0:
            break
        cut = min(excess, len(components[i]) - 1)
        components[i] = components[i][: len(components[i]) - cut]
        excess -= cut
    return excess


def _id_number(value: str) -> str:
    if not _DIGITS_12.fullmatch(value):
        raise MrzInvalid(f"the ID number must be 12 digits, not {value!r}", field="id_number")
    return value


def _nationality(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise MrzInvalid(
            f"nationality must be an ICAO 3-letter code such as VNM, not {value!r}",
            field="nationality",
        )
    return value


def parse_td1(lines: str | Sequence[str], *, today: date | None = None) -> ParsedMrz:
    """Read a Vietnamese TD1 MRZ, verifying every check digit and the layout.

    ``lines``: the three lines, or text holding them (such as ``mrz.txt``). Two-digit years are
    resolved against ``today`` (default: the clock): the birth century comes from the ID number's
    century digit when its year digits agree with the MRZ, otherwise the birth date is taken as
    the latest one not after ``today``; an expiry is taken within 50 years either side of
    ``today`` (cards last at most ~27 years, and an expired card must still read correctly).
    Raises ``MrzCheckDigitMismatch`` naming the failing check digit, or ``MrzInvalid``.
    """
    line1, line2, line3 = _split_lines(lines)
    _verify_check_digits(line1, line2)
    id_number = _read_line1(line1)
    reference = today or clock.today()
    birth_date, sex, expiry_date = _read_line2(line2, id_number, reference)
    primary, secondary = _read_name(line3)
    return ParsedMrz(
        document_code=line1[0:2],
        issuer=line1[2:5],
        document_number=line1[5:14],
        id_number=id_number,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
        nationality=line2[15:18],
        primary_identifier=primary,
        secondary_identifier=secondary,
        possibly_truncated=line3[-1] != FILLER,
        lines=(line1, line2, line3),
    )


def _split_lines(lines: str | Sequence[str]) -> tuple[str, str, str]:
    found = lines.split() if isinstance(lines, str) else [line.strip() for line in lines]
    if len(found) != 3:
        raise MrzInvalid(f"a TD1 MRZ has 3 lines; {len(found)} were given", field="lines")
    for number, line in enumerate(found, start=1):
        if not _LINE.fullmatch(line):
            raise MrzInvalid(
                f"line {number} must be 30 characters of A-Z, 0-9 and <, not {line!r}",
                field=f"line_{number}",
            )
    return found[0], found[1], found[2]


def _verify_check_digits(line1: str, line2: str) -> None:
    checks = (
        ("document_number", "line 1 position 15", line1[5:14], line1[14]),
        ("id_number", "line 1 position 30", line1[15:27], line1[29]),
        ("birth_date", "line 2 position 7", line2[0:6], line2[6]),
        ("expiry_date", "line 2 position 15", line2[8:14], line2[14]),
        ("composite", "line 2 position 30", _composite_data(line1, line2), line2[29]),
    )
    for field, where, data, found in checks:
        expected = check_digit(data)
        if found != expected:
            raise MrzCheckDigitMismatch(
                f"check digit of {field.replace('_', ' ')} ({where}) is {found!r}, but the data "
                f"gives {expected}: the MRZ was misread or altered",
                field=field,
            )


def _read_line1(line1: str) -> str:
    """The 12-digit ID number, once line 1's fixed parts and its two copies of it agree."""
    if line1[0:2] != DOCUMENT_CODE or line1[2:5] != ISSUER:
        raise MrzInvalid(
            f"line 1 must start with IDVNM (identity card issued by Viet Nam), not {line1[:5]!r}",
            field="document_code" if line1[0:2] != DOCUMENT_CODE else "issuer",
        )
    id_number = line1[15:27]
    if not _DIGITS_12.fullmatch(id_number) or line1[27:29] != FILLER * 2:
        raise MrzInvalid(
            f"line 1 positions 16-29 must be the 12-digit ID number and <<, not {line1[15:29]!r}",
            field="id_number",
        )
    if line1[5:14] != id_number[3:]:
        raise MrzInvalid(
            f"document number {line1[5:14]!r} is not the last 9 digits of ID number {id_number}",
            field="document_number",
        )
    return id_number


def _read_line2(line2: str, id_number: str, today: date) -> tuple[PartialDate, Sex, date | None]:
    birth_date = _read_birth(line2[0:6], id_number, today)
    sex = line2[7]
    if sex not in ("M", "F"):
        raise MrzInvalid(f"sex (line 2 position 8) must be M or F, not {sex!r}", field="sex")
    expiry_date = _read_expiry(line2[8:14], today)
    if expiry_date is not None and expiry_date <= birth_date.earliest():
        raise MrzInvalid(f"expiry {expiry_date} is not after birth", field="expiry_date")
    if not re.fullmatch(r"[A-Z]{3}", line2[15:18]):
        raise MrzInvalid(f"nationality {line2[15:18]!r} is not 3 letters", field="nationality")
    if line2[18:29] != OPTIONAL_DATA_2:
        raise MrzInvalid(
            f"line 2 positions 19-29 must be fillers, not {line2[18:29]!r}", field="optional_data"
        )
    return birth_date, "M" if sex == "M" else "F", expiry_date


def _read_birth(field: str, id_number: str, today: date) -> PartialDate:
    match = _BIRTH.fullmatch(field)
    if match is None:
        raise MrzInvalid(
            f"birth date must be YYMMDD (<< for an unknown month or day), not {field!r}",
            field="birth_date",
        )
    yy, mm, dd = match.groups()
    if id_number[4:6] == yy:  # the ID number's digit 4 encodes the century of birth
        year = 1900 + 100 * (int(id_number[3]) // 2) + int(yy)
    else:
        year = today.year // 100 * 100 + int(yy)
        year = year if year <= today.year else year - 100
    try:
        birth = PartialDate(year, int(mm) if mm else None, None if dd in (None, "<<") else int(dd))
    except ValueError as exc:
        raise MrzInvalid(f"birth date {field!r}: {exc}", field="birth_date") from None
    if birth.earliest() > today:
        raise MrzInvalid(f"birth date {birth} is after {today}", field="birth_date")
    return birth


def _read_expiry(field: str, today: date) -> date | None:
    if field == NO_EXPIRY:
        return None
    year = today.year // 100 * 100 + int(field[0:2]) if field.isdigit() else 0
    if year > today.year + 49:
        year -= 100
    elif year < today.year - 50:
        year += 100
    try:
        if not field.isdigit():
            raise ValueError(field)
        return date(year, int(field[2:4]), int(field[4:6]))
    except ValueError:
        raise MrzInvalid(
            f"expiry date {field!r} is not a YYMMDD date", field="expiry_date"
        ) from None


def _read_name(line3: str) -> tuple[str, str]:
    name = line3.rstrip(FILLER)
    primary, _, secondary = name.partition(FILLER * 2)
    if not re.fullmatch(r"[A-Z]+(<[A-Z]+)*", primary) or (
        secondary and not re.fullmatch(r"[A-Z]+(<[A-Z]+)*", secondary)
    ):
        raise MrzInvalid(
            f"line 3 must be SURNAME<<GIVEN<NAMES in letters A-Z, not {line3!r}", field="name"
        )
    return primary.replace(FILLER, " "), secondary.replace(FILLER, " ")
