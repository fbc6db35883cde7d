"""HTTP for identity cards: applications, review, batches, hand-over, status, renewals, stats."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy.orm import Session

from dancu.card import issuance, production, service, setup
from dancu.card.biometrics import BiometricCipher
from dancu.card.production import Production
from dancu.card.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationSummary,
    BatchCreate,
    BatchRead,
    CardEnd,
    CardRead,
    CardStatus,
    Decision,
    RenewalEntry,
    StatsRow,
)
from dancu.config import Settings
from dancu.deps import PrincipalDep, SessionDep, app_singleton
from dancu.kit.clock import now
from dancu.kit.errors import InvalidInput
from dancu.kit.ratelimit import RateLimit

router = APIRouter(tags=["cards"])
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
Month = Annotated[str, Query(pattern=_MONTH.pattern, examples=["2027-03"])]


def _cipher(request: Request) -> BiometricCipher:
    settings: Settings = request.app.state.settings
    return app_singleton(request, "card_cipher", lambda: setup.cipher(settings))


def _production(request: Request) -> Production:
    settings: Settings = request.app.state.settings
    return app_singleton(request, "card_production", lambda: setup.production(settings))


def _view(session: Session, application_id: int) -> ApplicationRead:
    return service.application_view(session, service.get_application(session, application_id))


@router.post(
    "/v1/card-applications", response_model=ApplicationRead, status_code=status.HTTP_201_CREATED
)
def take_application(
    body: ApplicationCreate, request: Request, session: SessionDep, principal: PrincipalDep
) -> ApplicationRead:
    """Take a card application at an office, with the face photo, fingerprints and iris
    (base64; none under 6). Biometrics are stored encrypted and never returned."""
    application = service.take_application(session, principal, body, _cipher(request))
    return service.application_view(session, application)


@router.get("/v1/card-applications/{application_id}", response_model=ApplicationRead)
def read_application(
    application_id: int, session: SessionDep, principal: PrincipalDep
) -> ApplicationRead:
    """An application with its state history (who, when, from, to, why)."""
    return service.read_application(session, principal, application_id)


@router.post("/v1/card-applications/{application_id}/approve", response_model=ApplicationRead)
def approve(
    application_id: int, body: Decision, session: SessionDep, principal: PrincipalDep
) -> ApplicationRead:
    """Approve a received application (province officers, the centre)."""
    service.decide(session, principal, application_id, approve=True, reason=body.reason)
    return _view(session, application_id)


@router.post("/v1/card-applications/{application_id}/reject", response_model=ApplicationRead)
def reject(
    application_id: int, body: Decision, session: SessionDep, principal: PrincipalDep
) -> ApplicationRead:
    """Reject a received application, with the reason the applicant is told."""
    service.decide(session, principal, application_id, approve=False, reason=body.reason)
    return _view(session, application_id)


@router.post("/v1/card-applications/{application_id}/hand-over", response_model=CardRead)
def hand_over(application_id: int, session: SessionDep, principal: PrincipalDep) -> CardRead:
    """The citizen collected the card: it becomes their one valid card."""
    return issuance.card_view(issuance.hand_over(session, principal, application_id))


@router.get("/v1/people/{id_number}/card-applications", response_model=list[ApplicationSummary])
def applications_of(
    id_number: str, session: SessionDep, principal: PrincipalDep
) -> list[ApplicationSummary]:
    return [
        ApplicationSummary(
            id=a.id,
            id_number=id_number,
            kind=a.kind,
            status=a.status,
            office_commune_code=a.office_commune_code,
            received_at=a.received_at,
        )
        for a in service.applications_of(session, principal, id_number)
    ]


@router.get("/v1/people/{id_number}/cards", response_model=list[CardRead])
def cards_of(id_number: str, session: SessionDep, principal: PrincipalDep) -> list[CardRead]:
    """Every card the person has had, the valid one included."""
    return issuance.cards_of(session, principal, id_number)


@router.post("/v1/card-batches", response_model=BatchRead, status_code=status.HTTP_201_CREATED)
def create_batch(body: BatchCreate, session: SessionDep, principal: PrincipalDep) -> BatchRead:
    """Group approved applications into a production batch (the centre)."""
    batch = production.create_batch(session, principal, body)
    return production.batch_view(session, batch)


@router.get("/v1/card-batches/{batch_id}", response_model=BatchRead)
def read_batch(batch_id: int, session: SessionDep, principal: PrincipalDep) -> BatchRead:
    """A batch's status, with the cards that failed and why."""
    principal.require_role(*production.PRODUCERS, *issuance.ENDERS)
    return production.batch_view(session, production.get_batch(session, batch_id))


