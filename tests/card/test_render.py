from __future__ import annotations

import dataclasses
from datetime import date
from importlib.resources import files
from io import BytesIO
from typing import Any

import pytest
import segno
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageStat

from dancu.card.data import CardData
from dancu.card.render import render_back, render_front, specimen_portrait
from dancu.card.render_layout import (
    EDGE,
    HEIGHT,
    PHOTO_BOX,
    WIDTH,
    Box,
    Face,
    Layout,
    back_layout,
    font,
    format_partial_date,
    front_layout,
)
from dancu.kit.partial_date import PartialDate

MRZ = (
    "IDVNM0930470641001093047064<<2",
    "9301054M3301052VNM<<<<<<<<<<<8",
    "UNG<<HOANG<HIEP<<<<<<<<<<<<<<<",
)
ID1_RATIO = 85.60 / 53.98
VIETNAMESE_PAYLOAD = (
    "001190012345|012345678|Nguyễn Thị Ngọc Ánh|21031990|Nữ|"
    "Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội|01072024||"
)
LONG_NAME = "Tôn Nữ Hoàng Thị Thanh Thủy Nguyễn Phước Bửu Lộc Trường Giang Đặng Hữu Phước " * 3
LONG_PLACE = (
    "Số nhà 123/45/6, ngõ 789, ngách 10, tổ dân phố số 11, đường Nguyễn Văn Cừ, "
    "Phường Bồ Đề, Thành phố Hà Nội "
) * 4


def make_card(**over: Any) -> CardData:
    values: dict[str, Any] = {
        "card_number": "0123456789",
        "id_number": "001190012345",
        "full_name": "Nguyễn Thị Ngọc Ánh",
        "birth_date": PartialDate(1990, 3, 21),
        "sex": "F",
        "issue_date": date(2024, 7, 1),
        "expiry_date": date(2030, 3, 21),
        "birth_registration_place": "Phường Hoàn Kiếm, Thành phố Hà Nội",
        "residence": "Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "face_jpeg": specimen_portrait(),
    }
    values.update(over)
    return CardData(**values)


def make_qr(payload: str) -> segno.QRCode:
    return segno.make(payload, mode="byte", encoding="utf-8", error="m")


