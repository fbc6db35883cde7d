"""What one card carries: the printed, MRZ, QR and chip data of a single issued card.

Built by the card service from the register at personalisation time and handed to the pure
encoders (``mrz``, ``qr``, ``chip``, ``render``), none of which touch the database. Text is NFC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from dancu.kit.partial_date import PartialDate

Sex = Literal["M", "F"]


@dataclass(frozen=True)
class CardData:
    card_number: str
    """The card's own serial (10 digits, unique per card, printed on the back); a person keeps
    their ID number across cards, a card number names one physical card."""
    id_number: str
    """The 12-digit personal identification number."""
    full_name: str
    """As registered, NFC, e.g. ``"Nguyễn Thị Minh Khai"``; the family name comes first."""
    birth_date: PartialDate
    """May be partial (year only, or year and month) for people registered from old files."""
    sex: Sex
    issue_date: date
    expiry_date: date | None
    """``None``: no expiry (cards issued at 60 or later)."""
    nationality: str = "VNM"
    """ISO 3166-1 alpha-3, as in the MRZ."""
    nationality_name: str = "Việt Nam"
    old_id_number: str | None = None
    """The 9-digit CMND number, where the person had one."""
    cancelled_id_numbers: tuple[str, ...] = ()
    """Personal ID numbers cancelled and replaced by ``id_number`` (2024 QR tail field)."""
    ethnicity: str | None = None
    religion: str | None = None
    hometown: str | None = None
    """Quê quán (place of origin)."""
    birth_registration_place: str | None = None
    """Nơi đăng ký khai sinh: printed on the 2024 card."""
    residence: str | None = None
    """Nơi cư trú, one line: ``"Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội"``."""
    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    identifying_marks: str | None = None
    issuing_authority: str = "Bộ Công an"
    face_jpeg: bytes | None = None
    """The face photo (JPEG). ``None`` for children under 6: their card has no photo."""
