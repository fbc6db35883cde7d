"""Residence registration (Law on Residence 68/2020/QH14).

One permanent and at most one temporary residence at a time (Art. 11-12); a temporary
registration lasts at most two years (Art. 27) and is for living outside the commune of permanent
residence. A change closes the open registration and opens a new one; nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from dancu.adminunit import service as adminunit
from dancu.auth.principal import Principal
from dancu.kit.clock import now, today
from dancu.registry.residence.errors import ResidenceNotFound, ResidenceRuleViolation
from dancu.registry.residence.models import Residence

KINDS = ("permanent", "temporary", "current")
MAX_TEMPORARY = timedelta(days=2 * 366)


@dataclass(frozen=True)
class NewResidence:
    kind: str
    address_line: str
    commune_code: str
    valid_from: date | None = None
    valid_to: date | None = None


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


_OPEN_NOW = select(Residence).where(
    Residence.person_id == bindparam("person_id"), Residence.ended_at.is_(None)
)


def open_residences(
    session: Session, person_id: int, *, as_of: date | None = None
) -> list[Residence]:
    """Registrations open now, or open at the end of ``as_of``."""
    if as_of is None:
        found = session.scalars(_OPEN_NOW, {"person_id": person_id})
    else:
        moment = end_of_day(as_of)
        found = session.scalars(
            select(Residence).where(
                Residence.person_id == person_id,
                Residence.recorded_at <= moment,
                or_(Residence.ended_at.is_(None), Residence.ended_at > moment),
            )
        )
    return sorted(found, key=lambda r: KINDS.index(r.kind))


_TABLE = Residence.__table__
# What a read of a record shows of each open registration, in this order.
OPEN_NOW_COLUMNS = (
    "kind",
    "address_line",
    "commune_code",
    "province_code",
    "valid_from",
    "valid_to",
    "converted_from",
)


def with_open_now(
    stmt: Select[*tuple[Any, ...]], person_id: ColumnElement[int]
) -> Select[*tuple[Any, ...]]:
    """``stmt`` LEFT JOINed with the registrations of ``person_id`` open now (those
    ``open_residences`` gives): a row for each, or one with NULLs when none is open. Adds the
    ``OPEN_NOW_COLUMNS`` labelled ``residence_<name>``. Lets the read of a record fetch the
    person and their residences in one statement: one snapshot, one round trip, plain rows."""
    columns = [_TABLE.c[name].label(f"residence_{name}") for name in OPEN_NOW_COLUMNS]
    return stmt.add_columns(*columns).outerjoin(
        _TABLE, and_(_TABLE.c.person_id == person_id, _TABLE.c.ended_at.is_(None))
    )


def residence_history(session: Session, person_id: int) -> list[Residence]:
    stmt = select(Residence).where(Residence.person_id == person_id).order_by(Residence.id)
    return list(session.scalars(stmt))


def _check_dates(new: NewResidence, start: date) -> None:
    if new.kind == "temporary":
        if new.valid_to is None:
            raise ResidenceRuleViolation("a temporary residence needs an end date (valid_to)")
        if new.valid_to <= start:
            raise ResidenceRuleViolation("the temporary residence must end after it starts")
        if new.valid_to - start > MAX_TEMPORARY:
            raise ResidenceRuleViolation(
                "a temporary residence is registered for at most 2 years (Law on Residence, "
                "Art. 27); register an extension when it ends"
            )
    elif new.valid_to is not None:
        raise ResidenceRuleViolation(f"a {new.kind} residence has no end date")


def register_residence(
    session: Session, principal: Principal, *, person_id: int, new: NewResidence, reason: str
) -> Residence:
    """Open a registration of ``new.kind``, closing the open one of that kind (a move)."""
    if new.kind not in KINDS:
        raise ResidenceRuleViolation(f"unknown residence kind {new.kind!r}; use one of {KINDS}")
    start = new.valid_from or today()
    _check_dates(new, start)
    commune = adminunit.resolve_commune(session, new.commune_code)
    open_now = {r.kind: r for r in open_residences(session, person_id)}
    if (
        new.kind == "temporary"
        and "permanent" in open_now
        and open_now["permanent"].commune_code == commune.code
    ):
        raise ResidenceRuleViolation(
            "temporary residence is registered only when living outside the commune of "
            "permanent residence (Law on Residence, Art. 27)"
        )
    if new.kind in open_now:
        _close(open_now[new.kind], principal, f"replaced: {reason}")
        session.flush()
    residence = Residence(
        person_id=person_id,
        kind=new.kind,
        address_line=new.address_line,
        commune_code=commune.code,
        province_code=commune.province_code,
        converted_from=commune.converted_from,
        valid_from=start,
        valid_to=new.valid_to,
        recorded_by=principal.username,
        officer_id=principal.officer_id,
        reason=reason,
    )
    session.add(residence)
    session.flush()
    return residence


def end_residence(
    session: Session, principal: Principal, *, person_id: int, kind: str, reason: str
) -> Residence:
    """Close the open registration of ``kind`` (xóa đăng ký, Art. 24 and 29)."""
    current = {r.kind: r for r in open_residences(session, person_id)}.get(kind)
    if current is None:
        raise ResidenceNotFound(f"there is no open {kind} residence to end")
    _close(current, principal, reason)
    session.flush()
    return current


def _close(residence: Residence, principal: Principal, reason: str) -> None:
    residence.ended_at = now()
    residence.ended_by = principal.username
    residence.end_reason = reason
