"""Layout of the 2024 identity card ("thẻ căn cước"): where each printed item goes.

Geometry and text fitting only, no painting: ``render`` paints what this module places, and tests
check the placed boxes (everything inside the card, nothing overlapping) without reading pixels.
Coordinates are pixels on an ID-1 card (ISO/IEC 7810, 85.60 × 53.98 mm) at 300 dpi. Fonts are the
DejaVu files shipped in ``card/assets`` (never system fonts) with Pillow's basic layout engine, so
measurements are the same on every machine.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from importlib.resources import files
from io import BytesIO
from typing import Literal

from PIL import ImageFont

from dancu.card.data import CardData
from dancu.kit.partial_date import PartialDate

DPI = 300
WIDTH = 1012  # 85.60 mm
HEIGHT = 638  # 53.98 mm
CORNER_RADIUS = 38  # 3.18 mm (ISO/IEC 7810)
EDGE = 30  # printing keeps this far from the edges

Face = Literal["sans", "bold", "mono"]
Box = tuple[int, int, int, int]
RGB = tuple[int, int, int]

INK: RGB = (22, 26, 38)
LABEL: RGB = (46, 64, 96)
RED: RGB = (196, 22, 38)

EMBLEM_BOX: Box = (50, 44, 190, 184)
PHOTO_BOX: Box = (48, 214, 268, 507)  # 3:4, about 18.6 × 24.8 mm
FRONT_COLUMN = (304, WIDTH - EDGE - 14)  # x range of the front fields
HEADER_COLUMN = (206, WIDTH - EDGE - 10)

CHIP_BOX: Box = (50, 46, 186, 152)  # ISO/IEC 7816 contact pad, about 11.5 × 9 mm
QR_TOP_RIGHT = (WIDTH - 40, 40)
QR_MAX_SIDE = 236  # 20 mm
QR_QUIET = 4  # modules of white around the symbol (ISO/IEC 18004)
MRZ_TOP = 440
MRZ_FACE_SIZE = 42  # DejaVu Sans Mono: 25.3 px (2.1 mm) pitch, 2.6 mm capitals; ICAO OCR-B 2.54 mm
MRZ_LINE_PITCH = 50
MRZ_LENGTH = 30  # TD1

_FONT_FILES: dict[Face, str] = {
    "sans": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "mono": "DejaVuSansMono.ttf",
}


@cache
def _font_bytes(face: Face) -> bytes:
    return (files("dancu.card") / "assets" / _FONT_FILES[face]).read_bytes()


@lru_cache(maxsize=128)
def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        BytesIO(_font_bytes(face)), size, layout_engine=ImageFont.Layout.BASIC
    )


def text_width(text: str, face: Face, size: int) -> float:
    return font(face, size).getlength(text)


@dataclass(frozen=True)
class Run:
    """One line of text, placed by the left end of its baseline."""

    text: str
    face: Face
    size: int
    x: int
    y: int
    fill: RGB = INK

    @property
    def bbox(self) -> Box:
        left, top, right, bottom = font(self.face, self.size).getbbox(self.text, anchor="ls")
        return (
            self.x + math.floor(left),
            self.y + math.floor(top),
            self.x + math.ceil(right),
            self.y + math.ceil(bottom),
        )


@dataclass
class Layout:
    runs: list[Run] = field(default_factory=list)
    boxes: dict[str, Box] = field(default_factory=dict)
    """Named non-text areas: ``emblem``, ``photo``, ``chip``, ``qr``, ``mrz``."""


# --- text fitting -------------------------------------------------------------------------------


def _break_word(word: str, face: Face, size: int, width: int) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and text_width(current + char, face, size) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current]


def wrap(text: str, face: Face, size: int, width: int) -> list[str]:
    """Greedy word wrap; a word longer than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, face, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        *full, current = _break_word(word, face, size, width)
        lines.extend(full)
    return [*lines, current] if current else lines


def _ellipsize(line: str, face: Face, size: int, width: int) -> str:
    while line and text_width(line + "…", face, size) > width:
        line = line[:-1]
    return line.rstrip() + "…"