@router.post("/v1/card-batches/{batch_id}/produce", response_model=BatchRead)
def produce(batch_id: int, request: Request, principal: PrincipalDep) -> BatchRead:
    """Personalise and print the batch's cards not yet produced (each card on its own: a
    failure is reported and can be retried by calling this again). Large batches:
    ``dancu card produce``."""
    return production.produce_batch(
        request.app.state.session_factory, principal, batch_id, _production(request)
    )


@router.post("/v1/card-batches/{batch_id}/dispatch", response_model=BatchRead)
def dispatch(batch_id: int, session: SessionDep, principal: PrincipalDep) -> BatchRead:
    """Send a produced batch's cards to the issuing offices."""
    batch = production.dispatch_batch(session, principal, batch_id)
    return production.batch_view(session, batch)


@router.post("/v1/cards/{card_number}/lost", response_model=CardRead)
def report_lost(
    card_number: str, body: CardEnd, session: SessionDep, principal: PrincipalDep
) -> CardRead:
    """Record that a card was lost: it is no longer valid."""
    card = issuance.end_card(session, principal, card_number, to="lost", reason=body.reason)
    return issuance.card_view(card)


@router.post("/v1/cards/{card_number}/revoke", response_model=CardRead)
def revoke(
    card_number: str, body: CardEnd, session: SessionDep, principal: PrincipalDep
) -> CardRead:
    """Revoke a card (province officers, the centre)."""
    card = issuance.end_card(session, principal, card_number, to="revoked", reason=body.reason)
    return issuance.card_view(card)


@router.get("/v1/cards/{card_number}/status", response_model=CardStatus, tags=["public"])
def card_status(card_number: str, request: Request, session: SessionDep) -> CardStatus:
    """Public: is this card valid? Answers valid, expired, revoked or unknown, nothing else.
    Rate-limited per client address."""
    settings: Settings = request.app.state.settings
    limit = app_singleton(
        request, "card_status_limit", lambda: RateLimit(settings.card.status_requests_per_minute)
    )
    limit.hit(request.client.host if request.client else "?")
    return issuance.public_status(session, card_number, now().date())


@router.get("/v1/card-renewals", response_model=list[RenewalEntry])
def renewals(
    session: SessionDep,
    principal: PrincipalDep,
    month: Month,
    commune_code: Annotated[str | None, Query(pattern=r"^[0-9]{5}$")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[RenewalEntry]:
    """Who must renew in a month (cards expiring), and who turns 14 without a card, by
    commune, within your jurisdiction."""
    return issuance.renewals(session, principal, month, commune_code=commune_code, limit=limit)


@router.get("/v1/card-stats", response_model=list[StatsRow])
def card_stats(
    session: SessionDep,
    principal: PrincipalDep,
    province_code: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    since: Month | None = None,
    until: Month | None = None,
) -> list[StatsRow]:
    """Applications received, approved, rejected, printed and handed over, by province and
    month."""
    if since and until and since > until:
        raise InvalidInput("since must not be after until")
    return issuance.statistics(
        session, principal, province_code=province_code, since=since, until=until
    )
