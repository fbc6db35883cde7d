"""The agency operations: verify (yes/no per attribute, no personal data back) and scoped
lookup (only the granted fields, for a declared purpose). Every call writes an access record
in its own transaction; answers never tell whether a number exists beyond what the grant shows.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.audit.service import record
from dancu.auth.principal import Principal, Role
from dancu.gateway import access, agency
from dancu.gateway.agency import Caller
from dancu.gateway.fields import project
from dancu.gateway.models import Consent, Grant
from dancu.gateway.schemas import Agreement, VerifyRequest, VerifyResponse
from dancu.kit.clock import now
from dancu.kit.errors import DancuError, TooManyRequests
from dancu.kit.ratelimit import RateLimit
from dancu.kit.text import fold, nfc
from dancu.registry.person import read as people
from dancu.registry.person.models import Person
from dancu.registry.person.service import find

GATEWAY = Principal(username="gateway", role=Role.SYSTEM)
FAILED_VERIFY_LIMIT = 5
FAILED_VERIFY_WINDOW = 900.0  # seconds


class FailedVerifications:
    """Failed verifications per ID number (any agency) in a sliding window, per process.
    Counted whether or not the number exists, so the throttle reveals nothing either."""

    def __init__(self, limit: int = FAILED_VERIFY_LIMIT, window: float = FAILED_VERIFY_WINDOW):
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, number: str, moment: float) -> deque[float]:
        seen = self._seen[number]
        while seen and seen[0] <= moment - self.window:
            seen.popleft()
        return seen

    def check(self, number: str) -> None:
        with self._lock:
            seen = self._recent(number, time.monotonic())
            if len(seen) >= self.limit:
                wait = int(seen[0] + self.window - time.monotonic()) + 1
                raise TooManyRequests(
                    f"too many failed verifications of this ID number; try again in {wait} s",
                    retry_after=wait,
                )

    def failed(self, number: str) -> bool:
        """Count a failure; True when this one reaches the limit (flag it)."""
        with self._lock:
            seen = self._recent(number, time.monotonic())
            seen.append(time.monotonic())
            return len(seen) == self.limit


class GrantLimits:
    """Rate limits per client and grant (the grant's ``rate_per_minute``), per process."""

    def __init__(self) -> None:
        self._limits: dict[tuple[int, str], RateLimit] = {}
        self._lock = threading.Lock()

    def hit(self, grant: Grant, caller: Caller) -> None:
        key = (grant.id, caller.client_id)
        with self._lock:
            limit = self._limits.get(key)
            if limit is None or limit.per_minute != grant.rate_per_minute:
                limit = self._limits[key] = RateLimit(grant.rate_per_minute)
        limit.hit(caller.client_id)


def person_or_none(session: Session, number: str) -> Person | None:
    try:
        return find(session, number)
    except DancuError:  # unknown or malformed: the same to the caller
        return None


def visible(
    session: Session,
    grant: Grant,
    caller: Caller,
    person: Person | None,
    purpose: str,
    *,
    release: bool,
) -> Person | None:
    """The person if this grant may see them (geography; consent where data is released),
    else None."""
    if person is None:
        return None
    if grant.provinces is not None and person.province_code not in grant.provinces:
        return None
    if release and grant.requires_consent and not _consented(session, person, caller, purpose):
        return None
    return person


def _consented(session: Session, person: Person, caller: Caller, purpose: str) -> bool:
    moment = now()
    consents = session.scalars(
        select(Consent).where(
            Consent.person_id == person.id,
            Consent.agency_id == caller.agency_id,
            Consent.purpose == purpose,
            Consent.withdrawn_at.is_(None),
        )
    )
    return any(c.expires_at is None or c.expires_at > moment for c in consents)


def _name(given: str, held: str) -> Agreement:
    if nfc(given) == held:
        return "exact"
    return "normalised" if fold(given) == fold(held) else "no_match"


def _date(given: str, person: Person) -> Agreement:
    held = [person.birth_year, person.birth_month, person.birth_day]
    parts = [int(p) for p in given.split("-")]
    known = [h for h in held if h is not None]
    if parts == known:
        return "exact"
    # One side less precise than the other: agreement on what both know.
    common = min(len(parts), len(known))
    return "normalised" if parts[:common] == known[:common] else "no_match"


def agreements(body: VerifyRequest, person: Person | None) -> dict[str, Agreement]:
    out: dict[str, Agreement] = {}
    given = {
        "full_name": body.full_name,
        "birth_date": body.birth_date,
        "sex": body.sex,
        "old_id_number": body.old_id_number,
    }
    for name, value in given.items():
        if value is None:
            continue
        if person is None:
            out[name] = "no_match"
        elif name == "full_name":
            out[name] = _name(value, person.full_name)
        elif name == "birth_date":
            out[name] = _date(value, person)
        elif name == "sex":
            out[name] = "exact" if value == person.sex else "no_match"
        else:
            olds = {d.get("number") for d in person.data.get("old_id_numbers", [])}
            out[name] = "exact" if value in olds else "no_match"
    return out


def verify(
    session: Session,
    caller: Caller,
    body: VerifyRequest,
    *,
    request_id: str,
    failures: FailedVerifications,
    limits: GrantLimits,
) -> VerifyResponse:
    """Aadhaar-style yes/no: per attribute exact / normalised / no_match, and whether the person
    is alive only when everything sent matched. Nothing else about the person comes back."""
    failures.check(body.id_number)
    grant = agency.grant_for(session, caller, "verify", body.purpose)
    limits.hit(grant, caller)
    # A yes/no releases no data: consent gates lookups only.
    person = visible(
        session, grant, caller, person_or_none(session, body.id_number), body.purpose, release=False
    )
    found = agreements(body, person)
    matched = person is not None and bool(found) and "no_match" not in found.values()
    access.append(
        session,
        caller,
        request_id=request_id,
        operation="verify",
        purpose=body.purpose,
        subject=body.id_number,
        fields=sorted(found),
        outcome="match" if matched else "no_match",
    )
    if not matched and failures.failed(body.id_number):
        record(
            session,
            GATEWAY,
            action="gateway:verify:flagged",
            subject_type="person",
            subject_id=body.id_number,
            details={"agency": caller.agency_code},
        )
    alive = (person.status == "alive") if matched and person is not None else None
    return VerifyResponse(match=matched, attributes=found, alive=alive, request_id=request_id)


def lookup(
    session: Session,
    caller: Caller,
    id_number: str,
    purpose: str,
    *,
    request_id: str,
    limits: GrantLimits,
) -> dict[str, object] | None:
    """The granted fields of one person, for a declared purpose; None alike for a number that
    does not exist, a person outside the grant's provinces, or a missing consent (the caller
    answers 404 after the access record is committed)."""
    grant = agency.grant_for(session, caller, "lookup", purpose)
    limits.hit(grant, caller)
    person = visible(
        session, grant, caller, person_or_none(session, id_number), purpose, release=True
    )
    if person is None:
        access.append(
            session,
            caller,
            request_id=request_id,
            operation="lookup",
            purpose=purpose,
            subject=id_number,
            fields=[],
            outcome="no_record",
        )
        return None
    data = project(people.view(session, person).model_dump(mode="json"), grant.fields)
    access.append(
        session,
        caller,
        request_id=request_id,
        operation="lookup",
        purpose=purpose,
        subject=str(person.id_number),
        fields=list(grant.fields),
        outcome="returned",
    )
    return data
