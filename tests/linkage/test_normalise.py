"""Normalisation for record linkage: names (Telex/VNI residues, tone placement), name parts,
surname variants, partial dates and phone numbers."""

from __future__ import annotations

import doctest
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.kit.partial_date import PartialDate
from dancu.kit.text import fold
from dancu.linkage import normalise
from dancu.linkage.normalise import (
    clean_name,
    date_swap,
    decode_syllable,
    folded,
    is_syllable,
    normalise_phone,
    parse_partial_date,
    same_folded,
    split_name,
    surname_variant_group,
)
from dancu.synth import tables

SURNAMES = sorted({*tables.SURNAMES, *(s for c in tables.ETHNIC_SURNAMES.values() for s in c)})
MIDDLES = sorted({*tables.MIDDLE["male"], *tables.MIDDLE["female"]})
GIVENS = sorted({*tables.GIVEN["male"], *tables.GIVEN["female"]})

_TELEX_TONE = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_TELEX_LETTER = {"â": "aa", "ê": "ee", "ô": "oo", "ă": "aw", "ơ": "ow", "ư": "uw", "đ": "dd"}
_VNI_TONE = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_VNI_LETTER = {"â": "a6", "ê": "e6", "ô": "o6", "ă": "a8", "ơ": "o7", "ư": "u7", "đ": "d9"}


def _encode(word: str, letters: dict[str, str], tones: dict[str, str]) -> str:
    """Type a word as an old keyboard driver would leave it: tone key last."""
    tone = ""
    out = []
    for ch in word:
        base = unicodedata.normalize("NFD", ch)
        for mark in base[1:]:
            if mark in tones:
                tone = tones[mark]
        kept = unicodedata.normalize("NFC", "".join(m for m in base if m not in tones))
        low = kept.lower()
        code = letters.get(low, low)
        out.append(code.capitalize() if kept != low else code)
    return "".join(out) + tone


def telex(name: str) -> str:
    return " ".join(_encode(w, _TELEX_LETTER, _TELEX_TONE) for w in name.split())


def vni(name: str) -> str:
    return " ".join(_encode(w, _VNI_LETTER, _VNI_TONE) for w in name.split())


names = st.builds(
    lambda f, m, g: f"{f} {m} {g}",
    st.sampled_from(SURNAMES),
    st.sampled_from(MIDDLES),
    st.sampled_from(GIVENS),
)


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(normalise).failed == 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Nguyeenx", "Nguyễn"),
        ("Tranaf", "Trần"),
        ("Hoangf", "Hoàng"),
        ("Traanf Thij Thuyr", "Trần Thị Thủy"),
        ("Dduwcs", "Đức"),
        ("Phuwowngf", "Phường"),
        ("Nguye^n", "Nguyên"),
        ("Tra^`n", "Trần"),
        ("Nguye6n", "Nguyên"),
        ("Nguye64n", "Nguyễn"),
        ("Tra62n", "Trần"),
        ("D9a85ng", "Đặng"),
        ("Vie^.t", "Việt"),
        ("nguyễn   văn  AN", "Nguyễn Văn An"),
        ("NGUYỄN THỊ HOÀ", "Nguyễn Thị Hòa"),
        ("Lê Thị Thuý", "Lê Thị Thúy"),
        ("Khoẻ", "Khỏe"),
        ("Quý Hoàng", "Quý Hoàng"),
        ("Ðặng", "Đặng"),
        ("Nguyen Van An", "Nguyen Van An"),
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


@pytest.mark.parametrize(
    "name",
    [
        "Thomas Max",
        "Anna Maria",
        "James Bond",
        "O'Brien",
        "Jean-Pierre",
        "Bond007",
        "12",
        "Bees Wax",
    ],
)
def test_ordinary_words_are_not_read_as_telex(name: str) -> None:
    assert fold(clean_name(name)) == fold(name)


def test_telex_is_decoded_only_when_the_whole_name_is_vietnamese() -> None:
    assert clean_name("Max") == "Mã"
    assert clean_name("Max Mustermann") == "Max Mustermann"


