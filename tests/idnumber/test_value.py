"""IdNumber / OldIdNumber: parsing, the meaning of each part, and refusals that name the part."""

from __future__ import annotations

from datetime import date

import pytest

from dancu.idnumber import IdNumber, InvalidIdNumber, InvalidOldIdNumber, OldIdNumber
from dancu.idnumber import value as value_module
from dancu.idnumber.tables import PROVINCES
from dancu.kit.errors import InvalidInput


def test_parse_reads_every_part() -> None:
    number = IdNumber.parse("001 0 90 123456")
    assert str(number) == "001090123456"
    assert number.formatted() == "001 0 90 123456"
    assert number.province_code == "001"
    assert number.province_name == "Hà Nội"
    assert not number.registered_abroad
    assert number.country_name is None
    assert number.sex == "male"
    assert number.century == 20
    assert number.birth_century_start == 1900
    assert number.birth_year == 1990
    assert number.serial == "123456"


@pytest.mark.parametrize(
    "text", ["001090123456", "001-0-90-123456", " 001 090 123 456 ", "001\t090-123456"]
)
def test_spaces_and_dashes_are_ignored(text: str) -> None:
    assert IdNumber.parse(text) == IdNumber("001090123456")


def test_prefix_is_the_old_birth_registration_province() -> None:
    # Current province 24 is the merged Bắc Ninh; the ID prefix 024 is historical (old Bắc Giang).
    assert IdNumber.parse("024195000001").province_name == "Bắc Giang"
    assert IdNumber.parse("027195000001").province_name == "Bắc Ninh"


def test_the_table_has_the_63_pre_2025_provinces() -> None:
    assert len(PROVINCES) == 63
    assert all(code[0] == "0" and len(code) == 3 for code in PROVINCES)


@pytest.mark.parametrize(
    ("digit", "sex", "start"),
    [("0", "male", 1900), ("1", "female", 1900), ("2", "male", 2000), ("3", "female", 2000)],
)
def test_fourth_digit_gives_century_and_sex(digit: str, sex: str, start: int) -> None:
    number = IdNumber.parse(f"079{digit}05000123")
    assert (number.sex, number.birth_century_start, number.birth_year) == (sex, start, start + 5)
    assert number.century == start // 100 + 1


def test_birth_registered_abroad_reads_the_country_code() -> None:
    japan = IdNumber.parse("232301000042")
    assert japan.registered_abroad
    assert japan.province_name is None
    assert japan.country_name == "Nhật Bản"
    assert japan.birth_registration_place == "Nhật Bản"
    assert IdNumber.parse("150301000042").country_name == "country code 150 (name unknown)"


@pytest.mark.parametrize(
    ("text", "part", "says"),
    [
        ("", "length", "nothing was given"),
        ("00109012345", "length", "11 were given"),
        ("0010901234567", "length", "13 were given"),
        ("00109O123456", "characters", "'O' is not a digit"),
        ("001090１23456", "characters", "'１' is not a digit"),
        ("001.090.123456", "characters", "'.'"),
        ("003090123456", "province", "003"),
        ("000090123456", "province", "not a province code"),
        ("097090123456", "province", "not a province code"),
        ("345090123456", "country", "100-299"),
        ("900090123456", "country", "neither a province code"),
        ("001490123456", "century_sex", "2100-2199"),
        ("001999123456", "century_sex", "2300-2399"),
    ],
)
def test_each_refusal_names_the_faulty_part(text: str, part: str, says: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        IdNumber.parse(text)
    assert caught.value.part == part
    assert says in caught.value.detail
    assert caught.value.code == "idnumber.invalid"
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.errors[0].loc == ("id_number",)


def test_a_birth_year_after_this_year_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(value_module, "today", lambda: date(2030, 6, 1))
    assert IdNumber.parse("001230123456").birth_year == 2030
    with pytest.raises(InvalidIdNumber) as caught:
        IdNumber.parse("001231123456")
    assert caught.value.part == "birth_year"
    assert "2031" in caught.value.detail and "future" in caught.value.detail


def test_build_encodes_the_birth_data() -> None:
    assert str(IdNumber.build("001", "male", 1990, "123456")) == "001090123456"
    assert str(IdNumber.build("079", "female", 2003, 42)) == "079303000042"
    assert str(IdNumber.build("175", "male", 1999, 7)) == "175099000007"


@pytest.mark.parametrize(
    ("args", "part"),
    [
        (("001", "other", 1990, 1), "sex"),
        (("001", "male", 1899, 1), "birth_year"),
        (("001", "male", 9999, 1), "birth_year"),
        (("003", "male", 1990, 1), "province"),
        (("1", "male", 1990, 1), "province"),
        (("400", "male", 1990, 1), "country"),
        (("001", "male", 1990, 1_000_000), "serial"),
        (("001", "male", 1990, -1), "serial"),
        (("001", "male", 1990, "12345"), "serial"),
    ],
)
def test_build_refuses_impossible_birth_data(
    args: tuple[str, str, int, int | str], part: str
) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        IdNumber.build(*args)
    assert caught.value.part == part


def test_value_semantics() -> None:
    a, b = IdNumber.parse("001090123456"), IdNumber.parse("001 0 90 123456")
    c = IdNumber.parse("002090123456")
    assert a == b and hash(a) == hash(b) and len({a, b, c}) == 2
    assert a < c and sorted([c, a]) == [a, c]
    assert a != "001090123456"  # type: ignore[comparison-overlap]  # not a bare string
    with pytest.raises(AttributeError):
        a.digits = "002090123456"  # type: ignore[misc]


def test_constructor_validates_too() -> None:
    with pytest.raises(InvalidIdNumber):
        IdNumber("003090123456")


def test_old_cmnd_is_nine_digits() -> None:
    assert str(OldIdNumber.parse("012 345 678")) == "012345678"
    assert OldIdNumber.parse("012345678") == OldIdNumber("012345678")


@pytest.mark.parametrize(
    ("text", "part", "says"),
    [
        ("01234567", "length", "8 were given"),
        ("01234567x", "characters", "'x'"),
        ("001090123456", "length", "IdNumber"),
    ],
)
def test_old_cmnd_refusals(text: str, part: str, says: str) -> None:
    with pytest.raises(InvalidOldIdNumber) as caught:
        OldIdNumber.parse(text)
    assert caught.value.code == "idnumber.invalid_old"
    assert caught.value.part == part
    assert says in caught.value.detail
    assert isinstance(caught.value, InvalidIdNumber)
