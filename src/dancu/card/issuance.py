"""Issuance and after: hand-over at the office (the card becomes the one valid card), loss,
revocation, expiry, the public status check, renewal lists and the programme's statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session

from dancu.audit.service import record_read
from dancu.auth.principal import Principal, Role
from dancu.card.errors import ApplicationNotFound, CardNotFound
from dancu.card.lifecycle import move
from dancu.card.models import Card, CardApplication, CardEvent
from dancu.card.schemas import CardRead, CardStatus, RenewalEntry, StatsRow
from dancu.card.service import get_application
from dancu.kit.clock import now
from dancu.registry.person import read as people
from dancu.registry.person.models import Person

ENDERS = (Role.PROVINCE_OFFICER, Role.CENTRAL_ADMIN, Role.SYSTEM)


def hand_over(session: Session, principal: Principal, application_id: int) -> Card:
    """The citizen collects the card: it becomes active; their previous card is superseded."""
    principal.require_writer()
    application = get_application(session, application_id)
    principal.require_covers(application.office_commune_code, application.office_province_code)
    if application.card_id is None:
        raise ApplicationNotFound(f"application {application_id} has no card produced yet")
    move(session, principal, application, "handed_over")
    application.handed_over_at = now()
    card = session.get_one(Card, application.card_id)
    previous = session.scalar(
        select(Card).where(Card.person_id == card.person_id, Card.status == "active")
    )
    if previous is not None:
        move(session, principal, previous, "superseded", reason=card.card_number)
        previous.ended_at = now()
        session.flush()  # one active card per person: the old one goes first
    move(session, principal, card, "active", reason=f"application {application.id}")
    card.activated_at = now()
    session.flush()
    return card


def get_card(session: Session, card_number: str) -> Card:
    card = session.scalar(select(Card).where(Card.card_number == card_number))
    if card is None:
        raise CardNotFound(f"no card {card_number!r}")
    return card


def end_card(
    session: Session, principal: Principal, card_number: str, *, to: str, reason: str
) -> Card:
    """Report a card lost (any officer of its office's jurisdiction) or revoke it (province
    officers and the centre)."""
    principal.require_writer()
    if to == "revoked":
        principal.require_role(*ENDERS)
    card = get_card(session, card_number)
    principal.require_covers(card.office_commune_code, card.office_province_code)
    move(session, principal, card, to, reason=reason)
    card.ended_at = now()
    session.flush()
    return card


def expire_cards(session: Session, principal: Principal, today: date) -> int:
    """Mark active cards past their expiry date as expired (run daily)."""
    due = list(
        session.scalars(
            select(Card).where(Card.status == "active", Card.expiry_date < today).limit(10_000)
        )
    )
    for card in due:
        move(session, principal, card, "expired", reason=f"expiry date {card.expiry_date}")
        card.ended_at = now()
    session.flush()
    return len(due)


def public_status(session: Session, card_number: str, today: date) -> CardStatus:
    """valid / expired / revoked / unknown, nothing else: for anyone holding the card."""
    card = session.scalar(select(Card).where(Card.card_number == card_number))
    if card is None or card.status in ("produced", "dispatched"):
        return CardStatus(status="unknown")
    if card.status == "expired" or (
        card.status == "active" and card.expiry_date is not None and card.expiry_date < today
    ):
        return CardStatus(status="expired")
    if card.status == "active":
        return CardStatus(status="valid")
    return CardStatus(status="revoked")


def card_view(card: Card) -> CardRead:
    return CardRead.model_validate(card, from_attributes=True)


def cards_of(session: Session, principal: Principal, id_number: str) -> list[CardRead]:
    person = people.find_readable(session, principal, id_number)
    record_read(
        session,
        principal,
        action="card:card:list",
        subject_type="person",
        subject_id=str(person.id_number),
    )
    cards = session.scalars(select(Card).where(Card.person_id == person.id).order_by(Card.id))
    return [card_view(c) for c in cards]


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(p) for p in month.split("-"))
    start = date(year, number, 1)
    end = date(year + number // 12, number % 12 + 1, 1)
    return start, end


def _scope(principal: Principal, commune_code: str | None) -> list[ColumnElement[bool]]:
    if commune_code is not None:
        principal.require_covers(commune_code, None if principal.is_national else "?")
        return [Person.commune_code == commune_code]
    if principal.is_national:
        return []
    if principal.role is Role.PROVINCE_OFFICER:
        return [Person.province_code == principal.jurisdiction_code]
    return [Person.commune_code == principal.jurisdiction_code]


def renewals(
    session: Session,
    principal: Principal,
    month: str,
    *,
    commune_code: str | None = None,
    limit: int = 1000,
) -> list[RenewalEntry]:
    """Who must act in ``month`` (YYYY-MM): active cards expiring then, and people turning 14
    then who have no card (Law 26/2023 Art. 19, 21)."""
    start, end = _month_bounds(month)
    scope = _scope(principal, commune_code)
    expiring = session.execute(
        select(
            Person.id_number,
            Person.full_name,
            Person.commune_code,
            Card.card_number,
            Card.expiry_date,
        )
        .join(Card, Card.person_id == Person.id)
        .where(Card.status == "active", Card.expiry_date >= start, Card.expiry_date < end, *scope)
        .order_by(Person.commune_code, Card.expiry_date)
        .limit(limit)
    ).all()
    turning = session.execute(
        select(Person.id_number, Person.full_name, Person.commune_code)
        .where(
            Person.birth_year == start.year - 14,
            Person.birth_month == start.month,
            Person.status == "alive",
            ~exists().where(Card.person_id == Person.id),
            *scope,
        )
        .order_by(Person.commune_code, Person.id)
        .limit(limit)
    ).all()
    record_read(
        session,
        principal,
        action="card:renewals:list",
        subject_type="month",
        subject_id=month,
        details={"commune_code": commune_code, "rows": len(expiring) + len(turning)},
    )
    return [
        RenewalEntry(
            id_number=str(n),
            full_name=name,
            commune_code=c,
            due="renewal",
            card_number=number,
            expiry_date=expiry,
        )
        for n, name, c, number, expiry in expiring
    ] + [
        RenewalEntry(
            id_number=str(n),
            full_name=name,
            commune_code=c,
            due="first_card_at_14",
            card_number=None,
            expiry_date=None,
        )
        for n, name, c in turning
    ]


def _month_of(session: Session, column: SQLColumnExpression[Any]) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.substr(cast(column, String), 1, 7)


def statistics(
    session: Session,
    principal: Principal,
    *,
    province_code: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[StatsRow]:
    """Applications received, approved, rejected, printed and handed over, by the office's
    province and month (as the programme reports them)."""
    if principal.role is Role.PROVINCE_OFFICER:
        province_code = principal.jurisdiction_code
    elif not principal.is_national:
        principal.require_role(Role.PROVINCE_OFFICER, Role.CENTRAL_ADMIN, Role.AUDITOR)
    month = _month_of(session, CardEvent.at).label("month")
    counted = {
        s: func.sum(case((CardEvent.to_state == s, 1), else_=0))
        for s in ("received", "approved", "rejected", "personalised", "handed_over")
    }
    stmt = (
        select(CardApplication.office_province_code, month, *counted.values())
        .join(
            CardApplication,
            and_(
                CardEvent.subject_type == "application", CardEvent.subject_id == CardApplication.id
            ),
        )
        .group_by(CardApplication.office_province_code, month)
        .order_by(CardApplication.office_province_code, month)
    )
    if province_code is not None:
        stmt = stmt.where(CardApplication.office_province_code == province_code)
    if since is not None:
        stmt = stmt.where(CardEvent.at >= _month_bounds(since)[0])
    if until is not None:
        stmt = stmt.where(CardEvent.at < _month_bounds(until)[1])
    return [
        StatsRow(
            province_code=p, month=m, received=r, approved=a, rejected=x, printed=pr, handed_over=h
        )
        for p, m, r, a, x, pr, h in session.execute(stmt)
    ]
