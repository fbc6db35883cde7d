"""The card's TD1 MRZ: built lines pass the independent ``mrz`` checker and read back exactly."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from mrz.checker.td1 import TD1CodeChecker

from dancu.card.data import CardData
from dancu.card.mrz import (
    MrzCheckDigitMismatch,
    MrzInvalid,
    build_td1,
    check_digit,
    mrz_text,
    name_line,
    parse_td1,
)
from dancu.card.translit import split_full_name, to_mrz
from dancu.idnumber import IdNumber
from dancu.kit.errors import InvalidInput
from dancu.kit.partial_date import PartialDate

SAMPLE = (
    "IDVNM0930470641001093047064<<2",
    "9301054M3301052VNM<<<<<<<<<<<8",
    "UNG<<HOANG<HIEP<<<<<<<<<<<<<<<",
)
TODAY = date(2026, 1, 1)
MRZ_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"


def make_card(**over: object) -> CardData:
    fields: dict[str, object] = {
        "card_number": "0000000001",
        "id_number": "001093047064",
        "full_name": "Ưng Hoàng Hiệp",
        "birth_date": PartialDate(1993, 1, 5),
        "sex": "M",
        "issue_date": date(2021, 4, 15),
        "expiry_date": date(2033, 1, 5),
    }
    return CardData(**(fields | over))  # type: ignore[arg-type]


def checker(lines: tuple[str, str, str]) -> TD1CodeChecker:
    return TD1CodeChecker("\n".join(lines))


# --- strategies -------------------------------------------------------------------------------

_TONED = "".join(
    unicodedata.normalize("NFC", vowel + tone)
    for vowel in "aăâeêioôơuưy"
    for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
)
_LETTERS = _TONED + "bcdđghklmnpqrstvx"
words = st.text(alphabet=_LETTERS, min_size=1, max_size=7).map(str.capitalize)
vietnamese_names = st.lists(words, min_size=1, max_size=9).map(" ".join)


@st.composite
def birth_dates(draw: st.DrawFn, first_year: int = 1940) -> PartialDate:
    year = draw(st.integers(first_year, 2024))
    month = draw(st.none() | st.integers(1, 12))
    if month is None:
        return PartialDate(year)
    day = draw(st.none() | st.integers(1, calendar.monthrange(year, month)[1]))
    return PartialDate(year, month, day)


@st.composite
def cards(draw: st.DrawFn, birth: st.SearchStrategy[PartialDate] | None = None) -> CardData:
    """Realistic cards: ID number consistent with sex and birth year; no expiry from 60 on."""
    birth_date = draw(birth or birth_dates())
    sex = draw(st.sampled_from(["M", "F"]))
    serial = draw(st.integers(0, 999_999))
    number = IdNumber.build("001", "male" if sex == "M" else "female", birth_date.year, serial)
    issue = draw(st.dates(max(birth_date.latest(), date(2016, 1, 1)), date(2025, 12, 31)))
    expiry = None
    if issue.year - birth_date.year < 60:
        expiry = draw(st.dates(issue + timedelta(days=1), date(issue.year + 27, 12, 31)))
    return make_card(
        id_number=str(number),
        full_name=draw(vietnamese_names),
        birth_date=birth_date,
        sex=sex,
        issue_date=issue,
        expiry_date=expiry,
    )


# --- check digits and the published sample ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "digit"),
    [
        ("L898902C3", "6"),  # ICAO 9303 specimen passport number
        ("740812", "2"),
        ("120415", "9"),
        ("093047064", "1"),
        ("001093047064", "2"),
        ("93<<<<", "2"),  # < counts as 0: 9*7 + 3*3 = 72
        ("", "0"),
    ],
)
def test_check_digit(data: str, digit: str) -> None:
    assert check_digit(data) == digit


def test_check_digit_refuses_other_characters() -> None:
    with pytest.raises(ValueError, match="'a' is not an MRZ character"):
        check_digit("12a")


def test_builds_the_published_vietnamese_sample_exactly() -> None:
    assert build_td1(make_card()) == SAMPLE
    assert bool(checker(SAMPLE))


def test_mrz_text_is_three_lines_each_ending_in_a_newline() -> None:
    assert mrz_text(make_card()) == "".join(f"{line}\n" for line in SAMPLE)


def test_parses_the_published_sample() -> None:
    parsed = parse_td1("\n".join(SAMPLE) + "\n", today=TODAY)
    assert parsed.id_number == "001093047064"
    assert parsed.document_number == "093047064"
    assert (parsed.document_code, parsed.issuer, parsed.nationality) == ("ID", "VNM", "VNM")
    assert parsed.birth_date == PartialDate(1993, 1, 5)
    assert parsed.sex == "M"
    assert parsed.expiry_date == date(2033, 1, 5)
    assert (parsed.primary_identifier, parsed.secondary_identifier) == ("UNG", "HOANG HIEP")
    assert not parsed.possibly_truncated


# --- no expiry, partial birth dates, names ----------------------------------------------------


def test_no_expiry_is_991231_and_reads_back_as_none() -> None:
    card = make_card(id_number="001051012345", birth_date=PartialDate(1951, 6, 2), expiry_date=None)
    lines = build_td1(card)
    assert lines[1][8:15] == "9912315"
    assert bool(checker(lines))
    assert parse_td1(lines, today=TODAY).expiry_date is None


@pytest.mark.parametrize(
    ("birth", "field"),
    [(PartialDate(1957), "57<<<<"), (PartialDate(1957, 3), "5703<<")],
)
def test_unknown_month_or_day_is_written_as_fillers(birth: PartialDate, field: str) -> None:
    card = make_card(id_number="001057012345", birth_date=birth, expiry_date=None)
    lines = build_td1(card)
    assert lines[1][:7] == field + check_digit(field.replace("<", "0"))
    report = checker(lines).report
    # Every check digit agrees; the mrz package only objects that the date is not a full date.
    assert report.falses == [("birth date", False)]
    assert parse_td1(lines, today=TODAY).birth_date == birth


_VOWELS = {"aăâ": "A", "eê": "E", "i": "I", "oôơ": "O", "uư": "U", "y": "Y"}


@pytest.mark.parametrize(
    ("vowel", "plain"),
    [
        (unicodedata.normalize("NFC", letter + tone), plain)
        for letters, plain in _VOWELS.items()
        for letter in letters + letters.upper()
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    ],
)
def test_names_with_every_toned_vowel_and_d_stroke(vowel: str, plain: str) -> None:
    card = make_card(full_name=f"Đặng Đ{vowel}n {vowel}")
    lines = build_td1(card)
    assert lines[2] == f"DANG<<D{plain}N<{plain}".ljust(30, "<")
    assert bool(checker(lines))


@pytest.mark.parametrize(
    ("full_name", "line"),
    [
        ("Nguyễn Thị Minh Khai", "NGUYEN<<THI<MINH<KHAI<<<<<<<<<"),
        ("Hùng", "HUNG<<<<<<<<<<<<<<<<<<<<<<<<<<"),
        ("Nguyễn Văn Thanh Tâm Tú", "NGUYEN<<VAN<THANH<TAM<TU<<<<<<"),
        # 36 long: the last given name is cut to its initial, then the one before it shortened.
        ("Nguyễn Thị Hoàng Phương Thảo Nguyên", "NGUYEN<<THI<HOANG<PHUONG<THA<N"),
        ("Tôn Nữ Thị Hoàng Hương Quỳnh Như Nguyệt Ánh", "TON<<NU<THI<HOANG<HUON<Q<N<N<A"),
        # Initials are not enough: the primary identifier is shortened next.
        ("Nguyễnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn A B C D", "NGUYENNNNNNNNNNNNNNNN<<A<B<C<D"),
        # Nothing left to shorten: cut at 30.
        ("A B C D E F G H I J K L M N O P Q R S", "A<<B<C<D<E<F<G<H<I<J<K<L<M<N<O"),
    ],
)
def test_name_line_and_truncation(full_name: str, line: str) -> None:
    assert len(line) == 30
    assert name_line(full_name) == line


def test_truncated_name_ends_in_a_letter() -> None:
    card = make_card(full_name="Tôn Nữ Thị Hoàng Hương Quỳnh Như Nguyệt Ánh")
    lines = build_td1(card)
    assert lines[2][-1] != "<"
    assert bool(checker(lines))
    parsed = parse_td1(lines, today=TODAY)
    assert parsed.possibly_truncated
    assert parsed.primary_identifier == "TON"


def test_name_without_letters_is_refused() -> None:
    with pytest.raises(MrzInvalid, match="no letter") as caught:
        build_td1(make_card(full_name="123 456"))
    assert caught.value.field == "name"


def test_bad_id_number_is_refused() -> None:
    with pytest.raises(MrzInvalid) as caught:
        build_td1(make_card(id_number="00109304706"))
    assert caught.value.field == "id_number"


# --- properties -------------------------------------------------------------------------------


@given(cards())
def test_build_then_parse_round_trip(card: CardData) -> None:
    lines = build_td1(card)
    parsed = parse_td1(lines, today=TODAY)
    assert parsed.lines == lines
    assert (parsed.id_number, parsed.birth_date, parsed.sex, parsed.expiry_date) == (
        card.id_number,
        card.birth_date,
        card.sex,
        card.expiry_date,
    )
    family, given_names = (to_mrz(part).split("<") for part in split_full_name(card.full_name))
    primary, secondary = parsed.primary_identifier.split(), parsed.secondary_identifier.split()
    if len("<".join(family)) + 2 + len("<".join(given_names)) <= 30:
        assert (primary, secondary) == (family, [g for g in given_names if g])
    else:
        assert parsed.possibly_truncated
        for kept, full in zip(primary + secondary, family + given_names, strict=False):
            assert full.startswith(kept)


@given(cards())
def test_built_lines_pass_the_independent_td1_checker(card: CardData) -> None:
    lines = build_td1(card)
    report = checker(lines).report
    expected = [] if card.birth_date.is_complete else [("birth date", False)]
    assert report.falses == expected


@given(vietnamese_names)
def test_any_vietnamese_name_gives_a_30_character_name_line(full_name: str) -> None:
    line = name_line(full_name)
    assert re.fullmatch(r"[A-Z]+(<[A-Z]+)*(<<[A-Z]+(<[A-Z]+)*)?<*", line)
    assert len(line) == 30
    assert ("<<" in line.rstrip("<")) == (len(full_name.split()) > 1)


# Positions no check digit covers, where a letter for a letter cannot be caught: sex M<->F,
# nationality (any three letters are well formed).
_UNGUARDED = {(1, 7), (1, 15), (1, 16), (1, 17)}


@given(cards(), st.integers(0, 1), st.integers(0, 29), st.sampled_from(MRZ_CHARS))
def test_one_altered_character_is_caught(card: CardData, row: int, col: int, new: str) -> None:
    lines = list(build_td1(card))
    old = lines[row][col]
    assume(new != old)
    assume(not ((row, col) in _UNGUARDED and new.isalpha()))
    lines[row] = lines[row][:col] + new + lines[row][col + 1 :]
    tampered = (lines[0], lines[1], lines[2])
    with pytest.raises(MrzInvalid):
        parse_td1(tampered, today=TODAY)
    # The mrz package checks the same check digits; it sees a change whose value differs mod 10
    # within the fields they cover (line 1 from position 6, line 2 all but sex and nationality).
    covered = col >= 5 if row == 0 else (col != 7 and not 15 <= col <= 17)
    if covered and int(check_digit(old)) != int(check_digit(new)):
        assert not bool(checker(tampered))


def test_failing_check_digit_is_named() -> None:
    lines = (SAMPLE[0], SAMPLE[1][:6] + "5" + SAMPLE[1][7:], SAMPLE[2])
    with pytest.raises(MrzCheckDigitMismatch, match="line 2 position 7") as caught:
        parse_td1(lines, today=TODAY)
    assert caught.value.field == "birth_date"
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.errors[0].loc == ("mrz", "birth_date")


def test_check_digit_mismatch_in_the_12_digit_number() -> None:
    lines = (SAMPLE[0][:29] + "3", SAMPLE[1], SAMPLE[2])
    with pytest.raises(MrzCheckDigitMismatch) as caught:
        parse_td1(lines, today=TODAY)
    assert caught.value.field == "id_number"


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        (SAMPLE[:2], "lines"),
        ((SAMPLE[0], SAMPLE[1], "UNG<<HOANG<HIEP"), "line_3"),
        ((SAMPLE[0], SAMPLE[1], "UNG<<HOANG<HIEP2<<<<<<<<<<<<<<"), "name"),
        ((SAMPLE[0], SAMPLE[1], "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"), "name"),
        ((SAMPLE[0].lower(), SAMPLE[1], SAMPLE[2]), "line_1"),
    ],
)
def test_malformed_lines_are_refused_by_field(lines: tuple[str, ...], field: str) -> None:
    with pytest.raises(MrzInvalid) as caught:
        parse_td1(lines, today=TODAY)
    assert caught.value.field == field


def test_expired_card_reads_in_the_right_century() -> None:
    card = make_card(issue_date=date(2008, 1, 1), expiry_date=date(2018, 1, 5))
    assert parse_td1(build_td1(card), today=TODAY).expiry_date == date(2018, 1, 5)


def test_birth_century_comes_from_the_id_number() -> None:
    # Born 1925: a plain two-digit pivot at 2026 would say 2025; digit 4 (0 = 1900s) says 1925.
    card = make_card(id_number="001025012345", birth_date=PartialDate(1925, 2, 3), expiry_date=None)
    assert parse_td1(build_td1(card), today=TODAY).birth_date == PartialDate(1925, 2, 3)


def test_fields_outside_the_mrz_do_not_change_it() -> None:
    card = make_card()
    assert build_td1(replace(card, residence="Hà Nội", card_number="9999999999")) == SAMPLE