def fit(
    text: str, face: Face, *, sizes: tuple[int, int], width: int, max_lines: int
) -> tuple[int, list[str]]:
    """The largest size in ``sizes`` (largest, smallest) at which ``text`` wraps into
    ``max_lines``; at the smallest size what still does not fit is cut with an ellipsis."""
    largest, smallest = sizes
    for size in range(largest, smallest - 1, -1):
        lines = wrap(text, face, size, width)
        if len(lines) <= max_lines:
            return size, lines
    lines = wrap(text, face, smallest, width)
    return smallest, [
        *lines[: max_lines - 1],
        _ellipsize(lines[max_lines - 1], face, smallest, width),
    ]


@dataclass
class Column:
    """Stacks lines of text downwards between ``x`` and ``x + width``, from ``top``."""

    layout: Layout
    x: int
    width: int
    top: int

    def line(
        self, text: str, face: Face, size: int, *, fill: RGB = INK, centre: bool = False
    ) -> None:
        ascent, descent = font(face, size).getmetrics()
        baseline = self.top + ascent
        x = self.x
        if centre:
            x += round((self.width - text_width(text, face, size)) / 2)
        self.layout.runs.append(Run(text, face, size, x, baseline, fill))
        self.top = baseline + descent

    def block(self, text: str, face: Face, *, sizes: tuple[int, int], max_lines: int) -> None:
        size, lines = fit(text, face, sizes=sizes, width=self.width, max_lines=max_lines)
        for line in lines:
            self.line(line, face, size)

    def pairs(self, *items: tuple[str, str], label_size: int, value_size: int) -> None:
        """Label-value pairs side by side on one baseline, each in an equal share of the width."""
        share = self.width // len(items)
        ascent = max(
            font("sans", label_size).getmetrics()[0], font("bold", value_size).getmetrics()[0]
        )
        descent = font("bold", value_size).getmetrics()[1]
        baseline = self.top + ascent
        for index, (label, value) in enumerate(items):
            x = self.x + index * share
            self.layout.runs.append(Run(label, "sans", label_size, x, baseline, LABEL))
            value_x = x + math.ceil(text_width(label, "sans", label_size)) + 10
            room = x + share - value_x - (10 if index < len(items) - 1 else 0)
            size, lines = fit(value, "bold", sizes=(value_size, 14), width=room, max_lines=1)
            self.layout.runs.append(Run(lines[0], "bold", size, value_x, baseline))
        self.top = baseline + descent

    def label(self, text: str) -> None:
        self.line(text, "sans", 18, fill=LABEL)

    def gap(self, pixels: int) -> None:
        self.top += pixels


# --- printed values -----------------------------------------------------------------------------


def format_partial_date(value: PartialDate) -> str:
    """DD/MM/YYYY; a partial date prints what is known (MM/YYYY or YYYY)."""
    if value.month is None:
        return f"{value.year:04d}"
    if value.day is None:
        return f"{value.month:02d}/{value.year:04d}"
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_date(value: date | None) -> str:
    return "Không thời hạn" if value is None else value.strftime("%d/%m/%Y")


def printed_name(full_name: str) -> str:
    return unicodedata.normalize("NFC", full_name.upper())


def sex_name(card: CardData) -> str:
    return "Nam" if card.sex == "M" else "Nữ"


# --- front --------------------------------------------------------------------------------------

_HEADER: tuple[tuple[str, Face, int, RGB, int], ...] = (
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", 27, INK, 2),
    ("SOCIALIST REPUBLIC OF VIET NAM", "sans", 17, INK, 6),
    ("Độc lập - Tự do - Hạnh phúc", "bold", 22, INK, 2),
    ("Independence - Freedom - Happiness", "sans", 16, INK, 16),
    ("CĂN CƯỚC", "bold", 46, RED, 2),
    ("IDENTITY CARD", "bold", 20, RED, 0),
)


def _header(layout: Layout) -> None:
    x0, x1 = HEADER_COLUMN
    column = Column(layout, x0, x1 - x0, 40)
    for text, face, size, fill, gap in _HEADER:
        column.line(text, face, size, fill=fill, centre=True)
        column.gap(gap)


