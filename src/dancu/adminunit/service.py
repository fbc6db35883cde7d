"""Administrative units: look-ups in the current and pre-2025 sets, and old -> new conversion.

Since 1 Jul 2025 (Resolution 202/2025/QH15 and the Standing Committee's commune resolutions)
Vietnam has 34 provinces and 3,321 communes and no district level. Records made before carry
the old 63 / 696 / 10,035 units; they are converted, never rewritten. Code lists (ethnicity,
religion, nationality, birth-registration place) live in ``codelists`` and are re-exported here.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dancu.adminunit import repository
from dancu.adminunit.codelists import (
    birth_registration_place,
    birth_registration_places,
    ensure_ethnicity,
    ensure_nationality,
    ensure_religion,
    ethnicities,
    nationalities,
    religions,
)
from dancu.adminunit.errors import CommuneNotFound, InvalidSearch, InvalidUnitSet, ProvinceNotFound
from dancu.adminunit.models import UNIT_SETS, Province
from dancu.adminunit.schemas import (
    CommuneRead,
    ConversionRead,
    ProvinceRead,
    ResolvedCommune,
    UnitSet,
)
from dancu.kit.text import fold

__all__ = [
    "birth_registration_place",
    "birth_registration_places",
    "convert_legacy_commune",
    "ensure_ethnicity",
    "ensure_nationality",
    "ensure_religion",
    "ethnicities",
    "get_commune",
    "get_province",
    "list_communes",
    "list_provinces",
    "nationalities",
    "religions",
    "resolve_commune",
    "search_communes",
]

MAX_SEARCH_RESULTS = 100
_SET_NAMES = {"current": "current (from 1 Jul 2025)", "legacy": "pre-2025"}


def _unit_set(unit_set: str) -> UnitSet:
    if unit_set not in UNIT_SETS:
        raise InvalidUnitSet(f"unknown unit set {unit_set!r}; use 'current' or 'legacy'")
    return UnitSet(unit_set)


def _province_read(province: Province) -> ProvinceRead:
    return ProvinceRead(
        code=province.code,
        name=province.name,
        division_type=province.division_type,
        unit_set=UnitSet(province.unit_set),
    )


def _commune_read(row: repository.CommuneRow) -> CommuneRead:
    commune, province_name, district_name = row
    return CommuneRead(
        code=commune.code,
        name=commune.name,
        division_type=commune.division_type,
        unit_set=UnitSet(commune.unit_set),
        province_code=commune.province_code,
        province_name=province_name,
        district_code=commune.district_code,
        district_name=district_name,
    )


# Units change only with a migration (a new release, a restart), so found units are kept for the
# life of the process: every read of a resident names its communes and provinces.
_provinces: dict[tuple[str, str], ProvinceRead] = {}
_communes: dict[tuple[str, str], CommuneRead] = {}


def get_province(session: Session, code: str, *, unit_set: str = "current") -> ProvinceRead:
    """A province of the current set (34, Resolution 202/2025/QH15) or the pre-2025 set (63)."""
    units = _unit_set(unit_set)
    cached = _provinces.get((units.value, code))
    if cached is not None:
        return cached
    province = repository.province(session, units.value, code.strip())
    if province is None:
        raise ProvinceNotFound(
            f"no {_SET_NAMES[units.value]} province has code {code!r}; province codes are two "
            "digits, e.g. '01' (Hà Nội) or '79' (Hồ Chí Minh)"
        )
    read = _provinces[(units.value, code)] = _province_read(province)
    return read


def get_commune(session: Session, code: str, *, unit_set: str = "current") -> CommuneRead:
    """A commune-level unit (xã, phường, đặc khu; thị trấn before 2025) by its 5-digit code."""
    units = _unit_set(unit_set)
    cached = _communes.get((units.value, code))
    if cached is not None:
        return cached
    row = repository.commune(session, units.value, code.strip())
    if row is None:
        hint = "commune codes are five digits: search communes by name to find one"
        other = "legacy" if units.value == "current" else "current"
        found = repository.commune(session, other, code.strip())
        if found is not None:
            hint = f"{code} is a {_SET_NAMES[other]} code ({found[0].name}): ask with set={other}"
        raise CommuneNotFound(f"no {_SET_NAMES[units.value]} commune has code {code!r}; {hint}")
    commune = _communes[(units.value, code)] = _commune_read(row)
    return commune


def list_provinces(session: Session, *, unit_set: str = "current") -> list[ProvinceRead]:
    """All provinces of a set, by code."""
    return [_province_read(p) for p in repository.provinces(session, _unit_set(unit_set).value)]


def list_communes(
    session: Session, *, province_code: str, unit_set: str = "current"
) -> list[CommuneRead]:
    """All communes of one province in a set, by code."""
    province = get_province(session, province_code, unit_set=unit_set)
    rows = repository.communes_of_province(session, province.unit_set.value, province.code)
    return [_commune_read(r) for r in rows]


def search_communes(
    session: Session,
    *,
    name: str,
    province_code: str | None = None,
    unit_set: str = "current",
    limit: int = 20,
) -> list[CommuneRead]:
    """Communes whose name contains ``name``, ignoring case and Vietnamese diacritics
    ("ben nghe" finds "Phường Bến Nghé"); whole-name matches first."""
    units = _unit_set(unit_set)
    key = fold(name)
    if len(key) < 2:
        raise InvalidSearch("give at least 2 letters of the commune's name to search for")
    if not 1 <= limit <= MAX_SEARCH_RESULTS:
        raise InvalidSearch(f"the result limit is between 1 and {MAX_SEARCH_RESULTS}")
    if province_code is not None:
        province_code = get_province(session, province_code, unit_set=units.value).code
    rows = repository.search_communes(
        session, unit_set=units.value, key=key, province_code=province_code, limit=limit
    )
    return [_commune_read(r) for r in rows]


def convert_legacy_commune(session: Session, legacy_code: str) -> list[ConversionRead]:
    """The current communes a pre-2025 commune became (2025 commune rearrangement), the default
    first. A commune split between several new ones has several; exactly one is the default."""
    legacy = get_commune(session, legacy_code, unit_set="legacy")
    return [
        ConversionRead(
            legacy_code=legacy.code,
            code=commune.code,
            name=commune.name,
            division_type=commune.division_type,
            province_code=commune.province_code,
            province_name=province_name,
            is_default=conversion.is_default,
        )
        for conversion, commune, province_name in repository.conversions(session, legacy.code)
    ]


def resolve_commune(session: Session, code: str) -> ResolvedCommune:
    """The current commune for a code written before or after 1 Jul 2025.

    Current commune codes reuse pre-2025 ones (26740 was Phường Bến Nghé, is now Phường Sài
    Gòn, which absorbed it), so a code valid in the current set is taken as current. Otherwise
    the pre-2025 commune is converted; when it was split, the default successor is chosen and
    ``ambiguous`` is set so that a clerk can confirm it.
    """
    row = repository.commune(session, UnitSet.CURRENT.value, code.strip())
    if row is not None:
        current = _commune_read(row)
        return ResolvedCommune(
            code=current.code,
            name=current.name,
            division_type=current.division_type,
            province_code=current.province_code,
            province_name=current.province_name,
        )
    if repository.commune(session, UnitSet.LEGACY.value, code.strip()) is None:
        raise CommuneNotFound(
            f"{code!r} is neither a current nor a pre-2025 commune code; commune codes are five "
            "digits: search communes by name to find one"
        )
    candidates = convert_legacy_commune(session, code)
    chosen = candidates[0]
    return ResolvedCommune(
        code=chosen.code,
        name=chosen.name,
        division_type=chosen.division_type,
        province_code=chosen.province_code,
        province_name=chosen.province_name,
        converted_from=chosen.legacy_code,
        ambiguous=len(candidates) > 1,
    )
