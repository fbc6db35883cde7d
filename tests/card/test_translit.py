"""Vietnamese -> MRZ characters (ICAO 9303 Part 3 §6) and the family-name-first split."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.card.translit import split_full_name, to_mrz

# The 12 Vietnamese vowel letters and the 5 tone marks (huyền, sắc, hỏi, ngã, nặng).
VOWELS = {"a": "A", "ă": "A", "â": "A", "e": "E", "ê": "E", "i": "I", "o": "O", "ô": "O",
          "ơ": "O", "u": "U", "ư": "U", "y": "Y"}  # fmt: skip
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
TONED_VOWELS = [
    (unicodedata.normalize("NFC", letter + tone), plain)
    for vowel, plain in VOWELS.items()
    for letter in (vowel, vowel.upper())
    for tone in TONES
]


@pytest.mark.parametrize(("vowel", "plain"), TONED_VOWELS)
def test_every_vowel_with_every_tone_loses_its_marks(vowel: str, plain: str) -> None:
    assert len(vowel) == 1  # NFC made one code point of it
    assert to_mrz(vowel) == plain
    assert to_mrz(unicodedata.normalize("NFD", vowel)) == plain


@pytest.mark.parametrize(
    ("text", "mrz"),
    [
        ("Nguyễn Thị Minh Khai", "NGUYEN<THI<MINH<KHAI"),
        ("Đặng Đức Độ", "DANG<DUC<DO"),
        ("đinh", "DINH"),
        ("Ưng Hoàng Hiệp", "UNG<HOANG<HIEP"),
        ("Trần Thị Thu-Hà", "TRAN<THI<THU<HA"),  # a hyphen separates
        ("H'Hen Niê", "HHEN<NIE"),  # an apostrophe is omitted
        ("  Lê   Văn  ", "LE<VAN"),  # runs of separators collapse: no accidental <<
        ("Lê, Văn (Tý) 2", "LE<VAN<TY"),
    ],
)
def test_names_in_mrz_characters(text: str, mrz: str) -> None:
    assert to_mrz(text) == mrz


@given(st.text())
def test_any_text_gives_only_letters_and_single_fillers(text: str) -> None:
    mrz = to_mrz(text)
    assert re.fullmatch(r"([A-Z]+(<[A-Z]+)*)?", mrz)


@pytest.mark.parametrize(
    ("full_name", "parts"),
    [
        ("Nguyễn Thị Minh Khai", ("Nguyễn", "Thị Minh Khai")),
        ("Ưng  Hoàng Hiệp", ("Ưng", "Hoàng Hiệp")),
        ("Hùng", ("Hùng", "")),
        ("", ("", "")),
    ],
)
def test_family_name_comes_first(full_name: str, parts: tuple[str, str]) -> None:
    assert split_full_name(full_name) == parts


def test_split_returns_nfc() -> None:
    family, given_names = split_full_name(unicodedata.normalize("NFD", "Đỗ Thị Hằng"))
    assert (family, given_names) == ("Đỗ", "Thị Hằng")
    assert unicodedata.is_normalized("NFC", family + given_names)
