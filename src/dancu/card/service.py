"""Card applications: intake at the commune, review, and what a card of the register says.

Intake refuses what the law refuses (a dead person, biometrics under 6, none from 6, a first
card for someone who has one) and stores biometrics sealed (``card.biometrics``). Review is
for province officers and the centre.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dancu.adminunit import codelists
from dancu.adminunit import service as adminunit
from dancu.adminunit.schemas import CodeItem
from dancu.audit.service import record_read
from dancu.auth.principal import Principal, Role
from dancu.card import rules
from dancu.card.biometrics import BiometricCipher
from dancu.card.data import CardData
from dancu.card.errors import (
    ApplicationNotFound,
    ApplicationOpen,
    CardRuleViolation,
)
from dancu.card.lifecycle import log, move
from dancu.card.models import Card, CardApplication, CardBiometric, CardEvent
from dancu.card.schemas import (
    MAX_BIOMETRIC_BYTES,
    MAX_FACE_BYTES,
    ApplicationCreate,
    ApplicationRead,
    BiometricRead,
    EventRead,
)
from dancu.kit.clock import now
from dancu.kit.partial_date import PartialDate
from dancu.registry.person import read as people
from dancu.registry.person.models import Person
from dancu.registry.person.service import find

REVIEWERS = (Role.PROVINCE_OFFICER, Role.CENTRAL_ADMIN, Role.SYSTEM)
JPEG_MAGIC = b"\xff\xd8\xff"


def birth_of(person: Person) -> PartialDate:
    return PartialDate(person.birth_year, person.birth_month, person.birth_day)


def _office(session: Session, principal: Principal, person: Person, code: str | None) -> str:
    if code is None:
        if principal.role is Role.COMMUNE_OFFICER and principal.jurisdiction_code:
            code = principal.jurisdiction_code
        elif person.commune_code is not None:
            code = person.commune_code
        else:
            raise CardRuleViolation("say which office takes the application: office_commune_code")
    commune = adminunit.get_commune(session, code)
    principal.require_covers(commune.code, commune.province_code)
    return commune.code


def _check_kind(session: Session, person: Person, kind: str) -> None:
    has_card = session.scalar(select(exists().where(Card.person_id == person.id)))
    if kind == "first_issue" and has_card:
        raise CardRuleViolation(
            "this person already has a card; apply for renewal, replacement or change_of_data"
        )
    if kind != "first_issue" and not has_card:
        raise CardRuleViolation(
            f"this person has no card yet: a {kind} needs one; apply for first_issue"
        )


def _check_biometrics(body: ApplicationCreate, birth: PartialDate, today: date) -> None:
    rules.check_biometrics(
        birth,
        today,
        face=body.face_jpeg is not None,
        fingerprints=bool(body.fingerprints),
        iris=bool(body.iris),
    )
    if body.face_jpeg is not None:
        if not body.face_jpeg.startswith(JPEG_MAGIC):
            raise CardRuleViolation("face_jpeg is not a JPEG image")
        if len(body.face_jpeg) > MAX_FACE_BYTES:
            raise CardRuleViolation(f"face_jpeg is over {MAX_FACE_BYTES:,} bytes")
    for item in [*body.fingerprints, *body.iris]:
        if not item.data or len(item.data) > MAX_BIOMETRIC_BYTES:
            raise CardRuleViolation(
                f"a biometric record must hold 1 to {MAX_BIOMETRIC_BYTES:,} bytes"
            )
    if len({f.position for f in body.fingerprints}) != len(body.fingerprints):
        raise CardRuleViolation("two fingerprints for the same finger position")
    if any(i.position > 2 for i in body.iris) or len({i.position for i in body.iris}) != len(
        body.iris
    ):
        raise CardRuleViolation("iris positions are 1 (right eye) and 2 (left eye), once each")


def take_application(
    session: Session, principal: Principal, body: ApplicationCreate, cipher: BiometricCipher
) -> CardApplication:
    """Take an application at an office (Law 26/2023 Art. 19, 23, 24)."""
    principal.require_writer()
    person = find(session, body.id_number)
    principal.require_covers(person.commune_code, person.province_code)
    if person.status != "alive":
        raise CardRuleViolation(f"the register records this person as {person.status}")
    _check_kind(session, person, body.kind)
    _check_biometrics(body, birth_of(person), now().date())
    office = _office(session, principal, person, body.office_commune_code)
    application = CardApplication(
        person_id=person.id,
        kind=body.kind,
        reason=body.reason,
        status="received",
        office_commune_code=office,
        office_province_code=adminunit.get_commune(session, office).province_code,
        received_by=principal.username,
    )
    session.add(application)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ApplicationOpen(
            "this person already has an application under way; see "
            f"GET /v1/people/{body.id_number}/card-applications"
        ) from None
    _seal_all(session, application, body, cipher)
    log(session, principal, application, None, "received", reason=body.reason)
    return application


def _seal_all(
    session: Session, application: CardApplication, body: ApplicationCreate, cipher: BiometricCipher
) -> None:
    records = [("face", 1, body.face_jpeg)] if body.face_jpeg is not None else []
    records += [("fingerprint", f.position, f.data) for f in body.fingerprints]
    records += [("iris", i.position, i.data) for i in body.iris]
    for kind, position, data in records:
        session.add(
            CardBiometric(
                application_id=application.id,
                kind=kind,
                position=position,
                key_id=cipher.key_id,
                sealed=cipher.seal(data, context=_context(application.id, kind, position)),
                size=len(data),
            )
        )


def _context(application_id: int, kind: str, position: int) -> str:
    return f"card-application:{application_id}:{kind}:{position}"


def face_photo(
    session: Session, application: CardApplication, cipher: BiometricCipher
) -> bytes | None:
    """The applicant's face photo, decrypted (for personalisation only)."""
    row = session.scalar(
        select(CardBiometric).where(
            CardBiometric.application_id == application.id, CardBiometric.kind == "face"
        )
    )
    if row is None:
        return None
    return cipher.open(row.sealed, context=_context(application.id, row.kind, row.position))


