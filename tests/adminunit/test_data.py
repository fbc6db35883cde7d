"""The packaged reference files: the counts the register relies on, and their consistency."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from importlib import resources

from dancu.adminunit import datafiles


def _by_set(rows: list[dict[str, str]]) -> Counter[str]:
    return Counter(r["unit_set"] for r in rows)


def test_unit_counts_before_and_after_the_2025_reform() -> None:
    assert _by_set(datafiles.provinces()) == {"current": 34, "legacy": 63}
    assert len(datafiles.districts()) == 696
    assert _by_set(datafiles.communes()) == {"current": 3321, "legacy": 10035}


def test_current_communes_are_xa_phuong_or_dac_khu() -> None:
    current = [r for r in datafiles.communes() if r["unit_set"] == "current"]
    assert Counter(r["division_type"] for r in current) == {
        "xã": 2621,
        "phường": 687,
        "đặc khu": 13,
    }
    assert all(r["district_code"] == "" for r in current)


def test_six_centrally_run_cities_among_the_34() -> None:
    current = [r for r in datafiles.provinces() if r["unit_set"] == "current"]
    cities = {r["code"] for r in current if r["division_type"] == "thành phố trung ương"}
    assert cities == {"01", "31", "46", "48", "79", "92"}


def test_names_are_nfc_and_codes_have_their_width() -> None:
    widths = {"provinces.csv": 2, "districts.csv.gz": 3, "communes.csv.gz": 5}
    for file, width in widths.items():
        for row in datafiles.read_rows(file):
            assert unicodedata.normalize("NFC", row["name"]) == row["name"]
            assert len(row["code"]) == width and row["code"].isdigit()


def test_every_legacy_commune_converts_to_current_ones_with_exactly_one_default() -> None:
    current = {r["code"] for r in datafiles.communes() if r["unit_set"] == "current"}
    legacy = {r["code"] for r in datafiles.communes() if r["unit_set"] == "legacy"}
    defaults: dict[str, int] = defaultdict(int)
    for row in datafiles.commune_conversions():
        assert row["legacy_code"] in legacy
        assert row["current_code"] in current
        defaults[row["legacy_code"]] += row["is_default"] == "1"
    assert set(defaults) == legacy
    assert set(defaults.values()) == {1}


def test_legacy_communes_belong_to_a_district_of_their_province() -> None:
    district_province = {r["code"]: r["province_code"] for r in datafiles.districts()}
    for row in datafiles.communes():
        if row["unit_set"] == "legacy":
            assert district_province[row["district_code"]] == row["province_code"]


def test_province_mapping_of_resolution_202() -> None:
    merged = defaultdict(set)
    for row in datafiles.read_rows("province_conversions.csv"):
        merged[row["current_code"]].add(row["legacy_code"])
    assert len(merged) == 34 and sum(len(v) for v in merged.values()) == 63
    assert merged["79"] == {"74", "77", "79"}  # Bình Dương, Bà Rịa - Vũng Tàu, HCM City
    assert merged["24"] == {"24", "27"}  # Bắc Giang + Bắc Ninh


def test_committed_data_stays_small() -> None:
    folder = resources.files("dancu.adminunit").joinpath("data")
    total = sum(f.stat().st_size for f in folder.iterdir())  # type: ignore[attr-defined]
    assert total < 2_000_000
