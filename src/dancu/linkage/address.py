"""Free-text Vietnamese addresses to administrative units, for record linkage.

Legacy records write addresses as text ("Số 12 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM"): the commune is
found by name (case and diacritics ignored) within the province the text names, in the current
units (from 1 Jul 2025) or, failing that, in the pre-2025 units, which are then converted to the
current commune they became (``adminunit.service.convert_legacy_commune``). Only the
administrative-unit context's public service is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from sqlalchemy.orm import Session

from dancu.adminunit import service
from dancu.adminunit.schemas import CommuneRead
from dancu.kit.text import fold, nfc

__all__ = ["ParsedAddress", "parse_address", "split_unit"]

# Folded prefixes, longest first, by level. "Thành phố"/"TP." is a province in the last part of
# an address and a (pre-2025) district-level city before it.
_COMMUNE = ("thi tran", "dac khu", "phuong", "xa", "tt", "p", "x")
_DISTRICT = ("thanh pho", "thi xa", "quan", "huyen", "tp", "tx", "q", "h")
_PROVINCE = ("thanh pho", "tinh", "tp", "t")
_FULL = {"p": "phuong", "x": "xa", "tt": "thi tran"}
# Short forms clerks write for provinces (folded, prefix removed).
_ALIASES = {
    "hcm": "ho chi minh", "tphcm": "ho chi minh", "sai gon": "ho chi minh", "hn": "ha noi",
    "brvt": "ba ria vung tau", "thua thien hue": "hue",
}  # fmt: skip
_NOISE = re.compile(r"[.\-–]")

CONFIDENCE_CURRENT = 1.0  # a current commune, found by its full name in the named province
CONFIDENCE_NO_PREFIX = 0.9  # the same, but the text did not say xã/phường
CONFIDENCE_LEGACY = 0.8  # a pre-2025 commune converted to the one current commune it became
CONFIDENCE_SPLIT = 0.6  # a pre-2025 commune split between several: the default successor
CONFIDENCE_NO_PROVINCE = 0.6  # a commune name unique in the country, no province in the text
CONFIDENCE_PROVINCE_ONLY = 0.3


@dataclass(frozen=True)
class ParsedAddress:
    """Current unit codes found in an address text (None where not found or ambiguous)."""

    commune_code: str | None
    province_code: str | None
    legacy: bool  # the text named a pre-2025 commune, converted to today's
    confidence: float  # 0 (nothing found) .. 1 (an exact current commune in its province)
    legacy_commune_code: str | None = None
    street: str = ""  # the text before the commune part, as written (NFC)


def split_unit(part: str, prefixes: tuple[str, ...]) -> tuple[str | None, str]:
    """(prefix, folded core) of one comma-separated part of an address.

    >>> split_unit("P. Bến Nghé", _COMMUNE), split_unit("Q.1", _DISTRICT)
    (('phuong', 'ben nghe'), ('q', '1'))
    >>> split_unit("Tỉnh Bà Rịa - Vũng Tàu", _PROVINCE), split_unit("Bến Nghé", _COMMUNE)
    (('tinh', 'ba ria vung tau'), (None, 'ben nghe'))
    """
    key = " ".join(_NOISE.sub(" ", fold(part)).split())
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return _FULL.get(prefix, prefix), key[len(prefix) + 1 :]
    return None, key


def _core(name: str, prefixes: tuple[str, ...]) -> str:
    return split_unit(name, prefixes)[1]


@cache
def _legacy_to_current() -> dict[str, str]:
    return {
        p.legacy_province_code: p.current_province_code for p in service.birth_registration_places()
    }


def _province(session: Session, part: str) -> tuple[str, str] | None:
    """(unit set, code) of the province a part names, current names first."""
    core = split_unit(part, _PROVINCE)[1]
    core = _ALIASES.get(core, _ALIASES.get(core.replace(" ", ""), core))
    for unit_set in ("current", "legacy"):
        for province in service.list_provinces(session, unit_set=unit_set):
            if _core(province.name, _PROVINCE) == core:
                return unit_set, province.code
    return None


def _candidates(
    session: Session, part: str, *, unit_set: str, province_code: str | None
) -> list[CommuneRead]:
    prefix, core = split_unit(part, _COMMUNE)
    query = f"{prefix} {core}" if prefix else core
    if len(query) < 2:
        return []
    found = service.search_communes(
        session, name=query, province_code=province_code, unit_set=unit_set, limit=100
    )
    return [
        c
        for c in found
        if _core(c.name, _COMMUNE) == core and (prefix is None or fold(c.division_type) == prefix)
    ]


def _in_district(communes: list[CommuneRead], district: str | None) -> list[CommuneRead]:
    if district is None or len(communes) < 2:
        return communes
    return [
        c for c in communes if c.district_name and _core(c.district_name, _DISTRICT) == district
    ]


def _current(session: Session, part: str, province: tuple[str, str] | None) -> ParsedAddress | None:
    code = province[1] if province and province[0] == "current" else None
    if province and code is None:
        return None
    found = _candidates(session, part, unit_set="current", province_code=code)
    if len(found) != 1:
        return None
    named = split_unit(part, _COMMUNE)[0] is not None
    confidence = CONFIDENCE_NO_PREFIX if code and not named else CONFIDENCE_CURRENT
    if code is None:
        confidence = CONFIDENCE_NO_PROVINCE
    return ParsedAddress(found[0].code, found[0].province_code, False, confidence)


def _legacy(
    session: Session, part: str, province: tuple[str, str] | None, district: str | None
) -> ParsedAddress | None:
    code = province[1] if province and province[0] == "legacy" else None
    found = _candidates(session, part, unit_set="legacy", province_code=code)
    if province and province[0] == "current":
        mapping = _legacy_to_current()
        found = [c for c in found if mapping.get(c.province_code) == province[1]]
    found = _in_district(found, district)
    if len(found) != 1:
        return None
    successors = service.convert_legacy_commune(session, found[0].code)
    chosen = successors[0]
    confidence = CONFIDENCE_LEGACY if len(successors) == 1 else CONFIDENCE_SPLIT
    if province is None:
        confidence = min(confidence, CONFIDENCE_NO_PROVINCE)
    return ParsedAddress(chosen.code, chosen.province_code, True, confidence, found[0].code)


def _province_only(province: tuple[str, str] | None) -> ParsedAddress:
    if province is None:
        return ParsedAddress(None, None, False, 0.0)
    unit_set, code = province
    current = code if unit_set == "current" else _legacy_to_current().get(code)
    return ParsedAddress(None, current, unit_set == "legacy", CONFIDENCE_PROVINCE_ONLY)


def _district(parts: list[str]) -> str | None:
    for part in parts:
        prefix, core = split_unit(part, _DISTRICT)
        if prefix is not None:
            return core
    return None


def parse_address(session: Session, text: str) -> ParsedAddress:
    """The current commune and province an address names, with how sure the match is.

    The address is read from the right, parts separated by commas: the last part is the
    province when it names one (current or pre-2025; "TP.HCM", "HN" and similar short forms
    are known); before it, district parts ("Quận 1", "Huyện ...", "Q.1") only narrow a
    pre-2025 search; the commune is the part nearest the province that names exactly one
    commune ("Phường/P.", "Xã/X.", "Thị trấn/TT.", "Đặc khu", or no prefix). A commune found
    only among the pre-2025 units is converted to the current one it became (the default
    successor when it was split, at lower confidence). Several matches are not guessed at.
    """
    parts = [p.strip() for p in nfc(text).split(",") if p.strip()]
    province = _province(session, parts[-1]) if parts else None
    rest = parts[:-1] if province else parts
    district = _district(rest)
    for at in _commune_parts(rest):
        found = _current(session, rest[at], province) or _legacy(
            session, rest[at], province, district
        )
        if found is not None:
            return replace(found, street=", ".join(rest[:at]))
    return _province_only(province)


def _commune_parts(parts: list[str]) -> list[int]:
    """Where the commune may be: parts that say xã/phường first, then the others that are not
    districts; nearest the province first."""
    named = [i for i, p in enumerate(parts) if split_unit(p, _COMMUNE)[0] is not None]
    others = [
        i for i, p in enumerate(parts) if i not in named and split_unit(p, _DISTRICT)[0] is None
    ]
    return named[::-1] + others[::-1]