def get_application(session: Session, application_id: int) -> CardApplication:
    application = session.get(CardApplication, application_id)
    if application is None:
        raise ApplicationNotFound(f"no card application {application_id}")
    return application


def _readable(session: Session, principal: Principal, application_id: int) -> CardApplication:
    application = get_application(session, application_id)
    principal.require_covers(application.office_commune_code, application.office_province_code)
    return application


def decide(
    session: Session, principal: Principal, application_id: int, *, approve: bool, reason: str
) -> CardApplication:
    """Approve or reject a received application, with the reason."""
    principal.require_role(*REVIEWERS)
    application = _readable(session, principal, application_id)
    move(session, principal, application, "approved" if approve else "rejected", reason=reason)
    application.decided_at = now()
    application.decided_by = principal.username
    application.decision_reason = reason
    session.flush()
    return application


def application_view(session: Session, application: CardApplication) -> ApplicationRead:
    person = session.get_one(Person, application.person_id)
    card = session.get(Card, application.card_id) if application.card_id else None
    biometrics = session.scalars(
        select(CardBiometric)
        .where(CardBiometric.application_id == application.id)
        .order_by(CardBiometric.id)
    )
    events = session.scalars(
        select(CardEvent)
        .where(CardEvent.subject_type == "application", CardEvent.subject_id == application.id)
        .order_by(CardEvent.id)
    )
    return ApplicationRead(
        id=application.id,
        id_number=str(person.id_number),
        kind=application.kind,
        reason=application.reason,
        status=application.status,
        office_commune_code=application.office_commune_code,
        office_province_code=application.office_province_code,
        received_at=application.received_at,
        received_by=application.received_by,
        decided_at=application.decided_at,
        decided_by=application.decided_by,
        decision_reason=application.decision_reason,
        batch_id=application.batch_id,
        card_number=card.card_number if card else None,
        production_error=application.production_error,
        biometrics=[
            BiometricRead(kind=b.kind, position=b.position, size=b.size) for b in biometrics
        ],
        events=[EventRead.model_validate(e, from_attributes=True) for e in events],
    )


def read_application(
    session: Session, principal: Principal, application_id: int
) -> ApplicationRead:
    application = _readable(session, principal, application_id)
    record_read(
        session,
        principal,
        action="card:application:read",
        subject_type="card_application",
        subject_id=str(application.id),
    )
    return application_view(session, application)


def applications_of(
    session: Session, principal: Principal, id_number: str
) -> list[CardApplication]:
    person = people.find_readable(session, principal, id_number)
    record_read(
        session,
        principal,
        action="card:application:list",
        subject_type="person",
        subject_id=str(person.id_number),
    )
    return list(
        session.scalars(
            select(CardApplication)
            .where(CardApplication.person_id == person.id)
            .order_by(CardApplication.id)
        )
    )


def card_data(
    session: Session,
    person: Person,
    *,
    card_number: str,
    issue_date: date,
    face_jpeg: bytes | None,
) -> CardData:
    """What a card issued today to ``person`` carries, from the register."""
    record = people.view(session, person)
    birth = birth_of(person)
    residence = next(iter(record.residences), None)
    relations = {r.kind: r.full_name for r in record.relations}
    place = (
        codelists.birth_registration_place(record.birth_registration_code)
        if record.birth_registration_code
        else None
    )
    return CardData(
        card_number=card_number,
        id_number=record.id_number,
        full_name=record.full_name,
        birth_date=birth,
        sex="M" if record.sex == "male" else "F",
        issue_date=issue_date,
        expiry_date=rules.expiry_date(birth, issue_date),
        old_id_number=next((d.number for d in record.old_id_numbers if len(d.number) == 9), None),
        cancelled_id_numbers=tuple(record.cancelled_id_numbers),
        ethnicity=_name(codelists.ensure_ethnicity, record.ethnicity_code),
        religion=_name(codelists.ensure_religion, record.religion_code),
        hometown=record.hometown,
        birth_registration_place=record.birth_registration_place or (place.name if place else None),
        residence=(
            f"{residence.address_line}, {residence.commune_name}, {residence.province_name}"
            if residence
            else None
        ),
        father_name=relations.get("father"),
        mother_name=relations.get("mother"),
        spouse_name=relations.get("spouse"),
        face_jpeg=face_jpeg,
    )


def _name(lookup: Callable[[str], CodeItem], code: str | None) -> str | None:
    return None if code is None else lookup(code).name
