"""Code tables for the first three digits of a personal ID number (the birth-registration place).

This is the authoritative copy for ID numbers; ``dancu.adminunit`` cross-checks against it.

Sources (see /work/shared/domain/vietnam-registry-facts.md section 1):

* Province codes: Circular 07/2016/TT-BCA Art 7, carried into Circular 59/2021/TT-BCA. A code is
  "0" + the two-digit GSO code of one of the **63 provinces as they were before the 2025 merger**;
  numbers are never renumbered, so ``024`` stays old Bắc Giang although the current province 24 is
  the merged Bắc Ninh. Table as published by vn-ident 0.1.0 ``vn_ident/tables.py`` (its author
  cross-checked four publications, one of which mis-prints Bắc Giang as 023).
* Country codes (birth registered abroad): three digits with a non-zero first digit, from the
  appendix of Circular 07/2016/TT-BCA as transcribed in hongquan/vietnam-personal-id
  ``dev/countries-code.csv`` (the primary appendix was not seen). Only the entries quoted in the
  facts file are named here; other codes in ``COUNTRY_CODE_RANGE`` are accepted as "name unknown".
"""

from __future__ import annotations

from typing import Final

PROVINCES: Final[dict[str, str]] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu",
    "079": "TP Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Codes 100-299 are country codes. The published list runs 101 (Afghanistan) to 295 (Zimbabwe);
# without the full appendix every code in the range is accepted and unnamed ones say so.
COUNTRY_CODE_RANGE: Final[range] = range(100, 300)

COUNTRIES: Final[dict[str, str]] = {
    "101": "Afghanistan",
    "175": "Hoa Kỳ",
    "232": "Nhật Bản",
    "279": "Trung Quốc",
    "295": "Zimbabwe",
}


def country_name(code: str) -> str:
    """The country's name, or a phrase saying the code is valid but not in our table."""
    return COUNTRIES.get(code, f"country code {code} (name unknown)")
