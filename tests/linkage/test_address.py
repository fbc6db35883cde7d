"""Address texts to current communes: prefixes, folded names, pre-2025 units converted."""

from __future__ import annotations

import doctest

import pytest
from sqlalchemy.orm import Session

from dancu.kit.text import fold
from dancu.linkage import address
from dancu.linkage.address import (
    CONFIDENCE_CURRENT,
    CONFIDENCE_LEGACY,
    CONFIDENCE_NO_PREFIX,
    CONFIDENCE_NO_PROVINCE,
    CONFIDENCE_PROVINCE_ONLY,
    CONFIDENCE_SPLIT,
    ParsedAddress,
    parse_address,
)


def test_docstring_examples_hold() -> None:
    assert doctest.testmod(address).failed == 0


@pytest.mark.parametrize(
    "text",
    [
        "Số 5 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "so 5 le loi, p. sai gon, tp.hcm",
        "Số 5 Lê Lợi, P.Sài Gòn, TP HCM",
        "Số 5 Lê Lợi, PHƯỜNG SÀI GÒN, Hồ Chí Minh",
    ],
)
def test_current_commune_in_its_province(session: Session, text: str) -> None:
    parsed = parse_address(session, text)
    assert (parsed.commune_code, parsed.province_code) == ("26740", "79")
    assert not parsed.legacy
    assert parsed.confidence == CONFIDENCE_CURRENT
    assert fold(parsed.street) == "so 5 le loi"


def test_commune_without_prefix(session: Session) -> None:
    parsed = parse_address(session, "Ba Đình, Hà Nội")
    assert parsed == ParsedAddress("00004", "01", False, CONFIDENCE_NO_PREFIX)


def test_commune_xa_prefix(session: Session) -> None:
    parsed = parse_address(session, "Ấp 3, X. Nghĩa Thành, TP. Hồ Chí Minh")
    assert (parsed.commune_code, parsed.confidence) == ("26617", CONFIDENCE_CURRENT)


def test_legacy_commune_is_converted(session: Session) -> None:
    parsed = parse_address(session, "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP.HCM")
    assert parsed == ParsedAddress("26740", "79", True, CONFIDENCE_LEGACY, "26740", "12 Lê Lợi")


def test_legacy_numbered_ward_needs_its_district(session: Session) -> None:
    parsed = parse_address(session, "Phường 1, Q. Gò Vấp, Thành phố Hồ Chí Minh")
    assert (parsed.commune_code, parsed.legacy_commune_code) == ("26890", "26890")
    assert parsed.legacy
    # Phường 1 exists in a dozen former districts of the city: not guessed.
    unsure = parse_address(session, "Phường 1, Thành phố Hồ Chí Minh")
    assert unsure == ParsedAddress(None, "79", False, CONFIDENCE_PROVINCE_ONLY)


def test_legacy_province_is_understood(session: Session) -> None:
    parsed = parse_address(session, "P. Thắng Tam, TP. Vũng Tàu, Tỉnh Bà Rịa - Vũng Tàu")
    assert (parsed.commune_code, parsed.legacy_commune_code) == ("26506", "26508")
    assert parsed.province_code == "79"  # Bà Rịa - Vũng Tàu merged into Hồ Chí Minh in 2025
    assert parsed.legacy


def test_split_legacy_commune_takes_the_default_successor(session: Session) -> None:
    parsed = parse_address(session, "Phường Tân Thành, Quận Dương Kinh, Thành phố Hải Phòng")
    assert (parsed.commune_code, parsed.legacy_commune_code) == ("11692", "11740")
    assert parsed.confidence == CONFIDENCE_SPLIT


def test_without_province(session: Session) -> None:
    parsed = parse_address(session, "Xã Nghĩa Thành")
    assert parsed == ParsedAddress("26617", "79", False, CONFIDENCE_NO_PROVINCE)
    assert parse_address(session, "Phường An Bình").commune_code is None  # in three provinces


@pytest.mark.parametrize("text", ["", " , ", "Nowhere Street, Atlantis", "12 Lê Lợi"])
def test_nothing_found(session: Session, text: str) -> None:
    assert parse_address(session, text) == ParsedAddress(None, None, False, 0.0)


def test_province_only(session: Session) -> None:
    parsed = parse_address(session, "Thôn Không Tên, Tỉnh Cao Bằng")
    assert parsed == ParsedAddress(None, "04", False, CONFIDENCE_PROVINCE_ONLY)
