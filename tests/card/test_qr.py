"""The card's QR payload: both layouts round-trip, real-world strings parse, the symbol decodes."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from dancu.card.data import CardData
from dancu.card.qr import (
    Layout,
    QrData,
    QrInvalid,
    build_qr_payload,
    format_birth_date,
    make_qr,
    parse_qr,
    qr_bytes,
)
from dancu.idnumber import IdNumber
from dancu.kit.partial_date import PartialDate

# From the facts file (2021 layout, as public parsers show it).
REAL_2021 = "001090123456|012345678|NGUYEN VAN A|01011990|Nam|Phường …, TP. Hồ Chí Minh|15042021"


def make_card(**over: object) -> CardData:
    fields: dict[str, object] = {
        "card_number": "0000000001",
        "id_number": "001090123456",
        "old_id_number": "012345678",
        "full_name": "Nguyễn Văn An",
        "birth_date": PartialDate(1990, 1, 1),
        "sex": "M",
        "issue_date": date(2021, 4, 15),
        "expiry_date": date(2030, 1, 1),
        "residence": "Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội",
    }
    return CardData(**(fields | over))  # type: ignore[arg-type]


def test_2021_layout_has_the_seven_fields_in_order() -> None:
    payload = build_qr_payload(make_card(), layout="2021")
    assert payload == (
        "001090123456|012345678|Nguyễn Văn An|01011990|Nam|"
        "Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội|15042021"
    )
    assert unicodedata.is_normalized("NFC", payload)


def test_2024_layout_appends_cancelled_numbers_and_a_childs_parents() -> None:
    card = make_card(
        id_number="001215012345",
        old_id_number=None,
        full_name="Lê Thị Mai",
        birth_date=PartialDate(2015, 6, 1),
        sex="F",
        issue_date=date(2025, 7, 1),
        cancelled_id_numbers=("001215000001", "001215000002"),
        father_name="Lê Văn Bình",
        mother_name="Trần Thị Cúc",
    )
    fields = build_qr_payload(card).split("|")
    assert fields[:7] == [
        "001215012345",
        "",
        "Lê Thị Mai",
        "01062015",
        "Nữ",
        card.residence,
        "01072025",
    ]
    assert fields[7:] == ["001215000001,001215000002", "Lê Văn Bình", "Trần Thị Cúc"]


def test_parents_are_left_out_from_age_14() -> None:
    card = make_card(father_name="Nguyễn Văn Bố", mother_name="Phạm Thị Mẹ")
    assert build_qr_payload(card).split("|")[7:] == ["", "", ""]


def test_parses_the_real_world_example() -> None:
    data = parse_qr(REAL_2021)
    assert data.layout == "2021"
    assert (data.id_number, data.old_id_number) == ("001090123456", "012345678")
    assert data.full_name == "NGUYEN VAN A"
    assert data.birth_date == PartialDate(1990, 1, 1)
    assert data.sex == "M"
    assert data.residence == "Phường …, TP. Hồ Chí Minh"
    assert data.issue_date == date(2021, 4, 15)
    assert (data.cancelled_id_numbers, data.father_name, data.mother_name) == ((), None, None)


def test_empty_cmnd_and_decomposed_text_are_read() -> None:
    payload = unicodedata.normalize(
        "NFD", "001090123456||Trần Thị Nữ|01011990|Nữ|Hà Nội|15042021\n"
    )
    data = parse_qr(payload.encode("utf-8"))
    assert data.old_id_number is None
    assert data.full_name == unicodedata.normalize("NFC", "Trần Thị Nữ")
    assert data.sex == "F"


def test_2024_tail_fields_may_be_missing_or_extra() -> None:
    short = parse_qr(REAL_2021 + "|001090000001")
    assert (short.layout, short.cancelled_id_numbers, short.mother_name) == (
        "2024",
        ("001090000001",),
        None,
    )
    long = parse_qr(REAL_2021 + "|||Mẹ|future|field")
    assert (long.father_name, long.mother_name, long.extra) == (None, "Mẹ", ("future", "field"))


@pytest.mark.parametrize(
    ("birth", "text"),
    [
        (PartialDate(1957), "00001957"),
        (PartialDate(1957, 3), "00031957"),
        (PartialDate(1957, 3, 21), "21031957"),
    ],
)
def test_partial_birth_dates_use_zeros(birth: PartialDate, text: str) -> None:
    assert format_birth_date(birth) == text
    card = make_card(id_number="001057012345", birth_date=birth)
    assert parse_qr(build_qr_payload(card)).birth_date == birth


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ("hello world", "payload", "at least 7 fields"),
        ("", "payload", "at least 7 fields"),
        (REAL_2021.replace("|Nam|", "|Male|"), "sex", "Nam"),
        (REAL_2021.replace("01011990", "32011990"), "birth_date", "32011990"),
        (REAL_2021.replace("01011990", "1990-01-01"), "birth_date", "DDMMYYYY"),
        (REAL_2021.replace("01011990", "05001990"), "birth_date", "no month"),
        (REAL_2021.replace("15042021", "15132021"), "issue_date", "DDMMYYYY"),
        (REAL_2021.replace("15042021", "15041980"), "issue_date", "before birth"),
        (REAL_2021.replace("001090123456", "00109012345"), "id_number", "12 digits"),
        (REAL_2021.replace("001090123456", "999090123456"), "id_number", "digits 1-3"),
        (REAL_2021.replace("012345678", "01234"), "old_id_number", "9 digits"),
        (REAL_2021.replace("NGUYEN VAN A", " "), "full_name", "empty"),
        (REAL_2021 + "|001090", "cancelled_id_numbers", "12 digits"),
    ],
)
def test_garbage_is_refused_naming_the_field(payload: str, field: str, message: str) -> None:
    with pytest.raises(QrInvalid, match=message) as caught:
        parse_qr(payload)
    assert caught.value.field == field
    assert caught.value.errors[0].loc == ("qr", field)


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(QrInvalid, match="not UTF-8"):
        parse_qr(b"\xff\xfe|")


def test_builder_refuses_a_separator_inside_a_field() -> None:
    with pytest.raises(QrInvalid) as caught:
        build_qr_payload(make_card(residence="Thôn 1 | Xã A"))
    assert caught.value.field == "residence"


# --- round trips ------------------------------------------------------------------------------

_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
names = st.lists(
    st.text(alphabet=_LETTERS, min_size=1, max_size=7).map(str.capitalize), min_size=1, max_size=5
).map(" ".join)
addresses = st.none() | st.text(alphabet=_LETTERS + " ,.0123456789/-", min_size=1).map(
    str.strip
).filter(bool)


@st.composite
def cards(draw: st.DrawFn) -> CardData:
    year = draw(st.integers(1900, 2024))
    month = draw(st.none() | st.integers(1, 12))
    day = None if month is None else draw(st.none() | st.integers(1, 28))
    birth = PartialDate(year, month, day)
    sex = draw(st.sampled_from(["M", "F"]))
    number = IdNumber.build(
        "001", "male" if sex == "M" else "female", year, draw(st.integers(0, 999_999))
    )
    cancelled = draw(st.lists(st.integers(0, 999_999), max_size=3))
    return make_card(
        id_number=str(number),
        old_id_number=draw(st.none() | st.from_regex(r"\A\d{9}\Z")),
        full_name=draw(names),
        birth_date=birth,
        sex=sex,
        issue_date=draw(st.dates(birth.latest(), date(2025, 12, 31))),
        residence=draw(addresses),
        cancelled_id_numbers=tuple(
            str(IdNumber.build("001", "male", 1990, serial)) for serial in cancelled
        ),
        father_name=draw(st.none() | names),
        mother_name=draw(st.none() | names),
    )


@given(cards())
def test_2021_round_trip(card: CardData) -> None:
    data = parse_qr(build_qr_payload(card, layout="2021"))
    assert data.layout == "2021"
    _assert_printed_fields(data, card)
    assert (data.cancelled_id_numbers, data.father_name, data.mother_name) == ((), None, None)


@given(cards())
def test_2024_round_trip(card: CardData) -> None:
    data = parse_qr(build_qr_payload(card, layout="2024"))
    assert data.layout == "2024"
    _assert_printed_fields(data, card)
    assert data.cancelled_id_numbers == card.cancelled_id_numbers
    child = _age(card.birth_date.latest(), card.issue_date) < 14
    assert data.father_name == (card.father_name if child else None)
    assert data.mother_name == (card.mother_name if child else None)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _assert_printed_fields(data: QrData, card: CardData) -> None:
    assert (data.id_number, data.old_id_number, data.full_name) == (
        card.id_number,
        card.old_id_number,
        card.full_name,
    )
    assert (data.birth_date, data.sex, data.issue_date) == (
        card.birth_date,
        card.sex,
        card.issue_date,
    )
    assert data.residence == (" ".join(card.residence.split()) if card.residence else None)


# --- the symbol -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["2021", "2024"])
def test_symbol_decodes_to_the_exact_utf8_bytes(layout: Layout) -> None:
    card = make_card(full_name="Đặng Thị Ánh Tuyết", residence="Thôn Đông, Xã Ỷ La, Tuyên Quang")
    payload = build_qr_payload(card, layout=layout)
    qr = make_qr(payload)
    assert (qr.mode, qr.error, qr.is_micro) == ("byte", "M", False)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=4)
    buffer.seek(0)
    results = zxingcpp.read_barcodes(Image.open(buffer))
    assert len(results) == 1
    assert results[0].bytes == qr_bytes(payload) == payload.encode("utf-8")
    assert parse_qr(results[0].bytes) == parse_qr(payload)