def front_layout(card: CardData) -> Layout:
    """The front: emblem, national header, title, photo (none under 6) and the printed fields."""
    layout = Layout(boxes={"emblem": EMBLEM_BOX})
    if card.face_jpeg is not None:
        layout.boxes["photo"] = PHOTO_BOX
    _header(layout)
    x0, x1 = FRONT_COLUMN
    column = Column(layout, x0, x1 - x0, 284)
    column.label("Số định danh cá nhân / Personal identification number:")
    column.gap(4)
    column.line(card.id_number, "bold", 40, fill=RED)
    column.gap(20)
    column.label("Họ, chữ đệm và tên khai sinh / Full name:")
    column.gap(4)
    column.block(printed_name(card.full_name), "bold", sizes=(30, 18), max_lines=2)
    column.gap(22)
    column.pairs(
        ("Ngày sinh / Date of birth:", format_partial_date(card.birth_date)),
        label_size=18,
        value_size=24,
    )
    column.gap(20)
    column.pairs(
        ("Giới tính / Sex:", sex_name(card)),
        ("Quốc tịch / Nationality:", card.nationality_name),
        label_size=18,
        value_size=24,
    )
    return layout


# --- back ---------------------------------------------------------------------------------------


def qr_scale(modules: int) -> int:
    """Whole pixels per module (crisp edges decode best), as large as the QR area allows."""
    scale = QR_MAX_SIDE // (modules + 2 * QR_QUIET)
    if scale < 2:
        raise ValueError(
            f"a {modules}-module QR code does not fit on the card; shorten the QR payload"
        )
    return scale


def _qr_box(modules: int) -> Box:
    side = (modules + 2 * QR_QUIET) * qr_scale(modules)
    right, top = QR_TOP_RIGHT
    return (right - side, top, right, top + side)


def _mrz(layout: Layout, mrz_lines: tuple[str, str, str]) -> None:
    for line in mrz_lines:
        if len(line) != MRZ_LENGTH:
            raise ValueError(f"MRZ line {line!r} is not {MRZ_LENGTH} characters (ICAO TD1)")
    x = round((WIDTH - text_width("<" * MRZ_LENGTH, "mono", MRZ_FACE_SIZE)) / 2)
    first = MRZ_TOP + 62
    for index, line in enumerate(mrz_lines):
        layout.runs.append(Run(line, "mono", MRZ_FACE_SIZE, x, first + index * MRZ_LINE_PITCH))


def back_layout(card: CardData, *, mrz_lines: tuple[str, str, str], qr_modules: int) -> Layout:
    """The back: chip, issuer and card number, QR top right, the printed fields, MRZ at the foot.

    ``qr_modules`` is the QR symbol's side in modules, without its quiet zone."""
    qr_box = _qr_box(qr_modules)
    layout = Layout(boxes={"chip": CHIP_BOX, "qr": qr_box, "mrz": (0, MRZ_TOP, WIDTH, HEIGHT)})
    issuer_x = CHIP_BOX[2] + 28
    issuer = Column(layout, issuer_x, qr_box[0] - 24 - issuer_x, CHIP_BOX[1] + 4)
    issuer.line(card.issuing_authority.upper(), "bold", 30)
    issuer.line("MINISTRY OF PUBLIC SECURITY", "sans", 17, fill=LABEL)
    issuer.gap(12)
    issuer.pairs(("Số thẻ / Card No.:", card.card_number), label_size=17, value_size=22)

    column = Column(layout, CHIP_BOX[0], qr_box[0] - 24 - CHIP_BOX[0], 176)
    column.label("Nơi cư trú / Place of residence:")
    column.gap(2)
    column.block(card.residence or "", "bold", sizes=(23, 16), max_lines=3)
    column.gap(10)
    column.label("Nơi đăng ký khai sinh / Place of birth registration:")
    column.gap(2)
    column.block(card.birth_registration_place or "", "bold", sizes=(23, 16), max_lines=2)
    column.gap(12)
    column.pairs(
        ("Ngày, tháng, năm cấp / Date of issue:", format_date(card.issue_date)),
        label_size=18,
        value_size=22,
    )
    column.gap(8)
    column.pairs(
        ("Ngày, tháng, năm hết hạn / Date of expiry:", format_date(card.expiry_date)),
        label_size=18,
        value_size=22,
    )
    _mrz(layout, mrz_lines)
    return layout
