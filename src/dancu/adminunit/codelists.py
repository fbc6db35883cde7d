"""Code lists the register records against (ethnicity, religion, nationality, birth-registration
place), read once from the packaged files and held in memory: they change by release, not at
run time."""

from __future__ import annotations

from functools import cache

from dancu.adminunit.datafiles import read_rows
from dancu.adminunit.errors import InvalidEthnicity, InvalidNationality, InvalidReligion
from dancu.adminunit.schemas import BirthRegistrationPlace, CodeItem
from dancu.kit.errors import InvalidInput

_HINT = "the valid codes are listed at GET /v1/admin-units/code-lists/{name}"


@cache
def _items(file: str) -> dict[str, CodeItem]:
    return {r["code"]: CodeItem(code=r["code"], name=r["name"]) for r in read_rows(file)}


@cache
def _places() -> dict[str, BirthRegistrationPlace]:
    return {
        r["code"]: BirthRegistrationPlace.model_validate(r)
        for r in read_rows("birth_registration_places.csv")
    }


def ethnicities() -> list[CodeItem]:
    """The 54 ethnic groups of Vietnam, GSO codes 01..54 (Decision 121-TCTK/PPCĐ)."""
    return list(_items("ethnicities.csv").values())


def religions() -> list[CodeItem]:
    """Religions recognised by the State (Law on Belief and Religion 02/2016/QH14); 00 = none."""
    return list(_items("religions.csv").values())


def nationalities() -> list[CodeItem]:
    """ISO 3166-1 alpha-2 country codes."""
    return list(_items("nationalities.csv").values())


def birth_registration_places() -> list[BirthRegistrationPlace]:
    """The 63 three-digit birth-registration codes of the personal ID number (pre-2025 provinces,
    Decree 137/2015/NĐ-CP Art 13): historical codes, not current province codes."""
    return list(_places().values())


def birth_registration_place(code3: str) -> BirthRegistrationPlace | None:
    """The pre-2025 province behind an ID number's first three digits, or None."""
    return _places().get(code3)


def _ensure(file: str, code: str, *, what: str, name: str, error: type[InvalidInput]) -> CodeItem:
    item = _items(file).get(code)
    if item is None:
        raise error(f"{code!r} is not a known {what} code; {_HINT.format(name=name)}")
    return item


def ensure_ethnicity(code: str) -> CodeItem:
    """The ethnic group with this two-digit GSO code (01 Kinh ... 54)."""
    return _ensure(
        "ethnicities.csv",
        code.strip(),
        what="ethnicity",
        name="ethnicities",
        error=InvalidEthnicity,
    )


def ensure_religion(code: str) -> CodeItem:
    """The religion with this code; 00 means no religion."""
    return _ensure(
        "religions.csv", code.strip(), what="religion", name="religions", error=InvalidReligion
    )


def ensure_nationality(code: str) -> CodeItem:
    """The country with this ISO 3166-1 alpha-2 code (VN = Việt Nam)."""
    return _ensure(
        "nationalities.csv",
        code.strip().upper(),
        what="nationality",
        name="nationalities",
        error=InvalidNationality,
    )
