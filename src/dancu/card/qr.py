"""The card's QR code: ``|``-separated UTF-8 text (NFC), encoded in byte mode.

2021 layout (CCCD gắn chip, Circular 06/2021/TT-BCA), 7 fields::

    ID12|CMND9|Full name|DDMMYYYY birth|Nam/Nữ|residence|DDMMYYYY issue
    001090123456|012345678|Nguyễn Văn A|01011990|Nam|Phường …, TP. Hồ Chí Minh|15042021

2024 layout (thẻ căn cước, Circular 16/2024/TT-BCA). Public summaries list the same data plus
"cancelled ID numbers (if any)" and "parents' names (children's cards)", but the exact order is
unconfirmed. Our choice, stable by position so that 2021 readers still read the first 7 fields:

    fields 1-7   as in 2021
    field 8      cancelled personal ID numbers, comma-separated (``001090123456,001090654321``)
    field 9      father's full name   } only on the card of a child under 14 on the issue date;
    field 10     mother's full name   } otherwise empty

The builder always writes all 10 fields of the 2024 layout (empty where absent), so the layout is
told by the field count: 7 is 2021, more is 2024. The parser takes the tail fields by position,
treats missing ones as empty and keeps any beyond the 10th in ``QrData.extra``.

An empty CMND field means the person never had a 9-digit card. A birth date known only in part is
written with zeros for the unknown parts: ``00MMYYYY`` (day unknown), ``0000YYYY`` (only the year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import segno

from dancu.card.data import CardData, Sex
from dancu.idnumber import IdNumber, InvalidIdNumber
from dancu.kit.errors import FieldError, InvalidInput
from dancu.kit.partial_date import PartialDate
from dancu.kit.text import has_control_chars, nfc

Layout = Literal["2021", "2024"]

SEPARATOR: Final = "|"
LIST_SEPARATOR: Final = ","
FIELDS_2021: Final = 7
FIELDS_2024: Final = 10
CHILD_AGE: Final = 14
SEX_WORDS: Final[dict[Sex, str]] = {"M": "Nam", "F": "Nữ"}

_SEX_READ: Final[dict[str, Sex]] = {"nam": "M", "nữ": "F", "nu": "F"}
_DATE: Final = re.compile(r"(\d\d)(\d\d)(\d{4})")
_OLD_ID: Final = re.compile(r"\d{9}|\d{12}")
_NAMES: Final = (
    "id_number",
    "old_id_number",
    "full_name",
    "birth_date",
    "sex",
    "residence",
    "issue_date",
    "cancelled_id_numbers",
    "father_name",
    "mother_name",
)


class QrInvalid(InvalidInput):
    """A QR payload that cannot be built or read; ``field`` names the faulty field."""

    code = "card.qr.invalid"
    title = "Invalid card QR code"

    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail, errors=[FieldError(("qr", field), detail, f"card.qr.{field}")])
        self.field = field


@dataclass(frozen=True)
class QrData:
    """What a card's QR says. Text is NFC; optional fields that were empty are ``None``/``()``."""

    layout: Layout
    id_number: str
    old_id_number: str | None
    full_name: str
    birth_date: PartialDate
    sex: Sex
    residence: str | None
    issue_date: date
    cancelled_id_numbers: tuple[str, ...] = ()
    father_name: str | None = None
    mother_name: str | None = None
    extra: tuple[str, ...] = ()
    """Fields past the 10th, kept verbatim for a layout newer than this reader."""


def build_qr_payload(card: CardData, layout: Layout = "2024") -> str:
    """The QR text of ``card`` in ``layout`` (see the module docstring for both layouts).

    Text fields are NFC with white space collapsed. Raises ``QrInvalid`` naming the field when a
    value could not be read back (a ``|`` in a name, an ID number that cannot exist, ...).
    """
    if layout not in ("2021", "2024"):
        raise ValueError(f"layout must be '2021' or '2024', not {layout!r}")
    fields = [
        card.id_number,
        card.old_id_number or "",
        card.full_name,
        format_birth_date(card.birth_date),
        SEX_WORDS[card.sex],
        card.residence or "",
        card.issue_date.strftime("%d%m%Y"),
    ]
    if layout == "2024":
        child = _age_on(card.birth_date, card.issue_date) < CHILD_AGE
        fields += [
            LIST_SEPARATOR.join(card.cancelled_id_numbers),
            (card.father_name or "") if child else "",
            (card.mother_name or "") if child else "",
        ]
    payload = SEPARATOR.join(
        _clean(value, field) for value, field in zip(fields, _NAMES[: len(fields)], strict=True)
    )
    parse_qr(payload)  # refuse here, with the field named, what no reader could read back
    return payload


def format_birth_date(birth_date: PartialDate) -> str:
    """``DDMMYYYY``; an unknown day or month is ``00`` (``00031957``, ``00001957``)."""
    return f"{birth_date.day or 0:02d}{birth_date.month or 0:02d}{birth_date.year:04d}"


