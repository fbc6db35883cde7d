"""Agencies, their API clients and grants: managed by the centre's administrators."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dancu.audit.service import record
from dancu.auth.principal import Principal, Role
from dancu.gateway.errors import (
    AgencyExists,
    AgencyNotFound,
    BadGrant,
    GrantNotFound,
    InvalidClient,
    NotGranted,
)
from dancu.gateway.models import Agency, ApiClient, Grant
from dancu.gateway.schemas import AgencyCreate, GrantCreate, GrantRead
from dancu.kit.clock import now

ADMINS = (Role.CENTRAL_ADMIN, Role.SYSTEM)


@dataclass(frozen=True)
class Caller:
    """An authenticated agency system (from its access token)."""

    agency_id: int
    agency_code: str
    client_id: str


def create_agency(session: Session, principal: Principal, body: AgencyCreate) -> Agency:
    principal.require_role(*ADMINS)
    if session.scalar(select(Agency.id).where(Agency.code == body.code)) is not None:
        raise AgencyExists(f"an agency with code {body.code!r} exists")
    agency = Agency(code=body.code, name=body.name, kind=body.kind, created_by=principal.username)
    session.add(agency)
    session.flush()
    record(
        session,
        principal,
        action="gateway:agency:create",
        subject_type="agency",
        subject_id=body.code,
    )
    return agency


def get_agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise AgencyNotFound(f"no agency {code!r}; list them with GET /v1/gateway/agencies")
    return agency


def set_agency_status(session: Session, principal: Principal, code: str, status: str) -> Agency:
    principal.require_role(*ADMINS)
    agency = get_agency(session, code)
    agency.status = status
    record(
        session,
        principal,
        action=f"gateway:agency:{status}",
        subject_type="agency",
        subject_id=code,
    )
    session.flush()
    return agency


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_client(
    session: Session,
    principal: Principal,
    code: str,
    public_jwk: dict[str, object] | None,
    *,
    fixed: tuple[str, str] | None = None,
) -> tuple[ApiClient, str | None]:
    """A new API client; returns the secret (None with a public key) — shown once. ``fixed``
    (client id, secret) is for the public demo only."""
    principal.require_role(*ADMINS)
    agency = get_agency(session, code)
    secret = None if public_jwk else (fixed[1] if fixed else secrets.token_urlsafe(32))
    client = ApiClient(
        agency_id=agency.id,
        client_id=fixed[0] if fixed else f"{code}-{secrets.token_hex(6)}",
        secret_sha256=_sha256(secret) if secret else None,
        public_jwk=public_jwk,
    )
    session.add(client)
    session.flush()
    record(
        session,
        principal,
        action="gateway:client:create",
        subject_type="agency",
        subject_id=code,
        details={"client_id": client.client_id},
    )
    return client, secret


def authenticate_client(session: Session, client_id: str, secret: str) -> ApiClient:
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    expected = client.secret_sha256 if client is not None else None
    # Compare even when the client is unknown, so timing does not tell which ids exist.
    good = hmac.compare_digest(expected or "0" * 64, _sha256(secret))
    if client is None or expected is None or not good or client.status != "active":
        raise InvalidClient("unknown client or wrong secret")
    return client


def create_grant(session: Session, principal: Principal, code: str, body: GrantCreate) -> Grant:
    principal.require_role(*ADMINS)
    agency = get_agency(session, code)
    if "lookup" in body.operations and not body.fields:
        raise BadGrant("a lookup grant must name the fields it may receive")
    start = body.valid_from or now().date()
    if body.valid_to is not None and body.valid_to < start:
        raise BadGrant("valid_to is before valid_from")
    grant = Grant(
        agency_id=agency.id,
        operations=body.operations,
        fields=body.fields,
        purposes=body.purposes,
        provinces=sorted(set(body.provinces)) if body.provinces is not None else None,
        requires_consent=body.requires_consent,
        rate_per_minute=body.rate_per_minute,
        valid_from=start,
        valid_to=body.valid_to,
        legal_basis=body.legal_basis,
        created_by=principal.username,
    )
    session.add(grant)
    session.flush()
    record(
        session,
        principal,
        action="gateway:grant:create",
        subject_type="agency",
        subject_id=code,
        details={"grant": grant.id},
    )
    return grant


def set_grant_status(session: Session, principal: Principal, grant_id: int, status: str) -> Grant:
    """Suspend or resume a grant; it takes effect on the agency's next call."""
    principal.require_role(*ADMINS)
    grant = session.get(Grant, grant_id)
    if grant is None:
        raise GrantNotFound(f"no grant {grant_id}")
    grant.status = status
    record(
        session,
        principal,
        action=f"gateway:grant:{status}",
        subject_type="grant",
        subject_id=str(grant_id),
    )
    session.flush()
    return grant


def grant_view(session: Session, grant: Grant) -> GrantRead:
    agency = session.get_one(Agency, grant.agency_id)
    return GrantRead(
        id=grant.id,
        agency_code=agency.code,
        operations=grant.operations,
        fields=grant.fields,
        purposes=grant.purposes,
        provinces=grant.provinces,
        requires_consent=grant.requires_consent,
        rate_per_minute=grant.rate_per_minute,
        valid_from=grant.valid_from,
        valid_to=grant.valid_to,
        status=grant.status,
        legal_basis=grant.legal_basis,
    )


