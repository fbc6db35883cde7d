"""Production: approved applications grouped into batches, each card personalised and sent to
the printer, then the batch dispatched to the issuing offices.

Each card is its own unit of work: a card that fails (bad data, the printer refusing it) is
reported on its application and left in the batch to be retried; the others go on. Producing
a batch again retries only what is not yet produced, so a killed run resumes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dancu.auth.principal import Principal, Role
from dancu.card import service
from dancu.card.biometrics import BiometricCipher
from dancu.card.chip import Pki
from dancu.card.errors import BatchNotFound, CardRuleViolation
from dancu.card.lifecycle import log, move
from dancu.card.models import Card, CardApplication, CardBatch
from dancu.card.mrz import check_digit
from dancu.card.personalise import personalise
from dancu.card.printer import Printer
from dancu.card.schemas import BatchCreate, BatchFailure, BatchRead
from dancu.kit.clock import now
from dancu.kit.db import unit_of_work
from dancu.registry.person.models import Person

logger = logging.getLogger(__name__)
PRODUCERS = (Role.CENTRAL_ADMIN, Role.SYSTEM)


@dataclass(frozen=True)
class Production:
    """What producing a card needs besides the database."""

    pki: Pki
    printer: Printer
    cipher: BiometricCipher
    images: bool = True


def create_batch(session: Session, principal: Principal, body: BatchCreate) -> CardBatch:
    """Group approved applications (oldest first, optionally one province's, or the ones
    named) into a new production batch."""
    principal.require_role(*PRODUCERS)
    stmt = select(CardApplication).where(CardApplication.status == "approved")
    if body.province_code is not None:
        stmt = stmt.where(CardApplication.office_province_code == body.province_code)
    if body.application_ids is not None:
        stmt = stmt.where(CardApplication.id.in_(body.application_ids))
    chosen = list(session.scalars(stmt.order_by(CardApplication.id).limit(body.limit)))
    if body.application_ids is not None and len(chosen) != len(set(body.application_ids)):
        missing = sorted(set(body.application_ids) - {a.id for a in chosen})
        raise CardRuleViolation(f"not approved (or unknown), so not batched: {missing}")
    if not chosen:
        raise CardRuleViolation("no approved application to put in a batch")
    batch = CardBatch(
        reference="pending",
        status="created",
        created_by=principal.username,
        cards_total=len(chosen),
    )
    session.add(batch)
    session.flush()
    batch.reference = f"B{now():%Y%m%d}-{batch.id:06d}"
    log(session, principal, batch, None, "created")
    for application in chosen:
        move(session, principal, application, "in_batch", reason=batch.reference)
        application.batch_id = batch.id
    session.flush()
    return batch


def get_batch(session: Session, batch_id: int) -> CardBatch:
    batch = session.get(CardBatch, batch_id)
    if batch is None:
        raise BatchNotFound(f"no card batch {batch_id}")
    return batch


def batch_view(session: Session, batch: CardBatch) -> BatchRead:
    failures = session.execute(
        select(CardApplication.id, CardApplication.production_error)
        .where(
            CardApplication.batch_id == batch.id,
            CardApplication.status == "in_batch",
            CardApplication.production_error.is_not(None),
        )
        .order_by(CardApplication.id)
    )
    return BatchRead(
        id=batch.id,
        reference=batch.reference,
        status=batch.status,
        created_at=batch.created_at,
        created_by=batch.created_by,
        produced_at=batch.produced_at,
        cards_total=batch.cards_total,
        cards_produced=batch.cards_produced,
        cards_failed=batch.cards_failed,
        failures=[BatchFailure(application_id=i, error=e) for i, e in failures],
    )


def new_card_number(session: Session) -> str:
    """Nine random digits and their ICAO check digit, unused so far."""
    while True:
        body = f"{secrets.randbelow(10**9):09d}"
        number = body + check_digit(body)
        if session.scalar(select(Card.id).where(Card.card_number == number)) is None:
            return number


def produce_batch(
    sessions: sessionmaker[Session],
    principal: Principal,
    batch_id: int,
    production: Production,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BatchRead:
    """Personalise and print every card of the batch not yet produced, one unit of work each."""
    principal.require_role(*PRODUCERS)
    with sessions() as session:
        batch = get_batch(session, batch_id)
        if batch.status not in ("created", "partial"):
            raise CardRuleViolation(
                f"batch {batch.reference} is {batch.status}: nothing to produce"
            )
        reference = batch.reference
        pending = list(
            session.scalars(
                select(CardApplication.id)
                .where(CardApplication.batch_id == batch_id, CardApplication.status == "in_batch")
                .order_by(CardApplication.id)
            )
        )
    for done, application_id in enumerate(pending, start=1):
        _produce_one(sessions, principal, application_id, reference, production)
        if progress is not None:
            progress(done, len(pending))
    with unit_of_work(sessions) as session:
        return _close_batch(session, principal, batch_id, production.printer)


def _produce_one(
    sessions: sessionmaker[Session],
    principal: Principal,
    application_id: int,
    reference: str,
    production: Production,
) -> None:
    try:
        with unit_of_work(sessions) as session:
            application = session.get_one(CardApplication, application_id)
            if application.status != "in_batch":
                return  # produced meanwhile by another run
            card = _make_card(session, application, production)
            move(session, principal, application, "personalised", reason=card.card_number)
            application.card_id = card.id
            application.production_error = None
            application.production_attempts += 1
    except Exception as exc:  # reported on the application; the batch goes on
        logger.warning(
            "card application %s failed in production: %s", application_id, type(exc).__name__
        )
        with unit_of_work(sessions) as session:
            application = session.get_one(CardApplication, application_id)
            application.production_error = _describe(exc)
            application.production_attempts += 1


def _describe(exc: Exception) -> str:
    detail = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"[:500]


def _make_card(session: Session, application: CardApplication, production: Production) -> Card:
    person = session.get_one(Person, application.person_id)
    today = now().date()
    for _attempt in range(5):
        number = new_card_number(session)
        data = service.card_data(
            session,
            person,
            card_number=number,
            issue_date=today,
            face_jpeg=service.face_photo(session, application, production.cipher),
        )
        card = Card(
            card_number=number,
            person_id=person.id,
            status="produced",
            issue_date=today,
            expiry_date=data.expiry_date,
            office_commune_code=application.office_commune_code,
            office_province_code=application.office_province_code,
        )
        try:
            with session.begin_nested():
                session.add(card)
                session.flush()
        except IntegrityError:
            continue  # the number was taken in the meantime
        production.printer.print_card(
            _reference_of(session, application),
            personalise(data, production.pki, images=production.images),
        )
        return card
    raise RuntimeError("could not find a free card number in 5 tries")


def _reference_of(session: Session, application: CardApplication) -> str:
    assert application.batch_id is not None
    return session.get_one(CardBatch, application.batch_id).reference


def _close_batch(
    session: Session, principal: Principal, batch_id: int, printer: Printer
) -> BatchRead:
    batch = get_batch(session, batch_id)
    counts = dict(
        session.execute(
            select(CardApplication.status, func.count())
            .where(CardApplication.batch_id == batch_id)
            .group_by(CardApplication.status)
        ).all()
    )
    left = counts.get("in_batch", 0)
    batch.cards_produced = batch.cards_total - left
    batch.cards_failed = left
    move(session, principal, batch, "partial" if left else "produced")
    if not left:
        batch.produced_at = now()
    session.flush()
    view = batch_view(session, batch)
    printer.close_batch(
        batch.reference,
        {
            "reference": batch.reference,
            "cards_total": batch.cards_total,
            "cards_produced": batch.cards_produced,
            "cards_failed": batch.cards_failed,
            "failed_applications": [f.application_id for f in view.failures],
        },
    )
    return view


def dispatch_batch(session: Session, principal: Principal, batch_id: int) -> CardBatch:
    """Send a produced batch's cards to their issuing offices."""
    principal.require_role(*PRODUCERS)
    batch = get_batch(session, batch_id)
    move(session, principal, batch, "dispatched")
    applications = session.scalars(
        select(CardApplication).where(
            CardApplication.batch_id == batch_id, CardApplication.status == "personalised"
        )
    )
    for application in applications:
        move(session, principal, application, "dispatched", reason=batch.reference)
        card = session.get_one(Card, application.card_id)
        move(session, principal, card, "dispatched", reason=batch.reference)
    session.flush()
    return batch
