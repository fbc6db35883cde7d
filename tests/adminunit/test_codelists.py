"""Code lists: ethnicity, religion, nationality, and the ID number's birth-registration codes."""

from __future__ import annotations

import pytest

from dancu.adminunit import service
from dancu.adminunit.errors import InvalidEthnicity, InvalidNationality, InvalidReligion
from dancu.kit.errors import InvalidInput


def test_54_ethnic_groups_with_gso_codes() -> None:
    items = service.ethnicities()
    assert [i.code for i in items] == [f"{n:02d}" for n in range(1, 55)]
    names = {i.code: i.name for i in items}
    assert names["01"] == "Kinh" and names["04"] == "Hoa" and names["08"] == "HMông"
    assert len(set(names.values())) == 54


def test_ensure_ethnicity_accepts_codes_and_refuses_others() -> None:
    assert service.ensure_ethnicity("02").name == "Tày"
    with pytest.raises(InvalidEthnicity) as caught:
        service.ensure_ethnicity("55")
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "adminunit.ethnicity.invalid"
    assert "/v1/admin-units/code-lists/ethnicities" in caught.value.detail


def test_religions_include_none() -> None:
    assert service.ensure_religion("00").name == "Không"
    assert {i.name for i in service.religions()} >= {"Phật giáo", "Công giáo", "Cao Đài"}
    with pytest.raises(InvalidReligion, match="code-lists/religions"):
        service.ensure_religion("Phật giáo")


def test_nationalities_are_iso_alpha2() -> None:
    assert service.ensure_nationality("VN").name == "Việt Nam"
    assert service.ensure_nationality("jp").code == "JP"
    assert len(service.nationalities()) == 249
    with pytest.raises(InvalidNationality, match="code-lists/nationalities"):
        service.ensure_nationality("VNM")


def test_63_birth_registration_codes() -> None:
    places = service.birth_registration_places()
    assert len(places) == 63
    assert all(p.code == "0" + p.legacy_province_code for p in places)
    assert service.birth_registration_place("003") is None
    assert service.birth_registration_place("096") is not None


def test_birth_registration_code_024_is_old_bac_giang_now_in_bac_ninh() -> None:
    place = service.birth_registration_place("024")
    assert place is not None
    assert place.name == "Tỉnh Bắc Giang"
    assert place.current_province_code == "24"
    old_bac_ninh = service.birth_registration_place("027")
    assert old_bac_ninh is not None and old_bac_ninh.current_province_code == "24"


def test_id_number_prefixes_agree_with_the_birth_registration_places() -> None:
    from dancu.adminunit import service
    from dancu.idnumber.tables import PROVINCES

    assert {p.code for p in service.birth_registration_places()} == set(PROVINCES)
