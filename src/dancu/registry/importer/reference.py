"""Reference data the validator joins against, built once per import from the register's tables
and code lists (administrative units old and new, ethnicities, religions, nationalities)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.adminunit import service as adminunit
from dancu.adminunit.models import Commune, CommuneConversion
from dancu.adminunit.schemas import CodeItem
from dancu.idnumber.tables import PROVINCES
from dancu.kit.text import fold


@dataclass(frozen=True)
class Reference:
    # code (current or pre-2025) -> current code, current province, the legacy code if converted
    communes: pl.DataFrame
    ethnicities: dict[str, str]  # folded name or code -> code
    religions: dict[str, str]
    nationalities: frozenset[str]
    birth_codes: frozenset[str]  # ID-number province codes; country codes 100-299 also pass


def _commune_map(session: Session) -> pl.DataFrame:
    current = session.execute(
        select(Commune.code, Commune.province_code).where(Commune.unit_set == "current")
    ).all()
    conversions = session.execute(
        select(CommuneConversion.legacy_code, CommuneConversion.current_code).where(
            CommuneConversion.is_default
        )
    ).all()
    province_of = {code: province for code, province in current}
    rows: list[tuple[str, str, str, str | None]] = [
        (code, code, province, None) for code, province in current
    ]
    rows += [
        (legacy, new, province_of[new], legacy)
        for legacy, new in conversions
        if legacy not in province_of
    ]
    return pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "current_code": pl.String,
            "province_code": pl.String,
            "converted_from": pl.String,
        },
        orient="row",
    )


def _names_and_codes(items: list[CodeItem]) -> dict[str, str]:
    lookup = {fold(item.name): item.code for item in items}
    lookup.update({item.code: item.code for item in items})
    return lookup


def load_reference(session: Session) -> Reference:
    return Reference(
        communes=_commune_map(session),
        ethnicities=_names_and_codes(adminunit.ethnicities()),
        religions=_names_and_codes(adminunit.religions()) | {"khong": "00", "none": "00"},
        nationalities=frozenset(item.code for item in adminunit.nationalities()),
        birth_codes=frozenset(PROVINCES),
    )
