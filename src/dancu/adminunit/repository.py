"""Queries over the unit tables (no rules, never commits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session

from dancu.adminunit.models import Commune, CommuneConversion, District, Province

if TYPE_CHECKING:  # SQLAlchemy 2.1 variadic generics; not subscriptable at run time on 2.0
    from sqlalchemy import Row, Select

    CommuneRow = Row[Commune, str, str | None]
    ConversionRow = Row[CommuneConversion, Commune, str]


def _communes() -> Select[Commune, str, str | None]:
    return (
        select(Commune, Province.name, District.name)
        .join(
            Province,
            and_(Province.unit_set == Commune.unit_set, Province.code == Commune.province_code),
        )
        .outerjoin(
            District,
            and_(District.unit_set == Commune.unit_set, District.code == Commune.district_code),
        )
    )


def province(session: Session, unit_set: str, code: str) -> Province | None:
    return session.get(Province, (unit_set, code))


def provinces(session: Session, unit_set: str) -> Sequence[Province]:
    return session.scalars(
        select(Province).where(Province.unit_set == unit_set).order_by(Province.code)
    ).all()


def commune(session: Session, unit_set: str, code: str) -> CommuneRow | None:
    stmt = _communes().where(Commune.unit_set == unit_set, Commune.code == code)
    return session.execute(stmt).one_or_none()


def communes_of_province(
    session: Session, unit_set: str, province_code: str
) -> Sequence[CommuneRow]:
    stmt = _communes().where(Commune.unit_set == unit_set, Commune.province_code == province_code)
    return session.execute(stmt.order_by(Commune.code)).all()


def search_communes(
    session: Session, *, unit_set: str, key: str, province_code: str | None, limit: int
) -> Sequence[CommuneRow]:
    """Communes whose folded name contains ``key``; whole-name and name-ending matches first."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conditions: list[Any] = [
        Commune.unit_set == unit_set,
        Commune.name_key.like(f"%{escaped}%", escape="\\"),
    ]
    if province_code is not None:
        conditions.append(Commune.province_code == province_code)
    rank = case(
        (Commune.name_key == key, 0),
        (Commune.name_key.like(f"% {escaped}", escape="\\"), 1),
        else_=2,
    )
    stmt = _communes().where(*conditions).order_by(rank, Commune.name_key, Commune.code)
    return session.execute(stmt.limit(limit)).all()


def conversions(session: Session, legacy_code: str) -> Sequence[ConversionRow]:
    """The current communes a legacy commune became, the default first."""
    stmt = (
        select(CommuneConversion, Commune, Province.name)
        .join(
            Commune,
            and_(Commune.unit_set == "current", Commune.code == CommuneConversion.current_code),
        )
        .join(
            Province, and_(Province.unit_set == "current", Province.code == Commune.province_code)
        )
        .where(CommuneConversion.legacy_code == legacy_code)
        .order_by(CommuneConversion.is_default.desc(), CommuneConversion.current_code)
    )
    return session.execute(stmt).all()