@pytest.mark.parametrize(
    "word", ["Nguyễn", "khuỷu", "giường", "quốc", "Oanh", "nghĩa", "Thạch", "gì", "yêu"]
)
def test_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Thomas", "bàc", "xyz", "Anna", "str", "Nguyễnn"])
def test_not_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_decode_refuses_a_syllable_as_written() -> None:
    assert decode_syllable("Hoa") is None
    assert decode_syllable("Hoaf") == "hòa"


alphabet = st.sampled_from(
    [*"aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ fjswzw0123456789^`'?~.-", *"àảãáạờỷÐ\t\u0301\u0323"]
)


@given(st.text(alphabet, max_size=30))
def test_clean_name_is_idempotent(text: str) -> None:
    once = clean_name(text)
    assert clean_name(once) == once
    assert fold(clean_name(once)) == fold(once)


@given(names, st.booleans())
def test_folding_a_well_spelled_name_is_stable(name: str, upper: bool) -> None:
    written = name.upper() if upper else name
    assert clean_name(written) == name
    assert fold(clean_name(written)) == fold(name)


@given(names, st.booleans())
def test_telex_typed_names_decode_to_the_original(name: str, upper: bool) -> None:
    typed = telex(name)
    assert clean_name(typed.upper() if upper else typed) == name


@given(names)
def test_vni_typed_names_decode_to_the_original(name: str) -> None:
    assert clean_name(vni(name)) == name


def test_split_name() -> None:
    parts = split_name("trần  thị   thuý")
    assert (parts.family, parts.middle, parts.given) == ("Trần", "Thị", "Thúy")
    assert (parts.family_key, parts.middle_key, parts.given_key) == ("tran", "thi", "thuy")
    assert parts.full == "Trần Thị Thúy"
    assert parts.middle_core_key == ""


@pytest.mark.parametrize(
    ("name", "family", "middle", "given"),
    [
        ("Âu Dương Minh Anh", "Âu Dương", "Minh", "Anh"),
        ("Tôn Thất Thuyết", "Tôn Thất", "", "Thuyết"),
        ("Tôn Nữ Thị Ngọc Hoa", "Tôn Nữ", "Thị Ngọc", "Hoa"),
        ("Công Tằng Tôn Nữ Thị Hà", "Công Tằng Tôn Nữ", "Thị", "Hà"),
        ("Nguyễn Phước Vĩnh Lộc", "Nguyễn Phước", "Vĩnh", "Lộc"),
        ("Nguyễn Phúc Lộc", "Nguyễn", "Phúc", "Lộc"),
        ("Âu Dương", "Âu", "", "Dương"),
        ("Lò Văn Pấng", "Lò", "Văn", "Pấng"),
        ("Lan", "", "", "Lan"),
        ("", "", "", ""),
    ],
)
def test_split_family_names(name: str, family: str, middle: str, given: str) -> None:
    parts = split_name(name)
    assert (parts.family, parts.middle, parts.given) == (family, middle, given)


def test_common_middle_names_are_recognised() -> None:
    assert split_name("Nguyễn Văn Minh Tuấn").middle_is_common
    assert split_name("Nguyễn Văn Minh Tuấn").middle_core_key == "minh"
    assert not split_name("Nguyễn Tường Vi").middle_is_common


def test_folded_keeps_both_forms() -> None:
    value = folded(" Đỗ  Thị Ánh ")
    assert (value.text, value.key, str(value)) == ("Đỗ Thị Ánh", "do thi anh", "Đỗ Thị Ánh")
    assert same_folded("Đỗ Thị Ánh", "do thi anh")