def qr_bytes(payload: str) -> bytes:
    """The bytes the QR symbol carries: the NFC payload in UTF-8, no BOM, no ECI."""
    return payload.encode("utf-8")


def make_qr(payload: str) -> segno.QRCode:
    """A QR symbol of ``payload``: byte mode, UTF-8, error correction level M (ISO/IEC 18004)."""
    return segno.make(
        payload, error="m", mode="byte", encoding="utf-8", micro=False, boost_error=False
    )


def parse_qr(payload: str | bytes) -> QrData:
    """Read a card QR of either layout (7 fields: 2021; more: 2024, see the module docstring).

    Tolerates an empty CMND field, surrounding white space and a trailing newline; text is
    normalised to NFC. Every field is checked and a refusal names the field.
    """
    fields = _split(payload)
    birth_date = parse_birth_date(fields[3])
    issue_date = _parse_date(fields[6], "issue_date")
    if issue_date < birth_date.earliest():
        raise QrInvalid(
            f"issue date {issue_date} is before birth ({birth_date})", field="issue_date"
        )
    tail = [*fields[FIELDS_2021:FIELDS_2024], "", "", ""]
    return QrData(
        layout="2021" if len(fields) == FIELDS_2021 else "2024",
        id_number=_parse_id_number(fields[0], "id_number"),
        old_id_number=_parse_old_id_number(fields[1]),
        full_name=_required(fields[2], "full_name"),
        birth_date=birth_date,
        sex=_parse_sex(fields[4]),
        residence=fields[5] or None,
        issue_date=issue_date,
        cancelled_id_numbers=tuple(
            _parse_id_number(number.strip(), "cancelled_id_numbers")
            for number in tail[0].split(LIST_SEPARATOR)
            if number.strip()
        ),
        father_name=tail[1] or None,
        mother_name=tail[2] or None,
        extra=tuple(fields[FIELDS_2024:]),
    )


def parse_birth_date(text: str) -> PartialDate:
    """A ``DDMMYYYY`` birth date, ``00`` standing for an unknown day or month."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise QrInvalid(f"birth date must be DDMMYYYY, not {text!r}", field="birth_date")
    day, month, year = (int(part) for part in match.groups())
    if month == 0 and day != 0:
        raise QrInvalid(f"birth date {text!r} has a day but no month", field="birth_date")
    try:
        return PartialDate(year, month or None, day or None)
    except ValueError as exc:
        raise QrInvalid(f"birth date {text!r}: {exc}", field="birth_date") from None


def _split(payload: str | bytes) -> list[str]:
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise QrInvalid("the QR payload is not UTF-8 text", field="payload") from None
    fields = [nfc(field) for field in payload.removeprefix("\ufeff").strip().split(SEPARATOR)]
    if len(fields) < FIELDS_2021:
        raise QrInvalid(
            f"a card QR holds at least {FIELDS_2021} fields separated by '|'; found "
            f"{len(fields)}: this is not a Vietnamese identity card QR code",
            field="payload",
        )
    return fields


def _parse_date(text: str, field: str) -> date:
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    except ValueError:
        raise QrInvalid(
            f"{field.replace('_', ' ')} must be a DDMMYYYY date, not {text!r}", field=field
        ) from None


def _parse_id_number(text: str, field: str) -> str:
    try:
        return IdNumber(text).digits
    except InvalidIdNumber as exc:
        raise QrInvalid(f"{field.replace('_', ' ')} {text!r}: {exc.detail}", field=field) from None


def _parse_old_id_number(text: str) -> str | None:
    # 9 digits (CMND); the 12-digit CMND of 2012-2016 is accepted too, as real cards may carry it.
    if text and not _OLD_ID.fullmatch(text):
        raise QrInvalid(
            f"old ID (CMND) number must be 9 digits or empty, not {text!r}", field="old_id_number"
        )
    return text or None


def _parse_sex(text: str) -> Sex:
    sex = _SEX_READ.get(text.casefold())
    if sex is None:
        raise QrInvalid(f"sex must be 'Nam' or 'Nữ', not {text!r}", field="sex")
    return sex


def _required(text: str, field: str) -> str:
    if not text:
        raise QrInvalid(f"{field.replace('_', ' ')} is empty", field=field)
    return text


def _clean(value: str, field: str) -> str:
    text = nfc(value)
    if SEPARATOR in text or has_control_chars(text):
        raise QrInvalid(
            f"{field.replace('_', ' ')} {text!r} contains '|' or a control character, which the "
            "QR code cannot carry",
            field=field,
        )
    return text


def _age_on(birth_date: PartialDate, day: date) -> int:
    """Age in whole years on ``day``, taking the latest possible birth for a partial date."""
    born = birth_date.latest()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
