"""Demo cards: the demo commune's residents from 14 at every stage of the card pipeline, so the
officers' queues have work and the public status check has cards to answer for."""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dancu.auth.principal import SYSTEM
from dancu.card import issuance, production, service, setup
from dancu.card.render import specimen_portrait
from dancu.card.rules import MANDATORY_AGE
from dancu.card.schemas import ApplicationCreate, BatchCreate
from dancu.config import Settings
from dancu.kit.clock import now
from dancu.kit.db import unit_of_work
from dancu.registry.person.models import Person

# Of the commune's adults, in order: issued, dispatched (ready to hand over), approved (to
# batch), received (to review).
STAGES = ("issued",) * 8 + ("dispatched",) * 3 + ("approved",) * 3 + ("received",) * 3


def _body(person: Person, face: str) -> ApplicationCreate:
    print_ = base64.b64encode(hashlib.sha512(str(person.id_number).encode()).digest() * 4)
    return ApplicationCreate.model_validate(
        {
            "id_number": str(person.id_number),
            "kind": "first_issue",
            "face_jpeg": face,
            "fingerprints": [{"position": 1, "data": print_.decode()}],
        }
    )


def _adults(session: Session, commune: str, count: int) -> list[Person]:
    youngest = now().year - MANDATORY_AGE - 1
    return list(
        session.scalars(
            select(Person)
            .where(
                Person.commune_code == commune,
                Person.status == "alive",
                Person.birth_year <= youngest,
            )
            .order_by(Person.id)
            .limit(count)
        )
    )


def demo_cards(factory: sessionmaker[Session], settings: Settings, commune: str) -> int:
    """Put the commune's residents through the pipeline; returns the cards issued."""
    made = setup.production(settings, images=False)
    face = base64.b64encode(specimen_portrait()).decode()
    with unit_of_work(factory) as session:
        people = _adults(session, commune, len(STAGES))
        stage_of: dict[int, str] = {}
        for person, stage in zip(people, STAGES, strict=False):
            application = service.take_application(
                session, SYSTEM, _body(person, face), made.cipher
            )
            stage_of[application.id] = stage
            if stage != "received":
                service.decide(session, SYSTEM, application.id, approve=True, reason="demo")
        to_produce = [i for i, s in stage_of.items() if s in ("issued", "dispatched")]
        if not to_produce:
            return 0
        batch = production.create_batch(
            session, SYSTEM, BatchCreate(application_ids=to_produce, limit=len(to_produce))
        )
    production.produce_batch(factory, SYSTEM, batch.id, made)
    with unit_of_work(factory) as session:
        production.dispatch_batch(session, SYSTEM, batch.id)
        issued = [i for i in to_produce if stage_of[i] == "issued"]
        for application_id in issued:
            issuance.hand_over(session, SYSTEM, application_id)
    return len(issued)
