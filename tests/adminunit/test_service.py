"""Unit look-ups and old -> new conversion against the migrated database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dancu.adminunit import service
from dancu.adminunit.errors import CommuneNotFound, InvalidSearch, InvalidUnitSet, ProvinceNotFound
from dancu.adminunit.schemas import UnitSet


def test_province_24_is_bac_ninh_now_and_was_bac_giang(session: Session) -> None:
    assert service.get_province(session, "24").name == "Tỉnh Bắc Ninh"
    assert service.get_province(session, "24", unit_set="legacy").name == "Tỉnh Bắc Giang"
    place = service.birth_registration_place("024")
    assert place is not None
    assert service.get_province(session, place.current_province_code).name == "Tỉnh Bắc Ninh"


def test_province_counts(session: Session) -> None:
    assert len(service.list_provinces(session)) == 34
    legacy = service.list_provinces(session, unit_set="legacy")
    assert len(legacy) == 63 and {p.unit_set for p in legacy} == {UnitSet.LEGACY}


def test_unknown_province_is_refused_with_a_readable_message(session: Session) -> None:
    with pytest.raises(ProvinceNotFound) as caught:
        service.get_province(session, "02")  # Hà Giang was merged into Tuyên Quang
    assert caught.value.code == "adminunit.province.not_found"
    assert caught.value.status_code == 404
    assert "'02'" in caught.value.detail


def test_unknown_unit_set_is_refused(session: Session) -> None:
    with pytest.raises(InvalidUnitSet):
        service.list_provinces(session, unit_set="2024")


def test_legacy_commune_keeps_its_district(session: Session) -> None:
    ben_nghe = service.get_commune(session, "26740", unit_set="legacy")
    assert (ben_nghe.name, ben_nghe.district_name, ben_nghe.province_code) == (
        "Phường Bến Nghé",
        "Quận 1",
        "79",
    )


def test_ben_nghe_district_1_became_phuong_sai_gon(session: Session) -> None:
    conversions = service.convert_legacy_commune(session, "26740")
    assert [(c.code, c.name, c.province_code, c.is_default) for c in conversions] == [
        ("26740", "Phường Sài Gòn", "79", True)
    ]
    assert conversions[0].province_name == "Thành phố Hồ Chí Minh"


def test_split_commune_lists_every_successor_default_first(session: Session) -> None:
    conversions = service.convert_legacy_commune(session, "26746")  # P. Nguyễn Thái Bình, Q1
    assert [(c.code, c.is_default) for c in conversions] == [("26743", True), ("26740", False)]


def test_convert_unknown_legacy_code(session: Session) -> None:
    with pytest.raises(CommuneNotFound):
        service.convert_legacy_commune(session, "99999")


def test_resolve_current_code_as_current(session: Session) -> None:
    resolved = service.resolve_commune(session, "26740")
    assert (resolved.code, resolved.name, resolved.converted_from, resolved.ambiguous) == (
        "26740",
        "Phường Sài Gòn",
        None,
        False,
    )
    assert resolved.province_name == "Thành phố Hồ Chí Minh"


def test_resolve_legacy_code_converts_it(session: Session) -> None:
    resolved = service.resolve_commune(session, "00001")  # Phường Phúc Xá, Ba Đình, Hà Nội
    assert (resolved.code, resolved.name, resolved.province_code) == (
        "00097",
        "Phường Hồng Hà",
        "01",
    )
    assert resolved.converted_from == "00001" and not resolved.ambiguous


def test_resolve_split_legacy_code_takes_the_default_and_says_so(session: Session) -> None:
    resolved = service.resolve_commune(session, "26746")
    assert (resolved.code, resolved.converted_from, resolved.ambiguous) == ("26743", "26746", True)


def test_resolve_unknown_code(session: Session) -> None:
    with pytest.raises(CommuneNotFound) as caught:
        service.resolve_commune(session, "00002")
    assert caught.value.code == "adminunit.commune.not_found"


def test_communes_of_a_province(session: Session) -> None:
    hcm = service.list_communes(session, province_code="79")
    assert len(hcm) == 168
    assert {c.province_code for c in hcm} == {"79"}
    legacy = service.list_communes(session, province_code="79", unit_set="legacy")
    assert len(legacy) == 273  # after the Jan 2025 ward rearrangement in HCM City
    with pytest.raises(ProvinceNotFound):
        service.list_communes(session, province_code="02")


def test_total_communes_per_set(session: Session) -> None:
    provinces = service.list_provinces(session)
    total = sum(len(service.list_communes(session, province_code=p.code)) for p in provinces)
    assert total == 3321


@pytest.mark.parametrize("query", ["sai gon", "SÀI GÒN", "Sài Gòn", " sài   gon "])
def test_search_ignores_case_and_diacritics(session: Session, query: str) -> None:
    found = service.search_communes(session, name=query, province_code="79")
    assert found[0].code == "26740"


def test_search_legacy_names(session: Session) -> None:
    found = service.search_communes(session, name="ben nghe", unit_set="legacy")
    assert [(c.code, c.unit_set) for c in found] == [("26740", UnitSet.LEGACY)]
    assert service.search_communes(session, name="ben nghe") == []


def test_search_d_with_stroke_and_wildcards(session: Session) -> None:
    assert any(
        c.name == "Phường Đa Kao"
        for c in service.search_communes(session, name="da kao", unit_set="legacy")
    )
    assert service.search_communes(session, name="%_%") == []


def test_search_limits(session: Session) -> None:
    assert len(service.search_communes(session, name="xa", limit=5)) == 5
    with pytest.raises(InvalidSearch):
        service.search_communes(session, name="x")
    with pytest.raises(InvalidSearch):
        service.search_communes(session, name="xa", limit=0)
    with pytest.raises(ProvinceNotFound):
        service.search_communes(session, name="xa", province_code="02")