def open_png(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    assert image.format == "PNG"
    return image


def inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_tidy(layout: Layout) -> None:
    """Every line inside the printable area, no two lines and no line and picture overlapping."""
    printable = (EDGE, EDGE, WIDTH - EDGE, HEIGHT - EDGE)
    boxes = [run.bbox for run in layout.runs]
    for run, box in zip(layout.runs, boxes, strict=True):
        assert inside(box, printable), run
        for name, area in layout.boxes.items():
            assert name == "mrz" or not overlap(box, area), (run, name)
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert not overlap(box, other), (box, other)


def test_front_and_back_are_id1_pngs_with_rounded_corners() -> None:
    card = make_card()
    for data in (render_front(card), render_back(card, mrz_lines=MRZ, qr=make_qr("x"))):
        image = open_png(data)
        assert image.width / image.height == pytest.approx(ID1_RATIO, rel=0.005)
        assert image.width >= 1000
        alpha = image.convert("RGBA").getchannel("A")
        assert alpha.getpixel((0, 0)) == 0  # outside the rounded corner
        assert alpha.getpixel((image.width // 2, image.height // 2)) == 255


@pytest.mark.parametrize("payload", ["001190012345||NGUYEN VAN A|01011990|Nam", VIETNAMESE_PAYLOAD])
@pytest.mark.parametrize("specimen", [False, True])
def test_qr_on_the_back_decodes_to_the_payload_bytes(payload: str, specimen: bool) -> None:
    back = render_back(make_card(), mrz_lines=MRZ, qr=make_qr(payload), specimen=specimen)

    found = zxingcpp.read_barcodes(open_png(back))

    assert [result.bytes for result in found] == [payload.encode("utf-8")]


def test_a_long_qr_payload_still_decodes() -> None:
    payload = VIETNAMESE_PAYLOAD * 3  # about 400 bytes: version 14
    back = render_back(make_card(), mrz_lines=MRZ, qr=make_qr(payload))

    assert [r.bytes for r in zxingcpp.read_barcodes(open_png(back))] == [payload.encode()]


def test_a_qr_code_too_large_for_the_card_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        render_back(make_card(), mrz_lines=MRZ, qr=make_qr("x" * 2000))


def test_the_under_6_card_has_no_photo() -> None:
    with_photo = open_png(render_front(make_card())).convert("RGB").crop(PHOTO_BOX)
    without = open_png(render_front(make_card(face_jpeg=None))).convert("RGB").crop(PHOTO_BOX)

    difference = ImageStat.Stat(ImageChops.difference(with_photo, without)).mean
    assert sum(difference) / 3 > 20
    assert "photo" in front_layout(make_card()).boxes
    assert "photo" not in front_layout(make_card(face_jpeg=None)).boxes


def test_the_photo_is_the_one_given() -> None:
    red = Image.new("RGB", (300, 400), (255, 0, 0))
    buffer = BytesIO()
    red.save(buffer, "JPEG")

    front = open_png(render_front(make_card(face_jpeg=buffer.getvalue()))).convert("RGB")

    r, g, b = ImageStat.Stat(front.crop(PHOTO_BOX)).mean
    assert r > 200 and g < 60 and b < 60


def test_layouts_are_tidy_for_ordinary_cards() -> None:
    card = make_card()
    assert_tidy(front_layout(card))
    assert_tidy(
        back_layout(card, mrz_lines=MRZ, qr_modules=len(make_qr(VIETNAMESE_PAYLOAD).matrix))
    )


def test_very_long_name_and_places_are_wrapped_or_shrunk_inside_the_card() -> None:
    card = make_card(full_name=LONG_NAME, residence=LONG_PLACE, birth_registration_place=LONG_PLACE)
    qr = make_qr(VIETNAMESE_PAYLOAD * 2)

    front, back = (
        front_layout(card),
        back_layout(card, mrz_lines=MRZ, qr_modules=len(qr.matrix)),
    )
    render_front(card)
    render_back(card, mrz_lines=MRZ, qr=qr)

    assert_tidy(front)
    assert_tidy(back)
    name_runs = [run for run in front.runs if "TÔN NỮ" in run.text or "PHƯỚC" in run.text]
    assert 1 <= len(name_runs) <= 2
    assert name_runs[-1].text.endswith("…")
    assert all(run.bbox[0] > PHOTO_BOX[2] for run in name_runs)


def test_printed_fields() -> None:
    card = make_card(birth_date=PartialDate(1958, 3), sex="M", expiry_date=None)

    front = [run.text for run in front_layout(card).runs]
    back = [run.text for run in back_layout(card, mrz_lines=MRZ, qr_modules=21).runs]

    assert "CĂN CƯỚC" in front and "IDENTITY CARD" in front
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in front
    assert {"001190012345", "NGUYỄN THỊ NGỌC ÁNH", "03/1958", "Nam", "Việt Nam"} <= set(front)
    assert {"BỘ CÔNG AN", "0123456789", "01/07/2024", "Không thời hạn", *MRZ} <= set(back)


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (PartialDate(1990, 3, 21), "21/03/1990"),
        (PartialDate(1990, 3), "03/1990"),
        (PartialDate(1990), "1990"),
    ],
)
def test_partial_birth_dates_print_what_is_known(value: PartialDate, printed: str) -> None:
    assert format_partial_date(value) == printed


def test_mrz_is_three_monospace_lines_at_the_foot() -> None:
    layout = back_layout(make_card(), mrz_lines=MRZ, qr_modules=21)

    mrz_runs = [run for run in layout.runs if run.face == "mono"]

    assert [run.text for run in mrz_runs] == list(MRZ)
    assert all(inside(run.bbox, layout.boxes["mrz"]) for run in mrz_runs)
    assert len({run.x for run in mrz_runs}) == 1


def test_an_mrz_line_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="30 characters"):
        render_back(make_card(), mrz_lines=(MRZ[0], MRZ[1], "UNG<<HOANG"), qr=make_qr("x"))


def glyph(face: Face, char: str) -> bytes:
    image = Image.new("L", (60, 60))
    ImageDraw.Draw(image).text((10, 50), char, font=font(face, 32), fill=255, anchor="ls")
    return image.tobytes()


def test_fonts_cover_vietnamese_letters() -> None:
    letters = "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
    faces: tuple[Face, ...] = ("sans", "bold")
    for face in faces:
        missing = glyph(face, "\ue000")  # private use, not in DejaVu: the .notdef box
        assert glyph(face, "\ue001") == missing
        for letter in letters + letters.upper():
            assert glyph(face, letter) != missing, (face, letter)


def test_fonts_and_their_licence_ship_with_the_package() -> None:
    assets = files("dancu.card") / "assets"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"):
        assert (assets / name).read_bytes()[:4] == b"\x00\x01\x00\x00"
    assert "Bitstream" in (assets / "LICENSE-DejaVu.txt").read_text()


def test_specimen_flag_marks_both_sides() -> None:
    card = make_card()
    qr = make_qr("x")
    pairs = [
        (render_front(card), render_front(card, specimen=True)),
        (
            render_back(card, mrz_lines=MRZ, qr=qr),
            render_back(card, mrz_lines=MRZ, qr=qr, specimen=True),
        ),
    ]
    for plain, marked in pairs:
        difference = ImageChops.difference(
            open_png(plain).convert("RGB"), open_png(marked).convert("RGB")
        )
        assert difference.getbbox() is not None


def test_specimen_portrait_is_a_portrait_jpeg() -> None:
    image = Image.open(BytesIO(specimen_portrait()))

    assert image.format == "JPEG"
    assert image.width / image.height == pytest.approx(3 / 4)


def test_rendering_is_deterministic() -> None:
    card = dataclasses.replace(make_card(), full_name="Đặng Hữu Phước")

    assert render_front(card) == render_front(card)