def test_surname_variants_are_grouped_not_equal() -> None:
    assert surname_variant_group("Hoàng") == surname_variant_group("Huỳnh")
    assert surname_variant_group("Vũ") == surname_variant_group("Võ")
    assert surname_variant_group("Nguyễn Phúc") == surname_variant_group("Nguyễn Phước")
    assert not same_folded("Hoàng", "Huỳnh")
    assert surname_variant_group("Đặng") != surname_variant_group("Đoàn")
    assert surname_variant_group("Nguyễn") == "nguyen"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("21/05/1990", "1990-05-21"),
        ("21-05-1990", "1990-05-21"),
        ("21.5.1990", "1990-05-21"),
        ("1990-05-21", "1990-05-21"),
        ("1990/5/21", "1990-05-21"),
        ("05/1990", "1990-05"),
        ("1990", "1990"),
        ("21.5.90", "1990-05-21"),
        ("1/1/05", "2005-01-01"),
        ("1/1/26", "1926-01-01"),
        (" 21 / 05 / 1990 ", "1990-05-21"),
        ("ngày 21 tháng 05 năm 1990", "1990-05-21"),
        ("Tháng 5 năm 1990", "1990-05"),
        ("năm 1990", "1990"),
    ],
)
def test_parse_partial_date(text: str, iso: str) -> None:
    assert str(parse_partial_date(text)) == iso


@pytest.mark.parametrize(
    "text", ["", "abc", "31/02/1990", "05/21/1990", "5/90", "1990-13", "21/05/199", "1700", "90"]
)
def test_unparseable_dates(text: str) -> None:
    assert parse_partial_date(text) is None


def test_two_digit_pivot_can_be_moved() -> None:
    assert parse_partial_date("1/1/20", pivot=10) == PartialDate(1920, 1, 1)


partial_dates = st.dates(
    min_value=PartialDate(1800).earliest(), max_value=PartialDate(2399).latest()
).flatmap(
    lambda d: st.sampled_from(
        [PartialDate(d.year), PartialDate(d.year, d.month), PartialDate.from_date(d)]
    )
)


@given(partial_dates)
def test_partial_dates_round_trip(value: PartialDate) -> None:
    assert parse_partial_date(str(value)) == value
    vietnamese = "/".join(f"{part:02d}" for part in (value.day, value.month) if part is not None)
    written = f"{vietnamese}/{value.year}" if vietnamese else str(value.year)
    assert parse_partial_date(written) == value


def test_date_swap() -> None:
    assert date_swap(PartialDate(1990, 3, 12), PartialDate(1990, 12, 3))
    assert not date_swap(PartialDate(1990, 3, 12), PartialDate(1991, 12, 3))
    assert not date_swap(PartialDate(1990, 3, 3), PartialDate(1990, 3, 3))
    assert not date_swap(PartialDate(1990, 3), PartialDate(1990, 3))
    assert not date_swap(PartialDate(1990, 3, 12), PartialDate(1990, 3, 12))


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("+84 91 234 5678", "0912345678"),
        ("84912345678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("(091) 2345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("912345678", "0912345678"),
        ("0162 345 6789", "0323456789"),
        ("+84 1683456789", "0383456789"),
        ("01203456789", "0703456789"),
        ("0199 345 6789", "0593456789"),
        ("0123-456-7890", "0834567890"),
    ],
)
def test_normalise_phone(text: str, phone: str) -> None:
    assert normalise_phone(text) == phone


@pytest.mark.parametrize(
    "text",
    ["", "abc", "+1 202 555 0100", "024 3823 4567", "0112345678", "091234567", "09123456789",
     "0130 123 4567", "+44 7911 123456", "0912 345 678 ext 2"],
)  # fmt: skip
def test_not_a_vietnamese_mobile(text: str) -> None:
    assert normalise_phone(text) is None


mobiles = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["03", "05", "07", "08", "09"]),
    st.text("0123456789", min_size=8, max_size=8),
)


@given(mobiles, st.sampled_from(["", " ", ".", "-"]), st.sampled_from(["0", "+84", "84", "0084"]))
def test_phone_formats_normalise_and_are_idempotent(number: str, sep: str, lead: str) -> None:
    rest = number[1:]
    written = lead + sep.join([rest[:2], rest[2:5], rest[5:]])
    assert normalise_phone(written) == number
    assert normalise_phone(number) == number
