"""The agency operations: verify (yes/no per attribute, no personal data back) and scoped
lookup (only the granted fields, for a declared purpose). Every call writes an access record
in its own transaction; answers never tell whether a number exists beyond what the grant shows.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.audit.service import record
from dancu.auth.principal import Principal, Role
from dancu.gateway import access
from dancu.gateway.agency import Caller, GrantCache, GrantLike
from dancu.gateway.fields import project
from dancu.gateway.models import Consent, GatewayGeneration
from dancu.gateway.schemas import Agreement, VerifyRequest, VerifyResponse
from dancu.idnumber import IdNumber
from dancu.kit.clock import now
from dancu.kit.errors import DancuError, TooManyRequests
from dancu.kit.ratelimit import RateLimit
from dancu.kit.text import fold, nfc
from dancu.registry.person import read as people
from dancu.registry.person import repository
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

    def hit(self, grant: GrantLike, caller: Caller) -> None:
        key = (grant.id, caller.client_id)
        limit = self._limits.get(key)
        if limit is None or limit.per_minute != grant.rate_per_minute:
            with self._lock:
                limit = self._limits.get(key)
                if limit is None or limit.per_minute != grant.rate_per_minute:
                    limit = self._limits[key] = RateLimit(grant.rate_per_minute)
        limit.hit(caller.client_id)


class Held(Protocol):
    """What verify reads of a person: a ``Person`` or the plain row ``Subject``."""

    @property
    def id(self) -> int: ...
    @property
    def full_name(self) -> str: ...
    @property
    def birth_year(self) -> int: ...
    @property
    def birth_month(self) -> int | None: ...
    @property
    def birth_day(self) -> int | None: ...
    @property
    def sex(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def province_code(self) -> str | None: ...
    @property
    def data(self) -> dict[str, Any]: ...


H = TypeVar("H", bound=Held)


@dataclass(frozen=True)
class Subject:
    """The person a verification is about, as one plain row (no ORM object)."""

    id: int
    full_name: str
    birth_year: int
    birth_month: int | None
    birth_day: int | None
    sex: str
    status: str
    province_code: str | None
    data: dict[str, Any]


def person_or_none(session: Session, number: str) -> Person | None:
    try:
        return find(session, number)
    except DancuError:  # unknown or malformed: the same to the caller
        return None


# The gateway generation (whether cached grants still hold) and the person holding a number,
# in one statement; the allocation of the number too, so that a number never allocated and a
# person's number are answered by the same single statement (only a replaced number, held
# before by someone now under another, takes the registry's longer way).
_GENERATION = GatewayGeneration.__table__
_HEAD = _GENERATION.c.value.label("generation")
_SUBJECT = repository.holder_statement(_HEAD, head_from=_GENERATION)
_SUBJECT_WITH_DATA = repository.holder_statement(_HEAD, head_from=_GENERATION, what="data")
_PERSON = repository.holder_statement(_HEAD, head_from=_GENERATION, what="entity")
_GENERATION_ONLY = select(_GENERATION.c.value)


def _number(text: str) -> IdNumber | None:
    try:
        return IdNumber.parse(text)
    except DancuError:
        return None


def read_subject(session: Session, text: str, *, with_data: bool) -> tuple[int, Subject | None]:
    """The gateway generation, and the person holding (or who held) the number ``text``."""
    number = _number(text)
    if number is None:
        return session.execute(_GENERATION_ONLY).scalar_one(), None
    row = session.execute(_SUBJECT_WITH_DATA if with_data else _SUBJECT, {"number": number}).one()
    if row.id is not None:
        return row.generation, Subject(
            row.id,
            row.full_name,
            row.birth_year,
            row.birth_month,
            row.birth_day,
            row.sex,
            row.status,
            row.province_code,
            row.data if with_data else {},
        )
    if row.replaced_by is None:
        return row.generation, None
    person = person_or_none(session, text)
    if person is None:
        return row.generation, None
    return row.generation, Subject(
        person.id,
        person.full_name,
        person.birth_year,
        person.birth_month,
        person.birth_day,
        person.sex,
        person.status,
        person.province_code,
        person.data,
    )


def read_person(session: Session, text: str) -> tuple[int, Person | None]:
    """The gateway generation, and the person record holding (or who held) the number."""
    number = _number(text)
    if number is None:
        return session.execute(_GENERATION_ONLY).scalar_one(), None
    row = session.execute(_PERSON, {"number": number}).one()
    person: Person | None = row[2]
    if person is None and row.replaced_by is not None:
        person = person_or_none(session, text)
    return row.generation, person


def visible(
    session: Session,
    grant: GrantLike,
    caller: Caller,
    person: H | None,
    purpose: str,
    *,
    release: bool,
) -> H | None:
    """The person if this grant may see them (geography; consent where data is released),
    else None."""
    if person is None:
        return None
    if grant.provinces is not None and person.province_code not in grant.provinces:
        return None
    if release and grant.requires_consent and not _consented(session, person, caller, purpose):
        return None
    return person


def _consented(session: Session, person: Held, caller: Caller, purpose: str) -> bool:
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


def _date(given: str, person: Held) -> Agreement:
    held = [person.birth_year, person.birth_month, person.birth_day]
    parts = [int(p) for p in given.split("-")]
    known = [h for h in held if h is not None]
    if parts == known:
        return "exact"
    # One side less precise than the other: agreement on what both know.
    common = min(len(parts), len(known))
    return "normalised" if parts[:common] == known[:common] else "no_match"


def agreements(body: VerifyRequest, person: Held | None) -> dict[str, Agreement]:
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
    grants: GrantCache,
) -> VerifyResponse:
    """Aadhaar-style yes/no: per attribute exact / normalised / no_match, and whether the person
    is alive only when everything sent matched. Nothing else about the person comes back."""
    failures.check(body.id_number)
    generation, subject = read_subject(
        session, body.id_number, with_data=body.old_id_number is not None
    )
    grant = grants.get(session, caller, generation).allowing("verify", body.purpose)
    limits.hit(grant, caller)
    # A yes/no releases no data: consent gates lookups only.
    person = visible(session, grant, caller, subject, body.purpose, release=False)
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
    grants: GrantCache,
) -> dict[str, object] | None:
    """The granted fields of one person, for a declared purpose; None alike for a number that
    does not exist, a person outside the grant's provinces, or a missing consent (the caller
    answers 404 after the access record is committed)."""
    generation, found = read_person(session, id_number)
    grant = grants.get(session, caller, generation).allowing("lookup", purpose)
    limits.hit(grant, caller)
    person = visible(session, grant, caller, found, purpose, release=True)
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
