"""The state machines of applications and cards, and the log of every state change.

Application: received -> approved | rejected; approved -> in_batch -> personalised ->
dispatched -> handed_over. Card: produced -> dispatched -> active -> lost | revoked |
superseded | expired (a card can also be revoked or reported lost before it is handed over).
Each change is a ``CardEvent`` (who, when, from, to, why) and an audit event.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from dancu.audit.service import record
from dancu.auth.principal import Principal
from dancu.card.errors import TransitionRefused
from dancu.card.models import Card, CardApplication, CardBatch, CardEvent
from dancu.registry import events
from dancu.registry.person.models import Person

APPLICATION_STEPS: dict[str, frozenset[str]] = {
    "received": frozenset({"approved", "rejected"}),
    "approved": frozenset({"in_batch"}),
    "in_batch": frozenset({"personalised"}),
    "personalised": frozenset({"dispatched"}),
    "dispatched": frozenset({"handed_over"}),
    "rejected": frozenset(),
    "handed_over": frozenset(),
}
CARD_STEPS: dict[str, frozenset[str]] = {
    "produced": frozenset({"dispatched", "revoked"}),
    "dispatched": frozenset({"active", "revoked", "lost"}),
    "active": frozenset({"lost", "revoked", "superseded", "expired"}),
    "lost": frozenset(),
    "revoked": frozenset(),
    "superseded": frozenset(),
    "expired": frozenset(),
}
BATCH_STEPS: dict[str, frozenset[str]] = {
    "created": frozenset({"produced", "partial"}),
    "partial": frozenset({"produced", "partial"}),
    "produced": frozenset({"dispatched"}),
    "dispatched": frozenset(),
}
Subject = CardApplication | Card | CardBatch
_KIND: dict[type, tuple[Literal["application", "card", "batch"], dict[str, frozenset[str]]]] = {
    CardApplication: ("application", APPLICATION_STEPS),
    Card: ("card", CARD_STEPS),
    CardBatch: ("batch", BATCH_STEPS),
}


def move(
    session: Session,
    principal: Principal,
    subject: Subject,
    to: str,
    *,
    reason: str | None = None,
) -> None:
    """Change ``subject``'s state to ``to`` if its state machine allows it; log and audit it."""
    kind, steps = _KIND[type(subject)]
    now_state = subject.status
    if to not in steps[now_state]:
        allowed = ", ".join(sorted(steps[now_state])) or "nothing (it is final)"
        raise TransitionRefused(
            f"the {kind} is {now_state}: it cannot become {to}; from {now_state} it can "
            f"become {allowed}"
        )
    subject.status = to
    log(session, principal, subject, now_state, to, reason=reason)
    if isinstance(subject, Card) and to in PUBLIC_CARD_STATES:
        _publish_card(session, subject, to)


# Card states an agency hears about (a bank must know a card stopped being valid).
PUBLIC_CARD_STATES = frozenset({"active", "lost", "revoked", "superseded", "expired"})


def _publish_card(session: Session, card: Card, status: str) -> None:
    person = session.get_one(Person, card.person_id)
    events.publish(
        session,
        "card_status",
        id_number=str(person.id_number),
        province_code=person.province_code,
        commune_code=person.commune_code,
        details={"card_number": card.card_number, "status": status},
    )


def log(
    session: Session,
    principal: Principal,
    subject: Subject,
    from_state: str | None,
    to: str,
    *,
    reason: str | None = None,
) -> None:
    kind, _ = _KIND[type(subject)]
    session.flush()  # the subject has its id
    session.add(
        CardEvent(
            subject_type=kind,
            subject_id=subject.id,
            from_state=from_state,
            to_state=to,
            actor=principal.username,
            actor_role=principal.role.value,
            reason=reason,
        )
    )
    record(
        session,
        principal,
        action=f"card:{kind}:{to}",
        subject_type=f"card_{kind}",
        subject_id=str(subject.id),
        details={"from": from_state} if from_state else None,
    )
