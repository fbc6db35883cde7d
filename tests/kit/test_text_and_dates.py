"""Property tests for the text and partial-date codecs every context relies on."""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancu.kit.partial_date import PartialDate, PartialDateError
from dancu.kit.text import fold, nfc

VIETNAMESE = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệ"
    "ìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ \t",
    max_size=40,
)


@given(VIETNAMESE)
def test_nfc_is_idempotent_and_normalised(text: str) -> None:
    once = nfc(text)
    assert nfc(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "  " not in once and once == once.strip()


@given(VIETNAMESE)
def test_fold_ignores_form_case_and_diacritics(text: str) -> None:
    folded = fold(text)
    assert folded == fold(unicodedata.normalize("NFD", text)) == fold(text.upper())
    assert folded.isascii()


def test_fold_examples() -> None:
    assert fold("Nguyễn Văn ĐỨC") == "nguyen van duc"
    assert fold("  Trần   Thị  Ánh ") == "tran thi anh"


@given(
    st.dates(min_value=date(1800, 1, 1), max_value=date(2399, 12, 31)),
    st.sampled_from(["day", "month", "year"]),
)
def test_partial_dates_round_trip(day: date, precision: str) -> None:
    value = PartialDate(
        day.year,
        None if precision == "year" else day.month,
        day.day if precision == "day" else None,
    )
    assert PartialDate.parse(str(value)) == value
    assert value.earliest() <= day <= value.latest()
    assert value.matches(PartialDate.from_date(day))


@given(st.text(max_size=12))
def test_parse_refuses_garbage_with_its_own_error(text: str) -> None:
    with contextlib.suppress(PartialDateError):
        PartialDate.parse(text)


@pytest.mark.parametrize("bad", ["1990-02-30", "1990-13", "90-01-01", "1990/01/01", "1799"])
def test_impossible_dates_are_refused(bad: str) -> None:
    with pytest.raises(PartialDateError):
        PartialDate.parse(bad)


def test_month_precision_covers_the_whole_month() -> None:
    feb = PartialDate.parse("2024-02")
    assert (feb.earliest(), feb.latest()) == (date(2024, 2, 1), date(2024, 2, 29))