def grants_of(session: Session, agency_id: int) -> list[Grant]:
    return list(
        session.scalars(select(Grant).where(Grant.agency_id == agency_id).order_by(Grant.id))
    )


def grant_for(session: Session, caller: Caller, operation: str, purpose: str) -> Grant:
    """The caller's grant that allows ``operation`` for ``purpose`` today (read on every call,
    in one statement with the agency's status, so a suspension takes effect at once)."""
    today = now().date()
    rows = session.execute(
        select(Grant, Agency.status, Agency.code)
        .join(Agency, Agency.id == Grant.agency_id)
        .where(Grant.agency_id == caller.agency_id)
        .order_by(Grant.id)
    ).all()
    code = rows[0][2] if rows else caller.agency_code
    if rows and rows[0][1] != "active":
        raise NotGranted(f"agency {code} is suspended")
    for grant, _status, _code in rows:
        if _allows(grant, today, operation, purpose):
            return grant
    raise NotGranted(f"no active grant lets {code} call {operation} for purpose {purpose!r}")


class GrantLike(Protocol):
    """What the operations read of a grant: an ORM ``Grant`` or a cached ``GrantView``."""

    @property
    def id(self) -> int: ...
    @property
    def operations(self) -> Collection[str]: ...
    @property
    def fields(self) -> Sequence[str]: ...
    @property
    def purposes(self) -> Collection[str]: ...
    @property
    def provinces(self) -> Collection[str] | None: ...
    @property
    def requires_consent(self) -> bool: ...
    @property
    def rate_per_minute(self) -> int: ...
    @property
    def valid_from(self) -> date: ...
    @property
    def valid_to(self) -> date | None: ...
    @property
    def status(self) -> str: ...


def _allows(grant: GrantLike, today: date, operation: str, purpose: str) -> bool:
    current = grant.valid_from <= today and (grant.valid_to is None or today <= grant.valid_to)
    return (
        grant.status == "active"
        and current
        and operation in grant.operations
        and purpose in grant.purposes
    )


@dataclass(frozen=True)
class GrantView:
    """A grant as read into a process's memory (``GrantCache``)."""

    id: int
    operations: frozenset[str]
    fields: tuple[str, ...]
    purposes: frozenset[str]
    provinces: frozenset[str] | None
    requires_consent: bool
    rate_per_minute: int
    valid_from: date
    valid_to: date | None
    status: str


@dataclass(frozen=True)
class AgencyGrants:
    """An agency's status and grants as of ``generation`` (see ``GatewayGeneration``)."""

    generation: int
    code: str
    status: str
    grants: tuple[GrantView, ...]

    def allowing(self, operation: str, purpose: str) -> GrantView:
        """The grant that allows ``operation`` for ``purpose`` today, or ``NotGranted``."""
        if self.status != "active":
            raise NotGranted(f"agency {self.code} is suspended")
        today = now().date()
        for grant in self.grants:
            if _allows(grant, today, operation, purpose):
                return grant
        raise NotGranted(
            f"no active grant lets {self.code} call {operation} for purpose {purpose!r}"
        )


_AGENCIES, _GRANTS = Agency.__table__, Grant.__table__
_AGENCY_GRANTS = (
    select(
        _AGENCIES.c.code.label("agency_code"),
        _AGENCIES.c.status.label("agency_status"),
        *_GRANTS.c,
    )
    .select_from(_AGENCIES.outerjoin(_GRANTS, _GRANTS.c.agency_id == _AGENCIES.c.id))
    .where(_AGENCIES.c.id == bindparam("agency_id"))
    .order_by(_GRANTS.c.id)
)


def _grant_view(row: Any) -> GrantView:
    return GrantView(
        id=row.id,
        operations=frozenset(row.operations),
        fields=tuple(row.fields),
        purposes=frozenset(row.purposes),
        provinces=frozenset(row.provinces) if row.provinces is not None else None,
        requires_consent=row.requires_consent,
        rate_per_minute=row.rate_per_minute,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=row.status,
    )


def read_agency_grants(session: Session, caller: Caller, generation: int) -> AgencyGrants:
    rows = session.execute(_AGENCY_GRANTS, {"agency_id": caller.agency_id}).all()
    if not rows:  # the agency is gone: nothing is granted
        return AgencyGrants(generation, caller.agency_code, "suspended", ())
    grants = tuple(_grant_view(r) for r in rows if r.id is not None)
    return AgencyGrants(generation, rows[0].agency_code, rows[0].agency_status, grants)


class GrantCache:
    """Each agency's grants, kept in process memory while the gateway generation (read by
    every call in its own transaction) is unchanged. Any change to an agency, client or grant
    bumps the generation in the same transaction, so the first call that can see the change
    reloads: a suspension still takes effect on the next call."""

    def __init__(self) -> None:
        self._by_agency: dict[int, AgencyGrants] = {}

    def get(self, session: Session, caller: Caller, generation: int) -> AgencyGrants:
        found = self._by_agency.get(caller.agency_id)
        if found is None or found.generation != generation:
            # Read after the generation, so never older than it says (at worst newer: then the
            # next call reloads once more). Racing threads store equally good answers.
            found = read_agency_grants(session, caller, generation)
            self._by_agency[caller.agency_id] = found
        return found
