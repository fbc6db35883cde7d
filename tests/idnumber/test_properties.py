"""Property tests: build/parse/formatted round trips; parse refuses only with InvalidIdNumber."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dancu.idnumber import IdNumber, InvalidIdNumber, OldIdNumber
from dancu.idnumber.tables import PROVINCES
from dancu.kit.clock import today

place_codes = st.one_of(
    st.sampled_from(sorted(PROVINCES)),
    st.integers(100, 299).map(str),
)
sexes = st.sampled_from(["male", "female"])
birth_years = st.integers(1900, today().year)
serials = st.integers(0, 999_999)


@given(place_codes, sexes, birth_years, serials)
def test_build_then_parse_gives_back_every_part(
    code: str, sex: str, year: int, serial: int
) -> None:
    number = IdNumber.build(code, sex, year, serial)
    parsed = IdNumber.parse(str(number))
    assert parsed == number
    assert (parsed.province_code, parsed.sex, parsed.birth_year, parsed.serial) == (
        code,
        sex,
        year,
        f"{serial:06d}",
    )
    assert parsed.registered_abroad == (code[0] != "0")
    assert parsed.birth_registration_place


@given(place_codes, sexes, birth_years, serials)
def test_formatted_parses_back(code: str, sex: str, year: int, serial: int) -> None:
    number = IdNumber.build(code, sex, year, serial)
    assert IdNumber.parse(number.formatted()) == number
    assert number.formatted().replace(" ", "") == str(number)


@given(st.text())
def test_parse_refuses_only_with_invalid_id_number(text: str) -> None:
    try:
        number = IdNumber.parse(text)
    except InvalidIdNumber as exc:
        assert exc.part and exc.detail
    else:
        assert len(str(number)) == 12


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_any_twelve_digits_parse_or_name_a_structural_part(digits: str) -> None:
    try:
        IdNumber.parse(digits)
    except InvalidIdNumber as exc:
        assert exc.part in {"province", "country", "century_sex", "birth_year"}


@given(st.text())
def test_old_number_parse_refuses_only_with_invalid_id_number(text: str) -> None:
    try:
        OldIdNumber.parse(text)
    except InvalidIdNumber as exc:
        assert exc.code == "idnumber.invalid_old"
